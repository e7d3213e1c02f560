//! Time zones as written after a time or in a sentence: `UTC`, `GMT`, `Z`, offsets
//! (`+02:00`, `+0200`, `UTC−4`), IANA names (`Europe/Berlin`), common abbreviations
//! (`PST`, `CET`), and the US region names that follow daylight saving time (`Eastern`).

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::tokens::{Scan, lowercase, tokenize};

/// A time zone: a fixed offset ("UTC", "+02:00", "PST") or a named zone whose offset
/// depends on the date ("Europe/Berlin", "Eastern").
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Zone {
    Fixed(FixedOffset),
    Named(Tz),
}

impl Zone {
    pub(crate) const UTC: Zone = match FixedOffset::east_opt(0) {
        Some(utc) => Zone::Fixed(utc),
        None => Zone::Named(Tz::UTC),
    };

    /// A site's zone; UTC as a fixed offset, which converts without a table lookup.
    pub(crate) fn of(tz: Tz) -> Zone {
        if tz == Tz::UTC {
            Zone::UTC
        } else {
            Zone::Named(tz)
        }
    }

    /// The instant of a local date and time in this zone; in the hour a clock falls back,
    /// the earlier reading (as `time.rs` does). `None` for a time the clocks skipped.
    pub(crate) fn to_utc(self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        let pick = |result: LocalResult<DateTime<Utc>>| match result {
            LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => Some(at),
            LocalResult::None => None,
        };
        match self {
            Zone::Fixed(offset) => pick(
                offset
                    .from_local_datetime(&local)
                    .map(|at| at.with_timezone(&Utc)),
            ),
            Zone::Named(tz) => pick(
                tz.from_local_datetime(&local)
                    .map(|at| at.with_timezone(&Utc)),
            ),
        }
    }

    /// The calendar date of an instant in this zone.
    pub(crate) fn date_of(self, at: DateTime<Utc>) -> NaiveDate {
        match self {
            Zone::Fixed(offset) => at.with_timezone(&offset).date_naive(),
            Zone::Named(tz) => at.with_timezone(&tz).date_naive(),
        }
    }
}

/// Zone abbreviations that mean one offset. Ambiguous ones ("CST" is also China, "IST"
/// also Ireland and Israel) take their most common meaning in English-language write-ups.
const ABBREVIATIONS: &[(&str, i32)] = &[
    ("PST", -8 * 60),
    ("PDT", -7 * 60),
    ("MST", -7 * 60),
    ("MDT", -6 * 60),
    ("CST", -6 * 60),
    ("CDT", -5 * 60),
    ("EST", -5 * 60),
    ("EDT", -4 * 60),
    ("AKST", -9 * 60),
    ("AKDT", -8 * 60),
    ("HST", -10 * 60),
    ("BRT", -3 * 60),
    ("ART", -3 * 60),
    ("WET", 0),
    ("WEST", 60),
    ("BST", 60),
    ("CET", 60),
    ("CEST", 2 * 60),
    ("EET", 2 * 60),
    ("EEST", 3 * 60),
    ("MSK", 3 * 60),
    ("IST", 5 * 60 + 30),
    ("SGT", 8 * 60),
    ("HKT", 8 * 60),
    ("AWST", 8 * 60),
    ("JST", 9 * 60),
    ("KST", 9 * 60),
    ("ACST", 9 * 60 + 30),
    ("AEST", 10 * 60),
    ("AEDT", 11 * 60),
    ("NZST", 12 * 60),
    ("NZDT", 13 * 60),
];

/// US zone names without a season, which follow daylight saving time.
const REGIONS: &[(&str, Tz)] = &[
    ("PT", Tz::America__Los_Angeles),
    ("Pacific", Tz::America__Los_Angeles),
    ("MT", Tz::America__Denver),
    ("Mountain", Tz::America__Denver),
    ("CT", Tz::America__Chicago),
    ("Central", Tz::America__Chicago),
    ("ET", Tz::America__New_York),
    ("Eastern", Tz::America__New_York),
];

fn fixed(minutes: i32) -> Option<Zone> {
    FixedOffset::east_opt(minutes * 60).map(Zone::Fixed)
}

