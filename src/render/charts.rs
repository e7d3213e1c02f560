//! SVG charts, drawn at build time and inlined in pages: stacked bars, horizontal bars,
//! lines, a heat map and a sparkline (pure: data in, markup out).
//!
//! Written by hand rather than with a plotting crate because the theme must own every
//! color: plotters' SVG backend writes a fixed `fill`/`stroke` on each element and lays out
//! its own text, so CSS could not restyle a chart for dark mode or print, and it would add
//! a dependency tree for five simple shapes. Here every element carries a class and no
//! color (`mark s-sev-1`, `grid`, `tick`): the theme's CSS sets a `--series` color per
//! series class, and the same class colors the legend swatches. Each chart opens with a
//! `<title>` and a `<desc>`, each mark has a `<title>` tooltip with its exact figure, and
//! coordinates are rounded to 0.1 so the output is small and byte-stable. The SVG writer
//! and the axes all charts share are in `charts/svg.rs`.

mod svg;
pub(super) mod timeline;

use std::fmt::Write;

use svg::{Plot, Svg, ValueAxis, escape, num, tick_label, truncate};

/// One stacked series: a name for tooltips and the class that colors it.
#[derive(Debug, Clone)]
pub(super) struct Series {
    pub(super) name: String,
    pub(super) class: String,
    pub(super) values: Vec<usize>,
}

/// What every chart has: its accessible name and description, and its axis titles.
#[derive(Debug, Clone, Copy)]
pub(super) struct Frame<'a> {
    pub(super) title: &'a str,
    pub(super) desc: &'a str,
    pub(super) x_title: &'a str,
    pub(super) y_title: &'a str,
    pub(super) width: f64,
    pub(super) height: f64,
}

/// How the value axis is labelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scale {
    Count,
    /// Minutes on a logarithmic axis, for times that span orders of magnitude (a 5-minute
    /// median beside a 3-day outlier); values under a minute sit on the lowest tick.
    LogMinutes,
    /// Shares of each column's total, 0–100%.
    Percent,
}

/// Columns of stacked bars, one per label, bottom-up in series order.
pub(super) fn stacked_bars(
    frame: Frame,
    labels: &[String],
    series: &[Series],
    scale: Scale,
) -> String {
    let plot = Plot::new(frame, if scale == Scale::Percent { 44.0 } else { 40.0 });
    let totals: Vec<usize> = (0..labels.len())
        .map(|i| series.iter().map(|s| s.values[i]).sum())
        .collect();
    let max = match scale {
        Scale::Percent => 100.0,
        _ => totals.iter().copied().max().unwrap_or(0) as f64,
    };
    let mut svg = Svg::open(frame, "chart-bars");
    let axis = plot.value_axis(&mut svg, 0.0, max, scale);
    let band = plot.band(labels.len());
    let bar_width = (band * 0.72).min(56.0);
    for (i, label) in labels.iter().enumerate() {
        let x = plot.left + band * i as f64 + (band - bar_width) / 2.0;
        let mut base = 0.0;
        for s in series {
            let value = s.values[i];
            if value == 0 {
                continue;
            }
            let (height, tip) = match scale {
                Scale::Percent => {
                    let share = value as f64 * 100.0 / totals[i] as f64;
                    let tip = format!(
                        "{label} · {}: {value} of {} ({share:.0}%)",
                        s.name, totals[i]
                    );
                    (share, tip)
                }
                _ => (value as f64, format!("{label} · {}: {value}", s.name)),
            };
            let (y0, y1) = (plot.y(base + height, &axis), plot.y(base, &axis));
            svg.rect(
                &format!("mark {}", s.class),
                x,
                y0,
                bar_width,
                y1 - y0,
                Some(&tip),
            );
            base += height;
        }
        if scale != Scale::Percent && totals[i] > 0 && band >= 18.0 {
            let y = plot.y(totals[i] as f64, &axis) - 4.0;
            svg.text(
                "value",
                x + bar_width / 2.0,
                y,
                "middle",
                &totals[i].to_string(),
            );
        }
    }
    plot.label_axis(&mut svg, labels);
    svg.finish()
}

