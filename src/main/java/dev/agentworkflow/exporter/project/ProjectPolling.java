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
import java.util.concurrent.ExecutionException;
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
 * thread for as long as it takes. Large reads of many databases take turns, one per core, handed
 * on every 100 ms ({@link dev.agentworkflow.exporter.poll.LoadTurns}): a large first load shares the
 * cores with the others' first loads and never holds up a steady poll. The --db-glob patterns are looked at again every
 * {@link DatabaseSources#lookEvery()} on one more thread: a database found is read from then on, one
 * no longer found is stopped (its state file written) and its series are gone from the next scrape.
 *
 * <p>One lock guards which databases are read and what is published. It is held only for moves of
 * references: opening a poller (which may read a large state file) and stopping one happen outside
 * it, so a look never holds up another database's publishing.
 *
 * <pre>{@code
 * ProjectPolling polling = new ProjectPolling(sources, (db, count) -> newPoller(db), Duration.ofSeconds(15));
 * polling.open();   // the pollers, and the first look for the patterns' files
 * polling.start();  // the polls
 * PublishedPolls latest = polling.latest();
 * }</pre>
 */
public final class ProjectPolling implements WorkflowPolling {
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
    final boolean fromGlob;
    final PollScheduler<PollResult> scheduler;
    /** Guarded by the polling's lock. */
    ProjectPoll latest;
    /** Counted down the first polls: set on the first publish or on removal; guarded by the lock. */
    boolean settled;

    Reading(NamedDatabase database, boolean fromGlob, Poller poller, Duration interval, ProjectPolling polling) {
      this.database = database;
      this.file = database.file();
      this.fromGlob = fromGlob;
      this.latest = new ProjectPoll(database.project(), database.path().toString(), poller.initialResult());
      this.scheduler = new PollScheduler<>(poller, interval, result -> polling.publish(this, result),
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
  /** Clashing files and unreadable folders already said in the log; guarded by {@link #lock}. */
  private final Set<Path> clashesSaid = new HashSet<>();
  private final Set<Path> unreadableSaid = new HashSet<>();
  private int clashes;
  /** Guarded by {@link #lock}: once set, nothing is added, started or published. */
  private boolean closed;
  private boolean started;
  private volatile PublishedPolls latest;
  private volatile CountDownLatch firstPolls = new CountDownLatch(1);
  private final ScheduledExecutorService looks = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "agent-workflow-db-glob");
    thread.setDaemon(true);
    return thread;
  });

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
  @Override
  public void open() {
    DatabaseSearch.Found found = search.look(List.of());
    if (!sources.globs().isEmpty() && found.databases().size() == sources.named().size()) {
      log.warn("--db-glob finds no database now ({}); it is looked at again every {}s",
          String.join(", ", sources.globs().stream().map(DatabaseGlob::pattern).toList()),
          sources.lookEvery().toSeconds());
    }
    List<Reading> opened = new ArrayList<>();
    try {
      for (NamedDatabase database : found.databases()) {
        opened.add(open(database, !sources.named().contains(database), found.databases().size()));
      }
    } catch (RuntimeException e) {
      opened.forEach(r -> r.scheduler.close());
      throw e;
    }
    synchronized (lock) {
      opened.forEach(r -> reading.put(r.file, r));
      firstPolls = new CountDownLatch(opened.size());
      noteProblems(found);
      republish();
    }
  }

  /** Starts every database's polls, and the looks for the patterns' files. */
  @Override
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
  @Override
  public PublishedPolls latest() {
    return latest;
  }

  /** Whether every database read since start has finished its first poll; false before {@link #open()}. */
  @Override
  public boolean ready() {
    return firstPolls.getCount() == 0;
  }

  /** Waits until {@link #ready()}; false on timeout. */
  @Override
  public boolean awaitFirstPolls(Duration timeout) throws InterruptedException {
    return firstPolls.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Polls every database now, one after the other, and waits for it: for tests and one-shot runs. */
  @Override
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
  @Override
  public void lookNow() throws InterruptedException {
    try {
      looks.submit(this::lookSafely).get();
    } catch (ExecutionException e) {
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

  /** What changed since the last look, decided under the lock; pollers opened and stopped outside it. */
  private void look() {
    List<NamedDatabase> foundBefore = new ArrayList<>();
    synchronized (lock) {
      reading.values().stream().filter(r -> r.fromGlob).forEach(r -> foundBefore.add(r.database));
    }
    DatabaseSearch.Found found = search.look(foundBefore);
    Set<Path> files = new HashSet<>();
    found.databases().forEach(db -> files.add(db.file()));
    List<Reading> gone = new ArrayList<>();
    List<Reading> dropped = new ArrayList<>();
    List<NamedDatabase> added = new ArrayList<>();
    synchronized (lock) {
      if (closed) {
        return;
      }
      for (Reading r : List.copyOf(reading.values())) {
        if (r.fromGlob && !files.contains(r.file)) {
          reading.remove(r.file);
          settle(r);
          gone.add(r);
        }
      }
      found.databases().stream().filter(db -> !reading.containsKey(db.file())).forEach(added::add);
      noteProblems(found);
      republish();
    }
    try {
      for (NamedDatabase database : added) {
        Reading r = open(database, true, found.databases().size());
        synchronized (lock) {
          if (closed) {
            dropped.add(r);
            break;
          }
          reading.put(r.file, r);
          r.settled = true; // found after start: /-/ready does not wait for it
          republish();
          if (started) {
            r.scheduler.start();
          }
        }
        log.info("found {} by --db-glob; reading it as project {}", database.path(), database.project());
      }
    } finally {
      for (Reading r : gone) {
        log.info("{} (project {}) is no longer found by --db-glob; its series are gone", r.database.path(),
            r.database.project());
      }
      gone.addAll(dropped);
      gone.forEach(r -> r.scheduler.stop());
      gone.forEach(r -> r.scheduler.close());
    }
  }

  private Reading open(NamedDatabase database, boolean fromGlob, int databases) {
    return new Reading(database, fromGlob, pollers.open(database, databases), interval, this);
  }

  /** Says each clash and each folder that could not be listed once, while it lasts; one that comes back is said again. */
  private void noteProblems(DatabaseSearch.Found found) {
    Set<Path> current = new HashSet<>();
    for (DatabaseSearch.Clash clash : found.clashes()) {
      Path file = clash.path().toAbsolutePath().normalize();
      current.add(file);
      if (clashesSaid.add(file)) {
        log.warn("{} (found by --db-glob) is not read: its project name {} is taken by {}; give it a name of its "
            + "own with --db NAME=PATH", clash.path(), clash.project(), clash.takenBy());
      }
    }
    clashesSaid.retainAll(current);
    clashes = found.clashes().size();
    for (Path folder : found.unreadable()) {
      if (unreadableSaid.add(folder)) {
        log.warn("--db-glob cannot list {}: databases below it are neither found nor given up (the exporter's user "
            + "must be allowed to list it)", folder);
      }
    }
    unreadableSaid.retainAll(found.unreadable());
  }

  private void publish(Reading r, PollResult result) {
    synchronized (lock) {
      if (closed || reading.get(r.file) != r) {
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
      firstPolls.countDown();
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
    List<Reading> all;
    synchronized (lock) {
      closed = true; // a look that is still running adds nothing from now on
      all = new ArrayList<>(reading.values());
    }
    looks.shutdownNow();
    all.forEach(r -> r.scheduler.stop());
    all.forEach(r -> r.scheduler.close());
    try {
      looks.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
