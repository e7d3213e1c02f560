//! The timeline of a postmortem: the dated events of its "Timeline" section, from bullets
//! ("- 9:00 AM (UTC): ...", "- **09:15** — ..."), table rows ("| 09:00 | ... |") or lines.
//!
//! Timelines mostly give times without dates, so each event's day is worked out from what
//! came before: an explicit date ("2024-02-10 09:00", "Feb 10", a "### February 11"
//! heading) sets the day; a time more than [`ROLL_OVER`] earlier than the event before it
//! is taken to be on the next day (an incident that runs past midnight); the first event's
//! day is the one that puts it nearest to the incident's start. A zone written on an event,
//! in the section's heading ("Timeline (UTC)"), in a table header ("Time (PST)") or in a
//! line such as "All times UTC." applies to the events that follow.

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};

use crate::model::inference::TimelineEvent;

use super::doc::{Doc, Line, LineKind, label, words};
use super::when::{self, Clock, Meridiem, Moment, Resolve, Resolved, Zone};
use crate::model::time::order::DateOrder;

/// A time that goes back by more than this is on the next day; less is an entry out of
/// order. Six hours tells "23:50, then 00:10" from "10:05, then 09:55" without reading
/// "18:00, then 09:00 the next morning" as a mistake.
pub(crate) const ROLL_OVER: TimeDelta = TimeDelta::hours(6);

/// What the rest of the document says about the timeline's days and zone.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context {
    /// When the incident started, to date the first event written without a day.
    pub(crate) started: Option<DateTime<Utc>>,
    /// A day for the first event when the start is unknown (a date in a heading or the
    /// file name).
    pub(crate) date: Option<NaiveDate>,
    /// The zone of times written without one.
    pub(crate) zone: Zone,
    /// How `03/04/2022` reads (the site's `date_order`).
    pub(crate) order: Option<DateOrder>,
}

/// An entry before its day is settled.
struct Raw {
    moment: Moment,
    range_end: Option<Moment>,
    line: u32,
    col: u32,
    /// The time as written.
    when: String,
    text: String,
    /// The zone the section, a table header or a zone line had declared by then.
    declared: Option<Zone>,
    /// A heading such as "### February 11": it sets the day of what follows and is not an
    /// event itself.
    day_heading: bool,
}

/// Whether a heading or label names the timeline.
fn is_timeline_name(text: &str) -> bool {
    // Most headings are not; this runs on every heading up to the timeline's.
    const NAMES: [&str; 5] = [
        "timeline",
        "chronology",
        "sequence of events",
        "incident log",
        "events",
    ];
    if !contains_any_ignoring_case(text, &["timeline", "chronology", "events", "log"]) {
        return false;
    }
    let words = words(text);
    words.contains("timeline")
        || NAMES.iter().any(|name| {
            words == *name
                || words
                    .strip_prefix(name)
                    .is_some_and(|rest| rest.starts_with(' '))
        })
}

