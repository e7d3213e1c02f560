//! "Similar incidents" on incident pages: incidents close in text, whatever their services
//! and causes, each with the words they share; none that is related already, none just to
//! fill the list, and no section at all when nothing is close.

use crate::support::{Site, main_of, text};

/// The similar section of an incident page: each listed title with its shared words.
fn similar(page: &str) -> Vec<(String, String)> {
    let Some(section) = page.split("<section class=\"similar\">").nth(1) else {
        return Vec::new();
    };
    let section = section.split("</section>").next().unwrap_or_default();
    section
        .split("<li>")
        .skip(1)
        .map(|li| {
            let li = text(li);
            let (title, shared) = li.split_once("shared: ").unwrap_or((&li, ""));
            let title = title
                .split(" 20")
                .next()
                .unwrap_or(title)
                .trim()
                .to_string();
            (title, shared.trim().to_string())
        })
        .collect()
}

/// The text of `text` between the first `start` and the next `end` after it.
fn between<'t>(text: &'t str, start: &str, end: &str) -> &'t str {
    let after = text.split_once(start).map_or("", |(_, after)| after);
    after.split_once(end).map_or(after, |(inside, _)| inside)
}

fn postmortem(title: &str, fields: &str, body: &str) -> String {
    format!("---\ntitle: {title}\nstarted_at: 2024-03-03T10:00:00Z\n{fields}\n---\n\n{body}\n")
}

/// Two failovers of a Postgres primary on different services with different causes, one
/// certificate expiry, and a few other incidents so common words weigh little.
fn archive() -> Site {
    Site::new()
        .file(
            "content/orders.md",
            postmortem(
                "Orders database failover left replicas lagging",
                "services: [orders]\nroot_cause: hardware\nsummary: The Postgres primary failed over and replication lag grew",
                "The Postgres primary lost its disk. Failover promoted a replica, but replication lag on the remaining replicas reached minutes.",
            ),
        )
        .file(
            "content/billing.md",
            postmortem(
                "Billing reads stale after Postgres failover",
                "services: [billing]\nroot_cause: config-change\nsummary: Replication lag after a failover of the billing Postgres cluster",
                "A configuration push restarted the Postgres primary. The failover worked; replication to the replicas lagged.",
            ),
        )
        .file(
            "content/cert.md",
            postmortem(
                "Expired TLS certificate on the edge",
                "services: [edge]\nroot_cause: certificate-expiry",
                "The wildcard certificate expired at midnight; browsers refused the handshake.",
            ),
        )
        .file(
            "content/flag.md",
            postmortem("Bad feature flag", "", "A deploy shipped a bad feature flag."),
        )
        .file(
            "content/leak.md",
            postmortem("Resizer memory leak", "", "Pods were killed in a loop."),
        )
}

#[test]
fn an_incident_page_lists_incidents_close_in_text_with_the_words_they_share() {
    let build = archive().build();
    build.assert_code(0);
    let orders = build.page("incidents/orders/");
    let listed = similar(&orders);
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].0, "Billing reads stale after Postgres failover");
    let shared: Vec<&str> = listed[0].1.split(", ").collect();
    for word in ["failover", "replication", "postgres"] {
        assert!(shared.contains(&word), "{word} in {shared:?}");
    }
    assert!(orders.contains("<a href=\"../../incidents/billing/\">Billing reads stale"));
    assert!(text(main_of(&orders)).contains("Similar incidents"));
    // Nothing is close to the certificate: no section, rather than filler.
    let cert = build.page("incidents/cert/");
    assert!(!cert.contains("Similar incidents"), "{}", main_of(&cert));
}

#[test]
fn a_related_incident_is_not_listed_again_as_similar() {
    // Sharing a service makes them related: the related section has billing, and the
    // similar one does not repeat it.
    let build = archive()
        .file(
            "content/billing.md",
            postmortem(
                "Billing reads stale after Postgres failover",
                "services: [orders]\nroot_cause: config-change",
                "A configuration push restarted the Postgres primary. The failover worked; replication to the replicas lagged.",
            ),
        )
        .build();
    build.assert_code(0);
    let orders = build.page("incidents/orders/");
    assert!(orders.contains("<section class=\"related\">"));
    assert!(similar(&orders).is_empty(), "{:?}", similar(&orders));
}

#[test]
fn similar_can_be_turned_off() {
    let build = archive().config("[similar]\nenabled = false\n").build();
    build.assert_code(0);
    assert!(
        !build
            .page("incidents/orders/")
            .contains("Similar incidents")
    );
    let bad = archive().config("[similar]\nmin_score = 2\n").build();
    assert_ne!(bad.code, 0);
    assert!(
        bad.stderr
            .contains("similar.min_score: expected a number from 0 to 1"),
        "{}",
        bad.stderr
    );
}

