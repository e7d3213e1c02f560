//! Dates, times of day, time zones and durations as people write them in prose:
//! "February 10, 2024, 9:00 AM", "10 Feb 2024 14:00 CET", "2024-02-10T09:00Z", "9am (PST)",
//! "14:??", "19 hours 43 minutes", "1h30m", "half an hour".
//!
//! A line is first cut into tokens (runs of digits, runs of letters, single punctuation
//! marks), then small parsers try each shape at a token position. Working on tokens keeps
//! every rule a few lines long, and byte offsets on each token let callers quote exactly
//! the text a value came from. Nothing here guesses a year, a date or a zone: what a
//! phrase leaves out is filled in by [`Resolve`], from what the rest of the document says.

mod duration;
mod tokens;
mod zone;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use crate::model::time::order::DateOrder;

use duration::UNIT_WORDS;
pub(crate) use duration::{clock_duration, find_duration};
use tokens::{Kind, Scan, Token, lowercase, tokenize};
use zone::zone_at;
pub(crate) use zone::{Zone, find_zone};

/// A calendar date as written; the year may be left to the context ("Feb 10").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DateSpec {
    pub(crate) year: Option<i32>,
    pub(crate) month: u32,
    pub(crate) day: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Meridiem {
    Am,
    Pm,
}

/// A time of day as written. `minute` is `None` for "14:??": the hour is known, the
/// minutes are not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Clock {
    pub(crate) hour: u32,
    pub(crate) minute: Option<u32>,
    pub(crate) second: u32,
    pub(crate) meridiem: Option<Meridiem>,
}

impl Clock {
    /// The hour on a 24-hour clock.
    pub(crate) fn hour24(&self) -> u32 {
        match (self.meridiem, self.hour) {
            (Some(Meridiem::Am), 12) => 0,
            (Some(Meridiem::Pm), h) if h < 12 => h + 12,
            (_, h) => h,
        }
    }

    fn time(&self) -> Option<NaiveTime> {
        NaiveTime::from_hms_opt(self.hour24(), self.minute.unwrap_or(0), self.second)
    }
}

/// A date, a time, or both, as found in the text, with its byte span.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Moment {
    pub(crate) date: Option<DateSpec>,
    pub(crate) clock: Option<Clock>,
    pub(crate) zone: Option<Zone>,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// What the rest of the document says about the parts a phrase leaves out.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Resolve {
    /// The day of a time written without a date.
    pub(crate) date: Option<NaiveDate>,
    /// The year of a date written without one.
    pub(crate) year: Option<i32>,
    /// The zone of a time written without one.
    pub(crate) zone: Zone,
}

/// A moment made into an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Resolved {
    pub(crate) at: DateTime<Utc>,
    /// Only a day was written; `at` is its midnight.
    pub(crate) date_only: bool,
    /// The minutes were left out ("14:??"); `at` is the start of the hour.
    pub(crate) approximate: bool,
}

impl Moment {
    /// The calendar date written, with the year filled in from `year` when left out.
    pub(crate) fn naive_date(&self, year: Option<i32>) -> Option<NaiveDate> {
        let date = self.date?;
        NaiveDate::from_ymd_opt(date.year.or(year)?, date.month, date.day)
    }

    pub(crate) fn resolve(&self, context: &Resolve) -> Option<Resolved> {
        let date = match self.date {
            Some(_) => self.naive_date(context.year.or(context.date.map(|d| {
                use chrono::Datelike;
                d.year()
            })))?,
            None => context.date?,
        };
        let zone = self.zone.unwrap_or(context.zone);
        let (time, date_only) = match &self.clock {
            Some(clock) => (clock.time()?, false),
            None => (NaiveTime::MIN, true),
        };
        Some(Resolved {
            at: zone.to_utc(date.and_time(time))?,
            date_only,
            approximate: self.clock.is_some_and(|c| c.minute.is_none()),
        })
    }
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// "February", "Feb", "Sept" → 2, 2, 9.
fn month(word: &str) -> Option<u32> {
    let mut buffer = [0; 12];
    let lower = lowercase(word, &mut buffer)?;
    if lower.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| {
            *m == lower
                || (lower.len() == 3 && m.starts_with(lower))
                || (lower == "sept" && *m == "september")
        })
        .map(|i| i as u32 + 1)
}

