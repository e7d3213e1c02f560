//! Trends in pages: the `/trends/` page (`page.rs`, `causes.rs`), the small trend on
//! service and root-cause pages (`term.rs`), and the data exports (`exports.rs`), all
//! drawn from the figures of [`crate::analyze::trends`].
//!
//! Every chart reaches a template as a [`ChartView`]: the inline SVG, its legend, and its
//! numbers as a table that the template puts in a `<details>` under the chart, so the
//! figures are there for screen readers, for copying, and where SVG is not shown.

mod causes;
mod exports;
mod page;
mod term;

use chrono::{NaiveDate, TimeDelta};
use serde::Serialize;

pub(super) use exports::ExportLines;

use super::Renderer;
use super::charts::{self, Frame, Scale, Series};
use super::views::{IncidentRow, TermLink, format_duration};
use crate::analyze::trends::ActionRef;

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
}

impl Cell {
    fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            url: None,
            num: false,
        }
    }

    fn num(text: impl ToString) -> Cell {
        Cell {
            text: text.to_string(),
            url: None,
            num: true,
        }
    }

    fn link(link: &TermLink) -> Cell {
        Cell {
            text: link.name.clone(),
            url: Some(link.url.clone()),
            num: false,
        }
    }
}

fn duration(delta: Option<TimeDelta>) -> String {
    delta.map_or_else(|| "—".into(), format_duration)
}

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
    incident: &'a IncidentRow,
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
    /// single incident are left out of the legend and the table.
    fn by_severity_chart(
        &self,
        frame: Frame,
        id: &str,
        labels: &[String],
        rows: &[Vec<usize>],
        head: &str,
    ) -> ChartView {
        let all = self.severity_series();
        let used: Vec<usize> = (0..all.len())
            .filter(|&slot| rows.iter().any(|row| row[slot] > 0))
            .collect();
        let series: Vec<Series> = used
            .iter()
            .map(|&slot| Series {
                name: all[slot].name.clone(),
                class: all[slot].class.clone(),
                values: rows.iter().map(|row| row[slot]).collect(),
            })
            .collect();
        let mut table_head = vec![head.to_string()];
        table_head.extend(used.iter().map(|&slot| all[slot].legend.clone()));
        table_head.push("Total".into());
        let table_rows = labels
            .iter()
            .zip(rows)
            .map(|(label, row)| {
                let mut cells = vec![Cell::text(label.clone())];
                cells.extend(used.iter().map(|&slot| Cell::num(row[slot])));
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
                .map(|due| (self.trends.as_of - due).num_days()),
            incident: &self.rows[action.incident],
            incident_url: format!("incidents/{}/#action-items-table", incident.slug),
        }
    }
}
