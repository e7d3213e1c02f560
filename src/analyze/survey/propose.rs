//! From a [`Survey`] to a mapping: which keys hold which canonical field, by the key's
//! name and the shape of its values, and the vocabularies the archive uses.

use std::collections::BTreeMap;

use super::{KeyStats, Survey, key_identity};
use crate::analyze::site::{self, AnalyzeOptions};
use crate::model::config::Config;
use crate::model::field::Field;
use crate::model::vocab::{self, Vocabularies};
use crate::parse::source::SourceFile;

/// What a key's values must look like for it to be mapped to a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Timestamps or dates, most of them.
    Time,
    /// Durations (`45m`, `PT1H`), most of them.
    Duration,
    /// Short words from a small set (a severity, a category): few distinct values.
    Term,
    /// Names, possibly many (services, tags, authors).
    Names,
    /// Anything with text: titles, summaries.
    Text,
}

/// Name patterns per field, as key identities (lowercase, `_` between words). The first
/// field whose names and shape fit a key takes it.
const RULES: &[(Field, Shape, &[&str])] = &[
    (
        Field::Title,
        Shape::Text,
        &[
            "name",
            "headline",
            "subject",
            "incident_title",
            "incident_name",
            "incident",
        ],
    ),
    (
        Field::StartedAt,
        Shape::Time,
        &[
            "start",
            "started",
            "start_time",
            "start_date",
            "start_at",
            "began",
            "began_at",
            "begin",
            "incident_start",
            "impact_start",
            "created",
            "created_at",
            "occurred",
            "occurred_at",
            "opened_at",
            "opened",
            "open_time",
            "reported",
            "reported_at",
            "date",
            "incident_date",
            "when",
        ],
    ),
    (
        Field::DetectedAt,
        Shape::Time,
        &[
            "detected",
            "detection_time",
            "detected_time",
            "detect_time",
            "alerted",
            "alerted_at",
            "alert_time",
            "identified",
            "identified_at",
            "acknowledged_at",
            "first_alert",
            "discovered_at",
        ],
    ),
    (
        Field::MitigatedAt,
        Shape::Time,
        &[
            "mitigated",
            "mitigation_time",
            "mitigated_time",
            "monitoring",
            "monitoring_at",
            "contained_at",
            "workaround_at",
        ],
    ),
    (
        Field::ResolvedAt,
        Shape::Time,
        &[
            "resolved",
            "resolution_time",
            "resolved_time",
            "end",
            "ended",
            "end_time",
            "end_date",
            "ended_at",
            "end_at",
            "closed_at",
            "closed",
            "close_time",
            "recovered",
            "recovered_at",
            "fixed_at",
            "restored_at",
            "impact_end",
        ],
    ),
    (
        Field::Duration,
        Shape::Duration,
        &[
            "outage_duration",
            "incident_duration",
            "total_duration",
            "downtime",
            "total_downtime",
            "length",
            "impact_duration",
            "outage_length",
        ],
    ),
    (
        Field::TimeToDetect,
        Shape::Duration,
        &[
            "ttd",
            "mttd",
            "time_to_detection",
            "time_to_discovery",
            "detection_time",
            "detection_delay",
        ],
    ),
    (
        Field::TimeToMitigate,
        Shape::Duration,
        &["ttm", "mttm", "time_to_mitigation", "mitigation_time"],
    ),
    (
        Field::TimeToResolve,
        Shape::Duration,
        &[
            "ttr",
            "mttr",
            "time_to_recovery",
            "time_to_recover",
            "time_to_restore",
            "time_to_repair",
            "time_to_resolution",
            "time_to_fix",
            "resolution_time",
        ],
    ),
    (
        Field::Severity,
        Shape::Term,
        &[
            "sev",
            "severity_level",
            "incident_severity",
            "priority",
            "level",
            "impact",
            "impact_level",
            "criticality",
        ],
    ),
    (
        Field::RootCause,
        Shape::Names,
        &[
            "cause",
            "causes",
            "root_causes",
            "category",
            "categories",
            "root_cause_category",
            "cause_category",
            "failure_type",
            "failure_category",
            "incident_type",
            "type",
        ],
    ),
    (
        Field::Services,
        Shape::Names,
        &[
            "service",
            "affected_services",
            "affected_service",
            "services_affected",
            "component",
            "components",
            "affected_components",
            "system",
            "systems",
            "affected_systems",
            "product",
            "products",
            "application",
            "applications",
            "app",
            "apps",
            "company",
            "platform",
        ],
    ),
    (
        Field::Tags,
        Shape::Names,
        &["tag", "labels", "label", "keywords"],
    ),
    (
        Field::Authors,
        Shape::Names,
        &[
            "author",
            "owner",
            "owners",
            "written_by",
            "reporter",
            "postmortem_owner",
            "incident_commander",
        ],
    ),
    (
        Field::Summary,
        Shape::Text,
        &[
            "description",
            "tldr",
            "tl_dr",
            "abstract",
            "synopsis",
            "overview",
        ],
    ),
    (
        Field::Impact,
        Shape::Text,
        &[
            "impact",
            "customer_impact",
            "user_impact",
            "business_impact",
        ],
    ),
    (
        Field::Trigger,
        Shape::Text,
        &["triggered_by", "trigger_event"],
    ),
];

