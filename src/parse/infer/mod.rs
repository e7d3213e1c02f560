//! Metadata from the prose of postmortems written without front matter (pure: no I/O).
//!
//! Many teams write postmortems as documents, not records: "Duration: February 10, 2024,
//! 9:00 AM - February 11, 2024, 2:00 PM (UTC)", "Impact: ...", a timeline of bullets, a
//! "Tasks" list. [`infer`] reads what such a document states and keeps, for every value,
//! the line and the words it came from ([`Evidence`]), so pages and `hindsight check` can
//! mark the value as inferred and a reader can verify it. The rules, in order of trust:
//!
//! 1. Label lines ("Start: ...", "Duration: ...", "Root cause: ...", "Time to detection:
//!    5 minutes", "Category: caching"), as list items, paragraphs or two-column table rows.
//! 2. Sections under headings ("## Impact", "## Root cause", "## Action items").
//! 3. The timeline ([`timeline`]): its first event dates a start nobody stated, an event
//!    saying "resolved" dates an end, and so on.
//! 4. A date in a heading or in the file name (`2024-02-10-...`), for the day alone.
//!
//! Times without a zone are read in the zone the document names ("All times UTC", the zone
//! of its first stated time), else the site's. Nothing is invented: a value with no
//! evidence stays unknown.

mod classify;
pub(crate) mod doc;
mod items;
mod labels;
mod texts;
mod timeline;
pub(crate) mod when;

use chrono::{DateTime, TimeDelta, Utc};

use crate::model::config::Config;
use crate::model::inference::{Evidence, Inference, Inferred, TimelineEvent};
use doc::{Doc, words};
use labels::{
    DETECTED, END, LENGTH, Labeled, MITIGATED, START, TIME_TO_DETECT, TIME_TO_MITIGATE, WINDOW,
    anchor_date, evidence, inferred, is, label_lines, labeled_items, stated_zone,
};
use texts::read_texts;
pub(crate) use timeline::{
    Context as TimelineContext, says_mitigated, says_resolved, timeline, timeline_of_body,
};
use when::{Moment, Resolve, Zone};

/// What [`infer`] reads.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The document (the whole file: it has no front matter).
    pub body: &'a str,
    /// The line of the file `body` starts on.
    pub first_line: u32,
    /// The file name without extension, for a date such as `2024-02-10-...`.
    pub stem: &'a str,
    /// The incident's title, for services and the category when the text says little.
    pub title: &'a str,
    pub config: &'a Config,
}

