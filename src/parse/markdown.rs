//! Renders the Markdown body of a postmortem into HTML that is safe to publish.
//!
//! Postmortems are written by many people and end up on a shared site, so the output must never
//! carry executable content unless the site owner opts in: raw HTML is escaped by default and
//! script-bearing URLs are neutralised. Alongside the HTML the renderer returns what the rest of
//! the pipeline needs from the same pass: a table of contents with stable, unique heading ids,
//! the first heading, and a plain-text version for search indexes and snippets.

use std::collections::HashSet;
use std::fmt::Write as _;

use percent_encoding::percent_decode_str;
use pulldown_cmark::{CowStr, Event, HeadingLevel, OffsetIter, Options, Parser, Tag, TagEnd, html};
use serde::Serialize;

use crate::model::incident::{Controls, HeadingSpan, Rendered, TocEntry};
use crate::model::link;

/// Knobs that change how a document is rendered.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MarkdownOptions {
    /// Pass raw HTML (and custom heading attributes) through instead of escaping or dropping it.
    pub allow_raw_html: bool,
    /// The folder of the document relative to the site root (`content/2024`). When set,
    /// relative links to other Markdown files become [`SOURCE_LINK_PREFIX`] links naming
    /// the target's path from the site root, for the caller to resolve to page URLs once
    /// every incident's slug is known.
    pub source_dir: Option<String>,
}

/// Marks a link to another Markdown file: `hindsight-source:content/2024/x.md#timeline`.
pub const SOURCE_LINK_PREFIX: &str = "hindsight-source:";

/// The site-root-relative path a link to another Markdown file points at, with its
/// fragment, or `None` when the link is not a relative link to a `.md` file.
fn source_link(source_dir: &str, dest: &str) -> Option<String> {
    let (path, fragment) = link_target(source_dir, dest)?;
    Some(format!("{SOURCE_LINK_PREFIX}{path}{fragment}"))
}

/// Splits a relative link to a Markdown file into the target's path from the site root
/// (`content/2023/a.md`, still percent-encoded as written) and its `#fragment`; `None` for
/// any other link, or one that climbs above the site root.
pub(crate) fn link_target<'d>(source_dir: &str, dest: &'d str) -> Option<(String, &'d str)> {
    if dest.contains(':') || dest.starts_with(['#', '/', '?']) {
        return None;
    }
    let (path, fragment) = dest.split_at(dest.find('#').unwrap_or(dest.len()));
    let lower = path.to_ascii_lowercase();
    if !(lower.ends_with(".md") || lower.ends_with(".markdown")) {
        return None;
    }
    let mut parts: Vec<&str> = source_dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some((parts.join("/"), fragment))
}

/// Undoes the escaping pulldown-cmark applies to link destinations (`%20`, `&amp;`), so a
/// link names a file as the file system does.
pub(crate) fn decode_href(href: &str) -> String {
    percent_decode_str(&href.replace("&amp;", "&"))
        .decode_utf8_lossy()
        .into_owned()
}

/// Accumulates text with whitespace collapsed, counting words as it goes, so that plain text and
/// word counts never need a second pass or an intermediate string.
#[derive(Default)]
struct Collapser {
    out: String,
    words: usize,
    /// Whether a word boundary is pending; inline markup such as `foo**bar**` must not split a
    /// word, so boundaries come only from whitespace and block structure.
    gap: bool,
    /// Whether an inline tag (emphasis, a link, a code span) was passed since the last text.
    tag: bool,
    /// Whether words were joined across such a tag: the HTML has a tag there, and readers of
    /// its text see two words (`foo**bar**`), or `] (` where the plain text has `](`.
    joined: bool,
}

impl Collapser {
    fn push(&mut self, s: &str) {
        if self.tag && !self.gap && !s.is_empty() {
            let before = self.out.chars().next_back().unwrap_or(' ');
            let after = s.chars().next().unwrap_or(' ');
            self.joined |= (before.is_alphanumeric() && after.is_alphanumeric())
                || (before == ']' && after == '(');
            self.tag = false;
        }
        if s.starts_with(char::is_whitespace) {
            self.gap = true;
        }
        // Most text is ASCII, and the byte-wise splitter is much faster than the Unicode one;
        // most text is also collapsed already, and then it is copied whole.
        let inner = s.trim_matches(' ');
        if let Some(spaces) = collapsed_ascii(inner) {
            self.push_words(std::iter::once(inner));
            self.words += spaces;
        } else if s.is_ascii() {
            self.push_words(s.split_ascii_whitespace());
        } else {
            self.push_words(s.split_whitespace());
        }
        if s.ends_with(char::is_whitespace) {
            self.gap = true;
        }
    }

