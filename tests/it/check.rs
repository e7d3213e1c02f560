//! `hindsight check`: one fixture per lint (`tests/fixtures/check-hNNN/`), each with a file
//! that triggers it and files that do not; the three output formats; exit codes; and that
//! `build` reports the same problems.

use std::path::Path;
use std::process::{Command, Output};

use crate::support::Site;

/// Runs the binary in `dir` with a fixed date, as CI would.
pub(crate) fn hindsight(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", "1718000000")
        .output()
        .expect("run the hindsight binary")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

/// `check --format json` on a copy of a fixture.
fn check_json(fixture: &str) -> serde_json::Value {
    let site = Site::fixture(fixture);
    let output = hindsight(site.root(), &["check", "--format", "json"]);
    serde_json::from_str(&stdout(&output)).expect("check prints one JSON document")
}

/// The one-line form of a JSON diagnostic: `file:line:col: level[code]: message`.
fn headline(d: &serde_json::Value) -> String {
    let position = match (d["line"].as_u64(), d["col"].as_u64()) {
        (Some(line), Some(col)) => format!(":{line}:{col}"),
        _ => String::new(),
    };
    let field = d["field"]
        .as_str()
        .map_or(String::new(), |f| format!("{f}: "));
    format!(
        "{}{position}: {}[{}]: {field}{}",
        d["file"].as_str().unwrap_or_default(),
        d["level"].as_str().unwrap_or_default(),
        d["code"].as_str().unwrap_or_default(),
        d["message"].as_str().unwrap_or_default()
    )
}

/// Checks one lint: every diagnostic with `code` is in `trigger` (its headlines and hints
/// are `expected`), and every other file of the fixture is clean of all diagnostics.
fn lint(fixture: &str, code: &str, trigger: &str, expected: &[(&str, &str)]) {
    let report = check_json(fixture);
    let diagnostics = report["diagnostics"]
        .as_array()
        .expect("a diagnostics list");
    let with_code: Vec<(String, String)> = diagnostics
        .iter()
        .filter(|d| d["code"] == code)
        .map(|d| {
            (
                headline(d),
                d["help"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(h, help)| (h.to_string(), help.to_string()))
        .collect();
    assert_eq!(with_code, expected, "{fixture}: {report:#}");
    let elsewhere: Vec<String> = diagnostics
        .iter()
        .filter(|d| d["file"] != trigger)
        .map(headline)
        .collect();
    assert_eq!(elsewhere, Vec::<String>::new(), "{fixture}: clean files");
}

#[test]
fn h003_unknown_severity_suggests_a_label() {
    lint(
        "check-h003",
        "H003",
        "content/triggers.md",
        &[(
            "content/triggers.md:3:11: error[H003]: severity: unknown value \"Critcal\" (expected one of SEV1, SEV2, SEV3, SEV4)",
            "did you mean `SEV1`?",
        )],
    );
}

#[test]
fn h006_resolved_before_started() {
    lint(
        "check-h006",
        "H006",
        "content/triggers.md",
        &[(
            "content/triggers.md:5:14: error[H006]: resolved_at: resolved_at is before started_at (2024-01-01 09:00 < 2024-01-01 10:00)",
            "check the date and the time zone of both timestamps",
        )],
    );
}

#[test]
fn h007_duplicate_slug() {
    lint(
        "check-h007",
        "H007",
        "content/triggers.md",
        &[(
            "content/triggers.md:8:7: error[H007]: slug: duplicate slug \"clean\", already used by content/clean.md; this file was skipped",
            "set a distinct `slug:` in one of the two files",
        )],
    );
}

#[test]
fn h009_unknown_category_suggests_one() {
    lint(
        "check-h009",
        "H009",
        "content/triggers.md",
        &[(
            "content/triggers.md:7:13: warning[H009]: root_cause: unknown root-cause category \"cachng\"",
            "did you mean `caching`?",
        )],
    );
}

#[test]
fn h012_unknown_service_suggests_one() {
    lint(
        "check-h012",
        "H012",
        "content/triggers.md",
        &[(
            "content/triggers.md:6:21: warning[H012]: services: unknown service \"postgres-primry\"",
            "did you mean `postgres-primary`?",
        )],
    );
}

#[test]
fn h013_related_slug_names_no_incident() {
    lint(
        "check-h013",
        "H013",
        "content/triggers.md",
        &[(
            "content/triggers.md:8:11: warning[H013]: related: related incident \"no-such-incident\" does not exist",
            "use the slug of another postmortem (its file name without .md, or its `slug:`)",
        )],
    );
}

#[test]
fn h015_final_needs_more_than_a_draft() {
    lint(
        "check-h015",
        "H015",
        "content/triggers.md",
        &[(
            "content/triggers.md:5:1: warning[H015]: final postmortem is missing started_at, resolved_at, services, root_cause",
            "add the missing fields to the front matter; [check.required] in hindsight.toml sets what each status needs",
        )],
    );
}

#[test]
fn h016_timeline_out_of_order_but_past_midnight_is_fine() {
    lint(
        "check-h016",
        "H016",
        "content/triggers.md",
        &[(
            "content/triggers.md:14:3: warning[H016]: timeline entry \"10:05\" is earlier than the entry before it (\"10:20\", line 13)",
            "put the entries in order, or give this one its date if it happened on another day",
        )],
    );
}

/// The seed states an end of February 11, 2:00 PM while its timeline says it was resolved
/// on February 10 at 2:00 PM; a front matter postmortem can contradict itself the same way.
#[test]
fn h017_timeline_contradicts_the_stated_end_as_in_the_seed() {
    let report = check_json("check-h017");
    let diagnostics = report["diagnostics"]
        .as_array()
        .expect("a diagnostics list");
    let help = "correct the timeline entry or resolved_at: the durations on the incident's page are computed from resolved_at";
    let found: Vec<(String, &str)> = diagnostics
        .iter()
        .filter(|d| d["code"] == "H017")
        .map(|d| (headline(d), d["help"].as_str().unwrap_or_default()))
        .collect();
    assert_eq!(
        found,
        [
            (
                "content/triggers.md:17:3: warning[H017]: the timeline says the incident was resolved at 2024-01-01 12:15 UTC, but resolved_at is 2024-01-01 11:00 UTC".to_string(),
                help
            ),
            (
                "content/web-app-caching-layer-outage.md:18:3: warning[H017]: the timeline says the incident was resolved at 2024-02-10 14:00 UTC, but resolved_at is 2024-02-11 14:00 UTC (inferred from line 5)".to_string(),
                help
            ),
        ]
    );
    assert!(
        !diagnostics.iter().any(|d| d["file"] == "content/clean.md"),
        "{report:#}"
    );
}

#[test]
fn h018_links_to_postmortems_that_do_not_exist() {
    lint(
        "check-h018",
        "H018",
        "content/2024/triggers.md",
        &[
            (
                "content/2024/triggers.md:10:23: warning[H018]: link to content/2023/gone.md, which is not a postmortem of this site",
                "check the path (it is relative to this file); the link will be broken on the site",
            ),
            (
                "content/2024/triggers.md:10:67: warning[H018]: link to docs/runbook.md, which is outside the content folder and is not published",
                "check the path (it is relative to this file); the link will be broken on the site",
            ),
        ],
    );
}

#[test]
fn h019_headings_with_the_same_id() {
    lint(
        "check-h019",
        "H019",
        "content/triggers.md",
        &[(
            "content/triggers.md:18:4: warning[H019]: heading \"Timeline\" has the same id `timeline` as the heading on line 10",
            "rename one of them, or give this one its own id with `{#another-id}`",
        )],
    );
}

#[test]
fn h020_open_action_items_without_owner_or_due_date() {
    let help = "add `owner:` and `due:` to the item, or set its `status:` to done or wontfix";
    lint(
        "check-h020",
        "H020",
        "content/triggers.md",
        &[
            (
                "content/triggers.md:9:5: warning[H020]: open action item \"Add an alert\" has no due date",
                help,
            ),
            (
                "content/triggers.md:11:5: warning[H020]: open action item \"Write the runbook\" has no owner and no due date",
                help,
            ),
        ],
    );
}

#[test]
fn h021_placeholders_in_a_final_postmortem() {
    let help = "finish this part, or set `status: draft` (or review) until it is done";
    lint(
        "check-h021",
        "H021",
        "content/triggers.md",
        &[
            (
                "content/triggers.md:8:10: warning[H021]: final postmortem still says \"TBD\"",
                help,
            ),
            (
                "content/triggers.md:13:1: warning[H021]: final postmortem still says \"TODO\"",
                help,
            ),
        ],
    );
}

/// Prints of one run, for snapshots: the exit code, stdout and stderr.
fn printed(output: &Output) -> String {
    format!(
        "exit code: {}\n--- stdout\n{}--- stderr\n{}",
        output.status.code().unwrap_or(-1),
        stdout(output),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn human_format() {
    let site = Site::fixture("check-formats");
    let output = hindsight(site.root(), &["check"]);
    insta::assert_snapshot!("check_human", printed(&output));
}

#[test]
fn json_format() {
    let site = Site::fixture("check-formats");
    let output = hindsight(site.root(), &["check", "--format", "json"]);
    insta::assert_snapshot!("check_json", printed(&output));
}

#[test]
fn github_format_names_files_from_the_repository_root() {
    let site = Site::fixture("check-formats");
    // The site is a folder of the repository; annotations name files from its root.
    let repository = site
        .root()
        .parent()
        .expect("the temporary folder has a parent");
    let folder = site
        .root()
        .file_name()
        .and_then(|n| n.to_str())
        .expect("a UTF-8 folder name");
    let output = hindsight(
        repository,
        &["check", "--format", "github", "--root", folder],
    );
    let text = printed(&output).replace(folder, "[SITE]");
    insta::assert_snapshot!("check_github", text);
}

#[test]
fn warnings_fail_only_with_strict() {
    let site = Site::fixture("check-h020");
    assert_eq!(hindsight(site.root(), &["check"]).status.code(), Some(0));
    assert_eq!(
        hindsight(site.root(), &["check", "--strict"]).status.code(),
        Some(1)
    );
    let clean = Site::fixture("check-h020");
    std::fs::remove_file(clean.root().join("content/triggers.md")).unwrap();
    let output = hindsight(clean.root(), &["check", "--strict"]);
    assert_eq!(output.status.code(), Some(0), "{}", printed(&output));
    assert_eq!(stdout(&output), "checked 1 file: 0 errors, 0 warnings\n");
}

#[test]
fn check_writes_nothing_and_build_reports_the_same_problems() {
    let site = Site::fixture("check-formats");
    let checked = hindsight(site.root(), &["check"]);
    assert!(!site.root().join("public").exists(), "check wrote the site");
    let built = site.build();
    // Build prints the same diagnostics, drafts aside (this fixture has none).
    assert_eq!(built.stderr, String::from_utf8_lossy(&checked.stderr));
}

#[test]
fn levels_from_the_config_change_or_silence_a_rule() {
    let with_levels = |levels: &str| {
        let site = Site::fixture("check-h020");
        let config = std::fs::read_to_string(site.root().join("hindsight.toml")).unwrap();
        site.config(&format!("{config}levels = {{ {levels} }}\n"))
    };
    let site = with_levels("H020 = \"error\"");
    let output = hindsight(site.root(), &["check"]);
    assert_eq!(output.status.code(), Some(1), "{}", printed(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("error[H020]"));
    let site = with_levels("H020 = \"off\"");
    let output = hindsight(site.root(), &["check", "--strict"]);
    assert_eq!(output.status.code(), Some(0), "{}", printed(&output));
}

#[test]
fn without_a_policy_every_field_is_optional() {
    // The same files, without the fixture's [check] section: nothing is required.
    let site = Site::fixture("check-h015").config("");
    let output = hindsight(site.root(), &["check", "--strict"]);
    assert_eq!(output.status.code(), Some(0), "{}", printed(&output));
    let site = Site::fixture("check-h020").config("");
    let output = hindsight(site.root(), &["check", "--strict"]);
    assert_eq!(output.status.code(), Some(0), "{}", printed(&output));
}

/// `check` renders every page as `build` would, the bodies included: a theme whose incident
/// page fails only on a body with a given word fails `check` on that page, naming the
/// template, its error and the postmortem, and writes nothing. (`check` reads each body back as a build does,
/// from where it set it aside while parsing, and holds none.)
#[test]
fn check_fails_on_a_template_that_fails_on_one_incident_body() {
    let post = |title: &str, body: &str| {
        format!(
            "---\ntitle: {title}\nstarted_at: 2024-03-01T10:00:00Z\nresolved_at: 2024-03-01T11:00:00Z\nseverity: SEV2\nservices: [api]\nroot_cause: deploy\n---\n## Summary\n\n{body}\n"
        )
    };
    let page = "{% extends \"base.html\" %}{% block content %}{% if incident.body_html is containing(\"flamingo\") %}{{ incident.no_such_field }}{% endif %}{{ incident.body_html | safe }}{% endblock content %}";
    let site = Site::new()
        .file("content/calm.md", post("Calm", "A quiet rollback."))
        .file("content/odd.md", post("Odd", "A flamingo in the rack."))
        .file("templates/incident.html", page);
    let checked = hindsight(site.root(), &["check"]);
    let stderr = String::from_utf8_lossy(&checked.stderr);
    assert_eq!(checked.status.code(), Some(2), "{stderr}");
    // The error names the template, what failed in it, and the postmortem whose page it
    // was: in an archive of thousands, the file to look at.
    assert!(
        stderr.contains("template error in incident.html, on incidents/odd/index.html (the page of content/odd.md): ")
            && stderr.contains("no_such_field"),
        "{stderr}"
    );
    assert!(!site.root().join("public").exists(), "check wrote the site");
    // Without the word, every page renders and the check passes.
    let calm = site.file("content/odd.md", post("Odd", "A heron in the rack."));
    let checked = hindsight(calm.root(), &["check"]);
    assert_eq!(
        checked.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
}
