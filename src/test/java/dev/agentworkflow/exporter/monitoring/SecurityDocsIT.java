package dev.agentworkflow.exporter.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.support.Binaries;
import dev.agentworkflow.exporter.support.DocBlocks;
import dev.agentworkflow.exporter.support.Htpasswd;
import dev.agentworkflow.exporter.support.PrometheusServer;
import dev.agentworkflow.exporter.support.TestSettings;
import dev.agentworkflow.exporter.webconfig.WebConfigFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/security.md, run as written: its openssl scripts make the keys, its web configuration
 * files are accepted by us and by promtool, and a real Prometheus with its scrape configurations
 * scrapes an exporter over TLS with basic auth and another over mutual TLS (targets UP), while a
 * job with a wrong password is refused with 401.
 */
class SecurityDocsIT {
  private static final Path DOC = Path.of("docs/security.md");
  private static final String PASSWORD = "scrape-secret";

  @TempDir
  static Path dir;

  private final List<AutoCloseable> running = new ArrayList<>();

  @BeforeAll
  static void runTheDocsScripts() throws Exception {
    Map<String, String> scripts = DocBlocks.named(DOC, "make-");
    assertEquals(Set.of("make-certificate.sh", "make-mutual-tls.sh"), scripts.keySet());
    run(scripts.get("make-certificate.sh"), Files.createDirectories(dir.resolve("tls")));
    run(scripts.get("make-mutual-tls.sh"), Files.createDirectories(dir.resolve("mtls")));
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable closeable : running) {
      closeable.close();
    }
  }

  @Test
  void everyWebConfigurationInTheDocsIsAcceptedByUsAndByPromtool() throws Exception {
    Map<String, String> configs = DocBlocks.named(DOC, "web-config.yml");
    assertEquals(Set.of("web-config.yml: basic auth", "web-config.yml: TLS and basic auth",
        "web-config.yml: mutual TLS", "web-config.yml: headers and rate limit"), configs.keySet());
    for (Map.Entry<String, String> config : configs.entrySet()) {
      Path file = write(config.getKey(), config.getValue());
      WebConfigFile.read(file);
      String verdict = Binaries.promtoolCheckWebConfig(file);
      if (config.getValue().contains("rate_limit:")) {
        // Debian's promtool 2.42 carries exporter-toolkit 0.8, older than rate_limit.
        assertTrue(verdict.startsWith(file + " FAILED") && verdict.contains("field rate_limit not found"), verdict);
      } else {
        assertEquals(file + " SUCCESS", verdict, config.getKey());
      }
    }
  }

  @Test
  void prometheusScrapesOverTlsWithBasicAuthAndOverMutualTls() throws Exception {
    Map<String, String> webConfigs = DocBlocks.named(DOC, "web-config.yml");
    Map<String, String> scrapeConfigs = DocBlocks.named(DOC, "prometheus.yml");
    String hash = Htpasswd.hash(PASSWORD, 10);
    int tlsPort = startExporter(write("web-config.yml: TLS and basic auth", webConfigs
        .get("web-config.yml: TLS and basic auth").replaceAll("\\$2y\\$10\\$\\S+", Matcher.quoteReplacement(hash))));
    int mtlsPort = startExporter(write("web-config.yml: mutual TLS", webConfigs.get("web-config.yml: mutual TLS")));

    Files.writeString(dir.resolve("password"), PASSWORD);
    Files.writeString(dir.resolve("wrong-password"), "not-" + PASSWORD);
    String tlsJob = scrapeConfigs.get("prometheus.yml: TLS and basic auth")
        .replace("/etc/prometheus/agent_workflow.crt", dir.resolve("tls/exporter.crt").toString())
        .replace("/etc/prometheus/agent_workflow.password", dir.resolve("password").toString())
        .replace("localhost:9091", "127.0.0.1:" + tlsPort);
    String wrongPasswordJob = tlsJob.replace("job_name: agent_workflow", "job_name: wrong_password")
        .replace(dir.resolve("password").toString(), dir.resolve("wrong-password").toString());
    String mtlsJob = scrapeConfigs.get("prometheus.yml: mutual TLS")
        .replace("/etc/prometheus/agent_workflow/", dir.resolve("mtls").toString() + "/")
        .replace("job_name: agent_workflow", "job_name: mutual_tls")
        .replace("localhost:9091", "127.0.0.1:" + mtlsPort);
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, "global:\n  scrape_interval: 1s\n" + tlsJob
        + jobsOnly(wrongPasswordJob) + jobsOnly(mtlsJob));
    PrometheusServer prometheus = PrometheusServer.start(config, Files.createDirectories(dir.resolve("prometheus")));
    running.add(prometheus);

    prometheus.await("both secured targets up, the wrong password down", () -> {
      JsonNode targets = prometheus.get("/api/v1/targets").path("data").path("activeTargets");
      String up = "", tls = "", wrong = "";
      for (JsonNode target : targets) {
        String job = target.path("labels").path("job").asText();
        String state = target.path("health").asText() + " " + target.path("scrapeUrl").asText() + " "
            + target.path("lastError").asText();
        switch (job) {
          case "agent_workflow" -> up = state;
          case "mutual_tls" -> tls = state;
          case "wrong_password" -> wrong = state;
          default -> throw new AssertionError("unexpected job " + job);
        }
      }
      return up.startsWith("up https://127.0.0.1:" + tlsPort + "/metrics")
          && tls.startsWith("up https://127.0.0.1:" + mtlsPort + "/metrics")
          && wrong.startsWith("down https://") && wrong.contains("401 Unauthorized");
    });
    prometheus.await("the exporters' series in Prometheus", () -> PrometheusServer.nonEmpty(
        prometheus.query("agent_workflow_exporter_build_info{job=~\"agent_workflow|mutual_tls\"}"))
        && prometheus.query("agent_workflow_exporter_build_info").path("data").path("result").size() == 2);
  }

  private int startExporter(Path webConfig) throws Exception {
    Exporter exporter = Exporter.start(TestSettings.withWeb(TestSettings.of(dir.resolve("agent_workflow.db"),
        Duration.ofSeconds(1)), WebConfigFile.read(webConfig)), Clock.systemUTC());
    running.add(exporter);
    return exporter.port();
  }

  /** A web config next to the files its recipe made: mutual TLS in mtls/, everything else in tls/. */
  private static Path write(String name, String text) throws Exception {
    Path folder = dir.resolve(name.contains("mutual") ? "mtls" : "tls");
    Path file = folder.resolve(name.replaceAll("[^A-Za-z0-9.]+", "-") + ".yml");
    Files.writeString(file, text);
    return file;
  }

  /** The job entries of a scrape_configs block, to append under another block's scrape_configs. */
  private static String jobsOnly(String block) {
    return block.substring(block.indexOf("scrape_configs:\n") + "scrape_configs:\n".length());
  }

  private static void run(String script, Path in) throws Exception {
    Process process = new ProcessBuilder("sh", "-euc", script).directory(in.toFile()).redirectErrorStream(true)
        .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, process.exitValue(), output);
  }
}
