//! Durations as written: "5 minutes", "19 hours 43 minutes", "19h43m", "1.5 hours",
//! "an hour and a half", "about 2 days", and "1:30" where a label says it is a length.

use chrono::TimeDelta;

use super::tokens::{Scan, lowercase, tokenize};

pub(super) const UNIT_WORDS: &[&str] = &[
    "s", "sec", "secs", "second", "seconds", "m", "min", "mins", "minute", "minutes", "h", "hr",
    "hrs", "hour", "hours", "d", "day", "days", "w", "wk", "wks", "week", "weeks", "ms",
];

/// Seconds in one of a duration unit, in any case, or `None` for a word that is not one.
fn unit_seconds(word: &str) -> Option<f64> {
    let mut buffer = [0; 12];
    crate::model::time::duration::unit_seconds(lowercase(word, &mut buffer)?)
}

fn word_number(word: &str) -> Option<f64> {
    const WORDS: [&str; 12] = [
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve",
    ];
    let mut buffer = [0; 12];
    let lower = lowercase(word, &mut buffer)?;
    if lower == "a" || lower == "an" {
        return Some(1.0);
    }
    WORDS
        .iter()
        .position(|w| *w == lower)
        .map(|i| i as f64 + 1.0)
}

/// An amount and a unit at token `k`: "19 hours", "1.5h", "an hour", "half an hour".
fn amount_at(s: &Scan<'_, '_>, k: usize) -> Option<(f64, usize)> {
    let (amount, k) = if let Some((whole, _)) = s.num(k) {
        if s.is_punct(k + 1, &['.', ',']) && s.touches(k + 1) && s.touches(k + 2) {
            let (fraction, digits) = s.num(k + 2)?;
            let value = whole as f64 + fraction as f64 / 10f64.powi(digits as i32);
            (value, k + 3)
        } else {
            (whole as f64, k + 1)
        }
    } else if s.is_word(k, &["half"]) {
        let k = if s.is_word(k + 1, &["a", "an"]) {
            k + 2
        } else {
            k + 1
        };
        (0.5, k)
    } else {
        (word_number(s.word(k)?)?, k + 1)
    };
    let seconds = unit_seconds(s.word(k)?)?;
    Some((amount * seconds, k + 1))
}

fn duration_at(s: &Scan<'_, '_>, i: usize) -> Option<(TimeDelta, usize)> {
    let mut k = i;
    while s.is_word(
        k,
        &[
            "about",
            "approximately",
            "approx",
            "around",
            "roughly",
            "nearly",
            "almost",
            "over",
            "under",
            "just",
            "some",
        ],
    ) || s.is_punct(k, &['~', '≈'])
    {
        k += 1;
    }
    let (mut seconds, mut end) = amount_at(s, k)?;
    let mut last_unit = seconds;
    loop {
        let mut next = end;
        if s.is_punct(next, &[',']) {
            next += 1;
        }
        if s.is_word(next, &["and"]) {
            next += 1;
        }
        // "an hour and a half"
        if s.is_word(next, &["a"]) && s.is_word(next + 1, &["half"]) {
            seconds += last_unit / 2.0;
            end = next + 2;
            break;
        }
        match amount_at(s, next) {
            Some((more, after)) => {
                seconds += more;
                last_unit = more;
                end = after;
            }
            None => break,
        }
    }
    let delta = TimeDelta::try_seconds(seconds.round() as i64)?;
    Some((delta, end))
}

/// The first duration in `text`, and its byte span.
pub(crate) fn find_duration(text: &str) -> Option<(TimeDelta, usize, usize)> {
    let tokens = tokenize(text, usize::MAX);
    let s = Scan {
        tokens: &tokens,
        src: text,
        order: None,
    };
    (0..tokens.len())
        .find_map(|i| duration_at(&s, i).map(|(delta, end)| (delta, s.start(i), s.end(end))))
}

/// "1:30" as a duration, for values that a label already says are durations.
pub(crate) fn clock_duration(text: &str) -> Option<TimeDelta> {
    let tokens = tokenize(text, usize::MAX);
    let s = Scan {
        tokens: &tokens,
        src: text,
        order: None,
    };
    let (hours, _) = s.num(0)?;
    if !(s.is_punct(1, &[':']) && s.touches(1) && s.touches(2)) {
        return None;
    }
    let (minutes, 2) = s.num(2)? else {
        return None;
    };
    (tokens.len() == 3 && minutes < 60)
        .then(|| TimeDelta::minutes(hours as i64 * 60 + minutes as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        for (input, minutes) in [
            ("5 minutes", Some(5)),
            ("19 hours 43 minutes", Some(19 * 60 + 43)),
            ("19h43m", Some(19 * 60 + 43)),
            ("1.5 hours", Some(90)),
            ("about 2 days", Some(2 * 1440)),
            ("an hour and a half", Some(90)),
            ("half an hour", Some(30)),
            ("1 hr, 5 mins", Some(65)),
            ("p99 of 450 ms", None),
            ("nothing", None),
        ] {
            let got = find_duration(input).map(|(d, _, _)| d.num_minutes());
            assert_eq!(got, minutes, "{input:?}");
        }
        assert_eq!(clock_duration("1:30"), Some(TimeDelta::minutes(90)));
    }
}
