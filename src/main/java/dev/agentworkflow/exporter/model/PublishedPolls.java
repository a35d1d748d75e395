package dev.agentworkflow.exporter.model;

import java.util.List;
import java.util.Optional;

/**
 * What a scrape renders: the latest poll of every database read, sorted by project, and what the
 * search for databases found but could not read. Replaced whole whenever one database publishes,
 * so every family of a scrape comes from the same set of polls.
 *
 * @param projects one per database read now, sorted by project name
 * @param labelled whether series carry {@code project}: fixed at start (two or more databases
 *     named, or a --db-glob), so that the label set of a series never changes while running
 * @param nameClashes databases a --db-glob found whose project name another database has already
 *     (not read; the log names them)
 * @param storeUp with the team's PostgreSQL store (--db postgresql://…): whether the last poll read
 *     it, false before the first; empty with files. A store that could not be read since start has
 *     no project to show it by
 */
public record PublishedPolls(List<ProjectPoll> projects, boolean labelled, int nameClashes, Optional<Boolean> storeUp) {
  public PublishedPolls {
    projects = List.copyOf(projects);
  }

  /** The polls of files. */
  public PublishedPolls(List<ProjectPoll> projects, boolean labelled, int nameClashes) {
    this(projects, labelled, nameClashes, Optional.empty());
  }

  /** The poll of an exporter of one database, read from {@code path}. */
  public static PublishedPolls one(String path, PollResult poll) {
    return new PublishedPolls(List.of(new ProjectPoll("", path, poll)), false, 0);
  }

  /** The only database's poll, for an exporter of one database. */
  public PollResult only() {
    if (projects.size() != 1) {
      throw new IllegalStateException("one database expected, there are " + projects.size());
    }
    return projects.get(0).poll();
  }
}
