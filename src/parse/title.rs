//! A title for a postmortem that has no `title`: the document's first heading, else the
//! site's `[fields] title_template` over its other fields, else its file name made
//! readable. Archives name files by date (`2024-02-10-cache-outage.md`) or by an ID from
//! another system (`8f14e45f-ceea-467f-a0e5-b3a1e2c4d5f6.md`, `PM2019-009.md`); only a
//! real date prefix is ever cut from a name, and an opaque ID is the title only when
//! nothing better exists.

use crate::model::field::Field;
use crate::model::incident::Rendered;
use crate::model::vocab::term_key;

/// Headings that name the kind of document, not the incident.
const GENERIC_HEADINGS: &[&str] = &[
    "postmortem",
    "post-mortem",
    "post mortem",
    "incident report",
    "postmortem report",
    "incident postmortem",
    "summary",
];

/// The first heading of the body, unless it only says "Postmortem".
pub fn from_heading(body: &Rendered) -> Option<String> {
    let (_, heading) = body.first_heading.as_deref()?;
    let heading = heading.trim();
    let lowered = heading.trim_end_matches(':').to_lowercase();
    (!heading.is_empty() && !GENERIC_HEADINGS.contains(&lowered.as_str()))
        .then(|| heading.to_string())
}

/// Removes the body's opening `# Heading` when it repeats `title` (in any spelling
/// [`term_key`] folds) or only names the kind of document ("Postmortem"): the page shows
/// its title once, above the body.
pub fn drop_repeated_heading(body: &mut Rendered, title: &str) {
    let Some((1, heading)) = body.first_heading.as_deref() else {
        return;
    };
    let lowered = heading.trim().trim_end_matches(':').to_lowercase();
    let repeats =
        term_key(heading) == term_key(title) || GENERIC_HEADINGS.contains(&lowered.as_str());
    let html = body.html.trim_start();
    if !repeats || !html.starts_with("<h1") {
        return;
    }
    let Some(end) = html.find("</h1>") else {
        return;
    };
    body.html = html[end + "</h1>".len()..]
        .trim_start_matches('\n')
        .to_string();
    if body.toc.first().is_some_and(|entry| entry.level == 1) {
        body.toc.remove(0);
    }
    if let Some(sections) = body.sections.as_mut() {
        *sections = sections.get(1..).unwrap_or_default().into();
    }
    // The plain text (search snippets and terms, similar incidents, the quality checklist)
    // starts with the heading's words too, one space apart; they go as they did from the
    // page, and the sections' offsets into the text move with them.
    let words = heading.split_whitespace().collect::<Vec<_>>().join(" ");
    let Some(rest) = body.plain_text.strip_prefix(words.as_str()) else {
        return;
    };
    if !rest.is_empty() && !rest.starts_with(' ') {
        return;
    }
    let cut = body.plain_text.len() - rest.trim_start_matches(' ').len();
    body.plain_text.drain(..cut);
    let cut = u32::try_from(cut).unwrap_or(u32::MAX);
    for span in body
        .sections
        .iter_mut()
        .flat_map(|sections| sections.iter_mut())
    {
        span.start = span.start.saturating_sub(cut);
        span.end = span.end.saturating_sub(cut);
    }
}

/// `template` with each `{field}` replaced by that field's value; `None` when a field it
/// names has no value or is not a field, so a title is never half made.
pub fn from_template(template: &str, value: impl Fn(Field) -> Option<String>) -> Option<String> {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}')? + open;
        let field = Field::parse(rest[open + 1..close].trim())?;
        let text = value(field).filter(|text| !text.trim().is_empty())?;
        out.push_str(text.trim());
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    let title = out.trim();
    (!title.is_empty()).then(|| title.to_string())
}

/// The first sentence of `text`, at most about 80 characters (cut at a word).
pub fn first_sentence(text: &str) -> Option<String> {
    let text = text.trim();
    let end = text
        .char_indices()
        .find(|&(i, c)| matches!(c, '.' | '!' | '?') && text[i + 1..].starts_with([' ', '\n']))
        .map_or(text.len(), |(i, _)| i);
    let sentence = text[..end].trim();
    if sentence.is_empty() {
        return None;
    }
    if sentence.chars().count() <= 80 {
        return Some(sentence.to_string());
    }
    let cut: String = sentence.chars().take(80).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    Some(format!("{}…", cut.trim_end_matches([',', ';', ':'])))
}

/// The file name as a title: a real date prefix (`2024-02-10-`, `20240210_`) removed,
/// hyphens and underscores as spaces, the first letter capitalized. An opaque ID is kept
/// whole.
pub fn from_stem(stem: &str) -> String {
    if is_opaque_id(stem) {
        return stem.to_string();
    }
    let words = without_date_prefix(stem).replace(['-', '_'], " ");
    let words = words.trim();
    let words = if words.is_empty() { stem.trim() } else { words };
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "Untitled incident".to_string(),
    }
}

