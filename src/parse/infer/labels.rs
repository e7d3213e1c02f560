//! Label lines ("Duration: ...", "**Impact:** ...", "| Severity | SEV2 |") and the
//! sections, zones and dates of a document that the inference rules read values from.

use chrono::NaiveDate;

use super::doc::{Doc, Line, LineKind, label, words};
use super::when::{self, Zone};
use super::{Evidence, Inferred, items};
use crate::model::time::order::DateOrder;

/// A label line and where it is.
pub(super) struct Labeled<'d, 'a> {
    /// The label as plain lowercase words ("time to detection").
    pub(super) name: String,
    pub(super) value: &'a str,
    pub(super) line: &'d Line<'a>,
    pub(super) index: usize,
}

pub(super) const START: &[&str] = &[
    "start",
    "started",
    "start time",
    "started at",
    "start date",
    "began",
    "began at",
    "incident start",
    "outage start",
    "outage began",
    "impact start",
    "impact started",
    "start of impact",
    "first impact",
    "occurred",
    "occurred at",
];
pub(super) const END: &[&str] = &[
    "end",
    "ended",
    "end time",
    "ended at",
    "resolved",
    "resolved at",
    "resolution time",
    "recovered",
    "recovered at",
    "outage end",
    "impact end",
    "impact ended",
    "end of impact",
    "restored",
    "restored at",
    "all clear",
    "fixed at",
    "closed",
];
pub(super) const DETECTED: &[&str] = &[
    "detected",
    "detected at",
    "detection",
    "detection time",
    "first alert",
    "alerted",
    "alerted at",
    "discovered",
];
pub(super) const MITIGATED: &[&str] =
    &["mitigated", "mitigated at", "mitigation", "mitigation time"];
pub(super) const WINDOW: &[&str] = &[
    "duration",
    "outage duration",
    "incident duration",
    "total duration",
    "downtime",
    "outage window",
    "impact window",
    "incident window",
    "window",
    "time",
    "timeframe",
    "time frame",
    "period",
    "impact period",
    "when",
    "date",
    "dates",
    "outage",
];
pub(super) const LENGTH: &[&str] = &[
    "duration",
    "outage duration",
    "incident duration",
    "total duration",
    "downtime",
    "total downtime",
    "length",
    "impact duration",
];
/// Lengths that name the time to resolve: the same span as the duration, recorded as
/// `time_to_resolve`.
pub(super) const TIME_TO_RESOLVE: &[&str] = &[
    "time to recovery",
    "time to recover",
    "time to resolve",
    "time to resolution",
    "time to restore",
    "time to repair",
    "ttr",
    "mttr",
    "time to fix",
];
pub(super) const TIME_TO_DETECT: &[&str] = &[
    "time to detection",
    "time to detect",
    "ttd",
    "mttd",
    "detection time",
    "time to discovery",
];
pub(super) const TIME_TO_MITIGATE: &[&str] =
    &["time to mitigation", "time to mitigate", "ttm", "mttm"];
pub(super) const IMPACT: &[&str] = &[
    "impact",
    "customer impact",
    "user impact",
    "business impact",
];
pub(super) const ROOT_CAUSE: &[&str] = &[
    "root cause",
    "root causes",
    "cause",
    "primary cause",
    "underlying cause",
    "root cause analysis",
];
pub(super) const CATEGORY: &[&str] = &[
    "category",
    "root cause category",
    "cause category",
    "classification",
    "incident category",
    "incident type",
    "type",
];
pub(super) const SEVERITY: &[&str] = &[
    "severity",
    "sev",
    "severity level",
    "incident severity",
    "priority",
];
pub(super) const SERVICES: &[&str] = &[
    "service",
    "services",
    "affected service",
    "affected services",
    "services affected",
    "systems affected",
    "affected systems",
    "affected components",
    "components",
    "component",
    "system",
    "systems",
];
pub(super) const SUMMARY_SECTIONS: &[&str] = &[
    "summary",
    "overview",
    "executive summary",
    "tl dr",
    "tldr",
    "issue summary",
    "incident summary",
    "what happened",
];

pub(super) fn is(name: &str, set: &[&str]) -> bool {
    set.contains(&name)
}

pub(super) fn evidence(line: &Line<'_>, part: &str) -> Evidence {
    Evidence {
        line: line.number,
        col: line.col_of(part),
        text: part.trim().to_string(),
    }
}

pub(super) fn inferred<T>(value: T, evidence: Evidence) -> Option<Inferred<T>> {
    Some(Inferred { value, evidence })
}

