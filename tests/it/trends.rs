//! The trend page, the trends on facet pages and the data exports, checked against the
//! `tests/fixtures/trends` archive, whose figures are worked out by hand here:
//!
//! | incident (slug)               | sev  | started (UTC)    | TTD  | TTR    | services | cause         |
//! | ----------------------------- | ---- | ---------------- | ---- | ------ | -------- | ------------- |
//! | 2024-01-10-api-deploy         | SEV2 | 2024-01-10 10:00 | 10 m | 60 m   | api      | deploy        |
//! | 2024-01-25-api-deploy-again   | SEV1 | 2024-01-25 08:00 | 5 m  | 120 m  | api, db  | deploy        |
//! | 2024-02-14-db-capacity        | SEV3 | 2024-02-14 12:00 | 30 m | 480 m  | db       | capacity      |
//! | 2024-03-01-db-capacity        | SEV1 | 2024-03-01 00:30 | 15 m | —      | db       | capacity      |
//! | 2024-03-03-cache-config       | SEV2 | 2024-03-03 09:00 | —    | 20 m   | cache    | config-change |
//! | 2024-03-20-api-deploy         | SEV2 | 2024-03-20 15:00 | 2 m  | 45 m   | api      | deploy        |
//! | 2024-05-05-cache-caching      | SEV4 | 2024-05-05 10:00 | 1 m  | 31 m   | cache    | caching       |
//! | 2024-05-30-api-network        | —    | 2024-05-30 23:30 | 10 m | 360 m  | api      | network       |
//! | 2024-06-15-cache-config       | SEV3 | 2024-06-15 06:00 | 20 m | 1440 m | cache    | config-change |
//! | undated-api-deploy            | SEV2 | —                | —    | —      | api      | deploy        |
//!
//! Recurrence is set to 30 days. Open action items: "Add a deploy canary" (alice, due
//! 2024-02-01), "Gate deploys on database migrations" (Bob, 2024-08-01), "Validate cache
//! config in CI" (alice, 2024-06-30), "Alert on config drift" (unassigned, 2025-03-20),
//! "Quarterly config review" (carol, 2025-04-01); one done, one won't fix.

use std::process::Command;

use crate::support::{Build, Site, attrs, text, tree, unescape};

fn fixture(as_of: &str) -> Build {
    let build = Site::fixture("trends").build_with(&["--as-of", as_of]);
    build.assert_code(0);
    assert_eq!(build.stderr, "", "the fixture is clean");
    build
}

/// The part of `html` from the element with `id` to the end of that chart's figure.
fn figure<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no element with id {id}"));
    let end = start + html[start..].find("</figure>").expect("the figure ends");
    &html[start..end]
}

/// The body rows of the data table under a chart, as cell texts.
pub(crate) fn chart_table(html: &str, id: &str) -> Vec<Vec<String>> {
    let figure = figure(html, id);
    let body = &figure[figure.find("<tbody>").expect("a data table")..];
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            let row = &row[..row.find("</tr>").expect("the row ends")];
            row.split("</t")
                .filter_map(|cell| cell.rfind("<t").map(|at| text(&cell[at..])))
                .collect()
        })
        .collect()
}

/// The `<title>` texts inside a chart's SVG, the chart's own first: one per mark.
fn titles(html: &str, id: &str) -> Vec<String> {
    let figure = figure(html, id);
    let svg = &figure[figure.find("<svg").expect("an inline SVG")..figure.find("</svg>").unwrap()];
    svg.split("<title>")
        .skip(1)
        .map(|t| unescape(&t[..t.find("</title>").unwrap()]))
        .collect()
}

/// The `height` of each `<rect class="mark …">` of a chart, in document order.
fn mark_heights(html: &str, id: &str) -> Vec<f64> {
    figure(html, id)
        .split("<rect class=\"mark ")
        .skip(1)
        .map(|rect| {
            let at = rect.find("height=\"").unwrap() + 8;
            rect[at..at + rect[at..].find('"').unwrap()]
                .parse()
                .unwrap()
        })
        .collect()
}

fn rows(cells: &[&[&str]]) -> Vec<Vec<String>> {
    cells
        .iter()
        .map(|row| row.iter().map(|c| c.to_string()).collect())
        .collect()
}

