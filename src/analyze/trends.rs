//! Trends: what the archive teaches over time, as plain numbers (pure: no I/O, no clock).
//!
//! [`compute`] turns an analyzed [`Site`] and an as-of date into [`Trends`]: incidents per
//! period and severity, time to detect and to resolve per quarter (median and p90), root
//! causes and services ranked and crossed, the distribution of durations, recurrences,
//! action items and "on this day". `render` draws them; nothing here knows about HTML. The as-of date is
//! an input, never read from the clock, so two builds given the same date are identical.
//!
//! The counting rules, which `docs/trends.md` states for readers:
//! - Dates are taken in the site's timezone, like the dates shown on every page.
//! - A figure whose inputs are missing leaves the incident out of that figure and counts it
//!   as "without data"; a missing time is never a zero.
//! - Percentiles are by nearest rank, so every median and p90 is the value of a real
//!   incident ([`percentile`]). Durations are long-tailed, so they are shown as medians,
//!   p90s and a histogram ([`DURATION_BINS`]), never as sums or means.
//! - Time axes cover the dense range of start dates ([`range`]); dated incidents outside
//!   it are listed, not drawn.
//! - An incident counts once overall, once for each of its services on service views, and
//!   once for each of its root causes on root-cause views, as on the facet pages. No
//!   figure here needs one cause per incident; where a page shows one (a table row), it is
//!   the primary cause `parse` put first by the site's rule.

mod actions;
mod durations;
pub mod range;
mod recurrence;

pub use actions::{ActionRef, ActionStats, OwnerStat, is_overdue};
pub use durations::{DURATION_BINS, DurationBin, duration_bin};
pub use recurrence::{Recurrence, RecurrentPair};

use chrono::{Datelike, NaiveDate, TimeDelta};

use crate::analyze::index::{Facet, FacetIndex, TermLists};
use crate::analyze::site::Site;
use crate::model::incident::Incident;

/// How many root-cause categories get a series (and a color) of their own in charts; the
/// rest are drawn together as "Other". Ten is the default vocabulary, and about as many
/// colors as a reader can tell apart.
pub const CAUSE_SERIES: usize = 10;

/// The size of a time bin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Granularity {
    Month,
    Quarter,
    Year,
}

impl Granularity {
    /// Bins for a span from `first` to `last`: months up to three years (at most 36 bars),
    /// quarters up to twelve years (at most 48), years beyond. A one-month archive gets one
    /// bar, a fifty-year one fifty.
    pub fn for_span(first: NaiveDate, last: NaiveDate) -> Granularity {
        let months = month_number(last) - month_number(first) + 1;
        if months <= 36 {
            Granularity::Month
        } else if months <= 144 {
            Granularity::Quarter
        } else {
            Granularity::Year
        }
    }

    /// "month", "quarter", "year".
    pub fn name(self) -> &'static str {
        match self {
            Granularity::Month => "month",
            Granularity::Quarter => "quarter",
            Granularity::Year => "year",
        }
    }
}

fn month_number(date: NaiveDate) -> i64 {
    i64::from(date.year()) * 12 + i64::from(date.month0())
}

/// One bin of a time axis: a calendar month, quarter or year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub year: i32,
    /// The month (1–12), the quarter (1–4), or 0 for a whole year.
    pub part: u32,
    pub granularity: Granularity,
}

impl Period {
    pub fn of(date: NaiveDate, granularity: Granularity) -> Period {
        let part = match granularity {
            Granularity::Month => date.month(),
            Granularity::Quarter => date.month0() / 3 + 1,
            Granularity::Year => 0,
        };
        Period {
            year: date.year(),
            part,
            granularity,
        }
    }

    /// A running number: consecutive periods have consecutive ordinals.
    fn ordinal(self) -> i64 {
        let year = i64::from(self.year);
        let part = i64::from(self.part);
        match self.granularity {
            Granularity::Month => year * 12 + part - 1,
            Granularity::Quarter => year * 4 + part - 1,
            Granularity::Year => year,
        }
    }

