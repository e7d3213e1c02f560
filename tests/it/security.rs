//! What an author cannot make a reader's browser do: links from content carry only http,
//! https, mailto or relative targets (anything else is shown as text and reported, H022),
//! and every page carries a Content-Security-Policy that its own markup satisfies.

use crate::check::hindsight;
use crate::support::{Site, attrs, unescape};

const HOSTILE: &str = r#"---
title: Hostile links
severity: SEV2
summary: "See [the dashboard](javascript:alert(1)) and [status](https://status.example.com)"
action_items:
  - title: Rotate the key
    url: "  JaVaScRiPt:alert(document.cookie)"
  - title: Fix the alert
    url: https://tracker.example.com/OPS-1
  - title: Read the runbook
    url: "data:text/html,<script>alert(1)</script>"
dashboard: "javascript:alert(2)"
runbook: https://wiki.example.com/runbook
---

Body with [a trap](vbscript:msgbox) and ![a picture](data:image/png;base64,AAAA)
and [a fine link](../runbooks/redis.md) and [mail](mailto:sre@example.com).
"#;

#[test]
fn links_with_other_schemes_are_text_and_reported() {
    let site = Site::new().file("content/hostile.md", HOSTILE);
    let build = site.build();
    build.assert_code(0);
    let page = build.page("incidents/hostile/");
    let hrefs = attrs(&page, "href");
    let srcs = attrs(&page, "src");
    for target in hrefs.iter().chain(&srcs) {
        let lower = target.to_ascii_lowercase();
        for scheme in ["javascript:", "vbscript:", "data:"] {
            assert!(!lower.trim().starts_with(scheme), "{target} is a link");
        }
    }
    assert!(hrefs.contains(&"https://tracker.example.com/OPS-1".to_string()));
    assert!(hrefs.contains(&"https://status.example.com".to_string()));
    assert!(hrefs.contains(&"mailto:sre@example.com".to_string()));
    assert!(hrefs.contains(&"https://wiki.example.com/runbook".to_string()));
    assert!(
        page.contains("javascript:alert(2)"),
        "an extra field's value is text"
    );
    // The rejected ones are still there, as text.
    assert!(page.contains("Rotate the key"));
    assert!(
        page.contains("(JaVaScRiPt:alert(document.cookie))"),
        "{page}"
    );
    assert!(page.contains("a trap") && page.contains("a picture"));

    // Reported with file, line and field, by build and by check alike.
    let stderr = &build.stderr;
    for expected in [
        "content/hostile.md:4:10: warning[H022]",
        "content/hostile.md:7:10: warning[H022]",
        "content/hostile.md:11:10: warning[H022]",
        "content/hostile.md:16:11: warning[H022]",
        "content/hostile.md:16:41: warning[H022]",
    ] {
        assert!(
            stderr.contains(expected),
            "{expected} missing from:\n{stderr}"
        );
    }
    assert_eq!(stderr.matches("[H022]").count(), 5, "{stderr}");
    let check = hindsight(site.root(), &["check"]);
    let check_out = String::from_utf8_lossy(&check.stdout).to_string()
        + &String::from_utf8_lossy(&check.stderr);
    assert_eq!(check_out.matches("[H022]").count(), 5, "{check_out}");
}

/// A log pasted with its terminal colour codes: the escapes are shown as `␛`, never
/// written raw into the page (HTML forbids them), and reported once with the first one's
/// line; the rest of the page and the site are as usual.
#[test]
fn control_characters_in_a_body_are_shown_as_symbols_and_reported() {
    let site = Site::new().file(
        "content/colours.md",
        "---\ntitle: Colours\nseverity: SEV2\n---\nThe deploy log said:\n\n```\n\u{1b}[31mERROR\u{1b}[0m disk full\n```\n\nA bell \u{7} and a C1 \u{85} in text.\n",
    );
    let build = site.build();
    build.assert_code(0);
    let page = build.page("incidents/colours/");
    assert!(
        page.contains("\u{241b}[31mERROR\u{241b}[0m disk full"),
        "{page}"
    );
    assert!(
        page.contains("A bell \u{2407} and a C1 \u{fffd} in text."),
        "{page}"
    );
    assert!(
        !page
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')),
        "a control character reached the page"
    );
    let expected =
        "content/colours.md:8:1: warning[H029]: control character U+001B in the body and 3 more";
    assert!(
        build.stderr.contains(expected),
        "{expected} missing from:\n{}",
        build.stderr
    );
    assert_eq!(
        build.stderr.matches("[H029]").count(),
        1,
        "{}",
        build.stderr
    );
    let strict = hindsight(site.root(), &["check", "--strict"]);
    assert_eq!(strict.status.code(), Some(1), "a warning fails --strict");
}

#[test]
fn the_trend_page_links_only_allowed_action_items() {
    let site = Site::new().file("content/hostile.md", HOSTILE);
    let build = site.build();
    let trends = build.page("trends/");
    assert!(!trends.to_ascii_lowercase().contains("href=\"  javascript:"));
    assert!(!trends.to_ascii_lowercase().contains("href=\"javascript:"));
    assert!(!trends.contains("href=\"data:"));
}

const FORMULAS: &str = "---\ntitle: \"=HYPERLINK(\\\"https://evil.example\\\",\\\"click\\\")\"\nseverity: SEV2\ntags: [\"@SUM(1+1)\", \"-2+3\", \"plain\"]\nsummary: \"+cmd|' /C calc'!A0\"\n---\nBody.\n";

#[test]
fn csv_cells_a_spreadsheet_would_run_are_neutralised() {
    let site = Site::new().file("content/formulas.md", FORMULAS);
    let csv = site.build().page("data/incidents.csv");
    let row = csv.lines().nth(1).expect("one record");
    assert!(
        row.contains(r#""'=HYPERLINK(""https://evil.example"",""click"")""#),
        "{row}"
    );
    assert!(row.contains("'+cmd|' /C calc'!A0"), "{row}");
    assert!(row.contains("'@SUM(1+1)"), "{row}");
    assert!(
        !row.contains(",=") && !row.contains(",+") && !row.contains(",@"),
        "{row}"
    );

    let raw = Site::new()
        .config("[trends]\ncsv_formula_guard = false\n")
        .file("content/formulas.md", FORMULAS);
    let csv = raw.build().page("data/incidents.csv");
    assert!(csv.contains(r#""=HYPERLINK("#), "{csv}");
}
#[test]
fn pages_carry_a_strict_content_security_policy_they_satisfy() {
    let site = Site::new().file("content/hostile.md", HOSTILE);
    let build = site.build();
    build.assert_code(0);
    for path in build.pages().iter().filter(|p| p.ends_with(".html")) {
        let page = build.page(path);
        assert!(
            unescape(&page).contains(
                "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'self'; style-src 'self';"
            ),
            "{path} has no CSP"
        );
        // What the policy would block: inline scripts, inline styles, event handlers.
        assert!(!page.contains("<script>"), "{path} has an inline script");
        assert!(
            !page.contains(" style=\""),
            "{path} has an inline style attribute"
        );
        assert!(!page.contains("<style"), "{path} has a style element");
        assert!(
            !page.contains(" onclick=") && !page.contains(" onload="),
            "{path} has an event handler"
        );
    }
}

#[test]
fn the_policy_can_be_set_or_turned_off() {
    let site = Site::new()
        .config("[publish]\ncontent_security_policy = \"\"\n")
        .file("content/hostile.md", HOSTILE);
    let page = site.build().page("");
    assert!(!page.contains("Content-Security-Policy"));
}
