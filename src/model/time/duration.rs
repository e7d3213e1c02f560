//! Durations as archives record them instead of (or besides) timestamps: `45m`, `45 min`,
//! `2h 30m`, `2h30m`, `1d 4h`, `90s`, ISO 8601 (`PT45M`, `P1DT2H`), "45 minutes", "2 hours
//! 30 minutes", "1.5 hours", and clock lengths `01:30` and `1:30:00` (hours, minutes and
//! seconds).
//!
//! A bare number (`duration: 45`) has no unit of its own. The rule: a field whose name
//! says the unit (`ttr_minutes`, `duration_hours`, `time_to_detect_s`, `downtimeMins`)
//! is in that unit; any other bare number is minutes, the unit most archives count
//! response times in, and the reader says so ([`Length::Bare`] lets the caller warn).
//! Years and months are refused: their length depends on the calendar, and no incident
//! is measured in them.

use chrono::TimeDelta;

/// A duration as written: with its unit, or a bare number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Length {
    Stated(TimeDelta),
    /// A number without a unit, as written.
    Bare(f64),
}

/// The shapes accepted, for messages.
pub const EXPECTED_DURATIONS: &str = "expected a duration such as 45m, 2h 30m, 1d 4h, 90s, PT45M, \"45 minutes\", \"1.5 hours\" or 1:30 (hours:minutes)";

/// The longest duration accepted: a century, so arithmetic on it cannot overflow.
const MAX_SECONDS: f64 = 100.0 * 366.0 * 86_400.0;

/// A unit of time a field's name can state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Unit {
    pub seconds: f64,
    /// "minutes", for messages.
    pub name: &'static str,
}

pub const MINUTES: Unit = Unit {
    seconds: 60.0,
    name: "minutes",
};

/// Parses a duration; see the module documentation for the shapes.
pub fn parse_duration(text: &str) -> Result<Length, String> {
    let lower = text.trim().to_ascii_lowercase();
    let text = without_approximation(&lower);
    let expected = || EXPECTED_DURATIONS.to_string();
    if let Some(number) = decimal(text).filter(|(_, rest)| rest.is_empty()) {
        return Ok(Length::Bare(number.0));
    }
    let seconds = iso(text)
        .or_else(|| clock(text))
        .or_else(|| with_units(text))
        .ok_or_else(expected)?;
    to_delta(seconds).map(Length::Stated).ok_or_else(expected)
}

/// A bare number of `unit`s as a duration; `None` when out of range.
pub fn from_bare(amount: f64, unit: Unit) -> Option<TimeDelta> {
    to_delta(amount * unit.seconds)
}

fn to_delta(seconds: f64) -> Option<TimeDelta> {
    (seconds.is_finite() && (0.0..=MAX_SECONDS).contains(&seconds))
        .then(|| TimeDelta::try_seconds(seconds.round() as i64))
        .flatten()
}

/// "about 45m", "~45m", "approx. 2 hours": the words that say a length is rounded.
fn without_approximation(text: &str) -> &str {
    let mut text = text.trim();
    for prefix in [
        "~",
        "≈",
        "approximately",
        "approx.",
        "approx",
        "about",
        "around",
        "roughly",
    ] {
        if let Some(rest) = text.strip_prefix(prefix) {
            text = rest.trim_start();
        }
    }
    text
}

/// A decimal number at the start of `text` ("45", "1.5", ".5") and what follows.
fn decimal(text: &str) -> Option<(f64, &str)> {
    let whole = text.bytes().take_while(u8::is_ascii_digit).count();
    let mut end = whole;
    if text[end..].starts_with('.') {
        let fraction = text[end + 1..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        if fraction > 0 {
            end += 1 + fraction;
        }
    }
    if end == 0 {
        return None;
    }
    Some((text[..end].parse().ok()?, &text[end..]))
}

/// Seconds in one of a unit word (lowercase), or `None` for a word that is not one. The
/// prose reader (`parse::infer`) counts with the same table.
pub fn unit_seconds(word: &str) -> Option<f64> {
    Some(match word {
        "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
        "d" | "day" | "days" => 86_400.0,
        "w" | "wk" | "wks" | "week" | "weeks" => 604_800.0,
        _ => return None,
    })
}

/// "2h 30m", "2h30m", "1d 4h", "45 minutes", "2 hours and 30 minutes", "1 hr, 5 mins".
fn with_units(text: &str) -> Option<f64> {
    let mut rest = text;
    let mut total = 0.0;
    let mut parts = 0;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
        if parts > 0
            && let Some(after) = rest.strip_prefix("and ")
        {
            rest = after.trim_start();
        }
        if rest.is_empty() {
            break;
        }
        let (amount, after) = decimal(rest)?;
        let after = after.trim_start();
        let letters = after
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(after.len());
        total += amount * unit_seconds(&after[..letters])?;
        parts += 1;
        // "45 min." ends with the abbreviation's full stop.
        rest = after[letters..]
            .strip_prefix('.')
            .unwrap_or(&after[letters..]);
    }
    (parts > 0).then_some(total)
}

