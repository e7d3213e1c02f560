//! Postmortem quality: a checklist of what a postmortem should hold (summary, impact,
//! timeline, detection, root cause, contributing factors, action items with owners and
//! due dates, lessons learned), each item found in the front matter or in a body section
//! named by its heading, and a score from 0 to 100 (pure).
//!
//! `docs/quality.md` documents each item, what counts and its weight; keep the two
//! together. The score reads the incident alone (no config), so it changes only when the
//! postmortem does: `serve` re-renders `/health/` when an incident's score changes.

mod sections;

use crate::model::config::Config;
use crate::model::diagnostics::{Code, Diagnostic};
use crate::model::incident::{Incident, Status};

use sections::{Spans, sections};

/// One item of the checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Item {
    Summary,
    Impact,
    Timeline,
    Detection,
    RootCause,
    ContributingFactors,
    ActionItems,
    Owners,
    DueDates,
    Lessons,
}

impl Item {
    /// Every item, in the order pages and messages list them.
    pub const ALL: [Item; 10] = [
        Item::Summary,
        Item::Impact,
        Item::Timeline,
        Item::Detection,
        Item::RootCause,
        Item::ContributingFactors,
        Item::ActionItems,
        Item::Owners,
        Item::DueDates,
        Item::Lessons,
    ];

    /// Points the item is worth; the weights add up to 100.
    pub fn weight(self) -> u32 {
        match self {
            Item::Summary | Item::Impact | Item::Detection => 10,
            Item::ContributingFactors | Item::ActionItems | Item::Lessons => 10,
            Item::Timeline | Item::RootCause => 15,
            Item::Owners | Item::DueDates => 5,
        }
    }

    /// The item's name as pages and messages say it.
    pub fn name(self) -> &'static str {
        match self {
            Item::Summary => "summary",
            Item::Impact => "impact",
            Item::Timeline => "timeline",
            Item::Detection => "detection",
            Item::RootCause => "root cause",
            Item::ContributingFactors => "contributing factors",
            Item::ActionItems => "action items",
            Item::Owners => "owners on action items",
            Item::DueDates => "due dates on action items",
            Item::Lessons => "lessons learned",
        }
    }

    /// The heading words that name the item's section, matched as whole words anywhere
    /// in the heading ("Root cause analysis" holds "root cause"). A heading belongs to
    /// the first item of [`SECTION_ORDER`] it names.
    fn headings(self) -> &'static [&'static str] {
        match self {
            Item::Summary => &[
                "summary",
                "overview",
                "tl dr",
                "tldr",
                "what happened",
                "synopsis",
                "description",
                "abstract",
            ],
            Item::Impact => &["impact", "blast radius", "who was affected"],
            Item::Timeline => &[
                "timeline",
                "time line",
                "chronology",
                "sequence of events",
                "events",
                "incident log",
            ],
            Item::Detection => &[
                "detection",
                "detected",
                "discovery",
                "discovered",
                "found out",
                "noticed",
                "alerting",
            ],
            Item::RootCause => &[
                "root cause",
                "root causes",
                "cause",
                "causes",
                "why it happened",
                "whys",
                "causal analysis",
                "rca",
            ],
            Item::ContributingFactors => &["contributing", "contributors", "factors"],
            Item::ActionItems => &[
                "action items",
                "action item",
                "actions",
                "action plan",
                "follow up",
                "follow ups",
                "followups",
                "next steps",
                "remediation",
                "remediations",
                "corrective",
                "preventive",
                "preventative",
                "tasks",
                "repair items",
                "what we are doing",
            ],
            Item::Lessons => &[
                "lessons",
                "lessons learned",
                "learnings",
                "what we learned",
                "takeaways",
                "went well",
                "went wrong",
                "got lucky",
                "retrospective",
                "reflections",
            ],
            Item::Owners | Item::DueDates => &[],
        }
    }
}