/// One line of a line chart; `None` values break the line.
#[derive(Debug, Clone)]
pub(super) struct Line {
    pub(super) class: String,
    pub(super) values: Vec<Option<f64>>,
    /// The tooltip of each point.
    pub(super) tips: Vec<String>,
}

/// Lines over labelled columns, with a marker on every known point.
pub(super) fn lines(frame: Frame, labels: &[String], lines: &[Line], scale: Scale) -> String {
    let plot = Plot::new(frame, if scale == Scale::Count { 40.0 } else { 62.0 });
    let values = || {
        lines
            .iter()
            .flat_map(|l| l.values.iter().flatten().copied())
    };
    let max = values().fold(0.0_f64, f64::max);
    let min = values().fold(max, f64::min);
    let mut svg = Svg::open(frame, "chart-lines");
    let axis = plot.value_axis(&mut svg, min, max, scale);
    let band = plot.band(labels.len());
    let x = |i: usize| plot.left + band * (i as f64 + 0.5);
    for line in lines {
        let mut path = String::new();
        let mut previous = false;
        for (i, value) in line.values.iter().enumerate() {
            match value {
                Some(v) => {
                    let command = if previous { 'L' } else { 'M' };
                    let _ = write!(path, "{command}{} {}", num(x(i)), num(plot.y(*v, &axis)));
                    previous = true;
                }
                None => previous = false,
            }
        }
        if !path.is_empty() {
            let _ = write!(
                svg.0,
                r#"<path class="line {}" d="{path}"/>"#,
                escape(&line.class)
            );
        }
        for (i, value) in line.values.iter().enumerate() {
            if let Some(v) = value {
                let _ = write!(
                    svg.0,
                    r#"<circle class="point {}" cx="{}" cy="{}" r="3.5"><title>{}</title></circle>"#,
                    escape(&line.class),
                    num(x(i)),
                    num(plot.y(*v, &axis)),
                    escape(&line.tips[i])
                );
            }
        }
    }
    plot.label_axis(&mut svg, labels);
    svg.finish()
}

/// One bar of a horizontal bar chart, made of one or more segments laid end to end.
#[derive(Debug, Clone)]
pub(super) struct Bar {
    pub(super) label: String,
    /// (value, series class, tooltip) of each segment.
    pub(super) segments: Vec<(f64, String, String)>,
    /// The figure printed after the bar ("12", "3 d 4 h").
    pub(super) display: String,
}

impl Bar {
    /// A bar of one segment.
    pub(super) fn single(label: String, value: f64, class: &str, display: String) -> Bar {
        Bar {
            segments: vec![(value, class.to_string(), format!("{label}: {display}"))],
            label,
            display,
        }
    }

    fn value(&self) -> f64 {
        self.segments.iter().map(|(v, _, _)| v).sum()
    }
}

/// Labelled horizontal bars, largest first as given, with each figure printed after its
/// bar. The height follows the number of bars; `frame.height` is ignored.
pub(super) fn horizontal_bars(frame: Frame, bars: &[Bar], scale: Scale) -> String {
    const ROW: f64 = 24.0;
    let label_width = 150.0;
    let height = 14.0 + ROW * bars.len().max(1) as f64 + 40.0;
    let frame = Frame { height, ..frame };
    let plot = Plot {
        left: label_width,
        right: frame.width - 70.0,
        top: 14.0,
        bottom: height - 40.0,
        frame,
    };
    let max = bars.iter().fold(0.0_f64, |a, b| a.max(b.value()));
    // A log axis starts at the round tick strictly below the smallest bar, not at zero,
    // so the shortest bar is still a bar.
    let min = match scale {
        Scale::LogMinutes => 0.99 * bars.iter().fold(max, |a, b| a.min(b.value())),
        _ => 0.0,
    };
    let mut svg = Svg::open(frame, "chart-hbars");
    let axis = ValueAxis::new(min, max, 4, scale);
    let x = |v: f64| plot.left + (plot.right - plot.left) * axis.fraction(v);
    // Labels at least 48 units apart, so a log axis over many ticks stays legible.
    let spacing = (plot.right - plot.left) / axis.ticks.len().saturating_sub(1).max(1) as f64;
    let every = (48.0 / spacing).ceil().max(1.0) as usize;
    for (i, &tick) in axis.ticks.iter().enumerate() {
        svg.line("grid", x(tick), plot.top, x(tick), plot.bottom);
        if i % every == 0 {
            svg.text(
                "tick",
                x(tick),
                plot.bottom + 15.0,
                "middle",
                &tick_label(tick, scale),
            );
        }
    }
    for (i, bar) in bars.iter().enumerate() {
        let y = plot.top + ROW * i as f64;
        let label = truncate(&bar.label, 22);
        svg.text(
            "tick label",
            label_width - 8.0,
            y + ROW / 2.0 + 4.0,
            "end",
            &label,
        );
        let mut end = plot.left;
        for (value, class, tip) in bar.segments.iter().filter(|s| s.0 > 0.0) {
            // A tiny value still gets a visible sliver, so "has some" never looks like "none".
            let width = (x(*value) - plot.left).max(1.0);
            svg.rect(
                &format!("mark {class}"),
                end,
                y + 4.0,
                width,
                ROW - 8.0,
                Some(tip),
            );
            end += width;
        }
        svg.text(
            "value",
            end + 5.0,
            y + ROW / 2.0 + 4.0,
            "start",
            &bar.display,
        );
    }
    svg.line("axis", plot.left, plot.top, plot.left, plot.bottom);
    svg.text(
        "axis-title",
        (plot.left + plot.right) / 2.0,
        height - 6.0,
        "middle",
        frame.x_title,
    );
    svg.finish()
}