    fn push_words<'s>(&mut self, words: impl Iterator<Item = &'s str>) {
        for (i, word) in words.enumerate() {
            if self.out.is_empty() {
                self.words += 1;
            } else if self.gap || i > 0 {
                self.out.push(' ');
                self.words += 1;
            }
            self.out.push_str(word);
            self.gap = false;
        }
    }
}

/// The number of spaces in `s` when it is printable ASCII words one space apart, without
/// other whitespace; `None` for any other text, empty text included.
fn collapsed_ascii(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    // Passes without early exits, which the compiler vectorizes, and a SIMD substring test.
    let printable = bytes
        .iter()
        .fold(true, |all, &byte| all & (b' '..=b'~').contains(&byte));
    // Pairs of neighbours, not `contains("  ")`: a substring searcher is set up per call,
    // and most calls are a few words.
    let doubled = bytes
        .iter()
        .zip(bytes.iter().skip(1))
        .fold(false, |any, (&a, &b)| any | (a == b' ' && b == b' '));
    let simple = printable
        && !bytes.is_empty()
        && bytes[0] != b' '
        && bytes[bytes.len() - 1] != b' '
        && !doubled;
    simple.then(|| bytes.iter().filter(|&&byte| byte == b' ').count())
}

/// Renders `markdown` to HTML and collects the table of contents and plain text.
pub fn render(markdown: &str, options: &MarkdownOptions) -> Rendered {
    let parser_options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;

    // Explicit ids win, so automatic ids must steer clear of all of them, even ones further down
    // the document. An explicit id needs a `{` and then a `#` on one line, so most documents
    // skip this extra parse.
    let mut reserved = HashSet::new();
    if may_have_ids(markdown) {
        for event in Parser::new_ext(markdown, parser_options) {
            if let Event::Start(Tag::Heading { id: Some(id), .. }) = event {
                reserved.insert(id.into_string());
            }
        }
    }

    let mut rewriter = Rewriter {
        parser: Parser::new_ext(markdown, parser_options).into_offset_iter(),
        offset: 0,
        rejected_links: Vec::new(),
        link_shown: Vec::new(),
        allow_raw_html: options.allow_raw_html,
        source_dir: options.source_dir.as_deref(),
        source_links: false,
        in_comment: std::cell::Cell::new(false),
        queue: Vec::new(),
        reserved,
        used: HashSet::new(),
        headings: Vec::new(),
        sections: Vec::new(),
        exact: true,
        controls: None,
        plain: Collapser {
            out: String::with_capacity(markdown.len()),
            ..Collapser::default()
        },
    };
    let mut html = String::with_capacity(markdown.len() + markdown.len() / 2 + 64);
    html::push_html(&mut html, &mut rewriter);

    // Both strings were sized for the worst case, and the incident keeps them to the end of
    // the build: the slack was about a fifth of their memory at 10,000 postmortems.
    html.shrink_to_fit();
    rewriter.plain.out.shrink_to_fit();
    let exact = rewriter.exact && !rewriter.plain.joined;
    let sections = exact.then(|| rewriter.sections.into_boxed_slice());
    let headings = rewriter.headings;
    let first_heading = (headings.first()).map(|h| Box::new((h.level, h.title.clone())));
    let toc = headings.into_iter().filter(|h| h.level <= 4).collect();
    Rendered {
        html,
        source_links: rewriter.source_links,
        toc,
        first_heading,
        plain_text: rewriter.plain.out,
        word_count: rewriter.plain.words,
        rejected_links: rewriter.rejected_links,
        sections,
        controls: rewriter.controls.map(Box::new),
        packed: None,
        aside: None,
    }
}

