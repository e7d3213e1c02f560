//! The `/trends/` page: what the whole archive teaches, section by section.

use std::borrow::Cow;

use chrono::{Datelike, TimeDelta};
use serde::Serialize;

use super::{
    ActionRow, Cell, ChartView, LegendItem, NotDrawn, SummaryView, TableView, duration, minutes,
    percent, plural,
};
use crate::analyze::index::Facet;
use crate::analyze::trends::{DURATION_BINS, OwnerStat, Summary};
use crate::model::field::Field;
use crate::model::incident::Incident;
use crate::render::charts::{self, Bar, Frame, Line, Scale};
use crate::render::views::{IncidentRow, TermLink, term_url};
use crate::render::{Page, RenderError, Renderer};

/// Long lists are cut on the page; the data exports hold everything.
const RECURRENCE_ROWS: usize = 30;
const PAIR_ROWS: usize = 15;
const OVERDUE_ROWS: usize = 50;
const OWNER_BARS: usize = 15;
const ON_THIS_DAY_ROWS: usize = 50;

impl Renderer<'_> {
    /// `/trends/`.
    pub(in crate::render) fn trends_page(&self) -> Result<Page, RenderError> {
        let path = "trends/index.html";
        let mut context = self.context(path, "Trends");
        let description = format!(
            "What {} postmortems teach over time: incidents, time to detect and resolve, root causes, services, recurrence and action items",
            self.site.incidents.len()
        );
        context.insert("description", &description);
        context.insert("trends", &self.trends_view());
        self.page(path, "trends.html", &context)
    }

    fn trends_view(&self) -> TrendsView<'_> {
        let site = self.site;
        let trends = self.trends();
        let config = &site.config;
        let total = site.incidents.len();
        let causes = self.ranking_charts(Facet::Cause, &trends.causes, "s-cause");
        let services = self.ranking_charts(Facet::Service, &trends.services, "s-service");
        let (cause_count, cause_duration) = causes.unzip();
        let (service_count, service_duration) = services.unzip();
        let [(ttd, ttd_missing), (ttr, ttr_missing)] = self.response_charts();
        TrendsView {
            as_of: trends.as_of.to_string(),
            total,
            dated: trends.dated(),
            undated: trends.undated,
            first_date: trends.drawn_span().map(|(first, _)| first.to_string()),
            last_date: trends.drawn_span().map(|(_, last)| last.to_string()),
            data_json: "data/incidents.json",
            data_csv: "data/incidents.csv",
            granularity: trends.volume_axis.granularity.name(),
            ttd_overall: (&trends.ttd_overall).into(),
            ttr_overall: (&trends.ttr_overall).into(),
            volume: self.volume_chart(),
            volume_missing: self.missing(&[Field::StartedAt], |i| i.started_at.is_some()),
            not_drawn: self.not_drawn(trends.not_drawn.iter().copied()),
            ttd,
            ttd_missing,
            ttr,
            ttr_missing,
            by_severity: self.response_by_severity(),
            severities_used: self.used(Facet::Severity),
            cause_share: self.cause_share_chart(),
            cause_count,
            cause_duration: cause_duration.flatten(),
            causes_unset: trends.causes_unset,
            causes_missing: self.missing(&[Field::RootCause], |i| i.primary_cause().is_some()),
            service_count,
            service_duration: service_duration.flatten(),
            services_total: trends.services.len(),
            services_unset: trends.services_unset,
            services_missing: self.missing(&[Field::Services], |i| !i.services.is_empty()),
            matrix: self.matrix_chart(),
            durations: self.durations_chart(),
            durations_unknown: trends.durations_unknown,
            duration_overall: (&trends.duration_overall).into(),
            durations_missing: self.missing(&[Field::StartedAt, Field::ResolvedAt], |i| {
                i.duration().is_some()
            }),
            recurrence: self.recurrence_view(),
            actions: self.actions_view(),
            on_this_day_date: trends.as_of.format("%B %-d").to_string(),
            on_this_day: trends
                .on_this_day
                .iter()
                .take(ON_THIS_DAY_ROWS)
                .filter_map(|&p| {
                    let year = trends.start_dates[p]?.year();
                    Some(OnThisDay {
                        incident: self.row(p),
                        years_ago: trends.as_of.year() - year,
                    })
                })
                .collect(),
            recurrence_days: config.trends.recurrence_days,
        }
    }

    fn volume_chart(&self) -> Option<ChartView> {
        let trends = self.trends();
        if trends.volume_axis.periods.is_empty() {
            return None;
        }
        let labels: Vec<String> = trends
            .volume_axis
            .periods
            .iter()
            .map(|p| p.label())
            .collect();
        let period = trends.volume_axis.granularity.name();
        let by = if self.used(Facet::Severity) {
            ", by severity"
        } else {
            ""
        };
        let title = format!("Incidents per {period}{by}");
        let busiest = labels
            .iter()
            .zip(&trends.volume)
            .map(|(label, row)| (row.iter().sum::<usize>(), label))
            .max_by_key(|(n, _)| *n);
        let desc = format!(
            "{} incidents from {} to {}, per {period}{}{}.",
            trends.drawn(),
            labels.first().map_or("", String::as_str),
            labels.last().map_or("", String::as_str),
            if by.is_empty() {
                ""
            } else {
                ", stacked by severity"
            },
            busiest.map_or(String::new(), |(n, label)| {
                format!("; the most in one {period} was {n}, in {label}")
            })
        );
        let frame = Frame {
            title: &title,
            desc: &desc,
            x_title: period,
            y_title: "Incidents",
            width: 960.0,
            height: 300.0,
        };
        Some(self.by_severity_chart(frame, "chart-volume", &labels, &trends.volume, "Period"))
    }

    /// The histogram of durations, in bins on a log scale, stacked by severity when any
    /// incident has one.
    fn durations_chart(&self) -> Option<ChartView> {
        let trends = self.trends();
        let known = self.site.incidents.len() - trends.durations_unknown;
        if known == 0 {
            return None;
        }
        let bins: Vec<String> = DURATION_BINS.iter().map(|b| b.label.to_string()).collect();
        let overall = &trends.duration_overall;
        let title = if self.used(Facet::Severity) {
            "Incidents per duration, by severity"
        } else {
            "Incidents per duration"
        };
        let desc = format!(
            "{known} incidents with a known duration, in bins from under 5 minutes to over 7 days, each about four times as wide as the one before; the median is {}, the 90th percentile {}.",
            duration(overall.median),
            duration(overall.p90)
        );
        let frame = Frame {
            title,
            desc: &desc,
            x_title: "Duration (resolved − started), bins on a log scale",
            y_title: "Incidents",
            width: 960.0,
            height: 280.0,
        };
        Some(self.by_severity_chart(
            frame,
            "chart-durations",
            &bins,
            &trends.durations,
            "Duration",
        ))
    }

    /// Time to detect and to resolve per severity, for the table under the response charts;
    /// empty when no incident has a severity, as a table of one "not set" row says nothing.
    fn response_by_severity(&self) -> Vec<SeverityResponse> {
        if !self.used(Facet::Severity) {
            return Vec::new();
        }
        let config = &self.site.config;
        let severity_terms = &self.site.index.facet(Facet::Severity).terms;
        self.severity_series()
            .iter()
            .enumerate()
            .map(|(slot, series)| {
                let (d, r) = (
                    &self.trends().ttd_by_severity[slot],
                    &self.trends().ttr_by_severity[slot],
                );
                let term = match config.severities.get(slot) {
                    Some(severity) => severity_terms.iter().find(|t| t.key == severity.key),
                    None => severity_terms.iter().find(|t| t.missing),
                };
                SeverityResponse {
                    name: series.legend.clone(),
                    url: term.map(|t| term_url(Facet::Severity, t)),
                    incidents: r.with_data + r.without_data,
                    ttd: d.into(),
                    ttr: r.into(),
                }
            })
            .filter(|s| s.incidents > 0)
            .collect()
    }

    fn recurrence_view(&self) -> RecurrenceView<'_> {
        let trends = self.trends();
        let services = &self.site.index.facet(Facet::Service).terms;
        let causes = &self.site.index.facet(Facet::Cause).terms;
        let service = |t: usize| TermLink {
            name: services[t].name.clone(),
            url: term_url(Facet::Service, &services[t]),
        };
        let cause = |t: usize| TermLink {
            name: causes[t].name.clone(),
            url: term_url(Facet::Cause, &causes[t]),
        };
        // Only an incident with a start, a service and a root cause can be a recurrence.
        let eligible = self
            .site
            .incidents
            .iter()
            .filter(|i| {
                i.started_at.is_some() && !i.services.is_empty() && !i.root_causes.is_empty()
            })
            .count();
        RecurrenceView {
            days: trends.recurrence_days,
            total: trends.recurrences.len(),
            eligible,
            share: percent(trends.recurrences.len(), eligible),
            rows: trends
                .recurrences
                .iter()
                .take(RECURRENCE_ROWS)
                .map(|r| RecurrenceRow {
                    incident: self.row(r.incident),
                    earlier: self.row(r.earlier),
                    services: r.services.iter().map(|&s| service(s)).collect(),
                    causes: r.causes.iter().map(|&c| cause(c)).collect(),
                    days: r.gap.num_days(),
                })
                .collect(),
            more: trends.recurrences.len().saturating_sub(RECURRENCE_ROWS),
            pairs: trends
                .recurrent_pairs
                .iter()
                .take(PAIR_ROWS)
                .map(|p| PairRow {
                    service: service(p.service),
                    cause: cause(p.cause),
                    count: p.count,
                    latest: self.row(p.latest),
                })
                .collect(),
            pairs_more: trends.recurrent_pairs.len().saturating_sub(PAIR_ROWS),
        }
    }

    fn actions_view(&self) -> ActionsView<'_> {
        let actions = &self.trends().actions;
        ActionsView {
            open: actions.open,
            done: actions.done,
            wontfix: actions.wontfix,
            total: actions.open + actions.done + actions.wontfix,
            overdue_total: actions.overdue.len(),
            overdue: actions
                .overdue
                .iter()
                .take(OVERDUE_ROWS)
                .map(|a| self.action_row(a))
                .collect(),
            overdue_more: actions.overdue.len().saturating_sub(OVERDUE_ROWS),
            owners: self.owners_chart(),
            owners_total: actions.owners.len(),
        }
    }

    fn owners_chart(&self) -> Option<ChartView> {
        let owners = &self.trends().actions.owners;
        if owners.is_empty() {
            return None;
        }
        let shown = &owners[..owners.len().min(OWNER_BARS)];
        let name = |o: &OwnerStat| o.owner.clone().unwrap_or_else(|| "Unassigned".into());
        let title = if shown.len() < owners.len() {
            format!(
                "Open action items of the {} owners with the most",
                shown.len()
            )
        } else {
            "Open action items per owner".to_string()
        };
        let frame = Frame {
            title: &title,
            desc: "Open action items per owner, most first, with how many of them are overdue.",
            x_title: "Open action items",
            y_title: "Owner",
            width: 960.0,
            height: 0.0,
        };
        let bars: Vec<Bar> = shown
            .iter()
            .map(|o| {
                let label = name(o);
                let on_time = o.open - o.overdue;
                Bar {
                    segments: vec![
                        (
                            o.overdue as f64,
                            "s-overdue".into(),
                            format!("{label}: {} overdue", o.overdue),
                        ),
                        (
                            on_time as f64,
                            "s-open".into(),
                            format!("{label}: {on_time} open, not overdue"),
                        ),
                    ],
                    display: if o.overdue > 0 {
                        format!("{} ({} overdue)", o.open, o.overdue)
                    } else {
                        o.open.to_string()
                    },
                    label,
                }
            })
            .collect();
        Some(ChartView {
            id: "chart-owners".into(),
            svg: charts::horizontal_bars(frame, &bars, Scale::Count),
            legend: vec![
                LegendItem {
                    name: "Overdue".into(),
                    class: "s-overdue".into(),
                },
                LegendItem {
                    name: "Open, not yet due".into(),
                    class: "s-open".into(),
                },
            ],
            table: TableView {
                caption: title.clone(),
                head: vec!["Owner".into(), "Open".into(), "Overdue".into()],
                rows: shown
                    .iter()
                    .map(|o| vec![Cell::text(name(o)), Cell::num(o.open), Cell::num(o.overdue)])
                    .collect(),
            },
            title,
        })
    }

    /// The time to detect and time to resolve charts, each drawn only when some incident
    /// on the axis has the figure, else a line saying which fields would give it.
    fn response_charts(&self) -> [(Option<ChartView>, Option<String>); 2] {
        let trends = self.trends();
        let chart = |id: &str, metric: &str, summaries: &[Summary], overall: &Summary| {
            let known: usize = summaries.iter().map(|s| s.with_data).sum();
            if known > 0 {
                return (Some(self.response_chart(id, metric, summaries)), None);
            }
            let field = if id == "chart-ttd" {
                Field::DetectedAt
            } else {
                Field::ResolvedAt
            };
            let has_field = |i: &Incident| match field {
                Field::DetectedAt => i.detected_at.is_some(),
                _ => i.resolved_at.is_some(),
            };
            let note = if overall.with_data > 0 {
                format!(
                    "{metric} is known for {} {}, none of them with a start date on the time axis.",
                    overall.with_data,
                    plural(overall.with_data, "incident", "incidents")
                )
            } else {
                self.missing(&[field], has_field)
                    .unwrap_or_else(|| self.missing_note(&[Field::StartedAt, field]))
            };
            (None, Some(note))
        };
        [
            chart(
                "chart-ttd",
                "Time to detect",
                &trends.ttd,
                &trends.ttd_overall,
            ),
            chart(
                "chart-ttr",
                "Time to resolve",
                &trends.ttr,
                &trends.ttr_overall,
            ),
        ]
    }

    /// One response time (`metric`) per period as two lines on a log scale, the median
    /// and the 90th percentile.
    fn response_chart(&self, id: &str, metric: &str, summaries: &[Summary]) -> ChartView {
        let trends = self.trends();
        let labels: Vec<String> = trends
            .response_axis
            .periods
            .iter()
            .map(|p| p.label())
            .collect();
        let period = trends.response_axis.granularity.name();
        let title = format!("{metric} per {period}: median and 90th percentile");
        let known: usize = summaries.iter().map(|s| s.with_data).sum();
        let desc = format!(
            "{metric} of the {known} incidents that give it (both times or a recorded value), per {period}, from {} to {}.",
            labels.first().map_or("", String::as_str),
            labels.last().map_or("", String::as_str)
        );
        let lines = response_lines(&labels, metric, summaries);
        let y_title = format!("{metric} (log scale)");
        let frame = Frame {
            title: &title,
            desc: &desc,
            x_title: period,
            y_title: &y_title,
            width: 960.0,
            height: 280.0,
        };
        let rows = response_rows(&labels, summaries);
        ChartView {
            id: id.into(),
            svg: charts::lines(frame, &labels, &lines, Scale::LogMinutes),
            legend: vec![
                LegendItem {
                    name: "Median".into(),
                    class: "s-median".into(),
                },
                LegendItem {
                    name: "90th percentile".into(),
                    class: "s-p90".into(),
                },
            ],
            table: TableView {
                caption: title.clone(),
                head: ["Period", "Median", "P90", "With data", "Without data"]
                    .map(String::from)
                    .to_vec(),
                rows,
            },
            title,
        }
    }
}

