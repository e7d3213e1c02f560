//! Invariants shared by the fuzz targets and the property tests, which include this file by
//! path (`tests/it/properties.rs`). Standard library only, so both can build it.

/// Whether front matter strings may hold `c`: every control character is refused but tab and
/// newline (`parse::frontmatter` says why).
pub fn is_refused_control(c: char) -> bool {
    c.is_control() && c != '\t' && c != '\n'
}

/// The length in characters of each line of a text, to check that a position lies in it.
pub struct Lines(Vec<usize>);

impl Lines {
    pub fn new(text: &str) -> Lines {
        Lines(text.split('\n').map(|line| line.chars().count()).collect())
    }

    /// Whether a 1-based `line:col` (columns count characters) is on one of the lines, at
    /// most one column past its end, where "expected more" errors point.
    pub fn contains(&self, line: u32, col: u32) -> bool {
        let chars = (line as usize).checked_sub(1).and_then(|i| self.0.get(i));
        chars.is_some_and(|&chars| col >= 1 && col as usize <= chars + 1)
    }
}

/// The elements the Markdown renderer writes itself; with raw HTML off nothing else may
/// appear, so a `<script>` or an `<iframe>` in the output is a hole.
const ELEMENTS: &[&str] = &[
    "a",
    "blockquote",
    "br",
    "code",
    "del",
    "div",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "img",
    "input",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
];

/// The attributes the renderer writes; an `onclick` would run script.
const ATTRIBUTES: &[&str] = &[
    "alt",
    "aria-label",
    "checked",
    "class",
    "disabled",
    "href",
    "id",
    "src",
    "start",
    "style",
    "title",
    "type",
];

/// The first thing in rendered Markdown that could run script when raw HTML is off: an
/// element or attribute the renderer does not write, or a link or image whose URL a browser
/// would run. `None` when the HTML is inert.
pub fn unsafe_html(html: &str) -> Option<String> {
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let name_len = rest
            .trim_start_matches('/')
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        let name = &rest.trim_start_matches('/')[..name_len];
        if !ELEMENTS.contains(&name) {
            return Some(format!("element <{name}>"));
        }
        let end = rest.find('>').unwrap_or(rest.len());
        if let Some(problem) = unsafe_attributes(&rest[..end]) {
            return Some(format!("<{name}>: {problem}"));
        }
        rest = &rest[end..];
    }
    None
}

/// Checks the attributes of one tag, `tag` being its text after `<` and before `>`. Values
/// are quoted and cannot hold a `"` (the renderer escapes it), so splitting at quotes
/// alternates between names (the even parts) and values (the odd ones).
fn unsafe_attributes(tag: &str) -> Option<String> {
    let mut last = "";
    for (i, part) in tag.split('"').enumerate() {
        if i % 2 == 1 {
            if matches!(last, "href" | "src") && runs_script(part) {
                return Some(format!("url {part:?}"));
            }
            continue;
        }
        // The first part starts with the element's name.
        for name in part.split_whitespace().skip(usize::from(i == 0)) {
            let name = name.trim_end_matches('/').trim_end_matches('=');
            if name.is_empty() {
                continue;
            }
            if !ATTRIBUTES.contains(&name) {
                return Some(format!("attribute {name}"));
            }
            last = name;
        }
    }
    None
}

/// Whether a browser would run a URL, written as an attribute value, as script: entities
/// decoded, leading spaces and control characters dropped and tabs and newlines removed, as
/// the URL parser does.
pub fn runs_script(value: &str) -> bool {
    let url = decode_entities(value);
    let url = url.trim_start_matches(|c: char| c <= ' ');
    let url: String = url
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase();
    url.starts_with("javascript:")
        || url.starts_with("vbscript:")
        || (url.starts_with("data:") && !url.starts_with("data:image/"))
}

/// Decodes the character references an attribute value may hold.
fn decode_entities(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').filter(|&end| end <= 10);
        let decoded = end.and_then(|end| entity(&rest[1..end]));
        match (end, decoded) {
            (Some(end), Some(c)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    let number = |digits: &str, radix| u32::from_str_radix(digits, radix).ok();
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => {
            let code = match name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                Some(hex) => number(hex, 16),
                None => name.strip_prefix('#').and_then(|dec| number(dec, 10)),
            };
            code.and_then(char::from_u32)
        }
    }
}
