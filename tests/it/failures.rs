//! Whole-build outcomes: `--strict`, operational failures (exit 2), and what happens to the
//! output folder in each case.

use crate::diagnostics::GOOD;
use crate::support::{Site, entries, postmortem, tree};

fn warning_only_site() -> Site {
    Site::new().file("content/good.md", GOOD).file(
        "content/odd.md",
        postmortem("Odd", "root_cause: cosmic-rays\n"),
    )
}

#[test]
fn warnings_alone_exit_zero() {
    let build = warning_only_site().build();
    assert!(build.stderr.contains("content/odd.md:3:13: warning[H009]: root_cause: unknown root-cause category \"cosmic-rays\""), "{}", build.stderr);
    build.assert_code(0);
    assert!(build.has("incidents/odd/"));
}

#[test]
fn strict_with_warnings_writes_nothing() {
    let site = warning_only_site();
    let build = site.build_with(&["--strict"]);
    build.assert_code(1);
    assert!(build.stderr.contains("warning[H009]"), "{}", build.stderr);
    assert!(
        build.stdout.starts_with("nothing written (--strict): "),
        "{}",
        build.stdout
    );
    assert!(
        !build.out.exists(),
        "--strict must not create the output folder"
    );
    assert_eq!(
        entries(site.root()),
        ["content".to_string()].into(),
        "no staging folders left"
    );
}

#[test]
fn strict_leaves_previous_output_byte_identical() {
    let site = Site::new().file("content/good.md", GOOD);
    site.build().assert_code(0);
    let before = tree(&site.root().join("public"));
    assert!(before.contains_key("incidents/good/index.html"));
    let site = site.file(
        "content/odd.md",
        postmortem("Odd", "root_cause: cosmic-rays\n"),
    );
    let build = site.build_with(&["--strict"]);
    build.assert_code(1);
    assert_eq!(
        tree(&build.out),
        before,
        "the previous output must be untouched"
    );
}

#[test]
fn broken_template_exits_2_and_keeps_previous_output() {
    let site = Site::new().file("content/good.md", GOOD);
    site.build().assert_code(0);
    let before = tree(&site.root().join("public"));
    let site = site.file(
        "templates/base.html",
        "<html>{% block content %}{{ oops </html>",
    );
    let build = site.build();
    build.assert_code(2);
    assert!(
        build.stderr.starts_with("error: template error"),
        "{}",
        build.stderr
    );
    assert!(
        build.stderr.contains("'base.html'"),
        "names the template: {}",
        build.stderr
    );
    assert_eq!(build.stdout, "");
    assert_eq!(
        tree(&build.out),
        before,
        "the previous output must be untouched"
    );
    let left: Vec<String> = entries(site.root()).into_iter().collect();
    assert_eq!(
        left,
        ["content", "public", "templates"],
        "no staging folders left"
    );
}

/// The site header is made apart from the pages (once per depth and section) and reaches
/// them ready-made: when it fails, the error names `header.html` and what failed, not the
/// page that went without it.
#[test]
fn a_header_failing_at_render_time_names_the_header() {
    let site = Site::new().file("content/good.md", GOOD).file(
        "templates/header.html",
        "<header>{{ no_such_header_value }}</header>",
    );
    let build = site.build();
    build.assert_code(2);
    assert!(
        build.stderr.contains("template error in header.html")
            && build.stderr.contains("no_such_header_value"),
        "{}",
        build.stderr
    );
}

/// A template that parses but fails while rendering a page fails mid-build, after pages
/// have started to be written: the half-written site must vanish.
#[test]
fn template_failing_at_render_time_exits_2_and_keeps_previous_output() {
    let site = Site::new().file("content/good.md", GOOD);
    site.build().assert_code(0);
    let before = tree(&site.root().join("public"));
    let site = site.file("templates/facet_term.html", "<p>{{ no_such_variable }}</p>");
    let build = site.build();
    build.assert_code(2);
    assert!(
        build.stderr.contains("no_such_variable"),
        "{}",
        build.stderr
    );
    // The page it failed on is named too (whichever of the term pages failed first).
    let named = build.stderr.lines().any(|line| {
        line.starts_with("error: template error in facet_term.html, on ")
            && line.contains("/index.html: Failed to render 'facet_term.html'")
    });
    assert!(named, "{}", build.stderr);
    assert_eq!(
        tree(&build.out),
        before,
        "the previous output must be untouched"
    );
    let left: Vec<String> = entries(site.root()).into_iter().collect();
    assert_eq!(
        left,
        ["content", "public", "templates"],
        "no staging folders left"
    );
}

#[test]
fn bad_config_exits_2_naming_file_and_position() {
    let build = Site::new()
        .config("title = \"Archive\"\ntitel = \"typo\"\n")
        .file("content/good.md", GOOD)
        .build();
    build.assert_code(2);
    // Today this prints `hindsight.toml: 2:1: …`; `hindsight.toml:2:1: …` would match the
    // content diagnostics, so only the parts are pinned.
    let first = build.stderr.lines().next().unwrap_or_default();
    for part in ["error: ", "hindsight.toml", "2:1", "unknown field `titel`"] {
        assert!(first.contains(part), "{part:?} missing from {first:?}");
    }
    assert!(!build.out.exists());
}

#[test]

fn output_folder_holding_the_content_is_refused() {
    for output in [".", "content"] {
        let site = Site::new()
            .file("content/good.md", GOOD)
            .file("notes.txt", "not part of the site");
        let target = site.root().join(output);
        let build = site.build_with(&["--output", target.to_str().unwrap()]);
        assert!(
            site.root().join("content/good.md").is_file(),
            "--output {output} deleted the content"
        );
        assert!(site.root().join("notes.txt").is_file());
        build.assert_code(2);
    }
}

#[test]

fn missing_root_is_a_usage_error() {
    let parent = tempfile::tempdir().unwrap();
    let root = parent.path().join("no-such-site");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .args(["build", "--root", root.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no-such-site"), "{stderr}");
    assert!(
        !root.exists(),
        "nothing is created for a root that does not exist"
    );
}

#[test]
fn build_prints_the_first_problems_in_full_and_counts_the_rest() {
    let mut site = Site::new().file(
        "content/broken.md",
        "---\ntitle: Broken\nstarted_at: 2024-13-40\n---\nBody.\n",
    );
    for i in 0..24 {
        site = site.file(
            &format!("content/n{i:02}.md"),
            "---\nseverity: SEV2\n---\nBody.\n",
        );
    }
    let build = site.build();
    let full = build.stderr.matches("warning[H011]").count();
    assert_eq!(full, 19, "{}", build.stderr);
    assert!(build.stderr.contains("error[H005]"), "errors come first");
    assert!(
        build.stderr.contains("5 more not shown in full"),
        "{}",
        build.stderr
    );
    assert!(
        build.stderr.contains(
            "H011 warning × 5: content/n19.md, content/n20.md, content/n21.md, … (5 files)"
        ),
        "{}",
        build.stderr
    );
    let all = site.build_with(&["--max-diagnostics", "0"]);
    assert_eq!(all.stderr.matches("warning[H011]").count(), 24);
}
