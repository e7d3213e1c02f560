//! Four archives in the shapes teams keep (tests/archives/): a status-page export,
//! UUID-named files with the service split over two fields, prose without front matter,
//! and a wiki export (ticket IDs as names, US dates, a template left in, one incident
//! from 1998). Each must build into a true site with its hand-written config, and with the
//! config `init --from` proposes, without edits: a page per postmortem, no errors, and
//! the values of every file (each item of a list, not only the first) on the facet pages.

use std::collections::BTreeMap;
use std::path::Path;

use crate::check::hindsight;
use crate::support::{Build, Site, copy_tree, repo_root, text};

/// One postmortem as `expected.toml` records it, worked out by hand from the file.
#[derive(Debug, serde::Deserialize)]
struct Expected {
    file: String,
    title: Option<String>,
    title_contains: Option<String>,
    services: Vec<String>,
    causes: Vec<String>,
    minutes: Option<i64>,
}

fn expected(archive: &str) -> Vec<Expected> {
    #[derive(serde::Deserialize)]
    struct File {
        incident: Vec<Expected>,
    }
    let path = repo_root()
        .join("tests/archives")
        .join(archive)
        .join("expected.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    toml::from_str::<File>(&text).unwrap().incident
}

/// A site holding the archive's content, and its hand-written config when `with_config`.
fn archive(name: &str, with_config: bool) -> Site {
    let site = Site::new();
    let from = repo_root().join("tests/archives").join(name);
    copy_tree(&from.join("content"), &site.root().join("content"));
    if with_config {
        std::fs::copy(
            from.join("hindsight.toml"),
            site.root().join("hindsight.toml"),
        )
        .unwrap();
    }
    site
}

/// Names compare as a reader would: without case, spaces or punctuation.
fn fold(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A facet's terms: folded name → the slugs of the incidents its page lists.
fn terms(build: &Build, facet: &str) -> BTreeMap<String, Vec<String>> {
    let mut terms = BTreeMap::new();
    for slug in build.folders(facet) {
        let page = build.page(&format!("{facet}/{slug}/"));
        let start = page.find("<h1>").expect("a term page has a heading") + 4;
        let end = start + page[start..].find("<span").unwrap_or(0);
        terms.insert(
            fold(&text(&page[start..end])),
            build.listed(&format!("{facet}/{slug}/")),
        );
    }
    terms
}

/// The default duration buckets' folders, by their upper bound in minutes.
fn bucket(minutes: i64) -> &'static str {
    match minutes {
        ..30 => "under-30m",
        30..120 => "30m-2h",
        120..480 => "2h-8h",
        480..1440 => "8h-24h",
        _ => "over-1d",
    }
}

/// Whether a title is an opaque ID (a UUID or a fragment of one) rather than words.
fn is_mangled(title: &str) -> bool {
    let compact: String = title.chars().filter(|c| *c != '-').collect();
    compact.len() >= 6 && compact.chars().all(|c| c.is_ascii_hexdigit())
}

/// Builds `site` and checks it against the archive's `expected.toml`; returns the share
/// of the files' service, category and duration values that reached the facet pages.
fn assert_true_site(name: &str, site: &Site) -> f64 {
    let build = site.build();
    build.assert_code(0);
    let summary = format!("{}{}", build.stdout, build.stderr);
    assert!(summary.contains(" 0 errors"), "{summary}");
    let expected = expected(name);
    let services = terms(&build, "services");
    let causes = terms(&build, "causes");
    let durations: BTreeMap<String, Vec<String>> = build
        .folders("durations")
        .into_iter()
        .map(|slug| {
            let listed = build.listed(&format!("durations/{slug}/"));
            (slug, listed)
        })
        .collect();
    let (mut values, mut reached) = (0, 0);
    for incident in &expected {
        let page = build.page(&format!("incidents/{}/", incident.file));
        let heading = page.find("<h1>").map(|at| &page[at + 4..]).unwrap();
        let title = text(&heading[..heading.find("</h1>").unwrap()]);
        assert!(!is_mangled(&title), "{}: title {title:?}", incident.file);
        if let Some(want) = &incident.title {
            assert_eq!(&title, want, "{}", incident.file);
        }
        if let Some(want) = &incident.title_contains {
            assert!(
                title.contains(want.as_str()),
                "{}: title {title:?}",
                incident.file
            );
        }
        let lists = |facet: &BTreeMap<String, Vec<String>>, value: &str| {
            facet
                .get(&fold(value))
                .is_some_and(|listed| listed.contains(&incident.file))
        };
        for service in &incident.services {
            values += 1;
            let found = lists(&services, service);
            reached += usize::from(found);
            if !found {
                eprintln!(
                    "{name}: {} is not on the page of service {service}",
                    incident.file
                );
            }
        }
        for cause in &incident.causes {
            values += 1;
            let found = lists(&causes, cause);
            reached += usize::from(found);
            if !found {
                eprintln!(
                    "{name}: {} is not on the page of cause {cause}",
                    incident.file
                );
            }
        }
        if let Some(minutes) = incident.minutes {
            values += 1;
            let found = durations[bucket(minutes)].contains(&incident.file);
            reached += usize::from(found);
            if !found {
                eprintln!(
                    "{name}: {} ({minutes} min) is not under {}",
                    incident.file,
                    bucket(minutes)
                );
            }
        }
    }
    let pages = build.folders("incidents");
    assert_eq!(
        pages.len(),
        expected.len(),
        "one page per postmortem: {pages:?}"
    );
    assert_trends_stay_true(name, &build);
    reached as f64 / values as f64
}

/// What messy data must not do to the pages: stretch the time axes over an outlier, draw
/// a chart of nothing, list a facet with no values, or show an unknown figure as "0 s".
fn assert_trends_stay_true(name: &str, build: &Build) {
    let trends = text(&build.page("trends/"));
    let home = text(&build.page(""));
    for page in [&trends, &home] {
        assert!(
            !page.contains("none yet"),
            "{name}: an empty facet is listed"
        );
    }
    // No axis label reaches back before the archive's dense range: an incident from the
    // 1600s is listed as not drawn instead.
    for year in 1000..1990 {
        if trends.contains(&format!("{year} Q")) || trends.contains(&format!(" {year} · ")) {
            panic!("{name}: the axes reach back to {year}");
        }
    }
    let html = build.page("trends/");
    for chart in html.split("<svg").skip(1) {
        let chart = &chart[..chart.find("</svg>").unwrap_or(chart.len())];
        assert!(
            ["<rect", "<path", "<circle", "<line"]
                .iter()
                .any(|mark| chart.contains(mark)),
            "{name}: a chart with nothing drawn"
        );
    }
    for page in build.pages().iter().filter(|page| page.ends_with(".html")) {
        let shown = text(&build.page(page));
        let zero = shown.match_indices("0 s").any(|(at, _)| {
            let before = shown[..at].chars().next_back();
            let after = shown[at + 3..].chars().next();
            !before.is_some_and(|c| c.is_ascii_digit() || c == '.')
                && !after.is_some_and(char::is_alphanumeric)
        });
        assert!(!zero, "{name}: {page} shows an unknown figure as 0 s");
    }
}

fn assert_builds_with_its_config(name: &str) {
    let share = assert_true_site(name, &archive(name, true));
    assert!(
        share >= 0.95,
        "{name}: {:.0}% of the values reached the facets",
        share * 100.0
    );
}

fn assert_builds_with_init_from(name: &str) {
    let site = archive(name, false);
    let root = site.root().to_str().unwrap();
    let output = hindsight(Path::new(root), &["init", root, "--from", "content"]);
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{printed}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(printed.contains(" 0 errors"), "{printed}");
    let share = assert_true_site(name, &site);
    assert!(
        share >= 0.95,
        "{name} via init --from: {:.0}% reached the facets\n{printed}",
        share * 100.0
    );
}

#[test]
fn status_page_export_builds_true_with_its_config() {
    assert_builds_with_its_config("statuspage");
}

#[test]
fn status_page_export_builds_true_with_init_from() {
    assert_builds_with_init_from("statuspage");
}

#[test]
fn uuid_files_with_split_services_build_true_with_their_config() {
    assert_builds_with_its_config("uuid-split");
}

#[test]
fn uuid_files_with_split_services_build_true_with_init_from() {
    assert_builds_with_init_from("uuid-split");
}

#[test]
fn prose_without_front_matter_builds_true_with_its_config() {
    assert_builds_with_its_config("prose");
}

#[test]
fn prose_without_front_matter_builds_true_with_init_from() {
    assert_builds_with_init_from("prose");
}

#[test]
fn wiki_export_with_us_dates_builds_true_with_its_config() {
    assert_builds_with_its_config("wiki-export");
}

#[test]
fn wiki_export_with_us_dates_builds_true_with_init_from() {
    assert_builds_with_init_from("wiki-export");
    let site = archive("wiki-export", false);
    let root = site.root().to_str().unwrap();
    let output = hindsight(
        Path::new(root),
        &["init", root, "--from", "content", "--dry-run"],
    );
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        printed.contains("# Of the dates written like 03/04/2022, 4 read only month first (such as 12/25/2021), none only the other way, and 8 either way.\ndate_order = \"month-first\"\n"),
        "{printed}"
    );
    assert!(
        printed.contains("timezone = \"America/New_York\""),
        "{printed}"
    );
}

