//! Timestamps in the shapes real postmortem archives hold, resolved to UTC instants, and
//! the durations and zone names they write ([`duration`], [`zone`]).
//!
//! chrono parses RFC 3339 strictly, but archives also hold `2024-02-10 9:05`, `2024-02-10`,
//! `2024-02-10 09:00 +0200`, `2024-02-10T09:00 Europe/Berlin` and `2024-02-10 09:00 Denver`.
//! No crate accepts exactly that family while rejecting impossible dates with a useful
//! message, so this module reads the date, time and zone parts itself and leaves calendar
//! arithmetic to chrono.

pub mod duration;
pub mod order;
pub mod zone;

use chrono::{
    DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
};
use chrono_tz::Tz;

pub use duration::{Length, parse_duration};
use zone::{SeasonMismatch, Zone};

/// A parsed timestamp, and whether it only named a day (no time of day).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timestamp {
    pub instant: DateTime<Utc>,
    pub date_only: bool,
    /// The zone the text named by a name (`UTC`, `PDT`, `Denver`, `Europe/Berlin`; not
    /// `Z` or an offset): the zone its author kept the incident's clock in.
    pub named_zone: Option<Zone>,
    /// An abbreviation that names the other season of its region on that date (`CET` in
    /// July), read at its own offset as written.
    pub season_mismatch: Option<SeasonMismatch>,
}

/// The shapes accepted, for error messages.
pub const EXPECTED_SHAPES: &str = "expected a date and time such as 2024-02-10T09:00:00Z, 2024-02-10 09:00, 2024-02-10 or February 10, 2024 9:00 AM";

/// What an unknown zone's message says was expected.
const EXPECTED_ZONES: &str = "expected Z, an offset like +02:00, an IANA name such as America/Denver, a city such as Denver, or an abbreviation such as PDT";

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
            named_zone: None,
            season_mismatch: None,
        });
    }
    let (time, zone) = split_time(rest)?;
    let local = date.and_time(time);
    let mut stamp = Timestamp {
        instant: Utc.from_utc_datetime(&local),
        date_only: false,
        named_zone: None,
        season_mismatch: None,
    };
    let zone = zone.trim();
    let zone = zone
        .strip_prefix(['(', '['])
        .and_then(|z| z.strip_suffix([')', ']']))
        .unwrap_or(zone)
        .trim();
    stamp.instant = match zone {
        "" => resolve_local(local, tz)?,
        "Z" | "z" => stamp.instant,
        zone if zone.starts_with(['+', '-']) => at_offset(local, parse_offset(zone)?, zone)?,
        zone if is_utc_word(zone) => {
            stamp.named_zone = Some(Zone::UTC);
            stamp.instant
        }
        zone if is_utc_word(zone.get(..3).unwrap_or_default())
            && zone[3..].starts_with(['+', '-']) =>
        {
            at_offset(local, parse_offset(&zone[3..])?, zone)?
        }
        zone => {
            let (instant, named, mismatch) = in_named_zone(local, zone)?;
            stamp.named_zone = Some(named);
            stamp.season_mismatch = mismatch;
            instant
        }
    };
    Ok(stamp)
}

fn is_utc_word(zone: &str) -> bool {
    zone.eq_ignore_ascii_case("UTC") || zone.eq_ignore_ascii_case("GMT")
}

/// `local` at a fixed offset; `zone` names it in the message when that is out of range.
fn at_offset(
    local: NaiveDateTime,
    offset: FixedOffset,
    zone: &str,
) -> Result<DateTime<Utc>, String> {
    match offset.from_local_datetime(&local) {
        LocalResult::Single(at) => Ok(at.with_timezone(&Utc)),
        _ => Err(format!("time zone offset \"{zone}\" is out of range")),
    }
}

