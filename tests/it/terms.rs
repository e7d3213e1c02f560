//! Terms as a team writes them (#11): spellings of one value are one term, shown with its
//! most common spelling; value maps merge what folding cannot; an incident with several
//! root causes counts under each, and the primary one is chosen by a rule the site sets.

use crate::support::{Build, Site, fact, overview_rows, postmortem, text};
use crate::trends::{chart_table, section};

/// The heading of a term page: its name and its count.
fn heading(html: &str) -> String {
    let start = html.find("<h1>").expect("a heading");
    text(&html[start..start + html[start..].find("</h1>").unwrap()])
}

#[test]
fn spelling_variants_are_one_term_shown_with_the_most_common_spelling() {
    let site = Site::new()
        .file("content/a.md", postmortem("A", "tags: [customer-facing]\n"))
        .file("content/b.md", postmortem("B", "tags: [Customer Facing]\n"))
        .file("content/c.md", postmortem("C", "tags: [customer_facing]\n"))
        .file(
            "content/d.md",
            postmortem("D", "tags: [Customer-Facing.]\n"),
        )
        .file(
            "content/e.md",
            postmortem("E", "tags: [\"customer facing\"]\n"),
        )
        .file(
            "content/f.md",
            postmortem("F", "tags: [Customer Facing, billing]\n"),
        );
    let build = site.build();
    build.assert_code(0);
    assert_eq!(
        overview_rows(&build.page("tags/")),
        [
            ("Customer Facing".to_string(), 6),
            ("billing".to_string(), 1)
        ],
        "two of six spell it \"Customer Facing\", every other spelling once"
    );
    assert_eq!(build.folders("tags"), ["billing", "customer-facing"]);
    assert_eq!(
        heading(&build.page("tags/customer-facing/")),
        "Customer Facing 6 incidents"
    );
    assert_eq!(
        build.listed("tags/customer-facing/"),
        ["a", "b", "c", "d", "e", "f"]
    );
    // The incident page links the one term under its shown name, whatever it wrote.
    let d = build.page("incidents/d/");
    assert_eq!(fact(&d, "Tags").as_deref(), Some("Customer Facing"));
}

#[test]
fn a_registered_service_keeps_its_name_and_ties_go_to_the_first_spelling_in_order() {
    let site = Site::new()
        .config("[[services]]\nname = \"Web-App\"\n")
        .file(
            "content/a.md",
            postmortem("A", "services: [web app]\ntags: [zeta]\n"),
        )
        .file(
            "content/b.md",
            postmortem("B", "services: [web_app]\ntags: [Zeta]\n"),
        )
        .file("content/c.md", postmortem("C", "services: [web app]\n"));
    let build = site.build();
    build.assert_code(0);
    assert_eq!(
        overview_rows(&build.page("services/")),
        [("Web-App".to_string(), 3)]
    );
    assert!(!build.stderr.contains("H012"), "{}", build.stderr);
    assert_eq!(
        overview_rows(&build.page("tags/")),
        [("Zeta".to_string(), 2), ("Not set".to_string(), 1)],
        "a tie: \"Zeta\" sorts before \"zeta\""
    );
}

#[test]
fn a_value_map_merges_spellings_folding_cannot() {
    let site = Site::new()
        .config(
            "[aliases.services]\n\"irc bot\" = \"ircbot\"\n\"n/a\" = \"\"\n\n\
             [aliases.categories]\ndb = \"database\"\n\n\
             [aliases.severity]\nP1 = \"SEV1\"\n\n\
             [aliases.tags]\ncustomer = \"customer-facing\"\nunused = \"never\"\n",
        )
        .file(
            "content/a.md",
            postmortem(
                "A",
                "services: [irc bot]\nroot_cause: DB\nseverity: p1\ntags: [Customer]\n",
            ),
        )
        .file(
            "content/b.md",
            postmortem("B", "services: [IRC-Bot, N/A]\nroot_cause: database\n"),
        )
        .file("content/c.md", postmortem("C", "services: [ircbot]\n"));
    let build = site.build();
    build.assert_code(0);
    assert_eq!(build.stderr, "", "an unused entry is fine");
    assert_eq!(
        overview_rows(&build.page("services/")),
        [("ircbot".to_string(), 3)],
        "irc bot, IRC-Bot and ircbot are one service; n/a is none"
    );
    assert_eq!(build.folders("services"), ["ircbot"]);
    let database = build.page("causes/database/");
    assert_eq!(heading(&database), "Database 2 incidents");
    let a = build.page("incidents/a/");
    assert_eq!(fact(&a, "Services").as_deref(), Some("ircbot"));
    assert_eq!(fact(&a, "Root cause").as_deref(), Some("Database"));
    assert_eq!(fact(&a, "Severity").as_deref(), Some("SEV1 Critical"));
    assert_eq!(fact(&a, "Tags").as_deref(), Some("customer-facing"));
    // The exports and the search index see the mapped values too.
    let json = std::fs::read_to_string(build.out.join("data/incidents.json")).unwrap();
    assert!(json.contains("\"services\":[\"ircbot\"]"), "{json}");
    assert!(!json.contains("irc bot"), "{json}");
}

