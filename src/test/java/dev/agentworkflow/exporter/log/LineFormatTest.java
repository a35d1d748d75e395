package dev.agentworkflow.exporter.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.event.Level;
import org.slf4j.helpers.NOPLogger;

/** Log lines as promslog writes them, logfmt and JSON, exactly; and what the loggers print at which level. */
class LineFormatTest {
  private static final Instant T = Instant.parse("2026-11-30T04:50:53.104512Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  private static LogEvent event(String message, LogEvent.Attribute... attributes) {
    return new LogEvent(T, Level.INFO, "Poller.java:120", message, List.of(attributes));
  }

  @Test
  void logfmtQuotesAValueOnlyWhenItMustAsSlogDoes() {
    assertEquals("time=2026-11-30T04:50:53.104Z level=INFO source=Poller.java:120 msg=stopping",
        LogFormat.LOGFMT.line(event("stopping"), ZoneOffset.UTC));
    assertEquals("time=2026-11-30T04:50:53.104Z level=INFO source=Poller.java:120 msg=\"read 3 rows\"",
        LogFormat.LOGFMT.line(event("read 3 rows"), ZoneOffset.UTC));
    assertEquals("time=2026-11-30T04:50:53.104Z level=INFO source=Poller.java:120 msg=\"\"",
        LogFormat.LOGFMT.line(event(""), ZoneOffset.UTC));
    assertEquals("time=2026-11-30T04:50:53.104Z level=INFO source=Poller.java:120 msg=\"a=b\" rows=3 path=\"x y\"",
        LogFormat.LOGFMT.line(event("a=b", new LogEvent.Attribute("rows", 3), new LogEvent.Attribute("path", "x y")),
            ZoneOffset.UTC));
  }

  /** A value cannot end the line, forge another or reach the terminal raw: Go's strconv.Quote escapes. */
  @Test
  void logfmtEscapesWhatWouldBreakTheLine() {
    String hostile = "a\"b\\c\nd\re\tf\u001b[2Jg\u007fh\u009bi\u2028j\u00a0k\u200bl\uD800m\uD83D\uDE00n é";
    assertEquals("time=2026-11-30T04:50:53.104Z level=INFO source=Poller.java:120 "
            + "msg=\"a\\\"b\\\\c\\nd\\re\\tf\\x1b[2Jg\\x7fh\\u009bi\\u2028j\\u00a0k\\u200bl\\ud800m\uD83D\uDE00n é\"",
        LogFormat.LOGFMT.line(event(hostile), ZoneOffset.UTC));
  }

  @Test
  void logfmtWritesTheTimeInTheZoneToTheMillisecondAndTheLevelAsSlog() {
    LogEvent warn = new LogEvent(T, Level.WARN, "StateKeeper.java:9", "x", List.of());
    assertEquals("time=2026-11-30T05:50:53.104+01:00 level=WARN source=StateKeeper.java:9 msg=x",
        LogFormat.LOGFMT.line(warn, ZoneId.of("Europe/Berlin")));
  }

  @Test
  void jsonIsOneObjectWithTheSameKeysAndTheTimeToTheClocksPrecision() throws IOException {
    String line = LogFormat.JSON.line(event("read \"3\" rows\n\u001b", new LogEvent.Attribute("rows", 3),
        new LogEvent.Attribute("ok", true), new LogEvent.Attribute("why", null)), ZoneOffset.UTC);
    assertEquals("{\"time\":\"2026-11-30T04:50:53.104512Z\",\"level\":\"INFO\",\"source\":\"Poller.java:120\","
        + "\"msg\":\"read \\\"3\\\" rows\\n\\u001b\",\"rows\":3,\"ok\":true,\"why\":\"null\"}", line);
    JsonNode parsed = JSON.readTree(line);
    assertEquals("read \"3\" rows\n\u001b", parsed.get("msg").asText());
    assertEquals(3, parsed.get("rows").asInt());

    LogEvent whole = new LogEvent(Instant.parse("2026-11-30T04:50:53Z"), Level.ERROR, "A.java:1", "x", List.of());
    assertEquals("{\"time\":\"2026-11-30T05:50:53+01:00\",\"level\":\"ERROR\",\"source\":\"A.java:1\",\"msg\":\"x\"}",
        LogFormat.JSON.line(whole, ZoneId.of("Europe/Berlin")));
  }

