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
    /// The dated events, in the text's order.
    pub timeline: Vec<TimelineEvent>,
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

    /// How many events the timeline has and the lines they span.
    fn timeline_extent(&self) -> Option<Extent> {
        let (first, last) = (self.timeline.first()?, self.timeline.last()?);
        Some(Extent::of(
            self.timeline.len(),
            (first.line, first.col),
            last.line,
        ))
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

/// Every field [`Inference::fields`] lists, in its order.
pub const FIELDS: [&str; 16] = [
    "started_at",
    "detected_at",
    "mitigated_at",
    "resolved_at",
    "duration",
    "time_to_detect",
    "time_to_mitigate",
    "time_to_resolve",
    "severity",
    "services",
    "root_cause",
    "trigger",
    "summary",
    "impact",
    "action_items",
    "timeline",
];

impl InferredField {
    /// The name of `field` as [`InferredField::field`] holds it, if it is one of
    /// [`FIELDS`].
    pub fn field_named(field: &str) -> Option<&'static str> {
        FIELDS.iter().copied().find(|name| *name == field)
    }

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::action_item::ActionStatus;

    fn at<T>(value: T, line: u32) -> Option<Inferred<T>> {
        let text = format!("words on line {line}");
        let evidence = Evidence { line, col: 1, text };
        Some(Inferred { value, evidence })
    }

    /// An inference with every value lists every field of [`FIELDS`], in its order: what
    /// a build sets aside with a body reads back by those names.
    #[test]
    fn every_value_inferred_lists_every_field_in_order() {
        let time = DateTime::from_timestamp(1_707_555_600, 0).unwrap();
        let length = TimeDelta::minutes(45);
        let text = |s: &str| s.to_string();
        let item = ActionItem {
            title: text("Alert on errors"),
            owner: None,
            status: ActionStatus::Open,
            due: None,
            priority: None,
            url: None,
            pos: None,
        };
        let mut inference = Inference {
            started_at: at(time, 1),
            detected_at: at(time, 2),
            mitigated_at: at(time, 3),
            resolved_at: at(time, 4),
            duration: at(length, 5),
            time_to_detect: at(length, 6),
            time_to_mitigate: at(length, 7),
            time_to_resolve: at(length, 8),
            severity: at(0, 9),
            services: at(text("checkout"), 10).into_iter().collect(),
            root_cause: at(text("deploy"), 11),
            trigger: at(text("a config push"), 12),
            summary: at(text("Payments failed."), 13),
            impact: at(text("Every card payment."), 14),
            action_items: (at(item, 15).into_iter()).collect(),
            action_items_taken: None,
            timeline: vec![TimelineEvent {
                at: time,
                date_only: false,
                approximate: false,
                line: 16,
                col: 3,
                when: text("09:00"),
                text: text("payments fail"),
            }],
        };
        let config = Config::default();
        let listed = |inference: &Inference| -> Vec<&'static str> {
            (inference.fields(&config).iter())
                .map(|field| field.field)
                .collect()
        };
        assert_eq!(listed(&inference), FIELDS);
        // Taken by the incident, the action items are still listed, where they were.
        let fields = inference.fields(&config);
        assert_eq!(inference.take_action_items().len(), 1);
        assert_eq!(inference.fields(&config), fields);
    }
}