/// The lines of the timeline section, if the document has one, and the text of the
/// heading or label that opened it.
fn timeline_lines<'d, 'a>(doc: &'d Doc<'a>) -> Option<(&'a str, &'d [Line<'a>])> {
    for (at, line) in doc.lines.iter().enumerate() {
        match line.kind {
            LineKind::Heading { text, .. } if is_timeline_name(text) => {
                return Some((text, doc.section(at)));
            }
            // Only a line ending in a colon can open a timeline ("Timeline:").
            LineKind::Item { text, .. } | LineKind::Text { text, .. } if text.ends_with(':') => {
                let Some((name, value)) = label(text) else {
                    continue;
                };
                if !(value.is_empty() && is_timeline_name(&name)) {
                    continue;
                }
                if matches!(line.kind, LineKind::Item { .. }) {
                    return Some((text, doc.children(at)));
                }
                // A "Timeline:" paragraph: the lines after it up to the next heading.
                let end = doc.lines[at + 1..]
                    .iter()
                    .position(|l| matches!(l.kind, LineKind::Heading { .. }))
                    .map_or(doc.lines.len(), |p| at + 1 + p);
                return Some((text, &doc.lines[at + 1..end]));
            }
            _ => {}
        }
    }
    None
}

/// A line that says which zone the times are in: "All times UTC.", "Times are Eastern".
fn zone_statement(text: &str) -> Option<Zone> {
    let lower = text.to_lowercase();
    (lower.contains("time") || lower.contains("zone")).then(|| when::find_zone(text))?
}

/// The entries of the timeline section, in the order written.
fn raw_entries(doc: &Doc<'_>, order: Option<DateOrder>) -> Vec<Raw> {
    let mut entries = Vec::new();
    let Some((opened_by, lines)) = timeline_lines(doc) else {
        return entries;
    };
    // "## Timeline (UTC)" names the zone of the whole section.
    let mut declared = when::find_zone(opened_by);
    for line in lines {
        match line.kind {
            LineKind::Row { header: true } => {
                declared = when::find_zone(line.raw).or(declared);
            }
            LineKind::Row { header: false } => {
                if let Some(entry) = row_entry(line, declared, order) {
                    entries.push(entry);
                }
            }
            LineKind::Heading { text, .. }
            | LineKind::Item { text, .. }
            | LineKind::Text { text, .. } => match when::leading_moment(text, order) {
                Some((moment, range_end, at)) => entries.push(Raw {
                    moment,
                    range_end,
                    line: line.number,
                    col: line.col_of(&text[moment.start..]),
                    when: text[moment.start..moment.end].to_string(),
                    text: text[at..].trim().to_string(),
                    declared,
                    day_heading: matches!(line.kind, LineKind::Heading { .. })
                        && moment.clock.is_none(),
                }),
                None => {
                    if let Some(zone) = zone_statement(text) {
                        declared = Some(zone);
                    }
                }
            },
            _ => {}
        }
    }
    entries
}

/// A table row: the time in the first cell, or a date in the first and a time in the
/// second; the other cells are the event.
fn row_entry(line: &Line<'_>, declared: Option<Zone>, order: Option<DateOrder>) -> Option<Raw> {
    let cells = line.cells();
    let first = *cells.first()?;
    let (mut moment, range_end, _) = when::leading_moment(first, order)?;
    let mut when = first[moment.start..moment.end].to_string();
    let mut rest = 1;
    if moment.clock.is_none()
        && let Some(second) = cells.get(1)
        && let Some((time, _, _)) = when::leading_moment(second, order)
        && time.date.is_none()
        && time.clock.is_some()
    {
        moment.clock = time.clock;
        moment.zone = time.zone.or(moment.zone);
        when = format!("{when} {}", &second[time.start..time.end]);
        rest = 2;
    }
    let text = cells[rest..]
        .iter()
        .filter(|c| !c.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" — ");
    Some(Raw {
        moment,
        range_end,
        line: line.number,
        col: line.col_of(&first[moment.start..]),
        when,
        text,
        declared,
        day_heading: false,
    })
}

/// The timeline of a Markdown body whose first line is line `first_line` of its file: the
/// section under a timeline heading is read alone; a body that only mentions a timeline
/// (a "Timeline:" label, a setext heading) is read whole.
pub(crate) fn timeline_of_body(
    body: &str,
    first_line: u32,
    context: &Context,
) -> Vec<TimelineEvent> {
    if let Some(section) = Doc::section_named(body, first_line, is_timeline_name) {
        return timeline(&section, context);
    }
    let mentions = ["imeline", "IMELINE", "hronolog", "HRONOLOG"];
    if mentions.iter().any(|m| body.contains(m)) {
        return timeline(&Doc::parse(body, first_line), context);
    }
    Vec::new()
}

/// The timeline of `doc`, every event dated; entries whose day cannot be known (no date
/// anywhere and no start) are left out.
pub(crate) fn timeline(doc: &Doc<'_>, context: &Context) -> Vec<TimelineEvent> {
    let entries = raw_entries(doc, context.order);
    // In a timeline written with AM and PM, a bare "1:00" after "12:30 PM" is 1 PM.
    let uses_meridiem = entries
        .iter()
        .any(|e| e.moment.clock.is_some_and(|c| c.meridiem.is_some()));
    let mut dating = Dating {
        context,
        uses_meridiem,
        day: None,
        carried: None,
    };
    let mut events: Vec<TimelineEvent> = Vec::with_capacity(entries.len());
    for entry in entries {
        let previous = events.last().filter(|e| !e.date_only).map(|e| e.at);
        let Some(resolved) = dating.date(&entry, previous) else {
            continue;
        };
        events.push(TimelineEvent {
            at: resolved.at,
            date_only: resolved.date_only,
            approximate: resolved.approximate,
            line: entry.line,
            col: entry.col,
            when: entry.when,
            text: entry.text,
        });
    }
    events
}

/// What dating one timeline entry carries over to the next.
struct Dating<'c> {
    context: &'c Context,
    /// The timeline writes AM or PM somewhere.
    uses_meridiem: bool,
    /// The day of the entries so far.
    day: Option<NaiveDate>,
    /// The zone last written on an entry.
    carried: Option<Zone>,
}