/// Every label line of the document, including "| Duration | 45 min |" table rows.
pub(super) fn label_lines<'d, 'a>(doc: &'d Doc<'a>) -> Vec<Labeled<'d, 'a>> {
    let mut found = Vec::new();
    for (index, line) in doc.lines.iter().enumerate() {
        let (name, value) = match line.kind {
            LineKind::Item { text, .. } | LineKind::Text { text, .. } => match label(text) {
                Some(found) => found,
                None => continue,
            },
            LineKind::Row { header: false } => {
                let cells = line.cells();
                let [name, value] = cells.as_slice() else {
                    continue;
                };
                if name.is_empty() || !name.starts_with(|c: char| c.is_alphabetic()) {
                    continue;
                }
                (name.to_lowercase(), *value)
            }
            _ => continue,
        };
        found.push(Labeled {
            name: words(&name),
            value,
            line,
            index,
        });
    }
    found
}

/// The first paragraph (joined lines) of the first section whose heading is in `names`
/// (or contains one of them, when `contains`), skipping label lines.
pub(super) fn section_paragraph<'a>(
    doc: &Doc<'a>,
    names: &[&str],
    contains: bool,
) -> Option<(u32, u32, String)> {
    let at = doc.lines.iter().position(|l| match l.kind {
        LineKind::Heading { text, .. } => {
            let heading = words(text);
            names
                .iter()
                .any(|n| heading == *n || (contains && heading.contains(n)))
        }
        _ => false,
    })?;
    let mut paragraph: Vec<&str> = Vec::new();
    let mut first = None;
    for line in doc.section(at) {
        match line.kind {
            LineKind::Text { text, .. } if label(text).is_none() => {
                first.get_or_insert((line.number, line.col_of(text)));
                paragraph.push(text);
            }
            LineKind::Blank if paragraph.is_empty() => {}
            _ if paragraph.is_empty() => {}
            _ => break,
        }
    }
    let (line, col) = first?;
    Some((line, col, paragraph.join(" ")))
}

/// The zone the document's times are in: a "Time zone:" label or an "All times ..." line,
/// else `None` (the caller falls back to the first stated time's zone, then the site's).
pub(super) fn stated_zone(doc: &Doc<'_>, labeled: &[Labeled<'_, '_>]) -> Option<Zone> {
    if let Some(zone) = labeled
        .iter()
        .filter(|l| is(&l.name, &["time zone", "timezone", "times"]))
        .find_map(|l| when::find_zone(l.value))
    {
        return Some(zone);
    }
    doc.lines.iter().find_map(|line| match line.kind {
        LineKind::Text { text, .. } | LineKind::Item { text, .. } => {
            let lower = text.to_lowercase();
            let statement = lower.starts_with("all times")
                || lower.starts_with("times are")
                || lower.starts_with("times in");
            statement.then(|| when::find_zone(text)).flatten()
        }
        _ => None,
    })
}

/// The day that times written without one fall on, and where it was found: a "Date:"
/// label, a heading, or the file name.
pub(super) fn anchor_date(
    doc: &Doc<'_>,
    labeled: &[Labeled<'_, '_>],
    stem: &str,
    order: Option<DateOrder>,
) -> Option<(NaiveDate, Evidence)> {
    for l in labeled.iter().filter(|l| {
        is(
            &l.name,
            &[
                "date",
                "incident date",
                "day",
                "when",
                "occurred",
                "occurred on",
            ],
        )
    }) {
        if let Some(moment) = when::find_moment(l.value, order)
            && let Some(date) = moment.naive_date(None)
        {
            return Some((date, evidence(l.line, &l.value[moment.start..moment.end])));
        }
    }
    for line in &doc.lines {
        if let LineKind::Heading { text, .. } = line.kind
            && let Some(moment) = when::find_moment(text, order)
            && let Some(date) = moment.naive_date(None)
        {
            return Some((date, evidence(line, &text[moment.start..moment.end])));
        }
    }
    let date = when::date_in_name(stem)?;
    Some((
        date,
        Evidence {
            line: 0,
            col: 0,
            text: stem.to_string(),
        },
    ))
}

/// The label lines that may open an action item list, for [`items::action_items`].
pub(super) fn labeled_items(labeled: &[Labeled<'_, '_>]) -> Vec<usize> {
    labeled
        .iter()
        .filter(|l| l.value.is_empty() && items::is_action_label(&l.name))
        .map(|l| l.index)
        .collect()
}