    fn from_ordinal(ordinal: i64, granularity: Granularity) -> Period {
        let per_year = match granularity {
            Granularity::Month => 12,
            Granularity::Quarter => 4,
            Granularity::Year => 1,
        };
        let (year, part) = (ordinal.div_euclid(per_year), ordinal.rem_euclid(per_year));
        Period {
            // Dates come from chrono, whose years fit an i32, so this never saturates.
            year: i32::try_from(year).unwrap_or(i32::MAX),
            part: if granularity == Granularity::Year {
                0
            } else {
                part as u32 + 1
            },
            granularity,
        }
    }

    /// "2024-03", "2024 Q1", "2024": sortable and short enough for an axis.
    pub fn label(self) -> String {
        match self.granularity {
            Granularity::Month => format!("{}-{:02}", self.year, self.part),
            Granularity::Quarter => format!("{} Q{}", self.year, self.part),
            Granularity::Year => self.year.to_string(),
        }
    }
}

/// A time axis: every period from the first drawn incident's to the last one's, empty
/// periods included, so a quiet stretch shows as a gap rather than disappearing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Axis {
    pub granularity: Granularity,
    pub periods: Vec<Period>,
}

impl Axis {
    fn new(granularity: Granularity, span: Option<(NaiveDate, NaiveDate)>) -> Axis {
        let periods = match span {
            Some((first, last)) => {
                let (from, to) = (
                    Period::of(first, granularity).ordinal(),
                    Period::of(last, granularity).ordinal(),
                );
                (from..=to)
                    .map(|ordinal| Period::from_ordinal(ordinal, granularity))
                    .collect()
            }
            None => Vec::new(),
        };
        Axis {
            granularity,
            periods,
        }
    }

    /// The position of the period holding `date`, if the axis covers it.
    pub fn index(&self, date: NaiveDate) -> Option<usize> {
        let first = self.periods.first()?.ordinal();
        let offset = Period::of(date, self.granularity).ordinal() - first;
        usize::try_from(offset)
            .ok()
            .filter(|&i| i < self.periods.len())
    }
}

/// The median and 90th percentile of a span of time over a set of incidents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    /// Incidents that had both times.
    pub with_data: usize,
    /// Incidents that lacked one (or whose times were out of order): left out of the
    /// figures, never counted as zero.
    pub without_data: usize,
    pub median: Option<TimeDelta>,
    pub p90: Option<TimeDelta>,
}

impl Summary {
    pub fn of(values: impl IntoIterator<Item = Option<TimeDelta>>) -> Summary {
        let mut known = Vec::new();
        let mut without_data = 0;
        for value in values {
            match value {
                Some(value) => known.push(value),
                None => without_data += 1,
            }
        }
        known.sort_unstable();
        Summary {
            with_data: known.len(),
            without_data,
            median: percentile(&known, 50),
            p90: percentile(&known, 90),
        }
    }
}

/// The `p`th percentile (1–100) of ascending `sorted` values by nearest rank: the value at
/// 1-based rank ⌈p · n / 100⌉. It is always one of the values, never an interpolation, so
/// "the median TTR was 2 h" names the TTR of a real incident; for an even count the median
/// is the lower of the two middle values. `None` when there are no values.
pub fn percentile<T: Copy>(sorted: &[T], p: usize) -> Option<T> {
    let rank = (p * sorted.len())
        .div_ceil(100)
        .clamp(1, sorted.len().max(1));
    sorted.get(rank - 1).copied()
}

/// One series of the root-cause charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CauseSlot {
    /// A category: its position in the cause facet's terms.
    Category(usize),
    /// Every category beyond the [`CAUSE_SERIES`] largest.
    Other,
    /// Incidents without a root cause.
    NotSet,
}

/// A facet term with its incident count and the distribution of its durations, for
/// rankings. No sum: one incident of three months would outweigh a hundred of an hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ranked {
    /// Position in the facet's terms.
    pub term: usize,
    pub count: usize,
    /// The median and p90 duration of its incidents, over those with one.
    pub duration: Summary,
}

