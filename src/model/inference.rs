//! What was read from the prose of a postmortem without front matter: every value with
//! the line and words it came from ([`Evidence`]), so pages and `hindsight check` can mark
//! it as inferred and a reader can verify it. `parse::infer` fills an [`Inference`].

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::model::action_item::ActionItem;
use crate::model::config::Config;
use crate::model::time::duration;

/// Where a value was read: a position in the whole file and the words that said it. Line 0
/// means the file name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub line: u32,
    pub col: u32,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Inferred<T> {
    pub value: T,
    pub evidence: Evidence,
}

/// Everything read from one document. Empty when the text states nothing Hindsight knows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inference {
    pub started_at: Option<Inferred<DateTime<Utc>>>,
    pub detected_at: Option<Inferred<DateTime<Utc>>>,
    pub mitigated_at: Option<Inferred<DateTime<Utc>>>,
    pub resolved_at: Option<Inferred<DateTime<Utc>>>,
    /// Lengths the text states ("Duration: 45 minutes") that no stated start turned into
    /// a time: the incident's recorded durations.
    pub duration: Option<Inferred<TimeDelta>>,
    pub time_to_detect: Option<Inferred<TimeDelta>>,
    pub time_to_mitigate: Option<Inferred<TimeDelta>>,
    pub time_to_resolve: Option<Inferred<TimeDelta>>,
    /// Position in `config.severities`.
    pub severity: Option<Inferred<usize>>,
    pub services: Vec<Inferred<String>>,
    /// A category key of the site's vocabulary; or, from a "Category:" line that names
    /// none, the name as written (`parse` warns about it, as about front matter).
    pub root_cause: Option<Inferred<String>>,
    pub trigger: Option<Inferred<String>>,
    pub summary: Option<Inferred<String>>,
    pub impact: Option<Inferred<String>>,
    /// Each action item read and its line; empty once the incident took them
    /// ([`Inference::take_action_items`]).
    pub action_items: Vec<Inferred<ActionItem>>,
    /// What [`Inference::fields`] lists of the action items taken: how many, and the
    /// lines they span.
    pub action_items_taken: Option<Extent>,
    /// The dated events, in the text's order; empty once a build set them aside with the
    /// body ([`Inference::take_timeline`]), which its page reads them back from.
    pub timeline: Vec<TimelineEvent>,
    /// What [`Inference::fields`] lists of a timeline taken away: how many events, and
    /// the lines they span.
    pub timeline_taken: Option<Extent>,
}

/// How many entries a list read from the text has and where they are: what the inferred
/// values list of it ("10 events", lines 12–30).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extent {
    pub count: usize,
    pub line: u32,
    pub col: u32,
    pub last_line: u32,
}

impl Extent {
    /// The extent of the entries from `first` to `last` (`count` of them), where each one
    /// is written.
    fn of(count: usize, first: (u32, u32), last_line: u32) -> Extent {
        Extent {
            count,
            line: first.0,
            col: first.1,
            last_line,
        }
    }
}

/// One inferred value as pages and `check` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InferredField {
    /// The front matter field it would be.
    pub field: &'static str,
    /// The value, shown as the site shows it ("2024-02-10 09:00 UTC", "caching").
    pub value: String,
    pub line: u32,
    pub col: u32,
    /// The words it was read from, or for lists, which lines.
    pub evidence: String,
}

/// One dated event of a timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEvent {
    pub at: DateTime<Utc>,
    /// Only a day was given ("Apr 10 – Apr 16"): `at` is its midnight.
    pub date_only: bool,
    /// The minutes were left out ("14:??"): `at` is the start of the hour.
    pub approximate: bool,
    /// The line in the whole file, and the column of the time.
    pub line: u32,
    pub col: u32,
    /// The time as written.
    pub when: String,
    /// What happened: the rest of the entry.
    pub text: String,
}

impl Inference {
    pub fn is_empty(&self) -> bool {
        *self == Inference::default()
    }

    /// The timeline's events, leaving their extent ([`Inference::timeline_taken`]): a
    /// build that sets a body aside sets these aside with it, so that 10,000 prose
    /// postmortems do not hold every timeline from parsing to their pages.
    pub fn take_timeline(&mut self) -> Vec<TimelineEvent> {
        if let Some(extent) = self.timeline_extent() {
            self.timeline_taken = Some(extent);
        }
        std::mem::take(&mut self.timeline)
    }

    /// How many events the timeline has and the lines they span, whether its events are
    /// here or were taken.
    pub fn timeline_extent(&self) -> Option<Extent> {
        match (self.timeline.first(), self.timeline.last()) {
            (Some(first), Some(last)) => Some(Extent::of(
                self.timeline.len(),
                (first.line, first.col),
                last.line,
            )),
            _ => self.timeline_taken,
        }
    }

