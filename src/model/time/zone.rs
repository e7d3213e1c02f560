//! Time zones as archives name them: IANA names, US region names (`Pacific`, `Eastern`),
//! cities (`Denver`, `New York`, `Bangalore`) and abbreviations (`PDT`, `CET`, `IST`).
//!
//! A region or a city is its IANA zone, so its offset follows daylight saving time. An
//! abbreviation is the fixed offset it names, as written; [`SeasonMismatch`] says when it
//! names the other season of its region on that date (`CET` on 2024-07-01), so the
//! reader can be told what was assumed. Ambiguous abbreviations take their most common
//! meaning in English-language write-ups: `CST` is US Central, `IST` is India, `BST` is
//! British Summer Time.

use std::fmt;

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

/// A time zone: a fixed offset ("UTC", "+02:00", "PST") or a named zone whose offset
/// depends on the date ("Europe/Berlin", "Denver").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    Fixed(FixedOffset),
    Named(Tz),
}

impl Zone {
    pub const UTC: Zone = match FixedOffset::east_opt(0) {
        Some(utc) => Zone::Fixed(utc),
        None => Zone::Named(Tz::UTC),
    };

    /// A site's zone; UTC as a fixed offset, which converts without a table lookup.
    pub fn of(tz: Tz) -> Zone {
        if tz == Tz::UTC {
            Zone::UTC
        } else {
            Zone::Named(tz)
        }
    }

    /// The instant of a local date and time in this zone; in the hour a clock falls back,
    /// the earlier reading (an on-call engineer writes the first one down). `None` for a
    /// time the clocks skipped.
    pub fn to_utc(self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
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
    pub fn date_of(self, at: DateTime<Utc>) -> NaiveDate {
        match self {
            Zone::Fixed(offset) => at.with_timezone(&offset).date_naive(),
            Zone::Named(tz) => at.with_timezone(&tz).date_naive(),
        }
    }
}

/// The clocks an abbreviation belongs to, to tell whether it names their season.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub tz: Tz,
    /// As messages name it: "Central Europe", "US Pacific time".
    pub name: &'static str,
    /// The abbreviation names the region's summer time (`CEST`, `PDT`), not its standard
    /// time (`CET`, `PST`).
    pub summer: bool,
}

/// A zone abbreviation and the fixed offset it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Abbreviation {
    pub name: &'static str,
    /// Minutes east of UTC.
    pub minutes: i32,
    /// The region whose clocks switch between this abbreviation and another; `None` for
    /// one that holds all year (`IST`, `JST`).
    pub region: Option<Region>,
}

const fn seasonal(
    name: &'static str,
    minutes: i32,
    tz: Tz,
    region: &'static str,
    summer: bool,
) -> Abbreviation {
    Abbreviation {
        name,
        minutes,
        region: Some(Region {
            tz,
            name: region,
            summer,
        }),
    }
}

const fn all_year(name: &'static str, minutes: i32) -> Abbreviation {
    Abbreviation {
        name,
        minutes,
        region: None,
    }
}

const US_PACIFIC: &str = "US Pacific time";
const US_MOUNTAIN: &str = "US Mountain time";
const US_CENTRAL: &str = "US Central time";
const US_EASTERN: &str = "US Eastern time";

/// The abbreviations Hindsight knows. `GMT` and `UTC` are not here: they are read as UTC
/// everywhere, and `GMT` in a London summer is far more often UTC than a mistake.
pub const ABBREVIATIONS: &[Abbreviation] = &[
    seasonal("PST", -8 * 60, Tz::America__Los_Angeles, US_PACIFIC, false),
    seasonal("PDT", -7 * 60, Tz::America__Los_Angeles, US_PACIFIC, true),
    seasonal("MST", -7 * 60, Tz::America__Denver, US_MOUNTAIN, false),
    seasonal("MDT", -6 * 60, Tz::America__Denver, US_MOUNTAIN, true),
    seasonal("CST", -6 * 60, Tz::America__Chicago, US_CENTRAL, false),
    seasonal("CDT", -5 * 60, Tz::America__Chicago, US_CENTRAL, true),
    seasonal("EST", -5 * 60, Tz::America__New_York, US_EASTERN, false),
    seasonal("EDT", -4 * 60, Tz::America__New_York, US_EASTERN, true),
    seasonal("AKST", -9 * 60, Tz::America__Anchorage, "Alaska", false),
    seasonal("AKDT", -8 * 60, Tz::America__Anchorage, "Alaska", true),
    all_year("HST", -10 * 60),
    all_year("BRT", -3 * 60),
    all_year("ART", -3 * 60),
    seasonal("WET", 0, Tz::Europe__Lisbon, "Western Europe", false),
    seasonal("WEST", 60, Tz::Europe__Lisbon, "Western Europe", true),
    seasonal("BST", 60, Tz::Europe__London, "the UK", true),
    seasonal("CET", 60, Tz::Europe__Berlin, "Central Europe", false),
    seasonal("CEST", 2 * 60, Tz::Europe__Berlin, "Central Europe", true),
    seasonal("EET", 2 * 60, Tz::Europe__Helsinki, "Eastern Europe", false),
    seasonal("EEST", 3 * 60, Tz::Europe__Helsinki, "Eastern Europe", true),
    all_year("MSK", 3 * 60),
    all_year("IST", 5 * 60 + 30),
    all_year("SGT", 8 * 60),
    all_year("HKT", 8 * 60),
    all_year("AWST", 8 * 60),
    all_year("JST", 9 * 60),
    all_year("KST", 9 * 60),
    seasonal(
        "ACST",
        9 * 60 + 30,
        Tz::Australia__Adelaide,
        "Central Australia",
        false,
    ),
    seasonal(
        "ACDT",
        10 * 60 + 30,
        Tz::Australia__Adelaide,
        "Central Australia",
        true,
    ),
    seasonal(
        "AEST",
        10 * 60,
        Tz::Australia__Sydney,
        "Eastern Australia",
        false,
    ),
    seasonal(
        "AEDT",
        11 * 60,
        Tz::Australia__Sydney,
        "Eastern Australia",
        true,
    ),
    seasonal("NZST", 12 * 60, Tz::Pacific__Auckland, "New Zealand", false),
    seasonal("NZDT", 13 * 60, Tz::Pacific__Auckland, "New Zealand", true),
];