fn is_weekday(word: &str) -> bool {
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let mut buffer = [0; 12];
    let Some(lower) = lowercase(word, &mut buffer) else {
        return false;
    };
    DAYS.iter()
        .any(|d| *d == lower || (lower.len() == 3 && d.starts_with(lower)))
}

fn plausible_year(year: u32) -> bool {
    (1970..=2100).contains(&year)
}

fn valid(year: Option<i32>, month: u32, day: u32) -> Option<DateSpec> {
    // A year is needed to check a day of month; 2000 was a leap year, so Feb 29 passes.
    NaiveDate::from_ymd_opt(year.unwrap_or(2000), month, day)?;
    Some(DateSpec { year, month, day })
}

/// A date at token `i`; `loose` also accepts a year-less numeric "06-26" (month-day), which
/// only a timeline line that goes on with a time makes trustworthy.
fn date_at(s: &Scan<'_, '_>, i: usize, loose: bool) -> Option<(DateSpec, usize)> {
    let j = past_weekday(s, i);
    if let Some(numeric) = numeric_date_at(s, j, loose) {
        return numeric;
    }
    if let Some(month) = s.word(j).and_then(month) {
        return month_first_date_at(s, j, month);
    }
    day_first_date_at(s, j)
}

/// The token after a weekday ("Tuesday," in "Tuesday, June 4") at `i`, else `i`.
fn past_weekday(s: &Scan<'_, '_>, i: usize) -> usize {
    let mut j = i;
    if s.word(j).is_some_and(is_weekday) {
        j += 1;
        if s.is_punct(j, &[',']) {
            j += 1;
        }
    }
    j
}

/// An all-numeric date at token `j` ("2024-02-10", "10.02.2024"): `None` when the tokens
/// do not have such a shape, `Some(None)` when they do but the date is invalid or ambiguous.
fn numeric_date_at(s: &Scan<'_, '_>, j: usize, loose: bool) -> Option<Option<(DateSpec, usize)>> {
    let joined = |k: usize| s.touches(k);
    let (first, digits) = s.num(j)?;
    let sep = s
        .punct(j + 1)
        .filter(|c| ['-', '/', '.'].contains(c) && joined(j + 1));
    let second = s.num(j + 2).filter(|_| sep.is_some() && joined(j + 2));
    let third = second.and_then(|_| {
        (s.punct(j + 3) == sep && joined(j + 3) && joined(j + 4))
            .then(|| s.num(j + 4))
            .flatten()
    });
    match (digits, second, third) {
        // 2024-02-10, 2024/02/10, 2024.02.10
        (4, Some((month, 1..=2)), Some((day, 1..=2))) if plausible_year(first) => {
            Some(valid(Some(first as i32), month, day).map(|date| (date, j + 5)))
        }
        // 10.02.2024 is always day first; with slashes or dashes, the site's `date_order`
        // says which number is the day, else only a number above 12 does, and an
        // ambiguous date is left alone rather than guessed.
        (1..=2, Some((b, 1..=2)), Some((year, 4))) if plausible_year(year) => {
            let (month, day) = match (sep, s.order) {
                (Some('.'), _) | (_, Some(DateOrder::DayFirst)) => (b, first),
                (_, Some(DateOrder::MonthFirst)) => (first, b),
                _ if first > 12 => (b, first),
                _ if b > 12 => (first, b),
                _ => return Some(None),
            };
            Some(valid(Some(year as i32), month, day).map(|date| (date, j + 5)))
        }
        (2, Some((day, 2)), None) if loose && sep == Some('-') => {
            Some(valid(None, first, day).map(|date| (date, j + 3)))
        }
        _ => None,
    }
}

