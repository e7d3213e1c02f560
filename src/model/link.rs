//! Which link targets from content a page may carry: `http`, `https` and `mailto` URLs and
//! relative references. Anything else (`javascript:`, `data:`, `vbscript:`, `file:`, an
//! app's own scheme) is shown as text instead and reported (H022), so an author's link can
//! never run a script in a reader's browser.

/// The schemes a link from content may use.
pub const ALLOWED_SCHEMES: [&str; 3] = ["http", "https", "mailto"];

/// Whether `url` may be a link's target. The scheme is read as a browser reads it:
/// leading spaces and control characters are skipped and tabs and line breaks anywhere
/// are ignored, so `\tjava\nscript:` is `javascript:`, and case does not matter.
pub fn is_allowed(url: &str) -> bool {
    match scheme(url) {
        Some(scheme) => ALLOWED_SCHEMES
            .iter()
            .any(|allowed| scheme.eq_ignore_ascii_case(allowed)),
        None => true,
    }
}

/// The scheme of `url` as a browser would find it, or `None` for a relative reference.
fn scheme(url: &str) -> Option<String> {
    let cleaned: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let end = cleaned.find([':', '/', '?', '#'])?;
    if !cleaned[end..].starts_with(':') {
        return None;
    }
    // What comes before the colon is a scheme only if it has a scheme's shape; else a
    // browser reads the whole as a relative path ("notes 12:30.md").
    let scheme = &cleaned[..end];
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| scheme.to_string())
}

#[cfg(test)]
mod tests {
    use super::is_allowed;

    #[test]
    fn allows_web_mail_and_relative_links_only() {
        for (url, allowed) in [
            ("https://status.example.com/incidents/42", true),
            ("HTTP://example.com", true),
            ("mailto:sre@example.com", true),
            ("../2023/db-failover.md", true),
            ("#timeline", true),
            ("/runbooks/redis/", true),
            ("?q=redis", true),
            ("runbook.md#step-2", true),
            ("page?at=12:30", true),
            ("javascript:alert(1)", false),
            ("JaVaScRiPt:alert(1)", false),
            ("  javascript:alert(1)", false),
            ("\u{1}javascript:alert(1)", false),
            ("java\tscript:alert(1)", false),
            ("java\nscript:alert(1)", false),
            ("vbscript:msgbox", false),
            ("data:text/html,<script>alert(1)</script>", false),
            ("data:image/png;base64,AAAA", false),
            ("file:///etc/passwd", false),
            ("slack://channel?id=1", false),
            ("notes 12:30.md", true),
        ] {
            assert_eq!(is_allowed(url), allowed, "{url:?}");
        }
    }
}
