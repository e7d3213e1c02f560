//! Lists that help: facet overviews ranked by how many incidents a term has (and a page
//! by name beside them), terms without incidents shown but not linked, and drafts that a
//! build leaves out counted where the numbers are (home, the build summary, `new`).

use crate::check::hindsight;
use crate::support::{Site, build_example, main_of, overview_rows, postmortem, text};

/// Three services used 1, 3 and 2 times, named so that A–Z and by-count orders differ.
fn ranked_site() -> Site {
    let incident = |services: &str| {
        postmortem(
            "Outage",
            &format!(
                "started_at: 2024-03-03T10:00:00Z\nservices: [{services}]\nroot_cause: caching\n"
            ),
        )
    };
    Site::new()
        .file("content/a.md", incident("alpha, zulu, mike"))
        .file("content/b.md", incident("zulu, mike"))
        .file("content/c.md", incident("zulu"))
}

fn names(rows: &[(String, usize)]) -> Vec<(&str, usize)> {
    rows.iter().map(|(n, c)| (n.as_str(), *c)).collect()
}

#[test]
fn overviews_rank_terms_by_count_with_a_page_by_name_beside_them() {
    let build = ranked_site().build();
    build.assert_code(0);
    let by_count = build.page("services/");
    assert_eq!(
        names(&overview_rows(&by_count)),
        [("zulu", 3), ("mike", 2), ("alpha", 1)]
    );
    let by_name = build.page("services/by-name.html");
    assert_eq!(
        names(&overview_rows(&by_name)),
        [("alpha", 1), ("mike", 2), ("zulu", 3)]
    );
    // Each page says its order and links the other one, with plain links (no script).
    assert!(text(main_of(&by_count)).contains("Sorted by incidents, most first · sort by name"));
    assert!(by_count.contains("<a href=\"by-name.html\">sort by name</a>"));
    assert!(text(main_of(&by_name)).contains("Sorted by name · sort by incidents"));
    assert!(by_name.contains("<a href=\"./\">sort by incidents</a>"));
    // Its links reach the term pages from beside the overview.
    assert!(by_name.contains("href=\"../services/zulu/\""));
    // The listing by name repeats the overview: crawlers are not sent to it.
    let built = ranked_site().build_with(&["--base-url", "https://pm.example/"]);
    assert!(!built.page("sitemap.xml").contains("by-name"));
    assert_eq!(
        crate::support::canonical(&built.page("services/by-name.html")).as_deref(),
        Some("https://pm.example/services/")
    );
}

#[test]
fn scales_keep_their_order_and_have_no_page_by_name() {
    let site = Site::new()
        .file("content/a.md", postmortem("A", "severity: SEV3\n"))
        .file("content/b.md", postmortem("B", "severity: SEV3\n"))
        .file("content/c.md", postmortem("C", "severity: SEV1\n"));
    let build = site.build();
    build.assert_code(0);
    let rows = overview_rows(&build.page("severities/"));
    let order: Vec<(&str, usize)> = rows.iter().map(|(n, c)| (&n[..4], *c)).collect();
    assert_eq!(order, [("SEV1", 1), ("SEV2", 0), ("SEV3", 2), ("SEV4", 0)]);
    assert!(!build.has("severities/by-name.html"));
    assert!(!build.page("severities/").contains("sort by name"));
}

#[test]
fn terms_without_incidents_are_listed_but_not_linked() {
    let build = ranked_site().build();
    let page = build.page("causes/");
    let rows = overview_rows(&page);
    // The declared vocabulary is listed: caching has the three, the others none.
    assert_eq!(rows[0], ("Caching".to_string(), 3));
    let hardware = rows
        .iter()
        .find(|(n, _)| n == "Hardware")
        .expect("a Hardware row");
    assert_eq!(hardware.1, 0);
    assert!(page.contains("href=\"../causes/caching/\""));
    assert!(
        !page.contains("href=\"../causes/hardware/\""),
        "an empty bucket is linked"
    );
    let durations = build.page("durations/");
    assert!(!durations.contains("href=\"../durations/"), "{durations}");
}

fn site_with_a_draft() -> Site {
    Site::new()
        .file(
            "content/a.md",
            postmortem("A", "started_at: 2024-03-03T10:00:00Z\n"),
        )
        .file(
            "content/b.md",
            postmortem("B", "started_at: 2024-03-04T10:00:00Z\n"),
        )
        .file(
            "content/c.md",
            postmortem("C", "started_at: 2024-03-05T10:00:00Z\nstatus: draft\n"),
        )
}

#[test]
fn home_and_the_build_summary_say_how_many_drafts_are_hidden_and_how_to_show_them() {
    let build = site_with_a_draft().build();
    build.assert_code(0);
    assert!(
        build
            .stdout
            .starts_with("built 2 incidents (1 draft hidden; --drafts includes it), "),
        "{}",
        build.stdout
    );
    let home = text(main_of(&build.page("")));
    assert!(
        home.contains("2 incidents")
            && home.contains(
                "1 draft is not counted or shown: hindsight build --drafts or hindsight serve shows it."
            ),
        "{home}"
    );
    let shown = site_with_a_draft().build_with(&["--drafts"]);
    assert!(
        shown.stdout.starts_with("built 3 incidents, "),
        "{}",
        shown.stdout
    );
    let home = text(main_of(&shown.page("")));
    assert!(
        home.contains("3 incidents") && !home.contains("not counted"),
        "{home}"
    );
}

#[test]
fn the_example_counts_its_draft() {
    let build = build_example(&[]);
    let files = std::fs::read_dir(crate::support::repo_root().join("content"))
        .unwrap()
        .flat_map(|year| std::fs::read_dir(year.unwrap().path()).unwrap())
        .count();
    let home = text(main_of(&build.page("")));
    let shown = files - 1;
    assert!(
        home.contains(&format!("{shown} incidents"))
            && home.contains("1 draft is not counted or shown"),
        "{files} files: {home}"
    );
}

#[test]
fn new_says_the_file_is_a_draft_and_how_to_preview_it() {
    let site = Site::new();
    let output = hindsight(site.root(), &["new", "Queue backlog"]);
    assert_eq!(output.status.code(), Some(0));
    // stdout stays the path alone, for scripts.
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "./content/2024/2024-06-10-queue-backlog.md\n"
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "note: this postmortem is a draft (status: draft): `hindsight serve` shows it; \
         `hindsight build` leaves it out until its status is review or final, or with --drafts\n"
    );
    // And it is so: build leaves it out and says so.
    let build = site.build();
    assert!(
        build
            .stdout
            .starts_with("built 0 incidents (1 draft hidden"),
        "{}",
        build.stdout
    );
}

#[test]
fn new_from_a_template_that_is_not_a_draft_says_nothing_of_drafts() {
    let site = Site::new().file(
        "templates/new.md",
        "---\ntitle: {{ title | yaml }}\nstatus: review\n---\n\n# {{ title }}\n",
    );
    let output = hindsight(site.root(), &["new", "Card declines"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}