/// Everything the trend pages show.
#[derive(Debug, Clone)]
pub struct Trends {
    pub as_of: NaiveDate,
    /// Incidents without a start time: in the totals, left out of every time axis.
    pub undated: usize,
    /// Each incident's start date in the site's timezone (by position in `Site::incidents`).
    pub start_dates: Vec<Option<NaiveDate>>,
    /// The first and last year of the dense range of start dates, which every time axis
    /// covers ([`range`]); `None` when no incident has a start time.
    pub drawn_years: Option<(i32, i32)>,
    /// Dated incidents outside those years: in the totals, on no time axis, listed under
    /// the charts instead. Oldest first.
    pub not_drawn: Vec<usize>,
    /// Incidents per period: months, quarters or years, by the archive's span.
    pub volume_axis: Axis,
    /// `[period][severity slot]`: the slots are `config.severities` in order, then one for
    /// incidents without a severity.
    pub volume: Vec<Vec<usize>>,
    /// Quarters, or years when the archive is long enough for years on the volume axis.
    pub response_axis: Axis,
    /// Time to detect and time to resolve per response period.
    pub ttd: Vec<Summary>,
    pub ttr: Vec<Summary>,
    /// Over the whole archive, undated incidents included.
    pub ttd_overall: Summary,
    pub ttr_overall: Summary,
    /// Per severity slot.
    pub ttd_by_severity: Vec<Summary>,
    pub ttr_by_severity: Vec<Summary>,
    /// Every quarter of the archive's span, for the sparklines of facet pages (the same
    /// axis on every page, so two services compare at a glance).
    pub quarters: Axis,
    /// Quarters for an archive of up to two years, else years.
    pub cause_axis: Axis,
    pub cause_slots: Vec<CauseSlot>,
    /// `[period][cause slot]` incident counts.
    pub cause_share: Vec<Vec<usize>>,
    /// Categories with at least one incident, by count (then facet order).
    pub causes: Vec<Ranked>,
    pub causes_unset: usize,
    /// Services with at least one incident, by count (then facet order).
    pub services: Vec<Ranked>,
    pub services_unset: usize,
    /// `[row of services][cause slot]`: which service keeps failing for which reason.
    pub matrix: Vec<Vec<usize>>,
    /// `[duration bin][severity slot]`: the histogram of durations ([`DURATION_BINS`]).
    pub durations: Vec<Vec<usize>>,
    /// Incidents without a known duration.
    pub durations_unknown: usize,
    /// The median and p90 duration over the whole archive.
    pub duration_overall: Summary,
    pub recurrence_days: u32,
    /// Newest first.
    pub recurrences: Vec<Recurrence>,
    /// For each incident, the earlier incident it repeats.
    pub recurrence_of: Vec<Option<usize>>,
    /// Service and category pairs that recurred, most recurrences first.
    pub recurrent_pairs: Vec<RecurrentPair>,
    pub actions: ActionStats,
    /// Incidents that started on the as-of date's month and day in earlier years, newest
    /// first.
    pub on_this_day: Vec<usize>,
    /// Per incident: its service terms and its cause terms (not the "not set" terms).
    service_terms: TermLists,
    cause_terms: TermLists,
    cause_slot_of_term: Vec<usize>,
}

/// The small trend shown on one service or root-cause page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermTrend {
    /// Incidents per quarter of [`Trends::quarters`].
    pub per_quarter: Vec<usize>,
    pub ttr: Summary,
    /// The other facet's terms among this term's incidents, by count: the categories of a
    /// service, the services of a category.
    pub top: Vec<(usize, usize)>,
    /// Open action items of the term's incidents: overdue first, oldest due date first.
    pub open_actions: Vec<ActionRef>,
}

/// The open action items of the incidents at `positions` as of a date: overdue first,
/// oldest due date first.
pub fn open_actions(site: &Site, positions: &[usize], as_of: NaiveDate) -> Vec<ActionRef> {
    actions::open_of(&site.incidents, positions, as_of)
}

/// Computes every trend of the site as of a date.
pub fn compute(site: &Site, as_of: NaiveDate) -> Trends {
    // The action items are a pass of their own over every incident, as long as all the
    // others together: the two run side by side.
    let (actions, trends) = rayon::join(
        || actions::compute(&site.incidents, as_of),
        || without_actions(site, as_of),
    );
    Trends { actions, ..trends }
}

