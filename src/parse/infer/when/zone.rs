//! Time zones as written after a time or in a sentence: `UTC`, `GMT`, `Z`, offsets
//! (`+02:00`, `+0200`, `UTC−4`), IANA names (`Europe/Berlin`), common abbreviations
//! (`PST`, `CET`), and the US region names and cities that follow daylight saving time
//! (`Eastern`, `Denver`, `New York`). The names are `model::time::zone`'s, which front
//! matter reads too; in prose they count only as capitalized there ("Central", not
//! "central"), so ordinary words are not taken for zones.

use chrono::FixedOffset;
use chrono_tz::Tz;

pub(crate) use crate::model::time::zone::Zone;
use crate::model::time::zone::{ABBREVIATIONS, CITIES, REGIONS};

use super::tokens::{Scan, lowercase, tokenize};

fn fixed(minutes: i32) -> Option<Zone> {
    FixedOffset::east_opt(minutes * 60).map(Zone::Fixed)
}

/// A region or city at token `i`, as capitalized in prose ("Eastern", "New York",
/// "Denver"), with an optional "time" after it: the zone and the token after it. A city
/// is a zone only in brackets (`sure`) or followed by "time": "14:05 Phoenix rollout
/// began" and "Timeline of the Phoenix migration" name a project, "14:05 (Phoenix)" and
/// "All times are Denver time" a zone.
fn place_at(s: &Scan<'_, '_>, i: usize, sure: bool) -> Option<(Zone, usize)> {
    let first = s.word(i)?;
    let (tz, end, city) = REGIONS
        .iter()
        .map(|place| (place, false))
        .chain(CITIES.iter().map(|place| (place, true)))
        .find_map(|((name, tz), city)| {
            let mut words = name.split(' ');
            if words.next()? != first {
                return None;
            }
            let mut end = i + 1;
            for word in words {
                (s.word(end)? == word).then_some(())?;
                end += 1;
            }
            Some((*tz, end, city))
        })?;
    let timed = s.is_word(end, &["time"]);
    if city && !sure && !timed {
        return None;
    }
    Some((Zone::Named(tz), if timed { end + 1 } else { end }))
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
    zone_in(s, i, iso, false)
}

/// [`zone_at`]; `sure` when the context says a zone is named (see [`place_at`]).
fn zone_in(s: &Scan<'_, '_>, i: usize, iso: bool, sure: bool) -> Option<(Zone, usize)> {
    if s.is_punct(i, &['(', '[']) {
        let (zone, k) = zone_in(s, i + 1, iso, true)?;
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
        if let Some(abbreviation) = ABBREVIATIONS.iter().find(|a| a.name == word) {
            return Some((fixed(abbreviation.minutes)?, i + 1));
        }
        if let Some(found) = place_at(s, i, sure) {
            return Some(found);
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
        order: None,
    };
    (0..tokens.len()).find_map(|i| zone_at(&s, i, false).map(|(zone, _)| zone))
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, NaiveDate, Utc};

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
        assert_eq!(
            find_zone("All times are Denver time"),
            Some(Zone::Named(Tz::America__Denver))
        );
        assert_eq!(
            find_zone("Timeline (New York)"),
            Some(Zone::Named(Tz::America__New_York))
        );
        assert_eq!(find_zone("Timeline of the Phoenix migration"), None);
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