/// Which keys hold one canonical field.
#[derive(Debug, Clone)]
pub struct Mapping {
    pub field: Field,
    /// Keys as the files spell them, the most used first.
    pub keys: Vec<String>,
}

/// Values found for a facet, most common first: (spelling, files).
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    pub values: Vec<(String, usize)>,
    /// Whether the default vocabulary already knows every value, so none is written.
    pub default_fits: bool,
}

/// The proposed configuration, before it is written as TOML.
#[derive(Debug, Clone, Default)]
pub struct Proposal {
    pub mappings: Vec<Mapping>,
    /// Keys that map to nothing, with the reason, for the survey.
    pub unmapped: Vec<(String, &'static str)>,
    pub title_template: Option<String>,
    pub severities: Vocabulary,
    pub categories: Vocabulary,
    pub services: Vocabulary,
    /// Spellings that differ in more than case and punctuation but name one thing
    /// (`irc bot`, `ircbot`), per field: (spelling, the spelling it is mapped to).
    pub value_maps: Vec<(Field, String, String)>,
    /// Postmortems without front matter, whose metadata comes from their prose.
    pub prose: usize,
}

impl Proposal {
    /// The keys mapped to `field`, if any.
    pub fn keys(&self, field: Field) -> &[String] {
        self.mappings
            .iter()
            .find(|mapping| mapping.field == field)
            .map_or(&[], |mapping| mapping.keys.as_slice())
    }

    /// The field a key (as the files spell it) is mapped to.
    pub fn field_of(&self, key: &str) -> Option<Field> {
        self.mappings
            .iter()
            .find(|mapping| mapping.keys.iter().any(|k| k == key))
            .map(|mapping| mapping.field)
    }
}

/// Maps the surveyed keys to canonical fields and collects the vocabularies.
pub fn propose(survey: &Survey) -> Proposal {
    let mut proposal = Proposal::default();
    for stats in &survey.keys {
        match field_for(stats) {
            Ok(field) => match proposal.mappings.iter_mut().find(|m| m.field == field) {
                Some(mapping) => mapping.keys.push(stats.key.clone()),
                None => proposal.mappings.push(Mapping {
                    field,
                    keys: vec![stats.key.clone()],
                }),
            },
            Err(reason) => proposal.unmapped.push((stats.key.clone(), reason)),
        }
    }
    proposal.mappings.sort_by_key(|mapping| mapping.field);
    proposal.severities = vocabulary(survey, &proposal, Field::Severity);
    // Categories come from `refine`, which sees prose-inferred ones too.
    proposal.services = vocabulary(survey, &proposal, Field::Services);
    proposal.value_maps = value_maps(&proposal);
    proposal.title_template = title_template(survey, &proposal);
    proposal
}

/// The field a key holds, or why it holds none. The name rules come first, so that a
/// canonical name holding another field's values (`impact: major`, a severity word) is
/// read as what it holds; a canonical name whose values fit it needs no mapping.
fn field_for(stats: &KeyStats) -> Result<Field, &'static str> {
    let identity = without_unit(&key_identity(&stats.key));
    if stats.filled == 0 {
        return Err("always empty");
    }
    let mut named = false;
    for &(field, shape, names) in RULES {
        if names.contains(&identity.as_str()) {
            named = true;
            if fits(stats, shape) {
                return Ok(field);
            }
        }
    }
    if let Some(field) = Field::parse(&identity) {
        return Ok(field);
    }
    Err(if named {
        "its values do not have the shape its name suggests"
    } else {
        "no canonical field has this name; shown among the extra fields"
    })
}

/// Whether most values have `shape`.
fn fits(stats: &KeyStats, shape: Shape) -> bool {
    let seen = stats.values_seen().max(1);
    let most = |count: usize| count * 10 >= seen * 8;
    match shape {
        Shape::Time => most(stats.times),
        // A bare number is a duration too when the key is named like one (`ttr: 45`).
        Shape::Duration => most(stats.durations + stats.numbers),
        // A severity scale is a handful of words used again and again.
        Shape::Term => most(stats.terms + stats.numbers) && stats.distinct() <= 12,
        Shape::Names => most(stats.terms + stats.numbers),
        Shape::Text => most(stats.terms + stats.texts),
    }
}

