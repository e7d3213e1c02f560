//! Vocabularies and terms: matching free-text names to the configured severities,
//! categories and services, and turning any name into a safe, stable URL slug.
//!
//! Real archives spell the same thing many ways ("Redis-Cache", "redis_cache ",
//! "redis  cache."), so every name is compared through [`term_key`]: names that differ only
//! in case, whitespace, hyphens, underscores or punctuation are one term.

use std::collections::HashMap;

use crate::model::config::{Config, PrimaryCause};

pub use crate::model::term::term_key;

/// A URL-safe slug: ASCII letters, digits and hyphens (other scripts are transliterated).
/// Never empty, so every name gets a page, and never longer than [`SLUG_MAX_BYTES`] plus a
/// hyphen and [`SLUG_HASH_CHARS`] characters, so every path component stays far under the
/// 255 bytes file systems allow: a longer slug is cut at a hyphen where it can be and
/// ends with a hash of the whole, so two long names that share a beginning stay apart.
pub fn url_slug(name: &str) -> String {
    let slug = slug::slugify(name);
    if slug.is_empty() {
        return "untitled".to_string();
    }
    if slug.len() <= SLUG_MAX_BYTES + 1 + SLUG_HASH_CHARS {
        return slug;
    }
    let cut = &slug[..SLUG_MAX_BYTES];
    let cut = match cut.rfind('-') {
        Some(at) if at >= SLUG_MAX_BYTES / 2 => &cut[..at],
        _ => cut.trim_end_matches('-'),
    };
    format!("{cut}-{:08x}", fnv1a(slug.as_bytes()) as u32)
}

/// The longest a slug is before the hash that marks it as cut.
pub const SLUG_MAX_BYTES: usize = 80;

/// The hexadecimal digits of the hash a cut slug ends with.
pub const SLUG_HASH_CHARS: usize = 8;

/// FNV-1a: a hash whose value is fixed by its definition, so slugs are the same on every
/// machine and every Rust version (std's hasher promises neither), in five lines.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
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

    /// The vocabulary key of the category `name` names (by key or label, in any spelling
    /// [`term_key`] folds), or `None` when the site has no such category.
    pub fn category_key(&self, name: &str) -> Option<&str> {
        let &i = self.categories.get(&term_key(name))?;
        Some(&self.category_keys[i])
    }

    /// The site's category keys, in the config's order.
    pub fn category_keys(&self) -> &[String] {
        &self.category_keys
    }

    /// An incident's root causes with the primary one first and the others as listed.
    /// The primary is `explicit` when the postmortem names one (added when it is not
    /// listed), else the one `rule` picks: see [`PrimaryCause`].
    pub fn primary_first(
        &self,
        rule: PrimaryCause,
        mut causes: Vec<String>,
        explicit: Option<String>,
    ) -> Vec<String> {
        if let Some(explicit) = explicit {
            let key = term_key(&explicit);
            causes.retain(|cause| term_key(cause) != key);
            causes.insert(0, explicit);
            return causes;
        }
        let primary = match rule {
            PrimaryCause::FirstListed => 0,
            PrimaryCause::Vocabulary => {
                let rank = |cause: &String| {
                    let position = self.categories.get(&term_key(cause));
                    (position.copied().unwrap_or(usize::MAX), cause.clone())
                };
                (0..causes.len())
                    .min_by_key(|&i| rank(&causes[i]))
                    .unwrap_or(0)
            }
        };
        if primary > 0 {
            let cause = causes.remove(primary);
            causes.insert(0, cause);
        }
        causes
    }

    /// The registry spelling of the service `name` names, or `None` when it is not
    /// registered (see [`Vocabularies::has_registry`]).
    pub fn service_name(&self, name: &str) -> Option<&str> {
        let &i = self.services.get(&term_key(name))?;
        Some(&self.service_names[i])
    }

    /// Whether the site declares a service registry; without one every name is welcome.
    pub fn has_registry(&self) -> bool {
        !self.service_names.is_empty()
    }

    /// The registered service names, in the config's order.
    pub fn service_names(&self) -> &[String] {
        &self.service_names
    }
}