/// The order in which a heading is matched to an item: "Contributing causes" is
/// contributing factors, not root cause; "Impact summary" is impact, not summary.
const SECTION_ORDER: [Item; 8] = [
    Item::ContributingFactors,
    Item::RootCause,
    Item::Lessons,
    Item::ActionItems,
    Item::Timeline,
    Item::Detection,
    Item::Impact,
    Item::Summary,
];

/// What a postmortem lacks for one item: the item, and how a page says it
/// ("owners on 2 action items").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub item: Item,
    pub text: String,
}

/// A postmortem's score and what it lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quality {
    /// 0 to 100.
    pub score: u32,
    /// In checklist order; empty at 100.
    pub missing: Vec<Gap>,
}

impl Quality {
    /// "contributing factors, owners on 2 action items".
    pub fn missing_text(&self) -> String {
        let gaps: Vec<&str> = self.missing.iter().map(|g| g.text.as_str()).collect();
        gaps.join(", ")
    }
}

/// How much of one item a postmortem has.
enum Found {
    Full,
    /// Points out of the item's weight, and what is lacking.
    Partial(u32, String),
    Missing,
}

/// [`score`] of every incident, by position, in parallel.
pub fn score_all(incidents: &[Incident]) -> Vec<Quality> {
    use rayon::prelude::*;
    incidents.par_iter().map(score).collect()
}

/// The checklist applied to one postmortem.
pub fn score(incident: &Incident) -> Quality {
    // Each section's item and whether it is written, once: matching every heading against
    // every item's names again per item cost a tenth of a 10,000-postmortem build.
    let written: Vec<Item> = match incident.body.sections.as_deref() {
        Some(spans) => {
            let plain = incident.body.text();
            let body = Spans {
                plain: &plain,
                spans,
            };
            (0..spans.len())
                .filter_map(|i| {
                    section_item(&body.heading(i)).filter(|_| !is_placeholder(&body.text(i)))
                })
                .collect()
        }
        None => sections(&incident.body.html())
            .iter()
            .filter_map(|s| section_item(&s.heading).filter(|_| !is_placeholder(&s.text)))
            .collect(),
    };
    let mut score = 0;
    let mut missing = Vec::new();
    for item in Item::ALL {
        let (points, gap) = match found(item, incident, &written) {
            Found::Full => (item.weight(), None),
            Found::Partial(points, text) => (points, Some(text)),
            Found::Missing => (0, Some(item.name().to_string())),
        };
        score += points;
        // Without any action item, "owners" and "due dates" say nothing more.
        let implied = matches!(item, Item::Owners | Item::DueDates)
            && missing.iter().any(|g: &Gap| g.item == Item::ActionItems);
        if let Some(text) = gap.filter(|text| !implied && !text.is_empty()) {
            missing.push(Gap { item, text });
        }
    }
    Quality { score, missing }
}

/// Whether `item` is present; `written` holds the items the body has a written section for.
fn found(item: Item, incident: &Incident, written: &[Item]) -> Found {
    let field = match item {
        Item::Summary => incident.summary.as_deref(),
        Item::Impact => incident.impact.as_deref(),
        Item::Detection => incident.detection.as_deref(),
        _ => None,
    };
    let written = field.is_some_and(|text| !is_placeholder(text)) || written.contains(&item);
    match item {
        Item::RootCause if !written && !incident.root_causes.is_empty() => {
            Found::Partial(5, "root cause explanation (only a category)".to_string())
        }
        Item::ActionItems if !incident.action_items.is_empty() => Found::Full,
        Item::Owners => assigned(item, incident, |a| a.owner.is_some()),
        Item::DueDates => assigned(item, incident, |a| a.due.is_some()),
        _ if written => Found::Full,
        _ => Found::Missing,
    }
}

