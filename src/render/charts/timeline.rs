//! The incident page's timeline: the recorded milestones (started, detected, mitigated,
//! resolved) and the dated entries of the body's timeline on one horizontal time axis.
//!
//! Two rules keep a long incident with a burst of early events readable. Gaps much
//! longer than the incident's typical spacing are drawn as a fixed-width break (two
//! slanted strokes) carrying their length ("14 h") instead of to scale ([`compress`]), and labels are packed
//! into rows so that no two overlap ([`label_rows`]): milestones above the axis, entries
//! below. Both are pure and tested here; the SVG is written with the shared helpers of
//! `charts/svg.rs`, every element with a class and no colour.

use chrono::TimeDelta;

use super::Frame;
use super::svg::Svg;
use crate::render::views::format_duration;

/// The width the chart is drawn at; CSS scales it to the column.
const WIDTH: f64 = 720.0;
const LEFT: f64 = 14.0;
const RIGHT: f64 = WIDTH - 14.0;
/// The width of a compressed gap on the axis.
const BREAK: f64 = 92.0;
/// A gap is compressed only while the closest two instants would be nearer than this.
const MIN_SPACING: f64 = 28.0;
/// ... and only when it is this many times the median gap, and at least this long.
const GAP_RATIO: i64 = 4;
const MIN_COMPRESSED_SECONDS: i64 = 30 * 60;
/// The height of a label row, and the room kept between two labels of one row.
const ROW: f64 = 16.0;
const LABEL_GAP: f64 = 8.0;
/// A conservative width of one character of the 11-unit label font: an estimate that
/// errs wide keeps labels apart in any font.
const LABEL_CHAR: f64 = 6.6;

/// What a mark on the axis stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::render) enum MarkKind {
    Started,
    Detected,
    Mitigated,
    Resolved,
    /// An entry of the body's timeline.
    Entry,
}

impl MarkKind {
    pub(in crate::render) fn name(self) -> &'static str {
        match self {
            MarkKind::Started => "Started",
            MarkKind::Detected => "Detected",
            MarkKind::Mitigated => "Mitigated",
            MarkKind::Resolved => "Resolved",
            MarkKind::Entry => "Entry",
        }
    }

    fn class(self) -> &'static str {
        match self {
            MarkKind::Started => "tl-milestone tl-started",
            MarkKind::Detected => "tl-milestone tl-detected",
            MarkKind::Mitigated => "tl-milestone tl-mitigated",
            MarkKind::Resolved => "tl-milestone tl-resolved",
            MarkKind::Entry => "tl-entry",
        }
    }
}

/// One instant to draw.
#[derive(Debug, Clone)]
pub(in crate::render) struct Mark {
    /// Seconds since the epoch.
    pub(in crate::render) at: i64,
    pub(in crate::render) kind: MarkKind,
    /// The time as the label shows it, in the site's zone ("02:52").
    pub(in crate::render) time: String,
    /// What happened; empty for a milestone.
    pub(in crate::render) text: String,
}

/// Where each distinct instant sits on the axis, and the gaps drawn as breaks.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Axis {
    /// (instant, x), in time order, one per distinct instant.
    pub(super) points: Vec<(i64, f64)>,
    /// (x where the break starts, x where it ends, the gap in seconds).
    pub(super) breaks: Vec<(f64, f64, i64)>,
}

impl Axis {
    fn x(&self, at: i64) -> f64 {
        match self.points.binary_search_by_key(&at, |p| p.0) {
            Ok(i) => self.points[i].1,
            Err(_) => LEFT,
        }
    }
}

