//! View structs: what templates see. They are the documented interface for theme authors;
//! domain types never reach a template.

use std::borrow::Cow;

use chrono::TimeDelta;
use chrono_tz::Tz;
use serde::Serialize;

use crate::analyze::index::{Facet, Index, Term};
use crate::model::action_item::ActionItem;
use crate::model::config::Config;
use crate::model::incident::{DateHint, Incident, Measure, Status, TocEntry};
use crate::model::inference::InferredField;
use crate::render::PageBody;

/// A link to a facet term.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TermLink {
    pub name: String,
    /// Path from the site root, e.g. `services/redis-cache/`.
    pub url: String,
}

/// A severity as templates see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeverityView {
    pub key: String,
    pub label: String,
    /// 1 for the worst severity; themes color badges by rank.
    pub rank: usize,
    pub url: String,
}

/// One incident in a list or table.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IncidentRow {
    pub slug: String,
    pub url: String,
    pub title: String,
    pub status: String,
    pub has_front_matter: bool,
    /// The day it started ("2024-02-10"); without a recorded start, the date the file name
    /// gives: a day, or a year alone ("2019").
    pub date: Option<String>,
    pub date_iso: Option<String>,
    /// `date` comes from the file name, not from a recorded start.
    pub date_from_file_name: bool,
    pub severity: Option<SeverityView>,
    pub services: Vec<TermLink>,
    pub cause: Option<TermLink>,
    pub duration: Option<String>,
    pub duration_minutes: Option<i64>,
    pub summary: Option<String>,
    /// The postmortem has no front matter and its metadata was read from its text.
    pub metadata_inferred: bool,
}

/// What the page of a postmortem without front matter shows of its inferred metadata:
/// each value with where it came from, and the timeline as read. Empty for others.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct InferredView {
    /// Each inferred value and where it came from (line 0: the title or file name).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inferred: Vec<InferredField>,
    /// Inferred field name → where it came from ("line 5: “February 10, 2024, 9:00 AM”"),
    /// to mark values on the page: `{% if incident.inferred_from.services %}`.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub inferred_from: std::collections::BTreeMap<String, String>,
    /// The timeline as read from the text, each event with its full date.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inferred_timeline: Vec<TimelineEventView>,
}

/// One event of an inferred timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineEventView {
    /// Date and time in the site's zone, "2024-02-10 09:00".
    pub when: String,
    pub iso: String,
    pub text: String,
    pub line: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct TimeView {
    pub display: String,
    pub iso: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActionItemView<'a> {
    #[serde(flatten)]
    pub item: &'a ActionItem,
    pub status_label: &'static str,
    /// Open and due before the build's as-of date.
    pub overdue: bool,
    /// A URL written for the item that a page may not link to, shown as text.
    pub rejected_url: Option<&'a str>,
}

/// Everything the incident template sees.
#[derive(Debug, Serialize)]
pub struct IncidentView<'a> {
    #[serde(flatten)]
    pub row: Cow<'a, IncidentRow>,
    /// Set only when the metadata was inferred (`row.metadata_inferred`).
    #[serde(flatten)]
    pub inferred: InferredView,
    pub source: &'a str,
    /// Whether the file records its status (`row.status` is "final" when it does not).
    pub status_recorded: bool,
    pub started_at: Option<TimeView>,
    pub detected_at: Option<TimeView>,
    pub mitigated_at: Option<TimeView>,
    pub resolved_at: Option<TimeView>,
    pub time_to_detect: Option<String>,
    pub time_to_mitigate: Option<String>,
    pub time_to_resolve: Option<String>,
    /// Which spans were recorded as values (`duration: 45m`) rather than computed from
    /// timestamps: `{% if incident.recorded.duration %}`.
    pub recorded: RecordedView,
    pub duration_bucket: Option<TermLink>,
    /// The teams owning its services (`teams/<team>/`); empty when none is recorded.
    pub teams: Vec<TermLink>,
    pub causes: Vec<TermLink>,
    pub tags: Vec<TermLink>,
    pub authors: &'a [String],
    pub trigger: Option<&'a str>,
    /// Summary, impact and detection rendered as inline Markdown (`code`, *emphasis*, links).
    pub summary_html: Option<String>,
    pub impact_html: Option<String>,
    pub detection_html: Option<String>,
    pub body_html: &'a str,
    pub toc: Vec<&'a TocEntry>,
    pub word_count: usize,
    pub action_items: Vec<ActionItemView<'a>>,
    pub action_items_open: usize,
    /// Done, open, overdue and won't fix, as of the build's date.
    pub action_progress: ActionProgressView,
    /// The timeline chart; `None` with fewer than two recorded instants.
    pub timeline_chart: Option<TimelineChartView>,
    /// Incidents sharing its service or root cause, as links (the default theme shows
    /// their table rows, pre-rendered, as `related_rows`); empty unless a template of the
    /// site's own mentions `related`.
    pub related: Vec<IncidentLink<'a>>,
    /// Incidents closest in text, best first, none of them in `related`; empty unless a
    /// template of the site's own mentions `similar`.
    pub similar: Vec<SimilarView<'a>>,
    /// Every extra front matter field, as written (also in the data export).
    pub extra: &'a std::collections::BTreeMap<String, serde_json::Value>,
    /// The extra fields the panel shows, tidied, after `[fields] show` and `hide`.
    pub extra_fields: Vec<super::extras::ExtraField>,
    /// The postmortem's quality score and what it lacks (`docs/quality.md`).
    pub quality: QualityView,
}

