//! Team pages: who owns which services, from `[[services]] team` or a Backstage catalog
//! (`[registry] backstage`), and what `/teams/` and `/teams/<team>/` show for them.

use std::fs;

use chrono::NaiveDate;
use hindsight::app::build::{self, BuildOptions};
use hindsight::app::incremental::{Session, SessionOptions};
use hindsight::app::watch::ChangeSet;

use crate::support::{
    Build, Site, attrs, fact, listed_incidents, main_of, overview_rows, text, tree,
};

/// A postmortem with services, a start and end time, and `extra` front matter lines.
fn incident(title: &str, started: &str, services: &str, extra: &str) -> String {
    format!(
        "---\ntitle: {title}\nstarted_at: {started}T10:00:00Z\nresolved_at: {started}T11:30:00Z\nservices: [{services}]\n{extra}---\n\nWhat happened.\n"
    )
}

const ACTIONS: &str = "action_items:\n  - title: Add a canary\n    owner: alice\n    due: 2024-03-01\n  - title: Write the runbook\n    owner: bob\n    due: 2025-01-01\n  - title: Done already\n    owner: carol\n    status: done\n";

/// Three teams over four services (one of them spelled another way in the incidents, one
/// mapped by `[aliases]`), a service without a team and an incident without services.
fn services_site() -> Site {
    Site::new()
        .config(
            "base_url = \"https://pm.example/\"\n\
             [[services]]\nname = \"checkout-api\"\nteam = \"Payments\"\n\
             [[services]]\nname = \"ledger\"\nteam = \"payments\"\n\
             [[services]]\nname = \"web-app\"\nteam = \"Storefront\"\n\
             [[services]]\nname = \"search\"\n\
             [[services]]\nname = \"billing\"\nteam = \"Finance Ops\"\n\
             [aliases.services]\ncheckout = \"checkout-api\"\n",
        )
        .file(
            "content/a.md",
            incident("Checkout down", "2024-01-10", "checkout, Web App", ACTIONS),
        )
        .file(
            "content/b.md",
            incident("Ledger lag", "2024-02-10", "ledger", ""),
        )
        .file(
            "content/c.md",
            incident("Ledger again", "2024-05-10", "LEDGER", ""),
        )
        .file(
            "content/d.md",
            incident("Search slow", "2024-06-10", "search", ""),
        )
        .file(
            "content/e.md",
            "---\ntitle: Mystery\nstarted_at: 2024-07-01T10:00:00Z\n---\n\nNo services.\n",
        )
}

fn build_at(site: &Site) -> Build {
    let build = site.build_with(&["--as-of", "2024-08-01"]);
    build.assert_code(0);
    build
}

