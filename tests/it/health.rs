//! Postmortem quality: the score and what is missing on an incident page, `/health/` on
//! small archives with a fixed as-of date (messy ones too), and `check --min-score`.

use crate::check::hindsight;
use crate::support::{Site, main_of, text};

/// A postmortem with everything the checklist asks for.
const COMPLETE: &str = "---
title: Complete
status: final
started_at: 2024-05-01T10:00:00Z
resolved_at: 2024-05-01T11:00:00Z
services: [checkout]
root_cause: database
summary: Checkout failed.
impact: 5% of orders.
detection: An alert.
published_at: 2024-05-08
action_items:
  - title: Add an index
    owner: ana
    due: 2024-05-15
    status: done
---
## Timeline
- 10:00 deploy

## Root cause
A missing index.

## Contributing factors
No load test.

## Lessons learned
Test with production data.
";

/// A postmortem with a summary, a category, two action items (one without an owner,
/// both overdue on 2024-06-01) and nothing else.
const THIN: &str = "---
title: Thin
status: final
started_at: 2024-04-01T10:00:00Z
services: [checkout, search]
root_cause: database
summary: Search was slow.
published_at: 2024-04-21
action_items:
  - title: Tune the pool
    owner: bo
    due: 2024-05-01
  - title: Add a dashboard
    due: 2024-05-02
---
## Timeline
TBD
";

fn archive() -> Site {
    Site::new()
        .file("content/complete.md", COMPLETE)
        .file("content/thin.md", THIN)
        .file(
            "content/old.md",
            "---\ntitle: Old\nstarted_at: 2022-01-01\nservices: [search]\n---\nNothing.\n",
        )
}

/// The text of the `<section id="…">` of a page.
fn section(html: &str, id: &str) -> String {
    let start = html
        .find(&format!("<section id=\"{id}\""))
        .unwrap_or_else(|| panic!("no section {id}"));
    let end = html[start..].find("</section>").unwrap() + start;
    text(&html[start..end])
}

#[test]
fn the_incident_page_shows_the_score_and_what_is_missing() {
    let build = archive().build_with(&["--as-of", "2024-06-01"]);
    build.assert_code(0);
    let thin = text(main_of(&build.page("incidents/thin/")));
    assert!(
        thin.contains(
            "Quality 32/100 — missing: impact, timeline, detection, root cause explanation (only a category), contributing factors, owner on 1 action item, lessons learned how it is scored"
        ),
        "{thin}"
    );
    let complete = text(main_of(&build.page("incidents/complete/")));
    assert!(
        complete.contains("Quality 100/100 how it is scored"),
        "{complete}"
    );
}

#[test]
fn the_health_page_on_a_small_archive() {
    let build = archive().build_with(&["--as-of", "2024-06-01"]);
    build.assert_code(0);
    let page = build.page("health/");
    assert!(
        build.page("index.html").contains("href=\"./health/\""),
        "the navigation links to the health page"
    );
    let main = main_of(&page);
    let stats =
        text(&main[main.find("class=\"stats\"").unwrap()..main.find("id=\"scores\"").unwrap()]);
    // Scores 100, 32 and 0: the median is 32.
    assert!(
        stats.contains("32 median score 1 postmortem scores 100 2 overdue action items 7 d median days to a final postmortem"),
        "{stats}"
    );
    assert!(section(main, "scores").contains("0–9 1 10–19 0 20–29 0 30–39 1"));
    // "old" is from 2022: not recent.
    assert_eq!(
        section(main, "weakest"),
        "Weakest recent postmortems The lowest scores among the 2 postmortems of the twelve months from 2023-06-03 to 2024-06-01 . Postmortem Score Missing Thin 2024-04-01 32 impact, timeline, detection, root cause explanation (only a category), contributing factors, owner on 1 action item, lessons learned Complete 2024-05-01 100 nothing"
    );
    assert!(
        section(main, "services")
            .contains("Service Postmortems Median score Lowest search 2 0 0 checkout 2 32 32"),
        "{}",
        section(main, "services")
    );
    assert!(
        section(main, "overdue").contains("Owner Overdue Open bo 1 1 unassigned 1 1"),
        "{}",
        section(main, "overdue")
    );
    // Complete: 7 days after it ended; thin: 20 days after it started (no resolved_at).
    assert!(
        section(main, "to-final")
            .contains("median 7 days , p90 20 days , over 2 of 3 final postmortems."),
        "{}",
        section(main, "to-final")
    );
    assert!(
        section(main, "to-final")
            .contains("1 final postmortem does not record the day it became final")
    );
}

