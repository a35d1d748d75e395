-- agent-workflow-exporter: the team's shared store of agent workflow logs (PostgreSQL 13+).
--
-- `ship` copies each machine's logs/agent_workflow.db into these tables; the exporter reads them
-- with --db postgresql://... . Run once, as the database's owner:
--   psql -v ON_ERROR_STOP=1 -d agent_workflow -f deploy/postgresql/schema.sql
-- Running it again changes nothing. docs/postgresql.md has the roles and grants.
--
-- Why the tables look as they do (docs/design.md, "PostgreSQL"):
-- * A row is known by (source_id, id): the SQLite file it came from, and its id there (a session's
--   rowid: the hooks replace a resumed session's row, and the shipper does the same). A source is
--   one SQLite file of one project on one host; a file made again on that host (deleted, its ids
--   starting over) is a new epoch, so its rows never overwrite those of the file before.
-- * changed_xid is the transaction that last wrote the row, inserted_xid the one that inserted it.
--   The exporter reads what changed since its last read by changed_xid, never by id: PostgreSQL
--   makes transactions visible in commit order, not in the order they took their ids, so a cursor
--   on ids skips a row whose transaction commits after a later one was read. The exporter's cursor
--   is its last read's whole snapshot: a row changed when that snapshot did not see changed_xid
--   (the index on changed_xid serves the range from the snapshot's oldest running transaction).
-- * The columns the exporter reads hold what it reads of the SQLite file: cut as it cuts them (a
--   label past 257 characters, a timestamp past 65), and as text where SQLite may hold a number or
--   text alike (timestamps, durations), so that both exporters count the same rows the same way.
-- * Payload columns (prompt, raw_input, raw_output, tool_input, tool_output, metadata) stay NULL
--   unless the shipper runs with --ship-payloads; the two figures the metrics take from raw_output
--   are shipped always (reported_tool_uses, reported_tokens).

CREATE TABLE IF NOT EXISTS agent_workflow_sources (
    source_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project          text        NOT NULL,
    host             text        NOT NULL,
    epoch            integer     NOT NULL,
    first_shipped_at timestamptz NOT NULL DEFAULT now(),
    last_shipped_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (project, host, epoch)
);

CREATE TABLE IF NOT EXISTS sessions (
    source_id    bigint NOT NULL REFERENCES agent_workflow_sources,
    row_id       bigint NOT NULL,   -- its rowid in the SQLite file: a resumed session is a new row, and
                                    -- the run before it stays once it ended (sessions_by_project.current)
    session_id   text,
    start_time   text,
    end_time     text,
    status       text,
    cwd          text,
    metadata     text,
    inserted_xid xid8   NOT NULL DEFAULT pg_current_xact_id(),
    changed_xid  xid8   NOT NULL DEFAULT pg_current_xact_id(),
    PRIMARY KEY (source_id, row_id)
);

CREATE TABLE IF NOT EXISTS agent_invocations (
    source_id        bigint NOT NULL REFERENCES agent_workflow_sources,
    id               bigint NOT NULL,
    "timestamp"      text,
    session_id       text,
    event_type       text,
    phase            text,
    agent_name       text,
    agent_type       text,
    model            text,
    prompt           text,
    parent_agent     text,
    ticket_id        text,
    start_time       text,
    end_time         text,
    duration_seconds text,
    status           text,
    error            text,
    result_summary   text,
    raw_input        text,
    raw_output       text,
    reported_tool_uses double precision,  -- raw_output's totalToolUseCount when a JSON number
    reported_tokens    double precision,  -- raw_output's totalTokens when a JSON number
    inserted_xid     xid8   NOT NULL DEFAULT pg_current_xact_id(),
    changed_xid      xid8   NOT NULL DEFAULT pg_current_xact_id(),
    PRIMARY KEY (source_id, id)
);

CREATE TABLE IF NOT EXISTS agent_tool_uses (
    source_id           bigint NOT NULL REFERENCES agent_workflow_sources,
    id                  bigint NOT NULL,
    "timestamp"         text,
    session_id          text,
    agent_name          text,
    agent_invocation_id text,
    tool_name           text,
    tool_input          text,
    tool_output         text,
    duration_seconds    text,
    status              text,
    error               text,
    sequence_number     text,
    start_time          text,
    end_time            text,
    inserted_xid        xid8   NOT NULL DEFAULT pg_current_xact_id(),
    changed_xid         xid8   NOT NULL DEFAULT pg_current_xact_id(),
    PRIMARY KEY (source_id, id)
);

-- what changed since a transaction: the exporter's one read per table and poll
CREATE INDEX IF NOT EXISTS sessions_changed ON sessions (changed_xid);
CREATE INDEX IF NOT EXISTS agent_invocations_changed ON agent_invocations (changed_xid);
CREATE INDEX IF NOT EXISTS agent_tool_uses_changed ON agent_tool_uses (changed_xid);

-- the rows a shipper reads again each round until they finish (the exporter's counting rules)
CREATE INDEX IF NOT EXISTS agent_invocations_open ON agent_invocations (source_id, id)
    WHERE end_time IS NULL AND (status IS NULL OR lower(status) IN ('', 'started', 'running', 'pending', 'in_progress'));
CREATE INDEX IF NOT EXISTS agent_tool_uses_open ON agent_tool_uses (source_id, id)
    WHERE end_time IS NULL AND (status IS NULL OR lower(status) IN ('', 'started', 'running', 'pending', 'in_progress'));
CREATE INDEX IF NOT EXISTS sessions_open ON sessions (source_id, row_id)
    WHERE end_time IS NULL OR lower(status) = 'active';

-- the same rows with their project and host, for people's own SQL (a Grafana PostgreSQL panel)
CREATE OR REPLACE VIEW agent_invocations_by_project AS
    SELECT s.project, s.host, s.epoch, i.* FROM agent_invocations i JOIN agent_workflow_sources s USING (source_id);
CREATE OR REPLACE VIEW agent_tool_uses_by_project AS
    SELECT s.project, s.host, s.epoch, t.* FROM agent_tool_uses t JOIN agent_workflow_sources s USING (source_id);
-- a resumed session has a row per run: the file keeps the newest only (current), the store the runs before it too
CREATE OR REPLACE VIEW sessions_by_project AS
    SELECT s.project, s.host, s.epoch, x.*,
           x.row_id = max(x.row_id) OVER (PARTITION BY x.source_id, x.session_id) AS current
      FROM sessions x JOIN agent_workflow_sources s USING (source_id);
