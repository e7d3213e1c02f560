//! What a page says about itself when its link is pasted in a chat or shown by a search
//! engine: the `<meta name="description">` and OpenGraph description of every page
//! (pure). Plain text, never HTML: the template escapes it once.
//!
//! Each description says only what the archive records: an incident without a duration
//! says nothing about its length rather than a guess.

use chrono_tz::Tz;

use super::views::format_duration;
use crate::analyze::index::{Facet, Term};
use crate::model::config::Config;
use crate::model::incident::Incident;
use crate::parse::markdown::{self, MarkdownOptions};

/// The longest description, in characters; longer ones are cut at a word. Chat apps and
/// search engines show about this much.
pub(super) const MAX_CHARS: usize = 200;

/// "SEV1 · 3 h 12 min · payments, checkout — A bad config push took checkout down.":
/// severity, duration and services where recorded, then the summary's first sentence.
pub(super) fn incident(config: &Config, incident: &Incident) -> String {
    let mut facts: Vec<String> = Vec::new();
    if let Some(i) = incident.severity {
        facts.push(config.severities[i].key.clone());
    }
    if let Some(duration) = incident.duration() {
        facts.push(format_duration(duration));
    }
    if !incident.services.is_empty() {
        facts.push(incident.services.join(", "));
    }
    let sentence = incident
        .summary
        .as_deref()
        .map(|summary| {
            first_sentence(&markdown::render(summary, &MarkdownOptions::default()).plain_text)
        })
        .filter(|sentence| !sentence.is_empty());
    let text = match (facts.is_empty(), sentence) {
        (true, Some(sentence)) => sentence,
        (false, Some(sentence)) => format!("{} — {sentence}", facts.join(" · ")),
        (false, None) => facts.join(" · "),
        (true, None) => config.description.clone(),
    };
    trim(&text)
}

/// "12 incidents affecting payments, 2021–2024".
pub(super) fn term(facet: Facet, term: &Term, incidents: &[Incident], tz: Tz) -> String {
    let count = count(term.incidents.len());
    let name = &term.name;
    let text = if term.missing {
        let (singular, _) = facet.names();
        format!("{count} with no {} recorded", singular.to_lowercase())
    } else {
        match facet {
            Facet::Service => format!("{count} affecting {name}"),
            Facet::Cause => format!("{count} with root cause {name}"),
            Facet::Severity => format!("{count} of severity {name}"),
            Facet::Duration => format!("{count} that lasted {name}"),
            Facet::Tag => format!("{count} tagged {name}"),
            Facet::Year => return trim(&format!("{count} in {name}")),
        }
    };
    let years = years(term.incidents.iter().map(|&i| &incidents[i]), tz);
    trim(&match years {
        Some(years) => format!("{text}, {years}"),
        None => text,
    })
}

/// "Services: 14 services across 120 incidents".
pub(super) fn overview(facet: Facet, terms: usize, incidents: usize) -> String {
    let (_, plural) = facet.names();
    let lower = plural.to_lowercase();
    let terms = match terms {
        1 => format!("1 {}", facet.names().0.to_lowercase()),
        n => format!("{n} {lower}"),
    };
    trim(&format!("{plural}: {terms} across {}", count(incidents)))
}

/// "All 120 incidents, 2019–2024, newest first".
pub(super) fn incident_list(incidents: &[Incident], tz: Tz) -> String {
    let all = count(incidents.len());
    trim(&match years(incidents.iter(), tz) {
        Some(years) => format!("All {all}, {years}, newest first"),
        None => format!("All {all}, newest first"),
    })
}

/// "Postmortem quality of 120 postmortems: median score 72/100; 14 action items overdue".
pub(super) fn health(postmortems: usize, median: Option<u32>, overdue: usize) -> String {
    let of = match postmortems {
        1 => "1 postmortem".to_string(),
        n => format!("{n} postmortems"),
    };
    let mut text = format!("Postmortem quality of {of}");
    if let Some(median) = median {
        text.push_str(&format!(": median score {median}/100"));
    }
    match overdue {
        0 => text.push_str("; no action item overdue"),
        1 => text.push_str("; 1 action item overdue"),
        n => text.push_str(&format!("; {n} action items overdue")),
    }
    trim(&text)
}