/// The p90 and median lines of a response time over the periods `labels`, with a tooltip
/// on every point.
fn response_lines(labels: &[String], metric: &str, summaries: &[Summary]) -> [Line; 2] {
    let line = |name: &str, class: &str, pick: fn(&Summary) -> Option<TimeDelta>| Line {
        class: class.into(),
        values: summaries.iter().map(|s| pick(s).map(minutes)).collect(),
        tips: labels
            .iter()
            .zip(summaries)
            .map(|(label, s)| {
                format!(
                    "{label} · {metric}, {name}: {} ({} with data, {} without)",
                    duration(pick(s)),
                    s.with_data,
                    s.without_data
                )
            })
            .collect(),
    };
    // The median last, so it is drawn over the p90 where they meet.
    [
        line("p90", "s-p90", |s| s.p90),
        line("median", "s-median", |s| s.median),
    ]
}

/// The response chart's table: one row per period that had incidents.
fn response_rows(labels: &[String], summaries: &[Summary]) -> Vec<Vec<Cell>> {
    labels
        .iter()
        .zip(summaries)
        .filter(|(_, s)| s.with_data + s.without_data > 0)
        .map(|(label, s)| {
            vec![
                Cell::text(label.clone()),
                Cell::duration(s.median),
                Cell::duration(s.p90),
                Cell::num(s.with_data),
                Cell::num(s.without_data),
            ]
        })
        .collect()
}

