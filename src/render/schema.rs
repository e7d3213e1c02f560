//! The JSON Schema of a site's front matter, for editors: `hindsight schema` prints it, and
//! `init` and `new` write it to [`SCHEMA_FILE`] and point the postmortems they write at it
//! with a `# yaml-language-server: $schema=` modeline (pure: the caller writes).
//!
//! Draft-07: the newest draft yaml-language-server (VS Code's YAML extension, and the
//! editors that embed it) implements fully; its 2019-09 and 2020-12 support was reverted.
//! The schema is advisory. It is never stricter than Hindsight's reading, so an editor does
//! not flag a value `hindsight check` reads, and it is looser where that reading is not a
//! regular language (zone names, spellings folded to one term), so `check` stays the
//! authority. Every field accepts a blank value, which Hindsight reads as "not set", and
//! `additionalProperties` stays open: teams keep fields of their own. `patternErrorMessage`
//! (a yaml-language-server keyword, ignored by other validators) says what was expected in
//! the words `check` uses, instead of showing the regular expression.

use serde_json::{Map, Value, json};

use crate::model::config::Config;
use crate::model::field::Field;
use crate::model::term::term_key;
use crate::model::time::EXPECTED_SHAPES;
use crate::model::time::duration::EXPECTED_DURATIONS;
use crate::parse::incident::{ACTION_STATUS_WORDS, STATUS_WORDS};

/// The draft the schema declares.
pub const DRAFT: &str = "http://json-schema.org/draft-07/schema#";

/// Where `init` and `new` keep the site's schema, from the site root.
pub const SCHEMA_FILE: &str = ".hindsight/schema.json";

/// The modeline that points yaml-language-server at a schema.
pub const MODELINE_PREFIX: &str = "# yaml-language-server: $schema=";

/// The site's front matter schema: every canonical field under its own name and under each
/// alias `[fields]` gives it, with the site's vocabularies.
pub fn front_matter_schema(config: &Config) -> Value {
    let mut properties = Map::new();
    for field in Field::ALL {
        let schema = field_schema(field, config);
        for name in config.field_names(field) {
            if properties.contains_key(name) {
                continue;
            }
            let described = if name == field.name() {
                describe(field).to_string()
            } else {
                format!(
                    "`{}`, as this site names it ([fields] in hindsight.toml). {}",
                    field.name(),
                    describe(field)
                )
            };
            let mut property = schema.clone();
            property.insert("description".into(), described.into());
            properties.insert(name.to_string(), Value::Object(property));
        }
    }
    json!({
        "$schema": DRAFT,
        "title": format!("Front matter of {}", config.title),
        "description": "The front matter Hindsight reads, made from this site's hindsight.toml by `hindsight schema`. Advisory: `hindsight check` is the authority. Fields of your own are welcome.",
        "type": "object",
        "properties": properties,
        "additionalProperties": true,
    })
}

/// The schema of one field's value, without its description.
fn field_schema(field: Field, config: &Config) -> Map<String, Value> {
    let aliases = &config.aliases;
    match field {
        Field::Title
        | Field::Slug
        | Field::Trigger
        | Field::Summary
        | Field::Impact
        | Field::Detection => or_blank(vec![text()]),
        Field::Status => or_blank(vec![status()]),
        Field::Severity => or_blank(severity(config)),
        Field::StartedAt | Field::DetectedAt | Field::MitigatedAt | Field::ResolvedAt => {
            with_message(or_blank(timestamp()), EXPECTED_SHAPES)
        }
        Field::Duration | Field::TimeToDetect | Field::TimeToMitigate | Field::TimeToResolve => {
            with_message(or_blank(duration()), EXPECTED_DURATIONS)
        }
        Field::Services if !config.services.is_empty() => {
            let names = config.services.iter().map(|s| s.name.as_str());
            or_blank(closed_list(with_spellings(names, &aliases.services)))
        }
        Field::Services => {
            let targets = aliases.services.values().filter(|t| !t.trim().is_empty());
            or_blank(vec![open_list(targets.map(String::as_str).collect())])
        }
        Field::RootCause => or_blank(closed_list(categories(config))),
        Field::PrimaryRootCause => or_blank(closed_terms(&categories(config), true)),
        Field::Tags | Field::Authors | Field::Related => or_blank(vec![open_list(Vec::new())]),
        Field::ActionItems => or_blank(vec![action_items()]),
    }
}

