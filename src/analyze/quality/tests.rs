use super::*;
use crate::testing::site_of;

/// The quality of one postmortem with `front` as front matter (after a title) and `body`.
fn quality(front: &str, body: &str) -> Quality {
    let text = format!("---\ntitle: t\n{front}\n---\n{body}");
    let site = site_of("", &[("t", text)]);
    score(&site.incidents[0])
}

/// Checks the score and the gaps, as pages print them.
fn check(front: &str, body: &str, expect_score: u32, expect_missing: &str) {
    let q = quality(front, body);
    assert_eq!(
        (q.score, q.missing_text().as_str()),
        (expect_score, expect_missing),
        "front matter:\n{front}\nbody:\n{body}"
    );
}

const ALL_MISSING: &str = "summary, impact, timeline, detection, root cause, contributing factors, action items, lessons learned";

const COMPLETE_FRONT: &str = "summary: Checkout failed.\nimpact: 5% of orders.\ndetection: An alert.\nroot_cause: database\naction_items:\n  - title: Add an index\n    owner: ana\n    due: 2024-04-01";

const COMPLETE_BODY: &str = "## Timeline\n- 10:00 deploy\n\n## Root cause\nA missing index.\n\n## Contributing factors\nNo load test.\n\n## Lessons learned\nTest with production data.\n";

#[test]
fn weights_add_up_to_100() {
    assert_eq!(Item::ALL.iter().map(|i| i.weight()).sum::<u32>(), 100);
}

#[test]
fn an_empty_postmortem_scores_0_and_misses_everything() {
    check("", "", 0, ALL_MISSING);
}

#[test]
fn a_complete_postmortem_scores_100() {
    check(COMPLETE_FRONT, COMPLETE_BODY, 100, "");
}

#[test]
fn each_item_from_front_matter_or_a_section() {
    // Each row: what is written, and the points it is worth alone.
    let cases: [(&str, &str, u32); 14] = [
        ("summary: x", "", 10),
        ("", "## Executive summary\nThe API was down.", 10),
        ("", "## TL;DR\nThe API was down.", 10),
        ("impact: x", "", 10),
        ("", "## Customer impact\nOrders failed.", 10),
        ("", "## Timeline\n- 09:00 alert", 15),
        ("", "## Chronology\n09:00 alert", 15),
        ("detection: x", "", 10),
        ("", "## How it was detected\nA page.", 10),
        ("", "## 3. Root Cause Analysis\nA bad config.", 15),
        ("", "## Five whys\n1. Why?", 15),
        ("", "## Contributing causes\nNo canary.", 10),
        ("", "## What went well\nRollback was fast.", 10),
        ("", "## Follow-ups\n- Add a canary", 10),
    ];
    for (front, body, points) in cases {
        assert_eq!(quality(front, body).score, points, "{front:?} {body:?}");
    }
}

#[test]
fn a_category_alone_is_part_of_the_root_cause() {
    let q = quality("root_cause: database", "");
    assert_eq!(q.score, 5);
    assert!(
        q.missing_text()
            .contains("root cause explanation (only a category)")
    );
}

#[test]
fn placeholders_and_empty_sections_do_not_count() {
    let empty = [
        "## Summary\nTBD\n",
        "## Summary\n",
        "## Summary\n## Impact\n",
        "## Summary\nN/A\n",
        "## Summary\nTODO: write the summary\n",
        "## Summary\n[Describe what happened]\n",
        "## Summary\n<!-- one paragraph -->\n",
        "## Summary\n_None._\n",
        "## Summary\nTo Be Determined.\n",
        "## Summary\nTBD tbd TBD tbd TBD tbd TBD tbd TBD tbd TBD tbd TBD tbd\n",
    ];
    for body in empty {
        assert_eq!(quality("", body).score, 0, "{body:?}");
    }
    check("summary: TBD", "", 0, ALL_MISSING);
    // A marker inside a written text is not a placeholder.
    assert_eq!(
        quality("", "## Summary\nThe TODO service went down for an hour when its queue filled up and nobody was paged.").score,
        10
    );
}