#[test]
fn the_health_page_scores_each_team_and_the_unowned_last() {
    // checkout is Payments'; search has no team. Scores: complete 100 (checkout), thin 32
    // (checkout, search), old 0 (search).
    let build = archive()
        .file(
            "hindsight.toml",
            "[[services]]\nname = \"checkout\"\nteam = \"Payments\"\n\n[[services]]\nname = \"search\"\n",
        )
        .build_with(&["--as-of", "2024-06-01"]);
    build.assert_code(0);
    let page = build.page("health/");
    let main = main_of(&page);
    assert_eq!(
        section(main, "teams"),
        "Scores per team Team Postmortems Median score Lowest Payments 2 32 32 No team recorded 1 0 0 Weakest first. A postmortem counts for every team owning one of its services; those whose services have no team come last.",
    );
    assert!(
        main.contains("href=\"../teams/payments/\""),
        "the team is linked"
    );
    // A site without teams has no such section.
    let without = archive().build_with(&["--as-of", "2024-06-01"]);
    assert!(!without.page("health/").contains("id=\"teams\""));
}

#[test]
fn the_health_page_of_a_messy_archive_says_what_is_not_recorded() {
    // All drafts, no dates, no action items, no front matter at all in one.
    let site = Site::new()
        .file(
            "content/a.md",
            "---\ntitle: A\nstatus: draft\n---\n## Summary\nTODO\n",
        )
        .file("content/b.md", "---\ntitle: B\nstatus: draft\n---\n")
        .file("content/c.md", "Just a few words.\n");
    let build = site.build_with(&["--as-of", "2024-06-01", "--drafts"]);
    let main = main_of(&build.page("health/")).to_string();
    assert!(section(&main, "weakest").contains(
        "3 postmortems have no date and are in no such list. No postmortem is dated in these twelve months."
    ));
    assert!(section(&main, "overdue").contains("No open action item is overdue."));
    assert!(
        section(&main, "to-final")
            .contains("Not recorded: no final postmortem records the day it became final."),
        "{}",
        section(&main, "to-final")
    );
    assert!(
        text(&main).contains("— (no final postmortem records the day it became final) median days")
    );
    // Without --drafts only the file without front matter (final by default) is left.
    let without = site.build_with(&["--as-of", "2024-06-01"]);
    assert!(text(main_of(&without.page("health/"))).contains("How complete 1 postmortem is"));
    // An empty archive still has the page.
    let empty = Site::new().file("content/.keep", "").build();
    assert!(text(main_of(&empty.page("health/"))).contains("No postmortems yet."));
}

