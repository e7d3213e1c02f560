//! Trends in pages: the `/trends/` page (`page.rs`, `causes.rs`), the small trend on
//! service and root-cause pages (`term.rs`), and the data exports (`exports.rs`), all
//! drawn from the figures of [`crate::analyze::trends`]; and the `/health/` page
//! (`health.rs`), which shows its charts and tables the same way.
//!
//! Every chart reaches a template as a [`ChartView`]: the inline SVG, its legend, and its
//! numbers as a table that the template puts in a `<details>` under the chart, so the
//! figures are there for screen readers, for copying, and where SVG is not shown.

mod causes;
mod exports;
pub(super) use exports::{CSV_PATH, JSON_PATH};
mod health;
mod page;
mod term;

use std::borrow::Cow;

use chrono::{NaiveDate, TimeDelta};
use serde::Serialize;

pub(super) use exports::ExportLines;

use super::Renderer;
use super::charts::{self, Frame, Scale, Series};
use super::views::{IncidentRow, TermLink, format_duration};
use crate::analyze::index::Facet;
use crate::analyze::trends::{ActionRef, Summary};
use crate::model::field::Field;
use crate::model::incident::Incident;

/// What a render needs beyond the site and the theme.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// The date trend figures are computed for: overdue action items, "on this day". The
    /// command line resolves it (`--as-of`, `SOURCE_DATE_EPOCH`, today); render never
    /// reads the clock, so a build is a function of its inputs.
    pub as_of: NaiveDate,
}

/// One chart: its SVG, its legend and its numbers.
#[derive(Debug, Serialize)]
pub(super) struct ChartView {
    /// Unique on its page, for links to the chart.
    id: String,
    title: String,
    svg: String,
    legend: Vec<LegendItem>,
    table: TableView,
}

#[derive(Debug, Serialize)]
struct LegendItem {
    name: String,
    /// The series class, which the theme colors (`s-sev-1`, `s-cat-3`, `s-p90`).
    class: String,
}

#[derive(Debug, Serialize)]
struct TableView {
    caption: String,
    head: Vec<String>,
    rows: Vec<Vec<Cell>>,
}

#[derive(Debug, Serialize)]
struct Cell {
    text: String,
    /// Path from the site root.
    url: Option<String>,
    num: bool,
    /// A figure whose inputs are not recorded: the text is "—", and the template says why.
    unknown: bool,
}

impl Cell {
    fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            url: None,
            num: false,
            unknown: false,
        }
    }

    fn num(text: impl ToString) -> Cell {
        Cell {
            text: text.to_string(),
            url: None,
            num: true,
            unknown: false,
        }
    }

    /// A span of time as a figure, or "—" marked as not recorded.
    fn duration(delta: Option<TimeDelta>) -> Cell {
        Cell {
            unknown: delta.is_none(),
            ..Cell::num(duration(delta))
        }
    }

    fn link(link: &TermLink) -> Cell {
        Cell {
            text: link.name.clone(),
            url: Some(link.url.clone()),
            num: false,
            unknown: false,
        }
    }
}

/// A span of time, or "—" when it is not known: never "0 s" for a missing value.
fn duration(delta: Option<TimeDelta>) -> String {
    delta.map_or_else(|| "—".into(), format_duration)
}

/// `one` or `many`, by `n`.
fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// A median and p90 as text, with the counts they are over; absent figures are `null`,
/// which templates show as "—".
#[derive(Debug, Serialize)]
pub(super) struct SummaryView {
    median: Option<String>,
    p90: Option<String>,
    with_data: usize,
    without_data: usize,
}

impl From<&Summary> for SummaryView {
    fn from(summary: &Summary) -> SummaryView {
        SummaryView {
            median: summary.median.map(format_duration),
            p90: summary.p90.map(format_duration),
            with_data: summary.with_data,
            without_data: summary.without_data,
        }
    }
}

