//! Dates, durations and zones from what an archive holds (#11): durations recorded as
//! values count wherever computed ones do, a date in the file name stands in for a start
//! nobody recorded, and zone names (`Denver`, `CET`) are read as their authors meant.

use crate::support::{Site, fact, listed_incidents, text};

fn json(build: &crate::support::Build, path: &str) -> serde_json::Value {
    serde_json::from_str(&build.page(path)).expect("valid JSON")
}

/// The export record of the incident `slug`.
fn exported(build: &crate::support::Build, slug: &str) -> serde_json::Value {
    let data = json(build, "data/incidents.json");
    data["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["slug"] == slug)
        .unwrap_or_else(|| panic!("{slug} is exported"))
        .clone()
}

/// The body rows of the data table under the chart with `id`, as cell texts.
fn chart_rows(html: &str, id: &str) -> Vec<String> {
    let start = html.find(&format!("id=\"{id}\"")).expect("the chart");
    let figure = &html[start..start + html[start..].find("</figure>").unwrap()];
    let body = &figure[figure.find("<tbody>").expect("a data table")..];
    body.split("<tr>")
        .skip(1)
        .map(|row| text(&row[..row.find("</tr>").unwrap()]))
        .collect()
}

#[test]
fn recorded_durations_count_wherever_computed_ones_do() {
    let site = Site::new()
        .config("[fields]\ntime_to_resolve = [\"ttr\", \"time_to_recovery\"]\n")
        .file(
            "content/queue.md",
            "---\ntitle: Queue backlog\nseverity: SEV2\nstarted_at: 2024-03-05 10:00\nduration: 45m\ntime_to_detect: 5 min\nteam: payments\n---\nBody.\n",
        )
        .file(
            "content/dns.md",
            "---\ntitle: DNS outage\nseverity: SEV2\nstarted_at: 2024-05-02 10:00\nttr: \"2h 30m\"\n---\nBody.\n",
        )
        .file(
            "content/cache.md",
            "---\ntitle: Cache flush\nseverity: SEV3\nduration: PT3H\n---\nBody.\n",
        );
    let build = site.build();
    build.assert_code(0);
    assert_eq!(build.stderr, "", "every value is read without a word");

    let page = build.page("incidents/queue/");
    assert_eq!(
        fact(&page, "Duration").as_deref(),
        Some("45 min recorded · 30 min – 2 h")
    );
    assert_eq!(fact(&page, "TTD").as_deref(), Some("5 min recorded"));
    assert_eq!(fact(&page, "TTR").as_deref(), Some("45 min recorded"));
    assert_eq!(fact(&page, "Team").as_deref(), Some("payments"));
    assert_eq!(
        page.matches("<dt>Duration</dt>").count(),
        1,
        "the recorded value is no extra field"
    );
    assert!(!text(&page).contains("45m"), "{}", text(&page));

    assert_eq!(
        listed_incidents(&build.page("durations/30m-2h/")),
        ["queue"]
    );
    assert_eq!(
        listed_incidents(&build.page("durations/2h-8h/")),
        ["dns", "cache"]
    );

    let trends = build.page("trends/");
    assert_eq!(
        chart_rows(&trends, "chart-ttr"),
        [
            "2024 Q1 45 min 45 min 1 0",
            "2024 Q2 2 h 30 min 2 h 30 min 1 0"
        ],
        "dated incidents' recorded TTR per quarter"
    );
    assert!(
        text(&trends).contains("2 h 30 min median time to resolve · p90 3 h"),
        "the undated one counts over the whole archive"
    );

    let queue = exported(&build, "queue");
    assert_eq!(queue["duration_minutes"], 45);
    assert_eq!(queue["ttd_minutes"], 5);
    assert_eq!(queue["ttr_minutes"], 45);
    assert_eq!(queue["duration_bucket"], "30m-2h");
    assert_eq!(exported(&build, "dns")["duration_minutes"], 150);
    assert_eq!(exported(&build, "cache")["ttr_minutes"], 180);
}

#[test]
fn durations_that_disagree_or_cannot_be_read_are_named() {
    let site = Site::new()
        .config("[fields]\ntime_to_resolve = [\"ttr_minutes\"]\n")
        .file(
            "content/a.md",
            "---\ntitle: A\nstarted_at: 2024-03-05 10:00\nresolved_at: 2024-03-05 12:10\ndetected_at: 2024-03-05 10:04\nduration: 45m\nttr_minutes: 130\ntime_to_detect: 5\ntime_to_mitigate: soon\n---\nBody.\n",
        );
    let build = site.build();
    build.assert_code(0);
    let stderr = build.stderr_portable();
    assert!(
        stderr.contains("content/a.md:6:11: warning[H025]: duration: recorded 45m, but started_at and resolved_at give 2h 10m; pages use the timestamps"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "content/a.md:8:17: warning[H024]: time_to_detect: 5 has no unit; read as 5 minutes"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("content/a.md:9:19: warning[H024]: time_to_mitigate: \"soon\" is not a duration (expected a duration such as 45m, 2h 30m, 1d 4h, 90s, PT45M, \"45 minutes\", \"1.5 hours\" or 1:30 (hours:minutes))"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("ttr_minutes"),
        "a number in the unit its field names, agreeing within a minute: {stderr}"
    );
    assert!(
        !stderr.contains("time_to_detect: recorded"),
        "5 minutes against 4 is rounding, not a contradiction: {stderr}"
    );
    let page = build.page("incidents/a/");
    assert_eq!(
        fact(&page, "Duration").as_deref(),
        Some("2 h 10 min · 2 – 8 h"),
        "the timestamps win, and the page does not call it recorded"
    );

    let quiet = site.config("[fields]\ntime_to_resolve = [\"ttr_minutes\"]\n[check.levels]\nH024 = \"off\"\nH025 = \"info\"\n");
    let build = quiet.build();
    build.assert_code(0);
    assert!(!build.stderr.contains("H024"), "{}", build.stderr);
    assert!(build.stderr.contains("info[H025]"), "{}", build.stderr);
}

#[test]
fn prose_lengths_are_durations_too() {
    let build = Site::new()
        .file(
            "content/queue.md",
            "# Queue backlog\n\nDuration: 45 minutes\nTime to detect: 5 minutes\n\nWhat happened.\n",
        )
        .build();
    build.assert_code(0);
    let page = build.page("incidents/queue/");
    let duration = fact(&page, "Duration").unwrap();
    assert!(duration.starts_with("45 min recorded"), "{duration}");
    assert!(
        page.contains("title=\"Inferred from line 3: “45 minutes”\">inferred</span>"),
        "{page}"
    );
    assert_eq!(fact(&page, "TTD").as_deref(), Some("5 min recorded"));
    assert_eq!(
        listed_incidents(&build.page("durations/30m-2h/")),
        ["queue"]
    );
}

#[test]
fn a_date_in_a_file_name_after_the_as_of_date_is_no_date() {
    // `outage-2045` is numbered, not dated: an incident cannot have happened after the
    // day the site is built for, so the page says the start is unknown rather than 2045.
    let untitled = |title: &str| format!("---\ntitle: {title}\n---\nBody.\n");
    let build = Site::new()
        .file("content/outage-2045.md", untitled("Numbered outage"))
        .file("content/2031-01-02-planned.md", untitled("Dated ahead"))
        .file("content/outage-2019.md", untitled("Old outage"))
        .file("content/2026-12-04-today.md", untitled("Today"))
        .build_with(&["--as-of", "2026-12-04"]);
    build.assert_code(0);
    let started = |slug: &str| fact(&build.page(&format!("incidents/{slug}/")), "Started");
    assert_eq!(started("outage-2045").as_deref(), Some("unknown"));
    assert_eq!(started("2031-01-02-planned").as_deref(), Some("unknown"));
    assert_eq!(
        started("outage-2019").as_deref(),
        Some("2019 from the file name")
    );
    assert_eq!(
        started("2026-12-04-today").as_deref(),
        Some("2026-12-04 from the file name"),
        "the as-of day itself is a day an incident can start"
    );
    assert_eq!(
        listed_incidents(&build.page("incidents/")),
        [
            "2026-12-04-today",
            "outage-2019",
            "2031-01-02-planned",
            "outage-2045"
        ],
        "the undated last, by slug"
    );
    // With an as-of date before them, the same names are dates again.
    let earlier = Site::new()
        .file("content/outage-2045.md", untitled("Numbered outage"))
        .build_with(&["--as-of", "2046-01-01"]);
    assert_eq!(
        fact(&earlier.page("incidents/outage-2045/"), "Started").as_deref(),
        Some("2045 from the file name")
    );
}

#[test]
fn a_date_in_the_file_name_stands_in_for_a_start_nobody_recorded() {
    let site = Site::new()
        .config("base_url = \"https://example.org/\"\n")
        .file(
            "content/2020-06-13-dns-outage.md",
            "---\ntitle: DNS outage\n---\nBody.\n",
        )
        .file(
            "content/PM2019-009.md",
            "---\ntitle: Queue outage\n---\nBody.\n",
        )
        .file(
            "content/2021-01-05-recorded.md",
            "---\ntitle: Recorded\nstarted_at: 2022-02-02 10:00\n---\nBody.\n",
        )
        .file(
            "content/8f14e45f-ceea-467f-a0e5-b3a1e2c4d5f6.md",
            "---\ntitle: Opaque\n---\nBody.\n",
        );
    let build = site.build();
    build.assert_code(0);

    let day = build.page("incidents/2020-06-13-dns-outage/");
    assert_eq!(
        fact(&day, "Started").as_deref(),
        Some("2020-06-13 from the file name")
    );
    assert!(day.contains("<time datetime=\"2020-06-13\">2020-06-13</time>"));
    let year = build.page("incidents/pm2019-009/");
    assert_eq!(
        fact(&year, "Started").as_deref(),
        Some("2019 from the file name")
    );
    let recorded = build.page("incidents/2021-01-05-recorded/");
    assert_eq!(
        fact(&recorded, "Started").as_deref(),
        Some("2022-02-02 10:00 UTC"),
        "a recorded start wins over the file name"
    );
    assert_eq!(
        fact(
            &build.page("incidents/8f14e45f-ceea-467f-a0e5-b3a1e2c4d5f6/"),
            "Started"
        )
        .as_deref(),
        Some("unknown")
    );

    assert_eq!(
        listed_incidents(&build.page("incidents/")),
        [
            "2021-01-05-recorded",
            "2020-06-13-dns-outage",
            "pm2019-009",
            "8f14e45f-ceea-467f-a0e5-b3a1e2c4d5f6"
        ],
        "newest first; a year alone after every day, undated last"
    );
    assert_eq!(
        listed_incidents(&build.page("years/2020/")),
        ["2020-06-13-dns-outage"]
    );
    assert_eq!(listed_incidents(&build.page("years/2019/")), ["pm2019-009"]);
    assert!(
        !build.has("years/2021/"),
        "the recorded start's year counts"
    );

    let dns = exported(&build, "2020-06-13-dns-outage");
    assert_eq!(dns["date"], "2020-06-13");
    assert_eq!(dns["month"], "2020-06");
    assert_eq!(dns["started_at"], serde_json::Value::Null);
    let pm = exported(&build, "pm2019-009");
    assert_eq!(pm["year"], 2019);
    assert_eq!(
        pm["date"],
        serde_json::Value::Null,
        "a year alone claims no day"
    );
    assert_eq!(pm["month"], serde_json::Value::Null);

    let trends = build.page("trends/");
    assert!(
        text(&trends).contains("from 2020-06-13 to 2022-02-02"),
        "the file name's day is on the time axis, the year alone is not"
    );
    let feed = build.page("feed.xml");
    assert!(
        feed.contains("<title>DNS outage</title>")
            && feed.contains("<updated>2020-06-13T00:00:00Z</updated>"),
        "a day from the file name places the entry: {feed}"
    );
}

#[test]
fn city_zones_follow_daylight_saving_and_date_the_timeline() {
    let build = Site::new()
        .file(
            "content/denver.md",
            "---\ntitle: Denver\nstarted_at: 2024-03-05 09:00 Denver\nresolved_at: 2024-03-05 11:30 Denver\n---\n\n## Timeline\n\n- 09:00 errors begin\n- 11:30 Incident resolved.\n",
        )
        .file(
            "content/summer.md",
            "---\ntitle: Summer\nstarted_at: 2024-07-05 09:00 New York\n---\nBody.\n",
        )
        .build();
    build.assert_code(0);
    assert_eq!(
        build.stderr, "",
        "no unknown zone, and the timeline is read in Denver time"
    );
    let page = build.page("incidents/denver/");
    assert!(
        page.contains("<time datetime=\"2024-03-05T16:00:00Z\">2024-03-05 16:00 UTC</time>"),
        "MST in March: {page}"
    );
    assert_eq!(
        fact(&page, "Duration").as_deref(),
        Some("2 h 30 min · 2 – 8 h")
    );
    let summer = build.page("incidents/summer/");
    assert!(
        summer.contains("datetime=\"2024-07-05T13:00:00Z\""),
        "EDT in July"
    );
}

#[test]
fn a_standard_time_abbreviation_in_summer_is_read_as_written_and_named() {
    let build = Site::new()
        .file(
            "content/a.md",
            "---\ntitle: A\nstarted_at: 2024-07-01 10:00 CET\nresolved_at: 2024-07-01 13:00 CEST\n---\nBody.\n",
        )
        .build();
    build.assert_code(0);
    let stderr = build.stderr_portable();
    assert!(
        stderr.contains("content/a.md:3:13: warning[H026]: started_at: CET given for 2024-07-01, when Central Europe was on CEST (+02:00); read as +01:00 as written"),
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("warning[H026]").count(),
        1,
        "CEST in July is right"
    );
    let page = build.page("incidents/a/");
    assert!(page.contains("<time datetime=\"2024-07-01T09:00:00Z\">"));
    assert_eq!(
        fact(&page, "Duration").as_deref(),
        Some("2 h · 2 – 8 h"),
        "10:00 at +01:00 to 13:00 at +02:00"
    );
}

#[test]
fn dates_written_as_people_write_them_are_read_in_front_matter() {
    let files = [
        (
            "words",
            "February 10, 2024, 9:00 AM (PST)",
            "Feb 10, 2024 4:30 PM PST",
        ),
        ("dots", "10.02.2024 09:00", "10.02.2024 11:15 CET"),
        (
            "slashes",
            "03/04/2022 14:05 Denver",
            "03/04/2022 15:45 Denver",
        ),
    ];
    let site = |config: &str| {
        let mut site = Site::new().config(config);
        for (slug, start, end) in files {
            site = site.file(
                &format!("content/{slug}.md"),
                format!("---\ntitle: {slug}\nstarted_at: \"{start}\"\nresolved_at: \"{end}\"\n---\nBody.\n"),
            );
        }
        site.build()
    };

    // Without date_order, 03/04/2022 could be either day: an error naming both and the
    // setting, and the incident has no start rather than a guessed one.
    let unset = site("");
    let stderr = unset.stderr_portable();
    assert!(
        stderr.contains("content/slashes.md:3:13: error[H005]: started_at: \"03/04/2022 14:05 Denver\": 03/04/2022 could be March 4, 2022 or April 3, 2022: set date_order = \"month-first\" or \"day-first\" in hindsight.toml"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("error[H005]").count(), 2, "{stderr}");
    let words = unset.page("incidents/words/");
    assert!(
        words.contains("<time datetime=\"2024-02-10T17:00:00Z\">"),
        "9 AM PST"
    );
    assert_eq!(
        fact(&words, "Duration").as_deref(),
        Some("7 h 30 min · 2 – 8 h")
    );
    let dots = unset.page("incidents/dots/");
    assert!(
        dots.contains("<time datetime=\"2024-02-10T09:00:00Z\">"),
        "day first"
    );
    assert_eq!(
        fact(&dots, "Duration").as_deref(),
        Some("1 h 15 min · 30 min – 2 h")
    );

    // Said once for the site, every such date reads one way.
    let us = site("date_order = \"month-first\"\n");
    assert!(!us.stderr.contains("H005"), "{}", us.stderr);
    let slashes = us.page("incidents/slashes/");
    assert!(
        slashes.contains("<time datetime=\"2022-03-04T21:05:00Z\">"),
        "March 4, MST"
    );
    assert_eq!(
        fact(&slashes, "Duration").as_deref(),
        Some("1 h 40 min · 30 min – 2 h")
    );
    let europe = site("date_order = \"day-first\"\n");
    assert!(
        europe
            .page("incidents/slashes/")
            .contains("<time datetime=\"2022-04-03T20:05:00Z\">"),
        "3 April, MDT"
    );
}