/// Owners or due dates: the share of action items that have one, in whole points.
fn assigned(
    item: Item,
    incident: &Incident,
    has: impl Fn(&crate::model::action_item::ActionItem) -> bool,
) -> Found {
    let items = &incident.action_items;
    let what = if item == Item::Owners {
        "owners"
    } else {
        "due dates"
    };
    if items.is_empty() {
        // One gap for both: "owners and due dates" are missing for the same reason.
        let text = match item {
            Item::Owners => {
                "owners and due dates on action items (not recorded: action items only in the text)"
            }
            _ => "",
        };
        return Found::Partial(0, text.to_string());
    }
    let lacking = items.iter().filter(|a| !has(a)).count();
    if lacking == 0 {
        return Found::Full;
    }
    let with = (items.len() - lacking) as u32;
    let points = item.weight() * with / items.len() as u32;
    let plural = if lacking == 1 { "" } else { "s" };
    let what = match (item, lacking) {
        (Item::Owners, 1) => "owner",
        (_, 1) => "due date",
        _ => what,
    };
    Found::Partial(points, format!("{what} on {lacking} action item{plural}"))
}

/// H028: each postmortem in review or final whose score is below `min_score`, with its
/// score (`scores`, by position, as [`Site::scores`](crate::analyze::site::Site::scores)
/// gives them) and what it lacks. Drafts are not held to the floor: they are unfinished by
/// definition. `[check.levels]` applies.
pub fn below_min_score(
    config: &Config,
    incidents: &[Incident],
    scores: &[Quality],
    min_score: u32,
) -> Vec<Diagnostic> {
    let mut found: Vec<Diagnostic> = incidents
        .iter()
        .zip(scores)
        .filter(|(incident, quality)| {
            incident.status != Status::Draft && quality.score < min_score
        })
        .map(|(incident, quality)| {
            let message = format!(
                "quality score {}/100 is below the minimum of {min_score}; missing: {}",
                quality.score,
                quality.missing_text()
            );
            Diagnostic::error(Code::H028, &incident.source, message).help(
                "add what is missing (docs/quality.md says what counts), or keep the postmortem a draft until it is done",
            )
        })
        .collect();
    crate::analyze::check::apply_levels(config, &mut found);
    found
}

/// The checklist item a heading names, if any.
fn section_item(heading: &str) -> Option<Item> {
    // Names are tried at each word's start, not searched for: a heading has a few words,
    // and a substring search for each of some sixty names cost more than the comparisons.
    let mut starts = [0; 8];
    let mut count = 1;
    for (at, _) in heading.match_indices(' ') {
        if count == starts.len() {
            // A long heading: every position, which `has_phrase` checks is a word's start.
            return section_item_in(heading, &(0..heading.len()).collect::<Vec<_>>());
        }
        starts[count] = at + 1;
        count += 1;
    }
    section_item_in(heading, &starts[..count])
}

/// The first item of [`SECTION_ORDER`] one of whose names starts at one of `starts`.
/// Only the items with a name beginning with a byte found at one of `starts` are tried
/// ([`first_bytes`]): most headings' words begin no name of most items.
fn section_item_in(heading: &str, starts: &[usize]) -> Option<Item> {
    let firsts = first_bytes();
    let bytes = heading.as_bytes();
    let begun = (starts.iter())
        .filter_map(|&at| bytes.get(at))
        .fold(0u8, |begun, &byte| begun | firsts[usize::from(byte)]);
    (SECTION_ORDER.into_iter().enumerate())
        .filter(|&(i, _)| begun & (1 << i) != 0)
        .map(|(_, item)| item)
        .find(|item| {
            item.headings()
                .iter()
                .any(|name| starts.iter().any(|&at| has_phrase(heading, at, name)))
        })
}

// An item is a bit of a byte in `first_bytes`.
const _: () = assert!(SECTION_ORDER.len() <= 8);