    /// The action items read, leaving their extent ([`Inference::action_items_taken`]):
    /// parsing gives them to the incident (`Incident::action_items`), which holds them
    /// once; what pages, `check` and `import` read of them here after that is how many
    /// there are and which lines they span.
    pub fn take_action_items(&mut self) -> Vec<ActionItem> {
        if let Some(extent) = self.action_items_extent() {
            self.action_items_taken = Some(extent);
        }
        let items = std::mem::take(&mut self.action_items);
        items.into_iter().map(|item| item.value).collect()
    }

    /// How many action items were read and the lines they span, whether they are here or
    /// were taken.
    pub fn action_items_extent(&self) -> Option<Extent> {
        match (self.action_items.first(), self.action_items.last()) {
            (Some(first), Some(last)) => Some(Extent::of(
                self.action_items.len(),
                (first.evidence.line, first.evidence.col),
                last.evidence.line,
            )),
            _ => self.action_items_taken,
        }
    }

    /// The inferred values as pages and `check` list them, times shown in `tz`.
    pub fn fields(&self, config: &Config) -> Vec<InferredField> {
        let mut fields = Vec::new();
        self.time_fields(config.tz(), &mut fields);
        self.length_fields(&mut fields);
        self.value_fields(config, &mut fields);
        self.list_fields(&mut fields);
        fields
    }

    /// The four times, shown in the site's timezone.
    fn time_fields(&self, tz: Tz, fields: &mut Vec<InferredField>) {
        for (field, value) in [
            ("started_at", &self.started_at),
            ("detected_at", &self.detected_at),
            ("mitigated_at", &self.mitigated_at),
            ("resolved_at", &self.resolved_at),
        ] {
            if let Some(v) = value {
                let time = v
                    .value
                    .with_timezone(&tz)
                    .format("%Y-%m-%d %H:%M %Z")
                    .to_string();
                fields.push(InferredField::new(field, time, &v.evidence));
            }
        }
    }

    /// The lengths kept as recorded durations, shown as front matter would write them.
    fn length_fields(&self, fields: &mut Vec<InferredField>) {
        for (field, value) in self.lengths() {
            if let Some(v) = value {
                fields.push(InferredField::new(
                    field,
                    duration::show(v.value),
                    &v.evidence,
                ));
            }
        }
    }

    /// The recorded lengths by front matter field name.
    pub fn lengths(&self) -> [(&'static str, &Option<Inferred<TimeDelta>>); 4] {
        [
            ("duration", &self.duration),
            ("time_to_detect", &self.time_to_detect),
            ("time_to_mitigate", &self.time_to_mitigate),
            ("time_to_resolve", &self.time_to_resolve),
        ]
    }

    /// Severity, services, root cause and the texts, each value with its own evidence.
    fn value_fields(&self, config: &Config, fields: &mut Vec<InferredField>) {
        if let Some(v) = &self.severity {
            let key = config.severities[v.value].key.clone();
            fields.push(InferredField::new("severity", key, &v.evidence));
        }
        for v in &self.services {
            fields.push(InferredField::new("services", v.value.clone(), &v.evidence));
        }
        if let Some(v) = &self.root_cause {
            fields.push(InferredField::new(
                "root_cause",
                v.value.clone(),
                &v.evidence,
            ));
        }
        for (field, value) in [
            ("trigger", &self.trigger),
            ("summary", &self.summary),
            ("impact", &self.impact),
        ] {
            if let Some(v) = value {
                fields.push(InferredField::new(field, v.value.clone(), &v.evidence));
            }
        }
    }

    /// The action items and the timeline, each as a count with the lines it spans.
    fn list_fields(&self, fields: &mut Vec<InferredField>) {
        for (field, noun, extent) in [
            ("action_items", "item", self.action_items_extent()),
            ("timeline", "event", self.timeline_extent()),
        ] {
            if let Some(extent) = extent {
                let count = extent.count;
                fields.push(InferredField::new(
                    field,
                    format!("{count} {noun}{}", if count == 1 { "" } else { "s" }),
                    &Evidence {
                        line: extent.line,
                        col: extent.col,
                        text: lines(extent.line, extent.last_line),
                    },
                ));
            }
        }
    }
}

impl InferredField {
    /// One field with its value as shown, at the position of its evidence.
    fn new(field: &'static str, value: String, evidence: &Evidence) -> InferredField {
        InferredField {
            field,
            value,
            line: evidence.line,
            col: evidence.col,
            evidence: evidence.text.clone(),
        }
    }
}

/// "line 4", or "lines 4–9" for a list that spans several.
fn lines(first: u32, last: u32) -> String {
    if first == last {
        format!("line {first}")
    } else {
        format!("lines {first}–{last}")
    }
}