/// A date that starts with the name of its `month`, at token `j`: "Feb 10", "February
/// 10th, 2024".
fn month_first_date_at(s: &Scan<'_, '_>, j: usize, month: u32) -> Option<(DateSpec, usize)> {
    // "Feb 10" must not swallow "may 5 minutes".
    let unit_follows = |k: usize| s.is_word(k, UNIT_WORDS) || s.is_punct(k, &['%']);
    let mut k = j + 1;
    if s.is_punct(k, &['.']) && s.touches(k) {
        k += 1;
    }
    let (day, 1..=2) = s.num(k)? else {
        return None;
    };
    k = past_ordinal(s, k + 1);
    let (year, k) = year_after(s, k);
    if year.is_none() && unit_follows(k) {
        return None;
    }
    Some((valid(year, month, day)?, k))
}

/// A date that starts with its day, at token `j`: "10 Feb 2024", "4th of June".
fn day_first_date_at(s: &Scan<'_, '_>, j: usize) -> Option<(DateSpec, usize)> {
    let (day, 1..=2) = s.num(j)? else {
        return None;
    };
    let mut k = past_ordinal(s, j + 1);
    if s.is_word(k, &["of"]) {
        k += 1;
    }
    let month = s.word(k).and_then(month)?;
    k += 1;
    if s.is_punct(k, &['.']) && s.touches(k) {
        k += 1;
    }
    let (year, k) = year_after(s, k);
    Some((valid(year, month, day)?, k))
}

/// The year after a day at token `k` (", 2024"), if one is there, and the token after it.
fn year_after(s: &Scan<'_, '_>, mut k: usize) -> (Option<i32>, usize) {
    let before = k;
    if s.is_punct(k, &[',']) {
        k += 1;
    }
    match s.num(k) {
        Some((year, 4)) if plausible_year(year) => (Some(year as i32), k + 1),
        _ => (None, before),
    }
}

/// The token after an ordinal suffix ("th" in "4th") at `k`, else `k`.
fn past_ordinal(s: &Scan<'_, '_>, k: usize) -> usize {
    if s.is_word(k, &["st", "nd", "rd", "th"]) && s.touches(k) {
        k + 1
    } else {
        k
    }
}

fn meridiem_at(s: &Scan<'_, '_>, k: usize) -> Option<(Meridiem, usize)> {
    let which = |w: &str| {
        let mut buffer = [0; 12];
        match lowercase(w, &mut buffer)? {
            "am" | "a" => Some(Meridiem::Am),
            "pm" | "p" => Some(Meridiem::Pm),
            _ => None,
        }
    };
    let word = s.word(k)?;
    if word.len() == 2 {
        return which(word).map(|m| (m, k + 1));
    }
    // "a.m." / "p.m."
    if word.len() == 1
        && s.is_punct(k + 1, &['.'])
        && s.is_word(k + 2, &["m"])
        && s.touches(k + 1)
        && s.touches(k + 2)
    {
        let end = if s.is_punct(k + 3, &['.']) && s.touches(k + 3) {
            k + 4
        } else {
            k + 3
        };
        return which(word).map(|m| (m, end));
    }
    None
}

/// A time of day at token `i`.
fn clock_at(s: &Scan<'_, '_>, i: usize) -> Option<(Clock, usize)> {
    if s.is_word(i, &["noon", "midday"]) {
        return Some((clock(12, Some(0), 0, None), i + 1));
    }
    if s.is_word(i, &["midnight"]) {
        return Some((clock(0, Some(0), 0, None), i + 1));
    }
    let (hour, 1..=2) = s.num(i)? else {
        return None;
    };
    let mut k = i + 1;
    let (minute, second) = if s.is_punct(k, &[':']) && s.touches(k) && s.touches(k + 1) {
        if let Some((minute, 2)) = s.num(k + 1) {
            k += 2;
            let mut second = 0;
            if s.is_punct(k, &[':'])
                && s.touches(k)
                && s.touches(k + 1)
                && let Some((sec, 2)) = s.num(k + 1)
            {
                second = sec;
                k += 2;
                // Fractions of a second say nothing a postmortem needs.
                if s.is_punct(k, &['.', ',']) && s.touches(k) && s.num(k + 1).is_some() {
                    k += 2;
                }
            }
            (Some(minute), second)
        } else if s.is_punct(k + 1, &['?']) && s.is_punct(k + 2, &['?']) && s.touches(k + 2) {
            k += 3;
            (None, 0)
        } else if s.is_word(k + 1, &["xx"]) {
            k += 2;
            (None, 0)
        } else {
            return None;
        }
    } else {
        // A bare number is a time only with "am"/"pm": "9am", "9 a.m.".
        let (meridiem, end) = meridiem_at(s, k)?;
        if !(1..=12).contains(&hour) {
            return None;
        }
        return Some((clock(hour, Some(0), 0, Some(meridiem)), end));
    };
    let meridiem = meridiem_at(s, k);
    if let Some((_, end)) = meridiem {
        if !(1..=12).contains(&hour) {
            return None;
        }
        k = end;
    }
    if hour > 23 || minute.is_some_and(|m| m > 59) || second > 59 {
        return None;
    }
    Some((clock(hour, minute, second, meridiem.map(|m| m.0)), k))
}

