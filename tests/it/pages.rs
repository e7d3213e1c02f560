//! What the pages of a clean build show: which incidents each facet page lists, the counts
//! on the overviews, and the times, durations and buckets on incident pages.

use crate::support::{Site, fact, listed_incidents, overview_rows, postmortem, text};

fn services_site() -> Site {
    Site::new()
        .file(
            "content/cache-a.md",
            postmortem(
                "Cache A",
                "started_at: 2024-03-03T10:00:00Z\nservices: [Redis-Cache, web-app]\n",
            ),
        )
        .file(
            "content/cache-b.md",
            postmortem(
                "Cache B",
                "started_at: 2024-02-02T10:00:00Z\nservices: [redis-cache]\n",
            ),
        )
        .file(
            "content/billing.md",
            postmortem(
                "Billing",
                "started_at: 2024-01-01T10:00:00Z\nservices: billing-api\n",
            ),
        )
}

#[test]
fn service_page_lists_exactly_its_incidents() {
    let build = services_site().build();
    build.assert_code(0);
    assert_eq!(
        build.listed("services/redis-cache/"),
        ["cache-a", "cache-b"]
    );
    assert_eq!(build.listed("services/web-app/"), ["cache-a"]);
    assert_eq!(build.listed("services/billing-api/"), ["billing"]);
    let page = build.page("services/redis-cache/");
    assert!(
        text(&page).contains("Redis-Cache 2 incidents"),
        "{}",
        text(&page)
    );
}

#[test]
fn services_overview_shows_each_service_with_its_count() {
    let build = services_site().build();
    let rows = overview_rows(&build.page("services/"));
    assert_eq!(
        rows,
        // The most affected first; a tie by name.
        [
            ("Redis-Cache".to_string(), 2),
            ("billing-api".to_string(), 1),
            ("web-app".to_string(), 1)
        ]
    );
}

#[test]
fn spellings_differing_in_case_are_one_term() {
    let build = services_site().build();
    assert_eq!(
        build.folders("services"),
        ["billing-api", "redis-cache", "web-app"]
    );
    assert_eq!(build.stderr, "", "no diagnostics for spelling variants");
}

/// The README's rule: case, whitespace, hyphens, underscores and punctuation are ignored,
/// so `customer-facing` and `Customer Facing` are one term; names that differ in a letter
/// but slug alike (`café`, `cafe`) stay two terms, and the slug collision is settled with
/// `-2`.
#[test]
fn spellings_differing_in_separators_are_one_term_and_slug_collisions_get_distinct_pages() {
    let build = Site::new()
        .file(
            "content/a.md",
            postmortem(
                "A",
                "started_at: 2024-01-02\ntags: [customer-facing, café]\n",
            ),
        )
        .file(
            "content/b.md",
            postmortem(
                "B",
                "started_at: 2024-01-01\ntags: [Customer Facing, cafe]\n",
            ),
        )
        .build();
    build.assert_code(0);
    assert_eq!(build.folders("tags"), ["cafe", "cafe-2", "customer-facing"]);
    assert_eq!(
        listed_incidents(&build.page("tags/customer-facing/")),
        ["a", "b"]
    );
    // The spelling that already is a slug keeps the plain URL.
    let first = build.page("tags/cafe/");
    let second = build.page("tags/cafe-2/");
    assert!(
        second.contains("<h1>café <span class=\"count\">1 incident</span></h1>"),
        "{second}"
    );
    assert_eq!(listed_incidents(&first), ["b"]);
    assert_eq!(listed_incidents(&second), ["a"]);
}

