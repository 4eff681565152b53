-- veto's event store (SQLite, WAL). Schema version 1: PRAGMA user_version = 1.
-- Times are nanoseconds since the epoch (UTC). One row per process image
-- (exec_id) and one per event; events.json is the exported line itself, so
-- what the store returns is what the agent (or Tetragon) wrote.

CREATE TABLE IF NOT EXISTS processes (
	id             INTEGER PRIMARY KEY, -- the store's own number: events.proc
	exec_id        TEXT NOT NULL UNIQUE,
	parent_exec_id TEXT,                -- NULL: no parent known
	node           TEXT,
	pid            INTEGER,
	uid            INTEGER,
	binary         TEXT,
	arguments      TEXT,
	cwd            TEXT,
	flags          TEXT,                -- Tetragon's: "execve rootcwd", "procFS", "clone"
	start_time     INTEGER,
	exit_time      INTEGER,             -- NULL: no exit recorded
	exit_status    INTEGER,             -- its exit code; NULL when none was recorded
	exit_signal    TEXT,                -- "SIGKILL" when a signal ended it, else NULL
	container      TEXT,                -- docker id; NULL: none
	pod            TEXT,                -- "namespace/name"; NULL: none
	namespaces     TEXT                 -- the event's process.ns as JSON; NULL: not recorded
);
CREATE INDEX IF NOT EXISTS processes_parent ON processes(parent_exec_id);
CREATE INDEX IF NOT EXISTS processes_pid ON processes(pid, start_time);
CREATE INDEX IF NOT EXISTS processes_exit ON processes(exit_time);

CREATE TABLE IF NOT EXISTS events (
	id        INTEGER PRIMARY KEY,      -- order of arrival
	time      INTEGER NOT NULL,
	type      TEXT NOT NULL,            -- process_exec, process_exit, process_kprobe,
	                                    -- process_lsm, process_tracepoint
	proc      INTEGER,                  -- processes.id of the event's process
	policy    TEXT,                     -- policy_name (policy events)
	hook      TEXT,                     -- function_name (policy events)
	arguments TEXT,                     -- the event's args array as JSON (policy events)
	action    TEXT,                     -- the event's action: KPROBE_ACTION_SIGKILL, ...
	outcome   TEXT,                     -- denied, killed, signaled, would_deny, would_kill,
	                                    -- would_signal, allowed; NULL: not a policy event
	json      TEXT NOT NULL             -- the exported line
);
CREATE INDEX IF NOT EXISTS events_time ON events(time);
CREATE INDEX IF NOT EXISTS events_proc ON events(proc, time);
