//! The [`Incident`]: one postmortem with typed fields, and the values derived from them
//! (duration, time to detect, ..., the day it started), which are methods and never stored
//! twice. `parse::incident` makes one from a content file.
//!
//! Two kinds of value stand in where timestamps are missing, and each says so: durations
//! recorded as values ([`Recorded`], `duration: 45m`), used when the timestamps do not give
//! the span ([`Measured::recorded`]), and the date in the file name ([`DateHint`]), used
//! when no start is recorded.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::model::action_item::ActionItem;
use crate::model::diagnostics::Pos;
use crate::model::field::Field;
use crate::model::inference::{Inference, TimelineEvent};
use crate::model::time::zone::Zone;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Draft,
    Review,
    Final,
}

/// One postmortem with typed fields. Derived values are methods, never stored twice.
#[derive(Debug, Clone)]
pub struct Incident {
    /// The content file, relative to the site root.
    pub source: String,
    pub slug: String,
    pub title: String,
    /// False for prose-only documents: their metadata is unknown, not absent, or inferred.
    pub has_front_matter: bool,
    /// For a document without front matter, what was read from its prose and where
    /// (`None` when nothing was). The fields above hold the inferred values.
    pub inferred: Option<Box<Inference>>,
    /// The review state; `Final` when none is recorded, as most archives hold only
    /// finished postmortems (`status_recorded` tells which).
    pub status: Status,
    /// Whether the file records a status; pages say "not recorded" rather than "final".
    pub status_recorded: bool,
    /// Position in `config.severities` (0 is the worst).
    pub severity: Option<usize>,
    /// The recorded start: what the front matter (or the prose) states, never a guess.
    pub started_at: Option<DateTime<Utc>>,
    pub detected_at: Option<DateTime<Utc>>,
    pub mitigated_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// The timestamps written as a day alone (`started_at: 2024-03-02`): pages show them
    /// without a time of day, which the postmortem never gave.
    pub day_only: Vec<Field>,
    /// Durations the postmortem records as values.
    pub recorded: Recorded,
    /// When no start is recorded: the date the file name gives (`2020-06-13-dns.md`,
    /// `PM2019-009.md`), marked as such wherever it is shown.
    pub date_hint: Option<DateHint>,
    /// Service names as written (registry spelling when registered).
    pub services: Vec<String>,
    /// Root-cause categories, primary first (vocabulary keys when known).
    pub root_causes: Vec<String>,
    pub trigger: Option<String>,
    pub tags: Vec<String>,
    pub authors: Vec<String>,
    pub summary: Option<String>,
    pub impact: Option<String>,
    pub detection: Option<String>,
    pub action_items: Vec<ActionItem>,
    pub related: Vec<String>,
    /// The dated entries of the body's timeline section, as `check::lint_file` read them
    /// (empty until then). An incident whose metadata was inferred has its timeline in
    /// `inferred` instead; [`Incident::timeline`] gives either.
    pub body_timeline: Vec<TimelineEvent>,
    /// Front matter fields Hindsight does not know, for templates.
    pub extra: BTreeMap<String, serde_json::Value>,
    pub body: Rendered,
    /// Where fields checked across files were written, for diagnostics.
    pub positions: FieldPositions,
}

/// Positions of the fields whose problems are only found across files, and what the
/// content lints (`check.rs`) need to know about the file.
#[derive(Debug, Clone, Default)]
pub struct FieldPositions {
    pub slug: Option<Pos>,
    /// One per entry of `related`.
    pub related: Vec<Pos>,
    /// The canonical fields the front matter sets (under any accepted name).
    pub present: Vec<Field>,
    /// The zone the front matter's times were written in, when one names it by name
    /// (`Denver`, `PDT`, `UTC`): the body's timeline is read in it.
    pub zone: Option<Zone>,
    /// The line of the file the Markdown body starts on, and its byte offset in the
    /// file's text (BOM removed, line endings normalized).
    pub body_line: u32,
    pub body_offset: usize,
    /// Relative links to other Markdown files: the target's path from the site root, and
    /// where the link is written. Filled by `check::lint_file`.
    pub links: Vec<(String, Pos)>,
}

/// Durations recorded as values (`duration: 45m`, `time_to_detect: 5m`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recorded {
    pub duration: Option<TimeDelta>,
    pub time_to_detect: Option<TimeDelta>,
    pub time_to_mitigate: Option<TimeDelta>,
    pub time_to_resolve: Option<TimeDelta>,
}

/// The spans an incident is measured by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Duration,
    TimeToDetect,
    TimeToMitigate,
    TimeToResolve,
}

/// A span, and whether it was recorded as a value rather than computed from timestamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measured {
    pub value: TimeDelta,
    pub recorded: bool,
}

/// A date read from the file name: a day (`2020-06-13-…`), or a year alone (`PM2019-009`),
/// which claims no month and no day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateHint {
    Day(NaiveDate),
    Year(i32),
}

impl Incident {
    /// The span `measure` names: from the timestamps when they give it, else as recorded.
    /// The duration and the time to resolve are the same span (resolved − started), so
    /// either recorded value stands for the other.
    pub fn measured(&self, measure: Measure) -> Option<Measured> {
        let recorded = &self.recorded;
        let (computed, value) = match measure {
            Measure::Duration => (
                self.computed(measure),
                recorded.duration.or(recorded.time_to_resolve),
            ),
            Measure::TimeToResolve => (
                self.computed(measure),
                recorded.time_to_resolve.or(recorded.duration),
            ),
            Measure::TimeToDetect => (self.computed(measure), recorded.time_to_detect),
            Measure::TimeToMitigate => (self.computed(measure), recorded.time_to_mitigate),
        };
        let as_measured = |value, recorded| Measured { value, recorded };
        computed
            .map(|value| as_measured(value, false))
            .or_else(|| value.map(|value| as_measured(value, true)))
    }