/// What a field is, for the editor's hover.
fn describe(field: Field) -> &'static str {
    match field {
        Field::Title => "The incident's title; without one, the first heading or the file name.",
        Field::Slug => "The page's URL name (incidents/<slug>/); default: the file name.",
        Field::Status => {
            "draft, review or final (default). Drafts are built only with --drafts; review shows a banner. A status page's words are read too: resolved is final, investigating is review."
        }
        Field::Severity => {
            "One of this site's severities, by key or label, in any case or spelling (SEV1, sev-1, Critical), or its number."
        }
        Field::StartedAt => {
            "When the incident started: a date and time (RFC 3339, or with a zone name such as Europe/Berlin; without a zone, the site's timezone) or a date alone."
        }
        Field::DetectedAt => "When it was detected; same forms as started_at.",
        Field::MitigatedAt => "When the impact ended; same forms as started_at.",
        Field::ResolvedAt => "When it was resolved; same forms as started_at.",
        Field::Duration => {
            "How long it lasted, where the timestamps do not say: 45m, 1h 30m, 1d 4h, PT45M, \"45 minutes\", 1:30 (hours:minutes); a bare number is minutes."
        }
        Field::TimeToDetect => "Time from start to detection; same forms as duration.",
        Field::TimeToMitigate => "Time from start to mitigation; same forms as duration.",
        Field::TimeToResolve => "Time from start to resolution; same forms as duration.",
        Field::Services => "The affected services: a list, or one comma-separated string.",
        Field::RootCause => {
            "Root-cause categories of this site (key or label): a list, or one comma-separated string. The primary comes first on pages."
        }
        Field::PrimaryRootCause => "Which of the root causes is primary, when it is not the first.",
        Field::Trigger => "What set the incident off (inline Markdown).",
        Field::Tags => "Free tags: a list, or one comma-separated string.",
        Field::Authors => "Who wrote the postmortem.",
        Field::Summary => "What happened, in two or three sentences (inline Markdown).",
        Field::Impact => "Who and what was affected, with numbers (inline Markdown).",
        Field::Detection => "How the incident was noticed (inline Markdown).",
        Field::ActionItems => {
            "Follow-ups: each a title, or a map with title, owner, due (a date), status (open, done, wontfix), priority and url."
        }
        Field::Related => "Slugs of related incidents.",
    }
}

/// `alternatives`, or a blank value: Hindsight reads null, blank text, `[]`, `{}` and a
/// list of blanks as "not set".
fn or_blank(mut alternatives: Vec<Value>) -> Map<String, Value> {
    alternatives.push(json!({
        "anyOf": [
            {"type": "null"},
            {"type": "string", "pattern": r"^\s*$"},
            {"type": "array", "items": {"anyOf": [{"type": "null"}, {"type": "string", "pattern": r"^\s*$"}]}},
            {"type": "object", "maxProperties": 0},
        ],
    }));
    let mut schema = Map::new();
    schema.insert("anyOf".into(), Value::Array(alternatives));
    schema
}

/// `schema` with the message yaml-language-server shows when no alternative matches
/// (`errorMessage`, its keyword), in the words `check` uses.
fn with_message(mut schema: Map<String, Value>, message: &str) -> Map<String, Value> {
    schema.insert("errorMessage".into(), message.into());
    schema
}

/// Text: numbers and booleans are read as their text.
fn text() -> Value {
    json!({"type": ["string", "number", "boolean"]})
}

/// The status words in any case: the enum offers completions, the pattern decides, so
/// `Final` is accepted as Hindsight accepts it.
fn status() -> Value {
    let words: Vec<&str> = STATUS_WORDS.iter().map(|(word, _)| *word).collect();
    let pattern = format!(r"^\s*(?:{})\s*$", case_insensitive(&words.join("|")));
    json!({"anyOf": [{"enum": words}, {"type": "string", "pattern": pattern}]})
}

