package dev.agentworkflow.exporter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import org.junit.jupiter.api.Test;

/** The one place that keeps user-controlled text on one line. */
class OneLineTest {
  @Test
  void lineBreaksEscapesAndOtherControlCharactersAreEscaped() {
    assertEquals("a\\r\\nb\\x1b[2Jc\\x00d\\x7fe\\x85f\\x9bg\\u2028h\\u2029i",
        OneLine.escape("a\r\nb\u001b[2Jc\u0000d\u007fe\u0085f\u009bg\u2028h\u2029i"));
  }

  @Test
  void tabsBackslashesAndOtherLettersStayAsTheyAre() {
    String text = "C:\\logs\tagent_wörkflow.db \u00e9\u4e2d";
    assertSame(text, OneLine.escape(text));
  }

  @Test
  void theLogStreamKeepsEachPrintedLineOnOneLineAndStackTracesReadable() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream log = new LogStream(new PrintStream(bytes, true, Charset.defaultCharset()))) {
      log.println("INFO Poller - the database file a\nb.db does not exist");
      new IllegalStateException("bad\r\nvalue").printStackTrace(log);
    }
    String[] lines = bytes.toString(Charset.defaultCharset()).split(System.lineSeparator());
    assertEquals("INFO Poller - the database file a\\nb.db does not exist", lines[0]);
    assertEquals("java.lang.IllegalStateException: bad\\r\\nvalue", lines[1]);
    assertEquals("\tat dev.agentworkflow.exporter.cli.OneLineTest.theLogStreamKeepsEachPrintedLineOnOneLineAndStackTracesReadable",
        lines[2].replaceFirst("\\(.*", ""));
  }
}
