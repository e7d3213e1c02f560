//! The compact encodings of the search index, and the one way data reaches a `.js` file.
//!
//! A *doc set* (the incidents holding a term, or a facet value) is an ascending list of
//! incident positions written as text, in one of three forms, whichever is shortest:
//! - gaps: each position minus the previous one (the first minus -1) as a little-endian
//!   varint of base64url digits carrying 5 bits each, the sixth bit (32) meaning "more
//!   digits follow". A term in one incident of 20 costs one character per incident;
//! - bitmap: `~` then one base64url digit per 6 incidents, bit `k` of digit `j` meaning
//!   position `6j + k`. A term in every incident costs N/6 characters;
//! - runs: `!` then, per stretch of consecutive positions, two varints: the gap from the
//!   end of the stretch before (the first from -1) to its first position, and its length
//!   minus one. A year's incidents, which are consecutive, cost a few characters.
//!
//! The incidents' start days (`meta.js` `days`) are runs too: per stretch of equal days,
//! the day minus the day before (the first minus 0) as a zigzag varint, then the
//! stretch's length minus one. Incidents are sorted by start, so at 100,000 incidents
//! that is a few characters per calendar day, not three per incident.
//!
//! `search.js` decodes these forms (`decodeSet`, `decodeDays`). Text that is not base64url goes through
//! [`js_string`], which escapes what could end a `<script>` element or a JavaScript
//! string, so no title can break out of a shard.

/// The base64url digits, value 0 to 63.
pub(crate) const DIGITS_TEXT: &str =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const DIGITS: &[u8] = DIGITS_TEXT.as_bytes();

/// Appends the shortest encoding of `positions` (ascending, each below `universe`); on a
/// tie, gaps before a bitmap before runs.
pub(crate) fn push_set(out: &mut String, positions: &[u32], universe: u32) {
    let bitmap_len = 1 + universe.div_ceil(6) as usize;
    let gaps_len = gaps_len(positions);
    let runs_len = 1 + runs(positions).map(run_len).sum::<usize>();
    if gaps_len <= bitmap_len && gaps_len <= runs_len {
        let mut previous: i64 = -1;
        for &position in positions {
            push_varint(out, (i64::from(position) - previous) as u64);
            previous = i64::from(position);
        }
    } else if bitmap_len <= runs_len {
        push_bitmap(out, positions, universe);
    } else {
        out.push('!');
        for run in runs(positions) {
            push_varint(out, u64::from(run.0));
            push_varint(out, u64::from(run.1));
        }
    }
}

/// The stretches of consecutive `positions`, as (gap from the end of the stretch before,
/// the first from -1; length minus one).
fn runs(positions: &[u32]) -> impl Iterator<Item = (u32, u32)> + '_ {
    let mut previous_end: i64 = -1;
    let mut i = 0;
    std::iter::from_fn(move || {
        let start = *positions.get(i)?;
        let mut end = start;
        i += 1;
        while positions.get(i) == Some(&(end + 1)) {
            end += 1;
            i += 1;
        }
        let gap = (i64::from(start) - previous_end) as u32;
        previous_end = i64::from(end);
        Some((gap, end - start))
    })
}

fn run_len(run: (u32, u32)) -> usize {
    varint_len(u64::from(run.0)) + varint_len(u64::from(run.1))
}

/// The digits `push_varint` writes for `value`.
fn varint_len(mut value: u64) -> usize {
    let mut len = 1;
    while value >= 32 {
        value >>= 5;
        len += 1;
    }
    len
}

/// The length of the gap form of `positions`.
fn gaps_len(positions: &[u32]) -> usize {
    let mut previous: i64 = -1;
    let mut len = 0;
    for &position in positions {
        len += varint_len((i64::from(position) - previous) as u64);
        previous = i64::from(position);
    }
    len
}

fn push_bitmap(out: &mut String, positions: &[u32], universe: u32) {
    out.push('~');
    let mut digits = vec![0u8; universe.div_ceil(6) as usize];
    for &position in positions {
        digits[(position / 6) as usize] |= 1 << (position % 6);
    }
    out.extend(digits.iter().map(|&d| DIGITS[usize::from(d)] as char));
}