/// Severities by key or label in any spelling, the site's value map's spellings, and the
/// numbers that end their keys (`1` is SEV1).
fn severity(config: &Config) -> Vec<Value> {
    let names = config
        .severities
        .iter()
        .flat_map(|s| [s.key.as_str(), s.label.as_str()]);
    let spellings = with_spellings(names, &config.aliases.severity);
    let numbers: Vec<i64> = config
        .severities
        .iter()
        .filter_map(|s| trailing_number(&s.key))
        .collect();
    let mut alternatives = closed_terms(&spellings, false);
    let texts: Vec<String> = numbers.iter().map(i64::to_string).collect();
    if !numbers.is_empty() {
        alternatives.push(json!({"type": "integer", "enum": numbers}));
        alternatives.push(
            json!({"type": "string", "pattern": format!(r"^\s*(?:{})\s*$", texts.join("|"))}),
        );
    }
    alternatives
}

/// The digits a severity key ends with, which a bare number matches (`SEV1` → 1).
fn trailing_number(key: &str) -> Option<i64> {
    let simple: String = key.chars().filter(|c| c.is_alphanumeric()).collect();
    let digits = simple.len() - simple.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    simple[simple.len() - digits..].parse().ok()
}

/// The category keys and labels, and the spellings `[aliases.root_cause]` maps.
fn categories(config: &Config) -> Vec<String> {
    let names = config
        .categories
        .iter()
        .flat_map(|c| [c.key.as_str(), c.label.as_str()]);
    with_spellings(names, &config.aliases.root_cause)
}

/// `names` and the spellings a value map reads as a value, without repeats.
fn with_spellings<'a>(
    names: impl Iterator<Item = &'a str>,
    map: &'a std::collections::BTreeMap<String, String>,
) -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    for name in names.chain(map.keys().map(String::as_str)) {
        if !name.trim().is_empty() && !all.iter().any(|n| n == name) {
            all.push(name.to_string());
        }
    }
    all
}

/// A value from a closed vocabulary: the names as an enum (what an editor completes), and
/// a pattern that accepts each in any case and spelling. `words`: spellings are compared
/// by words ([`term_key`]), else by letters and digits alone (severities).
fn closed_terms(names: &[String], words: bool) -> Vec<Value> {
    vec![
        json!({"enum": names}),
        json!({"type": "string", "pattern": format!(r"^(?:{})$", any_term(names, words))}),
    ]
}

/// A list of values from a closed vocabulary: a YAML list, one value, or one string of
/// comma-separated values.
fn closed_list(names: Vec<String>) -> Vec<Value> {
    let term = any_term(&names, true);
    let item = closed_terms(&names, true);
    let mut item_or_blank = item.clone();
    item_or_blank.push(json!({"type": "null"}));
    item_or_blank.push(json!({"type": "string", "pattern": r"^\s*$"}));
    let mut alternatives = vec![json!({"type": "array", "items": {"anyOf": item_or_blank}})];
    alternatives.extend(item);
    alternatives.push(json!({
        "type": "string",
        "pattern": format!(r"^(?:{term})(?:,(?:{term}|\s*))*$"),
    }));
    alternatives
}

/// A list of free values: a YAML list, or one (comma-separated) string.
fn open_list(examples: Vec<&str>) -> Value {
    let mut schema = json!({
        "type": ["array", "string", "number", "boolean"],
        "items": {"type": ["string", "number", "boolean", "null"]},
    });
    if !examples.is_empty() {
        schema["examples"] = json!(examples);
    }
    schema
}

/// A regular expression matching any of `names` as Hindsight matches a term: case aside,
/// with any punctuation or spacing between words (`words`) or between any two characters.
fn any_term(names: &[String], words: bool) -> String {
    const GAP: &str = "[^A-Za-z0-9,]";
    let mut terms: Vec<String> = names
        .iter()
        .map(|name| {
            let key = term_key(name);
            let mut pattern = String::new();
            for c in key.chars() {
                if c == ' ' {
                    pattern.push_str(if words {
                        "[^A-Za-z0-9,]+"
                    } else {
                        "[^A-Za-z0-9,]*"
                    });
                } else if !c.is_alphanumeric() {
                    continue;
                } else {
                    if !words && !pattern.is_empty() && !pattern.ends_with('*') {
                        pattern.push_str(GAP);
                        pattern.push('*');
                    }
                    pattern.push_str(&either_case(c));
                }
            }
            pattern
        })
        .filter(|pattern| !pattern.is_empty())
        .collect();
    terms.sort();
    terms.dedup();
    format!("{GAP}*(?:{}){GAP}*", terms.join("|"))
}