/// The slug at the end of each incident link in a piece of HTML, in order.
fn incident_links(html: &str) -> Vec<String> {
    attrs(html, "href")
        .into_iter()
        .filter_map(|url| {
            let rest = &url[url.find("incidents/")? + "incidents/".len()..];
            Some(rest[..rest.find('/')?].to_string())
        })
        .collect()
}

/// The HTML of the section with `id` on the trend page.
pub(crate) fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!("<section id=\"{id}\"")).unwrap();
    &html[start..start + html[start..].find("</section>").unwrap()]
}

#[test]
fn incidents_per_month_stacked_by_severity() {
    let page = fixture("2024-07-01").page("trends/");
    assert_eq!(
        chart_table(&page, "chart-volume"),
        rows(&[
            &["2024-01", "1", "1", "0", "0", "0", "2"],
            &["2024-02", "0", "0", "1", "0", "0", "1"],
            &["2024-03", "1", "2", "0", "0", "0", "3"],
            &["2024-04", "0", "0", "0", "0", "0", "0"],
            &["2024-05", "0", "0", "0", "1", "1", "2"],
            &["2024-06", "0", "0", "1", "0", "0", "1"],
        ])
    );
    let marks = titles(&page, "chart-volume");
    assert_eq!(marks[0], "Incidents per month, by severity");
    assert_eq!(
        marks[1..],
        [
            "2024-01 · SEV1: 1",
            "2024-01 · SEV2: 1",
            "2024-02 · SEV3: 1",
            "2024-03 · SEV1: 1",
            "2024-03 · SEV2: 2",
            "2024-05 · SEV4: 1",
            "2024-05 · Not set: 1",
            "2024-06 · SEV3: 1",
        ]
    );
    // Heights follow the counts: March's SEV2 segment is twice January's.
    let heights = mark_heights(&page, "chart-volume");
    assert!((heights[4] - 2.0 * heights[1]).abs() < 0.2, "{heights:?}");
    assert!(text(&page).contains("1 incident has no start time"));
}

#[test]
fn time_to_detect_and_resolve_per_quarter() {
    let page = fixture("2024-07-01").page("trends/");
    assert_eq!(
        chart_table(&page, "chart-ttd"),
        rows(&[
            &["2024 Q1", "10 min", "30 min", "5", "1"],
            &["2024 Q2", "10 min", "20 min", "3", "0"],
        ])
    );
    assert_eq!(
        chart_table(&page, "chart-ttr"),
        rows(&[
            &["2024 Q1", "1 h", "8 h", "5", "1"],
            &["2024 Q2", "6 h", "1 d", "3", "0"],
        ])
    );
    let points = titles(&page, "chart-ttr");
    assert!(
        points.contains(&"2024 Q1 · Time to resolve, median: 1 h (5 with data, 1 without)".into()),
        "{points:?}"
    );
    assert!(
        points.contains(&"2024 Q2 · Time to resolve, p90: 1 d (3 with data, 0 without)".into())
    );
    // Over the whole archive: eight resolved incidents, two without a resolution time.
    let stats = text(section_before(&page, "section-nav"));
    assert!(
        stats.contains("1 h median time to resolve · p90 1 d"),
        "{stats}"
    );
    assert!(stats.contains("10 min median time to detect"), "{stats}");
}

/// The HTML before the element with class `class`.
fn section_before<'a>(html: &'a str, class: &str) -> &'a str {
    &html[..html.find(&format!("class=\"{class}\"")).unwrap()]
}

#[test]
fn root_causes_ranked_and_shared() {
    let page = fixture("2024-07-01").page("trends/");
    // Ties keep the vocabulary's order: configuration change before capacity.
    assert_eq!(
        chart_table(&page, "chart-causes-count"),
        rows(&[
            &["Deploy", "4", "40%"],
            &["Configuration change", "2", "20%"],
            &["Capacity", "2", "20%"],
            &["Network", "1", "10%"],
            &["Caching", "1", "10%"],
        ])
    );
    // Ranked by median duration, not by a total: configuration change holds the longest
    // incident (1 d) but its median is 20 min.
    assert_eq!(
        chart_table(&page, "chart-causes-duration"),
        rows(&[
            &["Capacity", "8 h", "8 h", "1", "2"],
            &["Network", "6 h", "6 h", "1", "1"],
            &["Deploy", "1 h", "2 h", "3", "4"],
            &["Caching", "31 min", "31 min", "1", "1"],
            &["Configuration change", "20 min", "1 d", "2", "2"],
        ])
    );
    // The fixture spans six months, so shares are per quarter.
    assert_eq!(
        chart_table(&page, "chart-cause-share")[0],
        ["2024 Q1", "1 (17%)", "2 (33%)", "3 (50%)", "0", "0", "6"]
    );
}

