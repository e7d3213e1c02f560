//! Timestamps in the shapes real postmortem archives hold, resolved to UTC instants.
//!
//! chrono parses RFC 3339 strictly, but archives also hold `2024-02-10 9:05`, `2024-02-10`,
//! `2024-02-10 09:00 +0200` and `2024-02-10T09:00 Europe/Berlin`. No crate accepts exactly
//! that family while rejecting impossible dates with a useful message, so this module reads
//! the date, time and zone parts itself and leaves calendar arithmetic to chrono.

use chrono::{
    DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
};
use chrono_tz::Tz;

/// A parsed timestamp, and whether it only named a day (no time of day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp {
    pub instant: DateTime<Utc>,
    pub date_only: bool,
}

/// The shapes accepted, for error messages.
pub const EXPECTED_SHAPES: &str =
    "expected a date and time such as 2024-02-10T09:00:00Z, 2024-02-10 09:00 or 2024-02-10";

/// Parses a timestamp; times without a zone are read in `tz`.
pub fn parse_timestamp(text: &str, tz: Tz) -> Result<Timestamp, String> {
    let text = text.trim();
    let (date, rest) = split_date(text)?;
    let rest = rest.trim_start_matches(['T', 't', ' ', '_']);
    if rest.is_empty() {
        let midnight = date.and_time(NaiveTime::MIN);
        return Ok(Timestamp {
            instant: resolve_local(midnight, tz)?,
            date_only: true,
        });
    }
    let (time, zone) = split_time(rest)?;
    let local = date.and_time(time);
    let instant = match zone.trim() {
        "" => resolve_local(local, tz)?,
        "Z" | "z" | "UTC" | "utc" | "GMT" => Utc.from_utc_datetime(&local),
        zone if zone.starts_with(['+', '-']) => {
            let offset = parse_offset(zone)?;
            match offset.from_local_datetime(&local) {
                LocalResult::Single(at) => at.with_timezone(&Utc),
                _ => return Err(format!("time zone offset \"{zone}\" is out of range")),
            }
        }
        zone => {
            let named: Tz = zone.parse().map_err(|_| {
                format!("unknown time zone \"{zone}\" (expected Z, an offset like +02:00, or an IANA name)")
            })?;
            resolve_local(local, named)?
        }
    };
    Ok(Timestamp {
        instant,
        date_only: false,
    })
}

/// Parses a calendar date; a full timestamp is accepted and its day (in `tz`) is kept.
pub fn parse_date(text: &str, tz: Tz) -> Result<NaiveDate, String> {
    let stamp = parse_timestamp(text, tz)?;
    Ok(stamp.instant.with_timezone(&tz).date_naive())
}

fn split_date(text: &str) -> Result<(NaiveDate, &str), String> {
    let mut parts = [0i64; 3];
    let mut rest = text;
    for (i, part) in parts.iter_mut().enumerate() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let too_long = if i == 0 { digits > 6 } else { digits > 2 };
        if digits == 0 || too_long {
            return Err(EXPECTED_SHAPES.into());
        }
        *part = rest[..digits]
            .parse()
            .map_err(|_| EXPECTED_SHAPES.to_string())?;
        rest = &rest[digits..];
        if i < 2 {
            rest = rest.strip_prefix('-').ok_or(EXPECTED_SHAPES)?;
        }
    }
    let [year, month, day] = parts;
    let date = i32::try_from(year)
        .ok()
        .and_then(|year| NaiveDate::from_ymd_opt(year, month as u32, day as u32))
        .ok_or_else(|| format!("{year:04}-{month:02}-{day:02} is not a date in the calendar"))?;
    Ok((date, rest))
}

fn split_time(text: &str) -> Result<(NaiveTime, &str), String> {
    let mut fields = [0u32; 3];
    let mut rest = text;
    let mut count = 0;
    while count < 3 {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 2 || (count > 0 && digits != 2) {
            return Err(EXPECTED_SHAPES.into());
        }
        fields[count] = rest[..digits]
            .parse()
            .map_err(|_| EXPECTED_SHAPES.to_string())?;
        rest = &rest[digits..];
        count += 1;
        match rest.strip_prefix(':') {
            Some(after) if count < 3 => rest = after,
            _ => break,
        }
    }
    if count < 2 {
        return Err(EXPECTED_SHAPES.into());
    }
    let mut nanos = 0;
    if count == 3
        && let Some(after) = rest.strip_prefix(['.', ','])
    {
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(EXPECTED_SHAPES.into());
        }
        let kept = &after[..digits.min(9)];
        nanos = kept.parse::<u32>().unwrap_or(0) * 10u32.pow(9 - kept.len() as u32);
        rest = &after[digits..];
    }
    let [hour, minute, second] = fields;
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)
        .ok_or_else(|| format!("{hour:02}:{minute:02}:{second:02} is not a time of day"))?;
    Ok((time, rest))
}

