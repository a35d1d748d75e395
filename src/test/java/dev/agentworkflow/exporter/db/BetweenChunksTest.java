package dev.agentworkflow.exporter.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.model.InvocationRow;
import dev.agentworkflow.exporter.support.HookDatabase;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What runs between two chunks of a read (a database waiting for its turn at large reads, while
 * fifty others load) finds no row of the chunk before it held by the read, and every row still
 * arrives once, in order.
 */
class BetweenChunksTest {
  private static final int ROWS = 500;

  @TempDir
  Path dir;

  @Test
  void aPauseBetweenTwoChunksHoldsNoRowOfTheChunkBefore() throws Exception {
    HookDatabase db = HookDatabase.create(dir.resolve("agent_workflow.db"));
    Instant t0 = Instant.parse("2026-11-30T09:00:00Z");
    db.startSession("s1", t0);
    for (int i = 0; i < ROWS; i++) {
      db.startAgent("s1", "development", "backend-developer", t0.plusSeconds(i));
    }
    TableReader<InvocationRow> reader = InvocationRows.reader(new TimestampParser(ZoneOffset.UTC));
    List<Long> ids = new ArrayList<>();
    List<WeakReference<List<InvocationRow>>> chunks = new ArrayList<>();
    List<Boolean> heldInPause = new ArrayList<>();
    try (Connection c = new WorkflowDatabase(db.path(), Duration.ofSeconds(1), 64).connection()) {
      reader.refreshSchema(c);
      long read = reader.readRowsAfter(c, OptionalLong.empty(), Long.MAX_VALUE, chunk -> {
        chunk.forEach(row -> ids.add(row.rowId()));
        chunks.add(new WeakReference<>(chunk));
      }, () -> heldInPause.add(!collected(chunks.get(chunks.size() - 1))));
      assertEquals(ROWS, read);
    }
    assertEquals(LongStream.rangeClosed(1, ROWS).boxed().toList(), ids);
    assertTrue(chunks.size() >= 2, chunks.size() + " chunks: the first chunk of a read is 100 rows");
    assertEquals(chunks.size() - 1, heldInPause.size(), "a pause between each two chunks, none after the last");
    assertEquals(List.of(), heldInPause.stream().filter(held -> held).toList(), "chunks still held in a pause");
  }

  /** Whether the chunk is gone after a few collections (an explicit one may be skipped). */
  private static boolean collected(WeakReference<?> chunk) {
    for (int i = 0; i < 10 && chunk.get() != null; i++) {
      System.gc();
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return chunk.get() == null;
  }
}