#[test]
fn a_value_map_chain_stops_the_build_with_a_clear_message() {
    let site = Site::new()
        .config("[aliases.services]\n\"irc bot\" = \"ircbot\"\nircbot = \"irc\"\n")
        .file("content/a.md", postmortem("A", "services: [irc bot]\n"));
    let build = site.build();
    build.assert_code(2);
    assert!(
        build.stderr.contains(
            "hindsight.toml: aliases.services: \"irc bot\" maps to \"ircbot\", which is itself mapped (\"ircbot\" = \"irc\"); map \"irc bot\" to \"irc\" directly"
        ),
        "{}",
        build.stderr
    );
}

/// The count on the root-cause overview of each category named.
fn cause_counts(build: &Build, names: &[&str]) -> Vec<usize> {
    let rows = overview_rows(&build.page("causes/"));
    names
        .iter()
        .map(|name| {
            rows.iter()
                .find(|(n, _)| n == name)
                .unwrap_or_else(|| panic!("no {name} in {rows:?}"))
                .1
        })
        .collect()
}

/// Strings as owned strings, for comparing with table cells.
fn cells(texts: &[&str]) -> Vec<String> {
    texts.iter().map(|t| t.to_string()).collect()
}

/// Three incidents on api and db; `two` names two root causes.
fn two_causes_site() -> Site {
    Site::new()
        .file(
            "content/two.md",
            postmortem(
                "Two",
                "started_at: 2024-01-10T10:00:00Z\nresolved_at: 2024-01-10T11:00:00Z\nservices: [api]\nroot_cause: [network, deploy]\n",
            ),
        )
        .file(
            "content/deploy.md",
            postmortem(
                "Deploy",
                "started_at: 2024-02-01T10:00:00Z\nresolved_at: 2024-02-01T10:30:00Z\nservices: [api]\nroot_cause: deploy\n",
            ),
        )
        .file(
            "content/capacity.md",
            postmortem(
                "Capacity",
                "started_at: 2024-03-01T10:00:00Z\nservices: [db]\nroot_cause: capacity\n",
            ),
        )
}

#[test]
fn an_incident_with_two_causes_counts_once_under_each_on_facets_and_trends() {
    let build = two_causes_site().build_with(&["--as-of", "2024-06-01"]);
    build.assert_code(0);
    assert_eq!(
        cause_counts(&build, &["Deploy", "Network", "Capacity", "Caching"]),
        [2, 1, 1, 0]
    );
    assert_eq!(build.listed("causes/network/"), ["two"]);
    assert_eq!(build.listed("causes/deploy/"), ["deploy", "two"]);
    assert_eq!(
        heading(&build.page("causes/network/")),
        "Network 1 incident"
    );
    // The incident page lists both, primary first: deploy comes before network in the
    // default vocabulary.
    let two = build.page("incidents/two/");
    assert_eq!(
        fact(&two, "Root cause").as_deref(),
        Some("Deploy , Network")
    );

    let trends = build.page("trends/");
    assert_eq!(
        chart_table(&trends, "chart-causes-count"),
        [
            cells(&["Deploy", "2", "67%"]),
            cells(&["Capacity", "1", "33%"]),
            cells(&["Network", "1", "33%"]),
        ],
        "three incidents, four causes named"
    );
    assert_eq!(
        chart_table(&trends, "chart-causes-duration"),
        [
            cells(&["Network", "1 h", "1 h", "1", "1"]),
            cells(&["Deploy", "30 min", "1 h", "2", "2"]),
        ],
        "two's hour counts toward both of its causes (median, p90, with a duration, all)"
    );
    // Columns: capacity, deploy, network (the vocabulary's order), then the total.
    assert_eq!(
        chart_table(&trends, "chart-cause-share"),
        [cells(&["2024 Q1", "1 (25%)", "2 (50%)", "1 (25%)", "4"])]
    );
    assert_eq!(
        chart_table(&trends, "chart-matrix"),
        [
            cells(&["api", "0", "2", "1", "2"]),
            cells(&["db", "1", "0", "0", "1"]),
        ],
        "api's two incidents: deploy twice, network once"
    );
    assert!(
        text(section(&trends, "causes"))
            .contains("An incident with several root causes counts under each of them here.")
    );
    // The service's own page ranks the causes of its incidents, each of them.
    let api = text(&build.page("services/api/"));
    assert!(api.contains("Root causes Deploy 2 , Network 1"), "{api}");
}