/// The values of the keys mapped to `field`, merged by term identity.
fn vocabulary(survey: &Survey, proposal: &Proposal, field: Field) -> Vocabulary {
    let keys = proposal.keys(field);
    let mut merged: BTreeMap<String, (String, usize)> = BTreeMap::new();
    for stats in survey.keys.iter().filter(|s| keys.contains(&s.key)) {
        for (spelling, count) in stats.ranked_values() {
            let entry = merged.entry(vocab::term_key(spelling)).or_default();
            if count > entry.1 || entry.0.is_empty() {
                entry.0 = spelling.to_string();
            }
            entry.1 += count;
        }
    }
    let mut values: Vec<(String, usize)> = merged.into_values().collect();
    values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    if field == Field::Severity {
        values.sort_by_key(|(value, _)| severity_rank(value));
    }
    let default_fits = default_fits(field, &values);
    Vocabulary {
        values,
        default_fits,
    }
}

/// Whether Hindsight's default vocabulary for `field` knows every value.
fn default_fits(field: Field, values: &[(String, usize)]) -> bool {
    let config = Config::default();
    values.iter().all(|(value, _)| match field {
        Field::Severity => vocab::match_severity(&config, value).is_some(),
        _ => true,
    })
}

/// Spellings of one name that term identity keeps apart but that differ only in spaces
/// and punctuation (`irc bot`, `ircbot`): each is mapped to the most used one.
fn value_maps(proposal: &Proposal) -> Vec<(Field, String, String)> {
    let mut maps = Vec::new();
    for (field, vocabulary) in [(Field::Services, &proposal.services)] {
        let mut by_letters: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for (spelling, _) in &vocabulary.values {
            let letters: String = spelling
                .chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect();
            by_letters.entry(letters).or_default().push(spelling);
        }
        // Values are most used first, so the first spelling of each group is the target.
        for group in by_letters.values().filter(|group| group.len() > 1) {
            for spelling in &group[1..] {
                maps.push((field, spelling.to_string(), group[0].to_string()));
            }
        }
    }
    maps
}

/// A title for files with neither a title nor a heading, from a summary (and services),
/// when some files need one.
fn title_template(survey: &Survey, proposal: &Proposal) -> Option<String> {
    let titled = proposal
        .keys(Field::Title)
        .iter()
        .filter_map(|key| survey.keys.iter().find(|s| &s.key == key))
        .map(|stats| stats.filled)
        .max()
        .unwrap_or(0);
    let needs_one = titled.max(survey.headings) < survey.postmortems.len();
    if !needs_one || proposal.keys(Field::Summary).is_empty() {
        return None;
    }
    Some(if proposal.keys(Field::Services).is_empty() {
        "{summary}".to_string()
    } else {
        "{services}: {summary}".to_string()
    })
}

/// Where a severity word sits on a scale, worst first: the number in `SEV1`, `P2`, `3`
/// (lower is worse, as every common scale counts), else the word's place in
/// [`SEVERITY_WORDS`]; unknown words go last, in their order of use.
fn severity_rank(value: &str) -> (u8, u64) {
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    if let Ok(number) = digits.parse::<u64>() {
        return (0, number);
    }
    let key = vocab::term_key(value);
    match SEVERITY_WORDS.iter().position(|word| key == *word) {
        Some(place) => (1, place as u64),
        None => (2, 0),
    }
}

/// Severity words of status pages and ticket systems, worst first.
const SEVERITY_WORDS: &[&str] = &[
    "emergency",
    "blocker",
    "critical",
    "crit",
    "urgent",
    "severe",
    "high",
    "major",
    "significant",
    "elevated",
    "medium",
    "moderate",
    "normal",
    "minor",
    "low",
    "trivial",
    "info",
    "informational",
    "maintenance",
    "none",
];

