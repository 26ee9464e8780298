//! Pure state of the run page: per-step status and the log, folded from task events.

use plugin_scaffolder_common::{EventType, SerializedTask, TaskEvent, TaskStatus};
use serde_json::Value;

/// One step as the run page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct StepView {
    /// Step id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Current status.
    pub status: TaskStatus,
}

/// Everything the run page renders, folded from the task and its events.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunState {
    /// Steps in order.
    pub steps: Vec<StepView>,
    /// Log lines: `(step id, message)`.
    pub log: Vec<(Option<String>, String)>,
    /// Task status.
    pub status: Option<TaskStatus>,
    /// Task output (from the completion event or the stored state).
    pub output: Option<Value>,
    /// The failure message of a failed run.
    pub error: Option<String>,
    /// Id of the last event seen (for `after=`).
    pub last_event: i64,
    /// A completion event was seen (and nothing after it).
    pub finished: bool,
}

impl RunState {
    /// Start from a task: steps from its spec and stored state.
    pub fn from_task(task: &SerializedTask) -> Self {
        let steps = task
            .spec
            .steps
            .iter()
            .map(|s| StepView {
                id: s.id.clone(),
                name: s.name.clone(),
                status: task
                    .state
                    .as_ref()
                    .and_then(|st| st.steps.get(&s.id))
                    .and_then(|v| v["status"].as_str())
                    .and_then(TaskStatus::parse)
                    .unwrap_or(TaskStatus::Open),
            })
            .collect();
        Self {
            steps,
            status: Some(task.status),
            output: task.state.as_ref().and_then(|s| s.output.clone()),
            ..Default::default()
        }
    }

    /// Fold events in (in order).
    pub fn apply(&mut self, events: &[TaskEvent]) {
        for e in events {
            if e.id <= self.last_event {
                continue;
            }
            self.last_event = e.id;
            self.finished = false;
            match e.event_type {
                EventType::Completion => {
                    self.finished = true;
                    self.status = e.body.status.or(self.status);
                    if e.body.output.is_some() {
                        self.output = e.body.output.clone();
                    }
                    self.error = e
                        .body
                        .error
                        .as_ref()
                        .and_then(|x| x["message"].as_str())
                        .map(str::to_string);
                    self.log.push((None, e.body.message.clone()));
                }
                EventType::Cancelled | EventType::Recovered | EventType::Log => {
                    if let (Some(step), Some(status)) = (&e.body.step_id, e.body.status) {
                        if let Some(s) = self.steps.iter_mut().find(|s| &s.id == step) {
                            s.status = status;
                        }
                    }
                    if e.event_type == EventType::Log
                        && e.body.message.starts_with("Task retried by")
                    {
                        for s in &mut self.steps {
                            s.status = TaskStatus::Open;
                        }
                        self.status = Some(TaskStatus::Processing);
                        self.output = None;
                        self.error = None;
                    } else if e.body.step_id.is_some() && self.status == Some(TaskStatus::Open) {
                        self.status = Some(TaskStatus::Processing);
                    }
                    self.log
                        .push((e.body.step_id.clone(), e.body.message.clone()));
                }
            }
        }
    }

    /// Whether the run can still change.
    pub fn is_live(&self) -> bool {
        !self.finished && !self.status.is_some_and(|s| s.is_final())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plugin_scaffolder_common::{EventBody, TaskSpec, TaskStep};

    fn ev(
        id: i64,
        t: EventType,
        step: Option<&str>,
        status: Option<TaskStatus>,
        msg: &str,
    ) -> TaskEvent {
        TaskEvent {
            id,
            task_id: "t".into(),
            event_type: t,
            created_at: String::new(),
            body: EventBody {
                message: msg.into(),
                step_id: step.map(str::to_string),
                status,
                ..Default::default()
            },
        }
    }

    #[test]
    fn should_fold_events_into_step_status_and_log() {
        let task = SerializedTask {
            id: "t".into(),
            spec: TaskSpec {
                steps: vec![
                    TaskStep {
                        id: "a".into(),
                        name: "A".into(),
                        action: "x".into(),
                        ..Default::default()
                    },
                    TaskStep {
                        id: "b".into(),
                        name: "B".into(),
                        action: "x".into(),
                        ..Default::default()
                    },
                ],
                ..Default::default()
            },
            status: TaskStatus::Open,
            created_at: String::new(),
            last_heartbeat_at: None,
            created_by: None,
            state: None,
        };
        let mut s = RunState::from_task(&task);
        s.apply(&[
            ev(
                1,
                EventType::Log,
                Some("a"),
                Some(TaskStatus::Processing),
                "Beginning step A",
            ),
            ev(2, EventType::Log, Some("a"), None, "hello"),
            ev(
                3,
                EventType::Log,
                Some("a"),
                Some(TaskStatus::Completed),
                "Finished step A",
            ),
            ev(
                4,
                EventType::Log,
                Some("b"),
                Some(TaskStatus::Skipped),
                "Skipping step B",
            ),
        ]);
        assert_eq!(s.status, Some(TaskStatus::Processing));
        assert_eq!(s.steps[0].status, TaskStatus::Completed);
        assert_eq!(s.steps[1].status, TaskStatus::Skipped);
        assert_eq!(s.log.len(), 4);
        assert!(s.is_live());
        let mut done = ev(
            5,
            EventType::Completion,
            None,
            Some(TaskStatus::Completed),
            "Run completed",
        );
        done.body.output = Some(serde_json::json!({"links": []}));
        s.apply(&[done.clone(), done]);
        assert_eq!(s.log.len(), 5, "events are applied once");
        assert_eq!(s.status, Some(TaskStatus::Completed));
        assert!(!s.is_live());
        assert_eq!(s.last_event, 5);
    }
}
