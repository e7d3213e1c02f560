//! Postmortems without front matter, end to end: what is inferred from the seed reaches
//! its page (marked inferred, with its line) and the indexes, and `check` lists it.

use std::fs;

use crate::check::hindsight;
use crate::support::{Site, fact, repo_root, text};

const SEED: &str = include_str!("../../content/2024/web-app-caching-layer-outage.md");

/// The seed in a site with the bundled configuration (its service registry).
fn seed_site() -> Site {
    let config = fs::read_to_string(repo_root().join("hindsight.toml")).unwrap();
    Site::new()
        .config(&config)
        .file("content/2024/web-app-caching-layer-outage.md", SEED)
}

#[test]
fn the_seed_page_shows_what_was_inferred_and_from_where() {
    let build = seed_site().build();
    build.assert_code(0);
    let page = build.page("incidents/web-app-caching-layer-outage/");
    let shown = text(&page);
    assert!(
        shown.contains("Metadata inferred from the text."),
        "{shown}"
    );
    assert_eq!(
        fact(&page, "Duration").as_deref(),
        Some("1 d 5 h · > 1 day inferred")
    );
    assert_eq!(
        fact(&page, "Root cause").as_deref(),
        Some("Caching inferred")
    );
    assert_eq!(fact(&page, "Services").as_deref(), Some("web-app inferred"));
    assert_eq!(
        fact(&page, "Started").as_deref(),
        Some("2024-02-10 09:00 UTC inferred")
    );
    assert!(page.contains("title=\"Inferred from line 7: “caching layer”\""));
    assert!(page.contains("title=\"Inferred from line 5: “February 11, 2024, 2:00 PM (UTC)”\""));
    // The timeline as read, every event with its date, and the action items table.
    assert!(
        shown.contains("Timeline as Hindsight read it inferred 8 events"),
        "{shown}"
    );
    assert!(shown.contains(
        "2024-02-10 14:00 Incident declared resolved as service stability returned to normal. 18"
    ));
    assert!(shown.contains("Action items inferred 0 of 5 done · 5 open"));
    assert!(shown.contains("Schedule regular audits of critical system configurations"));
    // Indexed like any other incident.
    let slug = ["web-app-caching-layer-outage"];
    assert_eq!(build.listed("causes/caching/"), slug);
    assert_eq!(build.listed("services/web-app/"), slug);
    assert_eq!(build.listed("durations/over-1d/"), slug);
    assert_eq!(build.listed("years/2024/"), slug);
}

#[test]
fn check_lists_the_inferred_values_with_their_lines() {
    let site = seed_site();
    let output = hindsight(site.root(), &["check"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    for line in [
        "content/2024/web-app-caching-layer-outage.md: inferred from the text (no front matter):",
        "  5:13       started_at    2024-02-10 09:00 UTC   ← \"February 10, 2024, 9:00 AM\"",
        "  5:42       resolved_at   2024-02-11 14:00 UTC   ← \"February 11, 2024, 2:00 PM (UTC)\"",
        "  7:31       root_cause    caching   ← \"caching layer\"",
        "  33:6       action_items  5 items   ← \"lines 33–37\"",
        "  11:3       timeline      8 events   ← \"lines 11–18\"",
    ] {
        assert!(stdout.lines().any(|l| l == line), "{line}\n{stdout}");
    }
}

#[test]
fn prose_with_nothing_to_infer_keeps_the_no_metadata_notice() {
    let build = Site::new()
        .file("content/notes.md", "# Notes from the call\n\nWe talked.\n")
        .build();
    build.assert_code(0);
    assert!(
        build.stderr.contains(
            "content/notes.md: warning[H010]: no front matter; the page shows no metadata"
        )
    );
    let page = build.page("incidents/notes/");
    assert!(text(&page).contains("No metadata. This postmortem has no front matter"));
    assert!(!page.contains(">inferred<"));
}

#[test]
fn times_without_a_zone_are_read_in_the_site_zone() {
    let build = Site::new()
        .config("timezone = \"Europe/Berlin\"\n")
        .file(
            "content/2024-03-05-queue.md",
            "# Queue backlog\n\n- Start: 09:00\n- Duration: 45 minutes\n- Category: capacity\n",
        )
        .build();
    build.assert_code(0);
    let page = build.page("incidents/2024-03-05-queue/");
    assert_eq!(
        fact(&page, "Started").as_deref(),
        Some("2024-03-05 09:00 CET inferred")
    );
    assert_eq!(
        fact(&page, "Duration").as_deref(),
        Some("45 min · 30 min – 2 h inferred")
    );
    assert_eq!(build.listed("causes/capacity/"), ["2024-03-05-queue"]);
}
