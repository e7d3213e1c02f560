//! Links from a postmortem to other Markdown files, resolved as pages resolve them, for
//! the check that each names a postmortem of the site (H018).

use crate::parse::frontmatter::Pos;
use crate::parse::infer::doc::{Doc, Line, LineKind};
use crate::parse::markdown;

/// Whether `text` has ".md", ".MD" or ".markdown" anywhere, as most postmortems do not: a
/// few vectorized substring searches say so faster than reading each line for links.
/// (Mixed-case extensions such as ".Md" are not looked for.)
pub(super) fn mentions_markdown_file(text: &str) -> bool {
    [".md", ".MD", ".markdown"]
        .iter()
        .any(|extension| text.contains(extension))
}

/// Relative links to Markdown files in the body: `[x](../2023/a.md#timeline)` and
/// `[x]: other.md`, as the target's path from the site root (as `markdown.rs` resolves
/// them) and the position of the link's destination.
pub(super) fn links(doc: &Doc<'_>, path: &str) -> Vec<(String, Pos)> {
    let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
    let mut found = Vec::new();
    for line in &doc.lines {
        if matches!(line.kind, LineKind::Code | LineKind::Blank | LineKind::Rule) {
            continue;
        }
        let raw = line.raw;
        if !mentions_markdown_file(raw) {
            continue;
        }
        let mut push = |dest: &str, line: &Line<'_>| {
            if let Some(target) = resolve_link(dir, dest) {
                found.push((
                    target,
                    Pos {
                        line: line.number,
                        col: line.col_of(dest),
                    },
                ));
            }
        };
        // `[label]: dest` reference definitions.
        let trimmed = raw.trim_start();
        if trimmed.starts_with('[')
            && let Some(close) = trimmed.find("]:")
        {
            let dest = trimmed[close + 2..].trim_start();
            let dest = match dest.strip_prefix('<') {
                Some(inner) => inner.split('>').next().unwrap_or_default(),
                None => dest.split_whitespace().next().unwrap_or_default(),
            };
            push(dest, line);
        }
        let mut rest = raw;
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let before = &raw[..raw.len() - rest.len() + at];
            rest = after;
            // Inside a code span the text is not a link.
            if before.matches('`').count() % 2 == 1 {
                continue;
            }
            let dest = match after.strip_prefix('<') {
                Some(inner) => inner.split('>').next().unwrap_or_default(),
                None => {
                    let end = after
                        .find(|c: char| c == ')' || c.is_whitespace())
                        .unwrap_or(after.len());
                    &after[..end]
                }
            };
            push(dest, line);
        }
    }
    found
}

/// The same resolution as `markdown::source_link`: relative `.md`/`.markdown` links only,
/// joined to the document's folder, `..` allowed up to the site root; percent escapes are
/// decoded as the site decodes them.
fn resolve_link(dir: &str, dest: &str) -> Option<String> {
    let (path, _) = markdown::link_target(dir, dest)?;
    Some(markdown::decode_href(&path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_resolve_like_the_renderer() {
        for (dest, expected) in [
            ("../2023/a.md", Some("content/2023/a.md")),
            ("b.md#timeline", Some("content/2024/b.md")),
            ("caf%C3%A9.md", Some("content/2024/café.md")),
            ("../../../x.md", None),
            ("https://example.com/a.md", None),
            ("notes.txt", None),
        ] {
            assert_eq!(
                resolve_link("content/2024", dest).as_deref(),
                expected,
                "{dest}"
            );
        }
        let doc = Doc::parse(
            "See [a](../2023/a.md) and `[b](c.md)`.\n\n[ref]: <d e.md>\n",
            1,
        );
        let found: Vec<(String, u32, u32)> = links(&doc, "content/2024/x.md")
            .into_iter()
            .map(|(t, p)| (t, p.line, p.col))
            .collect();
        assert_eq!(
            found,
            [
                ("content/2023/a.md".to_string(), 1, 9),
                ("content/2024/d e.md".to_string(), 3, 9)
            ]
        );
    }
}