/// Every trend but the action items (left empty).
fn without_actions(site: &Site, as_of: NaiveDate) -> Trends {
    let incidents = &site.incidents;
    let start_dates = start_dates(site);
    let drawn = range::drawn_span(&start_dates);
    let axes = Axes::new(drawn);
    let tallies = Tallies::of(site, &start_dates, &axes);
    let facets = FacetFigures::of(site, &start_dates, &axes.cause);
    Trends {
        as_of,
        undated: start_dates.iter().filter(|d| d.is_none()).count(),
        drawn_years: drawn.map(|(first, last)| (first.year(), last.year())),
        not_drawn: not_drawn(&start_dates, drawn),
        volume: tallies.volume,
        ttd: tallies.ttd,
        ttr: tallies.ttr,
        ttd_overall: Summary::of(incidents.iter().map(Incident::time_to_detect)),
        ttr_overall: Summary::of(incidents.iter().map(Incident::time_to_resolve)),
        ttd_by_severity: by_severity(site, Incident::time_to_detect),
        ttr_by_severity: by_severity(site, Incident::time_to_resolve),
        on_this_day: on_this_day(&start_dates, as_of),
        start_dates,
        volume_axis: axes.volume,
        response_axis: axes.response,
        quarters: axes.quarters,
        cause_axis: axes.cause,
        cause_slots: facets.cause_slots,
        cause_share: facets.cause_share,
        causes: facets.causes,
        causes_unset: facets.causes_unset,
        services: facets.services,
        services_unset: facets.services_unset,
        matrix: facets.matrix,
        durations: tallies.durations,
        durations_unknown: tallies.durations_unknown,
        duration_overall: Summary::of(incidents.iter().map(Incident::duration)),
        recurrence_days: site.config.trends.recurrence_days,
        recurrences: facets.recurrences.recurrences,
        recurrence_of: facets.recurrences.recurrence_of,
        recurrent_pairs: facets.recurrences.pairs,
        actions: ActionStats::default(),
        service_terms: facets.service_terms,
        cause_terms: facets.cause_terms,
        cause_slot_of_term: facets.cause_slot_of_term,
    }
}

/// Each incident's start date in the site's timezone: the recorded start's day, else
/// the day its file name gives (a year alone places it in no period).
fn start_dates(site: &Site) -> Vec<Option<NaiveDate>> {
    let tz = site.config.tz();
    site.incidents.iter().map(|i| i.day(tz)).collect()
}

/// The dated incidents outside the drawn span, oldest first (then in site order).
fn not_drawn(
    start_dates: &[Option<NaiveDate>],
    drawn: Option<(NaiveDate, NaiveDate)>,
) -> Vec<usize> {
    let Some((first, last)) = drawn else {
        return Vec::new();
    };
    let mut outside: Vec<usize> = (0..start_dates.len())
        .filter(|&p| start_dates[p].is_some_and(|d| d < first || d > last))
        .collect();
    outside.sort_by_key(|&p| start_dates[p]);
    outside
}

/// The span of start dates every time axis covers: the dense range of the site's
/// ([`range`]). `serve` compares it between rebuilds, as term pages are drawn over it.
pub fn drawn_span(site: &Site) -> Option<(NaiveDate, NaiveDate)> {
    range::drawn_span(&start_dates(site))
}

/// The time axes of the trend pages, all over the same span.
struct Axes {
    volume: Axis,
    response: Axis,
    quarters: Axis,
    cause: Axis,
}

impl Axes {
    /// Bins fit for the span: see [`Trends`] for which each axis uses.
    fn new(span: Option<(NaiveDate, NaiveDate)>) -> Axes {
        let granularity = span.map_or(Granularity::Quarter, |(f, l)| Granularity::for_span(f, l));
        let long = span.is_some_and(|(f, l)| month_number(l) - month_number(f) >= 24);
        Axes {
            volume: Axis::new(granularity, span),
            response: Axis::new(granularity.max(Granularity::Quarter), span),
            quarters: Axis::new(Granularity::Quarter, span),
            cause: Axis::new(
                if long {
                    Granularity::Year
                } else {
                    Granularity::Quarter
                },
                span,
            ),
        }
    }
}