/// Places `instants` (any order, repeats allowed) between `LEFT` and `RIGHT`: to scale,
/// except that while the two closest instants would be under [`MIN_SPACING`] apart, the
/// longest gap still to scale becomes a break, if it is at least [`GAP_RATIO`] times the
/// median gap and half an hour. So a two-day incident with its events in the first hour
/// shows that hour across the axis and the rest as one marked break, while an incident of
/// evenly spaced events stays to scale.
pub(super) fn compress(instants: &[i64]) -> Axis {
    let mut times = instants.to_vec();
    times.sort_unstable();
    times.dedup();
    let gaps: Vec<i64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    let mut compressed = vec![false; gaps.len()];
    loop {
        let kept: Vec<i64> = (0..gaps.len())
            .filter(|&i| !compressed[i])
            .map(|i| gaps[i])
            .collect();
        let breaks = compressed.iter().filter(|&&c| c).count();
        let (Some(&smallest), Some(&largest)) = (kept.iter().min(), kept.iter().max()) else {
            break;
        };
        let width = RIGHT - LEFT - BREAK * breaks as f64;
        let total: i64 = kept.iter().sum();
        let spacing = smallest as f64 / total as f64 * width;
        let mut sorted = kept.clone();
        sorted.sort_unstable();
        let median = sorted[sorted.len() / 2];
        let worth_it = largest >= GAP_RATIO * median && largest >= MIN_COMPRESSED_SECONDS;
        // Keep room for the rest: a break is never taken when it would leave the gaps
        // still to scale less room than one break.
        if spacing >= MIN_SPACING || !worth_it || width - BREAK < BREAK {
            break;
        }
        let at = (0..gaps.len())
            .filter(|&i| !compressed[i])
            .max_by_key(|&i| (gaps[i], std::cmp::Reverse(i)))
            .unwrap_or(0);
        compressed[at] = true;
    }
    lay_out(&times, &gaps, &compressed)
}

/// The x of each instant, given which gaps are breaks.
fn lay_out(times: &[i64], gaps: &[i64], compressed: &[bool]) -> Axis {
    let breaks = compressed.iter().filter(|&&c| c).count();
    let width = RIGHT - LEFT - BREAK * breaks as f64;
    let total: i64 = (0..gaps.len())
        .filter(|&i| !compressed[i])
        .map(|i| gaps[i])
        .sum();
    // With every gap a break, the breaks share the axis.
    let per_second = if total > 0 { width / total as f64 } else { 0.0 };
    let stretch = if total > 0 {
        1.0
    } else {
        (RIGHT - LEFT) / (BREAK * breaks.max(1) as f64)
    };
    let mut x = LEFT;
    let mut axis = Axis {
        points: Vec::with_capacity(times.len()),
        breaks: Vec::new(),
    };
    for (i, &at) in times.iter().enumerate() {
        axis.points.push((at, x));
        if let Some(&gap) = gaps.get(i) {
            let step = if compressed[i] {
                BREAK * stretch
            } else {
                gap as f64 * per_second
            };
            if compressed[i] {
                axis.breaks.push((x, x + step, gap));
            }
            x += step;
        }
    }
    axis
}

/// A label's extent along the axis: (start, end).
pub(super) type Span = (f64, f64);

/// The row of each label, in order: the first row (0 is nearest the axis) where it
/// overlaps no label already placed, with [`LABEL_GAP`] between neighbours.
pub(super) fn label_rows(spans: &[Span]) -> Vec<usize> {
    let mut rows: Vec<Vec<Span>> = Vec::new();
    spans
        .iter()
        .map(|&(start, end)| {
            let free = |row: &Vec<Span>| {
                row.iter()
                    .all(|&(a, b)| end + LABEL_GAP <= a || b + LABEL_GAP <= start)
            };
            let row = match rows.iter().position(free) {
                Some(row) => row,
                None => {
                    rows.push(Vec::new());
                    rows.len() - 1
                }
            };
            rows[row].push((start, end));
            row
        })
        .collect()
}

/// One label, placed: where its text starts or ends, and its anchor.
struct Placed {
    x: f64,
    text_x: f64,
    anchor: &'static str,
    span: Span,
}