/// ISO 8601 without years and months: `PT45M`, `P1DT2H`, `P2W`, `PT1.5H`, `PT90S`.
fn iso(text: &str) -> Option<f64> {
    let rest = text.strip_prefix('p')?;
    let (days, time) = rest.split_once('t').unwrap_or((rest, ""));
    if rest.ends_with('t') {
        return None;
    }
    let mut total = 0.0;
    let mut parts = 0;
    for (part, units) in [(days, "wd"), (time, "hms")] {
        let mut rest = part;
        let mut allowed = units;
        while !rest.is_empty() {
            let (amount, after) = decimal(rest)?;
            let unit = after.chars().next()?;
            // Each unit once, in order: "P1D2W" is not ISO 8601.
            let at = allowed.find(unit)?;
            allowed = &allowed[at + 1..];
            let seconds = match unit {
                'w' => 604_800.0,
                'd' => 86_400.0,
                'h' => 3600.0,
                'm' => 60.0,
                _ => 1.0,
            };
            total += amount * seconds;
            parts += 1;
            rest = &after[1..];
        }
    }
    (parts > 0).then_some(total)
}

/// `1:30` (hours and minutes) and `1:30:00` (and seconds).
fn clock(text: &str) -> Option<f64> {
    let fields: Vec<&str> = text.split(':').collect();
    if !(2..=3).contains(&fields.len()) || fields[0].is_empty() || fields[0].len() > 3 {
        return None;
    }
    let mut seconds = 0.0;
    for (i, field) in fields.iter().enumerate() {
        if !field.bytes().all(|b| b.is_ascii_digit()) || (i > 0 && field.len() != 2) {
            return None;
        }
        let value: f64 = field.parse().ok()?;
        if i > 0 && value >= 60.0 {
            return None;
        }
        seconds += value * [3600.0, 60.0, 1.0][i];
    }
    Some(seconds)
}

const SECONDS: Unit = Unit {
    seconds: 1.0,
    name: "seconds",
};
const HOURS: Unit = Unit {
    seconds: 3600.0,
    name: "hours",
};
const DAYS: Unit = Unit {
    seconds: 86_400.0,
    name: "days",
};

/// The words that name a unit at the end of a field's name, longest first.
const UNITS_IN_NAMES: &[(&str, Unit)] = &[
    ("seconds", SECONDS),
    ("secs", SECONDS),
    ("sec", SECONDS),
    ("s", SECONDS),
    ("minutes", MINUTES),
    ("mins", MINUTES),
    ("min", MINUTES),
    ("m", MINUTES),
    ("hours", HOURS),
    ("hrs", HOURS),
    ("hr", HOURS),
    ("h", HOURS),
    ("days", DAYS),
    ("d", DAYS),
];

/// The unit a field's name states: `ttr_minutes`, `duration_hours`, `time_to_detect_s`,
/// `downtimeMins`, `TTR (min)`.
pub fn unit_in_name(name: &str) -> Option<Unit> {
    let name = name.trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
    let chars: Vec<char> = name.chars().collect();
    UNITS_IN_NAMES.iter().find_map(|(word, unit)| {
        let start = chars.len().checked_sub(word.len())?;
        let tail: String = chars[start..].iter().collect();
        let before = start.checked_sub(1).map(|i| chars[i]);
        // The unit is a word of its own: after a separator, or capitalized in camelCase
        // ("downtimeMins"); one letter only after a separator ("ttr_m", not "tim").
        let separated = before.is_some_and(|c| !c.is_ascii_alphanumeric());
        let camel = word.len() > 1
            && chars[start].is_ascii_uppercase()
            && before.is_some_and(|c| c.is_ascii_lowercase());
        (tail.eq_ignore_ascii_case(word) && (separated || camel)).then_some(*unit)
    })
}