#[test]
fn services_with_teams_make_team_pages() {
    let build = build_at(&services_site());
    let overview = build.page("teams/");
    // By incident count; a team without incidents is still listed; "No team recorded"
    // counts the search incident and the one without services.
    assert_eq!(
        overview_rows(&overview),
        [
            ("Payments".to_string(), 3),
            ("Storefront".to_string(), 1),
            ("Finance Ops".to_string(), 0),
            ("No team recorded".to_string(), 2),
        ]
    );
    let main = text(main_of(&overview));
    assert!(
        main.contains("Services with incidents but no team: search"),
        "{main}"
    );
    // Open action items: the checkout incident's two open items count for both of its
    // teams; one is overdue on 2024-08-01.
    let payments_row = &overview[overview.find("Payments</a>").unwrap()..];
    let payments_row = text(&payments_row[..payments_row.find("</tr>").unwrap()]);
    assert!(payments_row.contains("2 1 overdue"), "{payments_row}");

    let team = build.page("teams/payments/");
    assert_eq!(listed_incidents(&team), ["c", "b", "a"]);
    let main = text(main_of(&team));
    assert!(main.starts_with("Teams / Payments 3 incidents"), "{main}");
    assert_eq!(
        fact(&team, "Services").as_deref(),
        Some("checkout-api 1 , ledger 2")
    );
    assert_eq!(
        fact(&team, "Median time to resolve").as_deref(),
        Some("1 h 30 min · p90 1 h 30 min · over 3")
    );
    assert_eq!(
        fact(&team, "Open action items").as_deref(),
        Some("2 · 1 overdue")
    );
    assert!(
        main.contains("Add a canary · alice · due 2024-03-01 153 days overdue"),
        "{main}"
    );
    assert!(
        main.contains("Write the runbook · bob · due 2025-01-01"),
        "{main}"
    );
    assert!(!main.contains("Done already"), "{main}");
    // The trend in small: incidents per quarter, two in Q1 and one in Q2.
    assert!(
        team.contains("<th scope=\"row\">2024 Q1</th><td class=\"num\">2</td>"),
        "{team}"
    );
    assert!(team.contains("<th scope=\"row\">2024 Q2</th><td class=\"num\">1</td>"));

    let quiet = build.page("teams/finance-ops/");
    assert!(text(main_of(&quiet)).contains("No incidents on this team's services yet."));

    // Incident pages name their services' teams, linked; the service page links its team.
    let checkout = build.page("incidents/a/");
    assert_eq!(
        fact(&checkout, "Teams").as_deref(),
        Some("Payments , Storefront")
    );
    assert!(attrs(&checkout, "href").contains(&"../../teams/payments/".to_string()));
    assert_eq!(fact(&build.page("incidents/d/"), "Team"), None);
    let ledger = build.page("services/ledger/");
    assert!(
        ledger.contains("<dd><a href=\"../../teams/payments/\">payments</a></dd>"),
        "{ledger}"
    );

    // The navigation offers the teams; the sitemap lists every team page.
    assert!(
        build
            .page("index.html")
            .contains("<a href=\"./teams/\">Teams</a>")
    );
    // The same teams by name, "No team recorded" still last; the overview links it, and
    // search engines are pointed at the overview.
    let by_name = build.page("teams/by-name.html");
    assert_eq!(
        overview_rows(&by_name),
        [
            ("Finance Ops".to_string(), 0),
            ("Payments".to_string(), 3),
            ("Storefront".to_string(), 1),
            ("No team recorded".to_string(), 2),
        ]
    );
    assert!(overview.contains("<a href=\"by-name.html\">sort by name</a>"));
    assert!(by_name.contains("<a href=\"./\">sort by incidents</a>"));
    assert_eq!(
        crate::support::canonical(&by_name).as_deref(),
        Some("https://pm.example/teams/")
    );
    let sitemap = build.page("sitemap.xml");
    for url in [
        "teams/",
        "teams/payments/",
        "teams/storefront/",
        "teams/finance-ops/",
    ] {
        assert!(
            sitemap.contains(&format!("<loc>https://pm.example/{url}</loc>")),
            "{url}"
        );
    }
    assert!(!sitemap.contains("by-name"));
}

#[test]
fn a_site_without_teams_has_no_team_pages() {
    let build = build_at(
        &Site::new()
            .config("[[services]]\nname = \"search\"\n")
            .file(
                "content/d.md",
                incident("Search slow", "2024-06-10", "search", ""),
            ),
    );
    assert!(!build.has("teams/index.html"));
    assert!(!build.page("index.html").contains("teams/"));
}

const CATALOG: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout-api
  description: Takes the money
  annotations:
    backstage.io/techdocs-ref: dir:.
  tags: [java]
  links:
    - url: https://dashboards.example/checkout
      title: Dashboard
spec:
  type: service
  lifecycle: production
  owner: group:default/payments
  providesApis: [checkout]
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: checkout
spec:
  type: openapi
  owner: group:default/payments
  definition:
    $text: ./openapi.yaml
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: payments
spec:
  type: team
  profile:
    displayName: Payments Team
  children: []
";

fn catalog_site() -> Site {
    Site::new()
        .config("[registry]\nbackstage = \"catalog\"\n[[services]]\nname = \"search\"\nteam = \"Discovery\"\n")
        .file("catalog/payments/catalog-info.yaml", CATALOG)
        .file(
            "catalog/web/catalog-info.yml",
            "kind: Component\nmetadata:\n  name: web-app\nspec:\n  owner: storefront\n---\nkind: Component\nmetadata:\n  name: orphan\nspec:\n  type: website\n",
        )
        .file("catalog/broken.yaml", "kind: Component\nmetadata:\n  name: [web\n  owner: x\n")
        .file("catalog/README.md", "Not YAML, not read.\n")
        .file(
            "content/a.md",
            incident("Checkout down", "2024-01-10", "Checkout API, web-app", ACTIONS),
        )
        .file("content/b.md", incident("Orphan fell over", "2024-02-10", "orphan", ""))
        .file("content/d.md", incident("Search slow", "2024-06-10", "search", ""))
}