/// Incidents on one side of the drawn years, oldest first: the dated incidents a time
/// axis leaves off because they are outside its dense range. `more` were left off the list.
#[derive(Debug, Serialize)]
pub(super) struct Outside<'a> {
    /// "before" or "after".
    side: &'static str,
    count: usize,
    /// The first drawn year (for those before) or the last (for those after).
    year: i32,
    incidents: Vec<Cow<'a, IncidentRow>>,
    more: usize,
}

/// The incidents before and after the drawn years that a time axis leaves off.
pub(super) type NotDrawn<'a> = Vec<Outside<'a>>;

/// Incidents named in a "not drawn" line; the exports hold every one.
const NOT_DRAWN_ROWS: usize = 20;

fn minutes(delta: TimeDelta) -> f64 {
    delta.num_seconds() as f64 / 60.0
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "—".into()
    } else {
        format!("{:.0}%", part as f64 * 100.0 / whole as f64)
    }
}

/// One action item in a table.
#[derive(Debug, Serialize)]
pub(super) struct ActionRow<'a> {
    title: &'a str,
    url: Option<&'a str>,
    owner: Option<&'a str>,
    priority: Option<&'a str>,
    due: Option<String>,
    /// Days past due as of the as-of date, for overdue items.
    days_overdue: Option<i64>,
    incident: Cow<'a, IncidentRow>,
    /// The incident's action item table, from the site root.
    incident_url: String,
}

/// A severity slot as a chart series.
struct SeveritySeries {
    /// Short, for tooltips: "SEV2".
    name: String,
    /// For legends and table heads: "SEV2 Major".
    legend: String,
    /// The theme's class, by rank; ranks past 6 share the last color.
    class: String,
}

