//! The date in a file name, the fallback for an incident whose start is not recorded:
//! a day (`2020-06-13-dns.md`, `20200613-dns.md`, `2020-06-13_dns.md`), else a year alone
//! (`PM2019-009.md`, `2019-outage.md`, `incident-2019-03.md`), which claims no month.
//!
//! Names made by other systems are not dates: a UUID or a hash is never read, a year is
//! a run of exactly four digits from 1900 to 2100 and the only one in the name, and a
//! ticket key (`INC-2045`, `OPS-1999`) is an ID, not a year.

use chrono::NaiveDate;

use crate::model::incident::DateHint;
use crate::parse::title::is_opaque_id;

/// The years a file name may name.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

/// The date `stem` (a file name without extension) gives, if any.
pub fn date_in_file_name(stem: &str) -> Option<DateHint> {
    if is_opaque_id(stem) || is_ticket_key(stem) {
        return None;
    }
    day_in(stem)
        .map(DateHint::Day)
        .or_else(|| year_in(stem).map(DateHint::Year))
}

/// The day a file name gives, if it gives one.
pub fn day_in_file_name(stem: &str) -> Option<NaiveDate> {
    match date_in_file_name(stem)? {
        DateHint::Day(day) => Some(day),
        DateHint::Year(_) => None,
    }
}

/// `INC-2045`, `OPS-1999`: an issue tracker's key, letters in capitals then a number.
fn is_ticket_key(stem: &str) -> bool {
    let Some((key, number)) = stem.split_once('-') else {
        return false;
    };
    !key.is_empty()
        && key.chars().all(|c| c.is_ascii_uppercase())
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// The first `YYYY-MM-DD` (or with `_` or `.`) not touching other digits, or `YYYYMMDD`
/// standing alone between separators, that is a day of the calendar.
fn day_in(stem: &str) -> Option<NaiveDate> {
    let bytes = stem.as_bytes();
    let digit = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    let alphanumeric = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_alphanumeric);
    let digits = |from: usize, len: usize| (from..from + len).all(digit);
    (0..bytes.len()).find_map(|i| {
        if i > 0 && digit(i - 1) {
            return None;
        }
        let separated = digits(i, 4)
            && matches!(bytes.get(i + 4), Some(b'-' | b'_' | b'.'))
            && digits(i + 5, 2)
            && bytes.get(i + 7) == bytes.get(i + 4)
            && digits(i + 8, 2)
            && !digit(i + 10);
        let compact = digits(i, 8) && !alphanumeric(i + 8) && (i == 0 || !alphanumeric(i - 1));
        let (month, day) = if separated {
            (i + 5, i + 8)
        } else if compact {
            (i + 4, i + 6)
        } else {
            return None;
        };
        let number = |from: usize, len: usize| stem[from..from + len].parse::<u32>().ok();
        let year = i32::try_from(number(i, 4)?).ok()?;
        YEARS.contains(&year).then_some(())?;
        NaiveDate::from_ymd_opt(year, number(month, 2)?, number(day, 2)?)
    })
}

/// The year of the only run of exactly four digits from 1900 to 2100.
fn year_in(stem: &str) -> Option<i32> {
    let mut years = stem
        .split(|c: char| !c.is_ascii_digit())
        .filter(|run| run.len() == 4)
        .filter_map(|run| run.parse::<i32>().ok())
        .filter(|year| YEARS.contains(year));
    let year = years.next()?;
    years.next().is_none().then_some(year)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(stem: &str, expected: &str) {
        let got = match date_in_file_name(stem) {
            Some(DateHint::Day(day)) => day.to_string(),
            Some(DateHint::Year(year)) => format!("year {year}"),
            None => "none".to_string(),
        };
        assert_eq!(got, expected, "{stem}");
    }

    #[test]
    fn days_and_years() {
        for (stem, expected) in [
            ("2020-06-13-dns-outage", "2020-06-13"),
            ("20200613-dns-outage", "2020-06-13"),
            ("2020-06-13_dns_outage", "2020-06-13"),
            ("2020.06.13 dns", "2020-06-13"),
            ("2020-06-13", "2020-06-13"),
            ("outage-2021-11-02", "2021-11-02"),
            ("pm2020-06-13", "2020-06-13"),
            ("PM2019-009", "year 2019"),
            ("2019-outage", "year 2019"),
            ("incident-2019-03", "year 2019"),
            ("outage_2019", "year 2019"),
            ("1712-fire", "none"),
            ("2020-13-45-odd", "year 2020"),
            ("2019-2020-migration", "none"),
            ("8f14e45f-ceea-467f-a0e5-b3a1e2c4d5f6", "none"),
            ("20200613-ceea-467f-a0e5-b3a1e2c4d5f6", "none"),
            ("d41d8cd98f00b204e9800998ecf8427e", "none"),
            ("a2019b7c", "none"),
            ("build20200613x", "none"),
            ("INC-2045", "none"),
            ("OPS-1999", "none"),
            ("incident-12019", "none"),
            ("dns-outage", "none"),
        ] {
            check(stem, expected);
        }
    }
}