/// The root-cause categories the archive yields once mapped, front matter and prose
/// alike: `config` holds the mapping and the default vocabulary, so a value the defaults
/// know comes back as its key. The default vocabulary is kept when it knows them all.
pub fn refine(proposal: &mut Proposal, config: &Config, sources: &[SourceFile]) {
    let options = AnalyzeOptions {
        drafts: true,
        ..Default::default()
    };
    let (site, _) = site::analyze_without_bodies(config, sources, options);
    let mut counts: BTreeMap<String, (String, usize)> = BTreeMap::new();
    for incident in &site.incidents {
        for cause in &incident.root_causes {
            let entry = counts.entry(vocab::term_key(cause)).or_default();
            entry.0.clone_from(cause);
            entry.1 += 1;
        }
    }
    let mut values: Vec<(String, usize)> = counts.into_values().collect();
    values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let vocabularies = Vocabularies::new(config);
    let default_fits = values
        .iter()
        .all(|(value, _)| vocabularies.category_key(value).is_some());
    proposal.categories = Vocabulary {
        values,
        default_fits,
    };
    proposal.prose = site
        .incidents
        .iter()
        .filter(|i| !i.has_front_matter)
        .count();
}

/// A key's identity without a unit at its end (`ttr_minutes` → `ttr`), so a duration named
/// with its unit maps like one without; the reader takes the unit from the name.
fn without_unit(identity: &str) -> String {
    const UNITS: &[&str] = &[
        "minutes", "mins", "min", "hours", "hrs", "hr", "seconds", "secs", "sec", "days",
    ];
    match identity.rsplit_once('_') {
        Some((stem, unit)) if UNITS.contains(&unit) => stem.to_string(),
        _ => identity.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::survey::survey;

    fn file(path: &str, text: &str) -> SourceFile {
        SourceFile {
            path: path.to_string(),
            stem: path.trim_end_matches(".md").to_string(),
            bytes: Ok(text.as_bytes().to_vec()),
        }
    }

    fn proposal(files: &[&str]) -> Proposal {
        let sources: Vec<SourceFile> = files
            .iter()
            .enumerate()
            .map(|(i, text)| file(&format!("content/{i}.md"), text))
            .collect();
        propose(&survey(&sources))
    }

    #[test]
    fn keys_map_by_name_and_by_the_shape_of_their_values() {
        let p = proposal(&[
            "---\nname: A\nimpact: major\ncreated_at: 2024-01-02 10:00\nttr_minutes: 45\ncomponents: [API]\n---\n",
            "---\nname: B\nimpact: minor\ncreated_at: 2024-02-02 10:00\nttr_minutes: 30\ncomponents: [Web]\n---\n",
        ]);
        assert_eq!(p.keys(Field::Title), ["name"]);
        assert_eq!(
            p.keys(Field::Severity),
            ["impact"],
            "a few words: a severity"
        );
        assert_eq!(p.keys(Field::StartedAt), ["created_at"]);
        assert_eq!(p.keys(Field::TimeToResolve), ["ttr_minutes"]);
        assert_eq!(p.keys(Field::Services), ["components"]);
        let severities: Vec<&str> = p
            .severities
            .values
            .iter()
            .map(|(v, _)| v.as_str())
            .collect();
        assert_eq!(severities, ["major", "minor"], "worst first by the words");
    }

    #[test]
    fn a_name_without_the_shape_it_suggests_is_not_mapped() {
        let p = proposal(&[
            "---\nimpact: Customers could not log in for most of the morning, and support was flooded.\ncreated_at: soon\n---\n",
        ]);
        assert!(p.keys(Field::Severity).is_empty());
        assert_eq!(p.keys(Field::Impact), ["impact"], "prose: the impact text");
        assert!(p.keys(Field::StartedAt).is_empty(), "not a time");
        assert!(p.unmapped.iter().any(|(key, _)| key == "created_at"));
    }

    #[test]
    fn every_service_key_is_merged_and_spellings_are_mapped() {
        let p = proposal(&[
            "---\ncompany: Acme\nproduct: irc bot\n---\n",
            "---\ncompany: Acme\nproduct: ircbot\n---\n",
            "---\ncompany: Acme\nproduct: ircbot\n---\n",
        ]);
        assert_eq!(p.keys(Field::Services), ["company", "product"]);
        assert_eq!(
            p.value_maps,
            [(Field::Services, "irc bot".to_string(), "ircbot".to_string())]
        );
    }

    #[test]
    fn severity_scales_sort_worst_first() {
        let mut values = ["P3", "P1", "low", "critical", "weird", "SEV2"];
        values.sort_by_key(|v| severity_rank(v));
        assert_eq!(values, ["P1", "SEV2", "P3", "critical", "low", "weird"]);
        assert_eq!(without_unit("ttr_minutes"), "ttr");
        assert_eq!(without_unit("start_time"), "start_time");
        assert_eq!(key_identity("RootCause"), "root_cause");
        assert_eq!(key_identity(" Start-Time "), "start_time");
        assert_eq!(key_identity("MTTR_minutes"), "mttr_minutes");
    }
}