impl Renderer<'_> {
    /// Whether any incident has a value for `facet`: charts split by an unused facet
    /// would show one "not set" series.
    fn used(&self, facet: Facet) -> bool {
        self.site.index.facet(facet).has_values()
    }

    /// The line shown instead of a chart when no incident has what it needs (`has`):
    /// which fields would fill it. `None` when some incident has it.
    fn missing(&self, fields: &[Field], has: impl Fn(&Incident) -> bool) -> Option<String> {
        (!self.site.incidents.iter().any(has)).then(|| self.missing_note(fields))
    }

    /// "No incident records a detection time (detected_at).": the fields by every name
    /// this site accepts for them.
    pub(in crate::render) fn missing_note(&self, fields: &[Field]) -> String {
        let config = &self.site.config;
        let (verb, _) = what_field(fields[0]);
        let whats: Vec<&str> = fields.iter().map(|&f| what_field(f).1).collect();
        let names: Vec<String> = fields
            .iter()
            .map(|&f| config.field_names(f).collect::<Vec<_>>().join(" or "))
            .collect();
        let both = if fields.len() > 1 { "both " } else { "" };
        format!(
            "No incident {verb} {both}{} ({}).",
            whats.join(" and "),
            names.join(" and ")
        )
    }

    /// The incidents at `positions` (dated, outside the drawn years) as the lines under a
    /// time axis; `None` when there are none.
    fn not_drawn(&self, positions: impl Iterator<Item = usize>) -> Option<NotDrawn<'_>> {
        use chrono::Datelike;
        let (first, last) = self.trends().drawn_years?;
        let (mut before, mut after) = (Vec::new(), Vec::new());
        for position in positions {
            match self.trends().start_dates[position].map(|d| d.year()) {
                Some(year) if year < first => before.push(position),
                Some(year) if year > last => after.push(position),
                _ => {}
            }
        }
        let side = |positions: Vec<usize>, side: &'static str, year: i32| {
            (!positions.is_empty()).then(|| Outside {
                side,
                count: positions.len(),
                year,
                more: positions.len().saturating_sub(NOT_DRAWN_ROWS),
                incidents: positions
                    .iter()
                    .take(NOT_DRAWN_ROWS)
                    .map(|&p| self.row(p))
                    .collect(),
            })
        };
        let view: NotDrawn = [side(before, "before", first), side(after, "after", last)]
            .into_iter()
            .flatten()
            .collect();
        (!view.is_empty()).then_some(view)
    }

    /// The severity slots as chart series, in config order, "not set" last.
    fn severity_series(&self) -> Vec<SeveritySeries> {
        let severities = &self.site.config.severities;
        let mut series: Vec<SeveritySeries> = severities
            .iter()
            .enumerate()
            .map(|(i, s)| SeveritySeries {
                name: s.key.clone(),
                legend: if s.label == s.key {
                    s.key.clone()
                } else {
                    format!("{} {}", s.key, s.label)
                },
                class: format!("s-sev-{}", (i + 1).min(6)),
            })
            .collect();
        series.push(SeveritySeries {
            name: "Not set".into(),
            legend: "Not set".into(),
            class: "s-sev-none".into(),
        });
        series
    }

    /// A stacked chart of counts per severity slot: `rows[column][slot]`. Slots without a
    /// single incident are left out of the legend and the table; when no incident has a
    /// severity, the bars are one series, "Incidents", with no legend.
    fn by_severity_chart(
        &self,
        frame: Frame,
        id: &str,
        labels: &[String],
        rows: &[Vec<usize>],
        head: &str,
    ) -> ChartView {
        let mut all = self.severity_series();
        let used: Vec<usize> = (0..all.len())
            .filter(|&slot| rows.iter().any(|row| row[slot] > 0))
            .collect();
        let unsplit = !self.used(Facet::Severity);
        if unsplit && let Some(not_set) = all.last_mut() {
            *not_set = SeveritySeries {
                name: "Incidents".into(),
                legend: "Incidents".into(),
                class: "s-count".into(),
            };
        }
        let series: Vec<Series> = used
            .iter()
            .map(|&slot| Series {
                name: all[slot].name.clone(),
                class: all[slot].class.clone(),
                values: rows.iter().map(|row| row[slot]).collect(),
            })
            .collect();
        let mut table_head = vec![head.to_string()];
        if !unsplit {
            table_head.extend(used.iter().map(|&slot| all[slot].legend.clone()));
        }
        table_head.push(if unsplit { "Incidents" } else { "Total" }.into());
        let table_rows = labels
            .iter()
            .zip(rows)
            .map(|(label, row)| {
                let mut cells = vec![Cell::text(label.clone())];
                if !unsplit {
                    cells.extend(used.iter().map(|&slot| Cell::num(row[slot])));
                }
                cells.push(Cell::num(row.iter().sum::<usize>()));
                cells
            })
            .collect();
        ChartView {
            id: id.into(),
            title: frame.title.into(),
            svg: charts::stacked_bars(frame, labels, &series, Scale::Count),
            legend: used
                .iter()
                .filter(|_| !unsplit)
                .map(|&slot| LegendItem {
                    name: all[slot].legend.clone(),
                    class: all[slot].class.clone(),
                })
                .collect(),
            table: TableView {
                caption: frame.title.into(),
                head: table_head,
                rows: table_rows,
            },
        }
    }

    pub(super) fn action_row(&self, action: &ActionRef) -> ActionRow<'_> {
        let incident = &self.site.incidents[action.incident];
        let item = &incident.action_items[action.item];
        ActionRow {
            title: &item.title,
            url: item.link(),
            owner: item.owner.as_deref(),
            priority: item.priority.as_deref(),
            due: item.due.map(|d| d.to_string()),
            days_overdue: item
                .due
                .filter(|_| action.overdue)
                .map(|due| (self.as_of - due).num_days()),
            incident: self.row(action.incident),
            incident_url: format!("incidents/{}/#action-items-table", incident.slug),
        }
    }
}

/// How a missing-data line speaks of a field: its verb and what it holds.
fn what_field(field: Field) -> (&'static str, &'static str) {
    match field {
        Field::StartedAt => ("records", "a start time"),
        Field::DetectedAt => ("records", "a detection time"),
        Field::MitigatedAt => ("records", "a mitigation time"),
        Field::ResolvedAt => ("records", "a resolution time"),
        Field::Severity => ("records", "a severity"),
        Field::Services => ("names", "a service"),
        Field::RootCause => ("names", "a root cause"),
        Field::Tags => ("has", "a tag"),
        _ => ("records", "this field"),
    }
}
