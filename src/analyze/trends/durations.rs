//! The bins of the duration histogram: fixed, on a roughly logarithmic scale, because
//! incident durations are long-tailed (most last minutes to hours, a few last weeks) and
//! equal-width bins would put nearly every incident in the first one.

use chrono::TimeDelta;

/// One bin of the histogram: durations of at most `max_minutes` (exclusive) whole
/// minutes; the last bin has no upper end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DurationBin {
    pub label: &'static str,
    pub max_minutes: Option<i64>,
}

/// < 5 min, 5–15 min, 15 min – 1 h, 1–4 h, 4–24 h, 1–7 d, > 7 d: each bin three to seven
/// times as wide as the one before it, about even steps on a log scale.
pub const DURATION_BINS: [DurationBin; 7] = [
    bin("< 5 min", Some(5)),
    bin("5–15 min", Some(15)),
    bin("15 min – 1 h", Some(60)),
    bin("1–4 h", Some(240)),
    bin("4–24 h", Some(1440)),
    bin("1–7 d", Some(10080)),
    bin("> 7 d", None),
];

const fn bin(label: &'static str, max_minutes: Option<i64>) -> DurationBin {
    DurationBin { label, max_minutes }
}

/// The bin of a duration, by its whole minutes.
pub fn duration_bin(duration: TimeDelta) -> usize {
    let minutes = duration.num_minutes();
    DURATION_BINS
        .iter()
        .position(|bin| bin.max_minutes.is_none_or(|max| minutes < max))
        .unwrap_or(DURATION_BINS.len() - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_by_whole_minutes_with_exclusive_upper_ends() {
        for (minutes, label) in [
            (0, "< 5 min"),
            (4, "< 5 min"),
            (5, "5–15 min"),
            (59, "15 min – 1 h"),
            (60, "1–4 h"),
            (1439, "4–24 h"),
            (1440, "1–7 d"),
            (10079, "1–7 d"),
            (10080, "> 7 d"),
            (90 * 1440, "> 7 d"),
        ] {
            let bin = duration_bin(TimeDelta::minutes(minutes));
            assert_eq!(DURATION_BINS[bin].label, label, "{minutes} min");
        }
        // 4 min 59 s is still under five minutes.
        let bin = duration_bin(TimeDelta::seconds(299));
        assert_eq!(DURATION_BINS[bin].label, "< 5 min");
    }
}
