package dev.agentworkflow.exporter.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The ranges of a split read cover every id once, in order, and their turns come in that order. */
class IdRangesTest {
  @Test
  void rangesCoverEveryIdOnceInOrder() {
    IdRanges ranges = new IdRanges(5, 30);
    List<IdRanges.Range> taken = new ArrayList<>();
    long[] spans = {10, 3, 100};
    for (int i = 0; ; i++) {
      IdRanges.Range range = ranges.take(spans[i % spans.length]);
      if (range == null) {
        break;
      }
      taken.add(range);
    }
    assertEquals(List.of(new IdRanges.Range(0, 5, 14), new IdRanges.Range(1, 15, 17), new IdRanges.Range(2, 18, 30)),
        taken);
    assertNull(ranges.take(10));
  }

  @Test
  void rangesEndAtTheLargestIdWithoutOverflowing() {
    IdRanges ranges = new IdRanges(Long.MAX_VALUE - 5, Long.MAX_VALUE);
    assertEquals(new IdRanges.Range(0, Long.MAX_VALUE - 5, Long.MAX_VALUE - 2), ranges.take(4));
    assertEquals(new IdRanges.Range(1, Long.MAX_VALUE - 1, Long.MAX_VALUE), ranges.take(Long.MAX_VALUE));
    assertNull(ranges.take(4));
    assertNull(new IdRanges(10, 9).take(4), "nothing to read");
  }

  @Test
  void aRangeWaitsForTheTurnsOfTheRangesBelowIt() throws Exception {
    IdRanges ranges = new IdRanges(1, 100);
    IdRanges.Range first = ranges.take(10);
    IdRanges.Range second = ranges.take(10);
    CompletableFuture<Boolean> secondsTurn = CompletableFuture.supplyAsync(() -> awaitTurn(ranges, second));
    assertTrue(ranges.awaitTurn(first));
    Thread.sleep(100);
    assertFalse(secondsTurn.isDone(), "the second range went before the first was done");
    ranges.done(first);
    assertTrue(secondsTurn.get(5, TimeUnit.SECONDS));
  }

  @Test
  void aRangeWithoutRowsIsPassedOverWhenItsTurnComes() throws Exception {
    IdRanges ranges = new IdRanges(1, 100);
    IdRanges.Range first = ranges.take(10);
    IdRanges.Range empty = ranges.take(10);
    IdRanges.Range third = ranges.take(10);
    ranges.done(empty); // before its turn: it had nothing to hand on
    assertTrue(ranges.awaitTurn(first));
    ranges.handedOn(10);
    ranges.done(first);
    assertTrue(CompletableFuture.supplyAsync(() -> awaitTurn(ranges, third)).get(5, TimeUnit.SECONDS));
    assertEquals(java.util.OptionalLong.of(10), ranges.lastHandedOn());
  }

  @Test
  void rangesOfMoreIdsThanALongCountsAreStillSmall() {
    IdRanges ranges = new IdRanges(Long.MIN_VALUE, Long.MAX_VALUE);
    assertEquals(new IdRanges.Range(0, Long.MIN_VALUE, Long.MIN_VALUE + 99), ranges.take(100));
  }

  @Test
  void aStopEndsTheWaitAndTheRanges() throws Exception {
    IdRanges ranges = new IdRanges(1, 100);
    ranges.take(10);
    IdRanges.Range second = ranges.take(10);
    CompletableFuture<Boolean> secondsTurn = CompletableFuture.supplyAsync(() -> awaitTurn(ranges, second));
    Thread.sleep(50);
    ranges.stop();
    assertFalse(secondsTurn.get(5, TimeUnit.SECONDS), "a stopped read hands nothing more on");
    assertNull(ranges.take(10));
  }

  private static boolean awaitTurn(IdRanges ranges, IdRanges.Range range) {
    try {
      return ranges.awaitTurn(range);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
