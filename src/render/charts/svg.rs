//! The SVG writer and the geometry every chart shares: the plot area, value axes with
//! round ticks (linear or logarithmic), column labels that never overlap, and the number
//! and text formatting that keeps the output small and byte-stable.

use std::fmt::Write;

use chrono::TimeDelta;

use super::{Frame, Scale};
use crate::render::views::format_duration;

/// Approximate width of a character of the 11-unit tick font; used only to space labels.
const CHAR_WIDTH: f64 = 6.4;

/// The plotting area of a chart with a value axis on the left and labels below.
pub(super) struct Plot<'a> {
    pub(super) left: f64,
    pub(super) right: f64,
    pub(super) top: f64,
    pub(super) bottom: f64,
    pub(super) frame: Frame<'a>,
}

impl<'a> Plot<'a> {
    pub(super) fn new(frame: Frame<'a>, left: f64) -> Plot<'a> {
        Plot {
            left,
            right: frame.width - 12.0,
            top: 18.0,
            bottom: frame.height - 42.0,
            frame,
        }
    }

    pub(super) fn band(&self, columns: usize) -> f64 {
        (self.right - self.left) / columns.max(1) as f64
    }

    pub(super) fn y(&self, value: f64, axis: &ValueAxis) -> f64 {
        self.bottom - (self.bottom - self.top) * axis.fraction(value)
    }

    /// Gridlines, tick labels and the title of the value axis, for values from `min` to
    /// `max`.
    pub(super) fn value_axis(&self, svg: &mut Svg, min: f64, max: f64, scale: Scale) -> ValueAxis {
        let axis = ValueAxis::new(min, max, 5, scale);
        for &tick in &axis.ticks {
            let y = self.y(tick, &axis);
            svg.line("grid", self.left, y, self.right, y);
            svg.text(
                "tick",
                self.left - 6.0,
                y + 4.0,
                "end",
                &tick_label(tick, scale),
            );
        }
        let _ = write!(
            svg.0,
            r#"<text class="axis-title" transform="translate(12 {}) rotate(-90)" text-anchor="middle">{}</text>"#,
            num((self.top + self.bottom) / 2.0),
            escape(self.frame.y_title)
        );
        axis
    }

    /// The baseline, as many column labels as fit without overlapping, and the axis title.
    pub(super) fn label_axis(&self, svg: &mut Svg, labels: &[String]) {
        svg.line("axis", self.left, self.bottom, self.right, self.bottom);
        let band = self.band(labels.len());
        let widest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        let step = ((widest as f64 * CHAR_WIDTH + 10.0) / band).ceil().max(1.0) as usize;
        for (i, label) in labels.iter().enumerate().step_by(step) {
            let x = self.left + band * (i as f64 + 0.5);
            svg.text("tick", x, self.bottom + 16.0, "middle", label);
        }
        svg.text(
            "axis-title",
            (self.left + self.right) / 2.0,
            self.frame.height - 6.0,
            "middle",
            self.frame.x_title,
        );
    }
}

/// A value axis: its ticks, its range, and where a value falls along it.
pub(super) struct ValueAxis {
    pub(super) ticks: Vec<f64>,
    low: f64,
    high: f64,
    log: bool,
}

impl ValueAxis {
    /// Round ticks covering `min..=max`: about `target` evenly spaced ones from 0, or, on a
    /// log scale, the clock durations in range (1 min, 5 min, 15 min, 1 h, 4 h, 1 d, …).
    pub(super) fn new(min: f64, max: f64, target: usize, scale: Scale) -> ValueAxis {
        if scale == Scale::LogMinutes {
            // Steps of 3 to 7 times, so labels never crowd: 1 min … 1 h, 4 h, 1 d, 7 d …
            const TICKS: [f64; 9] = [
                1.0, 5.0, 15.0, 60.0, 240.0, 1440.0, 10080.0, 43200.0, 525_600.0,
            ];
            let low = TICKS
                .into_iter()
                .rev()
                .find(|&t| t <= min.max(1.0))
                .unwrap_or(1.0);
            let high = TICKS
                .into_iter()
                .find(|&t| t >= max && t > low)
                .unwrap_or_else(|| max.max(low * 10.0));
            let ticks = TICKS
                .into_iter()
                .filter(|&t| t >= low && t <= high)
                .collect();
            return ValueAxis {
                ticks,
                low,
                high,
                log: true,
            };
        }
        let step = match scale {
            Scale::Percent => 25.0,
            _ => nice_step(max / target as f64).max(1.0),
        };
        let high = if max <= 0.0 {
            step
        } else {
            (max / step).ceil() * step
        };
        let count = (high / step).round() as usize;
        ValueAxis {
            ticks: (0..=count).map(|i| i as f64 * step).collect(),
            low: 0.0,
            high,
            log: false,
        }
    }