/// An incident's severity slot: its severity, or the last slot when it has none.
fn severity_slot(site: &Site, incident: &Incident) -> usize {
    incident.severity.unwrap_or(site.config.severities.len())
}

/// The figures counted in one pass over the incidents: volume and response times per
/// period, and the histogram of durations.
struct Tallies {
    volume: Vec<Vec<usize>>,
    ttd: Vec<Summary>,
    ttr: Vec<Summary>,
    durations: Vec<Vec<usize>>,
    durations_unknown: usize,
}

impl Tallies {
    /// Counts every incident into the periods of its start date and its duration bucket.
    fn of(site: &Site, start_dates: &[Option<NaiveDate>], axes: &Axes) -> Tallies {
        let config = &site.config;
        let severity_slots = config.severities.len() + 1;
        let mut volume = vec![vec![0; severity_slots]; axes.volume.periods.len()];
        let mut ttd_values = vec![Vec::new(); axes.response.periods.len()];
        let mut ttr_values = vec![Vec::new(); axes.response.periods.len()];
        let mut durations = vec![vec![0; severity_slots]; DURATION_BINS.len()];
        let mut durations_unknown = 0;
        for (incident, date) in site.incidents.iter().zip(start_dates) {
            if let Some(date) = date {
                if let Some(i) = axes.volume.index(*date) {
                    volume[i][severity_slot(site, incident)] += 1;
                }
                if let Some(i) = axes.response.index(*date) {
                    ttd_values[i].push(incident.time_to_detect());
                    ttr_values[i].push(incident.time_to_resolve());
                }
            }
            match incident.duration() {
                Some(duration) => {
                    durations[duration_bin(duration)][severity_slot(site, incident)] += 1
                }
                None => durations_unknown += 1,
            }
        }
        Tallies {
            volume,
            ttd: ttd_values.into_iter().map(Summary::of).collect(),
            ttr: ttr_values.into_iter().map(Summary::of).collect(),
            durations,
            durations_unknown,
        }
    }
}

/// A span of time per severity slot, over every incident.
fn by_severity(site: &Site, metric: fn(&Incident) -> Option<TimeDelta>) -> Vec<Summary> {
    let mut values = vec![Vec::new(); site.config.severities.len() + 1];
    for incident in &site.incidents {
        values[severity_slot(site, incident)].push(metric(incident));
    }
    values.into_iter().map(Summary::of).collect()
}

/// The figures of services and root causes: rankings, recurrences, the cause chart and
/// the matrix of the two.
struct FacetFigures {
    service_terms: TermLists,
    cause_terms: TermLists,
    recurrences: recurrence::Found,
    causes: Vec<Ranked>,
    causes_unset: usize,
    services: Vec<Ranked>,
    services_unset: usize,
    cause_slots: Vec<CauseSlot>,
    cause_slot_of_term: Vec<usize>,
    cause_share: Vec<Vec<usize>>,
    matrix: Vec<Vec<usize>>,
}

impl FacetFigures {
    /// Ranks the services and causes, finds the recurrences, and counts the charts.
    fn of(site: &Site, start_dates: &[Option<NaiveDate>], cause_axis: &Axis) -> FacetFigures {
        let incidents = &site.incidents;
        let service_index = site.index.facet(Facet::Service);
        let cause_index = site.index.facet(Facet::Cause);
        let service_terms = service_index.terms_by_incident(incidents.len());
        let cause_terms = cause_index.terms_by_incident(incidents.len());
        let recurrence_days = site.config.trends.recurrence_days;
        // Recurrences and the rankings each take a pass over the incidents; side by side.
        let (recurrences, (causes, services)) = rayon::join(
            || recurrence::find(incidents, &service_terms, &cause_terms, recurrence_days),
            || {
                // Each incident's duration once, in order, rather than twice through the
                // facets' lists in no order.
                let durations: Vec<Option<TimeDelta>> =
                    incidents.iter().map(Incident::duration).collect();
                (
                    rank(cause_index, &durations),
                    rank(service_index, &durations),
                )
            },
        );
        let causes_unset = (0..incidents.len())
            .filter(|&position| cause_terms.of_incident(position).is_empty())
            .count();
        let services_unset = (0..incidents.len())
            .filter(|&position| service_terms.of_incident(position).is_empty())
            .count();
        let (cause_slots, cause_slot_of_term) = cause_slots(&causes, cause_index, causes_unset);
        let slots = SlotOf {
            slots: &cause_slots,
            of_term: &cause_slot_of_term,
        };
        let cause_share = cause_share(start_dates, cause_axis, &cause_terms, &slots);
        let matrix = matrix(
            &services,
            service_index,
            &service_terms,
            &cause_terms,
            &slots,
        );
        FacetFigures {
            service_terms,
            cause_terms,
            recurrences,
            causes,
            causes_unset,
            services,
            services_unset,
            cause_slots,
            cause_slot_of_term,
            cause_share,
            matrix,
        }
    }
}