#[test]
fn services_ranked_and_crossed_with_root_causes() {
    let page = fixture("2024-07-01").page("trends/");
    // Multi-service incidents count once per service: 5 + 3 + 3 = 11 for 10 incidents.
    assert_eq!(
        chart_table(&page, "chart-services-count"),
        rows(&[
            &["api", "5", "50%"],
            &["cache", "3", "30%"],
            &["db", "3", "30%"]
        ])
    );
    assert_eq!(
        chart_table(&page, "chart-matrix"),
        rows(&[
            &["api", "0", "0", "4", "1", "0", "5"],
            &["cache", "2", "0", "0", "0", "1", "3"],
            &["db", "0", "2", "1", "0", "0", "3"],
        ])
    );
    let cells = titles(&page, "chart-matrix");
    assert!(cells.contains(&"api × Deploy: 4".to_string()), "{cells:?}");
    assert!(cells.contains(&"db × Capacity: 2".to_string()));
    let matrix = figure(&page, "chart-matrix");
    assert!(
        matrix.contains("class=\"cell heat-5\""),
        "the largest cell is darkest"
    );
    assert!(
        matrix.contains(">4</text>"),
        "counts are printed in the cells"
    );
}

#[test]
fn durations_as_a_log_histogram_by_severity_with_median_and_p90() {
    let page = fixture("2024-07-01").page("trends/");
    assert_eq!(
        chart_table(&page, "chart-durations"),
        rows(&[
            &["< 5 min", "0", "0", "0", "0", "0", "0"],
            &["5–15 min", "0", "0", "0", "0", "0", "0"],
            &["15 min – 1 h", "0", "2", "0", "1", "0", "3"],
            &["1–4 h", "1", "1", "0", "0", "0", "2"],
            &["4–24 h", "0", "0", "1", "0", "1", "2"],
            &["1–7 d", "0", "0", "1", "0", "0", "1"],
            &["> 7 d", "0", "0", "0", "0", "0", "0"],
        ])
    );
    let durations = text(section(&page, "durations"));
    // 20, 31, 45, 60, 120, 360, 480 and 1440 minutes: the 4th and the 8th by rank.
    assert!(
        durations.contains("the median 1 h (half of the incidents were shorter), the 90th percentile 1 d, over 8 incidents"),
        "{durations}"
    );
    assert!(durations.contains("2 incidents have no known duration"));
}

#[test]
fn recurrences_link_each_repeat_to_the_earlier_incident() {
    let page = fixture("2024-07-01").page("trends/");
    let recurrence = section(&page, "recurrence");
    let latest = &recurrence[recurrence.find("class=\"recurrences\"").unwrap()..];
    assert_eq!(
        incident_links(latest),
        [
            "2024-03-01-db-capacity",
            "2024-02-14-db-capacity",
            "2024-01-25-api-deploy-again",
            "2024-01-10-api-deploy",
        ]
    );
    let rows = text(latest);
    assert!(rows.contains("15 db Capacity"), "{rows}");
    assert!(rows.contains("14 api Deploy"), "{rows}");
    assert!(
        text(recurrence)
            .contains("2 of 9 incidents with a start time, a service and a root cause did (22%)")
    );
}

