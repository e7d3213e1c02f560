//! Terms as a team writes them (#11): spellings of one value are one term, shown with its
//! most common spelling; value maps merge what folding cannot; an incident with several
//! root causes counts under each, and the primary one is chosen by a rule the site sets.

use crate::support::{Site, fact, overview_rows, postmortem, text};

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
            ("billing".to_string(), 1),
            ("Customer Facing".to_string(), 6)
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
