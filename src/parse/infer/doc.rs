//! A light, line-by-line reading of a Markdown body: headings, list items, table rows and
//! label lines ("Impact: ..."), with fenced code left out, each with its line number in
//! the whole file.
//!
//! Inference and the content lints need where things are written, which the HTML renderer
//! does not keep, and only the block structure, which a line scan gives at a fraction of
//! the cost of a second Markdown parse. Indented code blocks, HTML blocks and lazy
//! continuation lines are not told apart from text: nothing read from them matters.

/// What one line of the body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineKind<'a> {
    Blank,
    /// A fence line or a line inside fenced code.
    Code,
    Heading {
        level: u8,
        text: &'a str,
    },
    /// A list item; `checked` is set for task-list items ("- [x] ...").
    Item {
        indent: usize,
        text: &'a str,
        checked: Option<bool>,
    },
    /// A table row; the header row is the one above the `|---|` rule.
    Row {
        header: bool,
    },
    /// A table's `|---|---|` line, or a setext underline.
    Rule,
    Text {
        indent: usize,
        text: &'a str,
    },
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Line<'a> {
    /// 1-based, in the whole file.
    pub(crate) number: u32,
    pub(crate) raw: &'a str,
    pub(crate) kind: LineKind<'a>,
}

impl<'a> Line<'a> {
    /// The 1-based column, in characters, of `part`, which must be a slice of this line.
    pub(crate) fn col_of(&self, part: &str) -> u32 {
        let offset = (part.as_ptr() as usize).saturating_sub(self.raw.as_ptr() as usize);
        let offset = offset.min(self.raw.len());
        self.raw[..self.raw.floor_char_boundary(offset)]
            .chars()
            .count() as u32
            + 1
    }

    /// The cells of a table row, trimmed, without the outer pipes.
    pub(crate) fn cells(&self) -> Vec<&'a str> {
        let row = self.raw.trim();
        let row = row.strip_prefix('|').unwrap_or(row);
        let row = row.strip_suffix('|').unwrap_or(row);
        row.split('|').map(str::trim).collect()
    }
}

/// The lines of a body.
#[derive(Debug, Clone)]
pub(crate) struct Doc<'a> {
    pub(crate) lines: Vec<Line<'a>>,
}

fn indent_of(line: &str) -> usize {
    let mut width = 0;
    for c in line.chars() {
        match c {
            ' ' => width += 1,
            '\t' => width += 4 - width % 4,
            _ => break,
        }
    }
    width
}

/// "```" or "~~~" (three or more) opening a fence, as (char, length).
fn fence(line: &str) -> Option<(char, usize)> {
    if indent_of(line) > 3 {
        return None;
    }
    let trimmed = line.trim_start();
    let c = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let run = trimmed.chars().take_while(|x| *x == c).count();
    (run >= 3).then_some((c, run))
}

fn heading(line: &str) -> Option<(u8, &str)> {
    if indent_of(line) > 3 {
        return None;
    }
    let trimmed = line.trim_start();
    let hashes = trimmed.bytes().take_while(|b| *b == b'#').count();
    if hashes == 0 || hashes > 6 {
        return None;
    }
    let rest = &trimmed[hashes..];
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    // A closing run of `#` goes, but only when a space separates it from the text.
    let mut text = rest.trim();
    let without = text.trim_end_matches('#');
    if without.is_empty() || without.ends_with([' ', '\t']) {
        text = without.trim_end();
    }
    Some((hashes as u8, text))
}

fn item(line: &str) -> Option<(usize, &str, Option<bool>)> {
    let indent = indent_of(line);
    let trimmed = line.trim_start();
    let after = if let Some(rest) = trimmed.strip_prefix(['-', '*', '+']) {
        rest
    } else {
        let digits = trimmed.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 9 {
            return None;
        }
        trimmed[digits..].strip_prefix(['.', ')'])?
    };
    if !(after.is_empty() || after.starts_with([' ', '\t'])) {
        return None;
    }
    let text = after.trim();
    // "- [ ] task" and "- [x] task"
    let (checked, text) = match text.get(..3) {
        Some("[ ]") => (Some(false), text[3..].trim_start()),
        Some("[x]") | Some("[X]") => (Some(true), text[3..].trim_start()),
        _ => (None, text),
    };
    Some((indent, text, checked))
}

fn is_table_rule(line: &str) -> bool {
    let trimmed = line.trim();
    trimmed.contains('-')
        && trimmed.contains(['|', ':'])
        && trimmed
            .chars()
            .all(|c| matches!(c, '|' | '-' | ':' | ' ' | '\t'))
}