/// US region names, which follow daylight saving time, each as its IANA zone. Names are
/// as capitalized in prose; [`place`] ignores case.
pub const REGIONS: &[(&str, Tz)] = &[
    ("PT", Tz::America__Los_Angeles),
    ("Pacific", Tz::America__Los_Angeles),
    ("MT", Tz::America__Denver),
    ("Mountain", Tz::America__Denver),
    ("CT", Tz::America__Chicago),
    ("Central", Tz::America__Chicago),
    ("ET", Tz::America__New_York),
    ("Eastern", Tz::America__New_York),
];

/// Cities archives name as zones, each as its IANA zone.
pub const CITIES: &[(&str, Tz)] = &[
    ("Los Angeles", Tz::America__Los_Angeles),
    ("San Francisco", Tz::America__Los_Angeles),
    ("Seattle", Tz::America__Los_Angeles),
    ("Portland", Tz::America__Los_Angeles),
    ("Vancouver", Tz::America__Vancouver),
    ("Denver", Tz::America__Denver),
    ("Phoenix", Tz::America__Phoenix),
    ("Chicago", Tz::America__Chicago),
    ("Austin", Tz::America__Chicago),
    ("Dallas", Tz::America__Chicago),
    ("New York", Tz::America__New_York),
    ("Boston", Tz::America__New_York),
    ("Washington", Tz::America__New_York),
    ("Atlanta", Tz::America__New_York),
    ("Toronto", Tz::America__Toronto),
    ("Sao Paulo", Tz::America__Sao_Paulo),
    ("London", Tz::Europe__London),
    ("Dublin", Tz::Europe__Dublin),
    ("Lisbon", Tz::Europe__Lisbon),
    ("Paris", Tz::Europe__Paris),
    ("Berlin", Tz::Europe__Berlin),
    ("Amsterdam", Tz::Europe__Amsterdam),
    ("Madrid", Tz::Europe__Madrid),
    ("Zurich", Tz::Europe__Zurich),
    ("Stockholm", Tz::Europe__Stockholm),
    ("Warsaw", Tz::Europe__Warsaw),
    ("Helsinki", Tz::Europe__Helsinki),
    ("Moscow", Tz::Europe__Moscow),
    ("Tel Aviv", Tz::Asia__Jerusalem),
    ("Dubai", Tz::Asia__Dubai),
    ("Bangalore", Tz::Asia__Kolkata),
    ("Bengaluru", Tz::Asia__Kolkata),
    ("Mumbai", Tz::Asia__Kolkata),
    ("Delhi", Tz::Asia__Kolkata),
    ("Kolkata", Tz::Asia__Kolkata),
    ("Singapore", Tz::Asia__Singapore),
    ("Hong Kong", Tz::Asia__Hong_Kong),
    ("Shanghai", Tz::Asia__Shanghai),
    ("Beijing", Tz::Asia__Shanghai),
    ("Seoul", Tz::Asia__Seoul),
    ("Tokyo", Tz::Asia__Tokyo),
    ("Sydney", Tz::Australia__Sydney),
    ("Melbourne", Tz::Australia__Melbourne),
    ("Auckland", Tz::Pacific__Auckland),
];

/// The abbreviation `word` spells, in any case.
pub fn abbreviation(word: &str) -> Option<&'static Abbreviation> {
    ABBREVIATIONS
        .iter()
        .find(|a| a.name.eq_ignore_ascii_case(word))
}

/// The zone of a region or city name, in any case, with `_` for a space ("new_york") and
/// an optional trailing "time" ("Pacific Time").
pub fn place(name: &str) -> Option<Tz> {
    let name = name.trim();
    let name = strip_suffix_ignoring_case(name, " time").unwrap_or(name);
    let words: Vec<&str> = name.split([' ', '_']).filter(|w| !w.is_empty()).collect();
    let name = words.join(" ");
    REGIONS
        .iter()
        .chain(CITIES)
        .find(|(place, _)| place.eq_ignore_ascii_case(&name))
        .map(|(_, tz)| *tz)
}

