//! The times of one postmortem: its four timestamps, the durations it records as values
//! (`duration: 45m`), and the problems only they show: times out of order (H006), a
//! duration that cannot be read or has no unit (H024), a recorded duration the
//! timestamps contradict (H025), and a zone abbreviation of the wrong season (H026).

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;

use super::{FieldReader, Fields, display_scalar};
use crate::model::diagnostics::{Code, Diagnostic};
use crate::model::field::Field;
use crate::model::incident::Recorded;
use crate::model::time::duration::{self, EXPECTED_DURATIONS, MINUTES, show, unit_in_name};
use crate::model::time::order::{self, DateOrder};
use crate::model::time::zone::{SeasonMismatch, Zone, show_offset};
use crate::model::time::{Length, Timestamp, parse_duration, parse_timestamp};
use crate::parse::frontmatter::{Node, Value};

/// A timestamp value as front matter holds it: in the shapes of [`parse_timestamp`], with a
/// leading `03/04/2022` read in the site's `order`, else as people write a date and time
/// ("February 10, 2024 9:00 AM PST", "10.02.2024 14:00"), whose zone is then read as in the
/// ISO shapes. Times without a zone are in `tz`.
pub fn read_timestamp(text: &str, tz: Tz, order: Option<DateOrder>) -> Result<Timestamp, String> {
    let reordered = match order {
        Some(order) => order.to_iso(text)?,
        None => None,
    };
    let text = reordered.as_deref().unwrap_or(text);
    parse_timestamp(text, tz).or_else(|message| {
        let text = text.trim();
        let Some((day, time, end)) = when::written_date_time(text, order) else {
            return Err(order::ambiguous(text).unwrap_or(message));
        };
        let zone = &text[end..];
        match time {
            Some(time) => parse_timestamp(&format!("{day} {time}{zone}"), tz),
            None if zone.trim().is_empty() => parse_timestamp(&day.to_string(), tz),
            None => Err(message),
        }
    })
}
use crate::parse::infer::when;

/// The four timestamps of an incident, and the zone they were written in.
pub(super) struct Times {
    pub(super) started_at: Option<DateTime<Utc>>,
    pub(super) detected_at: Option<DateTime<Utc>>,
    pub(super) mitigated_at: Option<DateTime<Utc>>,
    pub(super) resolved_at: Option<DateTime<Utc>>,
    /// The zone the first of them that names one by name was written in (`Denver`,
    /// `PDT`, `UTC`): the clock the author kept, in which the body's timeline is read.
    pub(super) zone: Option<Zone>,
    /// Those written as a day alone.
    pub(super) day_only: Vec<Field>,
}

/// The four timestamps, in the order of [`Times`].
const TIMES: [Field; 4] = [
    Field::StartedAt,
    Field::DetectedAt,
    Field::MitigatedAt,
    Field::ResolvedAt,
];

/// A recorded span and the timestamps that give the same span, by canonical field.
const SPANS: [(Field, Field); 4] = [
    (Field::Duration, Field::ResolvedAt),
    (Field::TimeToResolve, Field::ResolvedAt),
    (Field::TimeToDetect, Field::DetectedAt),
    (Field::TimeToMitigate, Field::MitigatedAt),
];

impl FieldReader<'_, '_> {
    /// The four timestamps, with H006 for one before the start (an error for the end).
    pub(super) fn times(&mut self, fields: &Fields<'_>) -> Times {
        let mut stamp = |canonical| {
            fields
                .get(canonical)
                .and_then(|(name, node)| self.timestamp(name, node))
        };
        let stamps = TIMES.map(&mut stamp);
        let zone = stamps.iter().flatten().find_map(|s| s.named_zone);
        let day_only = TIMES
            .into_iter()
            .zip(&stamps)
            .filter(|(_, stamp)| stamp.as_ref().is_some_and(|s| s.date_only))
            .map(|(field, _)| field)
            .collect();
        let [started_at, detected_at, mitigated_at, resolved_at] =
            stamps.map(|s| s.map(|s| s.instant));
        let times = Times {
            started_at,
            detected_at,
            mitigated_at,
            resolved_at,
            zone,
            day_only,
        };
        self.out_of_order(fields, &times);
        times
    }

