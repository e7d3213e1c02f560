//! The sections of a rendered body: each heading's level and words, and the text under it
//! (its subsections' text included, their headings not), as the quality checklist reads
//! them.
//!
//! Read from the body's HTML, which the incident keeps, rather than from the Markdown,
//! which it does not: headings are `<h1>`..`<h6>` there, code is escaped, and the text is
//! what a reader sees. The renderer records where each heading's words are in the body's
//! plain text when that text holds the same words ([`Spans`]), and then no HTML is read.

use std::borrow::Cow;

use crate::model::incident::HeadingSpan;

/// One heading of the body and the text under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Section {
    pub(super) level: u8,
    /// The heading's words, lowercased, separated by single spaces, with a leading
    /// number ("3. Root cause") dropped: `root cause`.
    pub(super) heading: String,
    /// The text under the heading up to the next heading of the same or a higher level,
    /// whitespace collapsed; subsections' headings are left out.
    pub(super) text: String,
}

/// The sections of a body read from its plain text and heading spans
/// ([`Rendered::sections`](crate::model::incident::Rendered::sections)): the same headings
/// and words as [`sections`] reads from the HTML, without parsing it.
pub(super) struct Spans<'a> {
    pub(super) plain: &'a str,
    pub(super) spans: &'a [HeadingSpan],
}

impl<'a> Spans<'a> {
    /// The words of the `i`th heading, as [`Section::heading`].
    pub(super) fn heading(&self, i: usize) -> String {
        let span = self.spans[i];
        words(self.slice(span.start, span.end))
    }

    /// The text under the `i`th heading, its subsections' text included: the words of
    /// [`Section::text`], perhaps apart differently.
    pub(super) fn text(&self, i: usize) -> Cow<'a, str> {
        let level = self.spans[i].level;
        let mut parts = self.spans[i..]
            .iter()
            .enumerate()
            .take_while(|&(n, span)| n == 0 || span.level > level)
            .map(|(n, span)| {
                let next = self
                    .spans
                    .get(i + n + 1)
                    .map_or(self.plain.len(), |s| s.start as usize);
                self.slice(span.end, next as u32).trim()
            })
            .filter(|part| !part.is_empty());
        let Some(first) = parts.next() else {
            return Cow::Borrowed("");
        };
        match parts.next() {
            None => Cow::Borrowed(first),
            Some(second) => {
                let mut text = format!("{first} {second}");
                for part in parts {
                    text.push(' ');
                    text.push_str(part);
                }
                Cow::Owned(text)
            }
        }
    }

    /// `plain[start..end]`, or nothing if that is not a slice of it.
    fn slice(&self, start: u32, end: u32) -> &'a str {
        self.plain.get(start as usize..end as usize).unwrap_or("")
    }
}

/// A heading as found in the HTML, with the text that follows it up to the next heading.
struct Block {
    level: u8,
    heading: String,
    own_text: String,
}

/// The sections of `html`, in document order.
pub(super) fn sections(html: &str) -> Vec<Section> {
    let blocks = blocks(html);
    (0..blocks.len())
        .map(|i| {
            let block = &blocks[i];
            let mut text = block.own_text.clone();
            for inner in blocks[i + 1..]
                .iter()
                .take_while(|inner| inner.level > block.level)
            {
                push_words(&mut text, &inner.own_text);
            }
            Section {
                level: block.level,
                heading: words(&block.heading),
                text,
            }
        })
        .collect()
}

/// The headings of `html` and the text after each.
fn blocks(html: &str) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut rest = html;
    while let Some((start, level)) = next_heading(rest) {
        if let Some(block) = blocks.last_mut() {
            block.own_text = plain(&rest[..start]);
        }
        let after = &rest[start..];
        let close = format!("</h{level}>");
        let (inner, next) = match after.find(&close) {
            Some(end) => (&after[..end], &after[end + close.len()..]),
            None => (after, ""),
        };
        let inner = inner.split_once('>').map_or("", |(_, inner)| inner);
        blocks.push(Block {
            level,
            heading: plain(&without_anchor(inner)),
            own_text: String::new(),
        });
        rest = next;
    }
    if let Some(block) = blocks.last_mut() {
        block.own_text = plain(rest);
    }
    blocks
}

