//! The status strip at the top of an incident page: severity, status, duration, TTD, TTR,
//! services and authors, each its value or "not set"/"not recorded", never a guess.

use crate::support::{Site, postmortem, text};

/// The strip's (label, value) pairs, in order.
fn strip(html: &str) -> Vec<(String, String)> {
    let start = html
        .find("<ul class=\"status-strip\"")
        .expect("a status strip");
    let list = &html[start..];
    let list = &list[..list.find("</ul>").unwrap()];
    list.split("<li>")
        .skip(1)
        .map(|item| {
            let value = item.find("<span class=\"strip-value\">").unwrap();
            // `text` puts a space where a tag was: "a , b" is "a, b" on screen.
            let value_text = text(&item[value..]).replace(" ,", ",");
            (text(&item[..value]), value_text)
        })
        .collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(l, v)| (l.to_string(), v.to_string()))
        .collect()
}

#[test]
fn the_strip_shows_the_first_facts_of_a_recorded_incident() {
    let site = Site::new().file(
        "content/pool.md",
        postmortem(
            "Pool exhausted",
            "severity: SEV2\nstatus: review\nstarted_at: 2024-03-02T14:05:00Z\n\
             detected_at: 2024-03-02T14:17:00Z\nresolved_at: 2024-03-02T15:30:00Z\n\
             services: [checkout-api, postgres-primary]\nauthors: [Priya Raman, Tom Becker]\n",
        ),
    );
    let build = site.build();
    build.assert_code(0);
    let page = build.page("incidents/pool/");
    assert_eq!(
        strip(&page),
        pairs(&[
            ("Severity", "SEV2 Major"),
            ("Status", "review"),
            ("Duration", "1 h 25 min"),
            ("TTD", "12 min"),
            ("TTR", "1 h 25 min"),
            ("Services", "checkout-api, postgres-primary"),
            ("Authors", "Priya Raman, Tom Becker"),
        ])
    );
    // The services link to their pages.
    let at = page.find("<ul class=\"status-strip\"").unwrap();
    assert!(page[at..].contains("href=\"../../services/checkout-api/\""));
}

#[test]
fn what_is_not_recorded_says_so() {
    let site = Site::new().file(
        "content/bare.md",
        postmortem("Bare", "started_at: 2024-03-02T14:05:00Z\n"),
    );
    let page = site.build().page("incidents/bare/");
    assert_eq!(
        strip(&page),
        pairs(&[
            ("Severity", "not set"),
            ("Status", "not recorded"),
            ("Duration", "not recorded"),
            ("TTD", "not recorded"),
            ("TTR", "not recorded"),
            ("Services", "not set"),
            ("Authors", "not recorded"),
        ])
    );
}
