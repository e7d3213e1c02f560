//! Trends, home, facets and feeds on a messy archive (#11): one incident dated centuries
//! before the rest, no detection time anywhere, no severity, no root cause, one incident
//! of 90 days, one without any date. Every page must stay true: no stretched axis, no
//! chart without data, no empty vocabulary, no "0 s", no sum an outlier decides, and no
//! feed dated 1970.
//!
//! | incident (slug)    | started (UTC)    | duration | services            |
//! | ------------------ | ---------------- | -------- | ------------------- |
//! | 2021-03-10-api     | 2021-03-10 10:00 | 3 min    | api                 |
//! | 2021-09-01-db      | 2021-09-01 10:00 | 10 min   | db                  |
//! | 2022-02-14-cache   | 2022-02-14 10:00 | 30 min   | cache               |
//! | 2022-07-04-api     | 2022-07-04 10:00 | 45 min   | api                 |
//! | 2023-01-20-queue   | 2023-01-20 10:00 | 2 h      | queue               |
//! | 2023-06-30-api     | 2023-06-30 10:00 | 3 h      | api                 |
//! | 2023-11-11-db      | 2023-11-11 10:00 | 6 h      | db                  |
//! | 2024-02-02-cache   | 2024-02-02 10:00 | 2 d      | cache               |
//! | 2024-05-05-api     | 2024-05-05 10:00 | 90 d     | api                 |
//! | 2024-08-08-db      | 2024-08-08 10:00 | —        | db                  |
//! | 1602-03-04-ancient | 1602-03-04 10:00 | 20 min   | api                 |
//! | undated-note       | —                | —        | api, legacy-batch   |
//!
//! Ten known durations, sorted: 3, 10, 20, 30, 45, 120, 180, 360, 2880, 129600 minutes;
//! the median (rank 5) is 45 min, the p90 (rank 9) 2 d.

use crate::support::{Build, Site, attrs, fact, text, tree};

const BASE: &str = "https://intranet.example/pm/";
const AS_OF: &str = "2025-01-15";

/// (slug, started_at, minutes to resolution, services)
const INCIDENTS: [(&str, Option<&str>, Option<i64>, &str); 12] = [
    ("2021-03-10-api", Some("2021-03-10"), Some(3), "[api]"),
    ("2021-09-01-db", Some("2021-09-01"), Some(10), "[db]"),
    ("2022-02-14-cache", Some("2022-02-14"), Some(30), "[cache]"),
    ("2022-07-04-api", Some("2022-07-04"), Some(45), "[api]"),
    ("2023-01-20-queue", Some("2023-01-20"), Some(120), "[queue]"),
    ("2023-06-30-api", Some("2023-06-30"), Some(180), "[api]"),
    ("2023-11-11-db", Some("2023-11-11"), Some(360), "[db]"),
    (
        "2024-02-02-cache",
        Some("2024-02-02"),
        Some(2880),
        "[cache]",
    ),
    ("2024-05-05-api", Some("2024-05-05"), Some(129_600), "[api]"),
    ("2024-08-08-db", Some("2024-08-08"), None, "[db]"),
    ("1602-03-04-ancient", Some("1602-03-04"), Some(20), "[api]"),
    ("undated-note", None, None, "[api, legacy-batch]"),
];

/// The archive, with `config` added to its `hindsight.toml`.
fn archive(config: &str) -> Site {
    let mut site = Site::new().config(&format!("base_url = \"{BASE}\"\n{config}"));
    for (slug, started, minutes, services) in INCIDENTS {
        let title = slug
            .trim_start_matches(|c: char| c.is_ascii_digit() || c == '-')
            .replace('-', " ");
        let mut front = format!("title: \"Outage of {title}\"\nservices: {services}\n");
        if let Some(day) = started {
            let start = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
                .unwrap()
                .and_hms_opt(10, 0, 0)
                .unwrap()
                .and_utc();
            front.push_str(&format!("started_at: {}\n", start.to_rfc3339()));
            if let Some(minutes) = minutes {
                let end = start + chrono::TimeDelta::minutes(minutes);
                front.push_str(&format!("resolved_at: {}\n", end.to_rfc3339()));
            }
        }
        site = site.file(
            &format!("content/{slug}.md"),
            format!("---\n{front}---\n\nWhat happened.\n"),
        );
    }
    site
}

