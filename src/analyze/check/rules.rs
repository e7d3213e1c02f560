//! The per-file rules: required fields (H015), timeline order and consistency (H016,
//! H017, and H006 for inferred times), repeated heading ids (H019), action items without
//! an owner or a due date (H020), and placeholders left in a final postmortem (H021).

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;

use crate::model::action_item::ActionStatus;
use crate::model::config::Config;
use crate::model::diagnostics::{Code, Diagnostic};
use crate::model::field::Field;
use crate::model::incident::{Incident, Status, TocEntry};
use crate::model::inference::{Inferred, TimelineEvent};
use crate::parse::frontmatter::Pos;
use crate::parse::infer;
use crate::parse::infer::doc::{Doc, LineKind};
use crate::parse::infer::when::{self, Zone};
use crate::parse::markdown::slugify_heading;

pub(super) struct Lints<'a> {
    pub(super) incident: &'a Incident,
    pub(super) text: &'a str,
    pub(super) config: &'a Config,
    pub(super) tz: Tz,
    pub(super) found: Vec<Diagnostic>,
}

impl Lints<'_> {
    fn warn(&mut self, code: Code, line: u32, col: u32, message: String, help: &str) {
        let diagnostic = Diagnostic::warning(code, &self.incident.source, message).help(help);
        let diagnostic = if line > 0 {
            diagnostic.at(line, col, self.text)
        } else {
            diagnostic
        };
        self.found.push(diagnostic);
    }

    fn time(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.tz)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string()
    }

    /// H015: the fields the status requires. Documents without front matter already get
    /// H010, which says what to do about all of them.
    pub(super) fn required_fields(&mut self) {
        let incident = self.incident;
        if !incident.has_front_matter {
            return;
        }
        let required = &self.config.check.required;
        let (status, fields) = match incident.status {
            Status::Draft => ("draft", &required.draft),
            Status::Review => ("review", &required.review),
            Status::Final => ("final", &required.final_),
        };
        // A missing title already has its own warning (H011).
        let missing: Vec<&str> = fields
            .iter()
            .filter(|&&f| f != Field::Title && !incident.positions.present.contains(&f))
            .map(|f| f.name())
            .collect();
        if missing.is_empty() {
            return;
        }
        // The closing `---` of the front matter, where the fields would go.
        let line = incident.positions.body_line.saturating_sub(1).max(1);
        self.warn(
            Code::H015,
            line,
            1,
            format!("{status} postmortem is missing {}", missing.join(", ")),
            "add the missing fields to the front matter; [check.required] in hindsight.toml sets what each status needs",
        );
    }

    /// H020: open action items name an owner and a due date (as `[check]` asks).
    pub(super) fn action_items(&mut self) {
        let incident = self.incident;
        if !incident.has_front_matter {
            return;
        }
        let wanted = &self.config.check.action_items;
        let (need_owner, need_due) = (
            wanted.iter().any(|w| w == "owner"),
            wanted.iter().any(|w| w == "due"),
        );
        for item in &incident.action_items {
            if item.status != ActionStatus::Open {
                continue;
            }
            let missing: Vec<&str> = [
                (need_owner && item.owner.is_none(), "owner"),
                (need_due && item.due.is_none(), "due date"),
            ]
            .into_iter()
            .filter_map(|(missing, what)| missing.then_some(what))
            .collect();
            if missing.is_empty() {
                continue;
            }
            let pos = item.pos.unwrap_or(Pos { line: 0, col: 0 });
            self.warn(
                Code::H020,
                pos.line,
                pos.col,
                format!(
                    "open action item \"{}\" has no {}",
                    item.title,
                    missing.join(" and no ")
                ),
                "add `owner:` and `due:` to the item, or set its `status:` to done or wontfix",
            );
        }
    }

    /// H021: a final postmortem still holds TODO, TBD or another placeholder, outside code.
    pub(super) fn placeholders(&mut self) {
        if self.incident.status != Status::Final {
            return;
        }
        let words = &self.config.check.placeholders;
        // Most files hold none, and one search of the whole text says so.
        if !words.iter().any(|w| self.text.contains(w.as_str())) {
            return;
        }
        let mut in_fence = false;
        let mut found = Vec::new();
        for (i, line) in self.text.lines().enumerate() {
            let trimmed = line.trim_start();
            if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                in_fence = !in_fence;
                continue;
            }
            if in_fence {
                continue;
            }
            for word in words {
                for (at, _) in line.match_indices(word.as_str()) {
                    let before = line[..at].chars().next_back();
                    let after = line[at + word.len()..].chars().next();
                    let boundary =
                        |c: Option<char>| !c.is_some_and(|c| c.is_alphanumeric() || c == '_');
                    let in_code = line[..at].matches('`').count() % 2 == 1;
                    if boundary(before) && boundary(after) && !in_code {
                        let col = line[..at].chars().count() as u32 + 1;
                        found.push((i as u32 + 1, col, word.clone()));
                    }
                }
            }
        }
        found.sort();
        for (line, col, word) in found {
            self.warn(
                Code::H021,
                line,
                col,
                format!("final postmortem still says \"{word}\""),
                "finish this part, or set `status: draft` (or review) until it is done",
            );
        }
    }

    /// H019: headings that would get the same id; links to the later ones would go to the
    /// first (the renderer gives them `-1`, `-2` suffixes).
    pub(super) fn headings(&mut self, doc: &Doc<'_>) {
        // A postmortem has a dozen headings; a list is faster than a map at that size.
        let mut seen: Vec<(String, u32)> = Vec::new();
        for line in &doc.lines {
            let LineKind::Heading { text, .. } = line.kind else {
                continue;
            };
            let id = heading_id(text);
            match seen
                .iter()
                .find(|(other, _)| *other == id)
                .map(|(_, first)| *first)
            {
                Some(first) => {
                    let col = line.col_of(text);
                    self.warn(
                        Code::H019,
                        line.number,
                        col,
                        format!("heading \"{text}\" has the same id `{id}` as the heading on line {first}"),
                        "rename one of them, or give this one its own id with `{#another-id}`",
                    );
                }
                None => seen.push((id, line.number)),
            }
        }
    }

    /// H016 and H017: the timeline in order, and in agreement with the stated times.
    /// Returns the timeline read from the text, for an incident whose metadata was not
    /// inferred (pages draw it); empty for one whose was, which has its own.
    pub(super) fn timeline(
        &mut self,
        body: &str,
        first_line: u32,
        whole: Option<&Doc<'_>>,
    ) -> Vec<TimelineEvent> {
        let incident = self.incident;
        let computed = match &incident.inferred {
            Some(_) => Vec::new(),
            None => timeline_of_text(incident, self.config, body, first_line, whole),
        };
        let events: &[TimelineEvent] = match incident.inference() {
            Some(inferred) => &inferred.timeline,
            None => &computed,
        };
        self.timeline_order(events);
        self.timeline_agreement(events);
        computed
    }

    /// H016: each entry no earlier than the one before it, allowing for entries that give
    /// only a day or leave out the minutes.
    fn timeline_order(&mut self, events: &[TimelineEvent]) {
        for pair in events.windows(2) {
            let (before, event) = (&pair[0], &pair[1]);
            let earlier = if before.date_only || event.date_only {
                event.at.date_naive() < before.at.date_naive()
            } else {
                let slack = if before.approximate || event.approximate {
                    TimeDelta::minutes(59)
                } else {
                    TimeDelta::zero()
                };
                event.at + slack < before.at
            };
            if earlier {
                self.warn(
                    Code::H016,
                    event.line,
                    event.col,
                    format!(
                        "timeline entry \"{}\" is earlier than the entry before it (\"{}\", line {})",
                        event.when, before.when, before.line
                    ),
                    "put the entries in order, or give this one its date if it happened on another day",
                );
            }
        }
    }

    /// H017: the entries that say the incident was resolved or mitigated, against the
    /// stated `resolved_at` and `mitigated_at`.
    fn timeline_agreement(&mut self, events: &[TimelineEvent]) {
        let incident = self.incident;
        // Only a stated time can be contradicted, so entries are read only when there is one.
        let timed = || events.iter().filter(|e| !e.date_only);
        let checks = [
            (
                "resolved",
                "resolved_at",
                incident
                    .resolved_at
                    .and_then(|_| timed().rfind(|e| infer::says_resolved(&e.text))),
                incident.resolved_at,
                incident.inference().and_then(|i| i.resolved_at.as_ref()),
            ),
            (
                "mitigated",
                "mitigated_at",
                incident
                    .mitigated_at
                    .and_then(|_| timed().find(|e| infer::says_mitigated(&e.text))),
                incident.mitigated_at,
                incident.inference().and_then(|i| i.mitigated_at.as_ref()),
            ),
        ];
        for (verb, field, event, stated, inferred) in checks {
            let (Some(event), Some(stated)) = (event, stated) else {
                continue;
            };
            self.stated_time(verb, field, event, stated, inferred);
        }
    }

    /// H017 for one stated time: warns when the timeline's entry is further from it than
    /// the tolerance (and an hour more for an entry without minutes).
    fn stated_time(
        &mut self,
        verb: &str,
        field: &str,
        event: &TimelineEvent,
        stated: DateTime<Utc>,
        inferred: Option<&Inferred<DateTime<Utc>>>,
    ) {
        let tolerance = TimeDelta::minutes(i64::from(self.config.check.timeline_tolerance_minutes));
        let approximate = if event.approximate {
            TimeDelta::minutes(59)
        } else {
            TimeDelta::zero()
        };
        let difference = event.at - stated;
        if difference.abs() <= tolerance + approximate {
            return;
        }
        let source = match inferred {
            Some(v) if v.evidence.line > 0 => {
                format!(" (inferred from line {})", v.evidence.line)
            }
            Some(_) => " (inferred from the file name)".to_string(),
            None => String::new(),
        };
        // A timeline read from prose that gave the stated time itself cannot disagree.
        if inferred.is_some_and(|v| v.evidence.line == event.line) {
            return;
        }
        self.warn(
            Code::H017,
            event.line,
            event.col,
            format!(
                "the timeline says the incident was {verb} at {}, but {field} is {}{source}",
                self.time(event.at),
                self.time(stated)
            ),
            &format!("correct the timeline entry or {field}: the durations on the incident's page are computed from {field}"),
        );
    }

    /// H006 for inferred times: the prose stated an end (or detection) before its start.
    pub(super) fn inferred_order(&mut self) {
        let Some(inferred) = self.incident.inference() else {
            return;
        };
        let Some(started) = &inferred.started_at else {
            return;
        };
        for (field, value) in [
            ("resolved_at", &inferred.resolved_at),
            ("detected_at", &inferred.detected_at),
            ("mitigated_at", &inferred.mitigated_at),
        ] {
            let Some(value) = value else { continue };
            if value.value < started.value {
                let message = format!(
                    "inferred {field} ({}) is before the inferred started_at ({}, line {})",
                    self.time(value.value),
                    self.time(started.value),
                    started.evidence.line
                );
                self.warn(
                    Code::H006,
                    value.evidence.line,
                    value.evidence.col,
                    message,
                    "check the dates and time zones in the text; run `hindsight check` to see what was read",
                );
            }
        }
    }
}