/// The chart series of each incident's causes.
struct SlotOf<'a> {
    slots: &'a [CauseSlot],
    /// Each cause term's slot.
    of_term: &'a [usize],
}

impl SlotOf<'_> {
    /// The slots of an incident's cause terms, each once (two causes drawn as "Other" put
    /// the incident in "Other" once), ascending; the "not set" slot for none.
    fn causes(&self, causes: &[usize]) -> Vec<usize> {
        if causes.is_empty() {
            // Only reached when some incident has no cause, so the last slot is "not set".
            return vec![self.slots.len() - 1];
        }
        let mut slots: Vec<usize> = causes.iter().map(|&term| self.of_term[term]).collect();
        slots.sort_unstable();
        slots.dedup();
        slots
    }
}

/// `[period][cause slot]`: the dated incidents of each period of the cause axis, once in
/// the slot of each of their causes.
fn cause_share(
    start_dates: &[Option<NaiveDate>],
    cause_axis: &Axis,
    cause_terms: &TermLists,
    slots: &SlotOf<'_>,
) -> Vec<Vec<usize>> {
    let mut share = vec![vec![0; slots.slots.len()]; cause_axis.periods.len()];
    for (position, date) in start_dates.iter().enumerate() {
        if let Some(i) = date.and_then(|d| cause_axis.index(d)) {
            for slot in slots.causes(cause_terms.of_incident(position)) {
                share[i][slot] += 1;
            }
        }
    }
    share
}

/// `[row of services][cause slot]`: each incident once for each of its services and each
/// of its causes' slots; the rows are the ranked services.
fn matrix(
    services: &[Ranked],
    service_index: &FacetIndex,
    service_terms: &TermLists,
    cause_terms: &TermLists,
    slots: &SlotOf<'_>,
) -> Vec<Vec<usize>> {
    let mut row_of_term = vec![usize::MAX; service_index.terms.len()];
    for (row, ranked) in services.iter().enumerate() {
        row_of_term[ranked.term] = row;
    }
    let mut matrix = vec![vec![0; slots.slots.len()]; services.len()];
    for position in 0..service_terms.len() {
        let terms = service_terms.of_incident(position);
        if terms.is_empty() {
            continue;
        }
        let cause_slots = slots.causes(cause_terms.of_incident(position));
        for &term in terms {
            for &slot in &cause_slots {
                matrix[row_of_term[term]][slot] += 1;
            }
        }
    }
    matrix
}

/// Incidents that started on the as-of date's month and day in earlier years, newest
/// first.
fn on_this_day(start_dates: &[Option<NaiveDate>], as_of: NaiveDate) -> Vec<usize> {
    start_dates
        .iter()
        .enumerate()
        .filter(|(_, date)| {
            date.is_some_and(|d| {
                d.month() == as_of.month() && d.day() == as_of.day() && d.year() < as_of.year()
            })
        })
        .map(|(position, _)| position)
        .collect()
}

/// The facet's terms with incidents, by count, then by their facet order.
fn rank(index: &FacetIndex, durations: &[Option<TimeDelta>]) -> Vec<Ranked> {
    let mut ranked: Vec<Ranked> = index
        .terms
        .iter()
        .enumerate()
        .filter(|(_, term)| !term.missing && !term.incidents.is_empty())
        .map(|(t, term)| Ranked {
            term: t,
            count: term.incidents.len(),
            duration: Summary::of(term.incidents.iter().map(|&i| durations[i])),
        })
        .collect();
    ranked.sort_by_key(|r| (std::cmp::Reverse(r.count), r.term));
    ranked
}