/// A label to the right of its mark, or to the left where it would run off the chart.
fn place(x: f64, label: &str) -> Placed {
    let width = label.chars().count() as f64 * LABEL_CHAR;
    if x + 4.0 + width <= WIDTH - 2.0 {
        Placed {
            x,
            text_x: x + 4.0,
            anchor: "start",
            span: (x, x + 4.0 + width),
        }
    } else {
        Placed {
            x,
            text_x: x - 4.0,
            anchor: "end",
            span: (x - 4.0 - width, x),
        }
    }
}

/// The label a mark shows: a milestone's name and time, an entry's time and text cut
/// to `text_chars` (its tooltip and the page's timeline section keep all of it).
fn label(mark: &Mark, text_chars: usize) -> String {
    let (first, second) = match mark.kind {
        MarkKind::Entry => (
            mark.time.as_str(),
            super::svg::truncate(&mark.text, text_chars),
        ),
        kind => (kind.name(), mark.time.clone()),
    };
    let mut label = String::with_capacity(first.len() + 1 + second.len());
    label.push_str(first);
    label.push(' ');
    label.push_str(&second);
    label
}

/// A drawn timeline: its SVG, and how many gaps it shortened.
pub(in crate::render) struct Drawn {
    pub(in crate::render) svg: String,
    pub(in crate::render) breaks: usize,
}

/// The timeline as SVG, or `None` with fewer than two distinct instants (a chart of one
/// point says nothing). `title` and `desc` name the chart; `described_by` is the id of
/// the element that describes it on the page.
pub(in crate::render) fn timeline(
    marks: &[Mark],
    title: &str,
    desc: &str,
    described_by: &str,
) -> Option<Drawn> {
    let instants: Vec<i64> = marks.iter().map(|m| m.at).collect();
    let axis = compress(&instants);
    if axis.points.len() < 2 {
        return None;
    }
    let (above, below): (Vec<&Mark>, Vec<&Mark>) =
        marks.iter().partition(|m| m.kind != MarkKind::Entry);
    // Many entries get shorter labels, so they pack into fewer rows.
    let text_chars = if below.len() > 12 { 22 } else { 34 };
    let (top, top_rows) = side_labels(&above, &axis, text_chars);
    let (bottom, bottom_rows) = side_labels(&below, &axis, text_chars);
    let rows_above = top_rows.iter().max().map_or(0, |r| r + 1);
    let rows_below = bottom_rows.iter().max().map_or(0, |r| r + 1);
    let axis_y = 8.0 + ROW * rows_above as f64 + 10.0;
    let height = axis_y + 14.0 + ROW * rows_below as f64 + 4.0;
    let frame = Frame {
        title,
        desc,
        x_title: "",
        y_title: "",
        width: WIDTH,
        height,
    };
    let mut svg = Svg::open_described(frame, "chart-timeline", described_by);
    draw_axis(&mut svg, &axis, axis_y);
    // Entries first, so a milestone at the same instant is drawn over an entry's dot.
    let sides = [
        (&below, &bottom, &bottom_rows, false),
        (&above, &top, &top_rows, true),
    ];
    let mut laid: Vec<(&Mark, &Placed, &str, f64, bool)> = Vec::with_capacity(marks.len());
    for (side, placed, rows, is_above) in sides {
        for ((mark, (place, text)), &row) in side.iter().zip(placed).zip(rows) {
            let y = if is_above {
                axis_y - 14.0 - ROW * row as f64
            } else {
                axis_y + 22.0 + ROW * row as f64
            };
            laid.push((mark, place, text.as_str(), y, is_above));
        }
    }
    draw_marks(&mut svg, &laid, axis_y);
    Some(Drawn {
        svg: svg.finish(),
        breaks: axis.breaks.len(),
    })
}

/// The labels of one side of the axis, placed beside their marks, and the row of each.
fn side_labels(
    side: &[&Mark],
    axis: &Axis,
    text_chars: usize,
) -> (Vec<(Placed, String)>, Vec<usize>) {
    let placed: Vec<(Placed, String)> = side
        .iter()
        .map(|m| {
            let text = label(m, text_chars);
            (place(axis.x(m.at), &text), text)
        })
        .collect();
    let rows = label_rows(&placed.iter().map(|(p, _)| p.span).collect::<Vec<_>>());
    (placed, rows)
}