/// Everything `trends.html` sees as `trends`.
#[derive(Debug, Serialize)]
struct TrendsView<'a> {
    as_of: String,
    total: usize,
    /// Incidents with a start time; only they are placed on time axes.
    dated: usize,
    undated: usize,
    first_date: Option<String>,
    last_date: Option<String>,
    /// The exports, from the site root.
    data_json: &'static str,
    data_csv: &'static str,
    /// The volume chart's bins: "month", "quarter" or "year".
    granularity: &'static str,
    ttd_overall: SummaryView,
    ttr_overall: SummaryView,
    /// Each chart is `null` when it would have no data; then its `*_missing` line says
    /// which fields would fill it ("No incident records a detection time (detected_at).").
    volume: Option<ChartView>,
    volume_missing: Option<String>,
    /// Dated incidents outside the dense range the time axes cover (`before`, `after`).
    not_drawn: Option<NotDrawn<'a>>,
    ttd: Option<ChartView>,
    ttd_missing: Option<String>,
    ttr: Option<ChartView>,
    ttr_missing: Option<String>,
    /// Severities with incidents; empty when no incident has a severity.
    by_severity: Vec<SeverityResponse>,
    severities_used: bool,
    cause_share: Option<ChartView>,
    cause_count: Option<ChartView>,
    cause_duration: Option<ChartView>,
    causes_unset: usize,
    causes_missing: Option<String>,
    service_count: Option<ChartView>,
    service_duration: Option<ChartView>,
    services_total: usize,
    services_unset: usize,
    services_missing: Option<String>,
    matrix: Option<ChartView>,
    /// The histogram of durations.
    durations: Option<ChartView>,
    durations_unknown: usize,
    duration_overall: SummaryView,
    durations_missing: Option<String>,
    recurrence_days: u32,
    recurrence: RecurrenceView<'a>,
    actions: ActionsView<'a>,
    /// "June 1".
    on_this_day_date: String,
    on_this_day: Vec<OnThisDay<'a>>,
}

