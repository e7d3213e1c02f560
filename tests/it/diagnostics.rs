//! Bad input: what is printed (file:line:col in the whole file, code, field), the exit code,
//! and that the rest of the site is still written.

use crate::support::{Build, Site, postmortem};

pub(crate) const GOOD: &str = "---\ntitle: Good\nseverity: SEV2\nstarted_at: 2024-01-01T09:00:00Z\nservices: [web-app]\n---\nFine.\n";

/// A site with one good postmortem and `content/bad.md` holding `bad`.
fn build_with_bad(bad: impl AsRef<[u8]>) -> Build {
    Site::new()
        .file("content/good.md", GOOD)
        .file("content/bad.md", bad)
        .build()
}

/// The good incident and the site around it are written whatever `bad.md` holds.
fn assert_rest_of_site_written(build: &Build) {
    for page in [
        "index.html",
        "404.html",
        "incidents/",
        "incidents/good/",
        "services/",
        "severities/sev2/",
    ] {
        assert!(
            build.has(page),
            "{page} missing; written: {:?}",
            build.pages()
        );
    }
    assert_eq!(build.listed("services/web-app/"), ["good"]);
}

/// Checks one bad file: the headline on stderr, the exit code, and whether `bad.md` still
/// got its page (field problems do; files that cannot be read at all are skipped).
fn check(bad: impl AsRef<[u8]>, headline: &str, code: i32, bad_page_written: bool) {
    let build = build_with_bad(bad);
    assert!(
        build.stderr.contains(headline),
        "stderr lacks {headline:?}:\n{}",
        build.stderr
    );
    build.assert_code(code);
    assert_rest_of_site_written(&build);
    assert_eq!(
        build.has("incidents/bad/"),
        bad_page_written,
        "page for bad.md"
    );
}

#[test]
fn unknown_severity() {
    check(
        "---\ntitle: x\nseverity: SEV9\n---\nbody",
        "content/bad.md:3:11: error[H003]: severity: unknown value \"SEV9\" (expected one of SEV1, SEV2, SEV3, SEV4)",
        1,
        true,
    );
}

#[test]
fn unknown_severity_shows_the_line_and_a_caret() {
    let build = build_with_bad("---\ntitle: x\nseverity: SEV9\n---\nbody");
    let expected = "content/bad.md:3:11: error[H003]: severity: unknown value \"SEV9\" (expected one of SEV1, SEV2, SEV3, SEV4)\n  |\n3 | severity: SEV9\n  |           ^\n";
    assert!(build.stderr.contains(expected), "{}", build.stderr);
}

#[test]
fn positions_survive_a_byte_order_mark_and_crlf() {
    check(
        "\u{feff}---\r\ntitle: x\r\nseverity: SEV9\r\n---\r\nbody\r\n",
        "content/bad.md:3:11: error[H003]: severity: unknown value \"SEV9\"",
        1,
        true,
    );
}

#[test]
fn unknown_severity_in_toml_front_matter() {
    check(
        "+++\ntitle = \"x\"\n\nseverity = \"SEV9\"\n+++\nbody",
        "content/bad.md:4:12: error[H003]: severity: unknown value \"SEV9\"",
        1,
        true,
    );
}

#[test]
fn yaml_syntax_error() {
    check(
        "---\ntitle: x\nseverity: SEV2\nsummary: a: b\n---\nbody",
        "content/bad.md:4:11: error[H002]: mapping values are not allowed in this context",
        1,
        false,
    );
}

#[test]
fn toml_syntax_error() {
    check(
        "+++\ntitle = \"x\"\nseverity = SEV1\n+++\nbody",
        "content/bad.md:3:12: error[H002]: string values must be quoted",
        1,
        false,
    );
}

#[test]
fn unterminated_front_matter() {
    check(
        "---\ntitle: x\nseverity: SEV1\n\nThe body, but the block was never closed.\n",
        "content/bad.md:1:1: error[H002]: front matter is not terminated: expected a closing `---` line",
        1,
        false,
    );
}

#[test]
fn wrong_type() {
    check(
        "---\ntitle: x\nservices: {a: 1}\n---\nbody",
        "content/bad.md:3:11: error[H004]: services: expected a string or a list of strings, found map",
        1,
        true,
    );
}

