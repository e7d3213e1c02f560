//! The parts of the incident page that make it read like a retrospective: the timeline
//! chart (its marks, times in the site's zone, what was not recorded, and where the same
//! events are as text) and the action items' progress as of the build's date. Pure: an
//! incident in, view structs out; the chart's geometry is `charts/timeline.rs`.

use std::fmt::Write;

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;

use super::PageBody;
use super::charts::timeline::{Mark, MarkKind, timeline};
use super::views::{ActionItemView, ActionProgressView, TimelineChartView};
use crate::analyze::trends::is_overdue;
use crate::model::action_item::{ActionItem, ActionStatus};
use crate::model::field::Field;
use crate::model::incident::Incident;

/// The id of the chart's caption, which describes it (`aria-describedby`).
pub(super) const CAPTION_ID: &str = "timeline-chart-caption";

/// The timeline of `incident`, whose body is `body`, as a chart, or `None` when fewer than
/// two distinct instants are recorded.
pub(super) fn timeline_chart(
    incident: &Incident,
    body: PageBody<'_>,
    tz: Tz,
) -> Option<TimelineChartView> {
    let (mut marks, not_recorded, day_only) = milestones(incident);
    let events = body.timeline.iter().filter(|e| !e.date_only);
    marks.extend(events.map(|event| {
        (
            event.at,
            MarkKind::Entry,
            event.approximate,
            plain(&event.text),
        )
    }));
    marks.sort_by_key(|m| m.0);
    // Each label names its day only where the day changes from the mark before it.
    let mut day = marks.first()?.0.with_timezone(&tz).date_naive();
    let marks: Vec<Mark> = marks
        .into_iter()
        .map(|(at, kind, approximate, text)| {
            let time = label_time(at, tz, day, approximate);
            day = at.with_timezone(&tz).date_naive();
            Mark {
                at: at.timestamp(),
                kind,
                time,
                text,
            }
        })
        .collect();
    let (text_href, text_name) = text_alternative(incident, body);
    let first = display(marks.first()?.at, tz);
    let last = display(marks.last()?.at, tz);
    let desc = format!(
        "{} events from {first} to {last} on one time axis, milestones above it and timeline entries below; long gaps are shortened and marked with their length. The same events are listed as text under “{text_name}”.",
        marks.len()
    );
    let drawn = timeline(&marks, "Timeline of the incident", &desc, CAPTION_ID)?;
    Some(TimelineChartView {
        svg: drawn.svg,
        caption_id: CAPTION_ID,
        events: marks.len(),
        first,
        last,
        breaks: drawn.breaks,
        notes: notes(&not_recorded, &day_only),
        not_recorded,
        day_only,
        text_href,
        text_name,
    })
}

type RawMark = (DateTime<Utc>, MarkKind, bool, String);

/// The recorded milestones, and the names of those not recorded or recorded as a day.
fn milestones(incident: &Incident) -> (Vec<RawMark>, Vec<&'static str>, Vec<&'static str>) {
    let mut marks = Vec::new();
    let (mut not_recorded, mut day_only) = (Vec::new(), Vec::new());
    for (at, field, kind, name) in [
        (
            incident.started_at,
            Field::StartedAt,
            MarkKind::Started,
            "start",
        ),
        (
            incident.detected_at,
            Field::DetectedAt,
            MarkKind::Detected,
            "detection",
        ),
        (
            incident.mitigated_at,
            Field::MitigatedAt,
            MarkKind::Mitigated,
            "mitigation",
        ),
        (
            incident.resolved_at,
            Field::ResolvedAt,
            MarkKind::Resolved,
            "resolution",
        ),
    ] {
        match at {
            None => not_recorded.push(name),
            Some(_) if incident.day_only.contains(&field) => day_only.push(name),
            Some(at) => marks.push((at, kind, false, String::new())),
        }
    }
    (marks, not_recorded, day_only)
}

/// The caption's sentences on the milestones the chart does not draw.
fn notes(not_recorded: &[&str], day_only: &[&str]) -> Vec<String> {
    let mut notes = Vec::new();
    if !not_recorded.is_empty() {
        notes.push(format!("{} not recorded.", sentence_list(not_recorded)));
    }
    if !day_only.is_empty() {
        notes.push(format!(
            "{} recorded as a day only, so not drawn.",
            sentence_list(day_only)
        ));
    }
    notes
}

/// "Detection", "Detection and mitigation", "Start, detection and mitigation".
fn sentence_list(names: &[&str]) -> String {
    let list = match names {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    };
    let mut chars = list.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => list,
    }
}

/// A label's time in the site's zone: "02:52", with the day where it is not the day of
/// the mark before ("6 Dec 09:00"), and "≈" for an entry written without its minutes.
fn label_time(at: DateTime<Utc>, tz: Tz, previous_day: NaiveDate, approximate: bool) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let local = at.with_timezone(&tz);
    // Written field by field: chrono's `format` parses its pattern on every call, and an
    // archive has a label for every timeline entry.
    let mut time = String::with_capacity(20);
    if approximate {
        time.push('≈');
    }
    if local.date_naive() != previous_day {
        let _ = write!(time, "{} {} ", local.day(), MONTHS[local.month0() as usize]);
    }
    let _ = write!(time, "{:02}:{:02}", local.hour(), local.minute());
    time
}