/// A postmortem's quality: `score` (0–100) and `missing`, one phrase per gap
/// ("contributing factors", "owners on 2 action items"), in checklist order.
#[derive(Debug, Clone, Serialize)]
pub struct QualityView {
    pub score: u32,
    pub missing: Vec<String>,
}

impl QualityView {
    pub(super) fn of(quality: &crate::analyze::quality::Quality) -> QualityView {
        QualityView {
            score: quality.score,
            missing: quality.missing.iter().map(|g| g.text.clone()).collect(),
        }
    }
}

/// The timeline chart as the incident template sees it.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineChartView {
    /// The inline SVG.
    pub svg: String,
    /// The id of its caption, which the SVG names with `aria-describedby`.
    pub caption_id: &'static str,
    /// How many marks it draws, and the first and last time ("2023-12-05 02:40 UTC").
    pub events: usize,
    pub first: String,
    pub last: String,
    /// How many long gaps are drawn shortened.
    pub breaks: usize,
    /// The milestones with no time recorded ("detection"), and those recorded as a day
    /// alone, which the chart leaves out rather than place at midnight.
    pub not_recorded: Vec<&'static str>,
    pub day_only: Vec<&'static str>,
    /// Those two lists as sentences for the caption ("Detection and mitigation not
    /// recorded."), empty when every milestone is drawn.
    pub notes: Vec<String>,
    /// Where the same events are listed as text: a fragment (`#timeline-utc`) and its
    /// heading, else the page's facts panel.
    pub text_href: String,
    pub text_name: String,
}

/// How an incident's action items stand as of the build's date. The four counts are
/// disjoint and add up to `total`: `open` are the open items not yet overdue.
#[derive(Debug, Clone, Serialize)]
pub struct ActionProgressView {
    pub total: usize,
    pub done: usize,
    pub open: usize,
    pub overdue: usize,
    pub wontfix: usize,
    /// Done as a whole percentage of all items, for themes that draw their own bar.
    pub percent_done: usize,
    /// The date overdue is counted at, "2024-03-01".
    pub as_of: String,
}

/// Another incident as an incident page links to it (`related`, `similar`): what a theme
/// needs to show the link. The rest of it is on its own page; a whole row for each of ten
/// links made every incident page's context several times larger.
#[derive(Debug, Serialize)]
pub struct IncidentLink<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    /// Path from the site root, `incidents/<slug>/`.
    pub url: Cow<'a, str>,
    /// As in a row: the day it started, else the file name's day or year.
    pub date: Option<Cow<'a, str>>,
    pub date_iso: Option<Cow<'a, str>>,
    pub severity: Option<Cow<'a, SeverityView>>,
}