#[test]
fn wrong_type_inside_a_list_counts_columns_in_characters() {
    check(
        "---\ntitle: x\nservices: [数据库, {a: 1}]\n---\nbody",
        "content/bad.md:3:17: error[H004]: services: expected a string, found map",
        1,
        true,
    );
}

#[test]
fn unparseable_timestamp() {
    check(
        "---\ntitle: x\nstarted_at: next tuesday\n---\nbody",
        "content/bad.md:3:13: error[H005]: started_at: \"next tuesday\": expected a date and time such as 2024-02-10T09:00:00Z",
        1,
        true,
    );
}

#[test]
fn impossible_date() {
    check(
        "---\ntitle: x\nstarted_at: 2024-02-30\n---\nbody",
        "content/bad.md:3:13: error[H005]: started_at: \"2024-02-30\": 2024-02-30 is not a date in the calendar",
        1,
        true,
    );
}

#[test]
fn resolved_before_started() {
    check(
        "---\ntitle: x\nstarted_at: 2024-03-01T10:00:00Z\nresolved_at: 2024-03-01T09:00:00Z\n---\nbody",
        "content/bad.md:4:14: error[H006]: resolved_at: resolved_at is before started_at (2024-03-01 09:00 < 2024-03-01 10:00)",
        1,
        true,
    );
}

#[test]
fn not_utf8() {
    check(
        b"---\ntitle: caf\xe9 outage\n---\nbody".as_slice(),
        "content/bad.md:2:11: error[H001]: file is not valid UTF-8",
        1,
        false,
    );
}

#[test]
fn a_file_over_the_size_limit_is_skipped_naming_its_size() {
    let mut huge = b"---\ntitle: Logs pasted whole\n---\n".to_vec();
    huge.resize(17 * 1024 * 1024, b'a');
    check(
        huge,
        "content/bad.md: error[H014]: file is 17 MiB, more than the 16 MiB limit",
        1,
        false,
    );
}

#[test]
fn empty_file_is_a_warning() {
    let headline = "content/bad.md: warning[H008]: file is empty; no page was written";
    check("", headline, 0, false);
    check(" \n\n\t\n", headline, 0, false);
}

#[test]
fn duplicate_slugs_keep_the_first_file() {
    let build = Site::new()
        .file("content/good.md", GOOD)
        .file("content/2023/outage.md", postmortem("First outage", ""))
        .file("content/2024/outage.md", postmortem("Second outage", ""))
        .build();
    let expected = "content/2024/outage.md: error[H007]: slug: duplicate slug \"outage\", already used by content/2023/outage.md; this file was skipped";
    assert!(build.stderr.contains(expected), "{}", build.stderr);
    build.assert_code(1);
    assert_rest_of_site_written(&build);
    assert!(
        build
            .page("incidents/outage/")
            .contains("<h1>First outage</h1>")
    );
}

#[test]

fn duplicate_slug_field_points_at_its_line() {
    let build = Site::new()
        .file("content/a.md", "---\ntitle: A\nslug: same\n---\n")
        .file("content/b.md", "---\ntitle: B\nslug: same\n---\n")
        .build();
    assert!(
        build
            .stderr
            .contains("content/b.md:3:7: error[H007]: slug: duplicate slug \"same\""),
        "{}",
        build.stderr
    );
}

#[test]

fn unknown_related_slug_points_at_its_line() {
    let build = build_with_bad("---\ntitle: x\nrelated: [good, no-such-incident]\n---\n");
    assert!(
        build.stderr.contains("content/bad.md:3:17: warning[H013]: related: related incident \"no-such-incident\" does not exist"),
        "{}",
        build.stderr
    );
}

#[test]
fn summary_line_counts_errors_and_warnings() {
    let build = Site::new()
        .file("content/good.md", GOOD)
        .file("content/bad.md", "---\ntitle: x\nseverity: SEV9\n---\n")
        .file("content/empty.md", "")
        .build();
    build.assert_code(1);
    assert!(
        build.stdout.starts_with("built 2 incidents, "),
        "{}",
        build.stdout
    );
    assert!(
        build.stdout.contains(" pages, 1 warning, 1 error in "),
        "{}",
        build.stdout
    );
}