impl Dating<'_> {
    /// The instant of `entry`, which follows the timed event at `previous`; `None` for a
    /// day heading or a time whose day cannot be known.
    fn date(&mut self, entry: &Raw, previous: Option<DateTime<Utc>>) -> Option<Resolved> {
        let zone = self.zone_of(entry);
        let at = Resolve {
            date: None,
            year: self.year(zone),
            zone,
        };
        let moment = self.meridiem_reading(entry.moment, previous, at);
        if entry.day_heading {
            self.day = moment.naive_date(at.year).or(self.day);
            return None;
        }
        if moment.date.is_some() {
            self.dated(&moment, entry.range_end, at)
        } else {
            self.undated(&moment, previous, at)
        }
    }

    /// The zone of an entry: its own, else the last written on an entry, else the one
    /// declared for the section, else the document's.
    fn zone_of(&mut self, entry: &Raw) -> Zone {
        let zone = entry
            .moment
            .zone
            .or(self.carried)
            .or(entry.declared)
            .unwrap_or(self.context.zone);
        if entry.moment.zone.is_some() {
            self.carried = entry.moment.zone;
        }
        zone
    }

    /// The year of a date written without one: the current day's, else the start's, else
    /// that of the document's date.
    fn year(&self, zone: Zone) -> Option<i32> {
        self.day
            .map(|d| d.year())
            .or(self.context.started.map(|s| zone.date_of(s).year()))
            .or(self.context.date.map(|d| d.year()))
    }

    /// A bare hour from 1 to 11 in a timeline written with AM and PM, read as the morning
    /// or evening hour that comes sooner after `previous`.
    fn meridiem_reading(
        &self,
        moment: Moment,
        previous: Option<DateTime<Utc>>,
        at: Resolve,
    ) -> Moment {
        if self.uses_meridiem
            && let (Some(clock), Some(previous)) = (moment.clock, previous)
            && clock.meridiem.is_none()
            && (1..=11).contains(&clock.hour)
        {
            let reading = |meridiem| Moment {
                clock: Some(Clock { meridiem, ..clock }),
                ..moment
            };
            let (morning, evening) = (reading(None), reading(Some(Meridiem::Pm)));
            let forward = |m: &Moment| {
                m.resolve(&Resolve {
                    date: self.day,
                    ..at
                })
                .filter(|r| r.at >= previous)
                .map(|r| r.at - previous)
            };
            return match (forward(&morning), forward(&evening)) {
                (Some(a), Some(b)) if b < a => evening,
                (None, Some(_)) => evening,
                _ => morning,
            };
        }
        moment
    }

    /// An entry that writes its date; its last day (a range's end) becomes the current day.
    fn dated(
        &mut self,
        moment: &Moment,
        range_end: Option<Moment>,
        at: Resolve,
    ) -> Option<Resolved> {
        let resolved = moment.resolve(&at);
        let last_day = range_end
            .and_then(|end| end.naive_date(at.year))
            .or(moment.naive_date(at.year));
        self.day = last_day.or(self.day);
        resolved
    }

    /// An entry without a date: on the current day (the first one's nearest the start),
    /// or the next day when it goes back more than [`ROLL_OVER`] from `previous`.
    fn undated(
        &mut self,
        moment: &Moment,
        previous: Option<DateTime<Utc>>,
        at: Resolve,
    ) -> Option<Resolved> {
        let on = match self.day {
            Some(day) => Some(day),
            None => first_day(moment, self.context, at.zone, at.year),
        };
        let mut resolved = moment.resolve(&Resolve { date: on, ..at });
        if let (Some(r), Some(previous), Some(on)) = (resolved, previous, on)
            && r.at < previous - ROLL_OVER
        {
            let next = on.succ_opt();
            resolved = moment.resolve(&Resolve { date: next, ..at });
            self.day = next;
        } else {
            self.day = on;
        }
        resolved
    }
}

/// The day of the first event written without one: the day, among the start's day and
/// the days either side, that puts the event nearest to the start ("23:50" before an
/// incident that started at 00:10 is the day before). Without a start, `context.date`.
fn first_day(
    moment: &Moment,
    context: &Context,
    zone: Zone,
    year: Option<i32>,
) -> Option<NaiveDate> {
    let Some(started) = context.started else {
        return context.date;
    };
    let day = zone.date_of(started);
    [day.pred_opt(), Some(day), day.succ_opt()]
        .into_iter()
        .flatten()
        .filter_map(|candidate| {
            let at = moment.resolve(&Resolve {
                date: Some(candidate),
                year,
                zone,
            })?;
            Some(((at.at - started).abs(), candidate))
        })
        .min()
        .map(|(_, candidate)| candidate)
}

/// Whether an event says the incident was resolved ("Incident declared resolved",
/// "Resolved.", "all clear"); "DNS resolved to the old address" does not.
pub(crate) fn says_resolved(text: &str) -> bool {
    says(
        text,
        "resolved",
        &["incident closed", "all clear", "all-clear"],
        &["esolved", "ESOLVED", "lear", "LEAR", "losed", "LOSED"],
    )
}

/// Whether an event says the incident was mitigated ("Mitigated.", "**Mitigated**").
pub(crate) fn says_mitigated(text: &str) -> bool {
    says(text, "mitigated", &[], &["itigated", "ITIGATED"])
}

