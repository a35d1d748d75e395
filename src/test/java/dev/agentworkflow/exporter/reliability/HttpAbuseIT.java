package dev.agentworkflow.exporter.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.it.ExporterProcess;
import dev.agentworkflow.exporter.support.Await;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.Scraper;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Case 6, HTTP abuse on loopback, against the packaged exporter with the service files' JVM
 * options: 200 clients that never finish their request, silent connections, unknown paths and
 * 1 MB headers, while a well-behaved client scrapes. Bounded: a fixed number of connections,
 * closed at the end.
 */
@Tag("reliability")
class HttpAbuseIT {
  private static final int SLOW_CLIENTS = 200;

  @TempDir
  Path dir;

  @Test
  void wellBehavedScrapesSucceedThroughTheAbuse() throws Exception {
    HookDatabase db = HookDatabase.create(dir.resolve("agent_workflow.db"));
    long id = db.startAgent("s", "planning", "architect", Instant.now());
    db.finishAgent(id, Instant.now(), "completed", 1.0, "m");
    List<Socket> abusers = new ArrayList<>();
    try (ExporterProcess exporter = ExporterProcess.start(List.of(), ExporterProcess.serviceJvmOptions(), dir,
        "--db", "agent_workflow.db", "--bind", "127.0.0.1", "--port", "0", "--interval", "1")) {
      int port = Integer.parseInt(exporter.await("serving http://127\\.0\\.0\\.1:(\\d+)/metrics", Duration.ofSeconds(30)));
      Scraper scraper = new Scraper(port);
      Await.until("the first poll", Duration.ofSeconds(30),
          () -> scraper.metrics().value("agent_workflow_database_up") == 1);
      long before = exporter.peakResidentKib();

      for (int i = 0; i < SLOW_CLIENTS; i++) { // a request that never ends
        Socket slow = new Socket("127.0.0.1", port);
        slow.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
        abusers.add(slow);
      }
      for (int i = 0; i < 20; i++) { // connected, silent
        abusers.add(new Socket("127.0.0.1", port));
      }
      for (int i = 0; i < 5; i++) {
        assertEquals("HTTP/1.1 431 Request Header Fields Too Large", hugeHeader(port));
      }
      int unknown = 0;
      for (int i = 0; i < 50; i++) {
        unknown += scraper.get("/no/such/path/" + i).statusCode() == 404 ? 1 : 0;
      }
      assertEquals(50, unknown);

      long slowest = 0;
      for (int i = 0; i < 20; i++) {
        long started = System.nanoTime();
        HttpResponse<String> response = scraper.get("/metrics");
        slowest = Math.max(slowest, System.nanoTime() - started);
        assertEquals(200, response.statusCode());
        assertTrue(response.body().contains("agent_invocation_total{"));
      }
      assertTrue(exporter.isAlive());
      long peak = exporter.peakResidentKib();
      System.out.printf("REPORT HTTP abuse: %d never-finished requests, 20 silent connections, 5 requests with 1 MB "
              + "headers (5 answered 431), 50 unknown paths (50 answered 404); 20 of 20 scrapes answered 200, slowest "
              + "%.0f ms; peak RSS %d MB before, %d MB after%n",
          SLOW_CLIENTS, slowest / 1e6, before / 1024, peak / 1024);
    } finally {
      for (Socket s : abusers) {
        s.close();
      }
    }
  }

  /** Sends a request with a 1 MB header; returns the status line of the answer. */
  private static String hugeHeader(int port) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      byte[] big = new byte[1 << 20];
      Arrays.fill(big, (byte) 'a');
      out.write("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ".getBytes(StandardCharsets.US_ASCII));
      out.write(big);
      out.write("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      return answer.substring(0, answer.indexOf("\r\n"));
    }
  }
}