/// `c` in either case, as a regular expression.
fn either_case(c: char) -> String {
    let upper: Vec<char> = c.to_uppercase().collect();
    let lower: Vec<char> = c.to_lowercase().collect();
    match (lower.as_slice(), upper.as_slice()) {
        ([l], [u]) if l != u => format!("[{l}{u}]"),
        _ => escape(c),
    }
}

fn escape(c: char) -> String {
    if r"\^$.|?*+()[]{}/-".contains(c) {
        format!(r"\{c}")
    } else {
        c.to_string()
    }
}

/// A regular expression written in lowercase, made to ignore the case of its ASCII
/// letters (but escapes such as `\d` and `\s`): `m` becomes `[mM]`, `[hms]` `[hHmMsS]`.
fn case_insensitive(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() * 3);
    let mut escaped = false;
    let mut in_class = false;
    for c in pattern.chars() {
        match c {
            _ if escaped || !c.is_ascii_lowercase() => out.push(c),
            _ if in_class => {
                out.push(c);
                out.push(c.to_ascii_uppercase());
            }
            _ => out.push_str(&format!("[{c}{}]", c.to_ascii_uppercase())),
        }
        if !escaped {
            in_class = match c {
                '[' => true,
                ']' => false,
                _ => in_class,
            };
        }
        escaped = c == '\\' && !escaped;
    }
    out
}

/// The timestamp shapes `model::time::parse_timestamp` reads.
fn timestamp() -> Vec<Value> {
    let zone = r"(?:[Zz]|[+-]\d{1,2}(?::?\d{2})?|[(\[]?[A-Za-z][A-Za-z0-9_/+:. -]*[)\]]?)";
    let time = r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?";
    let any = format!(r"^\s*\d{{1,6}}-\d{{1,2}}-\d{{1,2}}(?:[Tt _]*(?:{time}\s*{zone}?)?)?\s*$");
    vec![
        json!({
            "description": "RFC 3339: 2024-02-10T09:00:00Z, 2024-02-10T10:00:00+01:00",
            "type": "string",
            "format": "date-time",
            "patternErrorMessage": EXPECTED_SHAPES,
            "pattern": r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$",
        }),
        json!({
            "description": "A date alone: 2024-02-10",
            "type": "string",
            "format": "date",
            "patternErrorMessage": EXPECTED_SHAPES,
            "pattern": r"^\d{4}-\d{2}-\d{2}$",
        }),
        json!({
            "description": "A date and time with a zone name, an offset or none (the site's timezone): 2024-02-10 09:00 Europe/Berlin, 2024-02-10 09:00 PDT, 2024-02-10 9:05 +0200",
            "type": "string",
            "pattern": any,
            "patternErrorMessage": EXPECTED_SHAPES,
            "examples": ["2024-02-10 09:00 Europe/Berlin", "2024-02-10 09:00"],
        }),
        json!({
            "description": "A date as people write it, with the year, then a time and a zone if any: February 10, 2024 9:00 AM PST, 10 Feb 2024 14:00 CET, 10.02.2024 14:00, 2024/02/10 9:05 PM, and 03/04/2022 in the site's date_order",
            "type": "string",
            "pattern": written(),
            "patternErrorMessage": EXPECTED_SHAPES,
            "examples": ["February 10, 2024 9:00 AM PST", "10.02.2024 14:00"],
        }),
    ]
}

/// The dates `parse::infer::when::written_date_time` reads at the start of a value (a
/// weekday before them allowed), loosely: anything may follow.
fn written() -> String {
    let month = r"[A-Za-z]{3,9}\.?";
    let day = r"\d{1,2}(?:st|nd|rd|th)?";
    let dates = [
        format!(r"{month}\s+{day},?\s+\d{{4}}"),
        format!(r"{day}\s+{month},?\s+\d{{4}}"),
        r"\d{1,2}[./-]\d{1,2}[./-]\d{4}".to_string(),
        r"\d{4}[/.]\d{1,2}[/.]\d{1,2}".to_string(),
    ];
    format!(
        r"^\s*(?:[A-Za-z]+,?\s+)?(?:{})(?:[^0-9].*)?$",
        dates.join("|")
    )
}

