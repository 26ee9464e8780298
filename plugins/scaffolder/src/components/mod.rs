//! Components of the scaffolder UI: the JSON Schema form ([`form`]) and small shared bits.

pub mod form;

use plugin_scaffolder_common::TaskStatus;
use portal_ui::Tone;

/// Badge tone of a task or step status.
pub fn status_tone(s: TaskStatus) -> Tone {
    match s {
        TaskStatus::Completed => Tone::Success,
        TaskStatus::Failed => Tone::Danger,
        TaskStatus::Processing => Tone::Info,
        TaskStatus::Cancelled | TaskStatus::Skipped => Tone::Warning,
        TaskStatus::Open => Tone::Neutral,
    }
}

/// A short, readable timestamp (`2024-05-01 12:34:56`) from RFC 3339.
pub fn short_time(rfc3339: &str) -> String {
    let t = rfc3339.replace('T', " ");
    t.split('.')
        .next()
        .unwrap_or(&t)
        .trim_end_matches('Z')
        .to_string()
}
