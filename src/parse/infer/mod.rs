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
//! 4. A date in a heading or in the file name (`2024-02-10-...`), for the day alone: the
//!    day of times that leave it out, and, from a heading, the start when nothing else
//!    gives one (a file name's date is the incident's date hint instead, shown as such).
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

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use crate::model::config::Config;
use crate::model::inference::{Evidence, Inference, Inferred, TimelineEvent};
use crate::model::time::order::DateOrder;
use doc::{Doc, words};
use labels::{
    DETECTED, END, LENGTH, Labeled, MITIGATED, START, TIME_TO_DETECT, TIME_TO_MITIGATE,
    TIME_TO_RESOLVE, WINDOW, anchor_date, evidence, inferred, is, label_lines, labeled_items,
    stated_zone,
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
    let doc = Doc::parse(input.body, input.first_line);
    let labeled = label_lines(&doc);
    let order = input.config.date_order;
    let anchor = anchor_date(&doc, &labeled, input.stem, order);
    let context = resolve_context(&doc, &labeled, anchor.as_ref(), input.config);
    let (mut inference, lengths) = read_labels(&labeled, &context, order);
    inference.timeline = timeline(
        &doc,
        &TimelineContext {
            started: inference.started_at.as_ref().map(|s| s.value),
            date: context.date,
            zone: context.zone,
            order,
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
    lengths.add_to_start(&mut inference);
    from_timeline(&mut inference);
    // A day from a heading is the start's when nothing else gives one; a day from the
    // file name is not: the incident shows it as the file name's date, with no time.
    if inference.started_at.is_none()
        && let Some((date, evidence)) = anchor
        && evidence.line > 0
        && let Some(midnight) = context.zone.to_utc(date.and_time(chrono::NaiveTime::MIN))
    {
        inference.started_at = inferred(midnight, evidence);
    }

    read_texts(&mut inference, &doc, &labeled, input);
    inference.action_items = items::action_items(
        &doc,
        &labeled_items(&labeled),
        items::Dates {
            year: context.year,
            order,
        },
    );
    inference
}

/// How times that leave out their day, year or zone are read: on the anchor's day, in
/// the zone the document states, else the zone of its first stated time, else the site's.
fn resolve_context(
    doc: &Doc<'_>,
    labeled: &[Labeled<'_, '_>],
    anchor: Option<&(NaiveDate, Evidence)>,
    config: &Config,
) -> Resolve {
    // The first stated time's zone is the document's, unless it says otherwise.
    let first_zone = labeled
        .iter()
        .filter(|l| is(&l.name, START) || is(&l.name, WINDOW) || is(&l.name, END))
        .find_map(|l| when::find_moment(l.value, config.date_order).and_then(|m| m.zone));
    let zone = stated_zone(doc, labeled)
        .or(first_zone)
        .unwrap_or(Zone::of(config.tz()));
    Resolve {
        date: anchor.map(|(d, _)| *d),
        year: anchor.map(|(d, _)| chrono::Datelike::year(d)),
        zone,
    }
}

/// The lengths the label lines state, each added to the start for a time nobody stated.
#[derive(Default)]
struct Lengths {
    /// "Duration: 45 minutes": the start to the end.
    length: Option<Inferred<TimeDelta>>,
    /// "Time to recovery: 2 hours": the same span, by another name.
    time_to_resolve: Option<Inferred<TimeDelta>>,
    time_to_detect: Option<Inferred<TimeDelta>>,
    time_to_mitigate: Option<Inferred<TimeDelta>>,
}

impl Lengths {
    /// Fills the end, detection and mitigation times still unknown from the start plus
    /// the lengths stated; a length no start could take is kept as a recorded duration
    /// (`duration`, `time_to_detect`, ...), so it still reaches the page and the facets.
    fn add_to_start(mut self, inference: &mut Inference) {
        let plus = |base: &Option<Inferred<DateTime<Utc>>>, delta: &Option<Inferred<TimeDelta>>| {
            let (base, delta) = (base.as_ref()?, delta.as_ref()?);
            inferred(base.value + delta.value, delta.evidence.clone())
        };
        let end = if self.length.is_some() {
            &mut self.length
        } else {
            &mut self.time_to_resolve
        };
        for (value, delta) in [
            (&mut inference.resolved_at, end),
            (&mut inference.detected_at, &mut self.time_to_detect),
            (&mut inference.mitigated_at, &mut self.time_to_mitigate),
        ] {
            if value.is_none() {
                *value = plus(&inference.started_at, delta);
                if value.is_some() {
                    *delta = None;
                }
            }
        }
        inference.duration = self.length;
        inference.time_to_resolve = self.time_to_resolve;
        inference.time_to_detect = self.time_to_detect;
        inference.time_to_mitigate = self.time_to_mitigate;
    }
}

/// The times and lengths the label lines state, the first line of each kind winning.
fn read_labels(
    labeled: &[Labeled<'_, '_>],
    context: &Resolve,
    order: Option<DateOrder>,
) -> (Inference, Lengths) {
    let mut inference = Inference::default();
    let mut lengths = Lengths::default();
    for l in labeled {
        stated_time(l, context, order, &mut inference);
        if stated_window(l, context, order, &mut inference)
            || stated_date(l, context, order, &mut inference)
        {
            continue;
        }
        stated_length(l, &mut lengths);
    }
    (inference, lengths)
}

/// The instant `moment` of label line `l` names, with the words it was read from.
fn time_at(
    l: &Labeled<'_, '_>,
    moment: &Moment,
    context: &Resolve,
) -> Option<Inferred<DateTime<Utc>>> {
    let resolved = moment.resolve(context)?;
    inferred(
        resolved.at,
        evidence(l.line, &l.value[moment.start..moment.end]),
    )
}

/// A "Start:", "End:", "Detected:" or "Mitigated:" line, for the first of its kind.
fn stated_time(
    l: &Labeled<'_, '_>,
    context: &Resolve,
    order: Option<DateOrder>,
    inference: &mut Inference,
) {
    let name = l.name.as_str();
    let moment = || when::find_moment(l.value, order);
    if is(name, START) && inference.started_at.is_none() {
        inference.started_at = moment().and_then(|m| time_at(l, &m, context));
    } else if is(name, END) && inference.resolved_at.is_none() {
        inference.resolved_at = moment().and_then(|m| time_at(l, &m, context));
    } else if is(name, DETECTED) && inference.detected_at.is_none() {
        inference.detected_at = moment().and_then(|m| time_at(l, &m, context));
    } else if is(name, MITIGATED) && inference.mitigated_at.is_none() {
        inference.mitigated_at = moment().and_then(|m| time_at(l, &m, context));
    }
}

/// A "Duration: 9:00 - 11:30" window, when no start is known yet: the start and, unless
/// known, the end. Whether the line was one.
fn stated_window(
    l: &Labeled<'_, '_>,
    context: &Resolve,
    order: Option<DateOrder>,
    inference: &mut Inference,
) -> bool {
    if is(&l.name, WINDOW)
        && inference.started_at.is_none()
        && let Some((from, to)) = when::find_range(l.value, order)
        && let Some(start) = time_at(l, &from, context)
    {
        // An end without a day is on the start's day, or the next when it is earlier.
        let start_day = context.zone.date_of(start.value);
        let end_context = Resolve {
            date: Some(start_day),
            ..*context
        };
        let mut end = time_at(l, &to, &end_context);
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
        return true;
    }
    false
}

/// A "Date:" line that gives a time, when no start is known yet. Whether it was one.
fn stated_date(
    l: &Labeled<'_, '_>,
    context: &Resolve,
    order: Option<DateOrder>,
    inference: &mut Inference,
) -> bool {
    // "Date: 2024-02-10 09:00 UTC" states the start when it gives a time.
    if is(
        &l.name,
        &["date", "when", "time", "incident date", "occurred on"],
    ) && inference.started_at.is_none()
        && let Some(found) = when::find_moment(l.value, order).filter(|m| m.clock.is_some())
    {
        inference.started_at = time_at(l, &found, context);
        return true;
    }
    false
}

/// A "Duration:", "Time to recovery:", "Time to detection:" or "Time to mitigation:"
/// length, for the first of its kind.
fn stated_length(l: &Labeled<'_, '_>, lengths: &mut Lengths) {
    let name = l.name.as_str();
    let span = |delta: TimeDelta, start: usize, end: usize| {
        inferred(delta, evidence(l.line, &l.value[start..end]))
    };
    let as_length = || {
        when::find_duration(l.value)
            .and_then(|(d, s, e)| span(d, s, e))
            .or_else(|| when::clock_duration(l.value).and_then(|d| span(d, 0, l.value.len())))
    };
    if is(name, LENGTH) && lengths.length.is_none() {
        lengths.length = as_length();
    } else if is(name, TIME_TO_RESOLVE) && lengths.time_to_resolve.is_none() {
        lengths.time_to_resolve = as_length();
    } else if is(name, TIME_TO_DETECT) && lengths.time_to_detect.is_none() {
        lengths.time_to_detect = as_length();
    } else if is(name, TIME_TO_MITIGATE) && lengths.time_to_mitigate.is_none() {
        lengths.time_to_mitigate = as_length();
    }
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