#[test]
fn overdue_action_items_depend_on_the_as_of_date() {
    let overdue = |as_of: &str| {
        let page = fixture(as_of).page("trends/");
        let actions = section(&page, "actions");
        let list = &actions[actions.find("<ol class=\"action-list\">").unwrap()..];
        let list = &list[..list.find("</ol>").unwrap()];
        list.split("<li>").skip(1).map(text).collect::<Vec<_>>()
    };
    assert_eq!(
        overdue("2024-07-01"),
        [
            "Add a deploy canary · alice · due 2024-02-01 151 days overdue from API errors after a deploy",
            "Validate cache config in CI · alice · due 2024-06-30 1 day overdue from Cache emptied by a config change",
        ]
    );
    // Due on the as-of date is not overdue yet.
    let later = overdue("2025-03-20");
    assert_eq!(later.len(), 3, "{later:#?}");
    assert!(later[2].starts_with(
        "Gate deploys on database migrations · Bob · due 2024-08-01 231 days overdue"
    ));
    let page = fixture("2024-07-01").page("trends/");
    assert_eq!(
        chart_table(&page, "chart-owners"),
        rows(&[
            &["alice", "2", "2"],
            &["Bob", "1", "0"],
            &["carol", "1", "0"],
            &["Unassigned", "1", "0"],
        ])
    );
    let actions = text(section(&page, "actions"));
    assert!(
        actions.contains("5 open 2 overdue as of 2024-07-01 1 done 1 won't fix"),
        "{actions}"
    );
    // Each item links to its incident's action item table, which exists.
    let build = fixture("2024-07-01");
    let incident = build.page("incidents/2024-01-10-api-deploy/");
    assert!(incident.contains("id=\"action-items-table\""));
}

#[test]
fn on_this_day_lists_earlier_years() {
    let page = fixture("2025-03-20").page("trends/");
    let day = section(&page, "on-this-day");
    assert_eq!(incident_links(day), ["2024-03-20-api-deploy"]);
    assert!(text(day).contains("1 year ago API latency after a deploy"));
    let quiet = fixture("2024-07-01").page("trends/");
    assert!(
        text(section(&quiet, "on-this-day"))
            .contains("Nothing happened on July 1 in earlier years")
    );
}

/// The text of the facts beside a term page's sparkline.
fn trend_facts(html: &str) -> String {
    let start = html
        .find("class=\"term-trend-facts\"")
        .expect("a term trend");
    text(&html[start..start + html[start..].find("</dl>").unwrap()])
}

#[test]
fn service_and_cause_pages_show_their_trend() {
    let build = fixture("2024-07-01");
    let api = build.page("services/api/");
    assert_eq!(
        titles(&api, "chart-term-quarters")[1..],
        ["2024 Q1: 3", "2024 Q2: 1"]
    );
    let facts = trend_facts(&api);
    assert!(
        facts.contains("Median time to resolve 1 h · p90 6 h · over 4 (1 without data)"),
        "{facts}"
    );
    assert!(
        facts.contains("Root causes Deploy 4 , Network 1"),
        "{facts}"
    );
    assert!(facts.contains("Open action items 2 · 1 overdue"), "{facts}");
    let deploy = build.page("causes/deploy/");
    let facts = trend_facts(&deploy);
    assert!(facts.contains("Services api 4 , db 1"), "{facts}");
    // Other facets have no trend.
    assert!(!build.page("tags/").contains("term-trend"));
    assert!(!build.page("severities/sev1/").contains("term-trend"));
}

#[test]
fn json_export_is_versioned_with_derived_values() {
    let build = fixture("2024-07-01");
    let json: serde_json::Value =
        serde_json::from_str(&build.page("data/incidents.json")).expect("valid JSON");
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["generated_for"]["as_of"], "2024-07-01");
    assert_eq!(json["generated_for"]["recurrence_days"], 30);
    let incidents = json["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 10);
    let slugs: Vec<&str> = incidents
        .iter()
        .map(|i| i["slug"].as_str().unwrap())
        .collect();
    assert_eq!(
        slugs.first(),
        Some(&"2024-06-15-cache-config"),
        "newest first"
    );
    assert_eq!(slugs.last(), Some(&"undated-api-deploy"), "undated last");
    let by_slug = |slug: &str| incidents.iter().find(|i| i["slug"] == slug).unwrap();
    let drift = by_slug("2024-06-15-cache-config");
    assert_eq!(drift["duration_minutes"], 1440);
    assert_eq!(drift["ttd_minutes"], 20);
    assert_eq!(drift["ttr_minutes"], 1440);
    assert_eq!(drift["duration_bucket"], "over-1d");
    assert_eq!(drift["year"], 2024);
    assert_eq!(drift["quarter"], "2024-Q2");
    assert_eq!(drift["month"], "2024-06");
    assert_eq!(drift["severity_rank"], 3);
    let again = by_slug("2024-03-01-db-capacity");
    assert_eq!(again["recurrence_of"], "2024-02-14-db-capacity");
    assert_eq!(
        again["ttr_minutes"],
        serde_json::Value::Null,
        "unknown, not zero"
    );
    let canary = &by_slug("2024-01-10-api-deploy")["action_items"][0];
    assert_eq!(canary["overdue"], true);
    assert_eq!(canary["due"], "2024-02-01");
    assert_eq!(
        by_slug("undated-api-deploy")["date"],
        serde_json::Value::Null
    );
}