    /// How far along the axis `value` lies, from 0 to 1.
    pub(super) fn fraction(&self, value: f64) -> f64 {
        let value = value.clamp(self.low, self.high);
        if self.log {
            (value.ln() - self.low.ln()) / (self.high.ln() - self.low.ln())
        } else {
            (value - self.low) / (self.high - self.low)
        }
    }
}

/// 1, 2 or 5 times a power of ten, at least `raw`.
fn nice_step(raw: f64) -> f64 {
    if raw <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|&step| step >= raw)
        .unwrap_or(10.0 * magnitude)
}

pub(super) fn tick_label(value: f64, scale: Scale) -> String {
    match scale {
        Scale::Count => num(value),
        Scale::Percent => format!("{}%", num(value)),
        Scale::LogMinutes => format_duration(TimeDelta::minutes(value as i64)),
    }
}

/// A label cut to `max` characters with an ellipsis; the tooltip keeps the whole name.
pub(super) fn truncate(text: &str, max: usize) -> String {
    // Cut at a byte offset: every timeline entry's label passes here.
    let mut chars = text.char_indices().map(|(i, _)| i);
    let cut = chars.nth(max.saturating_sub(1)).unwrap_or(text.len());
    if max == 0 || chars.next().is_none() {
        return text.to_string();
    }
    let mut short = String::with_capacity(cut + '…'.len_utf8());
    short.push_str(text[..cut].trim_end());
    short.push('…');
    short
}

/// SVG markup under construction. Elements are written straight into one string, numbers
/// and escaped text included: an incident page's timeline has dozens of elements, and
/// formatting each piece into a string of its own cost more than the rest of the chart.
pub(super) struct Svg(pub(super) String);

impl Svg {
    pub(super) fn open(frame: Frame, class: &str) -> Svg {
        Svg::open_described(frame, class, "")
    }