#[test]
fn a_date_that_reads_both_ways_is_never_guessed() {
    let site = archive("wiki-export", true);
    let config = std::fs::read_to_string(site.root().join("hindsight.toml")).unwrap();
    std::fs::write(
        site.root().join("hindsight.toml"),
        config.replace("date_order = \"month-first\"\n", ""),
    )
    .unwrap();
    let build = site.build();
    let stderr = build.stderr_portable();
    assert!(
        stderr.contains("content/INC-1042.md:4:13: error[H005]: Start Time: \"3/4/2022 2:05 PM ET\": 3/4/2022 could be March 4, 2022 or April 3, 2022: set date_order = \"month-first\" or \"day-first\" in hindsight.toml"),
        "{stderr}"
    );
    let page = build.page("incidents/inc-1042/");
    assert!(
        page.contains("not recorded")
            && !page.contains("2022-04-03")
            && !page.contains("2022-03-04"),
        "no start, rather than a guessed one"
    );
    // 12/24/2022 reads one way only, and is read so.
    assert!(
        build
            .page("incidents/inc-1350/")
            .contains("datetime=\"2022-12-24T23:40:00Z\"")
    );
}

#[test]
fn init_from_never_replaces_a_config() {
    let site = archive("statuspage", true);
    let before = std::fs::read(site.root().join("hindsight.toml")).unwrap();
    let root = site.root().to_str().unwrap();
    let output = hindsight(Path::new(root), &["init", root, "--from", "content"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("refusing to overwrite"), "{stderr}");
    assert_eq!(
        std::fs::read(site.root().join("hindsight.toml")).unwrap(),
        before
    );
    let names: Vec<String> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|name| !name.contains("hindsight-init")),
        "{names:?}"
    );
}