fn times_site() -> Site {
    let timed = |title: &str, start: &str, detected: &str, end: &str| {
        postmortem(
            title,
            &format!("started_at: {start}\ndetected_at: {detected}\nresolved_at: {end}\n"),
        )
    };
    Site::new()
        .file(
            "content/two-hours.md",
            timed(
                "Two hours",
                "2024-05-01T09:00:00Z",
                "2024-05-01T09:12:00Z",
                "2024-05-01T11:05:00Z",
            ),
        )
        .file(
            "content/exactly-2h.md",
            timed(
                "Exactly 2 h",
                "2024-05-02T09:00:00Z",
                "2024-05-02T09:01:00Z",
                "2024-05-02T11:00:00Z",
            ),
        )
        .file(
            "content/just-under-2h.md",
            timed(
                "1 h 59",
                "2024-05-03T09:00:00Z",
                "2024-05-03T09:01:00Z",
                "2024-05-03T10:59:00Z",
            ),
        )
        .file(
            "content/exactly-30m.md",
            timed(
                "30 min",
                "2024-05-04T09:00:00Z",
                "2024-05-04T09:01:00Z",
                "2024-05-04T09:30:00Z",
            ),
        )
        .file(
            "content/under-30m.md",
            timed(
                "29 min",
                "2024-05-05T09:00:00Z",
                "2024-05-05T09:01:00Z",
                "2024-05-05T09:29:00Z",
            ),
        )
        .file(
            "content/three-years.md",
            timed(
                "Three years",
                "2021-01-01T00:00:00Z",
                "2021-01-02T00:00:00Z",
                "2024-01-01T00:00:00Z",
            ),
        )
        .file(
            "content/victorian.md",
            timed(
                "Telegraph line down",
                "1850-06-01 12:00",
                "1850-06-01 12:05",
                "1850-06-01 12:40",
            ),
        )
}

#[test]
fn incident_page_prints_duration_ttd_and_ttr() {
    let build = times_site().build();
    build.assert_code(0);
    let page = build.page("incidents/two-hours/");
    assert_eq!(
        fact(&page, "Started").as_deref(),
        Some("2024-05-01 09:00 UTC")
    );
    assert_eq!(
        fact(&page, "Detected").as_deref(),
        Some("2024-05-01 09:12 UTC")
    );
    assert_eq!(
        fact(&page, "Resolved").as_deref(),
        Some("2024-05-01 11:05 UTC")
    );
    assert_eq!(
        fact(&page, "Duration").as_deref(),
        Some("2 h 5 min · 2 – 8 h")
    );
    assert_eq!(fact(&page, "TTD").as_deref(), Some("12 min"));
    assert_eq!(fact(&page, "TTR").as_deref(), Some("2 h 5 min"));
    assert_eq!(fact(&page, "TTM"), None, "no mitigated_at, so no TTM row");
}

#[test]
fn duration_bucket_pages_list_the_right_incidents() {
    let build = times_site().build();
    // Upper bounds are exclusive: 30 min is in 30m-2h, 2 h is in 2h-8h.
    assert_eq!(build.listed("durations/under-30m/"), ["under-30m"]);
    assert_eq!(
        build.listed("durations/30m-2h/"),
        ["exactly-30m", "just-under-2h", "victorian"]
    );
    // Newest first: exactly-2h started a day after two-hours.
    assert_eq!(
        build.listed("durations/2h-8h/"),
        ["exactly-2h", "two-hours"]
    );
    assert_eq!(build.listed("durations/8h-24h/"), Vec::<String>::new());
    assert_eq!(build.listed("durations/over-1d/"), ["three-years"]);
    let rows = overview_rows(&build.page("durations/"));
    let counts: Vec<usize> = rows.iter().map(|(_, count)| *count).collect();
    assert_eq!(counts, [1, 3, 2, 0, 1], "{rows:?}");
}

#[test]
fn incident_lasting_three_years_renders() {
    let build = times_site().build();
    let page = build.page("incidents/three-years/");
    assert_eq!(fact(&page, "Duration").as_deref(), Some("3 y · > 1 day"));
    assert_eq!(fact(&page, "TTD").as_deref(), Some("1 d"));
    assert_eq!(fact(&page, "TTR").as_deref(), Some("3 y"));
}

#[test]
fn incident_from_1850_gets_a_year_page() {
    let build = times_site().build();
    assert_eq!(build.listed("years/1850/"), ["victorian"]);
    let page = build.page("incidents/victorian/");
    assert_eq!(
        fact(&page, "Started").as_deref(),
        Some("1850-06-01 12:00 UTC")
    );
    assert_eq!(
        fact(&page, "Duration").as_deref(),
        Some("40 min · 30 min – 2 h")
    );
    let years: Vec<String> = overview_rows(&build.page("years/"))
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(years, ["2024", "2021", "1850"], "years newest first");
}
