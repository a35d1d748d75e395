package dev.agentworkflow.exporter.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A kept gzip beginning and a fresh end make one gzip member that any reader takes whole. */
class GzipJoinTest {
  private static byte[] text(Random random, int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) "agent_invocation_total{agent_name=\"x\",} 12.0\n".charAt(random.nextInt(44));
    }
    return bytes;
  }

  private static byte[] gunzip(byte[] gzipped) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
      return in.readAllBytes();
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  @ParameterizedTest
  @CsvSource({"0,0", "0,5000", "1,1", "5000,0", "65536,9000", "1200000,7000", "3,16384"})
  void theJoinedMemberGunzipsToBothPartsInOrder(int startLength, int endLength) throws IOException {
    Random random = new Random(startLength * 31L + endLength);
    byte[] start = text(random, startLength);
    byte[] end = text(random, endLength);
    GzipJoin.Start kept = GzipJoin.start(start);
    assertArrayEquals(concat(start, end), gunzip(GzipJoin.join(kept, end)));
    byte[] other = text(random, 300);
    assertArrayEquals(concat(start, other), gunzip(GzipJoin.join(kept, other)), "the kept beginning serves again");
  }

  /** Written as a stream in chunks of any size, the beginning is the same member; inflated, it is the plain bytes. */
  @ParameterizedTest
  @CsvSource({"0,0", "1,1", "5000,7", "65536,9000", "1200000,7000", "3000000,1"})
  void aBeginningWrittenAsAStreamJoinsAndInflatesToThePlainBytes(int startLength, int endLength) throws IOException {
    Random random = new Random(startLength * 17L + endLength);
    byte[] start = text(random, startLength);
    byte[] end = text(random, endLength);
    GzipJoin.StartWriter writer = new GzipJoin.StartWriter();
    for (int at = 0; at < start.length; ) {
      int chunk = Math.min(start.length - at, random.nextInt(20_000) + 1);
      if (chunk == 1) {
        writer.write(start[at]);
      } else {
        writer.write(start, at, chunk);
      }
      at += chunk;
    }
    GzipJoin.Start kept = writer.finish();
    assertEquals(start.length, kept.length());
    assertArrayEquals(concat(start, end), gunzip(GzipJoin.join(kept, end)));
    assertArrayEquals(concat(start, end), GzipJoin.plain(kept, end));
    // random text of 44 characters deflates to about 70%: kept deflated, not plain
    assertTrue(startLength < 65536 || kept.deflated().length < startLength * 0.8, kept.deflated().length + " bytes");
  }

  /** The gzip command checks the CRC and the length in the trailer, as Prometheus's Go reader does. */
  @Test
  void theGzipCommandAcceptsItsCrcAndLength(@TempDir Path dir) throws Exception {
    Random random = new Random(5);
    byte[] start = text(random, 700_000);
    byte[] end = "jvm_threads_current 21.0\n# EOF\n".getBytes(StandardCharsets.UTF_8);
    Path file = Files.write(dir.resolve("metrics.gz"), GzipJoin.join(GzipJoin.start(start), end));
    Process gzip = new ProcessBuilder("gzip", "-dc", file.toString()).redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    byte[] out = gzip.getInputStream().readAllBytes();
    assertEquals(0, gzip.waitFor());
    assertArrayEquals(concat(start, end), out);
  }

  @Test
  void combinedCrcsAreTheCrcOfTheConcatenation() {
    Random random = new Random(11);
    for (int i = 0; i < 200; i++) {
      byte[] a = text(random, random.nextInt(3000));
      byte[] b = text(random, i == 0 ? 0 : random.nextInt(3000));
      assertEquals(crc(concat(a, b)), GzipJoin.combine(crc(a), crc(b), b.length), "lengths " + a.length + ", " + b.length);
    }
  }

  private static int crc(byte[] bytes) {
    CRC32 crc = new CRC32();
    crc.update(bytes);
    return (int) crc.getValue();
  }
}