#[test]
fn subsections_count_for_their_parent_but_their_headings_do_not() {
    assert_eq!(
        quality("", "## Lessons learned\n### What went well\nFast rollback.").score,
        10
    );
    assert_eq!(
        quality("", "## Lessons learned\n### Notes\n\n## Impact\nNone.").score,
        0
    );
}

#[test]
fn owners_and_due_dates_are_counted_per_item() {
    let front = "action_items:\n  - title: a\n    owner: ana\n  - title: b\n  - title: c\n    due: 2024-01-01";
    let q = quality(front, "");
    // Action items 10, owners 1 of 3 (1 point), due dates 1 of 3 (1 point).
    assert_eq!(q.score, 12);
    assert!(q.missing_text().contains("owners on 2 action items"));
    assert!(q.missing_text().contains("due dates on 2 action items"));
    let one = quality("action_items:\n  - title: a\n    due: 2024-01-01", "");
    assert!(
        one.missing_text().contains("owner on 1 action item"),
        "{one:?}"
    );
}

#[test]
fn action_items_only_in_the_text_have_no_owners_on_record() {
    let q = quality("", "## Action items\n- Add a canary (@ana)\n");
    assert_eq!(q.score, 10);
    assert_eq!(
        q.missing_text(),
        "summary, impact, timeline, detection, root cause, contributing factors, owners and due dates on action items (not recorded: action items only in the text), lessons learned"
    );
}

#[test]
fn a_heading_is_the_first_item_it_names() {
    assert_eq!(
        section_item("contributing causes"),
        Some(Item::ContributingFactors)
    );
    assert_eq!(section_item("impact summary"), Some(Item::Impact));
    assert_eq!(section_item("what went wrong"), Some(Item::Lessons));
    assert_eq!(section_item("resolution"), None);
    assert_eq!(section_item("because"), None);
    let long = "what we found out in the end about the root cause";
    assert_eq!(section_item(long), Some(Item::RootCause));
    assert_eq!(
        section_item("one two three four five six seven eight because"),
        None
    );
}

#[test]
fn sections_are_read_from_the_html() {
    let html = "<p>intro</p><h2 id=\"a\">Root <em>cause</em><a class=\"heading-anchor\" href=\"#a\">#</a></h2><p>x &amp; y</p><h3 id=\"b\">More</h3><p>z</p><h2 id=\"c\">End</h2>";
    let found = sections::sections(html);
    let summary: Vec<(u8, &str, &str)> = found
        .iter()
        .map(|s| (s.level, s.heading.as_str(), s.text.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            (2, "root cause", "x & y z"),
            (3, "more", "z"),
            (2, "end", "")
        ]
    );
}

/// The words of `text` as the checklist reads them: letters and digits, lowercased.
fn alphanumeric_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[test]
fn sections_from_plain_text_spans_match_the_html() {
    use crate::parse::markdown::{MarkdownOptions, render};
    let exact = [
        "## Summary\nTBD\n",
        "intro\n\n# Outage\n## Root **cause**\nx & y `z`\n### More\nz\n## End",
        "## Timeline\n- [x] 10:00 deploy\n- [ ] later\n\n|a|b|\n|-|-|\n|1|2|",
        "## Impact\nSee [the runbook](https://example.com). And `a < b`.\n\n---\n\nMore *text* here.",
        "## Summary\n[Describe what happened]\n## Lessons\n> ### Quoted\n> TODO\n",
        "## Action items\n```\ncode <b> &amp; &lt;\n```\n## 3. Root Cause\n_None._",
        "## A\n<!-- a comment -->\nTBD\n## B\nx <!-- inline --> y",
        "## **Summary**: notes\nT **B** D\n",
        "## Summary\n[x](javascript:y) z\n",
    ];
    let inexact = [
        "## Summary\n![graph](g.png)",
        "## Summary\nLag[^1].\n\n[^1]: Replica lag.",
        "## Summary\n<b>TBD</b>",
        "## Summary\n`<!-- x`",
        "## Summary\nT**B**D\n",
        "## Summary\nfoo`bar`",
    ];
    for (body, expect_exact) in exact
        .iter()
        .map(|b| (b, true))
        .chain(inexact.iter().map(|b| (b, false)))
    {
        let rendered = render(body, &MarkdownOptions::default());
        assert_eq!(rendered.sections.is_some(), expect_exact, "{body:?}");
        let Some(spans) = rendered.sections.as_deref() else {
            continue;
        };
        let from_spans = Spans {
            plain: &rendered.plain_text,
            spans,
        };
        let from_html = sections::sections(&rendered.html);
        assert_eq!(spans.len(), from_html.len(), "{body:?}");
        for (i, section) in from_html.iter().enumerate() {
            let text = from_spans.text(i);
            assert_eq!(from_spans.heading(i), section.heading, "{body:?}");
            assert_eq!(
                alphanumeric_words(&text),
                alphanumeric_words(&section.text),
                "{body:?}"
            );
            assert_eq!(
                is_placeholder(&text),
                is_placeholder(&section.text),
                "{body:?}"
            );
        }
    }
}