#[derive(Debug, Serialize)]
struct SeverityResponse {
    name: String,
    url: Option<String>,
    incidents: usize,
    ttd: SummaryView,
    ttr: SummaryView,
}

#[derive(Debug, Serialize)]
struct RecurrenceView<'a> {
    days: u32,
    total: usize,
    /// Incidents that could recur: with a start, a service and a root cause.
    eligible: usize,
    share: String,
    /// The newest recurrences; `more` were left off.
    rows: Vec<RecurrenceRow<'a>>,
    more: usize,
    pairs: Vec<PairRow<'a>>,
    pairs_more: usize,
}

#[derive(Debug, Serialize)]
struct ActionsView<'a> {
    open: usize,
    done: usize,
    wontfix: usize,
    total: usize,
    overdue_total: usize,
    /// The longest overdue first; `overdue_more` were left off.
    overdue: Vec<ActionRow<'a>>,
    overdue_more: usize,
    owners: Option<ChartView>,
    owners_total: usize,
}

#[derive(Debug, Serialize)]
struct OnThisDay<'a> {
    incident: Cow<'a, IncidentRow>,
    years_ago: i32,
}

#[derive(Debug, Serialize)]
struct RecurrenceRow<'a> {
    incident: Cow<'a, IncidentRow>,
    earlier: Cow<'a, IncidentRow>,
    services: Vec<TermLink>,
    /// The root causes the two share.
    causes: Vec<TermLink>,
    days: i64,
}

#[derive(Debug, Serialize)]
struct PairRow<'a> {
    service: TermLink,
    cause: TermLink,
    count: usize,
    latest: Cow<'a, IncidentRow>,
}