fn clock(hour: u32, minute: Option<u32>, second: u32, meridiem: Option<Meridiem>) -> Clock {
    Clock {
        hour,
        minute,
        second,
        meridiem,
    }
}

/// A date and/or time at token `i`, with its zone.
fn moment_at(s: &Scan<'_, '_>, i: usize, loose: bool) -> Option<(Moment, usize)> {
    let start = s.start(i);
    let moment = |date, clock, zone, end| Moment {
        date,
        clock,
        zone,
        start,
        end: s.end(end),
    };
    if let Some((date, k)) = date_at(s, i, loose) {
        let mut j = k;
        let mut iso = false;
        if s.is_punct(j, &[',', '@']) {
            j += 1;
        } else if s.is_word(j, &["t"]) && s.touches(j) {
            j += 1;
            iso = true;
        }
        if s.is_word(j, &["at"]) {
            j += 1;
        }
        if let Some((clock, j)) = clock_at(s, j) {
            let (zone, end) = match zone_at(s, j, iso) {
                Some((zone, end)) => (Some(zone), end),
                None => (None, j),
            };
            return Some((moment(Some(date), Some(clock), zone, end), end));
        }
        // A loose "06-26" is only a date when a time follows.
        if date.year.is_none() && loose && s.num(i).is_some() {
            return None;
        }
        return Some((moment(Some(date), None, None, k), k));
    }
    let (clock, k) = clock_at(s, i)?;
    let (zone, mut end) = match zone_at(s, k, false) {
        Some((zone, end)) => (Some(zone), end),
        None => (None, k),
    };
    let mut date = None;
    let mut j = end;
    if s.is_punct(j, &[',']) {
        j += 1;
    }
    if s.is_word(j, &["on"]) {
        j += 1;
    }
    if let Some((found, after)) = date_at(s, j, false) {
        date = Some(found);
        end = after;
    }
    Some((moment(date, Some(clock), zone, end), end))
}

fn is_range_word(s: &Scan<'_, '_>, k: usize) -> bool {
    s.is_punct(k, &['-', '–', '—', '~'])
        || s.is_word(k, &["to", "until", "till", "through", "thru", "and"])
}

/// The first date or time in `text`.
pub(crate) fn find_moment(text: &str, order: Option<DateOrder>) -> Option<Moment> {
    let tokens = tokenize(text, usize::MAX);
    let s = Scan {
        tokens: &tokens,
        src: text,
        order,
    };
    (0..tokens.len()).find_map(|i| moment_at(&s, i, false).map(|(m, _)| m))
}

/// The first range of two moments in `text` ("9:00 AM - 2:00 PM UTC", "from X to Y"). A
/// zone written on either side applies to both.
pub(crate) fn find_range(text: &str, order: Option<DateOrder>) -> Option<(Moment, Moment)> {
    let tokens = tokenize(text, usize::MAX);
    let s = Scan {
        tokens: &tokens,
        src: text,
        order,
    };
    for i in 0..tokens.len() {
        let Some((mut from, k)) = moment_at(&s, i, false) else {
            continue;
        };
        if !is_range_word(&s, k) {
            continue;
        }
        let Some((mut to, _)) = moment_at(&s, k + 1, false) else {
            continue;
        };
        from.zone = from.zone.or(to.zone);
        to.zone = to.zone.or(from.zone);
        return Some((from, to));
    }
    None
}