/// "+02:00", "+0200", "-5" (after UTC only) at token `k`: the sign and what follows.
pub(super) fn offset_at(s: &Scan<'_, '_>, k: usize, short_ok: bool) -> Option<(i32, usize)> {
    let sign = match s.punct(k)? {
        '+' => 1,
        '-' | '−' => -1,
        _ => return None,
    };
    if !s.touches(k + 1) {
        return None;
    }
    let (first, digits) = s.num(k + 1)?;
    let (hours, minutes, end) = match digits {
        4 => (first / 100, first % 100, k + 2),
        1..=2 if s.is_punct(k + 2, &[':']) && s.touches(k + 2) && s.touches(k + 3) => {
            let (minutes, 2) = s.num(k + 3)? else {
                return None;
            };
            (first, minutes, k + 4)
        }
        1..=2 if short_ok => (first, 0, k + 2),
        _ => return None,
    };
    if hours > 14 || minutes > 59 {
        return None;
    }
    Some((sign * (hours as i32 * 60 + minutes as i32), end))
}

/// A time zone at token `i`. `iso` says the time was written the ISO 8601 way (with a
/// `T`), where "-05:00" right after it is an offset, not the second half of a range.
pub(super) fn zone_at(s: &Scan<'_, '_>, i: usize, iso: bool) -> Option<(Zone, usize)> {
    if s.is_punct(i, &['(', '[']) {
        let (zone, k) = zone_at(s, i + 1, iso)?;
        return s.is_punct(k, &[')', ']']).then_some((zone, k + 1));
    }
    if let Some(word) = s.word(i) {
        let mut buffer = [0; 12];
        let lower = lowercase(word, &mut buffer).unwrap_or_default();
        // "Z" is a zone only when it touches the time, as in ISO 8601.
        if lower == "utc" || lower == "gmt" || (lower == "z" && s.touches(i)) {
            return match offset_at(s, i + 1, true) {
                Some((minutes, end)) => Some((fixed(minutes)?, end)),
                None => Some((Zone::UTC, i + 1)),
            };
        }
        if let Some((_, minutes)) = ABBREVIATIONS.iter().find(|(a, _)| *a == word) {
            return Some((fixed(*minutes)?, i + 1));
        }
        if let Some((_, tz)) = REGIONS.iter().find(|(r, _)| *r == word) {
            let end = if s.is_word(i + 1, &["time"]) {
                i + 2
            } else {
                i + 1
            };
            return Some((Zone::Named(*tz), end));
        }
        if s.is_punct(i + 1, &['/']) && s.touches(i + 1) {
            return iana_at(s, i);
        }
        return None;
    }
    let (minutes, end) = offset_at(s, i, false)?;
    // "07:46-08:00" is a range, but "+02:00", "+0200", "T09:00-05:00" and "09:00 -05:00"
    // are offsets: a minus before "hh:mm" that touches the time only counts in ISO form.
    let four_digits = s.num(i + 1).is_some_and(|(_, d)| d == 4);
    let offset = s.is_punct(i, &['+']) || four_digits || iso || !s.touches(i);
    offset.then_some(())?;
    Some((fixed(minutes)?, end))
}

/// "Europe/Berlin", "America/Argentina/Buenos_Aires".
fn iana_at(s: &Scan<'_, '_>, i: usize) -> Option<(Zone, usize)> {
    let start = s.start(i);
    let rest = &s.src[start..];
    let len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || "_/+-".contains(c)))
        .unwrap_or(rest.len());
    let name = rest[..len].trim_end_matches(['/', '-', '+']);
    let tz: Tz = name.parse().ok()?;
    let end = start + name.len();
    let next = (i..s.tokens.len())
        .find(|&k| s.tokens[k].start >= end)
        .unwrap_or(s.tokens.len());
    Some((Zone::Named(tz), next))
}

/// A time zone named anywhere in `text` ("All times are US Eastern (EDT, UTC−4)").
pub(crate) fn find_zone(text: &str) -> Option<Zone> {
    let tokens = tokenize(text, usize::MAX);
    let s = Scan {
        tokens: &tokens,
        src: text,
    };
    (0..tokens.len()).find_map(|i| zone_at(&s, i, false).map(|(zone, _)| zone))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn zones() {
        assert_eq!(
            find_zone("All times are US Eastern (EDT, UTC−4)"),
            Some(Zone::Named(Tz::America__New_York))
        );
        assert_eq!(
            find_zone("Times are in UTC (site timezone)"),
            Some(Zone::UTC)
        );
        let zone = find_zone("Timeline (UTC+05:30)").unwrap();
        assert_eq!(
            zone.to_utc(
                NaiveDate::from_ymd_opt(2024, 1, 1)
                    .unwrap()
                    .and_hms_opt(5, 30, 0)
                    .unwrap()
            ),
            Some(utc("2024-01-01T00:00:00Z"))
        );
    }
}
