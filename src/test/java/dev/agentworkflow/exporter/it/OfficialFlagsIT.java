package dev.agentworkflow.exporter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentworkflow.exporter.support.Exposition;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.HttpCalls;
import dev.agentworkflow.exporter.support.LogLines;
import dev.agentworkflow.exporter.support.Scraper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar with the spellings official exporters take: --web.listen-address,
 * --web.telemetry-path, --log.level, --log.format; and --version and build_info as they print them.
 */
class OfficialFlagsIT {
  private static final Duration START = Duration.ofSeconds(30);
  private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");

  @TempDir
  Path dir;

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private String database() throws Exception {
    Path file = dir.resolve("agent_workflow.db");
    HookDatabase db = HookDatabase.create(file);
    long id = db.startAgent("s1", "planning", "architect", T0);
    db.finishAgent(id, T0.plusSeconds(20), "completed", 20.0, "m");
    return file.toString();
  }

  private int scrape(String host, int port, String path) throws Exception {
    return HttpCalls.get(client, "http://" + host + ":" + port + path).statusCode();
  }

  @Test
  void aListenAddressOfLoopbackServesThere() throws Exception {
    try (ExporterProcess exporter = ExporterProcess.start(dir, "--db", database(),
        "--web.listen-address=127.0.0.1:0")) {
      int port = Integer.parseInt(exporter.await("serving http://127\\.0\\.0\\.1:(\\d+)/metrics, reading", START));
      assertEquals(200, scrape("127.0.0.1", port, "/metrics"));
      stop(exporter);
    }
  }

  @Test
  void anIpv6ListenAddressInBracketsServesThereAndIsLoggedInBrackets() throws Exception {
    assumeIpv6Loopback();
    try (ExporterProcess exporter = ExporterProcess.start(dir, "--db", database(), "--web.listen-address=[::1]:0")) {
      // the address as Java writes it
      int port = Integer.parseInt(exporter.await("serving http://\\[0:0:0:0:0:0:0:1]:(\\d+)/metrics, reading", START));
      assertEquals(200, scrape("[::1]", port, "/metrics"));
      stop(exporter);
    }
  }

  /** {@code :PORT}, as official exporters take it: every address of this host, IPv4 and IPv6. */
  @Test
  void aListenAddressWithoutHostServesOnEveryAddress() throws Exception {
    try (ExporterProcess exporter = ExporterProcess.start(dir, "--db", database(), "--web.listen-address", ":0")) {
      int port = Integer.parseInt(exporter.await("serving http://0\\.0\\.0\\.0:(\\d+)/metrics, reading", START));
      assertEquals(200, scrape("127.0.0.1", port, "/metrics"));
      if (ipv6Loopback()) {
        assertEquals(200, scrape("[::1]", port, "/metrics"));
      }
      stop(exporter);
    }
  }

  @Test
  void theTelemetryPathIsServedAndLogged() throws Exception {
    try (ExporterProcess exporter = ExporterProcess.start(dir, "--db", database(),
        "--web.listen-address=127.0.0.1:0", "--web.telemetry-path=/internal/prom")) {
      int port = Integer.parseInt(exporter.await("serving http://127\\.0\\.0\\.1:(\\d+)/internal/prom, reading", START));
      assertEquals(200, scrape("127.0.0.1", port, "/internal/prom"));
      assertEquals(404, scrape("127.0.0.1", port, "/metrics"));
      stop(exporter);
    }
  }

  @Test
  void theDefaultLogIsLogfmtOneLineAnEvent() throws Exception {
    try (ExporterProcess exporter = ExporterProcess.start(dir, "--db", "missing.db", "--bind", "127.0.0.1",
        "--port", "0", "--state-file", "none")) {
      exporter.await("serving http", START);
      exporter.await("does not exist", START);
      stop(exporter);
      String log = exporter.stderr();
      List<String> lines = log.lines().toList();
      for (String line : lines) {
        assertTrue(line.matches(LogLines.ANY), line);
      }
      assertEquals(1, lines.stream().filter(l -> l.matches(LogLines.line("INFO", "ExporterCommand",
          "agent-workflow-exporter \\S+ serving http://127\\.0\\.0\\.1:\\d+/metrics, reading missing\\.db every 15s "
              + "\\(timestamps without offset in .+\\)"))).count(), log);
      assertEquals(1, lines.stream().filter(l -> l.matches(LogLines.line("INFO", "Poller",
          "the database file missing\\.db does not exist; waiting for it to appear"))).count(), log);
      assertTrue(lines.get(lines.size() - 1).matches(LogLines.TIME + " level=INFO source=Foreground\\.java:\\d+ "
          + "msg=stopping"), log);
    }
  }

