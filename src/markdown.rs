//! Renders the Markdown body of a postmortem into HTML that is safe to publish.
//!
//! Postmortems are written by many people and end up on a shared site, so the output must never
//! carry executable content unless the site owner opts in: raw HTML is escaped by default and
//! script-bearing URLs are neutralised. Alongside the HTML the renderer returns what the rest of
//! the pipeline needs from the same pass: a table of contents with stable, unique heading ids,
//! the first heading, and a plain-text version for search indexes and snippets.

use std::collections::HashSet;
use std::fmt::Write as _;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};
use serde::Serialize;

/// Knobs that change how a document is rendered.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MarkdownOptions {
    /// Pass raw HTML (and custom heading attributes) through instead of escaping or dropping it.
    pub allow_raw_html: bool,
}

/// One heading of the document, for building a table of contents.
#[derive(Debug, Clone, Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    /// Plain text without markup and not HTML-escaped; templates escape it when they render it.
    pub title: String,
}

/// Everything the renderer derives from one Markdown document.
#[derive(Debug, Clone, Serialize)]
pub struct Rendered {
    pub html: String,
    /// Headings of levels 1 to 4 in document order; templates decide which levels to show.
    pub toc: Vec<TocEntry>,
    /// Level and plain text of the first heading of any level.
    pub first_heading: Option<(u8, String)>,
    /// Text content without markup, with whitespace collapsed to single spaces.
    pub plain_text: String,
    pub word_count: usize,
}

/// A heading seen while collecting events, before its final id is known.
struct Heading {
    level: u8,
    explicit_id: Option<String>,
    text: String,
    id: String,
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
}

impl Collapser {
    fn push(&mut self, s: &str) {
        if s.starts_with(char::is_whitespace) {
            self.gap = true;
        }
        for (i, word) in s.split_whitespace().enumerate() {
            if self.out.is_empty() {
                self.words += 1;
            } else if self.gap || i > 0 {
                self.out.push(' ');
                self.words += 1;
            }
            self.out.push_str(word);
            self.gap = false;
        }
        if s.ends_with(char::is_whitespace) {
            self.gap = true;
        }
    }
}