/// `stem` without a leading `YYYY-MM-DD` or `YYYYMMDD` and the separator after it.
fn without_date_prefix(stem: &str) -> &str {
    let bytes = stem.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .is_some_and(|b| b.iter().all(u8::is_ascii_digit))
    };
    let separator = |at: usize| matches!(bytes.get(at), Some(b'-' | b'_' | b' ' | b'.'));
    let dashed = digits(0..4)
        && bytes.get(4) == Some(&b'-')
        && digits(5..7)
        && bytes.get(7) == Some(&b'-')
        && digits(8..10);
    if dashed && (bytes.len() == 10 || separator(10)) {
        return stem.get(11..).unwrap_or("");
    }
    if digits(0..8) && (bytes.len() == 8 || separator(8)) {
        return stem.get(9..).unwrap_or("");
    }
    stem
}

/// Whether a file name is an ID another system made: a UUID, or a run of hexadecimal
/// digits (a hash) or digits and letters with no word in it.
pub fn is_opaque_id(stem: &str) -> bool {
    let stem = stem.trim();
    let uuid = stem.len() == 36
        && stem.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
    let hex = stem.len() >= 8
        && stem.chars().all(|c| c.is_ascii_hexdigit())
        && stem.chars().any(|c| c.is_ascii_digit());
    uuid || hex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_become_titles() {
        for (stem, title) in [
            ("2024-02-10-cache-outage", "Cache outage"),
            ("20240210_db_failover", "Db failover"),
            ("2024-02-10", "2024-02-10"),
            ("404-errors-on-checkout", "404 errors on checkout"),
            ("5xx_spike", "5xx spike"),
            (
                "8f14e45f-ceea-467f-a0e5-b3a1e2c4d5f6",
                "8f14e45f-ceea-467f-a0e5-b3a1e2c4d5f6",
            ),
            ("d41d8cd98f00b204", "d41d8cd98f00b204"),
            ("PM2019-009", "PM2019 009"),
            ("_", "_"),
        ] {
            assert_eq!(from_stem(stem), title, "{stem}");
        }
        assert!(is_opaque_id("8f14e45f-ceea-467f-a0e5-b3a1e2c4d5f6"));
        assert!(!is_opaque_id("deadbeef-outage"));
        assert!(!is_opaque_id("facade"));
    }

    #[test]
    fn a_leading_heading_that_repeats_the_title_is_dropped() {
        let options = crate::parse::markdown::MarkdownOptions::default();
        for (markdown, title, kept) in [
            ("# Cache outage\n\nBody.\n", "Cache  OUTAGE", false),
            ("# Postmortem\n\nBody.\n", "Cache outage", false),
            ("# Something else\n\nBody.\n", "Cache outage", true),
            ("Intro.\n\n# Cache outage\n", "Cache outage", true),
            ("## Cache outage\n", "Cache outage", true),
        ] {
            let mut body = crate::parse::markdown::render(markdown, &options);
            drop_repeated_heading(&mut body, title);
            assert_eq!(
                body.html.contains("<h1") || body.html.contains("<h2"),
                kept,
                "{markdown:?}: {}",
                body.html
            );
            // The search snippet and terms read the plain text: the heading goes there too.
            let heading_in_text = ["Cache outage", "Postmortem", "Something else"]
                .iter()
                .any(|heading| body.plain_text.contains(heading));
            assert_eq!(heading_in_text, kept, "{markdown:?}: {}", body.plain_text);
        }
        let markdown = "# Cache *outage*\n\nIntro.\n\n## Impact\n\nSlow pages.\n";
        let mut body = crate::parse::markdown::render(markdown, &options);
        drop_repeated_heading(&mut body, "Cache outage");
        assert_eq!(body.plain_text, "Intro. Impact Slow pages.");
        // The sections still point at their own words in the shorter text.
        let span = body.sections.as_deref().unwrap_or_default()[0];
        let heading = &body.plain_text[span.start as usize..span.end as usize];
        assert_eq!((span.level, heading.trim()), (2, "Impact"));
        // Words that merely begin like the heading are not cut.
        let mut body = crate::parse::markdown::render("# Postmortem\n", &options);
        body.plain_text = "Postmortems everywhere".into();
        drop_repeated_heading(&mut body, "Cache outage");
        assert_eq!(body.plain_text, "Postmortems everywhere");
    }

    #[test]
    fn templates_fill_only_when_every_field_has_a_value() {
        let value = |field: Field| match field {
            Field::Services => Some("payments, ledger".to_string()),
            Field::Summary => Some("Retries doubled charges".to_string()),
            _ => None,
        };
        assert_eq!(
            from_template("{services}: {summary}", value).as_deref(),
            Some("payments, ledger: Retries doubled charges")
        );
        assert_eq!(from_template("{services}: {impact}", value), None);
        assert_eq!(from_template("{nonsense}", value), None);
        assert_eq!(from_template("{services", value), None);
    }

    #[test]
    fn first_sentences_are_short() {
        assert_eq!(
            first_sentence("Checkout failed for EU users. Then it recovered.").as_deref(),
            Some("Checkout failed for EU users")
        );
        assert_eq!(
            first_sentence("v1.2 rollout broke login").as_deref(),
            Some("v1.2 rollout broke login")
        );
        let long = "word ".repeat(40);
        let cut = first_sentence(&long).unwrap();
        assert!(cut.ends_with('…') && cut.chars().count() <= 81, "{cut}");
        assert_eq!(first_sentence("  "), None);
    }
}