  @Test
  void jsonLogsAreOneObjectALineWithPromslogsKeys() throws Exception {
    try (ExporterProcess exporter = ExporterProcess.start(dir, "--db", "missing.db", "--bind", "127.0.0.1",
        "--port", "0", "--state-file", "none", "--log.format=json", "--log.level=debug")) {
      exporter.await("serving http", START);
      exporter.await("does not exist", START);
      stop(exporter);
      ObjectMapper json = new ObjectMapper();
      List<String> lines = exporter.stderr().lines().toList();
      assertTrue(lines.size() >= 3, exporter.stderr());
      for (String line : lines) {
        JsonNode event = json.readTree(line);
        List<String> keys = new ArrayList<>();
        event.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("time", "level", "source", "msg"), keys.subList(0, 4), line);
        OffsetDateTime.parse(event.get("time").asText());
        assertTrue(List.of("DEBUG", "INFO", "WARN", "ERROR").contains(event.get("level").asText()), line);
        assertTrue(event.get("source").asText().matches("\\w+\\.java:\\d+"), line);
      }
      JsonNode missing = lines.stream().map(l -> read(json, l))
          .filter(e -> e.get("msg").asText().contains("does not exist")).findFirst().orElseThrow();
      assertEquals("INFO", missing.get("level").asText());
      assertTrue(missing.get("source").asText().startsWith("Poller.java:"), missing.toString());
      assertEquals("the database file missing.db does not exist; waiting for it to appear", missing.get("msg").asText());
    }
  }

  @Test
  void theOfficialLogLevelSpellingIsObeyed() throws Exception {
    try (ExporterProcess once = ExporterProcess.start(dir, "--once", "--db", database(), "--log.level=warn",
        "--state-file", "none")) {
      assertEquals(0, once.exitCode(START), once.stderr());
      assertEquals("", once.stderr());
    }
  }

  private static JsonNode read(ObjectMapper json, String line) {
    try {
      return json.readTree(line);
    } catch (IOException e) {
      throw new AssertionError(line, e);
    }
  }

  /**
   * The block official exporters print, with this build's figures: the version of the jar's manifest,
   * the revision and branch git has (or unknown, built outside a git checkout), the user who ran the
   * build, its time, and the Java that runs it; build_info has the same labels.
   */
  @Test
  void versionPrintsTheOfficialBlockAndBuildInfoSaysTheSame() throws Exception {
    Path jar = Path.of(System.getProperty("exporter.jar"));
    String version;
    try (JarFile file = new JarFile(jar.toFile())) {
      version = file.getManifest().getMainAttributes().getValue("Implementation-Version");
    }
    String revision = git("rev-parse", "HEAD");
    String branch = git("rev-parse", "--abbrev-ref", "HEAD");
    String java = System.getProperty("java.version");
    try (ExporterProcess process = ExporterProcess.start(dir, "--version")) {
      assertEquals(0, process.exitCode(START), process.stderr());
      Iterator<String> lines = process.stdout().lines().iterator();
      assertEquals("agent-workflow-exporter, version " + version + " (branch: " + branch + ", revision: " + revision
          + ")", lines.next());
      assertEquals("  build user:       " + System.getProperty("user.name"), lines.next());
      String date = lines.next();
      assertTrue(date.matches("  build date:       \\d{8}-\\d\\d:\\d\\d:\\d\\d"), date);
      Instant built = LocalDateTime.parse(date.substring(20), DateTimeFormatter.ofPattern("yyyyMMdd-HH:mm:ss", Locale.ROOT))
          .toInstant(ZoneOffset.UTC);
      Instant jarWritten = Files.getLastModifiedTime(jar).toInstant();
      assertTrue(!built.isAfter(jarWritten) && built.isAfter(jarWritten.minus(Duration.ofHours(3))),
          "built " + built + ", jar written " + jarWritten);
      assertEquals("  java version:     " + java, lines.next());
      String platform = lines.next();
      assertTrue(platform.matches("  platform:         [a-z0-9]+/[a-z0-9]+"), platform);
      if (System.getProperty("os.name").equals("Linux") && System.getProperty("os.arch").equals("amd64")) {
        assertEquals("  platform:         linux/amd64", platform);
      }
      assertEquals(false, lines.hasNext());
    }
    try (ExporterProcess exporter = ExporterProcess.start(dir, "--db", database(), "--bind", "127.0.0.1",
        "--port", "0")) {
      Scraper scraper = new Scraper(Integer.parseInt(exporter.await("serving http://127\\.0\\.0\\.1:(\\d+)/", START)));
      Exposition m = scraper.metrics();
      assertEquals(1, m.value("agent_workflow_exporter_build_info", "branch", branch, "javaversion", java,
          "revision", revision, "version", version));
      assertEquals(List.of(Exposition.key("agent_workflow_exporter_build_info", "branch", branch, "javaversion", java,
          "revision", revision, "version", version)), m.seriesOf("agent_workflow_exporter_build_info"));
      stop(exporter);
    }
  }

  /** What git says of this checkout; {@code unknown} where there is no git or no .git, as the build says then. */
  private static String git(String... args) throws Exception {
    if (!Files.exists(Path.of(".git"))) {
      return "unknown";
    }
    List<String> command = new ArrayList<>(List.of("git"));
    command.addAll(List.of(args));
    Process git;
    try {
      git = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      return "unknown";
    }
    String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    return git.waitFor() == 0 && !out.isEmpty() ? out : "unknown";
  }

  private static void stop(ExporterProcess exporter) throws Exception {
    exporter.signal("TERM");
    assertEquals(0, exporter.exitCode(Duration.ofSeconds(5)), exporter.stderr());
  }

  private static boolean ipv6Loopback() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void assumeIpv6Loopback() {
    Assumptions.assumeTrue(ipv6Loopback(), "SKIPPED: this host has no IPv6 loopback (::1)");
  }
}