fn build(config: &str) -> Build {
    let build = archive(config).build_with(&["--as-of", AS_OF]);
    build.assert_code(0);
    build
}

/// The body rows of the data table under a chart, as cell texts.
fn chart_table(html: &str, id: &str) -> Vec<Vec<String>> {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no chart {id}"));
    let figure = &html[start..start + html[start..].find("</figure>").unwrap()];
    let body = &figure[figure.find("<tbody>").expect("a data table")..];
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            let row = &row[..row.find("</tr>").unwrap()];
            row.split("</t")
                .filter_map(|cell| cell.rfind("<t").map(|at| text(&cell[at..])))
                .collect()
        })
        .collect()
}

/// The head cells of the data table under a chart.
fn chart_head(html: &str, id: &str) -> Vec<String> {
    let start = html.find(&format!("id=\"{id}\"")).unwrap();
    let head = &html[start..];
    let head = &head[head.find("<thead>").unwrap()..head.find("</thead>").unwrap()];
    head.split("<th ")
        .skip(1)
        .map(|th| text(&format!("<th {th}")))
        .collect()
}

/// The HTML of the section with `id` on the trend page.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!("<section id=\"{id}\"")).unwrap();
    &html[start..start + html[start..].find("</section>").unwrap()]
}

#[test]
fn the_time_axis_covers_the_dense_range_and_lists_the_stray_incident() {
    let build = build("");
    let page = build.page("trends/");
    let volume = chart_table(&page, "chart-volume");
    // 2021-03 to 2024-08 is 42 months: quarters, from the first dense one.
    assert_eq!(volume[0], ["2021 Q1", "1"]);
    assert_eq!(volume.last().unwrap(), &["2024 Q3", "1"]);
    assert_eq!(volume.len(), 15);
    assert!(!page.contains("1602 Q1") && !page.contains(">1602<"));
    let over_time = section(&page, "volume");
    assert!(
        text(over_time)
            .contains("1 incident before 2021 is not drawn: Outage of ancient (1602-03-04)"),
        "{}",
        text(over_time)
    );
    assert!(attrs(over_time, "href").contains(&"../incidents/1602-03-04-ancient/".to_string()));
    assert!(text(over_time).contains("1 incident has no start time"));
    // The response and share axes are the same range.
    assert_eq!(chart_table(&page, "chart-ttr")[0][0], "2021 Q1");
    // The service page of the stray incident says so under its sparkline.
    let api = build.page("services/api/");
    assert!(
        text(&api).contains("1 incident before 2021 is not drawn: Outage of ancient"),
        "{}",
        text(&api)
    );
    assert!(!api.contains("1602 Q1"));
}