  @Test
  void jsonEscapesControlCharactersSeparatorsAndLoneSurrogates() throws IOException {
    String line = LogFormat.JSON.line(event("\u007f\u009b\u2028\u2029\uDC00\uD83D\uDE00\t"), ZoneOffset.UTC);
    assertTrue(line.endsWith("\"msg\":\"\\u007f\\u009b\\u2028\\u2029\\udc00\uD83D\uDE00\\t\"}"), line);
    assertEquals("\u007f\u009b\u2028\u2029\uDC00\uD83D\uDE00\t", JSON.readTree(line).get("msg").asText());
  }

  @Test
  void anAttributeNamedAsAKeyOfEveryLineIsRenamedAsPromslogDoes() {
    assertEquals("time=2026-11-30T04:50:53.104Z level=INFO source=Poller.java:120 msg=x logged_msg=y logged_time=z",
        LogFormat.LOGFMT.line(event("x", new LogEvent.Attribute("msg", "y"), new LogEvent.Attribute("time", "z")),
            ZoneOffset.UTC));
  }

  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final LineLoggers loggers = new LineLoggers(Clock.fixed(T, ZoneOffset.UTC),
      () -> new PrintStream(printed, true, StandardCharsets.UTF_8));

  private String printed() {
    return printed.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aLoggerWritesOneLineWithTheArgumentsInPlaceAndWhereItWasCalled() {
    Logger log = loggers.getLogger("dev.agentworkflow.exporter.poll.Poller");
    int line = new Throwable().getStackTrace()[0].getLineNumber() + 1;
    log.info("read {} rows of {}", 3, "a b.db");
    assertEquals("time=2026-11-30T04:50:53.104Z level=INFO source=LineFormatTest.java:" + line
        + " msg=\"read 3 rows of a b.db\"\n", printed());
  }

  @Test
  void theLevelInForceDecidesWhatIsPrintedAndCanBeChangedAfterTheLoggerWasMade() {
    Logger log = loggers.getLogger("x");
    log.debug("hidden");
    assertFalse(log.isDebugEnabled());
    assertEquals("", printed());
    loggers.set(LogLevel.DEBUG, LogFormat.JSON);
    assertTrue(log.isDebugEnabled());
    log.debug("shown");
    assertTrue(printed().startsWith("{\"time\":\"2026-11-30T04:50:53.104512Z\",\"level\":\"DEBUG\""), printed());
    loggers.set(LogLevel.ERROR, LogFormat.LOGFMT);
    log.warn("hidden too");
    log.trace("never");
    assertEquals(1, printed().lines().count(), printed());
  }

  @Test
  void anExceptionIsOneLineWithItsMessageAndStackTraceAsKeys() throws IOException {
    loggers.set(LogLevel.INFO, LogFormat.JSON);
    loggers.getLogger("x").error("answering {} failed", "GET /metrics", new IllegalStateException("bug\nhere"));
    assertEquals(1, printed().lines().count(), printed());
    JsonNode line = JSON.readTree(printed());
    assertEquals("answering GET /metrics failed", line.get("msg").asText());
    assertEquals("java.lang.IllegalStateException: bug\nhere", line.get("err").asText());
    assertTrue(line.get("stacktrace").asText().startsWith("java.lang.IllegalStateException: bug\nhere\n\tat "
        + LineFormatTest.class.getName() + ".anExceptionIsOneLineWithItsMessageAndStackTraceAsKeys("), printed());
  }

  @Test
  void keyValuePairsOfTheFluentApiBecomeKeys() {
    loggers.getLogger("x").atInfo().addKeyValue("rows", 3).addKeyValue("table", "agent_invocations").log("read");
    assertTrue(printed().endsWith(" msg=read rows=3 table=agent_invocations\n"), printed());
  }

  @Test
  void sqliteJdbcsNativeLoaderIsSilenced() {
    assertSame(NOPLogger.NOP_LOGGER, loggers.getLogger("org.sqlite.SQLiteJDBCLoader"));
  }

  @Test
  void levelsAdmitWhatIsAsSevereOrMore() {
    assertTrue(LogLevel.WARN.prints(Level.ERROR));
    assertTrue(LogLevel.WARN.prints(Level.WARN));
    assertFalse(LogLevel.WARN.prints(Level.INFO));
    assertFalse(LogLevel.DEBUG.prints(Level.TRACE));
  }
}
