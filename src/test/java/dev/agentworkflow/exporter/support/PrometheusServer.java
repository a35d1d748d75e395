package dev.agentworkflow.exporter.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A real Prometheus (Debian's package) on loopback, run with a given configuration file, and its HTTP API. */
public final class PrometheusServer implements AutoCloseable {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private final Process process;
  private final Path log;
  private final String url;

  private PrometheusServer(Process process, Path log, String url) {
    this.process = process;
    this.log = log;
    this.url = url;
  }

  /** Starts Prometheus on {@code config}, keeping its data and log in {@code dir}. */
  public static PrometheusServer start(Path config, Path dir) throws IOException {
    String binary = Binaries.require("prometheus");
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path log = dir.resolve("prometheus.log");
    Process process = new ProcessBuilder(binary, "--config.file=" + config,
        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new PrometheusServer(process, log, "http://127.0.0.1:" + port);
  }

  public JsonNode query(String expr) throws IOException, InterruptedException {
    return get("/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
  }

  public JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    return json.readTree(response.body());
  }

  public static boolean nonEmpty(JsonNode answer) {
    return answer.path("status").asText().equals("success") && answer.path("data").path("result").size() > 0;
  }

  /** Something to wait for; an IOException means Prometheus is still starting. */
  public interface Condition {
    boolean holds() throws Exception;
  }

  public void await(String what, Condition condition) throws Exception {
    long end = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < end) {
      try {
        if (condition.holds()) {
          return;
        }
      } catch (IOException notYet) {
        // Prometheus is still starting
      }
      Thread.sleep(250);
    }
    throw new AssertionError("timed out waiting for " + what + "; Prometheus log:\n" + Files.readString(log));
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