#[test]
fn a_backstage_catalog_is_the_service_registry() {
    let site = catalog_site();
    let build = site.build_with(&["--as-of", "2024-08-01"]);
    build.assert_code(0);
    // The broken file and the component without an owner are warnings naming file and
    // line; the unknown kinds (API, Group) and the README say nothing.
    let warnings: Vec<&str> = build
        .stderr
        .lines()
        .filter(|l| l.contains("H027"))
        .collect();
    assert_eq!(
        warnings,
        [
            "catalog/broken.yaml:4:8: warning[H027]: catalog file is not valid YAML: illegal placement of ':' indicator",
            "catalog/web/catalog-info.yml:7:1: warning[H027]: spec.owner: component \"orphan\" has no spec.owner; its incidents count under \"No team recorded\"",
        ],
        "{}",
        build.stderr
    );
    assert!(
        !build.stderr.contains("H012"),
        "catalog components are known services: {}",
        build.stderr
    );
    assert_eq!(
        overview_rows(&build.page("teams/")),
        [
            ("Discovery".to_string(), 1),
            ("Payments Team".to_string(), 1),
            ("storefront".to_string(), 1),
            ("No team recorded".to_string(), 1),
        ]
    );
    // `group:default/payments` is the group, shown by its display name.
    let team = build.page("teams/payments-team/");
    assert_eq!(listed_incidents(&team), ["a"]);
    assert_eq!(fact(&team, "Services").as_deref(), Some("checkout-api 1"));
    // The component's description is the service's.
    assert!(text(main_of(&build.page("services/checkout-api/"))).contains("Takes the money"));
    assert_eq!(
        fact(&build.page("incidents/a/"), "Teams").as_deref(),
        Some("Payments Team , storefront")
    );
    // `check` reports the same problems.
    let check = std::process::Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .args(["check", "--root", site.root().to_str().unwrap()])
        .output()
        .expect("run hindsight check");
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert!(
        stderr.contains("catalog/broken.yaml:4:8: warning[H027]"),
        "{stderr}"
    );
}

#[test]
fn a_missing_catalog_folder_is_a_config_error() {
    let build = Site::new()
        .config("[registry]\nbackstage = \"nowhere\"\n")
        .file(
            "content/d.md",
            incident("Search slow", "2024-06-10", "search", ""),
        )
        .build();
    assert_ne!(build.code, 0);
    assert!(
        build
            .stderr
            .contains("hindsight.toml: registry.backstage: \"nowhere\" is not a folder"),
        "{}",
        build.stderr
    );
}

#[test]
fn serve_follows_catalog_and_content_edits() {
    let as_of = NaiveDate::from_ymd_opt(2024, 8, 1).unwrap();
    let site = catalog_site();
    let root = site.root().to_path_buf();
    let dir = tempfile::tempdir().unwrap();
    let (out, full) = (dir.path().join("preview"), dir.path().join("full"));
    let (mut session, _) = Session::start(SessionOptions {
        root: root.clone(),
        out: out.clone(),
        drafts: true,
        base_url: Some("/".into()),
        as_of,
    })
    .expect("the site builds");
    let same_as_build = |label: &str| {
        let _ = fs::remove_dir_all(&full);
        build::build(&BuildOptions {
            root: root.clone(),
            output: Some(full.clone()),
            base_url: Some("/".into()),
            drafts: true,
            as_of,
            ..BuildOptions::default()
        })
        .expect("the full build succeeds");
        assert!(
            tree(&out) == tree(&full),
            "{label}: preview differs from a full build"
        );
    };
    same_as_build("start");
    // The orphan gets an owner in the catalog: a config change.
    let web = root.join("catalog/web/catalog-info.yml");
    let text = fs::read_to_string(&web).unwrap();
    fs::write(
        &web,
        text.replace("  type: website\n", "  owner: group:default/ops\n"),
    )
    .unwrap();
    let update = session
        .apply(&ChangeSet {
            config: true,
            ..ChangeSet::default()
        })
        .expect("the rebuild succeeds");
    assert!(
        update.written.iter().any(|p| p == "teams/ops/index.html"),
        "{:?}",
        update.written
    );
    same_as_build("catalog edit");
    // An incident moves to another team's service: a content change.
    let b = root.join("content/b.md");
    fs::write(&b, incident("Orphan fell over", "2024-02-10", "search", "")).unwrap();
    session
        .apply(&ChangeSet {
            content: [b].into(),
            ..ChangeSet::default()
        })
        .expect("the rebuild succeeds");
    same_as_build("content edit");
    let discovery = fs::read_to_string(out.join("teams/discovery/index.html")).unwrap();
    assert_eq!(listed_incidents(&discovery), ["d", "b"]);
}