    /// H006 for a time before the start: an error for the end, a warning for the others.
    fn out_of_order(&mut self, fields: &Fields<'_>, times: &Times) {
        let Some(started) = times.started_at else {
            return;
        };
        for (canonical, at, is_error) in [
            (Field::ResolvedAt, times.resolved_at, true),
            (Field::DetectedAt, times.detected_at, false),
            (Field::MitigatedAt, times.mitigated_at, false),
        ] {
            if let (Some(at), Some((name, node))) = (at, fields.get(canonical))
                && at < started
            {
                let message = format!(
                    "{name} is before started_at ({} < {})",
                    at.format("%Y-%m-%d %H:%M"),
                    started.format("%Y-%m-%d %H:%M")
                );
                let diagnostic = if is_error {
                    Diagnostic::error(Code::H006, self.path, message)
                } else {
                    Diagnostic::warning(Code::H006, self.path, message)
                };
                self.diagnostics.push(
                    diagnostic
                        .at(node.pos.line, node.pos.col, self.text)
                        .field(name)
                        .help("check the date and the time zone of both timestamps"),
                );
            }
        }
    }

    /// A timestamp, with H005 when it cannot be read and H026 when its zone abbreviation
    /// names the other season.
    pub(super) fn timestamp(&mut self, field: &str, node: &Node) -> Option<Timestamp> {
        let text = match &node.value {
            Value::String(s) => s.as_str(),
            Value::Null => return None,
            _ => {
                self.wrong_type(field, node, "a timestamp such as 2024-02-10T09:00:00Z");
                return None;
            }
        };
        match read_timestamp(text, self.tz, self.config.date_order) {
            Ok(stamp) => {
                if let Some(mismatch) = &stamp.season_mismatch {
                    self.season_mismatch(field, node, mismatch);
                }
                Some(stamp)
            }
            Err(message) => {
                self.error(Code::H005, field, node, &format!("\"{text}\": {message}"));
                None
            }
        }
    }

    /// H026: "CET given for 2024-07-01, when Central Europe was on CEST (+02:00); read as
    /// +01:00 as written".
    fn season_mismatch(&mut self, field: &str, node: &Node, mismatch: &SeasonMismatch) {
        let zone = mismatch.region.tz.name();
        let offset = show_offset(mismatch.actual_offset);
        self.diagnostics.push(
            Diagnostic::warning(Code::H026, self.path, mismatch.to_string())
                .at(node.pos.line, node.pos.col, self.text)
                .field(field)
                .help(format!(
                    "write the offset the clocks showed ({offset}) or the zone's name ({zone}), which follows summer time; if {} is right where the incident happened, lower H026 in [check.levels]",
                    mismatch.given.name
                )),
        );
    }

    /// The durations recorded as values, with H025 where the timestamps give another span.
    pub(super) fn recorded(&mut self, fields: &Fields<'_>, times: &Times) -> Recorded {
        let mut read = |canonical| {
            let (name, node) = fields.get(canonical)?;
            let value = self.duration(canonical, name, node)?;
            let end = match canonical {
                Field::TimeToDetect => times.detected_at,
                Field::TimeToMitigate => times.mitigated_at,
                _ => times.resolved_at,
            };
            if let (Some(start), Some(end)) = (times.started_at, end)
                && end >= start
                && disagree(value, end - start)
            {
                self.contradicted(fields, canonical, (name, node), value, end - start);
            }
            Some(value)
        };
        let [duration, time_to_resolve, time_to_detect, time_to_mitigate] =
            SPANS.map(|(canonical, _)| read(canonical));
        Recorded {
            duration,
            time_to_detect,
            time_to_mitigate,
            time_to_resolve,
        }
    }