/// Appends `value` as a varint of 5-bit digits, least significant first.
pub(crate) fn push_varint(out: &mut String, mut value: u64) {
    loop {
        let low = (value & 31) as usize;
        value >>= 5;
        if value == 0 {
            out.push(DIGITS[low] as char);
            return;
        }
        out.push(DIGITS[low | 32] as char);
    }
}

/// Appends one day number per incident as runs of equal days (see the module's
/// documentation).
pub(crate) fn push_days(out: &mut String, days: &[u32]) {
    let mut previous = 0i64;
    let mut i = 0;
    while let Some(&day) = days.get(i) {
        let length = days[i..].iter().take_while(|&&d| d == day).count();
        let delta = i64::from(day) - previous;
        // Zigzag: 0, -1, 1, -2, 2, ... as 0, 1, 2, 3, 4, ...
        push_varint(out, ((delta << 1) ^ (delta >> 63)) as u64);
        push_varint(out, (length - 1) as u64);
        previous = i64::from(day);
        i += length;
    }
}

/// Reads what [`push_days`] wrote, as `search.js` does.
pub(crate) fn decode_days(text: &str) -> Vec<u32> {
    let values = decode_varints(text);
    let mut days = Vec::new();
    let mut previous = 0i64;
    for pair in values.chunks(2) {
        let zigzag = pair[0];
        previous += (zigzag >> 1) as i64 ^ -((zigzag & 1) as i64);
        let length = pair.get(1).map_or(1, |&l| l + 1);
        days.extend(std::iter::repeat_n(previous as u32, length as usize));
    }
    days
}

/// The varints of `text`, in order.
fn decode_varints(text: &str) -> Vec<u64> {
    let mut out = Vec::new();
    let (mut value, mut shift) = (0u64, 0u32);
    for digit in text.bytes() {
        let digit = u64::from(digit_value(digit));
        value |= (digit & 31) << shift.min(60);
        shift += 5;
        if digit < 32 {
            out.push(value);
            (value, shift) = (0, 0);
        }
    }
    out
}

/// Appends `text` as a JavaScript string literal (JSON-compatible) that is also safe
/// inside an HTML `<script>` element: `<`, `>` and `&` are written as `\u003c` and so
/// on, and so are U+2028 and U+2029, which older engines take for line ends.
pub(crate) fn js_string(out: &mut String, text: &str) {
    out.reserve(text.len() + 2);
    out.push('"');
    // Copy runs of plain text whole; most text has nothing to escape.
    let bytes = text.as_bytes();
    let mut plain_from = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape = match b {
            b'"' | b'\\' | b'<' | b'>' | b'&' | 0..=0x1f | 0x7f => true,
            // U+2028 and U+2029 are E2 80 A8 and E2 80 A9.
            0xe2 => {
                bytes.get(i + 1) == Some(&0x80) && matches!(bytes.get(i + 2), Some(0xa8 | 0xa9))
            }
            _ => false,
        };
        if !escape {
            continue;
        }
        out.push_str(&text[plain_from..i]);
        let c = text[i..].chars().next().unwrap_or_default();
        plain_from = i + c.len_utf8();
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
        }
    }
    out.push_str(&text[plain_from..]);
    out.push('"');
}

/// The value of one base64url digit (0 for a byte that is not one).
pub(crate) fn digit_value(digit: u8) -> u32 {
    match digit {
        b'A'..=b'Z' => u32::from(digit - b'A'),
        b'a'..=b'z' => u32::from(digit - b'a') + 26,
        b'0'..=b'9' => u32::from(digit - b'0') + 52,
        b'-' => 62,
        b'_' => 63,
        _ => 0,
    }
}

