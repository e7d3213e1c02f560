//! Vocabularies and terms: matching free-text names to the configured severities,
//! categories and services, and turning any name into a safe, stable URL slug.
//!
//! Real archives spell the same thing many ways ("Redis-Cache", "redis-cache ",
//! "redis  cache"), so every name is compared through [`term_key`]: names that differ only
//! in case or whitespace are one term.

use std::collections::HashMap;

use crate::config::Config;
use crate::diagnostics::{Code, Diagnostic};
use crate::frontmatter::{Node, Pos, Value};
use crate::incident::FieldReader;

/// The identity of a term: lowercase, trimmed, inner whitespace collapsed to one space.
pub fn term_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A URL-safe slug: ASCII letters, digits and hyphens (other scripts are transliterated).
/// Never empty, so every name gets a page.
pub fn url_slug(name: &str) -> String {
    let slug = slug::slugify(name);
    if slug.is_empty() {
        "untitled".to_string()
    } else {
        slug
    }
}

/// Lookup tables built once per build from the config.
#[derive(Debug, Default)]
pub struct Vocabularies {
    categories: HashMap<String, usize>,
    services: HashMap<String, usize>,
    category_keys: Vec<String>,
    service_names: Vec<String>,
}

impl Vocabularies {
    pub fn new(config: &Config) -> Self {
        let mut categories = HashMap::new();
        for (i, category) in config.categories.iter().enumerate() {
            categories.insert(term_key(&category.key), i);
            categories.entry(term_key(&category.label)).or_insert(i);
        }
        let services = config
            .services
            .iter()
            .enumerate()
            .map(|(i, service)| (term_key(&service.name), i))
            .collect();
        Vocabularies {
            categories,
            services,
            category_keys: config.categories.iter().map(|c| c.key.clone()).collect(),
            service_names: config.services.iter().map(|s| s.name.clone()).collect(),
        }
    }

    /// The vocabulary key of a category; unknown ones are kept as written, with a warning.
    pub(crate) fn category(
        &self,
        name: &str,
        pos: Pos,
        reader: &mut FieldReader<'_, '_>,
    ) -> String {
        if let Some(&i) = self.categories.get(&term_key(name)) {
            return self.category_keys[i].clone();
        }
        let mut diagnostic = Diagnostic::warning(
            Code::H009,
            reader.path,
            format!("unknown root-cause category \"{name}\""),
        )
        .at(pos.line, pos.col, reader.text)
        .field("root_cause");
        diagnostic = match did_you_mean(name, &self.category_keys) {
            Some(close) => diagnostic.help(format!("did you mean `{close}`?")),
            None => diagnostic.help(format!(
                "expected one of {} (or declare it under [[categories]] in hindsight.toml)",
                self.category_keys.join(", ")
            )),
        };
        reader.diagnostics.push(diagnostic);
        name.trim().to_string()
    }

    /// The registry spelling of a service; unregistered names are kept, with a warning when
    /// the site declares a registry.
    pub(crate) fn service(&self, name: &str, pos: Pos, reader: &mut FieldReader<'_, '_>) -> String {
        if self.service_names.is_empty() {
            return name.trim().to_string();
        }
        if let Some(&i) = self.services.get(&term_key(name)) {
            return self.service_names[i].clone();
        }
        let mut diagnostic = Diagnostic::warning(
            Code::H012,
            reader.path,
            format!("unknown service \"{name}\""),
        )
        .at(pos.line, pos.col, reader.text)
        .field("services");
        if let Some(close) = did_you_mean(name, &self.service_names) {
            diagnostic = diagnostic.help(format!("did you mean `{close}`?"));
        } else {
            diagnostic = diagnostic.help("declare it under [[services]] in hindsight.toml");
        }
        reader.diagnostics.push(diagnostic);
        name.trim().to_string()
    }
}

/// Matches a severity by key or label ("SEV1", "sev-1", "Critical"), or a bare number
/// against keys ending in that number (1 → "SEV1").
pub fn match_severity(config: &Config, node: &Node) -> Option<usize> {
    let simplify = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
            .to_lowercase()
    };
    let wanted = match &node.value {
        Value::String(s) => simplify(s),
        Value::Int(n) => n.to_string(),
        _ => return None,
    };
    if wanted.is_empty() {
        return None;
    }
    config.severities.iter().position(|severity| {
        let key = simplify(&severity.key);
        key == wanted
            || simplify(&severity.label) == wanted
            || (wanted.bytes().all(|b| b.is_ascii_digit())
                && key.ends_with(&wanted)
                && !key[..key.len() - wanted.len()].ends_with(|c: char| c.is_ascii_digit()))
    })
}

/// The closest known name, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(name: &str, known: &'a [String]) -> Option<&'a str> {
    let name = term_key(name);
    known
        .iter()
        .map(|candidate| (strsim::jaro_winkler(&name, &term_key(candidate)), candidate))
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_and_slugs() {
        for (name, key, slug) in [
            ("Redis-Cache", "redis-cache", "redis-cache"),
            ("  redis   Cache ", "redis cache", "redis-cache"),
            (
                "Payments & Billing (EU)",
                "payments & billing (eu)",
                "payments-billing-eu",
            ),
            ("Café Crème", "café crème", "cafe-creme"),
            ("数据库", "数据库", "shu-ju-ku"),
            ("&&&", "&&&", "untitled"),
        ] {
            assert_eq!(term_key(name), key, "{name}");
            assert_eq!(url_slug(name), slug, "{name}");
        }
    }

    #[test]
    fn severities() {
        let config = Config::default();
        let node = |value| Node {
            value,
            pos: Pos { line: 1, col: 1 },
        };
        for (value, expected) in [
            (Value::String("SEV1".into()), Some(0)),
            (Value::String("sev-2".into()), Some(1)),
            (Value::String("Minor".into()), Some(2)),
            (Value::Int(4), Some(3)),
            (Value::Int(14), None),
            (Value::String("SEV9".into()), None),
        ] {
            assert_eq!(
                match_severity(&config, &node(value.clone())),
                expected,
                "{value:?}"
            );
        }
    }

    #[test]
    fn suggestions() {
        let known = vec!["postgres-primary".to_string(), "redis-cache".to_string()];
        assert_eq!(
            did_you_mean("postgres-primry", &known),
            Some("postgres-primary")
        );
        assert_eq!(did_you_mean("kafka", &known), None);
    }
}
