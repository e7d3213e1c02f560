//! The authoring commands: `new` (a postmortem from a template), `init` (a knowledge base)
//! and `import` (front matter from prose), each through the real binary.

use std::fs;
use std::process::Output;

use crate::check::hindsight;
use crate::support::{Site, fact, repo_root};

fn text(output: &[u8]) -> String {
    String::from_utf8_lossy(output).into_owned()
}

fn assert_ok(output: &Output) {
    assert_eq!(
        output.status.code(),
        Some(0),
        "--- stdout\n{}--- stderr\n{}",
        text(&output.stdout),
        text(&output.stderr)
    );
}

const SEED: &str = include_str!("../../content/2024/web-app-caching-layer-outage.md");

#[test]
fn new_writes_a_dated_postmortem_that_checks_clean() {
    let site = Site::new().config("[[services]]\nname = \"checkout-api\"\n");
    let output = hindsight(
        site.root(),
        &[
            "new",
            "Cache stampede on checkout",
            "--service",
            "Checkout-API",
            "--category",
            "Caching",
            "--severity",
            "sev-2",
            "--started",
            "2024-02-10 09:00",
        ],
    );
    assert_ok(&output);
    assert_eq!(
        text(&output.stdout),
        "./content/2024/2024-02-10-cache-stampede-on-checkout.md\n"
    );
    let written = fs::read_to_string(
        site.root()
            .join("content/2024/2024-02-10-cache-stampede-on-checkout.md"),
    )
    .unwrap();
    insta::assert_snapshot!("new_postmortem", written);
    let checked = hindsight(site.root(), &["check", "--strict"]);
    assert_ok(&checked);
    assert_eq!(
        text(&checked.stdout),
        "checked 1 file: 0 errors, 0 warnings\n"
    );
    let built = site.build_with(&["--drafts"]);
    built.assert_code(0);
    let page = built.page("incidents/2024-02-10-cache-stampede-on-checkout/");
    assert_eq!(fact(&page, "Services").as_deref(), Some("checkout-api"));
    assert_eq!(fact(&page, "Status").as_deref(), Some("draft"));
}

#[test]
fn new_files_under_today_and_never_overwrites() {
    let site = Site::new();
    // SOURCE_DATE_EPOCH 1718000000 is 2024-06-10.
    let first = hindsight(site.root(), &["new", "Queue backlog"]);
    assert_ok(&first);
    let path = site.root().join("content/2024/2024-06-10-queue-backlog.md");
    fs::write(&path, "edited by hand").unwrap();
    let second = hindsight(site.root(), &["new", "Queue backlog"]);
    assert_eq!(second.status.code(), Some(2));
    assert_eq!(
        text(&second.stderr),
        "error: refusing to overwrite ./content/2024/2024-06-10-queue-backlog.md\n"
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), "edited by hand");
}