/// `word` as a status: the event's first word, a word starting a sentence, or after
/// "incident", "issue", "declared", "marked" or "as"; or any of `phrases`. `hints` are
/// substrings one of which any match contains, to rule most entries out quickly.
fn says(text: &str, word: &str, phrases: &[&str], hints: &[&str]) -> bool {
    // Most entries mention none of it. The standard library's substring search is
    // vectorized, so a few searches for the words without their first letter ("esolved"
    // finds "Resolved" and "resolved") say so far faster than reading every letter.
    if !hints.iter().any(|hint| text.contains(hint)) {
        return false;
    }
    let lower = text.to_lowercase();
    if phrases.iter().any(|p| lower.contains(p)) {
        return true;
    }
    let plain: String = lower
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '.' {
                c
            } else {
                ' '
            }
        })
        .collect();
    let tokens: Vec<&str> = plain.split_whitespace().collect();
    tokens.iter().enumerate().any(|(i, token)| {
        token.trim_end_matches('.') == word
            && (i == 0
                || tokens[i - 1].ends_with('.')
                || [
                    "incident", "issue", "outage", "declared", "marked", "as", "fully",
                ]
                .contains(&tokens[i - 1]))
    })
}

/// Whether `haystack` contains any of the lowercase ASCII `needles`, ignoring ASCII case,
/// in one pass over its bytes.
fn contains_any_ignoring_case(haystack: &str, needles: &[&str]) -> bool {
    let bytes = haystack.as_bytes();
    (0..bytes.len()).any(|at| {
        let lower = bytes[at].to_ascii_lowercase();
        needles.iter().any(|needle| {
            let needle = needle.as_bytes();
            needle.first() == Some(&lower)
                && bytes
                    .get(at..at + needle.len())
                    .is_some_and(|w| w.eq_ignore_ascii_case(needle))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    /// The events of `body` as "line: RFC 3339 time | text".
    fn check(body: &str, started: Option<&str>, expected: &[&str]) {
        let doc = Doc::parse(body, 1);
        let context = Context {
            started: started.map(utc),
            date: None,
            zone: Zone::UTC,
            order: None,
        };
        let got: Vec<String> = timeline(&doc, &context)
            .iter()
            .map(|e| {
                format!(
                    "{}: {} | {}",
                    e.line,
                    e.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    e.text
                )
            })
            .collect();
        assert_eq!(got, expected, "{body}");
    }

    #[test]
    fn days_roll_over_and_meridiems_carry() {
        check(
            "## Timeline\n\n- 11:30 PM: paged\n- 11:55 PM: rollback\n- 12:20 AM: recovered\n",
            Some("2024-02-10T23:30:00Z"),
            &[
                "3: 2024-02-10T23:30:00Z | paged",
                "4: 2024-02-10T23:55:00Z | rollback",
                "5: 2024-02-11T00:20:00Z | recovered",
            ],
        );
        check(
            "## Timeline\n\n- 11:30 AM: a\n- 12:30 PM: b\n- 1:00: c\n",
            Some("2024-02-10T11:30:00Z"),
            &[
                "3: 2024-02-10T11:30:00Z | a",
                "4: 2024-02-10T12:30:00Z | b",
                "5: 2024-02-10T13:00:00Z | c",
            ],
        );
    }

    #[test]
    fn zones_dates_and_tables() {
        check(
            "## Timeline (UTC)\n\n| Time | Event |\n|---|---|\n| 2023-03-13 22:00 | disk at 90% |\n| 07:31 | disk at 98% |\n",
            Some("2023-03-14T07:48:00Z"),
            &[
                "5: 2023-03-13T22:00:00Z | disk at 90%",
                "6: 2023-03-14T07:31:00Z | disk at 98%",
            ],
        );
        check(
            "## Timeline\n\nTimes are Eastern (UTC−5).\n\n- **10:00** — banner live\n",
            Some("2022-11-25T15:00:00Z"),
            &["5: 2022-11-25T15:00:00Z | banner live"],
        );
        check(
            "# Notes\n\n- Timeline:\n  - 23:50 CET deploy\n  - 00:10 errors\n",
            Some("2024-03-01T23:10:00Z"),
            &[
                "4: 2024-03-01T22:50:00Z | deploy",
                "5: 2024-03-01T23:10:00Z | errors",
            ],
        );
    }

    #[test]
    fn status_words() {
        assert!(says_resolved(
            "Incident declared resolved as service returned"
        ));
        assert!(says_resolved("Error rate at baseline. **Resolved.**"));
        assert!(says_resolved("Incident resolved and status page updated"));
        assert!(!says_resolved("DNS resolved to the old address"));
        assert!(says_mitigated(
            "Checkout success rate back above 99%. Mitigated."
        ));
    }
}
