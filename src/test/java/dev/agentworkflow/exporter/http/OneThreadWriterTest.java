package dev.agentworkflow.exporter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.StringWriter;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What goes through it comes out as it went in, in order, whatever the sizes of the writes. */
class OneThreadWriterTest {
  @Test
  void everythingWrittenComesOutInOrder() throws Exception {
    Random random = new Random(7);
    StringBuilder expected = new StringBuilder();
    StringWriter out = new StringWriter();
    try (OneThreadWriter writer = new OneThreadWriter(out, 16)) {
      for (int i = 0; i < 2_000; i++) {
        String text = "é語😀\\\"\n".repeat(random.nextInt(8)) + "x".repeat(random.nextInt(40));
        switch (random.nextInt(4)) {
          case 0 -> text.chars().forEach(c -> append(writer, (char) c));
          case 1 -> writer.write(text);
          case 2 -> writer.write(text.toCharArray(), 0, text.length());
          default -> writer.append(text);
        }
        expected.append(text);
      }
    }
    assertEquals(expected.toString(), out.toString());
  }

  private static void append(OneThreadWriter writer, char c) {
    try {
      writer.append(c);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