/// A time as the page's facts panel shows it, "2023-12-05 02:40 UTC".
fn display(at: i64, tz: Tz) -> String {
    DateTime::from_timestamp(at, 0)
        .map(|at| {
            at.with_timezone(&tz)
                .format("%Y-%m-%d %H:%M %Z")
                .to_string()
        })
        .unwrap_or_default()
}

/// An entry's text without Markdown's code and strong markers, for a label.
fn plain(text: &str) -> String {
    if !text.contains(['*', '`']) {
        return text.to_string();
    }
    text.replace("**", "").replace('`', "")
}

/// Where the page lists the same events as text: the body's timeline heading, the
/// inferred timeline's table, or the facts panel (the milestones alone).
fn text_alternative(incident: &Incident, body: PageBody<'_>) -> (String, String) {
    if incident.inferred.is_some() && !body.timeline.is_empty() {
        return (
            "#timeline-as-read".into(),
            "Timeline as Hindsight read it".into(),
        );
    }
    let names = ["timeline", "chronology", "events", "incident log"];
    let heading = body.toc.iter().find(|entry| {
        let title = entry.title.to_lowercase();
        names.iter().any(|name| title.contains(name))
    });
    match heading {
        Some(entry) if !body.timeline.is_empty() => (format!("#{}", entry.id), entry.title.clone()),
        _ => ("#incident-facts".into(), "Incident facts".into()),
    }
}

/// Each action item as the page's table shows it: its status in words, and whether it is
/// overdue as of `as_of`.
pub(super) fn action_item_views(items: &[ActionItem], as_of: NaiveDate) -> Vec<ActionItemView<'_>> {
    items
        .iter()
        .map(|item| ActionItemView {
            item,
            rejected_url: item.rejected_url(),
            overdue: is_overdue(item, as_of),
            status_label: match item.status {
                ActionStatus::Open => "Open",
                ActionStatus::Done => "Done",
                ActionStatus::Wontfix => "Won't fix",
            },
        })
        .collect()
}

/// Done, open, overdue and won't fix among `items`, as of `as_of`.
pub(super) fn action_progress(items: &[ActionItem], as_of: NaiveDate) -> ActionProgressView {
    let count = |status| items.iter().filter(|i| i.status == status).count();
    let overdue = items.iter().filter(|i| is_overdue(i, as_of)).count();
    let done = count(ActionStatus::Done);
    ActionProgressView {
        total: items.len(),
        done,
        open: count(ActionStatus::Open) - overdue,
        overdue,
        wontfix: count(ActionStatus::Wontfix),
        percent_done: (done * 100).checked_div(items.len()).unwrap_or(0),
        as_of: as_of.format("%Y-%m-%d").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(status: ActionStatus, due: Option<&str>) -> ActionItem {
        ActionItem {
            title: "x".into(),
            owner: None,
            status,
            due: due.map(|d| d.parse().unwrap()),
            priority: None,
            url: None,
            pos: None,
        }
    }

    #[test]
    fn progress_counts_are_disjoint_and_overdue_is_open_and_past_due() {
        let as_of: NaiveDate = "2024-03-01".parse().unwrap();
        let items = [
            item(ActionStatus::Done, Some("2024-01-01")),
            item(ActionStatus::Done, None),
            item(ActionStatus::Open, Some("2024-02-29")),
            // Due on the as-of date is not late yet.
            item(ActionStatus::Open, Some("2024-03-01")),
            item(ActionStatus::Open, None),
            item(ActionStatus::Wontfix, Some("2020-01-01")),
        ];
        let p = action_progress(&items, as_of);
        assert_eq!(
            (
                p.total,
                p.done,
                p.open,
                p.overdue,
                p.wontfix,
                p.percent_done
            ),
            (6, 2, 2, 1, 1, 33)
        );
        assert_eq!(action_progress(&[], as_of).percent_done, 0);
    }

    #[test]
    fn notes_name_what_is_not_drawn() {
        assert_eq!(notes(&[], &[]), Vec::<String>::new());
        assert_eq!(notes(&["detection"], &[]), ["Detection not recorded."]);
        assert_eq!(
            notes(&["start", "detection", "mitigation"], &["resolution"]),
            [
                "Start, detection and mitigation not recorded.",
                "Resolution recorded as a day only, so not drawn."
            ]
        );
    }

    #[test]
    fn label_times_carry_the_day_only_when_it_changes() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let first = at("2024-02-10T22:30:00Z").with_timezone(&tz).date_naive();
        assert_eq!(
            label_time(at("2024-02-10T22:30:00Z"), tz, first, false),
            "23:30"
        );
        assert_eq!(
            label_time(at("2024-02-10T23:30:00Z"), tz, first, true),
            "≈11 Feb 00:30"
        );
    }
}