/// Matches a severity by key or label ("SEV1", "sev-1", "Critical"), or a bare number
/// against keys ending in that number (1 → "SEV1").
pub fn match_severity(config: &Config, given: &str) -> Option<usize> {
    let simplify = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
            .to_lowercase()
    };
    let wanted = simplify(given);
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
            ("Redis-Cache", "redis cache", "redis-cache"),
            ("  redis   Cache ", "redis cache", "redis-cache"),
            (
                "Payments & Billing (EU)",
                "payments billing eu",
                "payments-billing-eu",
            ),
            ("Café Crème", "café crème", "cafe-creme"),
            ("数据库", "数据库", "shu-ju-ku"),
            ("&&&", "&&&", "untitled"),
            (" ?  !! ", "? !!", "untitled"),
        ] {
            assert_eq!(term_key(name), key, "{name}");
            assert_eq!(url_slug(name), slug, "{name}");
        }
    }

    #[test]
    fn term_identity_folds_case_spaces_hyphens_underscores_and_punctuation() {
        let one = [
            "customer-facing",
            "Customer Facing",
            "customer_facing",
            "Customer-Facing.",
            "  CUSTOMER -- facing!",
            "(customer) facing",
        ];
        for spelling in one {
            assert_eq!(term_key(spelling), "customer facing", "{spelling:?}");
        }
        // Letters and digits are never folded away or merged.
        for (a, b) in [
            ("ircbot", "irc bot"),
            ("sev1", "sev 1"),
            ("v1.2", "v12"),
            ("café", "cafe"),
        ] {
            assert_ne!(term_key(a), term_key(b), "{a:?} and {b:?}");
        }
        assert_eq!(term_key("SEV-1"), "sev 1");
        assert_eq!(term_key("Ärger_Über"), "ärger über");
        assert_eq!(term_key("API v2.0"), "api v2 0");
        // A name that folds to nothing keeps its lowercased self.
        assert_eq!(term_key("C++"), "c");
        assert_eq!(term_key("++"), "++");
        assert_eq!(term_key(" - "), "-");
        assert_eq!(term_key(""), "");
        // Folding twice changes nothing, so a key is its own key.
        for name in one
            .iter()
            .chain(&["&&&", "Payments & Billing (EU)", "数据库"])
        {
            assert_eq!(term_key(&term_key(name)), term_key(name), "{name:?}");
        }
    }

    #[test]
    fn keys_that_fold_alike_slug_alike() {
        // A term's page is named by the slug of its key, so every spelling of a term must
        // give the slug its key gives: pages stay where they were as spellings vary.
        for spelling in [
            "customer-facing",
            "Customer Facing",
            "customer_facing",
            "Customer-Facing.",
        ] {
            assert_eq!(
                url_slug(&term_key(spelling)),
                "customer-facing",
                "{spelling:?}"
            );
            assert_eq!(url_slug(spelling), "customer-facing", "{spelling:?}");
        }
    }

    #[test]
    fn severities() {
        let config = Config::default();
        for (given, expected) in [
            ("SEV1", Some(0)),
            ("sev-2", Some(1)),
            ("Minor", Some(2)),
            ("4", Some(3)),
            ("14", None),
            ("SEV9", None),
        ] {
            assert_eq!(match_severity(&config, given), expected, "{given}");
        }
    }

    #[test]
    fn the_primary_cause_is_the_teams_ranking_not_list_order() {
        let config = Config::parse(
            "[[categories]]\nkey = \"deploy\"\n[[categories]]\nkey = \"network\"\nlabel = \"Networking\"\n[[categories]]\nkey = \"capacity\"\n",
            "hindsight.toml",
        )
        .unwrap();
        let vocabularies = Vocabularies::new(&config);
        let check = |rule, causes: &[&str], explicit: Option<&str>, expected: &[&str]| {
            let given: Vec<String> = causes.iter().map(|c| c.to_string()).collect();
            let ordered = vocabularies.primary_first(rule, given, explicit.map(str::to_string));
            assert_eq!(ordered, expected, "{causes:?} with {explicit:?}");
        };
        let by_vocabulary = PrimaryCause::Vocabulary;
        // An alphabetical list does not rank "capacity" first: the vocabulary does.
        check(
            by_vocabulary,
            &["capacity", "deploy", "network"],
            None,
            &["deploy", "capacity", "network"],
        );
        check(
            by_vocabulary,
            &["capacity", "network"],
            None,
            &["network", "capacity"],
        );
        // Unknown categories come after known ones, then by spelling.
        check(
            by_vocabulary,
            &["zebra", "cosmic-rays", "capacity"],
            None,
            &["capacity", "zebra", "cosmic-rays"],
        );
        check(
            by_vocabulary,
            &["zebra", "cosmic-rays"],
            None,
            &["cosmic-rays", "zebra"],
        );
        check(
            PrimaryCause::FirstListed,
            &["capacity", "deploy"],
            None,
            &["capacity", "deploy"],
        );
        // A named primary wins over either rule, listed or not.
        check(
            by_vocabulary,
            &["deploy", "capacity"],
            Some("capacity"),
            &["capacity", "deploy"],
        );
        check(
            PrimaryCause::FirstListed,
            &["deploy"],
            Some("network"),
            &["network", "deploy"],
        );
        check(by_vocabulary, &[], None, &[]);
    }

    #[test]
    fn long_slugs_are_cut_with_a_hash() {
        let long = "a-very-long-tag ".repeat(20);
        let slug = url_slug(&long);
        assert!(slug.len() <= SLUG_MAX_BYTES + 1 + SLUG_HASH_CHARS, "{slug}");
        assert!(
            slug.starts_with("a-very-long-tag-a-very-long-tag"),
            "{slug}"
        );
        let other = url_slug(&format!("{long} but different at the end"));
        assert_ne!(slug, other, "names that share a beginning stay apart");
        assert_eq!(url_slug(&long), slug, "stable");
        let word = "x".repeat(300);
        assert_eq!(url_slug(&word).len(), SLUG_MAX_BYTES + 1 + SLUG_HASH_CHARS);
        // Up to the limit and its hash's length, a slug is kept whole.
        let fits = "b".repeat(SLUG_MAX_BYTES + 9);
        assert_eq!(url_slug(&fits), fits);
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