/// The byte offset and level of the next `<h1>`..`<h6>` tag.
fn next_heading(html: &str) -> Option<(usize, u8)> {
    let mut from = 0;
    while let Some(found) = html[from..].find("<h") {
        let at = from + found;
        let bytes = html.as_bytes();
        let level = bytes.get(at + 2).copied().unwrap_or(0);
        let after = bytes.get(at + 3).copied().unwrap_or(0);
        if (b'1'..=b'6').contains(&level) && (after == b'>' || after == b' ') {
            return Some((at, level - b'0'));
        }
        from = at + 2;
    }
    None
}

/// A heading's inner HTML without the "#" link the renderer adds to it.
fn without_anchor(inner: &str) -> String {
    match inner.find("<a class=\"heading-anchor\"") {
        Some(start) => {
            let end = inner[start..]
                .find("</a>")
                .map_or(inner.len(), |end| start + end + 4);
            format!("{}{}", &inner[..start], &inner[end..])
        }
        None => inner.to_string(),
    }
}

/// The text of an HTML fragment: tags and comments removed, the entities the renderer
/// writes decoded, whitespace collapsed.
pub(super) fn plain(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        text.push_str(&rest[..start]);
        text.push(' ');
        let tail = &rest[start..];
        let end = if tail.starts_with("<!--") {
            tail.find("-->").map(|e| e + 3)
        } else {
            tail.find('>').map(|e| e + 1)
        };
        rest = &tail[end.unwrap_or(tail.len())..];
    }
    text.push_str(rest);
    let decoded = decode(&text);
    // An escaped comment (raw HTML not allowed) is still a template's hint, not text.
    let decoded = strip_comments(&decoded);
    let mut out = String::new();
    push_words(&mut out, &decoded);
    out
}

fn decode(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn strip_comments(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        rest = tail.find("-->").map_or("", |end| &tail[end + 3..]);
    }
    out.push_str(rest);
    out
}

/// Appends `text`'s whitespace-separated words to `out`, one space between words.
fn push_words(out: &mut String, text: &str) {
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
}

/// Letters and digits in lowercase words, one space apart, a leading number dropped:
/// "3. Root-Cause (RCA)" is `root cause rca`.
pub(super) fn words(text: &str) -> String {
    match text.is_ascii() {
        true => ascii_words(text),
        false => unicode_words(text),
    }
}

/// [`words`] of any text: lowercased as `str::to_lowercase` does, split at every `char`
/// that is not alphanumeric.
pub(super) fn unicode_words(text: &str) -> String {
    let lowered = text.to_lowercase();
    unnumbered(lowered.split(|c: char| !c.is_alphanumeric()), lowered.len())
}

/// [`words`] of ASCII `text`, where lowercasing and telling letters and digits apart are
/// ASCII's own: in one string, without lowercasing the text first (most headings).
pub(super) fn ascii_words(text: &str) -> String {
    let mut out = unnumbered(text.split(|c: char| !c.is_ascii_alphanumeric()), text.len());
    out.make_ascii_lowercase();
    out
}

/// The words among `parts` (empty ones left out) one space apart, a leading number left
/// out; `capacity` bytes reserved.
fn unnumbered<'a>(parts: impl Iterator<Item = &'a str>, capacity: usize) -> String {
    let mut parts = parts.filter(|w| !w.is_empty()).peekable();
    if parts
        .peek()
        .is_some_and(|w| w.bytes().all(|b| b.is_ascii_digit()))
    {
        parts.next();
    }
    let mut out = String::with_capacity(capacity);
    for word in parts {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}