#[test]
fn charts_without_data_are_replaced_by_the_field_that_would_fill_them() {
    let build = build("");
    let page = build.page("trends/");
    assert!(
        !page.contains("id=\"chart-ttd\""),
        "no time-to-detect chart"
    );
    let response = text(section(&page, "response"));
    assert!(
        response.contains("No incident records a detection time (detected_at)."),
        "{response}"
    );
    assert!(page.contains("id=\"chart-ttr\""), "resolution times exist");
    assert!(
        !page.contains("By severity, over the whole archive"),
        "no table of one \"not set\" row"
    );
    // No root cause anywhere: no share, no ranking, no heat map of "not set".
    for id in ["chart-cause-share", "chart-causes-count", "chart-matrix"] {
        assert!(!page.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(
        text(section(&page, "causes")).contains("No incident names a root cause (root_cause)."),
    );
    assert!(text(section(&page, "recurrence")).contains(
        "Recurrence needs incidents with a start time, a service and a root cause; no incident has all three."
    ));
    // The services are ranked, by count and by median duration: the 90-day incident
    // makes api's p90, not its rank.
    assert!(page.contains("id=\"chart-services-count\""));
    assert_eq!(
        chart_table(&page, "chart-services-duration"),
        [
            ["queue", "2 h", "2 h", "1", "1"],
            ["api", "45 min", "90 d", "5", "6"],
            ["cache", "30 min", "2 d", "2", "2"],
            ["db", "10 min", "6 h", "2", "3"],
        ]
    );
    // A service whose only incident has no date: no empty sparkline.
    let legacy = text(&build.page("services/legacy-batch/"));
    assert!(
        legacy.contains("None of these incidents records a start time (started_at)."),
        "{legacy}"
    );
    assert!(
        !build
            .page("services/legacy-batch/")
            .contains("chart-term-quarters")
    );
}

#[test]
fn facets_without_values_are_listed_nowhere() {
    let build = build("");
    let home = build.page("");
    let trends = build.page("trends/");
    let incident = build.page("incidents/2021-03-10-api/");
    for (name, page) in [
        ("home", &home),
        ("trends", &trends),
        ("incident", &incident),
    ] {
        for facet in ["severities/", "causes/", "tags/"] {
            assert!(
                !attrs(page, "href").iter().any(|href| href.ends_with(facet)),
                "{name} links {facet}"
            );
        }
        assert!(
            attrs(page, "href").iter().any(|h| h.ends_with("services/")),
            "{name} lists services"
        );
    }
    assert!(!text(&home).contains("None yet"));
    assert!(!text(&home).contains("Severities"));
    assert!(!trends.contains("by severity"));
    assert_eq!(chart_head(&trends, "chart-volume"), ["Period", "Incidents"]);
    // The page of an empty facet still answers, without a table of zeros.
    let severities = build.page("severities/");
    assert!(text(&severities).contains("No incident records a severity (severity)."));
    assert!(!severities.contains("<table"));
}

#[test]
fn durations_are_a_distribution_never_a_sum() {
    let build = build("");
    let page = build.page("trends/");
    assert_eq!(
        chart_table(&page, "chart-durations"),
        [
            ["< 5 min", "1"],
            ["5–15 min", "1"],
            ["15 min – 1 h", "3"],
            ["1–4 h", "2"],
            ["4–24 h", "1"],
            ["1–7 d", "1"],
            ["> 7 d", "1"],
        ]
    );
    let durations = text(section(&page, "durations"));
    assert!(
        durations.contains(
            "the median 45 min (half of the incidents were shorter), the 90th percentile 2 d, over 10 incidents"
        ),
        "{durations}"
    );
    let home = text(&build.page(""));
    assert!(
        home.contains("45 min median duration · p90 2 d · over 10 incidents"),
        "{home}"
    );
    assert!(!home.contains("total time in incidents"));
    // The quarter of the 90-day incident: its median and p90 are that incident's.
    let ttr = chart_table(&page, "chart-ttr");
    assert!(
        ttr.contains(
            &["2024 Q2", "90 d", "90 d", "1", "0"]
                .map(String::from)
                .to_vec()
        ),
        "{ttr:?}"
    );
    let api = text(&build.page("services/api/"));
    assert!(
        api.contains("Median time to resolve 45 min · p90 90 d · over 5 (1 without data)"),
        "{api}"
    );
    // Pages of other facets have no trend, but the same distribution instead of a total.
    let year = text(&build.page("years/2024/"));
    assert!(
        year.contains("Median duration 2 d · p90 90 d · over 2 (1 without one)"),
        "{year}"
    );
}

#[test]
fn an_unknown_figure_is_a_dash_never_zero_seconds() {
    let build = build("");
    let unresolved = build.page("incidents/2024-08-08-db/");
    assert_eq!(
        fact(&unresolved, "Duration").as_deref(),
        Some("— (not recorded: needs a start and a resolution time, or a recorded duration)")
    );
    assert_eq!(
        fact(&unresolved, "TTD").as_deref(),
        Some("— (not recorded: needs a start and a detection time, or a recorded time to detect)")
    );
    assert!(unresolved.contains(
        "title=\"not recorded: needs a start and a detection time, or a recorded time to detect\""
    ));
    let trends = text(&build.page("trends/"));
    assert!(
        trends.contains("— (no incident records a detection time) median time to detect"),
        "{trends}"
    );
    let files = tree(&build.out);
    let mut checked = 0;
    for (path, bytes) in &files {
        if !(path.ends_with(".html") || path.ends_with(".xml")) {
            continue;
        }
        let page = String::from_utf8_lossy(bytes);
        let visible = text(&page);
        let words: Vec<&str> = visible.split_whitespace().collect();
        assert!(
            !words
                .windows(2)
                .any(
                    |w| w[0].trim_start_matches(|c: char| !c.is_ascii_digit()) == "0"
                        && w[1].trim_end_matches(|c: char| !c.is_alphanumeric()) == "s"
                ),
            "{path} shows \"0 s\""
        );
        checked += 1;
    }
    assert!(checked > 30, "{checked} pages");
}

/// A feed as parsed XML: its `updated` and, per entry, title, updated and summary.
fn feed(build: &Build, path: &str) -> (String, Vec<(String, String, String)>) {
    let xml = build.page(path);
    assert!(!xml.contains("1970"), "{path}: {xml}");
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{path}: {e}"));
    let child = |node: roxmltree::Node<'_, '_>, name: &str| -> String {
        node.children()
            .find(|c| c.tag_name().name() == name)
            .and_then(|c| c.text())
            .unwrap_or_default()
            .to_string()
    };
    let root = doc.root_element();
    let entries = root
        .children()
        .filter(|c| c.tag_name().name() == "entry")
        .map(|e| (child(e, "title"), child(e, "updated"), child(e, "summary")))
        .collect();
    (child(root, "updated"), entries)
}

#[test]
fn feeds_include_undated_incidents_by_the_as_of_date_and_never_say_1970() {
    let build = build("");
    let note = "The postmortem records no date; this entry is dated 2025-01-15, the date the site was built for.";
    let (updated, entries) = feed(&build, "feed.xml");
    assert_eq!(updated, "2025-01-15T00:00:00Z");
    assert_eq!(entries.len(), 12, "every incident, dated or not");
    assert_eq!(
        entries[0],
        (
            "Outage of undated note".into(),
            "2025-01-15T00:00:00Z".into(),
            note.into()
        )
    );
    assert_eq!(entries[1].1, "2024-08-08T10:00:00Z");
    // A service whose only postmortem is undated: one entry, dated by the as-of date.
    let (updated, entries) = feed(&build, "services/legacy-batch/feed.xml");
    assert_eq!(updated, "2025-01-15T00:00:00Z");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].2, note);
    let (_, api) = feed(&build, "services/api/feed.xml");
    assert_eq!(api[0].0, "Outage of undated note");
    assert_eq!(api.len(), 6);
    // Every feed is well-formed XML for a validator too.
    for path in build.pages().iter().filter(|p| p.ends_with("feed.xml")) {
        let status = std::process::Command::new("xmllint")
            .arg("--noout")
            .arg(build.out.join(path))
            .status();
        match status {
            Ok(status) => assert!(status.success(), "xmllint rejects {path}"),
            // Without xmllint, roxmltree above has parsed every feed read here.
            Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::NotFound, "{e}"),
        }
    }
}