/// Whether some line of `markdown` has a `#` after a `{`, as an explicit heading id needs.
/// Looks for the rare `{` first, a byte at a time, rather than walk every line.
fn may_have_ids(markdown: &str) -> bool {
    let mut rest = markdown;
    while let Some(open) = rest.find('{') {
        let end = rest[open..].find('\n').map_or(rest.len(), |end| open + end);
        if rest[open..end].contains('#') {
            return true;
        }
        rest = &rest[end..];
    }
    false
}

/// The targets of the links and images in `markdown` that a page may not link to
/// ([`link::is_allowed`]); [`render`] shows them as text.
pub fn rejected_links(markdown: &str) -> Vec<String> {
    if !markdown.contains(':') {
        return Vec::new();
    }
    Parser::new(markdown)
        .filter_map(|event| match event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. })
                if !link::is_allowed(&dest_url) =>
            {
                Some(dest_url.into_string())
            }
            _ => None,
        })
        .collect()
}

/// Rewrites the parser's events on their way to the HTML writer and records headings and plain
/// text as they pass, so each document is parsed and walked only once. Only a heading's own
/// events are buffered, because its id depends on its text and goes on its opening tag.
struct Rewriter<'a> {
    parser: OffsetIter<'a>,
    /// Where in the document the event being rewritten starts (a byte offset).
    offset: usize,
    /// Links and images whose target may not be a link ([`link::is_allowed`]): where, and
    /// the target as written.
    rejected_links: Vec<(usize, String)>,
    /// Per open link or image, whether it is shown as one: one that is not keeps its text
    /// and loses its tags.
    link_shown: Vec<bool>,
    allow_raw_html: bool,
    source_dir: Option<&'a str>,
    /// Whether a link to another Markdown file was rewritten ([`Rendered::source_links`]).
    source_links: bool,
    /// Inside a multi-line HTML comment block, whose lines arrive as separate events.
    in_comment: std::cell::Cell<bool>,
    /// Rewritten events waiting to be handed out, in reverse order so that `pop` yields the next.
    queue: Vec<Event<'a>>,
    reserved: HashSet<String>,
    used: HashSet<String>,
    headings: Vec<TocEntry>,
    /// Every heading's span of the plain text.
    sections: Vec<HeadingSpan>,
    /// Whether the plain text holds the words a reader of the HTML sees: no raw HTML, no
    /// image (its alt text is in the plain text, not in the HTML's text), no footnote (its
    /// number is in the HTML), no `<!--` in text (readers of the HTML drop it as a comment).
    exact: bool,
    /// The control characters replaced so far ([`Rewriter::show_controls`]).
    controls: Option<Controls>,
    plain: Collapser,
}

impl<'a> Iterator for Rewriter<'a> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        if let Some(event) = self.queue.pop() {
            return Some(event);
        }
        let (mut event, range) = self.parser.next()?;
        self.offset = range.start;
        self.show_controls(&mut event);
        self.observe(&event);
        Some(match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => self.heading(level, id, classes, attrs),
            Event::Start(Tag::Table(_)) => {
                self.queue.push(event);
                Event::Html(CowStr::Borrowed("<div class=\"table-wrap\">"))
            }
            Event::End(TagEnd::Table) => {
                self.queue.push(Event::Html(CowStr::Borrowed("</div>\n")));
                event
            }
            // Footnote labels become element ids; a prefix keeps `[^summary]` from taking
            // the id of a `## Summary` heading.
            Event::FootnoteReference(label) => {
                self.exact = false;
                Event::FootnoteReference(format!("fn-{label}").into())
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                self.exact = false;
                Event::Start(Tag::FootnoteDefinition(format!("fn-{label}").into()))
            }
            // A task's box is named, so a screen reader says what the tick means.
            Event::TaskListMarker(done) => Event::InlineHtml(CowStr::Borrowed(if done {
                r#"<input disabled="" type="checkbox" checked="" aria-label="done"/>"#
            } else {
                r#"<input disabled="" type="checkbox" aria-label="to do"/>"#
            })),
            other => self.sanitize(other),
        })
    }
}

