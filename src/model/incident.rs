//! The [`Incident`]: one postmortem with typed fields, and the values derived from them
//! (duration, time to detect, ..., the day it started), which are methods and never stored
//! twice. `parse::incident` makes one from a content file.
//!
//! Two kinds of value stand in where timestamps are missing, and each says so: durations
//! recorded as values ([`Recorded`], `duration: 45m`), used when the timestamps do not give
//! the span ([`Measured::recorded`]), and the date in the file name ([`DateHint`]), used
//! when no start is recorded.

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::model::action_item::ActionItem;
use crate::model::bytes;
use crate::model::config::Config;
use crate::model::diagnostics::Pos;
use crate::model::field::Field;
use crate::model::inference::{Inference, InferredField, TimelineEvent};
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
    pub inferred: Option<InferredMetadata>,
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

/// What was read from the prose of a postmortem without front matter: as parsing read it,
/// or set aside with its body by a build, which reads back with the body what the page
/// lists of it (`app::aside::AsideBody::inferred`). A build holds it only while the file
/// is parsed: at 100,000 such postmortems, held to the end it was some 170 MB, a fifth
/// of the build's peak.
#[derive(Debug, Clone)]
pub enum InferredMetadata {
    Held(Box<Inference>),
    SetAside,
    /// `serve`: its timeline and what its page lists as inferred are packed with the
    /// body ([`Incident::pack`]); read them with [`Incident::timeline`] and
    /// [`Incident::inferred_fields`].
    Packed,
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
    /// Frees what the lists grew beyond their items while the file was parsed: a build
    /// holds every incident to its end, and the action items alone (120 bytes each, in a
    /// list grown by doubling) left about 40% of theirs unused.
    pub fn shrink_to_fit(&mut self) {
        self.action_items.shrink_to_fit();
        for list in [
            &mut self.services,
            &mut self.root_causes,
            &mut self.tags,
            &mut self.authors,
            &mut self.related,
        ] {
            list.shrink_to_fit();
        }
        self.day_only.shrink_to_fit();
        let positions = &mut self.positions;
        positions.related.shrink_to_fit();
        positions.present.shrink_to_fit();
        positions.links.shrink_to_fit();
    }

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
    /// metadata for a postmortem without front matter, by `check` for any other. Empty
    /// once a build set them aside with the body; unpacked where `serve` packed them
    /// ([`Incident::pack`]).
    pub fn timeline(&self) -> Cow<'_, [TimelineEvent]> {
        match &self.inferred {
            Some(InferredMetadata::Held(inferred)) => Cow::Borrowed(&inferred.timeline),
            Some(InferredMetadata::SetAside) => Cow::Borrowed(&[]),
            Some(InferredMetadata::Packed) | None => match self.packed_rest() {
                Some((timeline, _)) => Cow::Owned(timeline),
                None => Cow::Borrowed(&self.body_timeline),
            },
        }
    }

    /// What its page lists as inferred from its prose (`Inference::fields`): empty for a
    /// postmortem with front matter, and once a build set it aside with the body.
    pub fn inferred_fields(&self, config: &Config) -> Vec<InferredField> {
        match &self.inferred {
            Some(InferredMetadata::Held(inferred)) => inferred.fields(config),
            Some(InferredMetadata::Packed) => (self.packed_rest())
                .map(|(_, fields)| fields)
                .unwrap_or_default(),
            Some(InferredMetadata::SetAside) | None => Vec::new(),
        }
    }

    /// Packs the body ([`Rendered::pack`]) and, with it, the timeline and what the page
    /// lists as inferred, for `serve`, which holds every postmortem for as long as it
    /// runs: the timelines were some 21 MB at 10,000 synthetic postmortems, and for
    /// postmortems without front matter each `Inference` (some 30 MB, with its evidence
    /// and second copies of the summary and impact) is dropped, the values its page lists
    /// computed now with `config` (a change of config parses every file again). The
    /// per-file lints read the inference before this (`analyze::check::lint_file`).
    pub fn pack(&mut self, config: &Config) {
        self.body.pack();
        let Some(packed) = &mut self.body.packed else {
            return;
        };
        if packed.rest.is_some() {
            return;
        }
        let (timeline, fields) = match self.inferred.take() {
            Some(InferredMetadata::Held(inferred)) => {
                self.inferred = Some(InferredMetadata::Packed);
                let fields = inferred.fields(config);
                (inferred.timeline, fields)
            }
            other => {
                self.inferred = other;
                (std::mem::take(&mut self.body_timeline), Vec::new())
            }
        };
        packed.pack_rest(&timeline, &fields);
    }

    /// The timeline and inferred values [`Incident::pack`] packed with the body.
    fn packed_rest(&self) -> Option<(Vec<TimelineEvent>, Vec<InferredField>)> {
        self.body.packed.as_ref()?.rest()
    }

    /// What was read from its prose, where it is held: not for a postmortem with front
    /// matter, nor once a build set it aside with the body or `serve` packed what its
    /// page lists of it ([`Incident::inferred_fields`] reads that wherever it is).
    pub fn inference(&self) -> Option<&Inference> {
        match &self.inferred {
            Some(InferredMetadata::Held(inferred)) => Some(inferred),
            _ => None,
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
    pub first_heading: Option<Box<(u8, String)>>,
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
    pub controls: Option<Box<Controls>>,
    /// `html` and `plain_text` packed ([`Rendered::pack`]), when `serve` holds the body
    /// between edits; read them with [`Rendered::html`] and [`Rendered::text`].
    #[serde(skip)]
    pub packed: Option<Box<Packed>>,
    /// Where a build set this body aside once its file was parsed, to read it back for
    /// its page and the search index instead of rendering it again
    /// (`analyze::site::BodyHtml::SetAside`); `None` when it was not.
    #[serde(skip)]
    pub aside: Option<Aside>,
}

/// A body set aside in a build's file of bodies: where it starts and how long it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Aside {
    pub at: u64,
    pub len: u32,
}