/// Every leader before any label: each label's backdrop then hides the leaders of
/// farther rows that pass behind it, so no line strikes through a word. `laid` holds
/// (mark, its label's place, text and baseline, above the axis).
fn draw_marks(svg: &mut Svg, laid: &[(&Mark, &Placed, &str, f64, bool)], axis_y: f64) {
    for &(_, place, _, label_y, above) in laid {
        let (from, to) = if above {
            (axis_y - 6.0, label_y + 3.0)
        } else {
            (axis_y + 5.0, label_y - 9.0)
        };
        svg.line("tl-leader", place.x, from, place.x, to);
    }
    for &(mark, place, text, label_y, _) in laid {
        draw_mark(svg, mark, place, text, axis_y, label_y);
    }
}

/// The axis line, to scale between breaks, and each break with its length.
fn draw_axis(svg: &mut Svg, axis: &Axis, y: f64) {
    let (first, last) = (axis.points[0].1, axis.points[axis.points.len() - 1].1);
    let mut from = first;
    for &(start, end, gap) in &axis.breaks {
        if start > from {
            svg.line("axis", from, y, start, y);
        }
        let middle = (start + end) / 2.0;
        let gap_text = format_duration(TimeDelta::seconds(gap));
        svg.push(r#"<g class="tl-break"><title>"#);
        svg.escaped(&gap_text);
        svg.push(" with nothing recorded, shortened</title>");
        for edge in [start + 10.0, end - 10.0] {
            // The break symbol: two slanted strokes where the axis stops and resumes.
            svg.line("tl-break-mark", edge - 3.0, y + 6.0, edge + 3.0, y - 6.0);
        }
        // The strokes are the break symbol; the length sits between them.
        svg.text("tl-gap", middle, y + 3.5, "middle", &gap_text);
        svg.push("</g>");
        from = end;
    }
    if last > from {
        svg.line("axis", from, y, last, y);
    }
}

/// One mark: its shape on the axis (a diamond for a milestone, a dot for an entry) and
/// its label on a backdrop of the chart's background, with the whole entry as tooltip.
fn draw_mark(svg: &mut Svg, mark: &Mark, place: &Placed, text: &str, axis_y: f64, label_y: f64) {
    let x = place.x;
    svg.push(r#"<g class="tl-mark "#);
    svg.push(mark.kind.class());
    svg.push(r#""><title>"#);
    // The tooltip: the whole entry, or the milestone's name and time.
    match mark.kind {
        MarkKind::Entry => {
            svg.escaped(&mark.time);
            svg.push(" — ");
            svg.escaped(&mark.text);
        }
        kind => {
            svg.escaped(kind.name());
            svg.push(" ");
            svg.escaped(&mark.time);
        }
    }
    svg.push("</title>");
    match mark.kind {
        MarkKind::Entry => {
            svg.push(r#"<circle class="tl-dot" cx=""#);
            svg.num(x);
            svg.push(r#"" cy=""#);
            svg.num(axis_y);
            svg.push(r#"" r="3.5"/>"#);
        }
        _ => {
            svg.push(r#"<path class="tl-diamond" d="M"#);
            svg.num(x);
            svg.push(" ");
            svg.num(axis_y - 6.0);
            svg.push(r#"l6 6l-6 6l-6 -6z"/>"#);
        }
    }
    let (start, end) = place.span;
    let from = if place.anchor == "start" {
        start + 3.0
    } else {
        start
    };
    svg.rect(
        "tl-label-bg",
        from,
        label_y - 10.0,
        end - 3.0 - from + 2.0,
        13.0,
        None,
    );
    svg.text("tl-label", place.text_x, label_y, place.anchor, text);
    svg.push("</g>");
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60;
    const HOUR: i64 = 3600;

    fn check_spacing(axis: &Axis) {
        for pair in axis.points.windows(2) {
            assert!(pair[1].1 > pair[0].1, "{axis:?}");
        }
        let last = axis.points.last().unwrap().1;
        assert!(
            (last - RIGHT).abs() < 0.01,
            "the axis fills the width: {axis:?}"
        );
    }

    #[test]
    fn a_burst_then_a_long_wait_compresses_the_wait() {
        // Six events in the first hour of a two-day incident.
        let instants = [0, 5 * MIN, 10 * MIN, 20 * MIN, 40 * MIN, HOUR, 48 * HOUR];
        let axis = compress(&instants);
        check_spacing(&axis);
        assert_eq!(axis.breaks.len(), 1);
        let (start, end, gap) = axis.breaks[0];
        assert_eq!(gap, 47 * HOUR);
        assert_eq!((start, end), (axis.points[5].1, axis.points[6].1));
        // The first hour takes the axis but for the break.
        let five_minutes = axis.points[1].1 - axis.points[0].1;
        assert!(five_minutes >= MIN_SPACING, "{axis:?}");
        assert!((axis.points[5].1 - LEFT - (RIGHT - LEFT - BREAK)).abs() < 0.01);
    }

    #[test]
    fn evenly_spread_events_stay_to_scale() {
        for instants in [
            vec![0, 10 * HOUR, 20 * HOUR],
            // A three-hour incident: the longest gap is a few times the shortest, and
            // every event is far enough from the next.
            vec![
                0,
                12 * MIN,
                25 * MIN,
                38 * MIN,
                50 * MIN,
                95 * MIN,
                185 * MIN,
            ],
            vec![0, HOUR],
        ] {
            let axis = compress(&instants);
            check_spacing(&axis);
            assert!(axis.breaks.is_empty(), "{instants:?}: {axis:?}");
            let scale = (RIGHT - LEFT) / instants.last().copied().unwrap() as f64;
            for (&at, &(_, x)) in instants.iter().zip(&axis.points) {
                assert!((x - LEFT - at as f64 * scale).abs() < 0.01);
            }
        }
    }

    #[test]
    fn bursts_far_apart_keep_both_bursts_legible() {
        // Two bursts three days apart, and a day-later check in between.
        let instants = [
            0,
            2 * MIN,
            5 * MIN,
            26 * HOUR,
            72 * HOUR,
            72 * HOUR + 4 * MIN,
        ];
        let axis = compress(&instants);
        check_spacing(&axis);
        let gaps: Vec<i64> = axis.breaks.iter().map(|b| b.2).collect();
        assert_eq!(gaps.len(), 2, "{axis:?}");
        assert!(gaps.contains(&(46 * HOUR)) && gaps.contains(&(26 * HOUR - 5 * MIN)));
        let closest = axis
            .points
            .windows(2)
            .map(|p| p[1].1 - p[0].1)
            .fold(f64::MAX, f64::min);
        assert!(closest >= MIN_SPACING, "{axis:?}");
    }

    #[test]
    fn short_incidents_are_never_compressed() {
        // Minutes apart, then 26 minutes: crowded, but no gap is half an hour.
        let axis = compress(&[0, MIN, 2 * MIN, 3 * MIN, 29 * MIN]);
        assert!(axis.breaks.is_empty());
    }

    #[test]
    fn repeated_instants_are_one_point() {
        let axis = compress(&[HOUR, 0, HOUR, 0]);
        assert_eq!(axis.points.len(), 2);
        assert_eq!(compress(&[5, 5]).points.len(), 1);
        assert_eq!(compress(&[]).points.len(), 0);
    }

    #[test]
    fn labels_take_the_first_row_they_fit() {
        let rows = label_rows(&[
            (0.0, 100.0),
            (50.0, 150.0),  // overlaps the first: row 1
            (104.0, 200.0), // too close to the first (gap 4): row 1 is taken too: row 2
            (120.0, 220.0), // fits row 0, past the first with room
            (300.0, 400.0), // row 0
        ]);
        assert_eq!(rows, vec![0, 1, 2, 0, 0]);
        let rows = label_rows(&[(0.0, 100.0), (120.0, 200.0), (10.0, 60.0)]);
        assert_eq!(rows, vec![0, 0, 1]);
    }

    fn mark(at: i64, kind: MarkKind, text: &str) -> Mark {
        Mark {
            at,
            kind,
            time: format!("{:02}:{:02}", at / HOUR, at % HOUR / MIN),
            text: text.to_string(),
        }
    }

    #[test]
    fn no_two_labels_of_a_row_overlap_in_the_drawn_chart() {
        let marks: Vec<Mark> = (0..10)
            .map(|i| {
                mark(
                    i * 2 * MIN,
                    MarkKind::Entry,
                    "something happened to the cluster",
                )
            })
            .chain([
                mark(0, MarkKind::Started, ""),
                mark(18 * MIN, MarkKind::Resolved, ""),
            ])
            .collect();
        let svg = timeline(&marks, "Timeline", "Ten entries", "cap")
            .unwrap()
            .svg;
        assert!(svg.contains(r#"aria-describedby="cap""#));
        assert_eq!(svg.matches("<circle class=\"tl-dot\"").count(), 10);
        assert_eq!(svg.matches("<path class=\"tl-diamond\"").count(), 2);
        assert!(svg.contains("<title>00:04 — something happened to the cluster</title>"));
        assert!(svg.contains(">Resolved 00:18</text>"));
        assert!(!svg.contains("fill="), "colours come from the theme");
        // Read back each label's row (its y) and extent, and check each row.
        let mut labels: Vec<(String, f64, f64)> = Vec::new();
        for part in svg.split("<text class=\"tl-label\" ").skip(1) {
            let attr = |name: &str| {
                let at = part.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                part[at..at + part[at..].find('"').unwrap()].to_string()
            };
            let x: f64 = attr("x").parse().unwrap();
            let chars = part[part.find('>').unwrap() + 1..part.find("</text>").unwrap()]
                .chars()
                .count() as f64;
            let (start, end) = match attr("text-anchor").as_str() {
                "start" => (x, x + chars * LABEL_CHAR),
                _ => (x - chars * LABEL_CHAR, x),
            };
            labels.push((attr("y"), start, end));
        }
        assert_eq!(labels.len(), 12);
        for (i, a) in labels.iter().enumerate() {
            assert!(a.1 >= 0.0 && a.2 <= WIDTH, "inside the chart: {a:?}");
            for b in &labels[i + 1..] {
                if a.0 == b.0 {
                    assert!(a.2 <= b.1 || b.2 <= a.1, "overlap: {a:?} {b:?}");
                }
            }
        }
    }

    #[test]
    fn one_instant_draws_nothing() {
        let marks = [
            mark(HOUR, MarkKind::Started, ""),
            mark(HOUR, MarkKind::Entry, "paged"),
        ];
        assert!(timeline(&marks, "t", "d", "").is_none());
        assert!(timeline(&[], "t", "d", "").is_none());
    }

    #[test]
    fn breaks_say_how_long_they_are() {
        let marks = [
            mark(0, MarkKind::Started, ""),
            mark(5 * MIN, MarkKind::Entry, "alert"),
            mark(10 * MIN, MarkKind::Entry, "rollback"),
            mark(14 * HOUR + 10 * MIN, MarkKind::Resolved, ""),
        ];
        let drawn = timeline(&marks, "t", "d", "").unwrap();
        assert_eq!(drawn.breaks, 1);
        let svg = drawn.svg;
        assert!(svg.contains(">14 h</text>"), "{svg}");
        assert!(svg.contains("<title>14 h with nothing recorded, shortened</title>"));
    }
}