impl<'a> Rewriter<'a> {
    /// Replaces control characters in an event's text by their visible symbols (U+241B
    /// `␛` for an escape, U+FFFD for C1 controls), counting them for a warning: pages
    /// would otherwise carry them raw, which HTML forbids and readers cannot see (a log
    /// pasted with its terminal colour codes). Tab and line breaks are text.
    fn show_controls(&mut self, event: &mut Event<'a>) {
        let (Event::Text(text) | Event::Code(text) | Event::Html(text) | Event::InlineHtml(text)) =
            event
        else {
            return;
        };
        if !may_hold_controls(text.as_bytes()) {
            return;
        }
        let mut shown = String::with_capacity(text.len() + 8);
        for (at, c) in text.char_indices() {
            let Some(symbol) = control_symbol(c) else {
                shown.push(c);
                continue;
            };
            shown.push(symbol);
            let controls = self.controls.get_or_insert(Controls {
                // The event's text starts at its offset but for escapes before it; close
                // enough to name the line, exact for a code block's first line.
                first_offset: self.offset + at,
                first: c,
                count: 0,
            });
            controls.count += 1;
        }
        *text = shown.into();
    }

    /// Adds an event's text to the plain-text version of the document.
    fn observe(&mut self, event: &Event<'_>) {
        match event {
            Event::Text(text) => {
                self.exact &= !has_comment_start(text);
                self.plain.push(text);
            }
            // A code span is a tag in the HTML, so it splits words there.
            Event::Code(text) => {
                self.exact &= !has_comment_start(text);
                self.plain.tag = true;
                self.plain.push(text);
                self.plain.tag = true;
            }
            Event::SoftBreak | Event::HardBreak => self.plain.gap = true,
            Event::Start(tag) if !is_inline(tag.to_end()) => self.plain.gap = true,
            Event::End(tag) if !is_inline(*tag) => self.plain.gap = true,
            Event::Start(Tag::Image { .. }) => self.exact = false,
            Event::Start(_) | Event::End(_) => self.plain.tag = true,
            _ => {}
        }
    }

    /// Where the plain text ends now, as a [`HeadingSpan`] offset.
    fn plain_offset(&mut self) -> u32 {
        u32::try_from(self.plain.out.len()).unwrap_or_else(|_| {
            self.exact = false;
            0
        })
    }

    /// Buffers a heading's content, gives the heading its id and returns its opening tag.
    fn heading(
        &mut self,
        level: HeadingLevel,
        explicit: Option<CowStr<'a>>,
        classes: Vec<CowStr<'a>>,
        attrs: Vec<(CowStr<'a>, Option<CowStr<'a>>)>,
    ) -> Event<'a> {
        let start = self.plain_offset();
        let mut title = Collapser::default();
        while let Some((mut event, range)) = self.parser.next() {
            self.offset = range.start;
            self.show_controls(&mut event);
            self.observe(&event);
            match &event {
                Event::Text(text) | Event::Code(text) => title.push(text),
                Event::SoftBreak | Event::HardBreak => title.gap = true,
                Event::End(TagEnd::Heading(_)) => break,
                _ => {}
            }
            let event = self.sanitize(event);
            self.queue.push(event);
        }

        let end = self.plain_offset();
        self.sections.push(HeadingSpan {
            level: level as u8,
            start,
            end,
        });

        // Duplicates of either kind of id get a numeric suffix.
        let id = match explicit.filter(|id| !id.is_empty()) {
            Some(explicit) => unique(explicit.into_string(), |c| self.used.contains(c)),
            None => unique(slugify_heading(&title.out), |c| {
                self.used.contains(c) || self.reserved.contains(c)
            }),
        };
        self.used.insert(id.clone());

        let mut anchor = String::with_capacity(id.len() + 80);
        anchor.push_str("<a class=\"heading-anchor\" href=\"#");
        escape_attr(&mut anchor, &id);
        anchor.push_str("\" aria-label=\"Link to this section\">#</a>");
        self.queue.push(Event::Html(anchor.into()));
        self.queue.push(Event::End(TagEnd::Heading(level)));
        self.queue.reverse();