#[test]
fn check_min_score_fails_below_the_floor_and_names_what_is_missing() {
    let site = archive().file(
        "content/draft.md",
        "---\ntitle: Draft\nstatus: draft\n---\nNothing yet.\n",
    );
    let passing = hindsight(site.root(), &["check", "--min-score", "0"]);
    assert_eq!(passing.status.code(), Some(0));
    let failing = hindsight(site.root(), &["check", "--min-score", "40"]);
    assert_eq!(failing.status.code(), Some(1));
    let stderr = String::from_utf8(failing.stderr).unwrap();
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("[H028]")).collect();
    // The draft scores 0 too, but drafts are not held to the floor.
    assert_eq!(
        errors,
        [
            "content/old.md: error[H028]: quality score 0/100 is below the minimum of 40; missing: summary, impact, timeline, detection, root cause, contributing factors, action items, lessons learned",
            "content/thin.md: error[H028]: quality score 32/100 is below the minimum of 40; missing: impact, timeline, detection, root cause explanation (only a category), contributing factors, owner on 1 action item, lessons learned",
        ]
    );
    assert!(stderr.contains("= help: add what is missing (docs/quality.md says what counts)"));
    let stdout = String::from_utf8(failing.stdout).unwrap();
    assert!(stdout.contains("checked 4 files: 2 errors"), "{stdout}");
    // A site may keep the list without failing.
    let lowered = site.file("hindsight.toml", "[check.levels]\nH028 = \"warning\"\n");
    let warned = hindsight(lowered.root(), &["check", "--min-score", "40"]);
    assert_eq!(warned.status.code(), Some(0));
    let out_of_range = hindsight(lowered.root(), &["check", "--min-score", "101"]);
    assert_eq!(out_of_range.status.code(), Some(2));
}

/// The checklist's sections are the `new` template's: an author who fills in every section
/// of a new postmortem (and its front matter) gets 100, not a score capped by a section
/// the template never asked for. `init`'s example, a filled-in postmortem, scores 100 too.
#[test]
fn the_new_template_filled_in_and_the_init_example_score_100() {
    let site = Site::new();
    let made = hindsight(
        site.root(),
        &[
            "new",
            "Filled in",
            "--severity",
            "SEV2",
            "--started",
            "2024-05-01 10:00",
        ],
    );
    assert!(made.status.success(), "{made:?}");
    let path = site.root().join("content/2024/2024-05-01-filled-in.md");
    let written = std::fs::read_to_string(&path).unwrap();
    let filled = fill_in(&written);
    std::fs::write(&path, filled).unwrap();
    let build = site.build();
    build.assert_code(0);
    let page = text(main_of(&build.page("incidents/2024-05-01-filled-in/")));
    assert!(page.contains("Quality 100/100 how it is scored"), "{page}");

    let kb = Site::new();
    assert!(hindsight(kb.root(), &["init", "kb"]).status.success());
    let built = hindsight(&kb.root().join("kb"), &["build"]);
    assert!(built.status.success(), "{built:?}");
    let example = std::fs::read_to_string(
        kb.root()
            .join("kb/public/incidents/2024-01-15-checkout-errors-after-pool-change/index.html"),
    )
    .unwrap();
    let example = text(main_of(&example));
    assert!(
        example.contains("Quality 100/100 how it is scored"),
        "{example}"
    );
}

/// The `new` template as an author leaves it: every field and section written, every
/// guidance comment replaced by text.
fn fill_in(template: &str) -> String {
    let mut filled = String::new();
    let mut in_comment = false;
    for line in template.lines() {
        if line.trim_start().starts_with("<!--") {
            in_comment = true;
        }
        if in_comment {
            in_comment = !line.trim_end().ends_with("-->");
            if !in_comment && !line.contains("front matter") {
                filled.push_str("- 10:00 — the author wrote what happened here, for real.\n");
            }
            continue;
        }
        let line = match line {
            "status: draft" => "status: final".to_string(),
            "resolved_at:" => "resolved_at: 2024-05-01T11:00:00Z".to_string(),
            "services: []" => "services: [checkout]".to_string(),
            "root_cause:" => "root_cause: database".to_string(),
            "summary:" | "impact:" | "detection:" => format!("{line} The author wrote it out."),
            "action_items:" => {
                "action_items:\n  - {title: Add an index, owner: dba, due: 2024-06-01}".to_string()
            }
            _ if line.starts_with("### ") => format!("{line}\n\nA real sentence about it."),
            _ => line.to_string(),
        };
        filled.push_str(&line);
        filled.push('\n');
    }
    filled
}