/// "8 teams and the incidents of their services: 120 incidents, 31 without a team".
pub(super) fn teams(teams: usize, incidents: usize, unowned: usize) -> String {
    let teams = match teams {
        1 => "1 team".to_string(),
        n => format!("{n} teams"),
    };
    let mut text = format!(
        "{teams} and the incidents of their services: {}",
        count(incidents)
    );
    if unowned > 0 {
        text.push_str(&format!(", {unowned} without a team"));
    }
    trim(&text)
}

/// "Payments: 23 incidents, 2021–2024; 4 open action items, 1 overdue".
pub(super) fn team<'a>(
    name: &str,
    incidents: impl ExactSizeIterator<Item = &'a Incident>,
    open: usize,
    overdue: usize,
    tz: Tz,
) -> String {
    let mut text = format!("{name}: {}", count(incidents.len()));
    if let Some(years) = years(incidents, tz) {
        text.push_str(&format!(", {years}"));
    }
    match (open, overdue) {
        (0, _) => text.push_str("; no open action item"),
        (1, 0) => text.push_str("; 1 open action item"),
        (n, 0) => text.push_str(&format!("; {n} open action items")),
        (1, _) => text.push_str("; 1 open action item, overdue"),
        (n, overdue) => text.push_str(&format!("; {n} open action items, {overdue} overdue")),
    }
    trim(&text)
}

/// "12 incidents", "1 incident".
fn count(n: usize) -> String {
    match n {
        1 => "1 incident".to_string(),
        n => format!("{n} incidents"),
    }
}

/// The years the incidents span, "2021–2024" or "2023"; `None` when none has a year.
fn years<'a>(incidents: impl Iterator<Item = &'a Incident>, tz: Tz) -> Option<String> {
    let years: Vec<i32> = incidents.filter_map(|i| i.year(tz)).collect();
    let (first, last) = (years.iter().min()?, years.iter().max()?);
    Some(if first == last {
        first.to_string()
    } else {
        format!("{first}–{last}")
    })
}

/// The first sentence of plain text: up to the first `.`, `!` or `?` followed by a space.
fn first_sentence(text: &str) -> String {
    let text = text.trim();
    let end = text
        .char_indices()
        .find(|&(i, c)| matches!(c, '.' | '!' | '?') && text[i + 1..].starts_with(' '))
        .map_or(text.len(), |(i, c)| i + c.len_utf8());
    text[..end].to_string()
}

/// `text` in at most [`MAX_CHARS`] characters, cut at a word with "…".
pub(super) fn trim(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= MAX_CHARS {
        return text;
    }
    let cut: String = text.chars().take(MAX_CHARS - 1).collect();
    let cut = match cut.rsplit_once(' ') {
        Some((head, _)) if head.chars().count() > MAX_CHARS / 2 => head,
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':', '—', '·', ' ']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trimmed_at_a_word() {
        let long = "word ".repeat(60);
        let cut = trim(&long);
        assert!(cut.chars().count() <= MAX_CHARS, "{cut}");
        assert!(cut.ends_with("word…"), "{cut}");
        assert_eq!(trim("  a\n b  "), "a b");
        let one_word = "x".repeat(300);
        assert_eq!(trim(&one_word).chars().count(), MAX_CHARS);
    }

    #[test]
    fn first_sentences() {
        assert_eq!(first_sentence("A bad push. Then more."), "A bad push.");
        assert_eq!(
            first_sentence("Version 1.2 broke it"),
            "Version 1.2 broke it"
        );
        assert_eq!(first_sentence("Why? Nobody knew."), "Why?");
    }
}