        let tag = Tag::Heading {
            level,
            id: Some(id.clone().into()),
            classes,
            // Custom attributes can carry event handlers such as `onclick`, so they are only
            // trusted as far as raw HTML is.
            attrs: if self.allow_raw_html {
                attrs
            } else {
                Vec::new()
            },
        };
        self.headings.push(TocEntry {
            level: level as u8,
            id,
            title: title.out,
        });
        Event::Start(tag)
    }

    /// Shows links and images whose target may not be a link as their text (recording
    /// them), points links to other postmortems' files at their pages, and, unless allowed,
    /// turns raw HTML into text, which the HTML writer escapes so that it shows literally.
    fn sanitize(&mut self, mut event: Event<'a>) -> Event<'a> {
        match &mut event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. })
                if !link::is_allowed(dest_url) =>
            {
                self.rejected_links
                    .push((self.offset, dest_url.to_string()));
                self.link_shown.push(false);
                return Event::Text(CowStr::Borrowed(""));
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                self.link_shown.push(true);
                if let Some(link) = self.source_dir.and_then(|dir| source_link(dir, dest_url)) {
                    *dest_url = link.into();
                    self.source_links = true;
                }
            }
            Event::Start(Tag::Image { .. }) => self.link_shown.push(true),
            // The pop must happen for every link's end, shown or not.
            Event::End(TagEnd::Link | TagEnd::Image) if !self.link_shown.pop().unwrap_or(true) => {
                return Event::Text(CowStr::Borrowed(""));
            }
            // HTML comments are notes to fellow authors ("<!-- TODO: add graphs -->"), not
            // content: drop them rather than show them escaped.
            Event::Html(raw) | Event::InlineHtml(raw)
                if self.in_comment.get() || raw.trim_start().starts_with("<!--") =>
            {
                self.in_comment.set(!raw.contains("-->"));
                return Event::Text(CowStr::Borrowed(""));
            }
            Event::Html(raw) | Event::InlineHtml(raw) => {
                // Readers of the HTML's text see raw HTML's text, or its markup as text.
                self.exact = false;
                if !self.allow_raw_html {
                    return Event::Text(std::mem::replace(raw, CowStr::Borrowed("")));
                }
            }
            _ => {}
        }
        event
    }
}

/// The visible stand-in for a control character (but tab and line breaks): its Control
/// Pictures symbol (`␀` … `␟`, `␡`), or U+FFFD for a C1 control, which has none.
fn control_symbol(c: char) -> Option<char> {
    let code = u32::from(c);
    match code {
        0x09 | 0x0a | 0x0d => None,
        0x00..=0x1f => char::from_u32(0x2400 + code),
        0x7f => Some('\u{2421}'),
        0x80..=0x9f => Some('\u{FFFD}'),
        _ => None,
    }
}

/// Turns heading text into an id: lowercase letters and digits of any script, with every run of
/// other characters collapsed to a single `-`; `section` when nothing is left.
pub fn slugify_heading(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut pending_dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.extend(c.to_lowercase());
        } else {
            pending_dash = true;
        }
    }
    if slug.is_empty() {
        slug.push_str("section");
    }
    slug
}

/// Returns `base`, or the first of `base-1`, `base-2`, … that `taken` does not reject.
fn unique(base: String, taken: impl Fn(&str) -> bool) -> String {
    if !taken(&base) {
        return base;
    }
    let mut candidate = base.clone();
    for n in 1usize.. {
        candidate.truncate(base.len());
        // Writing into a String cannot fail.
        let _ = write!(candidate, "-{n}");
        if !taken(&candidate) {
            break;
        }
    }
    candidate
}

/// Escapes text for HTML element content and quoted attribute values, appending to `out`.
/// The one escaper of the crate: templates use it too (see `render::escape_html`).
pub(crate) fn escape_attr(out: &mut String, s: &str) {
    // Runs between special characters are copied whole: pushing character by character was
    // 1.4% of a 10,000-postmortem build. The special characters are ASCII, so every cut is
    // at a character boundary. Eight bytes without one are passed over at once (a byte at
    // a time, this was 1.5% of a build's instructions: Tera escapes every value a page
    // prints).
    let bytes = s.as_bytes();
    let (mut copied, mut at) = (0, 0);
    while at < bytes.len() {
        if let Some(&eight) = bytes[at..].first_chunk::<8>()
            && !holds_special(u64::from_ne_bytes(eight))
        {
            at += 8;
            continue;
        }
        let entity = match bytes[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => {
                at += 1;
                continue;
            }
        };
        out.push_str(&s[copied..at]);
        out.push_str(entity);
        at += 1;
        copied = at;
    }
    out.push_str(&s[copied..]);
}

