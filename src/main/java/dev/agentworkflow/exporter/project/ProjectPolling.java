package dev.agentworkflow.exporter.project;

import dev.agentworkflow.exporter.model.PollResult;
import dev.agentworkflow.exporter.model.ProjectPoll;
import dev.agentworkflow.exporter.model.PublishedPolls;
import dev.agentworkflow.exporter.poll.PollScheduler;
import dev.agentworkflow.exporter.poll.Poller;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls every database on a thread of its own, and publishes their latest polls together. Each
 * database has its own poller (its own connection, counts and state file) and its own schedule,
 * so one that is missing, locked, damaged or slow to read changes nothing for the others: a
 * locked one holds its own thread for the busy timeout, a first load of a large one its own
 * thread for as long as it takes. The --db-glob patterns are looked at again every
 * {@link DatabaseSources#lookEvery()} on one more thread: a database found is read from then on, one
 * no longer found is stopped (its state file written) and its series are gone from the next scrape.
 *
 * <pre>{@code
 * ProjectPolling polling = new ProjectPolling(sources, (db, count) -> newPoller(db), Duration.ofSeconds(15));
 * polling.open();   // the pollers, and the first look for the patterns' files
 * polling.start();  // the polls
 * PublishedPolls latest = polling.latest();
 * }</pre>
 */
public final class ProjectPolling implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ProjectPolling.class);

  /** Opens the poller of one database. */
  @FunctionalInterface
  public interface PollerFactory {
    /** @param databases how many databases are read with this one, which share the heap */
    Poller open(NamedDatabase database, int databases);
  }

  /** One database being read. */
  private static final class Reading {
    final NamedDatabase database;
    final Path file;
    final boolean found;
    final PollScheduler scheduler;
    /** Guarded by the polling's lock. */
    ProjectPoll latest;
    /** Counts down the first polls once: set on the first publish or on removal. */
    boolean settled;

    Reading(NamedDatabase database, boolean found, Poller poller, Duration interval, ProjectPolling polling) {
      this.database = database;
      this.file = database.file();
      this.found = found;
      this.latest = new ProjectPoll(database.project(), database.path().toString(), poller.initialResult());
      this.scheduler = new PollScheduler(poller, interval, result -> polling.publish(this, result),
          "agent-workflow-poller-" + database.project());
    }
  }

  private final DatabaseSources sources;
  private final DatabaseSearch search;
  private final PollerFactory pollers;
  private final Duration interval;
  private final Object lock = new Object();
  /** By file; guarded by {@link #lock}. */
  private final Map<Path, Reading> reading = new LinkedHashMap<>();
  /** Clashing files already said in the log; guarded by {@link #lock}. */
  private final Set<Path> clashesSaid = new HashSet<>();
  private int clashes;
  private volatile PublishedPolls latest;
  private CountDownLatch firstPolls = new CountDownLatch(0);
  private final ScheduledExecutorService looks = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "agent-workflow-db-glob");
    thread.setDaemon(true);
    return thread;
  });
  private boolean started;

  public ProjectPolling(DatabaseSources sources, PollerFactory pollers, Duration interval) {
    this.sources = sources;
    this.search = new DatabaseSearch(sources);
    this.pollers = pollers;
    this.interval = interval;
    this.latest = new PublishedPolls(List.of(), sources.labelled(), 0);
  }

  /**
   * Opens the poller of every database named and found now; nothing is polled before {@link
   * #start()}. A poller that cannot be opened (a bug) closes those opened before it.
   */
  public void open() {
    DatabaseSearch.Found found = search.look(Set.of());
    synchronized (lock) {
      try {
        for (NamedDatabase database : found.databases()) {
          add(database, !sources.named().contains(database), found.databases().size());
        }
      } catch (RuntimeException e) {
        reading.values().forEach(r -> r.scheduler.close());
        reading.clear();
        throw e;
      }
      firstPolls = new CountDownLatch(reading.size());
      noteClashes(found.clashes());
      republish();
    }
  }

  /** Starts every database's polls, and the looks for the patterns' files. */
  public void start() {
    synchronized (lock) {
      started = true;
      reading.values().forEach(r -> r.scheduler.start());
    }
    if (!sources.globs().isEmpty()) {
      long every = sources.lookEvery().toMillis();
      looks.scheduleWithFixedDelay(this::lookSafely, every, every, TimeUnit.MILLISECONDS);
    }
  }

  /** The latest poll of every database read, as one value. */
  public PublishedPolls latest() {
    return latest;
  }

  /** Whether every database read since start has finished its first poll. */
  public boolean ready() {
    return firstPolls.getCount() == 0;
  }

  /** Waits until {@link #ready()}; false on timeout. */
  public boolean awaitFirstPolls(Duration timeout) throws InterruptedException {
    return firstPolls.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Polls every database now, one after the other, and waits for it: for tests and one-shot runs. */
  public PublishedPolls pollAll() throws InterruptedException {
    List<Reading> now;
    synchronized (lock) {
      now = new ArrayList<>(reading.values());
    }
    for (Reading r : now) {
      r.scheduler.pollNow();
    }
    return latest;
  }

  /** Looks for the patterns' files now, as the scheduled looks do: for tests. */
  public void lookNow() throws InterruptedException {
    try {
      looks.submit(this::lookSafely).get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause()); // lookSafely catches everything
    }
  }

  private void lookSafely() {
    try {
      look();
    } catch (Throwable t) { // NOPMD: one escaping exception would cancel every later look
      log.error("looking for --db-glob databases failed unexpectedly; the next look will try again", t);
    }
  }

  private void look() {
    Set<Path> foundBefore = new HashSet<>();
    synchronized (lock) {
      reading.values().stream().filter(r -> r.found).forEach(r -> foundBefore.add(r.file));
    }
    DatabaseSearch.Found found = search.look(foundBefore);
    Set<Path> files = new HashSet<>();
    found.databases().forEach(db -> files.add(db.file()));
    List<Reading> gone = new ArrayList<>();
    synchronized (lock) {
      for (Reading r : List.copyOf(reading.values())) {
        if (r.found && !files.contains(r.file)) {
          reading.remove(r.file);
          settle(r);
          gone.add(r);
          log.info("{} (project {}) is no longer found by --db-glob; its series are gone", r.database.path(),
              r.database.project());
        }
      }
      for (NamedDatabase database : found.databases()) {
        if (!reading.containsKey(database.file())) {
          Reading r = add(database, true, found.databases().size());
          log.info("found {} by --db-glob; reading it as project {}", database.path(), database.project());
          if (started) {
            r.scheduler.start();
          }
        }
      }
      noteClashes(found.clashes());
      republish();
    }
    gone.forEach(r -> r.scheduler.stop());
    gone.forEach(r -> r.scheduler.close());
  }

  private Reading add(NamedDatabase database, boolean found, int databases) {
    Reading r = new Reading(database, found, pollers.open(database, databases), interval, this);
    reading.put(r.file, r);
    return r;
  }

  /** Says each clash once, while it lasts; one that ends and comes back is said again. */
  private void noteClashes(List<DatabaseSearch.Clash> now) {
    Set<Path> current = new HashSet<>();
    for (DatabaseSearch.Clash clash : now) {
      Path file = clash.path().toAbsolutePath().normalize();
      current.add(file);
      if (clashesSaid.add(file)) {
        log.warn("{} (found by --db-glob) is not read: its project name {} is taken by {}; give it a name of its "
            + "own with --db NAME=PATH", clash.path(), clash.project(), clash.takenBy());
      }
    }
    clashesSaid.retainAll(current);
    clashes = now.size();
  }

  private void publish(Reading r, PollResult result) {
    synchronized (lock) {
      if (reading.get(r.file) != r) {
        return; // stopped meanwhile: its series are gone
      }
      r.latest = new ProjectPoll(r.database.project(), r.database.path().toString(), result);
      settle(r);
      republish();
    }
  }

  private void settle(Reading r) {
    if (!r.settled) {
      r.settled = true;
      firstPolls.countDown(); // a database found after start counts down a latch already at zero
    }
  }

  private void republish() {
    List<ProjectPoll> polls = new ArrayList<>(reading.size());
    reading.values().forEach(r -> polls.add(r.latest));
    polls.sort(Comparator.comparing(ProjectPoll::project));
    latest = new PublishedPolls(polls, sources.labelled(), clashes);
  }

  /** Stops every poll and look; each poller then writes its state and closes. */
  @Override
  public void close() {
    looks.shutdownNow();
    try {
      looks.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<Reading> all;
    synchronized (lock) {
      all = new ArrayList<>(reading.values());
      reading.clear();
    }
    all.forEach(r -> r.scheduler.stop());
    all.forEach(r -> r.scheduler.close());
  }
}