/// A grid of counts, each cell shaded by its share of the largest and its count printed.
/// `frame.height` is ignored: rows are a fixed height.
pub(super) fn heat_map(frame: Frame, columns: &[String], rows: &[(String, Vec<usize>)]) -> String {
    const ROW: f64 = 26.0;
    let (left, top) = (150.0, 104.0);
    // The last column's slanted label runs past the grid; leave it room.
    let right = frame.width - 96.0;
    let height = top + ROW * rows.len().max(1) as f64 + 30.0;
    let frame = Frame { height, ..frame };
    let mut svg = Svg::open(frame, "chart-heat");
    let max = rows
        .iter()
        .flat_map(|(_, cells)| cells.iter().copied())
        .max()
        .unwrap_or(0);
    let cell = (right - left) / columns.len().max(1) as f64;
    for (j, column) in columns.iter().enumerate() {
        let x = left + cell * (j as f64 + 0.5);
        let _ = write!(
            svg.0,
            r#"<text class="tick" transform="translate({} {}) rotate(-40)">{}</text>"#,
            num(x),
            num(top - 6.0),
            escape(&truncate(column, 20))
        );
    }
    for (i, (name, cells)) in rows.iter().enumerate() {
        let y = top + ROW * i as f64;
        let label = truncate(name, 22);
        svg.text("tick label", left - 8.0, y + ROW / 2.0 + 4.0, "end", &label);
        for (j, &count) in cells.iter().enumerate() {
            // Five shades, so that a single incident is visible and the largest is darkest.
            let level = if count == 0 {
                0
            } else {
                (count * 5).div_ceil(max.max(1)).clamp(1, 5)
            };
            let x = left + cell * j as f64;
            let tip = format!("{name} × {}: {count}", columns[j]);
            svg.rect(
                &format!("cell heat-{level}"),
                x + 1.0,
                y + 1.0,
                cell - 2.0,
                ROW - 2.0,
                Some(&tip),
            );
            if count > 0 {
                let class = if level >= 3 {
                    "cell-value on-dark"
                } else {
                    "cell-value"
                };
                svg.text(
                    class,
                    x + cell / 2.0,
                    y + ROW / 2.0 + 4.0,
                    "middle",
                    &count.to_string(),
                );
            }
        }
    }
    svg.text(
        "axis-title",
        (left + right) / 2.0,
        height - 8.0,
        "middle",
        frame.x_title,
    );
    svg.text("axis-title", 4.0, 14.0, "start", frame.y_title);
    svg.finish()
}