/// The duration shapes `model::time::parse_duration` reads, and bare numbers.
fn duration() -> Vec<Value> {
    let number = r"(?:\d+(?:\.\d+)?|\.\d+)";
    let unit = "(?:seconds|second|secs|sec|s|minutes|minute|mins|min|m|hours|hour|hrs|hr|h|days|day|d|weeks|week|wks|wk|w)";
    let with_units = format!(r"{number}\s*{unit}\.?(?:[\s,]*(?:and\s+)?{number}\s*{unit}\.?)*");
    let iso = format!(r"p(?:{number}[wd])*(?:t(?:{number}[hms])+)?");
    let clock = r"\d{1,3}:\d{2}(?::\d{2})?";
    let approximately = r"(?:(?:~|≈|approximately|approx\.?|about|around|roughly)\s*)*";
    let pattern = format!(r"^\s*{approximately}(?:{number}|{iso}|{clock}|{with_units})[\s,]*$");
    vec![
        json!({"type": "number", "minimum": 0, "description": "A bare number: minutes, or the unit the field's name states (ttr_hours)"}),
        json!({
            "type": "string",
            "pattern": case_insensitive(&pattern),
            "patternErrorMessage": EXPECTED_DURATIONS,
            "examples": ["45m", "1h 30m", "PT45M", "1:30"],
        }),
    ]
}

/// Action items: each a title, or a map (its title under title, action or description).
fn action_items() -> Value {
    let words: Vec<String> = ACTION_STATUS_WORDS
        .iter()
        .map(|(word, _)| word.to_string())
        .filter(|word| !word.is_empty())
        .collect();
    let shown = ["open", "done", "wontfix", "in progress", "cancelled"];
    let status = json!({
        "description": "open (default), done or wontfix; also todo, in progress, closed, fixed, cancelled",
        "anyOf": [
            {"enum": shown},
            {"type": "string", "pattern": format!("^(?:{}|[^A-Za-z0-9]*)$", any_term(&words, false))},
            {"type": "null"},
        ],
    });
    let due = Value::Object(or_blank(timestamp()));
    let item = json!({
        "type": "object",
        "properties": {
            "title": {"description": "What will be done", "type": ["string", "number", "boolean", "null"]},
            "action": {"description": "The title, as some archives name it", "type": ["string", "number", "boolean", "null"]},
            "description": {"description": "The title, as some archives name it", "type": ["string", "number", "boolean", "null"]},
            "owner": {"description": "Who does it", "type": ["string", "number", "boolean", "null"]},
            "due": due,
            "status": status,
            "priority": {"type": ["string", "number", "boolean", "null"]},
            "url": {"description": "An http, https or mailto link, or a relative one", "type": ["string", "null"]},
        },
        "anyOf": [{"required": ["title"]}, {"required": ["action"]}, {"required": ["description"]}],
        "additionalProperties": true,
    });
    json!({"type": "array", "items": {"anyOf": [{"type": "string"}, item, {"type": "null"}]}})
}

/// The schema as the file `hindsight schema` prints and `init` and `new` write.
pub fn schema_text(config: &Config) -> String {
    let mut text = serde_json::to_string_pretty(&front_matter_schema(config))
        .unwrap_or_else(|_| "{}".to_string());
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_is_ignored_outside_escapes_and_inside_classes() {
        for (pattern, expected) in [
            ("min", "[mM][iI][nN]"),
            (r"\d+\s*h", r"\d+\s*[hH]"),
            ("p[wd]", "[pP][wWdD]"),
            (r"\\d", r"\\[dD]"),
            ("≈5", "≈5"),
        ] {
            assert_eq!(case_insensitive(pattern), expected, "{pattern}");
        }
    }

    #[test]
    fn terms_match_by_words_or_by_letters() {
        let names = ["Certificate expiry".to_string()];
        assert_eq!(
            any_term(&names, true),
            "[^A-Za-z0-9,]*(?:[cC][eE][rR][tT][iI][fF][iI][cC][aA][tT][eE][^A-Za-z0-9,]+[eE][xX][pP][iI][rR][yY])[^A-Za-z0-9,]*"
        );
        let severities = ["SEV1".to_string()];
        assert_eq!(
            any_term(&severities, false),
            "[^A-Za-z0-9,]*(?:[sS][^A-Za-z0-9,]*[eE][^A-Za-z0-9,]*[vV][^A-Za-z0-9,]*1)[^A-Za-z0-9,]*"
        );
        assert_eq!(trailing_number("SEV-12"), Some(12));
        assert_eq!(trailing_number("critical"), None);
    }
}