/// Reads the metadata `input`'s text states; see the module documentation for the rules.
pub fn infer(input: &Input<'_>) -> Inference {
    let config = input.config;
    let doc = Doc::parse(input.body, input.first_line);
    let labeled = label_lines(&doc);
    let anchor = anchor_date(&doc, &labeled, input.stem);
    let year = anchor.as_ref().map(|(d, _)| chrono::Datelike::year(d));
    // The first stated time's zone is the document's, unless it says otherwise.
    let first_zone = labeled
        .iter()
        .filter(|l| is(&l.name, START) || is(&l.name, WINDOW) || is(&l.name, END))
        .find_map(|l| when::find_moment(l.value).and_then(|m| m.zone));
    let zone = stated_zone(&doc, &labeled)
        .or(first_zone)
        .unwrap_or(Zone::of(config.tz()));
    let context = Resolve {
        date: anchor.as_ref().map(|(d, _)| *d),
        year,
        zone,
    };
    let at = |l: &Labeled<'_, '_>, moment: &Moment, context: &Resolve| {
        let resolved = moment.resolve(context)?;
        inferred(
            resolved.at,
            evidence(l.line, &l.value[moment.start..moment.end]),
        )
    };

    let mut inference = Inference::default();
    let mut length: Option<Inferred<TimeDelta>> = None;
    let mut time_to_detect: Option<Inferred<TimeDelta>> = None;
    let mut time_to_mitigate: Option<Inferred<TimeDelta>> = None;
    for l in &labeled {
        let name = l.name.as_str();
        let moment = || when::find_moment(l.value);
        let span = |delta: TimeDelta, start: usize, end: usize| {
            inferred(delta, evidence(l.line, &l.value[start..end]))
        };
        if is(name, START) && inference.started_at.is_none() {
            inference.started_at = moment().and_then(|m| at(l, &m, &context));
        } else if is(name, END) && inference.resolved_at.is_none() {
            inference.resolved_at = moment().and_then(|m| at(l, &m, &context));
        } else if is(name, DETECTED) && inference.detected_at.is_none() {
            inference.detected_at = moment().and_then(|m| at(l, &m, &context));
        } else if is(name, MITIGATED) && inference.mitigated_at.is_none() {
            inference.mitigated_at = moment().and_then(|m| at(l, &m, &context));
        }
        if is(name, WINDOW)
            && inference.started_at.is_none()
            && let Some((from, to)) = when::find_range(l.value)
            && let Some(start) = at(l, &from, &context)
        {
            // An end without a day is on the start's day, or the next when it is earlier.
            let start_day = context.zone.date_of(start.value);
            let end_context = Resolve {
                date: Some(start_day),
                ..context
            };
            let mut end = at(l, &to, &end_context);
            if let Some(end) = &mut end
                && to.date.is_none()
                && end.value < start.value
            {
                end.value += TimeDelta::days(1);
            }
            inference.started_at = Some(start);
            if inference.resolved_at.is_none() {
                inference.resolved_at = end;
            }
            continue;
        }
        // "Date: 2024-02-10 09:00 UTC" states the start when it gives a time.
        if is(
            name,
            &["date", "when", "time", "incident date", "occurred on"],
        ) && inference.started_at.is_none()
            && let Some(found) = moment().filter(|m| m.clock.is_some())
        {
            inference.started_at = at(l, &found, &context);
            continue;
        }
        let as_length = || {
            when::find_duration(l.value)
                .and_then(|(d, s, e)| span(d, s, e))
                .or_else(|| when::clock_duration(l.value).and_then(|d| span(d, 0, l.value.len())))
        };
        if is(name, LENGTH) && length.is_none() {
            length = as_length();
        } else if is(name, TIME_TO_DETECT) && time_to_detect.is_none() {
            time_to_detect = as_length();
        } else if is(name, TIME_TO_MITIGATE) && time_to_mitigate.is_none() {
            time_to_mitigate = as_length();
        }
    }
    inference.timeline = timeline(
        &doc,
        &TimelineContext {
            started: inference.started_at.as_ref().map(|s| s.value),
            date: context.date,
            zone,
        },
    );
    // A start nobody stated is the timeline's first timed entry; then lengths stated in
    // the text ("Time to recovery: 19 hours") come before what the timeline's words say.
    if inference.started_at.is_none() {
        inference.started_at = inference
            .timeline
            .iter()
            .find(|e| !e.date_only)
            .and_then(event_evidence);
    }
    let plus = |base: &Option<Inferred<DateTime<Utc>>>, delta: &Option<Inferred<TimeDelta>>| {
        let (base, delta) = (base.as_ref()?, delta.as_ref()?);
        inferred(base.value + delta.value, delta.evidence.clone())
    };
    for (value, delta) in [
        (&mut inference.resolved_at, &length),
        (&mut inference.detected_at, &time_to_detect),
        (&mut inference.mitigated_at, &time_to_mitigate),
    ] {
        if value.is_none() {
            *value = plus(&inference.started_at, delta);
        }
    }
    from_timeline(&mut inference);
    if inference.started_at.is_none()
        && let Some((date, evidence)) = anchor
        && let Some(midnight) = zone.to_utc(date.and_time(chrono::NaiveTime::MIN))
    {
        inference.started_at = inferred(midnight, evidence);
    }

    read_texts(&mut inference, &doc, &labeled, input);
    inference.action_items = items::action_items(&doc, &labeled_items(&labeled), year);
    inference
}

/// A timeline entry as the evidence of a time.
fn event_evidence(e: &TimelineEvent) -> Option<Inferred<DateTime<Utc>>> {
    inferred(
        e.at,
        Evidence {
            line: e.line,
            col: e.col,
            text: e.when.clone(),
        },
    )
}

/// Fills the times the labels left open from what the timeline's entries say.
fn from_timeline(inference: &mut Inference) {
    let event = event_evidence;
    let timed = || inference.timeline.iter().filter(|e| !e.date_only);
    let start = inference.started_at.as_ref().map(|s| s.value);
    let after_start = |e: &&TimelineEvent| start.is_none_or(|s| e.at >= s);
    if inference.resolved_at.is_none() {
        inference.resolved_at = timed().rfind(|e| says_resolved(&e.text)).and_then(event);
    }
    if inference.mitigated_at.is_none() {
        inference.mitigated_at = timed()
            .filter(after_start)
            .find(|e| says_mitigated(&e.text))
            .and_then(event);
    }
    if inference.detected_at.is_none() {
        let detection = ["detected", "alert", "alerted", "alerts", "paged", "noticed"];
        inference.detected_at = timed()
            .filter(after_start)
            .find(|e| {
                let lower = words(&e.text);
                lower.split(' ').any(|w| detection.contains(&w))
            })
            .and_then(event);
    }
}

#[cfg(test)]
mod tests;