#[test]
fn extra_fields_are_tidy_and_the_site_chooses_them() {
    let extras = "jira: https://tracker.example.com/browse/OPS-1234?focus=comment-99887766#comment\n\
                  owner_team: payments\n\
                  internal_notes: do not publish\n\
                  channels: ['#inc-1', '#payments']\n\
                  regions: {eu_west: 12, us_east: 3}\n";
    let site = |config: &str| {
        Site::new()
            .config(config)
            .file(
                "content/a.md",
                format!("---\ntitle: A\n{extras}---\nBody.\n"),
            )
            .build()
    };
    let all = site("[fields]\nhide = [\"internal_notes\"]\n");
    all.assert_code(0);
    let page = all.page("incidents/a/");
    assert_eq!(
        fact(&page, "Jira").as_deref(),
        Some("tracker.example.com/browse/OPS-1234")
    );
    let full = "https://tracker.example.com/browse/OPS-1234?focus=comment-99887766#comment";
    assert!(page.contains(&format!("<a href=\"{full}\" title=\"{full}\">")));
    assert_eq!(
        fact(&page, "Channels").as_deref(),
        Some("#inc-1, #payments")
    );
    assert_eq!(
        fact(&page, "Regions").as_deref(),
        Some("Eu west: 12 Us east: 3")
    );
    assert!(page.contains("<ul class=\"extra-map\">"));
    assert_eq!(fact(&page, "Internal notes"), None, "hidden");
    assert!(!page.contains("do not publish"));

    let chosen = site(
        "[fields]\nshow = [\"owner_team\", \"jira\", \"internal_notes\"]\nhide = [\"internal_notes\"]\n",
    );
    chosen.assert_code(0);
    let page = chosen.page("incidents/a/");
    let labels: Vec<String> = page
        .split("<div class=\"extra\"><dt>")
        .skip(1)
        .map(|rest| rest[..rest.find("</dt>").unwrap()].to_string())
        .collect();
    assert_eq!(labels, ["Owner team", "Jira"], "only these, in this order");
}