    /// An SVG that names the element describing it (`aria-describedby`), unless
    /// `described_by` is empty.
    pub(super) fn open_described(frame: Frame, class: &str, described_by: &str) -> Svg {
        let mut svg = Svg(String::with_capacity(4096));
        svg.push(r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart "#);
        svg.push(class);
        svg.push(r#"" viewBox="0 0 "#);
        svg.num(frame.width);
        svg.push(" ");
        svg.num(frame.height);
        svg.push(r#"" width=""#);
        svg.num(frame.width);
        svg.push(r#"" height=""#);
        svg.num(frame.height);
        svg.push(r#"" role="img""#);
        if !described_by.is_empty() {
            svg.push(r#" aria-describedby=""#);
            svg.escaped(described_by);
            svg.push("\"");
        }
        svg.push("><title>");
        svg.escaped(frame.title);
        svg.push("</title><desc>");
        svg.escaped(frame.desc);
        svg.push("</desc>");
        svg
    }

    /// Appends markup as it is.
    pub(super) fn push(&mut self, markup: &str) {
        self.0.push_str(markup);
    }

    /// Appends text, escaped.
    pub(super) fn escaped(&mut self, text: &str) {
        crate::render::escape_html_into(&mut self.0, text);
    }

    /// Appends a coordinate as [`num`] writes it.
    pub(super) fn num(&mut self, value: f64) {
        push_num(&mut self.0, value);
    }

    /// Appends ` name="value"` for a coordinate.
    fn attr(&mut self, name: &str, value: f64) {
        self.push(" ");
        self.push(name);
        self.push("=\"");
        self.num(value);
        self.push("\"");
    }

    pub(super) fn rect(
        &mut self,
        class: &str,
        x: f64,
        y: f64,
        width: f64,
        height: f64,
        tip: Option<&str>,
    ) {
        self.push(r#"<rect class=""#);
        self.escaped(class);
        self.push("\"");
        self.attr("x", x);
        self.attr("y", y);
        self.attr("width", width);
        self.attr("height", height);
        match tip {
            Some(tip) => {
                self.push("><title>");
                self.escaped(tip);
                self.push("</title></rect>");
            }
            None => self.push("/>"),
        }
    }

    pub(super) fn line(&mut self, class: &str, x1: f64, y1: f64, x2: f64, y2: f64) {
        self.push(r#"<line class=""#);
        self.push(class);
        self.push("\"");
        self.attr("x1", x1);
        self.attr("y1", y1);
        self.attr("x2", x2);
        self.attr("y2", y2);
        self.push("/>");
    }

    pub(super) fn text(&mut self, class: &str, x: f64, y: f64, anchor: &str, text: &str) {
        if text.is_empty() {
            return;
        }
        self.push(r#"<text class=""#);
        self.push(class);
        self.push("\"");
        self.attr("x", x);
        self.attr("y", y);
        self.push(r#" text-anchor=""#);
        self.push(anchor);
        self.push("\">");
        self.escaped(text);
        self.push("</text>");
    }

    pub(super) fn finish(mut self) -> String {
        self.0.push_str("</svg>");
        self.0
    }
}

/// A coordinate rounded to 0.1, without a trailing `.0`.
pub(super) fn num(value: f64) -> String {
    let mut out = String::new();
    push_num(&mut out, value);
    out
}

/// Appends `value` rounded to 0.1, without a trailing `.0`, the digits written by hand:
/// `format!` costs more than the rest of a coordinate.
pub(super) fn push_num(out: &mut String, value: f64) {
    let tenths = (value * 10.0).round();
    // Beyond 2^53 tenths are no longer exact; no chart is that wide, but stay right.
    if tenths.is_nan() || tenths.abs() >= 9.0e15 {
        let rounded = tenths / 10.0;
        let _ = if rounded.fract() == 0.0 {
            write!(out, "{}", rounded as i64)
        } else {
            write!(out, "{rounded:.1}")
        };
        return;
    }
    let tenths = tenths as i64;
    if tenths < 0 {
        out.push('-');
    }
    let tenths = tenths.unsigned_abs();
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut whole = tenths / 10;
    loop {
        at -= 1;
        digits[at] = b'0' + (whole % 10) as u8;
        whole /= 10;
        if whole == 0 {
            break;
        }
    }
    out.extend(digits[at..].iter().map(|&d| d as char));
    if !tenths.is_multiple_of(10) {
        out.push('.');
        out.push((b'0' + (tenths % 10) as u8) as char);
    }
}

pub(super) fn escape(text: &str) -> String {
    crate::render::escape_html(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_numbers() {
        let cases = [
            (0.0, Scale::Count, "0 1"),
            (3.0, Scale::Count, "0 1 2 3"),
            (7.0, Scale::Count, "0 2 4 6 8"),
            (48.0, Scale::Count, "0 10 20 30 40 50"),
            (100.0, Scale::Percent, "0% 25% 50% 75% 100%"),
        ];
        for (max, scale, expected) in cases {
            let axis = ValueAxis::new(0.0, max, 5, scale);
            let labels: Vec<String> = axis.ticks.iter().map(|&t| tick_label(t, scale)).collect();
            assert_eq!(labels.join(" "), expected, "{max} {scale:?}");
        }
        let log = ValueAxis::new(31.0, 4500.0, 5, Scale::LogMinutes);
        let labels: Vec<String> = log
            .ticks
            .iter()
            .map(|&t| tick_label(t, Scale::LogMinutes))
            .collect();
        assert_eq!(labels.join(" "), "15 min 1 h 4 h 1 d 7 d");
        assert_eq!(log.fraction(15.0), 0.0);
        assert_eq!(log.fraction(10080.0), 1.0);
        let halfway = (15.0_f64 * 10080.0).sqrt();
        assert!(
            (log.fraction(halfway) - 0.5).abs() < 1e-9,
            "halfway is the geometric mean"
        );
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.345), "12.3");
        assert_eq!(num(-0.04), "0");
        assert_eq!(num(-0.05), "-0.1");
        assert_eq!(num(-12.96), "-13");
        assert_eq!(num(706.0 - 0.04), "706");
        assert_eq!(num(1e17), "100000000000000000");
        // The digits written by hand read as `format!` writes them.
        for i in -30_000..30_000 {
            let value = i as f64 * 0.037;
            let rounded = (value * 10.0).round() / 10.0;
            let expected = if rounded.fract() == 0.0 {
                format!("{}", rounded as i64)
            } else {
                format!("{rounded:.1}")
            };
            assert_eq!(num(value), expected, "{value}");
        }
        assert_eq!(truncate("certificate-expiry-and-more", 10), "certifica…");
        assert_eq!(truncate("certifica", 10), "certifica");
        assert_eq!(truncate("certificat", 10), "certificat");
        assert_eq!(truncate("certificate", 10), "certifica…");
        assert_eq!(truncate("cert ficate", 6), "cert…");
        assert_eq!(truncate("éèêëēėęe", 5), "éèêë…");
        assert_eq!(truncate("", 3), "");
    }
}
