-- agent-workflow-exporter: what the shippers and the exporter may do in the store (PostgreSQL 13+).
--
-- Run once after schema.sql, as the database's owner, once the two roles exist (docs/postgresql.md
-- makes them, each with its own password):
--   psql -v ON_ERROR_STOP=1 -d agent_workflow -f deploy/postgresql/grants.sql
--
-- agent_workflow_shipper writes rows (ship): it inserts and updates them, deletes a session row the
-- hooks replaced, adds sources, and makes its staging tables (TEMP).
-- agent_workflow_exporter reads them (--db postgresql://…): SELECT only; its sessions are read-only
-- besides (default_transaction_read_only).

GRANT CONNECT, TEMPORARY ON DATABASE agent_workflow TO agent_workflow_shipper;
GRANT CONNECT ON DATABASE agent_workflow TO agent_workflow_exporter;
GRANT USAGE ON SCHEMA public TO agent_workflow_shipper, agent_workflow_exporter;

GRANT SELECT, INSERT, UPDATE ON agent_workflow_sources, agent_invocations, agent_tool_uses TO agent_workflow_shipper;
GRANT SELECT, INSERT, UPDATE, DELETE ON sessions TO agent_workflow_shipper;

GRANT SELECT ON agent_workflow_sources, agent_invocations, agent_tool_uses, sessions,
    agent_invocations_by_project, agent_tool_uses_by_project, sessions_by_project TO agent_workflow_exporter;
ALTER ROLE agent_workflow_exporter SET default_transaction_read_only = on;