/// `local` in the zone `name` names: an abbreviation at its own offset (with the season
/// it names, when that was not the season of its region), else an IANA name, a region or
/// a city, with its daylight saving time.
fn in_named_zone(
    local: NaiveDateTime,
    name: &str,
) -> Result<(DateTime<Utc>, Zone, Option<SeasonMismatch>), String> {
    if let Some(abbreviation) = zone::abbreviation(name)
        && let Some(offset) = abbreviation.offset()
    {
        let instant = at_offset(local, offset, name)?;
        return Ok((
            instant,
            Zone::Fixed(offset),
            abbreviation.season_mismatch(local),
        ));
    }
    let tz = zone::named(name)
        .ok_or_else(|| format!("unknown time zone \"{name}\" ({EXPECTED_ZONES})"))?;
    Ok((resolve_local(local, tz)?, Zone::Named(tz), None))
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
    let mut digits: String = zone[1..].chars().filter(|c| *c != ':').collect();
    // "UTC+2", "-5:30": a one-digit hour.
    if digits.len() == 1 || (digits.len() == 3 && zone[1..].find(':') == Some(1)) {
        digits.insert(0, '0');
    }
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !matches!(digits.len(), 2 | 4) {
        return Err(bad());
    }
    let hours: i32 = digits[..2].parse().map_err(|_| bad())?;
    let minutes: i32 = digits
        .get(2..)
        .filter(|rest| !rest.is_empty())
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
    fn zone_names() {
        for (input, tz, expected) in [
            // Cities and regions follow daylight saving time: MST in March, MDT in July.
            ("2024-03-05 09:00 Denver", "UTC", "2024-03-05T16:00:00Z"),
            ("2024-07-05 09:00 Denver", "UTC", "2024-07-05T15:00:00Z"),
            ("2024-07-05 09:00 New York", "UTC", "2024-07-05T13:00:00Z"),
            ("2024-07-05 09:00 Pacific", "UTC", "2024-07-05T16:00:00Z"),
            (
                "2024-07-05 09:00 (Eastern Time)",
                "UTC",
                "2024-07-05T13:00:00Z",
            ),
            ("2024-07-05 09:00 Bangalore", "UTC", "2024-07-05T03:30:00Z"),
            ("2024-07-05 09:00 london", "UTC", "2024-07-05T08:00:00Z"),
            (
                "2024-07-05T09:00 America/Denver",
                "UTC",
                "2024-07-05T15:00:00Z",
            ),
            // Abbreviations are the offset they name, whatever the date.
            ("2024-07-05 09:00 PDT", "UTC", "2024-07-05T16:00:00Z"),
            ("2024-07-05 09:00 (PDT)", "UTC", "2024-07-05T16:00:00Z"),
            ("2024-07-05 09:00 CET", "UTC", "2024-07-05T08:00:00Z"),
            ("2024-07-05 09:00 CEST", "UTC", "2024-07-05T07:00:00Z"),
            ("2024-07-05 09:00 EST", "UTC", "2024-07-05T14:00:00Z"),
            ("2024-07-05 09:00 IST", "UTC", "2024-07-05T03:30:00Z"),
            ("2024-07-05 09:00 JST", "UTC", "2024-07-05T00:00:00Z"),
            ("2024-01-05 09:00 AEDT", "UTC", "2024-01-04T22:00:00Z"),
            ("2024-07-05 09:00 BST", "UTC", "2024-07-05T08:00:00Z"),
            (
                "2024-07-05 09:00 GMT",
                "Europe/Berlin",
                "2024-07-05T09:00:00Z",
            ),
            ("2024-07-05 09:00 UTC+2", "UTC", "2024-07-05T07:00:00Z"),
            ("2024-07-05 09:00 +02", "UTC", "2024-07-05T07:00:00Z"),
            ("2024-07-05 09:00 GMT-05:00", "UTC", "2024-07-05T14:00:00Z"),
            (
                "2024-07-05 09:00 Springfield",
                "UTC",
                &format!("error: unknown time zone \"Springfield\" ({EXPECTED_ZONES})"),
            ),
        ] {
            check(input, tz, expected);
        }
    }

    #[test]
    fn the_zone_a_time_names_and_a_season_it_gets_wrong() {
        let stamp = |text: &str| parse_timestamp(text, Tz::UTC).unwrap();
        assert_eq!(
            stamp("2024-07-01 10:00 Denver").named_zone,
            Some(Zone::Named(Tz::America__Denver))
        );
        assert_eq!(stamp("2024-07-01 10:00 UTC").named_zone, Some(Zone::UTC));
        assert_eq!(stamp("2024-07-01T10:00:00Z").named_zone, None);
        assert_eq!(stamp("2024-07-01 10:00 +02:00").named_zone, None);
        assert_eq!(
            stamp("2024-07-01 10:00 CET")
                .season_mismatch
                .map(|m| m.to_string())
                .as_deref(),
            Some(
                "CET given for 2024-07-01, when Central Europe was on CEST (+02:00); read as +01:00 as written"
            )
        );
        assert_eq!(stamp("2024-01-01 10:00 CET").season_mismatch, None);
        assert_eq!(stamp("2024-07-01 10:00 CEST").season_mismatch, None);
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
                &format!("error: unknown time zone \"Mars/Base\" ({EXPECTED_ZONES})"),
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
    }
}