#[test]
fn csv_export_follows_rfc_4180() {
    let build = fixture("2024-07-01");
    let csv = build.page("data/incidents.csv");
    assert!(csv.ends_with("\r\n"));
    let header = &csv[..csv.find("\r\n").unwrap()];
    assert!(
        header.starts_with("slug,title,url,status,severity,"),
        "{header}"
    );
    assert_eq!(header.split(',').count(), 32);
    assert!(csv.contains("2024-05-30-api-network,\"Network \"\"blip\"\", then a slow recovery\","));
    assert!(
        csv.contains(",\"Packets dropped.\nThen they did not.\","),
        "line breaks stay inside quotes"
    );
    let again = csv
        .split("\r\n")
        .find(|line| line.starts_with("2024-01-25-api-deploy-again,"))
        .unwrap();
    assert!(again.contains(",api; db,deploy,deploy,"), "{again}");
    assert!(
        again
            .ends_with(",1,1,0,2024-01-10-api-deploy,content/2024-01-25-api-deploy-again.md,false"),
        "{again}"
    );
    // A header and ten records; the summary's line break is a bare LF inside quotes.
    assert_eq!(csv.matches("\r\n").count(), 11);
}

#[test]
fn trend_pages_and_exports_are_reproducible_and_linked() {
    let (a, b) = (fixture("2024-07-01"), fixture("2024-07-01"));
    let (a_files, b_files) = (tree(&a.out), tree(&b.out));
    for path in [
        "trends/index.html",
        "data/incidents.json",
        "data/incidents.csv",
    ] {
        assert!(
            a_files[path] == b_files[path],
            "{path} differs between builds"
        );
    }
    let page = a.page("trends/");
    let links = attrs(&page, "href");
    assert!(links.contains(&"../data/incidents.json".to_string()));
    assert!(links.contains(&"../data/incidents.csv".to_string()));
    assert!(
        a.page("").contains("href=\"./trends/\""),
        "the nav links the trend page"
    );
}

#[test]
fn every_chart_has_a_title_axis_labels_and_a_data_table() {
    let page = fixture("2024-07-01").page("trends/");
    let charts = page.matches("<figure class=\"chart-figure\"").count();
    assert_eq!(charts, 11);
    assert_eq!(page.matches("<svg ").count(), charts);
    assert_eq!(page.matches("role=\"img\"><title>").count(), charts);
    assert_eq!(
        page.matches("<details class=\"chart-data\">").count(),
        charts
    );
    assert!(page.matches("class=\"axis-title\"").count() >= charts);
    // The only script is the theme's optional one (the `/` key, file:// links).
    assert!(
        !crate::support::main_of(&page).contains("<script"),
        "the charts need no JavaScript"
    );
}

/// Runs the binary on a copy of the fixture with `env` set and the output in a temp folder.
fn build_with_env(args: &[&str], env: &[(&str, &str)]) -> (i32, String, Option<String>) {
    let site = Site::fixture("trends");
    let mut command = Command::new(env!("CARGO_BIN_EXE_hindsight"));
    command
        .args(["build", "--root", site.root().to_str().unwrap()])
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH");
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().unwrap();
    let page = std::fs::read_to_string(site.root().join("public/trends/index.html")).ok();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stderr).unwrap(),
        page,
    )
}

#[test]
fn as_of_comes_from_the_flag_then_source_date_epoch() {
    let as_of = |page: Option<String>| {
        let page = page.expect("the trend page was written");
        let at = page.find("Figures as of <time datetime=\"").unwrap() + 30;
        page[at..at + 10].to_string()
    };
    // 1719792000 is 2024-07-01T00:00:00Z.
    let (code, _, page) = build_with_env(&[], &[("SOURCE_DATE_EPOCH", "1719792000")]);
    assert_eq!((code, as_of(page)), (0, "2024-07-01".to_string()));
    let (code, _, page) = build_with_env(
        &["--as-of", "2025-03-20"],
        &[("SOURCE_DATE_EPOCH", "1719792000")],
    );
    assert_eq!(
        (code, as_of(page)),
        (0, "2025-03-20".to_string()),
        "the flag wins"
    );
    let (code, stderr, page) = build_with_env(&[], &[("SOURCE_DATE_EPOCH", "soon")]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("SOURCE_DATE_EPOCH: expected a whole number of seconds"),
        "{stderr}"
    );
    assert!(page.is_none(), "nothing is written");
    let (code, stderr, _) = build_with_env(&["--as-of", "2024-13-01"], &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("expected a date as YYYY-MM-DD"), "{stderr}");
}

