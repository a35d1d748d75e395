package dev.agentworkflow.exporter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.demo.Pace;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code demo --pace}: busy by default, sparse on request, anything else refused in one line. */
class DemoPaceTest {
  private static DemoCommand parse(String... args) {
    CommandLine.ParseResult parsed = ExporterCommand.commandLine(Map.of()).parseArgs(args);
    return (DemoCommand) parsed.subcommand().commandSpec().userObject();
  }

  @Test
  void busyByDefaultSparseOnRequestInAnyCase() {
    assertEquals(Pace.BUSY, parse("demo").pace);
    assertEquals(Pace.SPARSE, parse("demo", "--pace", "sparse").pace);
    assertEquals(Pace.SPARSE, parse("demo", "--pace=SPARSE").pace);
  }

  @Test
  void anUnknownPaceExitsWithTwoAndOneLine() {
    StringWriter err = new StringWriter();
    CommandLine commandLine = ExporterCommand.commandLine(Map.of());
    commandLine.setErr(new PrintWriter(err));
    commandLine.setOut(new PrintWriter(new StringWriter()));
    assertEquals(2, commandLine.execute("demo", "--pace", "slow"));
    assertEquals(1, err.toString().lines().count(), err.toString());
    assertTrue(err.toString().contains("'slow' is not a pace; use busy or sparse"), err.toString());
  }

  @Test
  void theHelpSaysWhatEachPaceIs() {
    StringWriter out = new StringWriter();
    CommandLine commandLine = ExporterCommand.commandLine(Map.of());
    commandLine.setOut(new PrintWriter(out));
    assertEquals(0, commandLine.execute("demo", "--help"));
    String help = out.toString().replaceAll("\\s+", " "); // as one line, whatever the wrapping
    assertTrue(help.contains("--pace=PACE"), help);
    assertTrue(help.contains("(default busy)"), help);
    assertTrue(help.contains("sparse: history and live at a real pipeline's pace"), help);
  }
}