/// Enough tokens for a long leading moment and range ("Saturday, February 10th, 2024,
/// 9:00 a.m. (UTC) – 11:30 a.m.") and the separator after it.
const LEADING_TOKENS: usize = 32;

/// A moment at the very start of a line of a timeline, after any markup such as `**`,
/// `` ` `` or `[`. Returns it, the end of a range that follows it ("07:46–08:00"), and the
/// byte offset where the event's own text starts.
pub(crate) fn leading_moment(
    text: &str,
    order: Option<DateOrder>,
) -> Option<(Moment, Option<Moment>, usize)> {
    // Most lines of a timeline section that are not entries start with a word that is not
    // a month or a weekday: they are told apart before any tokenizing.
    let lead = text.trim_start_matches(|c: char| c.is_whitespace() || "*_`[(~".contains(c));
    let first = lead.chars().next()?;
    if !first.is_ascii_digit() {
        let word: String = lead.chars().take_while(|c| c.is_alphabetic()).collect();
        let known = month(&word).is_some()
            || is_weekday(&word)
            || ["noon", "midday", "midnight"]
                .iter()
                .any(|w| w.eq_ignore_ascii_case(&word));
        if !known {
            return None;
        }
    }
    // A moment, a range and the separator fit in the first few tokens, and the entry's
    // text after them is never needed: read a dozen, and more only when they run out.
    const FIRST: usize = 10;
    let tokens = tokenize(text, FIRST);
    // A parse that ended well before the last token read could not have gone further.
    let complete = |used: usize| tokens.len() < FIRST || used + 4 <= tokens.len();
    match leading_in(text, &tokens, order) {
        Some((moment, range_end, at, used)) if complete(used) => Some((moment, range_end, at)),
        _ => leading_in(text, &tokenize(text, LEADING_TOKENS), order)
            .map(|(moment, range_end, at, _)| (moment, range_end, at)),
    }
}