/// Reads the timeline from the text of `incident`'s body (`whole`, when the body was
/// parsed whole), for an incident whose values were not inferred from its prose (and so
/// whose timeline was not read when it was parsed).
pub(super) fn timeline_of_text(
    incident: &Incident,
    config: &Config,
    body: &str,
    first_line: u32,
    whole: Option<&Doc<'_>>,
) -> Vec<TimelineEvent> {
    let stem = incident.source.rsplit('/').next().unwrap_or_default();
    let context = infer::TimelineContext {
        started: incident.started_at,
        date: when::date_in_name(stem),
        // Read in the zone the front matter's times name ("Denver", "PDT"), else the
        // site's: an author who wrote one kept the incident's clock in it.
        zone: incident.positions.zone.unwrap_or(Zone::of(config.tz())),
        order: config.date_order,
    };
    match whole {
        Some(doc) => infer::timeline(doc, &context),
        None => infer::timeline_of_body(body, first_line, &context),
    }
}

/// Whether two headings of the incident may share an id: the renderer suffixes a repeated
/// id with "-1", "-2", so an id ending in a dash and digits is the sign ("Step 2" gives a
/// false alarm, which only costs a closer look). The table of contents holds headings of
/// levels 1 to 4, so repeats among deeper headings are not seen.
pub(super) fn may_repeat_an_id(toc: &[TocEntry]) -> bool {
    toc.iter().any(|entry| {
        entry
            .id
            .rsplit_once('-')
            .is_some_and(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// The id the renderer gives a heading: its explicit `{#id}`, else its text made a slug.
fn heading_id(text: &str) -> String {
    let text = text.trim();
    if let Some(open) = text.rfind('{')
        && text.ends_with('}')
    {
        let attributes = &text[open + 1..text.len() - 1];
        if let Some(id) = attributes
            .split_whitespace()
            .find_map(|a| a.strip_prefix('#'))
        {
            return id.to_string();
        }
        return slugify_heading(&plain(&text[..open]));
    }
    slugify_heading(&plain(text))
}

/// Heading text without link targets, which the renderer does not show.
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("](") {
        out.push_str(&rest[..at]);
        rest = &rest[at + 2..];
        match rest.find(')') {
            Some(end) => rest = &rest[end + 1..],
            None => rest = "",
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_ids_match_the_renderer() {
        for (heading, id) in [
            ("Timeline", "timeline"),
            ("Root *cause*: DNS", "root-cause-dns"),
            ("See [the runbook](https://x.example/a)", "see-the-runbook"),
            ("Details {#more}", "more"),
        ] {
            assert_eq!(heading_id(heading), id, "{heading}");
        }
    }
}
