"""A workflow as the tests see it: writes N agent invocations to logs/agent_workflow.db the way
the hooks do (Python's sqlite3, one connection per statement, default rollback journal),
each inserted as 'started' and updated to 'completed' a moment later."""
import sqlite3, datetime, time, sys
n = int(sys.argv[1])
def conn():
    return sqlite3.connect('logs/agent_workflow.db', timeout=5)
c = conn()
c.execute("""CREATE TABLE IF NOT EXISTS agent_invocations (id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp TIMESTAMP, session_id TEXT, event_type TEXT, phase TEXT, agent_name TEXT, agent_type TEXT, model TEXT, prompt TEXT, parent_agent TEXT, ticket_id TEXT, start_time TIMESTAMP, end_time TIMESTAMP, duration_seconds REAL, status TEXT, error TEXT, result_summary TEXT, raw_input JSON, raw_output JSON)""")
c.commit(); c.close()
for i in range(n):
    now = datetime.datetime.now().isoformat()
    c = conn()
    cur = c.execute("INSERT INTO agent_invocations (timestamp, session_id, event_type, phase, agent_name, agent_type, prompt, start_time, status, raw_input) VALUES (?, 'ci', 'pre_invocation', 'development', 'backend-developer', 'backend-developer', 'p', ?, 'started', '{}')", (now, now))
    rid = cur.lastrowid; c.commit(); c.close()
    time.sleep(0.05)
    c = conn()
    c.execute("UPDATE agent_invocations SET end_time = ?, status = 'completed', raw_output = '{}', duration_seconds = ?, model = ? WHERE id = ?", (datetime.datetime.now().isoformat(), 0.05, 'claude-sonnet-4-5', rid))
    c.commit(); c.close()