/// [`section_item_in`] without [`first_bytes`]: every item of [`SECTION_ORDER`] tried.
fn section_item_tried_whole(heading: &str) -> Option<Item> {
    let starts: Vec<usize> = (0..heading.len()).collect();
    SECTION_ORDER.into_iter().find(|item| {
        item.headings()
            .iter()
            .any(|name| starts.iter().any(|&at| has_phrase(heading, at, name)))
    })
}

#[test]
fn every_heading_name_is_found_with_the_items_its_first_byte_leaves() {
    for item in SECTION_ORDER {
        for name in item.headings() {
            for heading in [
                name.to_string(),
                format!("our {name}"),
                format!("{name} and more"),
            ] {
                assert_eq!(
                    section_item(&heading),
                    section_item_tried_whole(&heading),
                    "{heading:?}"
                );
                assert!(section_item(&heading).is_some(), "{heading:?}");
            }
        }
    }
}

proptest::proptest! {
    #[test]
    fn headings_name_the_item_they_named_before(
        heading in "(root|cause|action|items|time|line|summary|lessons|what|went|x|tl|dr| ){0,12}"
    ) {
        let heading = heading.split_whitespace().collect::<Vec<_>>().join(" ");
        proptest::prop_assert_eq!(section_item(&heading), section_item_tried_whole(&heading));
    }

    #[test]
    fn ascii_headings_read_as_any_text_does(text in "[ -~]{0,40}") {
        proptest::prop_assert_eq!(sections::ascii_words(&text), sections::unicode_words(&text));
    }
}

/// [`is_placeholder`] as it read every text, up to thirteen words, before it stopped at
/// the first words that decide.
fn is_placeholder_reading_on(text: &str) -> bool {
    let trimmed = text.trim();
    if trimmed.starts_with('[') && trimmed.ends_with(']') && !trimmed.contains("](") {
        return true;
    }
    let mut words = trimmed
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty());
    let mut first = [""; 13];
    let mut count = 0;
    for (slot, word) in first.iter_mut().zip(words.by_ref()) {
        *slot = word;
        count += 1;
    }
    let first = &first[..count];
    if count > 12 {
        return first.iter().copied().chain(words).all(is_marker);
    }
    is_filler(first)
        || first.iter().all(|w| is_marker(w))
        || first.first().is_some_and(|w| is_marker(w))
}

#[test]
fn no_filler_is_longer_than_filler_words() {
    for filler in FILLERS {
        assert!(filler.split(' ').count() <= FILLER_WORDS, "{filler:?}");
    }
}

proptest::proptest! {
    #[test]
    fn placeholders_are_those_read_to_the_end(
        text in "(tbd|TODO|Tk|n|a|N/A|none|to|be|determined|lorem|ipsum|written|x|word|é|KELVIN|\u{212A}|TK| |  |/|: |\\[|\\]|\\]\\(){0,30}"
    ) {
        proptest::prop_assert_eq!(is_placeholder(&text), is_placeholder_reading_on(&text));
    }
}