impl<'a> IncidentLink<'a> {
    /// The link as `row` has it.
    pub(super) fn of(row: &'a IncidentRow) -> IncidentLink<'a> {
        IncidentLink {
            slug: &row.slug,
            title: &row.title,
            url: Cow::Borrowed(&row.url),
            date: row.date.as_deref().map(Cow::Borrowed),
            date_iso: row.date_iso.as_deref().map(Cow::Borrowed),
            severity: row.severity.as_ref().map(Cow::Borrowed),
        }
    }
}

/// The link to `incident` as [`IncidentLink::of`] its [`row`] has it, made without the
/// rest of the row.
pub(super) fn link<'a>(
    config: &Config,
    links: TermLinks<'_>,
    incident: &'a Incident,
) -> IncidentLink<'a> {
    let tz = config.tz();
    IncidentLink {
        slug: &incident.slug,
        title: &incident.title,
        url: Cow::Owned(incident_url(incident)),
        date: row_date(incident, tz).map(Cow::Owned),
        date_iso: row_date_iso(incident, tz).map(Cow::Owned),
        severity: severity_view(config, links, incident).map(Cow::Owned),
    }
}

/// One entry of an incident's "Similar incidents": a link to the incident, the words the
/// two share that weigh most, heaviest first, and how close they are.
#[derive(Debug, Serialize)]
pub struct SimilarView<'a> {
    pub incident: IncidentLink<'a>,
    pub shared: Vec<&'a str>,
    /// Cosine similarity of the two texts, 0 to 1, to three decimals.
    pub score: f64,
}

/// Which of an incident's spans are values recorded in the postmortem.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct RecordedView {
    pub duration: bool,
    pub time_to_detect: bool,
    pub time_to_mitigate: bool,
    pub time_to_resolve: bool,
}

impl RecordedView {
    pub(super) fn of(incident: &Incident) -> RecordedView {
        let recorded = |measure| incident.measured(measure).is_some_and(|m| m.recorded);
        RecordedView {
            duration: recorded(Measure::Duration),
            time_to_detect: recorded(Measure::TimeToDetect),
            time_to_mitigate: recorded(Measure::TimeToMitigate),
            time_to_resolve: recorded(Measure::TimeToResolve),
        }
    }
}

/// A term on an overview page.
#[derive(Debug, Serialize)]
pub struct TermView<'a> {
    pub name: &'a str,
    pub key: &'a str,
    pub url: String,
    pub description: &'a str,
    pub count: usize,
    /// Count as a percentage of the largest term's count, for bar widths.
    pub share: usize,
    pub missing: bool,
    /// Newest incident's date, so overviews say how recent the last occurrence was.
    pub latest: Option<Cow<'a, str>>,
}

pub(super) fn term_url(facet: Facet, term: &Term) -> String {
    format!("{}/{}/", facet.path(), term.slug)
}

/// What a table row may know of the rest of the site: the name and page of a facet term.
/// [`row`] takes nothing else beyond its incident and the config, so `serve` may keep a
/// row for as long as those three are unchanged (`Rows::build` checks exactly these).
#[derive(Clone, Copy)]
pub(super) struct TermLinks<'a>(pub(super) &'a Index);

impl TermLinks<'_> {
    /// The link to the term `name` of `facet`, if the site has it.
    fn link(&self, facet: Facet, name: &str) -> Option<TermLink> {
        self.0.facet(facet).get(name).map(|term| TermLink {
            name: term.name.clone(),
            url: term_url(facet, term),
        })
    }
}

/// An incident's status as pages and exports write it ("final").
pub(super) fn status_name(status: Status) -> String {
    format!("{status:?}").to_lowercase()
}

pub(super) fn row(config: &Config, links: TermLinks<'_>, incident: &Incident) -> IncidentRow {
    let tz = config.tz();
    let link = |facet: Facet, name: &str| links.link(facet, name);
    IncidentRow {
        slug: incident.slug.clone(),
        url: incident_url(incident),
        title: incident.title.clone(),
        status: status_name(incident.status),
        has_front_matter: incident.has_front_matter,
        date: row_date(incident, tz),
        date_iso: row_date_iso(incident, tz),
        date_from_file_name: incident.date_from_file_name().is_some(),
        severity: severity_view(config, links, incident),
        services: incident
            .services
            .iter()
            .filter_map(|s| link(Facet::Service, s))
            .collect(),
        cause: incident.primary_cause().and_then(|c| link(Facet::Cause, c)),
        duration: incident.duration().map(format_duration),
        duration_minutes: incident.duration().map(|d| d.num_minutes()),
        summary: incident.summary.clone(),
        metadata_inferred: incident.inferred.is_some(),
    }
}

/// The path of `incident`'s page from the site root.
fn incident_url(incident: &Incident) -> String {
    format!("incidents/{}/", incident.slug)
}