fn parse_offset(zone: &str) -> Result<FixedOffset, String> {
    let bad = || format!("time zone offset \"{zone}\" is malformed (expected +HH:MM)");
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let digits: String = zone[1..].chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !matches!(digits.len(), 2 | 4) {
        return Err(bad());
    }
    let hours: i32 = digits[..2].parse().map_err(|_| bad())?;
    let minutes: i32 = digits
        .get(2..)
        .map_or(Ok(0), str::parse)
        .map_err(|_| bad())?;
    if hours > 23 || minutes > 59 {
        return Err(bad());
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60)).ok_or_else(bad)
}

fn resolve_local(local: NaiveDateTime, tz: Tz) -> Result<DateTime<Utc>, String> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(at) => Ok(at.with_timezone(&Utc)),
        // In the hour a clock falls back, the earlier reading is the one an on-call engineer
        // would have written down first.
        LocalResult::Ambiguous(earliest, _) => Ok(earliest.with_timezone(&Utc)),
        LocalResult::None => Err(format!(
            "{local} does not exist in {tz} (the clocks skipped it for daylight saving time)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, tz: &str, expected: &str) {
        let tz: Tz = tz.parse().unwrap();
        let got = match parse_timestamp(input, tz) {
            Ok(stamp) => stamp
                .instant
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            Err(message) => format!("error: {message}"),
        };
        assert_eq!(got, expected, "input {input:?}");
    }

    #[test]
    fn shapes() {
        for (input, tz, expected) in [
            ("2024-03-02T14:05:00Z", "UTC", "2024-03-02T14:05:00Z"),
            ("2024-03-02t14:05:00z", "UTC", "2024-03-02T14:05:00Z"),
            ("2024-03-02T14:05:00-05:00", "UTC", "2024-03-02T19:05:00Z"),
            ("2024-03-02T14:05:00-00:00", "UTC", "2024-03-02T14:05:00Z"),
            (
                "2024-03-02T14:05:00.250+01:00",
                "UTC",
                "2024-03-02T13:05:00.250Z",
            ),
            ("2024-03-02 14:05", "UTC", "2024-03-02T14:05:00Z"),
            (
                "2024-03-02 14:05:09",
                "Europe/Berlin",
                "2024-03-02T13:05:09Z",
            ),
            ("2024-03-02 9:05", "UTC", "2024-03-02T09:05:00Z"),
            ("2024-03-02", "America/New_York", "2024-03-02T05:00:00Z"),
            ("2024-03-02 14:05 +0200", "UTC", "2024-03-02T12:05:00Z"),
            (
                "2024-03-02 14:05 UTC",
                "Europe/Berlin",
                "2024-03-02T14:05:00Z",
            ),
            (
                "2024-03-02T14:05 Europe/Berlin",
                "UTC",
                "2024-03-02T13:05:00Z",
            ),
            ("1712-06-01 12:00", "UTC", "1712-06-01T12:00:00Z"),
            (" 2024-3-2 ", "UTC", "2024-03-02T00:00:00Z"),
        ] {
            check(input, tz, expected);
        }
    }

    #[test]
    fn rejects_what_is_not_a_time() {
        for (input, expected) in [
            (
                "2024-02-30",
                "error: 2024-02-30 is not a date in the calendar",
            ),
            ("2024-02-10 25:00", "error: 25:00:00 is not a time of day"),
            ("yesterday", &format!("error: {EXPECTED_SHAPES}")),
            ("", &format!("error: {EXPECTED_SHAPES}")),
            (
                "2024-02-10 09:00 Mars/Base",
                "error: unknown time zone \"Mars/Base\" (expected Z, an offset like +02:00, or an IANA name)",
            ),
            (
                "2024-02-10 09:00 +25:00",
                "error: time zone offset \"+25:00\" is malformed (expected +HH:MM)",
            ),
            ("99999999-01-01", &format!("error: {EXPECTED_SHAPES}")),
        ] {
            check(input, "UTC", expected);
        }
    }

    #[test]
    fn daylight_saving_gap_and_overlap() {
        check(
            "2024-03-31 02:30",
            "Europe/Berlin",
            "error: 2024-03-31 02:30:00 does not exist in Europe/Berlin (the clocks skipped it for daylight saving time)",
        );
        check("2024-10-27 02:30", "Europe/Berlin", "2024-10-27T00:30:00Z");
    }

    #[test]
    fn date_only_is_flagged() {
        assert!(parse_timestamp("2024-01-01", Tz::UTC).unwrap().date_only);
        assert!(
            !parse_timestamp("2024-01-01 00:00", Tz::UTC)
                .unwrap()
                .date_only
        );
        assert_eq!(
            parse_date("2024-01-01T23:30:00-05:00", Tz::UTC).unwrap(),
            NaiveDate::from_ymd_opt(2024, 1, 2).unwrap()
        );
    }
}