#[test]
fn new_rejects_unknown_values_with_a_suggestion() {
    let site = Site::new();
    let output = hindsight(site.root(), &["new", "X", "--category", "cachng"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        text(&output.stderr),
        "error: unknown category \"cachng\"; did you mean `caching`?\n"
    );
    assert!(!site.root().join("content").exists());
}

#[test]
fn the_site_can_replace_the_new_template() {
    let site = Site::new().file(
        "templates/new.md",
        "---\ntitle: {{ title | yaml }}\nstatus: draft\nteam: payments\n---\n\n# {{ title }} ({{ date }})\n",
    );
    assert_ok(&hindsight(site.root(), &["new", "Card \"declines\""]));
    let written =
        fs::read_to_string(site.root().join("content/2024/2024-06-10-card-declines.md")).unwrap();
    assert_eq!(
        written,
        "---\n# yaml-language-server: $schema=../../.hindsight/schema.json\ntitle: \"Card \\\"declines\\\"\"\nstatus: draft\nteam: payments\n---\n\n# Card \"declines\" (2024-06-10)\n"
    );
    // The site's own template gets the schema modeline too (see `init_and_new_point_…`).
    // A build reads templates/ as theme overrides; new.md must not break it.
    site.build().assert_code(0);
}

#[test]
fn init_creates_a_knowledge_base_that_checks_and_builds_clean() {
    let site = Site::new();
    let output = hindsight(site.root(), &["init", "kb"]);
    assert_ok(&output);
    insta::assert_snapshot!("init_output", text(&output.stdout));
    let kb = site.root().join("kb");
    assert_eq!(
        fs::read_to_string(kb.join(".gitignore")).unwrap(),
        "# The built site: `hindsight build` writes it, CI publishes it.\n/public/\n"
    );
    let workflow = fs::read_to_string(kb.join(".github/workflows/hindsight.yml")).unwrap();
    assert_eq!(
        workflow,
        fs::read_to_string(crate::support::repo_root().join("docs/ci/github-actions.yml")).unwrap(),
        "init writes the workflow docs/ci documents"
    );
    assert!(workflow.contains("hindsight check --format github"));
    assert!(workflow.contains("hindsight build"));
    let checked = hindsight(&kb, &["check", "--strict"]);
    assert_ok(&checked);
    assert_eq!(
        text(&checked.stdout),
        "checked 1 file: 0 errors, 0 warnings\n"
    );
    let built = hindsight(&kb, &["build"]);
    assert_ok(&built);
    assert_eq!(text(&built.stderr), "");
    assert!(
        kb.join("public/incidents/2024-01-15-checkout-errors-after-pool-change/index.html")
            .is_file()
    );
}

#[test]
fn init_refuses_a_non_empty_folder_unless_forced() {
    let site = Site::new()
        .file("notes.md", "mine")
        .file(".gitignore", "target/");
    let refused = hindsight(site.root(), &["init"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused.stderr).contains("is not empty (pass --force"));
    assert!(!site.root().join("hindsight.toml").exists());
    let forced = hindsight(site.root(), &["init", "--force"]);
    assert_ok(&forced);
    assert!(text(&forced.stdout).contains("updated ./.gitignore"));
    assert_eq!(
        fs::read_to_string(site.root().join("notes.md")).unwrap(),
        "mine"
    );
    assert_eq!(
        fs::read_to_string(site.root().join(".gitignore")).unwrap(),
        "target/\n# The built site: `hindsight build` writes it, CI publishes it.\n/public/\n"
    );
    // Again: nothing left to add, nothing replaced.
    let again = hindsight(site.root(), &["init", "--force"]);
    assert_ok(&again);
    assert!(
        !text(&again.stdout).contains("created"),
        "{}",
        text(&again.stdout)
    );
}

/// The facts of an incident page that import must keep.
fn facts(page: &str) -> Vec<Option<String>> {
    [
        "Services",
        "Root cause",
        "Started",
        "Detected",
        "Resolved",
        "Duration",
        "TTD",
    ]
    .iter()
    .map(|label| fact(page, label).map(|f| f.replace(" inferred", "")))
    .collect()
}

#[test]
fn import_round_trip_keeps_the_body_and_the_page() {
    let config = fs::read_to_string(repo_root().join("hindsight.toml")).unwrap();
    let site = Site::new()
        .config(&config)
        .file("content/2024/web-app-caching-layer-outage.md", SEED);
    let file = site
        .root()
        .join("content/2024/web-app-caching-layer-outage.md");
    let before = site.build();
    let page_before = before.page("incidents/web-app-caching-layer-outage/");

    let dry = hindsight(site.root(), &["import", "--dry-run", "content"]);
    assert_ok(&dry);
    insta::assert_snapshot!("import_dry_run", text(&dry.stdout));
    assert_eq!(
        fs::read_to_string(&file).unwrap(),
        SEED,
        "--dry-run wrote the file"
    );

    assert_ok(&hindsight(site.root(), &["import", "content"]));
    let imported = fs::read(&file).unwrap();
    assert!(imported.starts_with(b"---\n"));
    assert!(
        imported.ends_with(SEED.as_bytes()),
        "the body is byte-identical"
    );

    let again = hindsight(site.root(), &["import", "content"]);
    assert_ok(&again);
    assert_eq!(
        text(&again.stdout),
        "imported 0 files; 1 already had front matter; 0 skipped\n"
    );
    assert_eq!(
        fs::read(&file).unwrap(),
        imported,
        "a second import changes nothing"
    );

    let after = site.build();
    assert!(!after.stderr.contains("H010"), "{}", after.stderr);
    let page_after = after.page("incidents/web-app-caching-layer-outage/");
    assert_eq!(facts(&page_after), facts(&page_before));
    assert_eq!(
        after.listed("causes/caching/"),
        before.listed("causes/caching/")
    );
    assert!(crate::support::text(&page_after).contains("0 of 5 done · 5 open"));
}

/// Runs the binary with its stdout a pipe nobody reads any more (`… | head` after `head`
/// is done): every write fails with a broken pipe.
fn with_closed_stdout(args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    std::process::Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .args(args)
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("run the hindsight binary")
}

#[test]
fn output_into_a_closed_pipe_ends_quietly_and_the_work_is_done() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let site = dir.path().join("kb");
    let site = site.to_str().expect("a UTF-8 path");
    // `init` prints a line per file it creates; `schema` prints the schema.
    for args in [vec!["init", site], vec!["schema", "--root", site]] {
        let output = with_closed_stdout(&args);
        let stderr = text(&output.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
    }
    let config = fs::read_to_string(dir.path().join("kb/hindsight.toml")).expect("init wrote");
    assert!(config.contains("title"), "{config}");
}