/// A small bar sparkline of counts, with its first and last labels and its largest value.
pub(super) fn sparkline(title: &str, desc: &str, labels: &[String], values: &[usize]) -> String {
    let frame = Frame {
        title,
        desc,
        x_title: "",
        y_title: "",
        width: 260.0,
        height: 64.0,
    };
    let (left, right, top, bottom) = (20.0, 256.0, 6.0, 44.0);
    let mut svg = Svg::open(frame, "chart-spark");
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    let band = (right - left) / values.len().max(1) as f64;
    for (i, &value) in values.iter().enumerate() {
        if value == 0 {
            continue;
        }
        let height = (bottom - top) * value as f64 / max as f64;
        let label = labels.get(i).map_or("", String::as_str);
        svg.rect(
            "mark s-spark",
            left + band * i as f64 + band * 0.1,
            bottom - height,
            band * 0.8,
            height,
            Some(&format!("{label}: {value}")),
        );
    }
    svg.line("axis", left, bottom, right, bottom);
    svg.text("tick", left - 4.0, top + 8.0, "end", &max.to_string());
    svg.text("tick", left - 4.0, bottom, "end", "0");
    if let (Some(first), Some(last)) = (labels.first(), labels.last()) {
        svg.text("tick", left, bottom + 15.0, "start", first);
        if labels.len() > 1 {
            svg.text("tick", right, bottom + 15.0, "end", last);
        }
    }
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> Frame<'static> {
        Frame {
            title: "Incidents <by> month",
            desc: "A test",
            x_title: "Month",
            y_title: "Incidents",
            width: 400.0,
            height: 200.0,
        }
    }

    #[test]
    fn stacked_bars_have_one_rect_per_nonzero_value_with_its_figure() {
        let labels = vec!["2024-01".to_string(), "2024-02".to_string()];
        let series = [
            Series {
                name: "SEV1".into(),
                class: "s-sev-1".into(),
                values: vec![1, 0],
            },
            Series {
                name: "SEV2".into(),
                class: "s-sev-2".into(),
                values: vec![2, 3],
            },
        ];
        let svg = stacked_bars(frame(), &labels, &series, Scale::Count);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("<title>Incidents &lt;by&gt; month</title>"));
        assert_eq!(svg.matches("<rect class=\"mark ").count(), 3);
        assert!(svg.contains("<title>2024-01 · SEV2: 2</title>"));
        assert!(svg.contains("<title>2024-02 · SEV2: 3</title>"));
        assert!(!svg.contains("2024-02 · SEV1"), "no empty segments");
        assert!(!svg.contains("fill="), "colors come from the theme's CSS");
        // Both columns hold three incidents, so they are equally tall.
        let heights: Vec<f64> = svg
            .split("<rect class=\"mark ")
            .skip(1)
            .map(|r| {
                let at = r.find("height=\"").unwrap() + 8;
                r[at..at + r[at..].find('"').unwrap()].parse().unwrap()
            })
            .collect();
        assert!(
            (heights[0] + heights[1] - heights[2]).abs() < 0.2,
            "{heights:?}"
        );
    }

    #[test]
    fn lines_break_where_data_is_missing() {
        let labels: Vec<String> = ["Q1", "Q2", "Q3"].map(String::from).to_vec();
        let line = Line {
            class: "s-median".into(),
            values: vec![Some(10.0), None, Some(30.0)],
            tips: vec!["Q1: 10 min".into(), String::new(), "Q3: 30 min".into()],
        };
        let svg = lines(frame(), &labels, &[line], Scale::LogMinutes);
        let path = &svg[svg.find(" d=\"").unwrap()..];
        assert_eq!(path[..path.find("\"/>").unwrap()].matches('M').count(), 2);
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains("<title>Q3: 30 min</title>"));
    }

    #[test]
    fn heat_map_prints_counts_and_shades_by_share() {
        let columns = vec!["Deploy".to_string(), "Capacity".to_string()];
        let rows = vec![
            ("api".to_string(), vec![5, 0]),
            ("db".to_string(), vec![1, 2]),
        ];
        let svg = heat_map(frame(), &columns, &rows);
        assert!(svg.contains("<title>api × Deploy: 5</title>"));
        assert!(svg.contains("class=\"cell heat-5\""));
        assert!(svg.contains("class=\"cell heat-0\""));
        assert!(
            svg.contains("class=\"cell heat-1\""),
            "one of five is still visible"
        );
        assert!(svg.contains(">5</text>") && svg.contains(">2</text>"));
        assert!(!svg.contains(">0</text>"), "empty cells print nothing");
    }
}