impl<'a> Doc<'a> {
    /// Reads `body`, whose first line is line `first_line` of the file.
    pub(crate) fn parse(body: &'a str, first_line: u32) -> Doc<'a> {
        let mut lines: Vec<Line<'a>> = Vec::with_capacity(body.len() / 40 + 1);
        let mut open_fence: Option<(char, usize)> = None;
        let mut in_table = false;
        for (i, raw) in body.lines().enumerate() {
            let number = first_line + i as u32;
            // Each kind of line starts with its own character, so one look at the first
            // one spares most lines every other test (this runs on every file of a build).
            let trimmed = raw.trim_start();
            let first = trimmed.as_bytes().first().copied();
            let fenced = matches!(first, Some(b'`' | b'~'));
            let kind = if let Some((c, len)) = open_fence {
                if fenced
                    && fence(raw).is_some_and(|(d, n)| {
                        d == c && n >= len && raw.trim().chars().all(|x| x == c)
                    })
                {
                    open_fence = None;
                }
                LineKind::Code
            } else if let Some(found) = fenced.then(|| fence(raw)).flatten() {
                open_fence = Some(found);
                LineKind::Code
            } else if trimmed.is_empty() {
                in_table = false;
                LineKind::Blank
            } else if let Some((level, text)) =
                (first == Some(b'#')).then(|| heading(raw)).flatten()
            {
                in_table = false;
                LineKind::Heading { level, text }
            } else if matches!(first, Some(b'|' | b'-' | b':'))
                && is_table_rule(raw)
                && lines.last().is_some_and(|l| {
                    l.raw.contains('|')
                        && matches!(l.kind, LineKind::Text { .. } | LineKind::Item { .. })
                })
            {
                if let Some(last) = lines.last_mut() {
                    last.kind = LineKind::Row { header: true };
                }
                in_table = true;
                LineKind::Rule
            } else if in_table && raw.contains('|') {
                LineKind::Row { header: false }
            } else if let Some(setext) = matches!(first, Some(b'=' | b'-'))
                .then(|| setext(raw, lines.last()))
                .flatten()
            {
                if let Some(last) = lines.last_mut() {
                    last.kind = LineKind::Heading {
                        level: setext,
                        text: last.raw.trim(),
                    };
                }
                LineKind::Rule
            } else if let Some((indent, text, checked)) =
                matches!(first, Some(b'-' | b'*' | b'+' | b'0'..=b'9'))
                    .then(|| item(raw))
                    .flatten()
            {
                in_table = false;
                LineKind::Item {
                    indent,
                    text,
                    checked,
                }
            } else {
                LineKind::Text {
                    indent: indent_of(raw),
                    text: trimmed.trim_end(),
                }
            };
            lines.push(Line { number, raw, kind });
        }
        Doc { lines }
    }

    /// The section under the first ATX heading ("## Timeline") whose text is `named`, with
    /// the heading as its first line, read without reading the rest of the body: a lint
    /// that needs one section of every file of a build pays for that section only.
    /// Setext headings are not seen; callers that care fall back to [`Doc::parse`].
    pub(crate) fn section_named(
        body: &'a str,
        first_line: u32,
        named: impl Fn(&str) -> bool,
    ) -> Option<Doc<'a>> {
        let mut open_fence: Option<(char, usize)> = None;
        let mut offset = 0;
        let mut found: Option<(usize, u32, u8)> = None;
        for (i, raw) in body.split_inclusive('\n').enumerate() {
            let start = offset;
            offset += raw.len();
            let line = raw.trim_end_matches(['\n', '\r']);
            match line.trim_start().as_bytes().first() {
                Some(b'`' | b'~') => {
                    if let Some((c, len)) = fence(line) {
                        open_fence = match open_fence {
                            None => Some((c, len)),
                            Some((d, n)) if d == c && len >= n => None,
                            other => other,
                        };
                    }
                }
                Some(b'#') if open_fence.is_none() => {
                    let Some((level, text)) = heading(line) else {
                        continue;
                    };
                    match found {
                        Some((from, number, opened)) if level <= opened => {
                            return Some(Doc::parse(&body[from..start], number));
                        }
                        None if named(text) => {
                            found = Some((start, first_line + i as u32, level));
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        let (from, number, _) = found?;
        Some(Doc::parse(&body[from..], number))
    }

    /// The lines under heading `at` up to the next heading of the same or a higher level.
    pub(crate) fn section(&self, at: usize) -> &[Line<'a>] {
        let LineKind::Heading { level, .. } = self.lines[at].kind else {
            return &[];
        };
        let end = self.lines[at + 1..]
            .iter()
            .position(
                |l| matches!(l.kind, LineKind::Heading { level: other, .. } if other <= level),
            )
            .map_or(self.lines.len(), |p| at + 1 + p);
        &self.lines[at + 1..end]
    }

    /// The lines nested under item `at` (more indented, up to the next item at its level
    /// or a heading), for "- Tasks:" followed by an indented list.
    pub(crate) fn children(&self, at: usize) -> &[Line<'a>] {
        let LineKind::Item { indent, .. } = self.lines[at].kind else {
            return &[];
        };
        let end = self.lines[at + 1..]
            .iter()
            .position(|l| match l.kind {
                LineKind::Heading { .. } => true,
                LineKind::Blank => false,
                _ => indent_of(l.raw) <= indent,
            })
            .map_or(self.lines.len(), |p| at + 1 + p);
        let mut children = &self.lines[at + 1..end];
        while let [rest @ .., last] = children
            && last.kind == LineKind::Blank
        {
            children = rest;
        }
        children
    }
}

/// `===` or `---` under a paragraph line makes that line a heading of level 1 or 2.
fn setext(raw: &str, previous: Option<&Line<'_>>) -> Option<u8> {
    let previous = previous?;
    if !matches!(previous.kind, LineKind::Text { indent, .. } if indent < 4) {
        return None;
    }
    let trimmed = raw.trim();
    if !trimmed.is_empty() && trimmed.chars().all(|c| c == '=') {
        Some(1)
    } else if trimmed.len() >= 2 && trimmed.chars().all(|c| c == '-') {
        Some(2)
    } else {
        None
    }
}

/// A label line: "Duration: ...", "**Impact:** ...", "_Root cause_: ...". Returns the
/// label in lowercase with emphasis removed, and the value after the colon (possibly
/// empty, as in "- Tasks:" before a nested list).
pub(crate) fn label(text: &str) -> Option<(String, &str)> {
    let colon = text.find(':')?;
    let (head, value) = (&text[..colon], &text[colon + 1..]);
    let name: String = head
        .chars()
        .filter(|c| !matches!(c, '*' | '_' | '`'))
        .collect();
    let name = name.trim();
    if name.is_empty()
        || name.len() > 40
        || !name.starts_with(|c: char| c.is_alphabetic())
        || !name
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, ' ' | '/' | '-' | '(' | ')' | '&' | '\''))
    {
        return None;
    }
    let value = value.trim_start_matches(['*', '_']).trim();
    // "See https://..." is a sentence with a link, not a label.
    if value.starts_with("//") {
        return None;
    }
    Some((
        name.to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        value,
    ))
}

/// Heading or label text reduced for matching: lowercase words, no punctuation.
pub(crate) fn words(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_of_lines() {
        let body = "# Title\n\n- Tasks:\n  1. Do it\n  2. [x] Done\n\n| Time | Event |\n|---|---|\n| 09:00 | x |\n\n```\n# not a heading\n```\nSetext\n---\n";
        let doc = Doc::parse(body, 5);
        let kinds: Vec<String> = doc
            .lines
            .iter()
            .map(|l| match l.kind {
                LineKind::Heading { level, text } => format!("{}:h{level} {text}", l.number),
                LineKind::Item {
                    indent,
                    text,
                    checked,
                } => {
                    format!("{}:item{indent} {text} {checked:?}", l.number)
                }
                LineKind::Row { header } => format!("{}:row {header}", l.number),
                other => format!("{}:{other:?}", l.number)
                    .split(' ')
                    .next()
                    .unwrap_or("")
                    .to_string(),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "5:h1 Title",
                "6:Blank",
                "7:item0 Tasks: None",
                "8:item2 Do it None",
                "9:item2 Done Some(true)",
                "10:Blank",
                "11:row true",
                "12:Rule",
                "13:row false",
                "14:Blank",
                "15:Code",
                "16:Code",
                "17:Code",
                "18:h2 Setext",
                "19:Rule",
            ]
        );
        assert_eq!(doc.children(2).len(), 2);
        assert_eq!(doc.lines[6].cells(), ["Time", "Event"]);
    }

    #[test]
    fn labels() {
        for (text, expected) in [
            ("Duration: 5 minutes", Some(("duration", "5 minutes"))),
            ("**Root Cause:** a cache", Some(("root cause", "a cache"))),
            (
                "**Time to detection**: 5 min",
                Some(("time to detection", "5 min")),
            ),
            ("Tasks:", Some(("tasks", ""))),
            ("9:00 AM (UTC): detected", None),
            ("See https://example.com", None),
        ] {
            let got = label(text);
            assert_eq!(
                got.as_ref().map(|(l, v)| (l.as_str(), *v)),
                expected,
                "{text:?}"
            );
        }
    }
}
