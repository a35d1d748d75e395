package dev.agentworkflow.exporter.db;

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
  private boolean stopped;

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
    long last = through - next < span ? through : next + span - 1; // no overflow near Long.MAX_VALUE
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

  /** {@code range} has handed on all its rows (call on its turn): the next range's turn. */
  synchronized void done(Range range) {
    if (current == range.turn()) {
      current++;
      notifyAll();
    }
  }

  /** No more ranges: a reader failed or the read was interrupted. Readers waiting for their turn give up. */
  synchronized void stop() {
    stopped = true;
    notifyAll();
  }
}