/// `incident`'s severity as a row shows it.
fn severity_view(
    config: &Config,
    links: TermLinks<'_>,
    incident: &Incident,
) -> Option<SeverityView> {
    incident.severity.map(|i| {
        let severity = &config.severities[i];
        SeverityView {
            key: severity.key.clone(),
            label: severity.label.clone(),
            rank: i + 1,
            url: (links.link(Facet::Severity, &severity.key))
                .map(|l| l.url)
                .unwrap_or_default(),
        }
    })
}

/// The machine-readable date a row gives: the recorded start, else its [`row_date`].
fn row_date_iso(incident: &Incident, tz: Tz) -> Option<String> {
    (incident.started_at)
        .map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .or_else(|| row_date(incident, tz))
}

/// The date a row shows: the recorded start's day, else the file name's day or year.
pub(super) fn row_date(incident: &Incident, tz: Tz) -> Option<String> {
    match incident.date_from_file_name() {
        Some(DateHint::Year(year)) => Some(format!("{year:04}")),
        _ => incident
            .day(tz)
            .map(|day| day.format("%Y-%m-%d").to_string()),
    }
}

impl InferredView {
    /// What the page shows of `incident`'s inferred metadata, from its page's `body`
    /// (its timeline as read and, where the body was loaded, the values inferred):
    /// nothing when its metadata was not inferred.
    pub(super) fn of(config: &Config, incident: &Incident, body: PageBody<'_>) -> InferredView {
        if incident.inferred.is_none() {
            return InferredView::default();
        }
        let fields = match body.inferred {
            Some(fields) => fields.to_vec(),
            None => incident.inferred_fields(config),
        };
        let mut from = std::collections::BTreeMap::new();
        for field in &fields {
            let place = if field.line == 0 {
                "the title or file name".to_string()
            } else {
                format!("line {}", field.line)
            };
            // A field with several values (services) is marked with where the first came
            // from.
            (from.entry(field.field.to_string()))
                .or_insert(format!("{place}: “{}”", field.evidence));
        }
        // The duration is inferred when either of its ends is, or it was read as a length;
        // with both ends known it is their span.
        match (from.get("resolved_at").cloned(), from.get("started_at")) {
            (Some(end), Some(_)) => {
                from.insert("duration".into(), end);
            }
            (end, start) => {
                if let Some(end) = end.or(start.cloned()) {
                    from.entry("duration".into()).or_insert(end);
                }
            }
        }
        let tz = config.tz();
        InferredView {
            inferred: fields,
            inferred_from: from,
            inferred_timeline: (body.timeline.iter())
                .map(|event| {
                    let local = event.at.with_timezone(&tz);
                    TimelineEventView {
                        when: if event.date_only {
                            local.format("%Y-%m-%d").to_string()
                        } else {
                            local.format("%Y-%m-%d %H:%M").to_string()
                        },
                        iso: event.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                        text: event.text.clone(),
                        line: event.line,
                    }
                })
                .collect(),
        }
    }
}

/// A duration in the two largest units an engineer would say: "45 min", "2 h 5 min",
/// "3 d 4 h", "2 y 40 d"; under a minute, "< 1 min". Never "0 s": times are recorded to
/// the minute at best, and a zero read as a figure looks like a missing value shown as
/// one. A missing duration is not formatted at all; pages show "—" for it.
pub fn format_duration(delta: TimeDelta) -> String {
    let minutes = delta.num_minutes();
    if minutes < 1 {
        return "< 1 min".into();
    }
    let (years, rest) = (minutes / 525_600, minutes % 525_600);
    let (days, rest) = (rest / 1440, rest % 1440);
    let (hours, mins) = (rest / 60, rest % 60);
    let parts: Vec<String> = [(years, "y"), (days, "d"), (hours, "h"), (mins, "min")]
        .into_iter()
        .skip_while(|(n, _)| *n == 0)
        .take(2)
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n} {unit}"))
        .collect();
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        for (minutes, expected) in [
            (0, "< 1 min"),
            (45, "45 min"),
            (60, "1 h"),
            (125, "2 h 5 min"),
            (1440 + 240, "1 d 4 h"),
            (1440 + 1, "1 d"),
            (2 * 525_600 + 40 * 1440, "2 y 40 d"),
        ] {
            assert_eq!(
                format_duration(TimeDelta::minutes(minutes)),
                expected,
                "{minutes}"
            );
        }
        assert_eq!(format_duration(TimeDelta::seconds(59)), "< 1 min");
    }
}