/// Whether any of the eight bytes of `word` is one [`escape_attr`] replaces.
fn holds_special(word: u64) -> bool {
    let equal = |byte: u8| bytes_equal(word, byte);
    equal(b'&') | equal(b'<') | equal(b'>') | equal(b'"') | equal(b'\'') != 0
}

/// Eight bytes read as one word: non-zero exactly when some byte of `word` is below `n`
/// (for `n` up to 0x80).
fn bytes_below(word: u64, n: u8) -> u64 {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS
}

/// Non-zero exactly when some byte of `word` is `byte`.
fn bytes_equal(word: u64, byte: u8) -> u64 {
    bytes_below(word ^ (u64::from_ne_bytes([0x01; 8]) * u64::from(byte)), 1)
}

/// Whether `bytes` may hold a control character other than a tab or a line break: a byte
/// below 0x20 but those, 0x7F, or 0xC2 (the first byte of the C1 controls, U+0080 to
/// U+009F, and of other characters). Control characters are rare, so most text is passed
/// over eight bytes at a time (a byte-by-byte search with an early exit was 1.8% of a
/// build's CPU); only a word that may hold one is looked at byte by byte.
fn may_hold_controls(bytes: &[u8]) -> bool {
    let suspect =
        |b: &u8| (*b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || *b == 0x7f || *b == 0xc2;
    let mut words = bytes.chunks_exact(8);
    for chunk in &mut words {
        let word = u64::from_ne_bytes(chunk.try_into().unwrap_or([0; 8]));
        if bytes_below(word, 0x20) | bytes_equal(word, 0x7f) | bytes_equal(word, 0xc2) != 0
            && chunk.iter().any(suspect)
        {
            return true;
        }
    }
    words.remainder().iter().any(suspect)
}

/// Whether `text` holds `<!--`, which readers of the HTML's text drop as a comment.
fn has_comment_start(text: &str) -> bool {
    // Most text has no `<` at all, and looking for one byte is fast.
    text.as_bytes().contains(&b'<') && text.contains("<!--")
}

/// Inline tags do not separate words in the plain text; every other tag does.
fn is_inline(tag: TagEnd) -> bool {
    use TagEnd::*;
    matches!(tag, Emphasis | Strong | Strikethrough | Link | Image)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "|a|b|\n|-|-|\n|1|2|";

    proptest::proptest! {
        #[test]
        fn escaping_replaces_each_special_character_and_nothing_else(
            text in "([a-zé€ 0-9]{0,9}[&<>\"'\u{0}\u{80}]?){0,8}"
        ) {
            let mut escaped = String::new();
            escape_attr(&mut escaped, &text);
            let mut expected = String::new();
            for c in text.chars() {
                match c {
                    '&' => expected.push_str("&amp;"),
                    '<' => expected.push_str("&lt;"),
                    '>' => expected.push_str("&gt;"),
                    '"' => expected.push_str("&quot;"),
                    '\'' => expected.push_str("&#39;"),
                    c => expected.push(c),
                }
            }
            proptest::prop_assert_eq!(escaped, expected);
        }
    }

    /// Asserts that rendering `input` with default options does (or, with `!` in front of the
    /// fragment, does not) contain `fragment`.
    fn check(input: &str, fragment: &str) {
        let out = render(input, &MarkdownOptions::default()).html;
        let (fragment, wanted) = fragment
            .strip_prefix('!')
            .map_or((fragment, true), |f| (f, false));
        assert_eq!(
            out.contains(fragment),
            wanted,
            "{input:?}, {fragment:?}:\n{out}"
        );
    }

    #[test]
    fn renders_expected_fragments() {
        let anchor = r##"<h2 id="timeline">Timeline<a class="heading-anchor" href="#timeline" aria-label="Link to this section">#</a></h2>"##;
        // One case per line reads as a table, which is worth more here than the usual layout.
        #[rustfmt::skip]
        let cases = [
            ("## Timeline", anchor),
            ("a\n\n<!-- DRAFT: add graphs\nlater -->\n\nb", "!DRAFT"),
            ("a <!-- note --> b", "!note"),
            ("## Timeline\n## Timeline", r#"<h2 id="timeline-1">"#),
            ("## Timeline\n## Timeline\n## Timeline", r#"<h2 id="timeline-2">"#),
            ("## Root cause {#why}", r##"<h2 id="why">Root cause<a class="heading-anchor" href="#why""##),
            ("## Intro\n## Other {#intro}", r#"<h2 id="intro-1">Intro"#),
            ("## Intro\n## Other { .x #intro }", r#"<h2 id="intro" class="x">Other"#),
            ("## Résumé — Día 2", r#"<h2 id="résumé-día-2">"#),
            ("## `db-01` **down**", r#"<h2 id="db-01-down"><code>db-01</code> <strong>"#),
            ("## !!!", r#"<h2 id="section">"#),
            (TABLE, r#"<div class="table-wrap"><table>"#),
            (TABLE, "</table>\n</div>"),
            ("Lag[^1].\n\n[^1]: Replica lag.", r#"<sup class="footnote-reference">"#),
            ("Lag[^1].\n\n[^1]: Replica lag.", r#"<div class="footnote-definition""#),
            ("~~fixed~~", "<del>fixed</del>"),
            ("- [x] page\n- [ ] write", r#"<input disabled="" type="checkbox" checked="" aria-label="done"/>"#),
            ("- [x] page\n- [ ] write", r#"<input disabled="" type="checkbox" aria-label="to do"/>"#),
            ("```rust\nfn main() {}\n```", r#"<pre><code class="language-rust">"#),
            ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
            ("<script>alert(1)</script>", "!<script"),
            ("x <img src=x onerror=alert(1)> y", "!<img"),
            ("## Hi {onclick=alert(1)}", "!onclick"),
            ("## Hi {#a\"b}", "!a\"b"),
            ("## Hi <b>", "<h2 id=\"hi\">Hi &lt;b&gt;"),
            // Links a page may not carry are shown as their text.
            ("## [x](javascript:y)", r##"<h2 id="x">x<a class="heading-anchor""##),
            ("[x](javascript:alert(1))", "<p>x</p>"),
            ("[x](JavaScript:alert(1))", "<p>x</p>"),
            ("[x](  vbscript:msgbox)", "<p>x</p>"),
            ("[x](<java\tscript:alert(1)>)", "<p>x</p>"),
            ("<javascript:alert(1)>", "<p>javascript:alert(1)</p>"),
            ("[x](data:text/html;base64,AAAA)", "<p>x</p>"),
            ("![x](data:image/png;base64,AAAA)", "<p>x</p>"),
            ("![x](javascript:alert(1))", "!<img"),
            ("[a ![b](file:///c) d](slack://x)", "<p>a b d</p>"),
            ("[ok](mailto:sre@example.com)", r#"href="mailto:sre@example.com""#),
            ("[ok](https://example.com/a?b=1)", r#"href="https://example.com/a?b=1""#),
        ];
        for (input, fragment) in cases {
            check(input, fragment);
        }
    }

    #[test]
    fn links_to_other_postmortems_name_their_source() {
        let options = MarkdownOptions {
            source_dir: Some("content/2024".into()),
            ..MarkdownOptions::default()
        };
        for (link, expected) in [
            ("../2023/a.md", "hindsight-source:content/2023/a.md"),
            (
                "b.md#timeline",
                "hindsight-source:content/2024/b.md#timeline",
            ),
            ("./sub/c.MD", "hindsight-source:content/2024/sub/c.MD"),
            ("../../../x.md", "../../../x.md"),
            ("https://example.com/a.md", "https://example.com/a.md"),
            ("notes.txt", "notes.txt"),
        ] {
            let html = render(&format!("[x]({link})"), &options).html;
            assert!(
                html.contains(&format!("href=\"{expected}\"")),
                "{link}: {html}"
            );
        }
    }

    #[test]
    fn raw_html_passes_through_when_allowed() {
        let allow = &MarkdownOptions {
            allow_raw_html: true,
            ..MarkdownOptions::default()
        };
        let out = render("<script>alert(1)</script>\n\nInline <kbd>Ctrl</kbd>", allow).html;
        assert!(out.contains("<script>alert(1)</script>") && out.contains("<kbd>Ctrl</kbd>"));
    }

    #[test]
    fn toc_and_first_heading() {
        let doc = "# Outage\n## Timeline\n### 10:02 *paged*\n#### Detail\n##### Deep\n## Timeline";
        let r = render(doc, &MarkdownOptions::default());
        let toc: Vec<_> = r.toc.iter().map(|e| (e.level, &*e.id, &*e.title)).collect();
        let expected = [
            (1, "outage", "Outage"),
            (2, "timeline", "Timeline"),
            (3, "10-02-paged", "10:02 paged"),
            (4, "detail", "Detail"),
            (2, "timeline-1", "Timeline"),
        ];
        assert_eq!(toc, expected);
        assert_eq!(r.first_heading, Some(Box::new((1, "Outage".to_owned()))));
        let r = render("Text\n\n### A *b* & c", &MarkdownOptions::default());
        assert_eq!(r.first_heading, Some(Box::new((3, "A b & c".to_owned()))));
    }

    #[test]
    fn control_characters_are_found_wherever_they_are() {
        let suspect =
            |b: u8| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f || b == 0xc2;
        for b in 0..=255u8 {
            for at in 0..19 {
                let mut bytes = b"plain text, tab\tand line\nbreaks".to_vec();
                bytes.truncate(19);
                bytes[at] = b;
                assert_eq!(may_hold_controls(&bytes), suspect(b), "{b:#x} at {at}");
            }
        }
        assert!(!may_hold_controls(b""));
        assert!(!may_hold_controls("café – naïve, a longer line".as_bytes()));
        assert!(may_hold_controls(
            "a longer line, then © and \u{85}".as_bytes()
        ));
    }

    #[test]
    fn plain_text_and_word_count() {
        let doc = "# Title\nSome **bold**er text\nwith `code`.\n\n- one\n- two\n\n<p>x</p>";
        let r = render(&format!("{doc}\n\n{TABLE}"), &MarkdownOptions::default());
        let expected = "Title Some bolder text with code. one two a b 1 2";
        assert_eq!(r.plain_text, expected);
        assert_eq!(r.word_count, 12);
        for (doc, plain, words) in [
            ("x  y **z** w\tv ", "x y z w v", 5),
            ("foo**bar** baz *qux*", "foobar baz qux", 3),
            ("a `b`c ", "a bc", 2),
        ] {
            let r = render(doc, &MarkdownOptions::default());
            assert_eq!(
                (r.plain_text.as_str(), r.word_count),
                (plain, words),
                "{doc:?}"
            );
        }
    }

    #[test]
    fn empty_input_renders_nothing() {
        let r = render("", &MarkdownOptions::default());
        assert!(r.html.is_empty() && r.toc.is_empty() && r.plain_text.is_empty());
        assert_eq!((r.first_heading, r.word_count), (None, 0));
    }

    #[test]
    fn slugify_cases() {
        let cases = [
            ("Timeline", "timeline"),
            ("  Root   cause: DNS! ", "root-cause-dns"),
            ("Résumé — Día 2", "résumé-día-2"),
            ("事故 報告", "事故-報告"),
            ("---", "section"),
            ("", "section"),
        ];
        for (input, expected) in cases {
            assert_eq!(slugify_heading(input), expected, "{input:?}");
        }
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        let deep_list: String = (0..2000)
            .map(|i| format!("{}- x\n", "  ".repeat(i)))
            .collect();
        let inputs = [
            "---\ntitle: x\n---\n".to_owned(),
            "```\nunterminated fence".to_owned(),
            ">".repeat(5000),
            deep_list,
            "## {#}\n\n## \u{0}\u{202e}".to_owned(),
            "[a]: javascript:x\n\n[b][a] ![c][a]".repeat(500),
        ];
        for input in &inputs {
            let r = render(input, &MarkdownOptions::default());
            assert!(!r.html.contains("=\"javascript:"));
        }
    }
}