    /// The span `measure` names as the timestamps give it; `None` when either end is
    /// missing or the order is impossible.
    pub fn computed(&self, measure: Measure) -> Option<TimeDelta> {
        let end = match measure {
            Measure::Duration | Measure::TimeToResolve => self.resolved_at,
            Measure::TimeToDetect => self.detected_at,
            Measure::TimeToMitigate => self.mitigated_at,
        };
        span(self.started_at, end)
    }

    /// Resolved − started, else the recorded duration; `None` when neither is known.
    pub fn duration(&self) -> Option<TimeDelta> {
        self.measured(Measure::Duration).map(|m| m.value)
    }

    /// Time to detect: detected − started, else as recorded.
    pub fn time_to_detect(&self) -> Option<TimeDelta> {
        self.measured(Measure::TimeToDetect).map(|m| m.value)
    }

    /// Time to mitigate: mitigated − started, else as recorded.
    pub fn time_to_mitigate(&self) -> Option<TimeDelta> {
        self.measured(Measure::TimeToMitigate).map(|m| m.value)
    }

    /// Time to resolve: resolved − started (the same span as the duration, by
    /// definition), else as recorded.
    pub fn time_to_resolve(&self) -> Option<TimeDelta> {
        self.measured(Measure::TimeToResolve).map(|m| m.value)
    }

    pub fn primary_cause(&self) -> Option<&str> {
        self.root_causes.first().map(String::as_str)
    }

    /// The day the incident started, in the display timezone: the recorded start's, else
    /// the day the file name gives.
    pub fn day(&self, tz: Tz) -> Option<NaiveDate> {
        match (self.started_at, self.date_hint) {
            (Some(at), _) => Some(at.with_timezone(&tz).date_naive()),
            (None, Some(DateHint::Day(day))) => Some(day),
            _ => None,
        }
    }

    /// The year the incident started, in the display timezone: the recorded start's,
    /// else the year the file name gives.
    pub fn year(&self, tz: Tz) -> Option<i32> {
        match (self.started_at, self.date_hint) {
            (Some(at), _) => Some(at.with_timezone(&tz).year()),
            (None, Some(DateHint::Day(day))) => Some(day.year()),
            (None, Some(DateHint::Year(year))) => Some(year),
            (None, None) => None,
        }
    }

    /// The dated entries of the body's timeline: read from the prose with the rest of the
    /// metadata for a postmortem without front matter, by `check` for any other.
    pub fn timeline(&self) -> &[TimelineEvent] {
        match &self.inferred {
            Some(inferred) => &inferred.timeline,
            None => &self.body_timeline,
        }
    }

    /// The date the file name gives, when it is the incident's only date.
    pub fn date_from_file_name(&self) -> Option<DateHint> {
        self.started_at
            .is_none()
            .then_some(self.date_hint)
            .flatten()
    }
}

fn span(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> Option<TimeDelta> {
    let delta = to? - from?;
    (delta >= TimeDelta::zero()).then_some(delta)
}

/// One heading of the document, for building a table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    /// Plain text without markup and not HTML-escaped; templates escape it when they render it.
    pub title: String,
}

/// Everything the renderer derives from one Markdown document.
#[derive(Debug, Clone, Serialize)]
pub struct Rendered {
    pub html: String,
    /// Whether `html` links to other postmortems' files (`markdown::SOURCE_LINK_PREFIX`),
    /// which assembling the site resolves to their pages: the bodies without (most) need
    /// not be searched for such links.
    #[serde(skip)]
    pub source_links: bool,
    /// Headings of levels 1 to 4 in document order; templates decide which levels to show.
    pub toc: Vec<TocEntry>,
    /// Level and plain text of the first heading of any level.
    pub first_heading: Option<(u8, String)>,
    /// Text content without markup, with whitespace collapsed to single spaces.
    pub plain_text: String,
    pub word_count: usize,
    /// Links and images shown as text because their target may not be a link
    /// (`model::link`): the byte offset in the Markdown and the target as written.
    #[serde(skip)]
    pub rejected_links: Vec<(usize, String)>,
    /// Every heading, of any level, as a span of `plain_text`, for readers of the body's
    /// sections (the quality checklist), so they need not parse `html`. `None` when the
    /// plain text may not hold the words a reader of the HTML sees (raw HTML, images,
    /// footnotes, markup inside a word): such readers read the HTML.
    #[serde(skip)]
    pub sections: Option<Box<[HeadingSpan]>>,
    /// Control characters in the body's text (a terminal colour code pasted with a log),
    /// shown as their visible symbols (`␛`): the first one's byte offset in the Markdown
    /// and character, and how many there were.
    #[serde(skip)]
    pub controls: Option<Controls>,
}

/// See [`Rendered::controls`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Controls {
    pub first_offset: usize,
    pub first: char,
    pub count: usize,
}

/// A heading of a body: its level and where its words are in `Rendered::plain_text` (byte
/// offsets, perhaps with a space either side); the text under it runs from `end` to the
/// next heading's `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeadingSpan {
    pub level: u8,
    pub start: u32,
    pub end: u32,
}