/// [`leading_moment`] over the first tokens of `text`; also returns how many tokens the
/// moment and its separator took.
fn leading_in(
    text: &str,
    tokens: &[Token<'_>],
    order: Option<DateOrder>,
) -> Option<(Moment, Option<Moment>, usize, usize)> {
    let s = Scan {
        tokens,
        src: text,
        order,
    };
    let first = tokens
        .iter()
        .position(|t| !(t.kind == Kind::Punct && "*_`[(~".contains(t.text)))?;
    let (moment, mut k) = moment_at(&s, first, true)?;
    let mut range_end = None;
    if is_range_word(&s, k)
        && !s.is_word(k, &["and", "to"])
        && let Some((to, after)) = moment_at(&s, k + 1, true)
    {
        range_end = Some(to);
        k = after;
    }
    // The separator between the time and the text: ":", "-", "—", "|", closing markup.
    while s.is_punct(
        k,
        &['*', '_', '`', ']', ')', ':', '-', '–', '—', '|', ',', '.'],
    ) {
        k += 1;
    }
    Some((moment, range_end, s.start(k), k))
}

/// A date, and a time of day if one follows, at the very start of `text`, written as
/// people write them ("February 10, 2024, 9:00 AM", "Sat 10 Feb 2024 14:00", "10.02.2024",
/// "2024/02/10 9:05 PM"), and the byte offset where they end, since a zone may follow.
/// The year must be written, and the minutes: this reads a value, not a sentence.
pub(crate) fn written_date_time(
    text: &str,
    order: Option<DateOrder>,
) -> Option<(NaiveDate, Option<NaiveTime>, usize)> {
    let tokens = tokenize(text, usize::MAX);
    let s = Scan {
        tokens: &tokens,
        src: text,
        order,
    };
    let (date, after_date) = date_at(&s, 0, false)?;
    let day = NaiveDate::from_ymd_opt(date.year?, date.month, date.day)?;
    let mut j = after_date;
    if s.is_punct(j, &[',', '@']) || (s.is_word(j, &["t"]) && s.touches(j)) {
        j += 1;
    }
    if s.is_word(j, &["at"]) {
        j += 1;
    }
    match clock_at(&s, j) {
        Some((clock, end)) => {
            clock.minute?;
            Some((day, Some(clock.time()?), s.end(end)))
        }
        None => Some((day, None, s.end(after_date))),
    }
}

/// A day in a file name such as `2024-02-10-cache-outage` or `20240210_cache`.
pub(crate) fn date_in_name(stem: &str) -> Option<NaiveDate> {
    crate::parse::file_date::day_in_file_name(stem)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Resolves the first moment (or range) of `input` in a UTC context dated 2024-02-10,
    /// and compares the RFC 3339 form(s) joined by " / ".
    fn check(input: &str, expected: &str) {
        let context = Resolve {
            date: NaiveDate::from_ymd_opt(2024, 2, 10),
            year: Some(2024),
            zone: Zone::UTC,
        };
        let show = |m: &Moment| match m.resolve(&context) {
            Some(r) => r.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            None => "unresolved".to_string(),
        };
        let got = match find_range(input, None) {
            Some((from, to)) => format!("{} / {}", show(&from), show(&to)),
            None => find_moment(input, None).map_or("none".to_string(), |m| show(&m)),
        };
        assert_eq!(got, expected, "input {input:?}");
    }

    #[test]
    fn moments_and_ranges() {
        for (input, expected) in [
            (
                "February 10, 2024, 9:00 AM - February 11, 2024, 2:00 PM (UTC)",
                "2024-02-10T09:00:00Z / 2024-02-11T14:00:00Z",
            ),
            ("Feb 10 2024 09:00 CET", "2024-02-10T08:00:00Z"),
            ("10 Feb 2024, 14:00 +02:00", "2024-02-10T12:00:00Z"),
            (
                "Saturday, 10th of February 2024 at 9 a.m. PST",
                "2024-02-10T17:00:00Z",
            ),
            ("2024-02-10T09:00:00Z", "2024-02-10T09:00:00Z"),
            ("2024-02-10 09:00 Europe/Berlin", "2024-02-10T08:00:00Z"),
            ("09:15", "2024-02-10T09:15:00Z"),
            ("9am", "2024-02-10T09:00:00Z"),
            ("12:30 PM EST", "2024-02-10T17:30:00Z"),
            ("12:05 a.m.", "2024-02-10T00:05:00Z"),
            ("14:??", "2024-02-10T14:00:00Z"),
            (
                "from 22:10 to 01:15 UTC+1",
                "2024-02-10T21:10:00Z / 2024-02-10T00:15:00Z",
            ),
            (
                "between 9:00 and 11:30 Eastern",
                "2024-02-10T14:00:00Z / 2024-02-10T16:30:00Z",
            ),
            ("10.02.2024 17:45", "2024-02-10T17:45:00Z"),
            ("13/02/2024", "2024-02-13T00:00:00Z"),
            ("02/03/2024", "none"),
            ("we may see 5 minutes of delay", "none"),
            ("version 2.41 shipped", "none"),
            ("2024-02-30", "none"),
        ] {
            check(input, expected);
        }
    }

    #[test]
    fn leading_moments_split_off_the_event() {
        let (moment, _, at) = leading_moment("**09:00:00** — Certificate expires", None).unwrap();
        assert_eq!(moment.clock.map(|c| (c.hour, c.minute)), Some((9, Some(0))));
        assert_eq!(
            &"**09:00:00** — Certificate expires"[at..],
            "Certificate expires"
        );
        let (moment, _, _) = leading_moment("06-26 07:45 | Planned failover", None).unwrap();
        assert_eq!(moment.date.map(|d| (d.month, d.day)), Some((6, 26)));
        assert!(leading_moment("Engineers looked at 09:00", None).is_none());
        let (_, to, _) = leading_moment("Apr 10 – Apr 16 — memory rises", None).unwrap();
        assert_eq!(to.and_then(|m| m.date).map(|d| d.day), Some(16));
    }
}
