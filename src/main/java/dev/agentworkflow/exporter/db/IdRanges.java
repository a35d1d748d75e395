package dev.agentworkflow.exporter.db;

import java.util.HashSet;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The row id ranges of a read split between two connections ({@link TableReader#readRowsAfterSplit}):
 * handed out in id order to whichever reader asks next, and taken in turns, so that the chunks of a
 * range go on only after every range below it has gone on. The rows then arrive in id order, as
 * from one reader, and a read that stops half way has handed on a prefix of the rows and nothing
 * after a gap.
 */
final class IdRanges {
  /** Row ids {@code first} to {@code last}, both included; {@code turn} counts the ranges from 0. */
  record Range(long turn, long first, long last) {}

  private final long through;
  private long next;
  private boolean allGiven;
  private long given;
  private long current;
  /** Ranges without rows, done before their turn: the turn passes over them. */
  private final Set<Long> doneEarly = new HashSet<>();
  private boolean stopped;
  private OptionalLong lastHandedOn = OptionalLong.empty();

  /** The ids from {@code first} to {@code through}, both included. */
  IdRanges(long first, long through) {
    this.next = first;
    this.through = through;
    this.allGiven = first > through;
  }

  /** The next range, of at most {@code span} ids; null once every id was given out, or after {@link #stop}. */
  synchronized Range take(long span) {
    if (stopped || allGiven) {
      return null;
    }
    // unsigned: the ids left may be more than Long.MAX_VALUE; next + span - 1 then stays below through
    long last = Long.compareUnsigned(through - next, span) < 0 ? through : next + span - 1;
    Range range = new Range(given++, next, last);
    if (last == through) {
      allGiven = true;
    } else {
      next = last + 1;
    }
    return range;
  }

  /**
   * Waits until it is {@code range}'s turn to hand its rows on: every range below it is done.
   * False when the read was stopped meanwhile: nothing more is to be handed on.
   */
  synchronized boolean awaitTurn(Range range) throws InterruptedException {
    while (!stopped && current != range.turn()) {
      wait();
    }
    return !stopped;
  }

  /**
   * {@code range} has handed on all its rows, on its turn; or it had none, at any time. The turn
   * passes to the next range not yet done.
   */
  synchronized void done(Range range) {
    if (current != range.turn()) {
      doneEarly.add(range.turn());
      return;
    }
    current++;
    while (doneEarly.remove(current)) {
      current++;
    }
    notifyAll();
  }

  /** A chunk whose last row has {@code lastId} was handed on (by the range whose turn it is). */
  synchronized void handedOn(long lastId) {
    lastHandedOn = OptionalLong.of(lastId);
  }

  /** The id of the last row handed on; empty when none was. */
  synchronized OptionalLong lastHandedOn() {
    return lastHandedOn;
  }

  synchronized boolean stopped() {
    return stopped;
  }

  /** No more ranges: a reader failed or the read was interrupted. Readers waiting for their turn give up. */
  synchronized void stop() {
    stopped = true;
    notifyAll();
  }
}
