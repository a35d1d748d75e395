package dev.agentworkflow.exporter.track;

/** What a pass over a whole table found of the rows counted from it ({@link FollowedTable#reidentify}). */
public enum Reidentified {
  /** The ids still mean the rows counted; the newest ones may have been deleted. */
  STABLE,
  /** The rows counted are there under other ids (a rebuilt table): they stay counted, never twice. */
  RENUMBERED,
  /** None of the rows counted is there: another table. */
  NOT_FOUND,
  /**
   * None of the rows counted is known by its columns any more, yet the ids did not go back: the
   * table was rewritten in place (a migration changed a column of the identity). The rows there
   * are taken as read, its running ones followed again; nothing is counted twice.
   */
  REWRITTEN
}