/// A duration as the accepted shapes write it, for messages: "45m", "2h 30m", "1d 4h",
/// "1m 30s", "0m".
pub fn show(delta: TimeDelta) -> String {
    let seconds = delta.num_seconds().max(0);
    let parts: Vec<String> = [
        (seconds / 86_400, "d"),
        (seconds % 86_400 / 3600, "h"),
        (seconds % 3600 / 60, "m"),
        (seconds % 60, "s"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, unit)| format!("{n}{unit}"))
    .collect();
    if parts.is_empty() {
        "0m".to_string()
    } else {
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `input` and shows the result in minutes (with seconds when there are any),
    /// "bare N" for a number without unit, or "error".
    fn check(input: &str, expected: &str) {
        let got = match parse_duration(input) {
            Ok(Length::Stated(delta)) if delta.num_seconds() % 60 == 0 => {
                format!("{} min", delta.num_minutes())
            }
            Ok(Length::Stated(delta)) => format!("{} s", delta.num_seconds()),
            Ok(Length::Bare(number)) => format!("bare {number}"),
            Err(message) => {
                assert_eq!(message, EXPECTED_DURATIONS);
                "error".to_string()
            }
        };
        assert_eq!(got, expected, "input {input:?}");
    }

    #[test]
    fn shapes() {
        for (input, expected) in [
            ("45m", "45 min"),
            ("45 min", "45 min"),
            ("45 mins", "45 min"),
            ("45 minutes", "45 min"),
            ("45 Minutes", "45 min"),
            ("45 min.", "45 min"),
            ("2h 30m", "150 min"),
            ("2h30m", "150 min"),
            ("2 hours 30 minutes", "150 min"),
            ("2 hours and 30 minutes", "150 min"),
            ("1 hr, 5 mins", "65 min"),
            ("1.5 hours", "90 min"),
            ("1d", "1440 min"),
            ("1d 4h", "1680 min"),
            ("1 day", "1440 min"),
            ("2w", "20160 min"),
            ("90s", "90 s"),
            ("90 seconds", "90 s"),
            ("PT45M", "45 min"),
            ("pt45m", "45 min"),
            ("P1DT2H", "1560 min"),
            ("PT1.5H", "90 min"),
            ("PT1H30M", "90 min"),
            ("P2D", "2880 min"),
            ("PT90S", "90 s"),
            ("01:30", "90 min"),
            ("1:30", "90 min"),
            ("1:30:00", "90 min"),
            ("0:00:45", "45 s"),
            ("~45m", "45 min"),
            ("about 2 hours", "120 min"),
            ("0m", "0 min"),
            ("45", "bare 45"),
            ("1.5", "bare 1.5"),
        ] {
            check(input, expected);
        }
    }

    #[test]
    fn refuses_what_is_not_a_length() {
        for input in [
            "",
            "soon",
            "-45m",
            "45 parsecs",
            "2 hours 30",
            "P1Y",
            "P1M",
            "PT",
            "P",
            "P1D2W",
            "1:75",
            "1:3",
            "12:30 PM",
            "2024-02-10",
            "1e5",
            "inf",
            "99999999999d",
        ] {
            check(input, "error");
        }
    }

    #[test]
    fn units_in_field_names() {
        for (name, expected) in [
            ("ttr_minutes", Some("minutes")),
            ("time_to_detect_s", Some("seconds")),
            ("duration_hours", Some("hours")),
            ("downtimeMins", Some("minutes")),
            ("TTR (min)", Some("minutes")),
            ("duration-d", Some("days")),
            ("duration", None),
            ("time_to_resolve", None),
            ("ttm", None),
            ("outage_hrs", Some("hours")),
        ] {
            assert_eq!(unit_in_name(name).map(|u| u.name), expected, "{name}");
        }
        assert_eq!(
            from_bare(1.5, unit_in_name("ttr_hours").unwrap()),
            Some(TimeDelta::minutes(90))
        );
    }

    proptest::proptest! {
        #[test]
        fn what_messages_show_reads_back(seconds in 0i64..3_000_000_000) {
            let delta = TimeDelta::seconds(seconds);
            proptest::prop_assert_eq!(parse_duration(&show(delta)), Ok(Length::Stated(delta)));
        }

        #[test]
        fn any_text_is_read_or_refused_never_a_panic(text in "([0-9 .:hmsdwinutPTand,~-]|\\PC){0,24}") {
            if let Ok(Length::Stated(delta)) = parse_duration(&text) {
                proptest::prop_assert!(delta >= TimeDelta::zero());
            }
        }
    }

    #[test]
    fn shown_as_written() {
        for (seconds, expected) in [
            (0, "0m"),
            (45 * 60, "45m"),
            (150 * 60, "2h 30m"),
            (28 * 3600, "1d 4h"),
            (90, "1m 30s"),
        ] {
            assert_eq!(show(TimeDelta::seconds(seconds)), expected);
        }
    }
}