#[test]
fn an_incident_recurs_through_any_cause_it_shares() {
    let build = two_causes_site().build_with(&["--as-of", "2024-06-01"]);
    build.assert_code(0);
    let recurrence = text(section(&build.page("trends/"), "recurrence"));
    assert!(
        recurrence
            .contains("1 of 3 incidents with a start time, a service and a root cause did (33%)"),
        "{recurrence}"
    );
    // Two listed network first, yet its deploy cause is what the later deploy repeats.
    assert!(
        recurrence.contains("Deploy 2024-02-01 Two 2024-01-10 22 api Deploy"),
        "{recurrence}"
    );
    assert!(
        recurrence.contains("api Deploy 1 Deploy 2024-02-01"),
        "{recurrence}"
    );
}

/// The root-cause cell of an incident's row in the incident list.
fn row_cause(build: &Build, slug: &str) -> String {
    let page = build.page("incidents/");
    let at = page
        .find(&format!("href=\"../incidents/{slug}/\""))
        .unwrap_or_else(|| panic!("no row for {slug}"));
    let row = &page[at..at + page[at..].find("</tr>").unwrap()];
    let cells: Vec<&str> = row.split("<td").collect();
    text(&format!("<td{}", cells[cells.len() - 2]))
        .trim()
        .to_string()
}

/// The `primary_cause` the JSON export gives an incident.
fn exported_primary(build: &Build, slug: &str) -> String {
    let json = std::fs::read_to_string(build.out.join("data/incidents.json")).unwrap();
    let line = json
        .lines()
        .find(|l| l.starts_with(&format!("{{\"slug\":\"{slug}\"")))
        .unwrap_or_else(|| panic!("no {slug} in {json}"));
    let at = line.find("\"primary_cause\":").unwrap() + "\"primary_cause\":".len();
    line[at..at + line[at..].find(',').unwrap()].to_string()
}

#[test]
fn the_primary_cause_is_the_vocabularys_first_unless_the_site_or_the_file_says_otherwise() {
    let files = |site: Site| {
        site.file(
            "content/listed.md",
            postmortem("Listed", "root_cause: [network, capacity, cosmic rays]\n"),
        )
        .file(
            "content/named.md",
            postmortem(
                "Named",
                "root_cause: [network, capacity]\nmain_cause: network\n",
            ),
        )
    };
    let by_vocabulary =
        files(Site::new().config("[fields]\nprimary_root_cause = [\"main_cause\"]\n")).build();
    by_vocabulary.assert_code(0);
    // Capacity is second in the default vocabulary, network sixth: capacity is primary
    // though it is listed second.
    assert_eq!(row_cause(&by_vocabulary, "listed"), "Capacity");
    assert_eq!(exported_primary(&by_vocabulary, "listed"), "\"capacity\"");
    assert_eq!(
        fact(&by_vocabulary.page("incidents/listed/"), "Root cause").as_deref(),
        Some("Capacity , Network , cosmic rays")
    );
    assert_eq!(row_cause(&by_vocabulary, "named"), "Network");
    assert_eq!(exported_primary(&by_vocabulary, "named"), "\"network\"");

    let first_listed = files(Site::new().config(
        "[fields]\nprimary_root_cause = [\"main_cause\"]\n[trends]\nprimary_cause = \"first-listed\"\n",
    ))
    .build();
    first_listed.assert_code(0);
    assert_eq!(row_cause(&first_listed, "listed"), "Network");
    assert_eq!(exported_primary(&first_listed, "listed"), "\"network\"");
    assert_eq!(
        fact(&first_listed.page("incidents/listed/"), "Root cause").as_deref(),
        Some("Network , Capacity , cosmic rays")
    );
    // Whatever the rule, every cause counts.
    assert_eq!(
        cause_counts(&first_listed, &["Network", "Capacity", "cosmic rays"]),
        [2, 2, 1]
    );
}

#[test]
fn a_category_read_from_prose_outside_the_vocabulary_is_warned_about_at_its_line() {
    let site = Site::new()
        .config("[aliases.categories]\ndb = \"database\"\n")
        .file(
            "content/prose.md",
            "# Queue outage\n\n- Start: 2024-02-10 09:00 UTC\n- Category: Databse\n\nThe queue stalled.\n",
        )
        .file(
            "content/mapped.md",
            "# Replica lag\n\n- Start: 2024-02-11 09:00 UTC\n- Category: DB.\n",
        )
        .file(
            "content/known.md",
            "# Cache stampede\n\n- Start: 2024-02-12 09:00 UTC\n- Category: Caching\n",
        );
    let build = site.build();
    build.assert_code(0);
    assert!(
        build.stderr.contains(
            "content/prose.md:4:13: warning[H009]: root_cause: unknown root-cause category \"Databse\"\n  |\n4 | - Category: Databse\n  |             ^\n  = help: did you mean `database`?"
        ),
        "{}",
        build.stderr
    );
    assert_eq!(
        build.stderr.matches("H009").count(),
        1,
        "a mapped or known category is not warned about: {}",
        build.stderr
    );
    // As with front matter, the value is kept as written and gets its page.
    assert_eq!(build.listed("causes/databse/"), ["prose"]);
    assert_eq!(build.listed("causes/database/"), ["mapped"]);
    assert_eq!(build.listed("causes/caching/"), ["known"]);
}