#[test]
fn the_bundled_example_lists_what_its_related_incidents_miss() {
    let build = crate::support::build_example(&[]);
    // Tokens rejected after a deploy, and an expired certificate that blocked logins:
    // other causes, and too old to be among the five newest incidents sharing a service
    // that fill the related list; but the same story of logins failing at auth-service.
    let page = build.page("incidents/auth-jwt-kid-rejection/");
    let listed = similar(&page);
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(
        listed[0].0,
        "Expired internal mTLS certificate blocks all logins"
    );
    assert!(listed[0].1.contains("auth-service"), "{listed:?}");
    // Pages whose close matches are all related already have no section.
    let redis = build.page("incidents/2024-04-16-redis-maxmemory-eviction-storm/");
    assert!(!redis.contains("Similar incidents"));
}

#[test]
fn a_theme_sees_links_to_related_and_similar_incidents() {
    // `incident.related` and `incident.similar` carry links (title, URL, date, severity),
    // as `views.rs` and the README document, beside the incident's own row fields; the
    // rest of another incident is on its own page.
    let template = "{% extends \"base.html\" %}{% block content %}<p id=\"rows\">\
        {{ incident.title }} / {% for s in incident.services %}{{ s.name }}{% endfor %} / {{ incident.source }}\
        {% for r in incident.related %} / related: {{ r.title }} {{ r.url }} {{ r.date }} {{ r.severity.key | default(value=\"-\") }} {{ r.services | default(value=\"-\") }}{% endfor %}\
        {% for s in incident.similar %} / similar: {{ s.incident.title }} {{ s.incident.url }} {{ s.incident.date }} {{ s.shared | length > 1 }} {{ s.score > 0.05 }}{% endfor %}\
        </p>{% endblock content %}";
    let rows = |page: &str| {
        let p = page.split("<p id=\"rows\">").nth(1).unwrap_or_default();
        p.split("</p>").next().unwrap_or_default().to_string()
    };
    let build = archive().file("templates/incident.html", template).build();
    build.assert_code(0);
    assert_eq!(
        rows(&build.page("incidents/orders/")),
        "Orders database failover left replicas lagging / orders / content/orders.md \
         / similar: Billing reads stale after Postgres failover incidents/billing/ 2024-03-03 true true"
    );
    let related = archive()
        .file(
            "content/billing.md",
            postmortem(
                "Billing reads stale after Postgres failover",
                "services: [orders]\nroot_cause: config-change\nseverity: SEV2",
                "A configuration push restarted the Postgres primary.",
            ),
        )
        .file("templates/incident.html", template)
        .build();
    related.assert_code(0);
    assert_eq!(
        rows(&related.page("incidents/orders/")),
        "Orders database failover left replicas lagging / orders / content/orders.md \
         / related: Billing reads stale after Postgres failover incidents/billing/ \
         2024-03-03 SEV2 -"
    );
}

#[test]
fn a_theme_shapes_each_similar_item_and_the_words_are_swapped_in() {
    // `similar_item.html` is rendered once per incident, with a stand-in for the shared
    // words; every list that shows the incident gets it with its own words, escaped as
    // Tera escapes, and with the page's root in its links.
    let item = "<li class=\"mine\"><a href=\"{{ root }}{{ i.url }}\">{{ i.title }}</a> \
        ({{ i.severity.key | default(value=\"no severity\") }}) words: [{{ shared }}]</li>\n";
    let build = archive()
        .file(
            "content/billing.md",
            postmortem(
                "Billing reads <stale> & late after Postgres failover",
                "services: [billing]\nroot_cause: config-change\nseverity: SEV2\nsummary: Replication lag after a failover of the billing Postgres cluster",
                "A configuration push restarted the Postgres primary. The failover worked; replication to the replicas lagged.",
            ),
        )
        .file("templates/similar_item.html", item)
        .build();
    build.assert_code(0);
    let page = build.page("incidents/orders/");
    let section = between(&page, "<section class=\"similar\">", "</section>");
    assert!(
        section.contains(
            "<li class=\"mine\"><a href=\"../../incidents/billing/\">Billing reads &lt;stale&gt; \
             &amp; late after Postgres failover</a> (SEV2) words: ["
        ),
        "{section}"
    );
    let words = between(section, "words: [", "]");
    assert!(
        words.contains("postgres") && words.contains(", "),
        "{words}"
    );
    assert!(
        !section.contains('\u{2}'),
        "the stand-in is never left in a page"
    );
    // The other incident's page lists orders with the words in its own spelling.
    let back = build.page("incidents/billing/");
    assert!(back.contains("<li class=\"mine\"><a href=\"../../incidents/orders/\">Orders database failover left replicas lagging</a> (no severity) words: ["), "{back}");
}