fn strip_suffix_ignoring_case<'t>(text: &'t str, suffix: &str) -> Option<&'t str> {
    let cut = text.len().checked_sub(suffix.len())?;
    let (head, tail) = (text.get(..cut)?, text.get(cut..)?);
    tail.eq_ignore_ascii_case(suffix).then_some(head)
}

/// A zone name whose offset follows the calendar: an IANA name, else a region or a city.
/// What `timezone` in `hindsight.toml` accepts.
pub fn named(name: &str) -> Option<Tz> {
    name.trim().parse::<Tz>().ok().or_else(|| place(name))
}

/// An abbreviation that names the other season of its region at the instant it dates:
/// `CET` on a summer day, when Central Europe was on `CEST`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeasonMismatch {
    pub given: &'static Abbreviation,
    /// The day as written.
    pub date: NaiveDate,
    pub region: Region,
    /// What the region's clocks were on: its abbreviation ("CEST") and offset.
    pub actual: String,
    pub actual_offset: FixedOffset,
}

impl Abbreviation {
    pub fn offset(&self) -> Option<FixedOffset> {
        FixedOffset::east_opt(self.minutes * 60)
    }

    /// The mismatch when this abbreviation, written for `local` (read at its own
    /// offset), names the season its region was not in then.
    pub fn season_mismatch(&'static self, local: NaiveDateTime) -> Option<SeasonMismatch> {
        let region = self.region?;
        let instant = self.offset()?.from_local_datetime(&local).single()?;
        let actual = region.tz.offset_from_utc_datetime(&instant.naive_utc());
        let in_summer = !actual.dst_offset().is_zero();
        (in_summer != region.summer).then(|| SeasonMismatch {
            given: self,
            date: local.date(),
            region,
            actual: actual
                .abbreviation()
                .unwrap_or("its other time")
                .to_string(),
            actual_offset: actual.fix(),
        })
    }
}

impl fmt::Display for SeasonMismatch {
    /// "CET given for 2024-07-01, when Central Europe was on CEST (+02:00); read as +01:00
    /// as written".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let written = self.given.offset().map(show_offset).unwrap_or_default();
        write!(
            f,
            "{} given for {}, when {} was on {} ({}); read as {written} as written",
            self.given.name,
            self.date,
            self.region.name,
            self.actual,
            show_offset(self.actual_offset),
        )
    }
}

/// "+02:00", "-07:00", "+05:30".
pub fn show_offset(offset: FixedOffset) -> String {
    let seconds = offset.local_minus_utc();
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn places_ignore_case_spaces_and_time() {
        for (name, expected) in [
            ("Denver", Some(Tz::America__Denver)),
            ("denver", Some(Tz::America__Denver)),
            ("New York", Some(Tz::America__New_York)),
            ("new_york", Some(Tz::America__New_York)),
            ("Pacific Time", Some(Tz::America__Los_Angeles)),
            ("Bangalore", Some(Tz::Asia__Kolkata)),
            ("Springfield", None),
        ] {
            assert_eq!(place(name), expected, "{name}");
        }
        assert_eq!(named("Europe/Berlin"), Some(Tz::Europe__Berlin));
        assert_eq!(named("Tokyo"), Some(Tz::Asia__Tokyo));
        assert_eq!(
            named("PDT"),
            None,
            "an abbreviation is no zone with seasons"
        );
    }

    #[test]
    fn abbreviations_that_name_the_other_season() {
        let check = |abbr: &str, at: &str, expected: Option<&str>| {
            let got = abbreviation(abbr)
                .unwrap()
                .season_mismatch(local(at))
                .map(|m| m.to_string());
            assert_eq!(got.as_deref(), expected, "{abbr} {at}");
        };
        check(
            "CET",
            "2024-07-01 10:00",
            Some(
                "CET given for 2024-07-01, when Central Europe was on CEST (+02:00); read as +01:00 as written",
            ),
        );
        check("CET", "2024-01-15 10:00", None);
        check("cest", "2024-07-01 10:00", None);
        check(
            "EST",
            "2024-08-10 09:00",
            Some(
                "EST given for 2024-08-10, when US Eastern time was on EDT (-04:00); read as -05:00 as written",
            ),
        );
        check(
            "PDT",
            "2024-12-24 09:00",
            Some(
                "PDT given for 2024-12-24, when US Pacific time was on PST (-08:00); read as -07:00 as written",
            ),
        );
        check(
            "AEST",
            "2024-01-10 09:00",
            Some(
                "AEST given for 2024-01-10, when Eastern Australia was on AEDT (+11:00); read as +10:00 as written",
            ),
        );
        check(
            "BST",
            "2024-01-10 09:00",
            Some(
                "BST given for 2024-01-10, when the UK was on GMT (+00:00); read as +01:00 as written",
            ),
        );
        check("IST", "2024-07-01 10:00", None);
        check("JST", "2024-07-01 10:00", None);
    }
}
