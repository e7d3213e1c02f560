//! Adopting an archive a team already keeps (#11): its files build with configuration
//! alone. Empty values mean "not set", and a site decides the level of every problem.

use crate::check::hindsight;
use crate::support::Site;

/// A template-made postmortem: every field present, most of them empty.
const EMPTY_FIELDS: &str = r#"---
title: Payment retries doubled charges
started_at: ""
detected_at: "  "
resolved_at: ~
severity: ""
status: ""
services: ""
root_cause: []
tags: [""]
authors: ~
summary: ""
action_items: ""
related: ""
slug: ""
owner_team: ""
action_items_2: []
---
What happened.
"#;

fn check_output(site: &Site) -> (i32, String) {
    let output = hindsight(site.root(), &["check"]);
    let text = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.code().unwrap_or(-1), text)
}

#[test]
fn empty_values_are_absent_not_errors() {
    let site = Site::new().file("content/2024/pay-1.md", EMPTY_FIELDS);
    let (code, text) = check_output(&site);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("0 errors, 0 warnings"), "{text}");
    let build = site.build();
    build.assert_code(0);
    let page = build.page("incidents/pay-1/");
    assert!(page.contains("Payment retries doubled charges"));
    assert!(
        !page.contains("Owner team"),
        "a blank extra field is not shown"
    );
}

#[test]
fn every_problem_but_an_unreadable_file_can_be_lowered() {
    let site = Site::new()
        .config("[check.levels]\nH005 = \"info\"\nH003 = \"off\"\nH006 = \"warning\"\n")
        .file(
            "content/a.md",
            "---\ntitle: A\nstarted_at: 2024-02-30 10:00\nseverity: SEV9\n---\nBody.\n",
        )
        .file(
            "content/b.md",
            "---\ntitle: B\nstarted_at: 2024-02-10 10:00\nresolved_at: 2024-02-10 09:00\n---\nBody.\n",
        );
    let (code, text) = check_output(&site);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("info[H005]"), "{text}");
    assert!(!text.contains("H003"), "{text}");
    assert!(text.contains("warning[H006]"), "{text}");
    assert!(text.contains("0 errors, 1 warning, 1 note"), "{text}");
    let strict = hindsight(site.root(), &["check", "--strict"]);
    assert_eq!(
        strict.status.code(),
        Some(1),
        "the warning still counts under --strict"
    );

    let fixed = Site::new()
        .config("[check.levels]\nH002 = \"off\"\n")
        .file("content/a.md", "---\ntitle: [\n---\n");
    let (code, text) = check_output(&fixed);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("the level of H002 cannot be changed"),
        "{text}"
    );
}

#[test]
fn titles_come_from_what_the_file_has_never_from_a_mangled_id() {
    let site = Site::new()
        .config("[fields]\nservices = [\"company\", \"product\"]\ntitle_template = \"{services}: {summary}\"\n")
        .file(
            "content/8f14e45f-ceea-467f-a0e5-b3a1e2c4d5f6.md",
            "---\ncompany: Acme\nproduct: ledger\nsummary: Retries doubled charges\n---\nBody.\n",
        )
        .file(
            "content/2020-06-13-dns-outage.md",
            "---\nseverity: SEV2\n---\nBody.\n",
        )
        .file(
            "content/d41d8cd98f00b204e9800998ecf8427e.md",
            "---\nseverity: SEV2\n---\n# Queue backlog in billing\n\nBody.\n",
        );
    let build = site.build();
    build.assert_code(0);
    let uuid = build.page("incidents/8f14e45f-ceea-467f-a0e5-b3a1e2c4d5f6/");
    assert!(
        uuid.contains("<h1>Acme, ledger: Retries doubled charges</h1>"),
        "{uuid}"
    );
    assert!(
        build.has("services/acme/") && build.has("services/ledger/"),
        "both fields merge"
    );
    let dated = build.page("incidents/2020-06-13-dns-outage/");
    assert!(
        dated.contains("<h1>Dns outage</h1>"),
        "only the date prefix is cut"
    );
    let hashed = build.page("incidents/d41d8cd98f00b204e9800998ecf8427e/");
    assert!(hashed.contains("<h1>Queue backlog in billing</h1>"));
}

#[test]
fn a_severity_whose_label_is_its_key_shows_once() {
    let site = Site::new()
        .config("[[severities]]\nkey = \"DOWN\"\n\n[[severities]]\nkey = \"DEGRADED\"\nlabel = \"Partial outage\"\n")
        .file("content/a.md", "---\ntitle: A\nseverity: DOWN\n---\nBody.\n")
        .file("content/b.md", "---\ntitle: B\nseverity: DEGRADED\n---\nBody.\n");
    let build = site.build();
    build.assert_code(0);
    let a = crate::support::text(&build.page("incidents/a/"));
    assert!(!a.contains("DOWN DOWN"), "{a}");
    let b = crate::support::text(&build.page("incidents/b/"));
    assert!(b.contains("DEGRADED Partial outage"), "{b}");
}

#[test]
fn which_files_are_postmortems_is_the_sites_choice_and_never_silent() {
    let site = Site::new()
        .file("content/2024/db.md", "---\ntitle: DB\n---\nBody.\n")
        .file(
            "content/TEMPLATE.md",
            "---\ntitle: \"<incident title>\"\n---\n",
        )
        .file("content/_index.md", "---\ntitle: Index\n---\n")
        .file("content/README.md", "# How we write postmortems\n")
        .file(
            "content/PM2019-009",
            "Date: 2019-05-02\n\n# Queue outage\n\nBody.\n",
        )
        .file("content/img/graph.png", [0x89, b'P', b'N', b'G']);
    let build = site.build();
    build.assert_code(0);
    assert_eq!(
        build.folders("incidents"),
        ["db"],
        "templates and READMEs are no incidents"
    );
    assert!(
        build.stderr.contains("content/PM2019-009: warning[H023]: 1 file is not read as a postmortem in content/: content/PM2019-009"),
        "{}",
        build.stderr
    );
    // Templates, READMEs and `_` files are left out by the site's own `exclude`: named,
    // but no warning, so `--strict` does not fail on a template kept in the folder.
    assert!(
        build.stderr.contains("content/README.md: info[H023]: 3 files are left out by exclude in content/: content/README.md, content/TEMPLATE.md, content/_index.md"),
        "{}",
        build.stderr
    );
    assert!(
        !build.stderr.contains("graph.png"),
        "assets are not worth a word"
    );

    let included = Site::new()
        .config("include = [\"*.md\", \"PM*\"]\n")
        .file("content/2024/db.md", "---\ntitle: DB\n---\nBody.\n")
        .file("content/PM2019-009", "# Queue outage\n\nBody.\n");
    let build = included.build();
    build.assert_code(0);
    assert_eq!(build.folders("incidents"), ["db", "pm2019-009"]);
    assert!(!build.stderr.contains("H023"), "{}", build.stderr);
}

#[test]
fn a_day_without_a_time_is_shown_as_a_day() {
    let build = Site::new()
        .file(
            "content/ledger.md",
            "---\ntitle: Ledger lost\nstarted_at: 1666-09-02\nresolved_at: 1666-09-06 18:00\n---\nFire.\n",
        )
        .build();
    build.assert_code(0);
    let page = build.page("incidents/ledger/");
    assert_eq!(
        crate::support::fact(&page, "Started").as_deref(),
        Some("1666-09-02"),
        "no midnight the postmortem never wrote"
    );
    let resolved = crate::support::fact(&page, "Resolved").unwrap();
    assert!(resolved.starts_with("1666-09-06 18:00"), "{resolved}");
}