    /// A recorded duration: text in any accepted shape, or a bare number in the unit the
    /// field's name states, else minutes (with an H024 saying so). H024 when it cannot be
    /// read.
    fn duration(&mut self, canonical: Field, field: &str, node: &Node) -> Option<TimeDelta> {
        let length = match &node.value {
            Value::String(text) => parse_duration(text),
            Value::Int(n) => Ok(Length::Bare(*n as f64)),
            Value::Float(f) => Ok(Length::Bare(*f)),
            _ => Err(duration::EXPECTED_DURATIONS.to_string()),
        };
        let unreadable = |reader: &mut Self, message: String| {
            reader.duration_warning(field, node, message, EXPECTED_DURATIONS);
            None
        };
        match length {
            Ok(Length::Stated(delta)) => Some(delta),
            Ok(Length::Bare(amount)) => {
                let Some(delta) =
                    duration::from_bare(amount, unit_in_name(field).unwrap_or(MINUTES))
                else {
                    let shown = display_scalar(node);
                    return unreadable(self, format!("\"{shown}\" is out of range"));
                };
                if unit_in_name(field).is_none() && amount != 0.0 {
                    self.bare_minutes(canonical, field, node);
                }
                Some(delta)
            }
            Err(message) => {
                let shown = display_scalar(node);
                unreadable(self, format!("\"{shown}\" is not a duration ({message})"))
            }
        }
    }

    fn duration_warning(&mut self, field: &str, node: &Node, message: String, help: &str) {
        self.diagnostics.push(
            Diagnostic::warning(Code::H024, self.path, message)
                .at(node.pos.line, node.pos.col, self.text)
                .field(field)
                .help(help.to_string()),
        );
    }

    /// H024 for a number without a unit, read as minutes.
    fn bare_minutes(&mut self, canonical: Field, field: &str, node: &Node) {
        let shown = display_scalar(node);
        let message = format!("{shown} has no unit; read as {shown} minutes");
        let help = format!(
            "write the unit ({shown}m, {shown} min, {shown}h), or keep numbers in a field named for their unit and map it in [fields] ({canonical} = [\"{canonical}_minutes\"]); if every bare number of the archive is minutes, lower H024 in [check.levels]"
        );
        self.duration_warning(field, node, message, &help);
    }

    /// H025: a recorded span the timestamps contradict, naming both values.
    fn contradicted(
        &mut self,
        fields: &Fields<'_>,
        canonical: Field,
        (name, node): (&str, &Node),
        recorded: TimeDelta,
        computed: TimeDelta,
    ) {
        let end = SPANS
            .iter()
            .find(|(field, _)| *field == canonical)
            .map_or(Field::ResolvedAt, |(_, end)| *end);
        let name_of = |field: Field| fields.get(field).map_or(field.name(), |(name, _)| name);
        let message = format!(
            "recorded {}, but {} and {} give {}; pages use the timestamps",
            show(recorded),
            name_of(Field::StartedAt),
            name_of(end),
            show(computed)
        );
        self.diagnostics.push(
            Diagnostic::warning(Code::H025, self.path, message)
                .at(node.pos.line, node.pos.col, self.text)
                .field(name)
                .help("correct the value or the timestamps (and their time zones), or remove the value"),
        );
    }
}

/// Whether a recorded span and the timestamps' differ by more than a minute and more
/// than a tenth of the longer: rounding ("about 2 hours") is no contradiction.
fn disagree(recorded: TimeDelta, computed: TimeDelta) -> bool {
    let difference = (recorded - computed).abs();
    let longer = recorded.max(computed);
    difference > TimeDelta::minutes(1) && difference * 10 > longer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_no_contradiction() {
        let minutes = TimeDelta::minutes;
        for (recorded, computed, expected) in [
            (minutes(45), minutes(45), false),
            (minutes(120), minutes(125), false),
            (minutes(5), minutes(6), false),
            (minutes(45), minutes(130), true),
            (minutes(0), minutes(5), true),
            (minutes(600), minutes(700), true),
        ] {
            assert_eq!(
                disagree(recorded, computed),
                expected,
                "{recorded} {computed}"
            );
        }
    }
}
