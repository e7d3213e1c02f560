//! The compact encodings of the search index, and the one way data reaches a `.js` file.
//!
//! A *doc set* (the incidents holding a term, or a facet value) is an ascending list of
//! incident positions written as text, in one of two forms, whichever is shorter:
//! - gaps: each position minus the previous one (the first minus -1) as a little-endian
//!   varint of base64url digits carrying 5 bits each, the sixth bit (32) meaning "more
//!   digits follow". A term in one incident of 20 costs one character per incident;
//! - bitmap: `~` then one base64url digit per 6 incidents, bit `k` of digit `j` meaning
//!   position `6j + k`. A term in every incident costs N/6 characters.
//!
//! `search.js` decodes both (`decodeSet`). Text that is not base64url goes through
//! [`js_string`], which escapes what could end a `<script>` element or a JavaScript
//! string, so no title can break out of a shard.

/// The base64url digits, value 0 to 63.
pub(crate) const DIGITS_TEXT: &str =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const DIGITS: &[u8] = DIGITS_TEXT.as_bytes();

/// Appends the shorter encoding of `positions` (ascending, each below `universe`).
pub(crate) fn push_set(out: &mut String, positions: &[u32], universe: u32) {
    let bitmap_len = 1 + universe.div_ceil(6) as usize;
    let gaps_len = gaps_len(positions);
    if bitmap_len < gaps_len {
        push_bitmap(out, positions, universe);
    } else {
        let mut previous: i64 = -1;
        for &position in positions {
            push_varint(out, (i64::from(position) - previous) as u64);
            previous = i64::from(position);
        }
    }
}

/// The length of the gap form of `positions`.
fn gaps_len(positions: &[u32]) -> usize {
    let mut previous: i64 = -1;
    let mut len = 0;
    for &position in positions {
        let mut gap = (i64::from(position) - previous) as u64;
        previous = i64::from(position);
        len += 1;
        while gap >= 32 {
            gap >>= 5;
            len += 1;
        }
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

/// Appends `value` as exactly `width` base64url digits, most significant first; values
/// that do not fit are clamped to the largest, which readers treat as "none".
pub(crate) fn push_fixed(out: &mut String, value: u32, width: u32) {
    let max = (1u32 << (6 * width)) - 1;
    let value = value.min(max);
    for shift in (0..width).rev() {
        out.push(DIGITS[((value >> (6 * shift)) & 63) as usize] as char);
    }
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
    let mut out = Vec::new();
    let (mut previous, mut gap, mut shift) = (-1i64, 0u64, 0u32);
    for digit in text.bytes() {
        let value = u64::from(digit_value(digit));
        gap |= (value & 31) << shift.min(60);
        shift += 5;
        if value < 32 {
            previous += gap as i64;
            out.push(previous as u32);
            (gap, shift) = (0, 0);
        }
    }
    out
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
        let all: Vec<u32> = (0..10_000).collect();
        assert_eq!(set(&all, 10_000).len(), 1 + 1667);
        assert_eq!(decode_set(&set(&all, 10_000), 10_000), all);
    }

    #[test]
    fn fixed_width() {
        let mut out = String::new();
        push_fixed(&mut out, 0, 3);
        push_fixed(&mut out, 64 * 64 + 1, 3);
        push_fixed(&mut out, u32::MAX, 3);
        assert_eq!(out, "AAABAB___");
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