#[test]
fn a_one_incident_archive_renders_every_section() {
    let build = Site::new()
        .file(
            "content/only.md",
            crate::support::postmortem(
                "Only",
                "started_at: 2024-03-05T10:00:00Z\nresolved_at: 2024-03-05T11:00:00Z\nseverity: SEV3\nservices: web\nroot_cause: deploy\n",
            ),
        )
        .build_with(&["--as-of", "2024-06-01"]);
    build.assert_code(0);
    let page = build.page("trends/");
    assert_eq!(
        chart_table(&page, "chart-volume"),
        rows(&[&["2024-03", "1", "1"]])
    );
    assert_eq!(
        titles(&page, "chart-ttr")[1..],
        [
            "2024 Q1 · Time to resolve, p90: 1 h (1 with data, 0 without)",
            "2024 Q1 · Time to resolve, median: 1 h (1 with data, 0 without)",
        ]
    );
    assert!(text(&page).contains("No repeats within 90 days"));
    assert!(text(&page).contains("No postmortem lists action items yet"));
}

/// A site theme written before the trend pages has no `trends.html`: it gets the default
/// theme's, and the build still succeeds.
#[test]
fn an_older_site_theme_still_gets_a_trend_page() {
    let mut site = Site::new().config("theme = \"plain\"\n").file(
        "content/a.md",
        crate::support::postmortem("A", "started_at: 2024-03-05T10:00:00Z\n"),
    );
    let base =
        "<!doctype html><title>{{ page_title }}</title>{% block content %}{% endblock content %}";
    site = site.file("themes/plain/templates/base.html", base);
    for name in [
        "home.html",
        "incident.html",
        "incidents.html",
        "facet_overview.html",
        "facet_term.html",
        "404.html",
    ] {
        site = site.file(
            &format!("themes/plain/templates/{name}"),
            "{% extends \"base.html\" %}{% block content %}{{ page_title }}{% endblock content %}",
        );
    }
    site = site.file("themes/plain/templates/incident_row.html", "<tr></tr>");
    let build = site.build_with(&["--as-of", "2024-06-01"]);
    build.assert_code(0);
    assert!(
        build
            .page("trends/")
            .contains("Incidents per month</figcaption>")
    );
}

#[test]
fn exports_say_whether_a_status_was_recorded() {
    // A file without a status counts as final, as on the health page, but the exports
    // say it was not recorded, as the incident page does.
    let fields = |status: &str| format!("{status}started_at: 2024-03-02T14:05:00Z\n");
    let build = Site::new()
        .file(
            "content/reviewed.md",
            format!(
                "---\ntitle: Reviewed\n{}---\nBody.\n",
                fields("status: review\n")
            ),
        )
        .file(
            "content/silent.md",
            format!("---\ntitle: Silent\n{}---\nBody.\n", fields("")),
        )
        .build();
    build.assert_code(0);
    let json: serde_json::Value =
        serde_json::from_str(&build.page("data/incidents.json")).expect("valid JSON");
    let of = |slug: &str| {
        let incidents = json["incidents"].as_array().unwrap();
        let found = incidents.iter().find(|i| i["slug"] == slug).unwrap();
        (found["status"].clone(), found["status_recorded"].clone())
    };
    assert_eq!(of("reviewed"), ("review".into(), true.into()));
    assert_eq!(of("silent"), ("final".into(), false.into()));
    let csv = build.page("data/incidents.csv");
    let record = |slug: &str| {
        let line = csv
            .split("\r\n")
            .find(|l| l.starts_with(&format!("{slug},")));
        line.unwrap().to_string()
    };
    assert!(
        record("reviewed").ends_with(",content/reviewed.md,true"),
        "{csv}"
    );
    assert!(
        record("silent").ends_with(",content/silent.md,false"),
        "{csv}"
    );
    assert!(record("silent").contains(",final,"), "{csv}");
}