/// For each byte, the items of [`SECTION_ORDER`] (bit `i` for the `i`th) with a name
/// that begins with it.
fn first_bytes() -> &'static [u8; 256] {
    static FIRST_BYTES: std::sync::OnceLock<[u8; 256]> = std::sync::OnceLock::new();
    FIRST_BYTES.get_or_init(|| {
        let mut firsts = [0u8; 256];
        for (i, item) in SECTION_ORDER.into_iter().enumerate() {
            for name in item.headings() {
                if let Some(&byte) = name.as_bytes().first() {
                    firsts[usize::from(byte)] |= 1 << i;
                }
            }
        }
        firsts
    })
}

/// Whether `phrase` is in `words` as whole words from byte `at` on (both are lowercase
/// words, one space apart).
fn has_phrase(words: &str, at: usize, phrase: &str) -> bool {
    let rest = &words.as_bytes()[at..];
    (at == 0 || words.as_bytes()[at - 1] == b' ')
        && rest.first() == phrase.as_bytes().first()
        && rest.starts_with(phrase.as_bytes())
        && rest.get(phrase.len()).is_none_or(|&byte| byte == b' ')
}

/// Words that alone, or first in a short text, mark a section as not written yet.
const MARKERS: [&str; 6] = ["tbd", "todo", "tba", "fixme", "xxx", "tk"];

/// Whole texts that say nothing: "N/A", "None", "to be determined".
const FILLERS: [&str; 16] = [
    "",
    "n a",
    "na",
    "none",
    "nothing",
    "pending",
    "wip",
    "to do",
    "to be determined",
    "to be decided",
    "to be added",
    "to be written",
    "coming soon",
    "fill in",
    "placeholder",
    "lorem ipsum",
];

/// The most words a filler has ("to be determined").
const FILLER_WORDS: usize = 3;

/// Whether `text` is empty or a template's placeholder: "TBD", "N/A", "TODO: write the
/// timeline" (a marker first, in at most twelve words), "[Describe the impact]".
pub fn is_placeholder(text: &str) -> bool {
    let trimmed = text.trim();
    if trimmed.starts_with('[') && trimmed.ends_with(']') && !trimmed.contains("](") {
        return true;
    }
    // Word by word, and only as far as needed: a written section is often long, and its
    // words are compared in place, not lowercased into new strings.
    let mut words = trimmed
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty());
    let Some(head) = words.next() else {
        return is_filler(&[]);
    };
    if !is_marker(head) {
        // Neither all markers nor led by one: a placeholder only if it is a filler
        // whole, so a text longer than the longest filler is read no further.
        let mut few = [head; FILLER_WORDS];
        let mut count = 1;
        for word in words {
            if count == FILLER_WORDS {
                return false;
            }
            few[count] = word;
            count += 1;
        }
        return is_filler(&few[..count]);
    }
    // Led by a marker: a marker's note ("TODO: write the timeline") in at most twelve
    // words; longer, a placeholder only if every word is a marker.
    let mut all_markers = true;
    for (count, word) in (2..).zip(words) {
        all_markers = all_markers && is_marker(word);
        if count > 12 && !all_markers {
            return false;
        }
    }
    true
}

/// Whether `word`, lowercased, is one of [`MARKERS`].
fn is_marker(word: &str) -> bool {
    if word.is_ascii() {
        MARKERS
            .iter()
            .any(|marker| word.eq_ignore_ascii_case(marker))
    } else {
        MARKERS.contains(&word.to_lowercase().as_str())
    }
}

/// Whether `words`, lowercased and one space apart, are one of [`FILLERS`].
fn is_filler(words: &[&str]) -> bool {
    if !words.iter().all(|w| w.is_ascii()) {
        let lowered: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
        return FILLERS.contains(&lowered.join(" ").as_str());
    }
    FILLERS.iter().any(|filler| {
        let mut parts = filler.split(' ').filter(|p| !p.is_empty());
        words
            .iter()
            .all(|w| parts.next().is_some_and(|p| w.eq_ignore_ascii_case(p)))
            && parts.next().is_none()
    })
}

#[cfg(test)]
mod tests;