/// Decodes a doc set, as `search.js` does: the reader the Rust reference search uses.
pub(crate) fn decode_set(text: &str, universe: u32) -> Vec<u32> {
    if let Some(runs) = text.strip_prefix('!') {
        let mut out = Vec::new();
        let mut previous_end = -1i64;
        for pair in decode_varints(runs).chunks(2) {
            let start = previous_end + pair[0] as i64;
            let end = start + pair.get(1).copied().unwrap_or(0) as i64;
            out.extend((start..=end).filter_map(|p| u32::try_from(p).ok()));
            previous_end = end;
        }
        out.retain(|&p| p < universe);
        return out;
    }
    if let Some(bits) = text.strip_prefix('~') {
        let mut out = Vec::new();
        for (j, digit) in bits.bytes().enumerate() {
            let value = digit_value(digit);
            for k in 0..6 {
                let position = (j * 6 + k) as u32;
                if value & (1 << k) != 0 && position < universe {
                    out.push(position);
                }
            }
        }
        return out;
    }
    let mut previous = -1i64;
    decode_varints(text)
        .into_iter()
        .map(|gap| {
            previous += gap as i64;
            previous as u32
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(positions: &[u32], universe: u32) -> String {
        let mut out = String::new();
        push_set(&mut out, positions, universe);
        out
    }

    #[test]
    fn sets_round_trip_in_the_shorter_form() {
        for (positions, universe, expect) in [
            (vec![], 10, ""),
            (vec![0], 10, "B"),
            (vec![0, 1, 2], 1000, "BBB"),
            (vec![30], 1000, "f"),
            (vec![31], 1000, "gB"),
            (vec![32], 1000, "hB"),
            (vec![5, 2000], 10_000, "Gr-B"),
        ] {
            let encoded = set(&positions, universe);
            assert_eq!(encoded, expect, "{positions:?}");
            assert_eq!(decode_set(&encoded, universe), positions);
        }
        // Every other position of 600: gaps of 2 would take 300 digits, a bitmap 101.
        let dense: Vec<u32> = (0..600).step_by(2).collect();
        let encoded = set(&dense, 600);
        assert!(
            encoded.starts_with('~') && encoded.len() == 101,
            "{encoded}"
        );
        assert_eq!(decode_set(&encoded, 600), dense);
        // Every position is one stretch: `!`, the gap 1, and 9,999 in three digits.
        let all: Vec<u32> = (0..10_000).collect();
        assert_eq!(set(&all, 10_000).len(), 5);
        assert_eq!(decode_set(&set(&all, 10_000), 10_000), all);
    }

    #[test]
    fn stretches_of_consecutive_positions_take_a_few_digits() {
        // A year's 2,000 incidents in a row: the gap to the first, then the length - 1.
        let year: Vec<u32> = (3000..5000).collect();
        let encoded = set(&year, 10_000);
        assert_eq!(encoded, "!59Cv-B");
        assert_eq!(decode_set(&encoded, 10_000), year);
        // Two stretches, 0 to 9 and 40 to 41.
        let two = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 40, 41];
        assert_eq!(set(&two, 100), "!BJfB");
        assert_eq!(decode_set("!BJfB", 100), two);
        // Scattered positions stay gaps.
        assert_eq!(set(&[0, 2, 4], 1000), "BCC");
    }

    #[test]
    fn days_are_runs_of_equal_days() {
        let days = [
            45_000, 45_000, 45_000, 44_998, 44_998, 45_010, 262_143, 262_143,
        ];
        let mut out = String::new();
        push_days(&mut out, &days);
        assert_eq!(decode_days(&out), days);
        // The first day costs a few digits; each later stretch two (a step of -2 is 3
        // in zigzag, a step of +12 is 24).
        assert!(out.contains("DBYA"), "{out}");
        assert!(decode_days("").is_empty());
    }

    #[test]
    fn strings_cannot_break_out_of_a_script() {
        let mut out = String::new();
        js_string(
            &mut out,
            "</script><script>alert(\"x\")</script> & 'q' \\ \u{2028}\n",
        );
        assert_eq!(
            out,
            r#""\u003c/script\u003e\u003cscript\u003ealert(\"x\")\u003c/script\u003e \u0026 'q' \\ \u2028\n""#
        );
        // And it is still JSON that means the same text.
        let back: String = serde_json::from_str(&out).unwrap();
        assert!(back.starts_with("</script>"));
    }
}