impl Rendered {
    /// Moves `html` and `plain_text` into [`Rendered::packed`]: `serve` holds every body
    /// of the archive for as long as it runs, and these two strings were most of what it
    /// held (114 MB of 244 at 10,000 synthetic postmortems). Packed they take about 2.5
    /// times less (the HTML repeats the text's words, which the compression finds), and
    /// a body unpacks in a few microseconds when its page or the search index needs it.
    pub fn pack(&mut self) {
        if self.packed.is_some() {
            return;
        }
        let html = std::mem::take(&mut self.html);
        let text = std::mem::take(&mut self.plain_text);
        self.packed = Some(Box::new(Packed::new(&html, &text)));
    }

    /// The body's HTML: `html`, or unpacked when it was packed (and not set again since:
    /// assembling a site sets it when it resolves links to other postmortems).
    pub fn html(&self) -> Cow<'_, str> {
        match &self.packed {
            Some(packed) if self.html.is_empty() => Cow::Owned(packed.html()),
            _ => Cow::Borrowed(&self.html),
        }
    }

    /// The body's plain text: `plain_text`, or unpacked when it was packed.
    pub fn text(&self) -> Cow<'_, str> {
        match &self.packed {
            Some(packed) if self.plain_text.is_empty() => Cow::Owned(packed.text()),
            _ => Cow::Borrowed(&self.plain_text),
        }
    }
}

/// A body's plain text and HTML, compressed with LZ4 ([`Rendered::pack`]): the text alone,
/// then the HTML with the text as its dictionary (so the words the HTML shares with it
/// cost a reference each). The search index, similar incidents and the quality checklist
/// read the text alone, which unpacks without the HTML.
#[derive(Clone, PartialEq, Eq)]
pub struct Packed {
    text: Box<[u8]>,
    text_len: usize,
    html: Box<[u8]>,
    html_len: usize,
    /// The incident's timeline and what its page lists as inferred, encoded
    /// (`model::bytes`) and compressed, with their length unpacked ([`Incident::pack`]).
    rest: Option<(Box<[u8]>, usize)>,
}

impl Packed {
    fn new(html: &str, text: &str) -> Packed {
        let packed = |bytes: Vec<u8>| bytes.into_boxed_slice();
        Packed {
            text: packed(lz4_flex::block::compress(text.as_bytes())),
            text_len: text.len(),
            html: packed(lz4_flex::block::compress_with_dict(
                html.as_bytes(),
                text.as_bytes(),
            )),
            html_len: html.len(),
            rest: None,
        }
    }

    /// Packs `timeline` and `inferred` beside the body.
    fn pack_rest(&mut self, timeline: &[TimelineEvent], inferred: &[InferredField]) {
        let mut bytes = Vec::new();
        bytes::push_timeline(&mut bytes, timeline);
        bytes::push_inferred(&mut bytes, inferred);
        let packed = lz4_flex::block::compress(&bytes).into_boxed_slice();
        self.rest = Some((packed, bytes.len()));
    }

    /// What [`Packed::pack_rest`] packed; `None` if nothing was, or (a bug here, never
    /// the user's input) it does not unpack.
    fn rest(&self) -> Option<(Vec<TimelineEvent>, Vec<InferredField>)> {
        let (packed, len) = self.rest.as_ref()?;
        let bytes = lz4_flex::block::decompress(packed, *len).ok();
        let read = bytes.and_then(|bytes| {
            let mut reader = bytes::Reader(&bytes);
            let read = (reader.timeline()?, reader.inferred()?);
            reader.0.is_empty().then_some(read)
        });
        debug_assert!(read.is_some(), "a packed timeline did not unpack");
        read
    }

    /// The text. What `new` packed unpacks to the same valid UTF-8; a failure would be a
    /// bug here, never the user's input, and gives an empty string rather than a panic.
    fn text(&self) -> String {
        let text = lz4_flex::block::decompress(&self.text, self.text_len);
        unpacked(text.ok())
    }