/// The series of the root-cause charts: the [`CAUSE_SERIES`] largest categories in facet
/// order (the config's order, so a category keeps its color as counts change), then
/// "Other" and "Not set" where needed. Also each cause term's slot (`usize::MAX` for a
/// category without incidents, which is in no chart).
fn cause_slots(
    causes: &[Ranked],
    index: &FacetIndex,
    unset: usize,
) -> (Vec<CauseSlot>, Vec<usize>) {
    let mut top: Vec<usize> = causes.iter().take(CAUSE_SERIES).map(|r| r.term).collect();
    top.sort_unstable();
    let mut slots: Vec<CauseSlot> = top.iter().map(|&t| CauseSlot::Category(t)).collect();
    let mut slot_of_term = vec![usize::MAX; index.terms.len()];
    if causes.len() > CAUSE_SERIES {
        for ranked in &causes[CAUSE_SERIES..] {
            slot_of_term[ranked.term] = slots.len();
        }
        slots.push(CauseSlot::Other);
    }
    for (slot, &term) in top.iter().enumerate() {
        slot_of_term[term] = slot;
    }
    if unset > 0 {
        if let Some(missing) = index.terms.iter().position(|t| t.missing) {
            slot_of_term[missing] = slots.len();
        }
        slots.push(CauseSlot::NotSet);
    }
    (slots, slot_of_term)
}

impl Trends {
    /// The small trend of a service or root-cause term; `None` for other facets.
    pub fn term(&self, site: &Site, facet: Facet, term: usize) -> Option<TermTrend> {
        let positions = &site.index.facet(facet).terms.get(term)?.incidents;
        let other = match facet {
            Facet::Service => Facet::Cause,
            Facet::Cause => Facet::Service,
            _ => return None,
        };
        Some(self.of_incidents(site, positions, other))
    }

    /// The small trend of any set of incidents (a term's, a team's), positions ascending;
    /// `top` ranks the terms of `top_facet` among them (services, or else root causes).
    pub fn of_incidents(&self, site: &Site, positions: &[usize], top_facet: Facet) -> TermTrend {
        let mut per_quarter = vec![0; self.quarters.periods.len()];
        let mut top = std::collections::BTreeMap::<usize, usize>::new();
        let lists = match top_facet {
            Facet::Service => &self.service_terms,
            _ => &self.cause_terms,
        };
        for &position in positions {
            if let Some(i) = self.start_dates[position].and_then(|d| self.quarters.index(d)) {
                per_quarter[i] += 1;
            }
            for &term in lists.of_incident(position) {
                *top.entry(term).or_default() += 1;
            }
        }
        let mut top: Vec<(usize, usize)> = top.into_iter().collect();
        top.sort_by_key(|&(term, count)| (std::cmp::Reverse(count), term));
        TermTrend {
            per_quarter,
            ttr: Summary::of(
                positions
                    .iter()
                    .map(|&p| site.incidents[p].time_to_resolve()),
            ),
            top,
            open_actions: actions::open_of(&site.incidents, positions, self.as_of),
        }
    }

    /// The chart series a cause term is drawn in.
    pub fn cause_slot(&self, term: usize) -> Option<CauseSlot> {
        self.cause_slot_of_term
            .get(term)
            .and_then(|&slot| self.cause_slots.get(slot))
            .copied()
    }

    /// How many incidents have a start time.
    pub fn dated(&self) -> usize {
        self.start_dates.len() - self.undated
    }

    /// How many incidents are on the time axes: dated, inside the drawn years.
    pub fn drawn(&self) -> usize {
        self.dated() - self.not_drawn.len()
    }

    /// The first and last start date on the time axes: the archive's span without the
    /// stray dates outside its dense range.
    pub fn drawn_span(&self) -> Option<(NaiveDate, NaiveDate)> {
        let (first, last) = self.drawn_years?;
        let drawn = || {
            self.start_dates
                .iter()
                .flatten()
                .filter(move |d| (first..=last).contains(&d.year()))
        };
        drawn().min().copied().zip(drawn().max().copied())
    }
}

#[cfg(test)]
mod tests;
