CREATE TABLE scaffolder_tasks (
    id TEXT PRIMARY KEY,
    spec TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_heartbeat_at TEXT,
    completed_at TEXT,
    created_by TEXT NOT NULL,
    template_ref TEXT NOT NULL,
    state TEXT
);
CREATE INDEX scaffolder_tasks_created_by ON scaffolder_tasks (created_by);
CREATE INDEX scaffolder_tasks_status ON scaffolder_tasks (status);
CREATE TABLE scaffolder_task_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id TEXT NOT NULL REFERENCES scaffolder_tasks (id) ON DELETE CASCADE,
    event_type TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX scaffolder_task_events_task ON scaffolder_task_events (task_id, id);
