//! Which number comes first in a date written with slashes or dashes and the year last
//! (`03/04/2022`): March 4 in the United States, 3 April in most of the world. A date
//! alone cannot say, so a site says (`date_order` in `hindsight.toml`), and an archive
//! that does not gets a message naming the setting rather than a guess.

use serde::Deserialize;

/// How a site's numeric dates with the year last are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DateOrder {
    /// `03/04/2022` is March 4, 2022.
    MonthFirst,
    /// `03/04/2022` is 3 April 2022.
    DayFirst,
}

/// A run of one to `max` digits at the start of `s`: its value and the text after it.
fn number(s: &str, max: usize) -> Option<(Option<u32>, &str)> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    (1..=max)
        .contains(&digits)
        .then(|| (s[..digits].parse().ok(), &s[digits..]))
}

/// A leading `a/b/yyyy` (or `a-b-yyyy`): its two numbers, the year, and the text after it.
fn leading(text: &str) -> Option<(u32, u32, i32, &str)> {
    let text = text.trim_start();
    let (a, rest) = number(text, 2)?;
    let sep = rest.chars().next().filter(|c| matches!(c, '/' | '-'))?;
    let (b, rest) = number(&rest[1..], 2)?;
    let rest = rest.strip_prefix(sep)?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits != 4 {
        return None;
    }
    let year = rest[..4].parse().ok()?;
    Some((a?, b?, year, &rest[4..]))
}

impl DateOrder {
    /// `text` with a leading `03/04/2022` rewritten as `2022-03-04` (month first), so the
    /// timestamp readers see an ISO date; `Ok(None)` when it does not start with such a
    /// date, `Err` when it does but is not a day of the calendar in this order.
    pub fn to_iso(self, text: &str) -> Result<Option<String>, String> {
        let Some((a, b, year, rest)) = leading(text) else {
            return Ok(None);
        };
        let (month, day) = match self {
            DateOrder::MonthFirst => (a, b),
            DateOrder::DayFirst => (b, a),
        };
        let written = text.trim_start().len() - rest.len();
        let written = &text.trim_start()[..written];
        match chrono::NaiveDate::from_ymd_opt(year, month, day) {
            Some(date) => Ok(Some(format!("{date}{rest}"))),
            None => Err(format!(
                "{written} is not a date read {} (date_order = \"{}\")",
                self.words(),
                self.key()
            )),
        }
    }

    fn key(self) -> &'static str {
        match self {
            DateOrder::MonthFirst => "month-first",
            DateOrder::DayFirst => "day-first",
        }
    }

    fn words(self) -> &'static str {
        match self {
            DateOrder::MonthFirst => "month first",
            DateOrder::DayFirst => "day first",
        }
    }
}

/// What a leading `a/b/yyyy` says about the order its archive writes dates in: whether it
/// is a day read month first, and read day first. `None` for any other text, and for a
/// date that reads the same both ways (`04/04/2022`), which says nothing.
pub fn readings(text: &str) -> Option<[bool; 2]> {
    let (a, b, year, _) = leading(text)?;
    let is_day = |month, day| chrono::NaiveDate::from_ymd_opt(year, month, day).is_some();
    (a != b).then(|| [is_day(a, b), is_day(b, a)])
}

/// For a site without `date_order`: the message for a leading `03/04/2022` that could be
/// either day, naming both readings and the setting.
pub fn ambiguous(text: &str) -> Option<String> {
    let (a, b, year, rest) = leading(text)?;
    let name = |month: u32, day: u32| {
        chrono::NaiveDate::from_ymd_opt(year, month, day).map(|d| d.format("%B %-d, %Y"))
    };
    let (as_month_first, as_day_first) = (name(a, b)?, name(b, a)?);
    if a == b {
        return None;
    }
    let written = &text.trim_start()[..text.trim_start().len() - rest.len()];
    Some(format!(
        "{written} could be {as_month_first} or {as_day_first}: set date_order = \"month-first\" or \"day-first\" in hindsight.toml"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slash_dates_in_either_order() {
        let month = DateOrder::MonthFirst;
        let day = DateOrder::DayFirst;
        assert_eq!(
            month.to_iso("03/04/2022 14:05 PST"),
            Ok(Some("2022-03-04 14:05 PST".into()))
        );
        assert_eq!(day.to_iso(" 3-4-2022"), Ok(Some("2022-04-03".into())));
        assert_eq!(month.to_iso("2022-03-04"), Ok(None));
        assert_eq!(month.to_iso("10.02.2024"), Ok(None));
        assert_eq!(
            month.to_iso("13/04/2022 09:00"),
            Err("13/04/2022 is not a date read month first (date_order = \"month-first\")".into())
        );
        assert_eq!(
            day.to_iso("02/30/2022"),
            Err("02/30/2022 is not a date read day first (date_order = \"day-first\")".into())
        );
    }

    #[test]
    fn only_a_date_that_reads_both_ways_is_ambiguous() {
        assert_eq!(
            ambiguous("03/04/2022 14:05").as_deref(),
            Some(
                "03/04/2022 could be March 4, 2022 or April 3, 2022: set date_order = \"month-first\" or \"day-first\" in hindsight.toml"
            )
        );
        assert_eq!(ambiguous("13/04/2022"), None);
        assert_eq!(ambiguous("04/04/2022"), None);
        assert_eq!(ambiguous("2022-03-04"), None);
    }

    #[test]
    fn what_a_date_says_about_the_order() {
        assert_eq!(readings("12/25/2021 10:00"), Some([true, false]));
        assert_eq!(readings("25/12/2021"), Some([false, true]));
        assert_eq!(readings("03/04/2022"), Some([true, true]));
        assert_eq!(readings("04/04/2022"), None);
        assert_eq!(readings("2022/04/03"), None);
    }
}