/// Renders `markdown` to HTML and collects the table of contents and plain text.
pub fn render(markdown: &str, options: &MarkdownOptions) -> Rendered {
    let parser_options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;

    // Heading ids depend on the heading's text and on every explicit id in the document, so a
    // first parse gathers headings and plain text and a second one streams into the HTML writer.
    // Parsing twice is cheaper than buffering the events: a 6 KB document yields about two
    // thousand 80-byte events, and growing and freeing that buffer costs more than the parse.
    let mut headings: Vec<Heading> = Vec::new();
    let mut reserved: HashSet<String> = HashSet::new();
    let mut plain = Collapser::default();
    let mut heading_text: Option<Collapser> = None;
    for event in Parser::new_ext(markdown, parser_options) {
        match event {
            Event::Text(text) | Event::Code(text) => {
                plain.push(&text);
                if let Some(h) = heading_text.as_mut() {
                    h.push(&text);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                plain.gap = true;
                if let Some(h) = heading_text.as_mut() {
                    h.gap = true;
                }
            }
            Event::Start(Tag::Heading { level, id, .. }) => {
                plain.gap = true;
                heading_text = Some(Collapser::default());
                let explicit_id = id.as_deref().filter(|id| !id.is_empty()).map(str::to_owned);
                if let Some(id) = &explicit_id {
                    reserved.insert(id.clone());
                }
                headings.push(Heading {
                    level: level as u8,
                    explicit_id,
                    text: String::new(),
                    id: String::new(),
                });
            }
            Event::End(TagEnd::Heading(_)) => {
                plain.gap = true;
                if let (Some(h), Some(last)) = (heading_text.take(), headings.last_mut()) {
                    last.text = h.out;
                }
            }
            Event::Start(tag) if !is_inline(tag.to_end()) => plain.gap = true,
            Event::End(tag) if !is_inline(tag) => plain.gap = true,
            _ => {}
        }
    }

    // Explicit ids win, so automatic ids steer clear of all of them, even ones that appear
    // later in the document; duplicates of either kind get a numeric suffix.
    let mut used: HashSet<String> = HashSet::with_capacity(headings.len());
    for heading in &mut headings {
        let id = match heading.explicit_id.take() {
            Some(explicit) => unique(explicit, |c| used.contains(c)),
            None => unique(slugify_heading(&heading.text), |c| {
                used.contains(c) || reserved.contains(c)
            }),
        };
        used.insert(id.clone());
        heading.id = id;
    }

    let mut next_heading = headings.iter();
    let mut current_id: &str = "";
    let stream = Parser::new_ext(markdown, parser_options).flat_map(|mut event| {
        let mut before = None;
        match &mut event {
            Event::Start(Tag::Heading { id, attrs, .. }) => {
                current_id = next_heading.next().map_or("", |h| h.id.as_str());
                *id = Some(CowStr::Borrowed(current_id));
                // Custom attributes can carry event handlers such as `onclick`, so they are
                // only trusted as far as raw HTML is.
                if !options.allow_raw_html {
                    attrs.clear();
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                let mut anchor = String::with_capacity(current_id.len() + 80);
                anchor.push_str("<a class=\"heading-anchor\" href=\"#");
                escape_attr(&mut anchor, current_id);
                anchor.push_str("\" aria-label=\"Link to this section\">#</a>");
                before = Some(Event::Html(CowStr::Boxed(anchor.into_boxed_str())));
            }
            Event::Start(Tag::Table(_)) => {
                before = Some(Event::Html(CowStr::Borrowed("<div class=\"table-wrap\">")));
            }
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. })
                if is_dangerous_url(dest_url) =>
            {
                *dest_url = CowStr::Borrowed("#");
            }
            // Turning raw HTML into text makes the HTML writer escape it, so it shows literally.
            Event::Html(raw) | Event::InlineHtml(raw) if !options.allow_raw_html => {
                let raw = std::mem::replace(raw, CowStr::Borrowed(""));
                event = Event::Text(raw);
            }
            _ => {}
        }
        let after = matches!(event, Event::End(TagEnd::Table))
            .then(|| Event::Html(CowStr::Borrowed("</div>\n")));
        before.into_iter().chain(Some(event)).chain(after)
    });

    let mut out = String::with_capacity(markdown.len() + markdown.len() / 2 + 64);
    html::push_html(&mut out, stream);

    let first_heading = headings.first().map(|h| (h.level, h.text.clone()));
    let toc = headings
        .into_iter()
        .filter(|h| h.level <= 4)
        .map(|h| TocEntry {
            level: h.level,
            id: h.id,
            title: h.text,
        })
        .collect();
    Rendered {
        html: out,
        toc,
        first_heading,
        plain_text: plain.out,
        word_count: plain.words,
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

/// Browsers ignore leading whitespace and control characters and strip tabs and newlines
/// anywhere in a URL, so `java\tscript:` must be caught as well as `JavaScript:`.
fn is_dangerous_url(url: &str) -> bool {
    let trimmed = url.trim_start_matches(|c: char| c.is_whitespace() || c.is_control());
    let cleaned = trimmed.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r'));
    let starts_with = |prefix: &str| {
        let mut chars = cleaned.clone();
        prefix
            .chars()
            .all(|p| chars.next().map(|c| c.to_ascii_lowercase()) == Some(p))
    };
    starts_with("javascript:")
        || starts_with("vbscript:")
        || (starts_with("data:") && !starts_with("data:image/"))
}

/// Escapes text for use inside a double-quoted HTML attribute.
fn escape_attr(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
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

    /// Asserts that rendering `input` with default options does (or, with `!` in front of the
    /// fragment, does not) contain `fragment`.
    fn check(input: &str, fragment: &str) {
        let out = render(input, &MarkdownOptions::default()).html;
        match fragment.strip_prefix('!') {
            Some(absent) => assert!(!out.contains(absent), "{input:?} has {absent:?}:\n{out}"),
            None => assert!(
                out.contains(fragment),
                "{input:?} lacks {fragment:?}:\n{out}"
            ),
        }
    }

    #[test]
    fn renders_expected_fragments() {
        let anchor = r##"<h2 id="timeline">Timeline<a class="heading-anchor" href="#timeline" aria-label="Link to this section">#</a></h2>"##;
        // One case per line reads as a table, which is worth more here than the usual layout.
        #[rustfmt::skip]
        let cases = [
            ("## Timeline", anchor),
            ("## Timeline\n## Timeline", r#"<h2 id="timeline-1">"#),
            ("## Timeline\n## Timeline\n## Timeline", r#"<h2 id="timeline-2">"#),
            ("## Root cause {#why}", r##"<h2 id="why">Root cause<a class="heading-anchor" href="#why""##),
            ("## Intro\n## Other {#intro}", r#"<h2 id="intro-1">Intro"#),
            ("## Intro\n## Other {#intro}", r#"<h2 id="intro">Other"#),
            ("## Résumé — Día 2", r#"<h2 id="résumé-día-2">"#),
            ("## `db-01` **down**", r#"<h2 id="db-01-down"><code>db-01</code> <strong>"#),
            ("## !!!", r#"<h2 id="section">"#),
            (TABLE, r#"<div class="table-wrap"><table>"#),
            (TABLE, "</table>\n</div>"),
            ("Lag[^1].\n\n[^1]: Replica lag.", r#"<sup class="footnote-reference">"#),
            ("Lag[^1].\n\n[^1]: Replica lag.", r#"<div class="footnote-definition""#),
            ("~~fixed~~", "<del>fixed</del>"),
            ("- [x] page\n- [ ] write", r#"<input disabled="" type="checkbox" checked=""/>"#),
            ("```rust\nfn main() {}\n```", r#"<pre><code class="language-rust">"#),
            ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
            ("<script>alert(1)</script>", "!<script"),
            ("x <img src=x onerror=alert(1)> y", "!<img"),
            ("## Hi {onclick=alert(1)}", "!onclick"),
            ("## Hi {#a\"b}", "!a\"b"),
            ("[x](javascript:alert(1))", r##"<a href="#">x</a>"##),
            ("[x](JavaScript:alert(1))", r##"<a href="#">x</a>"##),
            ("[x](  vbscript:msgbox)", r##"<a href="#">x</a>"##),
            ("[x](<java\tscript:alert(1)>)", r##"<a href="#">x</a>"##),
            ("<javascript:alert(1)>", "!href=\"javascript"),
            ("[x](data:text/html;base64,AAAA)", r##"<a href="#">x</a>"##),
            ("![x](data:image/png;base64,AAAA)", r#"src="data:image/png;base64,AAAA""#),
            ("![x](javascript:alert(1))", r##"src="#""##),
            ("[ok](https://example.com/a?b=1)", r#"href="https://example.com/a?b=1""#),
        ];
        for (input, fragment) in cases {
            check(input, fragment);
        }
    }

    #[test]
    fn raw_html_passes_through_when_allowed() {
        let allow = MarkdownOptions {
            allow_raw_html: true,
        };
        let out = render(
            "<script>alert(1)</script>\n\nInline <kbd>Ctrl</kbd>",
            &allow,
        )
        .html;
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
        assert_eq!(r.first_heading, Some((1, "Outage".to_owned())));
        let r = render("Text\n\n### A *b* & c", &MarkdownOptions::default());
        assert_eq!(r.first_heading, Some((3, "A b & c".to_owned())));
    }

    #[test]
    fn plain_text_and_word_count() {
        let doc = "# Title\nSome **bold**er text\nwith `code`.\n\n- one\n- two\n\n<p>x</p>";
        let r = render(&format!("{doc}\n\n{TABLE}"), &MarkdownOptions::default());
        let expected = "Title Some bolder text with code. one two a b 1 2";
        assert_eq!(r.plain_text, expected);
        assert_eq!(r.word_count, 12);
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
#[test]
fn zz_perf() {
    let prose = "## Summary\n\nOn Tuesday the primary database in us-east-1 ran out of disk after a runaway migration filled the WAL volume, and writes failed for 42 minutes. The on-call engineer was paged by the *disk usage* alert at 10:02 and [escalated](https://wiki/esc) to the DBA team.\n\n".repeat(20);
    let o = Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS | Options::ENABLE_HEADING_ATTRIBUTES;
    let d = &prose;
    let mut n = 0;
    let t = std::time::Instant::now();
    for _ in 0..10000 { n += Parser::new_ext(d, o).count(); }
    eprintln!("count: {:?} ({n})", t.elapsed());
    let t = std::time::Instant::now();
    for _ in 0..10000 { let mut c = Collapser::default(); for e in Parser::new_ext(d, o) { if let Event::Text(t) = e { c.push(&t) } } n += c.words; }
    eprintln!("collapse: {:?} ({n})", t.elapsed());
    let t = std::time::Instant::now();
    for _ in 0..10000 { let mut s = String::new(); html::push_html(&mut s, Parser::new_ext(d, o)); n += s.len(); }
    eprintln!("plain: {:?} ({n})", t.elapsed());
    let t = std::time::Instant::now();
    for _ in 0..10000 { let mut s = String::new(); html::push_html(&mut s, Parser::new_ext(d, o).flat_map(|e| None.into_iter().chain(Some(e)).chain(None))); n += s.len(); }
    eprintln!("flatmap: {:?} ({n})", t.elapsed());
    let t = std::time::Instant::now();
    for _ in 0..10000 { let mut s = String::with_capacity(d.len() * 3 / 2); html::push_html(&mut s, Parser::new_ext(d, o)); n += s.len(); }
    eprintln!("presized: {:?} ({n})", t.elapsed());
    let t = std::time::Instant::now();
    for _ in 0..10000 { n += render(d, &MarkdownOptions::default()).html.len(); }
    eprintln!("ours: {:?} ({n})", t.elapsed());
}