    /// The HTML (unpacking the text it refers to first), as [`Packed::text`].
    fn html(&self) -> String {
        let text = lz4_flex::block::decompress(&self.text, self.text_len).ok();
        let html = text.and_then(|text| {
            lz4_flex::block::decompress_with_dict(&self.html, self.html_len, &text).ok()
        });
        unpacked(html)
    }

    /// The bytes a body takes packed, with its timeline and inferred values.
    pub fn len(&self) -> usize {
        let rest = self.rest.as_ref().map_or(0, |(rest, _)| rest.len());
        self.text.len() + self.html.len() + rest
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Unpacked bytes as the string they were packed from.
fn unpacked(bytes: Option<Vec<u8>>) -> String {
    let string = bytes.and_then(|bytes| String::from_utf8(bytes).ok());
    debug_assert!(string.is_some(), "a packed body did not unpack");
    string.unwrap_or_default()
}

impl std::fmt::Debug for Packed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Packed({} bytes)", self.len())
    }
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

#[cfg(test)]
mod tests {
    use crate::parse::markdown::{MarkdownOptions, render};

    #[test]
    fn a_packed_body_reads_back_as_it_was() {
        let bodies = [
            "",
            "# Summary\n\nThe *primary* failed over at 09:14 UTC.\n\n- one\n- two\n",
            "## Zeitleiste\n\nDie Größe der Warteschlange: 10⁶ — 東京リージョン 🚒\n",
            &"A sentence that repeats, as postmortems do. ".repeat(2_000),
        ];
        for markdown in bodies {
            let rendered = render(markdown, &MarkdownOptions::default());
            let mut packed = rendered.clone();
            packed.pack();
            assert!(packed.html.is_empty() && packed.plain_text.is_empty());
            assert_eq!(packed.html(), rendered.html, "{markdown:.40}");
            assert_eq!(packed.text(), rendered.plain_text, "{markdown:.40}");
            // Packing twice keeps what the first packed.
            packed.pack();
            assert_eq!(packed.text(), rendered.plain_text);
        }
    }

    #[test]
    fn html_set_after_packing_is_the_html() {
        let mut body = render("[other](other.md)\n\nText.", &MarkdownOptions::default());
        let text = body.plain_text.clone();
        body.pack();
        // As assembling a site sets it, with links to other postmortems resolved.
        body.html = "<p><a href=\"../other/\">other</a></p>\n<p>Text.</p>\n".into();
        assert_eq!(body.html(), body.html.as_str());
        assert_eq!(body.text(), text);
    }

    /// `serve` packs an incident's timeline, and for one without front matter what its
    /// page lists as inferred, with its body, dropping the inference: both read back as
    /// they were, and packing twice keeps them.
    #[test]
    fn a_packed_incident_reads_its_timeline_and_inferred_values_back() {
        use super::InferredMetadata;
        use crate::model::config::Config;
        let with_front_matter = "---\ntitle: Cache outage\nstarted_at: 2024-03-01T10:00:00Z\n\
            resolved_at: 2024-03-01T11:00:00Z\n---\n\n## Timeline\n\n\
            - 10:05 UTC: paged by the error rate\n- 10:40 UTC: cache warmed, Größe 10⁶\n";
        let prose = "# Checkout outage\n\nDuration: February 10, 2024, 9:00 AM - \
            February 10, 2024, 11:00 AM (UTC)\nServices affected: checkout\n\n## Timeline\n\n\
            - 09:00 UTC: card payments start failing\n- 11:00 UTC: payments recover\n\n\
            ## Action items\n\n- Alert on the card error rate\n";
        let config = Config::default();
        let sources = [("cache", with_front_matter), ("checkout", prose)]
            .map(|(stem, text)| crate::testing::source_file(stem, text));
        let parsed = crate::analyze::site::parse_sources(&config, &sources, |_| {});
        for (incident, _) in parsed {
            let mut incident = incident.unwrap();
            let (timeline, fields) = (
                incident.timeline().into_owned(),
                incident.inferred_fields(&config),
            );
            assert_eq!(timeline.len(), 2, "{}", incident.source);
            assert_eq!(fields.is_empty(), incident.inference().is_none());
            let prose = incident.inference().is_some();
            incident.pack(&config);
            incident.pack(&config);
            assert!(incident.body_timeline.is_empty() && incident.inference().is_none());
            assert_eq!(
                matches!(incident.inferred, Some(InferredMetadata::Packed)),
                prose
            );
            assert_eq!(*incident.timeline(), timeline[..], "{}", incident.source);
            assert_eq!(
                incident.inferred_fields(&config),
                fields,
                "{}",
                incident.source
            );
        }
    }

    #[test]
    fn packing_makes_a_long_body_smaller() {
        let markdown = "The cache evicted hot keys; p99 latency rose to 2 s. ".repeat(500);
        let mut body = render(&markdown, &MarkdownOptions::default());
        let unpacked = body.html.len() + body.plain_text.len();
        body.pack();
        let packed = body.packed.as_ref().map_or(0, |p| p.len());
        assert!(
            packed > 0 && packed * 4 < unpacked,
            "{packed} of {unpacked}"
        );
    }
}
