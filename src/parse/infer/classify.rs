//! The root-cause category from the words a postmortem uses, and its services from the
//! registry. Both are plain, inspectable rules, and every answer carries the phrase that
//! decided it, so a reader can see why and disagree.
//!
//! The category classifier counts keyword phrases per category (a phrase of two words
//! counts twice), reading only the root-cause text. In a sentence such as "A misconfigured
//! caching layer caused a bottleneck in our database queries", the words before "caused"
//! describe the cause and the words after it the effect, so effect words count a quarter.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::LazyLock;

use crate::model::config::{Category, Config};

/// Phrases for the keys of the default category vocabulary. A site's own categories use
/// their key, their label and their `keywords` from `hindsight.toml`.
const KEYWORDS: &[(&str, &[&str])] = &[
    (
        "config-change",
        &[
            "config change",
            "configuration change",
            "config push",
            "config",
            "configuration",
            "misconfiguration",
            "misconfigured",
            "feature flag",
            "flag",
            "setting",
            "settings",
            "parameter",
        ],
    ),
    (
        "capacity",
        &[
            "capacity",
            "saturation",
            "saturated",
            "exhausted",
            "exhaustion",
            "out of memory",
            "oom",
            "disk full",
            "ran out of",
            "traffic spike",
            "load spike",
            "overload",
            "overloaded",
            "throttling",
            "throttled",
            "quota",
            "too many connections",
            "connection pool",
            "under provisioned",
            "autoscaling",
            "hot partition",
        ],
    ),
    (
        "dependency-failure",
        &[
            "third party",
            "third-party",
            "vendor",
            "provider",
            "upstream",
            "external service",
            "external dependency",
            "dependency",
            "cloud provider",
            "partner",
        ],
    ),
    (
        "deploy",
        &[
            "deploy",
            "deployment",
            "deployed",
            "release",
            "rollout",
            "rolled out",
            "code change",
            "regression",
            "bad build",
            "new version",
            "upgrade",
            "canary",
            "hotfix",
            "bug",
        ],
    ),
    (
        "hardware",
        &[
            "hardware",
            "disk failure",
            "failed disk",
            "drive failure",
            "nvme",
            "ssd",
            "raid",
            "power supply",
            "nic",
            "host failure",
            "server failure",
            "controller failure",
            "power outage",
            "memory module",
        ],
    ),
    (
        "network",
        &[
            "network",
            "networking",
            "dns",
            "packet loss",
            "routing",
            "bgp",
            "load balancer",
            "firewall",
            "connectivity",
            "network partition",
            "mtu",
            "conntrack",
            "vpn",
            "router",
        ],
    ),
    (
        "database",
        &[
            "database",
            "db",
            "sql",
            "query",
            "queries",
            "database queries",
            "deadlock",
            "lock contention",
            "replication",
            "replica",
            "migration",
            "schema",
            "index",
            "vacuum",
            "postgres",
            "postgresql",
            "mysql",
            "query plan",
            "slow query",
        ],
    ),
    (
        "caching",
        &[
            "cache",
            "caches",
            "caching",
            "cached",
            "cache layer",
            "caching layer",
            "cache invalidation",
            "stale cache",
            "eviction",
            "evicted",
            "cache stampede",
            "thundering herd",
            "ttl",
            "redis",
            "memcached",
            "cache miss",
            "cache misses",
        ],
    ),
    (
        "certificate-expiry",
        &[
            "certificate",
            "certificates",
            "cert",
            "expired certificate",
            "certificate expired",
            "expiry",
            "expiration",
            "tls",
            "ssl",
            "x509",
        ],
    ),
    (
        "human-error",
        &[
            "human error",
            "manual",
            "manually",
            "accidentally",
            "accidental",
            "mistake",
            "typo",
            "fat finger",
            "wrong command",
            "operator error",
        ],
    ),
];

/// Words after which a sentence names the cause ("... due to a full disk").
const CAUSE_FOLLOWS: &[&str] = &[
    "due to",
    "because",
    "caused by",
    "as a result of",
    "triggered by",
    "owing to",
    "resulting from",
];

/// Words before which a sentence names the cause ("A full disk caused ...").
const CAUSE_PRECEDES: &[&str] = &[
    "caused",
    "causing",
    "led to",
    "leading to",
    "resulted in",
    "resulting in",
    "triggered",
    "creating",
];

/// [`CAUSE_FOLLOWS`] and [`CAUSE_PRECEDES`] as words, split once.
static FOLLOWS: LazyLock<Vec<Vec<String>>> =
    LazyLock::new(|| CAUSE_FOLLOWS.iter().map(|m| phrase_words(m)).collect());
static PRECEDES: LazyLock<Vec<Vec<String>>> =
    LazyLock::new(|| CAUSE_PRECEDES.iter().map(|m| phrase_words(m)).collect());

const EFFECT_WEIGHT: f64 = 0.25;

/// One lowercase word of a text and where it is.
#[derive(Debug, Clone)]
struct Word {
    lower: String,
    start: usize,
    end: usize,
    /// A sentence ends after this word.
    stop: bool,
}

fn split_words(text: &str) -> Vec<Word> {
    let mut words: Vec<Word> = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        if c.is_alphanumeric() {
            start.get_or_insert(i);
            continue;
        }
        // Hyphens split words, so "third-party" is the phrase "third party".
        if let Some(s) = start.take() {
            words.push(Word {
                lower: text[s..i].to_lowercase(),
                start: s,
                end: i,
                stop: false,
            });
        }
        if matches!(c, '.' | ';' | '!' | '?')
            && let Some(last) = words.last_mut()
        {
            last.stop = true;
        }
    }
    words
}

/// Whether text word `word` is keyword word `key`, allowing a plural or past ending.
fn same_word(word: &str, key: &str) -> bool {
    word == key
        || word
            .strip_prefix(key)
            .is_some_and(|rest| matches!(rest, "s" | "es" | "d" | "ed"))
}

/// A phrase split into words; hyphens and spaces are the same ("third-party").
fn phrase_words(phrase: &str) -> Vec<String> {
    phrase
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The words `word` may be, as the first word of a phrase ([`same_word`]): itself, and
/// itself less an ending it has.
fn first_keys(word: &str) -> impl Iterator<Item = &str> {
    let less = |ending: &str| word.strip_suffix(ending).filter(|key| !key.is_empty());
    std::iter::once(word).chain(["s", "es", "d", "ed"].into_iter().filter_map(less))
}

/// Whether `phrase` occurs at `words[at]`.
fn matches_at(words: &[Word], at: usize, phrase: &[String]) -> bool {
    phrase.len() <= words.len() - at
        && phrase
            .iter()
            .enumerate()
            .all(|(k, key)| same_word(&words[at + k].lower, key))
}

/// A category (or service) found in the text, with the phrase as written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Found {
    pub(crate) key: String,
    pub(crate) phrase: String,
    pub(crate) line: u32,
    pub(crate) col_byte: usize,
}

/// The keyword phrases of every category of a site.
#[derive(Debug, Clone)]
pub(crate) struct Classifier {
    categories: Vec<(String, Vec<Vec<String>>)>,
    /// For each word a phrase begins with, the phrases that begin with it: (category, place
    /// in its list), in that order. A text's word is tried against the phrases that can
    /// begin there, not against them all: trying all, some two hundred at every word, was
    /// 40% of building an archive of 1,000 postmortems without front matter.
    by_first: HashMap<String, Vec<(usize, usize)>>,
}

impl Classifier {
    /// The classifier of `config`'s categories, made once per thread for the categories it
    /// was last asked for: making one (splitting some two hundred phrases and indexing
    /// them) cost more than classifying a postmortem's text, and every postmortem without
    /// front matter asks for one. The categories are compared by value, so a config read
    /// again (`serve`) gets a classifier of its own.
    pub(crate) fn of(config: &Config) -> Rc<Classifier> {
        thread_local! {
            static LAST: RefCell<Option<(Vec<Category>, Rc<Classifier>)>> =
                const { RefCell::new(None) };
        }
        let same = |a: &[Category], b: &[Category]| {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|(a, b)| a.key == b.key && a.label == b.label && a.keywords == b.keywords)
        };
        LAST.with_borrow_mut(|last| match last {
            Some((categories, classifier)) if same(categories, &config.categories) => {
                Rc::clone(classifier)
            }
            _ => {
                let classifier = Rc::new(Classifier::new(config));
                *last = Some((config.categories.clone(), Rc::clone(&classifier)));
                classifier
            }
        })
    }

    pub(crate) fn new(config: &Config) -> Classifier {
        let categories = config
            .categories
            .iter()
            .map(|category| {
                let builtin = KEYWORDS
                    .iter()
                    .find(|(key, _)| *key == category.key)
                    .map_or(&[][..], |(_, words)| *words);
                let mut phrases: Vec<Vec<String>> = builtin
                    .iter()
                    .copied()
                    .chain(category.keywords.iter().map(String::as_str))
                    .chain([category.key.as_str(), category.label.as_str()])
                    .map(phrase_words)
                    .filter(|p| !p.is_empty())
                    .collect();
                // Longest first, so "caching layer" wins over "caching".
                phrases.sort_by_key(|p| std::cmp::Reverse(p.len()));
                phrases.dedup();
                (category.key.clone(), phrases)
            })
            .collect::<Vec<(String, Vec<Vec<String>>)>>();
        let mut by_first: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        for (c, (_, phrases)) in categories.iter().enumerate() {
            for (place, phrase) in phrases.iter().enumerate() {
                by_first
                    .entry(phrase[0].clone())
                    .or_default()
                    .push((c, place));
            }
        }
        Classifier {
            categories,
            by_first,
        }
    }

    /// The longest phrase of any category at `words[at]` (on equal length, the category
    /// declared first), by each category's first phrase there in its order: (category,
    /// words).
    fn longest_at(&self, words: &[Word], at: usize) -> Option<(usize, usize)> {
        let mut first: Option<(usize, usize, usize)> = None; // (category, place, words)
        let mut best: Option<(usize, usize)> = None;
        let mut settle = |found: Option<(usize, usize, usize)>| {
            if let Some((c, _, len)) = found
                && best.is_none_or(|(b, blen)| len > blen || (len == blen && c < b))
            {
                best = Some((c, len));
            }
        };
        // The phrases whose first word this word is, as `same_word` reads it: the word
        // itself, or it less an ending.
        let mut candidates: Vec<(usize, usize)> = first_keys(&words[at].lower)
            .filter_map(|key| self.by_first.get(key))
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        for (c, place) in candidates {
            if first.is_some_and(|(fc, _, _)| fc == c) {
                continue;
            }
            let phrase = &self.categories[c].1[place];
            if matches_at(words, at, phrase) {
                settle(first.take());
                first = Some((c, place, phrase.len()));
            }
        }
        settle(first);
        best
    }

    /// The best category for `texts` (line number, text), or `None` when no phrase of any
    /// category occurs.
    pub(crate) fn classify(&self, texts: &[(u32, &str)]) -> Option<Found> {
        let mut scores = vec![0.0f64; self.categories.len()];
        // Per category: (weight, order of appearance, the match), to pick the evidence.
        let mut best: Vec<Option<(f64, usize, Found)>> = vec![None; self.categories.len()];
        let mut order = 0;
        for &(line, text) in texts {
            let words = split_words(text);
            let weights = clause_weights(&words);
            let mut at = 0;
            while at < words.len() {
                // Among categories, the longest phrase at this position wins; on equal
                // length, the category declared first.
                let Some((category, len)) = self.longest_at(&words, at) else {
                    at += 1;
                    continue;
                };
                let weight = len as f64 * weights[at];
                scores[category] += weight;
                let found = Found {
                    key: self.categories[category].0.clone(),
                    phrase: text[words[at].start..words[at + len - 1].end].to_string(),
                    line,
                    col_byte: words[at].start,
                };
                let slot = &mut best[category];
                if slot.as_ref().is_none_or(|(w, _, _)| weight > *w) {
                    *slot = Some((weight, order, found));
                }
                order += 1;
                at += len;
            }
        }
        let winner = (0..self.categories.len())
            .filter(|&c| scores[c] > 0.0)
            .max_by(|&a, &b| {
                let first = |c: usize| best[c].as_ref().map_or(usize::MAX, |b| b.1);
                scores[a]
                    .total_cmp(&scores[b])
                    // On a tie, the category mentioned first.
                    .then_with(|| first(b).cmp(&first(a)))
            })?;
        best[winner].take().map(|(_, _, found)| found)
    }
}

/// The weight of each word: 1 on the cause side of a sentence, [`EFFECT_WEIGHT`] on the
/// effect side, 1 in a sentence that does not say which is which.
fn clause_weights(words: &[Word]) -> Vec<f64> {
    let mut weights = vec![1.0; words.len()];
    let mut start = 0;
    while start < words.len() {
        let end = (start..words.len())
            .find(|&i| words[i].stop)
            .map_or(words.len(), |i| i + 1);
        let sentence = &words[start..end];
        let find = |markers: &[Vec<String>]| {
            (0..sentence.len()).find_map(|i| {
                (markers.iter())
                    .find(|phrase| matches_at(sentence, i, phrase))
                    .map(|phrase| (i, phrase.len()))
            })
        };
        if let Some((at, len)) = find(&PRECEDES) {
            for w in &mut weights[start + at + len..end] {
                *w = EFFECT_WEIGHT;
            }
        } else if let Some((at, _)) = find(&FOLLOWS) {
            for w in &mut weights[start..start + at] {
                *w = EFFECT_WEIGHT;
            }
        }
        start = end;
    }
    weights
}

/// Words that registry names abbreviate.
const SYNONYMS: &[(&str, &str)] = &[
    ("app", "application"),
    ("db", "database"),
    ("svc", "service"),
    ("auth", "authentication"),
    ("k8s", "kubernetes"),
    ("msg", "message"),
    ("notif", "notification"),
    ("pg", "postgres"),
];

fn same_service_word(word: &str, name_word: &str) -> bool {
    same_word(word, name_word)
        || SYNONYMS.iter().any(|(short, long)| {
            (name_word == *short && same_word(word, long)) || (name_word == *long && word == *short)
        })
}

/// Registry services named in `texts`, in order of first mention, each once.
pub(crate) fn registry_services(config: &Config, texts: &[(u32, &str)]) -> Vec<Found> {
    let names: Vec<(String, Vec<String>)> = config
        .services
        .iter()
        .map(|s| (s.name.clone(), phrase_words(&s.name)))
        .filter(|(_, words)| !words.is_empty())
        .collect();
    let mut found: Vec<Found> = Vec::new();
    for &(line, text) in texts {
        let words = split_words(text);
        for at in 0..words.len() {
            for (name, name_words) in &names {
                let fits = name_words.len() <= words.len() - at
                    && name_words
                        .iter()
                        .enumerate()
                        .all(|(k, n)| same_service_word(&words[at + k].lower, n));
                if fits && !found.iter().any(|f| &f.key == name) {
                    let end = words[at + name_words.len() - 1].end;
                    found.push(Found {
                        key: name.clone(),
                        phrase: text[words[at].start..end].to_string(),
                        line,
                        col_byte: words[at].start,
                    });
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: Option<(&str, &str)>) {
        let classifier = Classifier::new(&Config::default());
        let got = classifier.classify(&[(1, text)]);
        assert_eq!(
            got.as_ref().map(|f| (f.key.as_str(), f.phrase.as_str())),
            expected,
            "{text:?}"
        );
    }

    #[test]
    fn categories() {
        for (text, expected) in [
            (
                "A misconfigured caching layer caused a bottleneck in our database queries, leading to degraded performance.",
                Some(("caching", "caching layer")),
            ),
            (
                "Checkout failed due to an expired TLS certificate on the gateway.",
                Some(("certificate-expiry", "TLS")),
            ),
            (
                "The primary ran out of disk space.",
                Some(("capacity", "ran out of")),
            ),
            (
                "An engineer accidentally deleted the production bucket.",
                Some(("human-error", "accidentally")),
            ),
            (
                "Our third-party payment provider returned 502s.",
                Some(("dependency-failure", "third-party")),
            ),
            ("Nobody knows yet.", None),
        ] {
            check(text, expected);
        }
    }

    /// [`Classifier::longest_at`] as it was before the phrases were indexed by their first
    /// word: every phrase of every category tried at the position.
    fn longest_at_trying_all(
        classifier: &Classifier,
        words: &[Word],
        at: usize,
    ) -> Option<(usize, usize)> {
        (classifier.categories.iter().enumerate())
            .filter_map(|(c, (_, phrases))| {
                phrases
                    .iter()
                    .find(|p| matches_at(words, at, p))
                    .map(|p| (c, p.len()))
            })
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
    }

    proptest::proptest! {
        /// Texts of keywords (with the endings `same_word` allows) and other words: the
        /// indexed phrases find, at every word, what trying them all found.
        #[test]
        fn the_first_word_index_finds_what_trying_every_phrase_found(
            text in "((config|change|flag|flags|disk|full|ran|out|of|cache|caching|layer|certificate|expired|tls|deploy|deployed|rollout|network|dns|partition|hardware|failure|failed|third|party|database|db|query|queries|human|error|accidentally|the|a|due|to|caused|by|leading|s|es|ed)[ .,-]){0,30}"
        ) {
            let classifier = Classifier::new(&Config::default());
            let words = split_words(&text);
            for at in 0..words.len() {
                proptest::prop_assert_eq!(
                    classifier.longest_at(&words, at),
                    longest_at_trying_all(&classifier, &words, at),
                    "{:?} at word {}", text, at
                );
            }
        }
    }

    /// A site's own keywords count as soon as its config says so: `serve` reads a changed
    /// config again, and the classifier made for the old one is not reused.
    #[test]
    fn a_changed_config_gets_its_own_classifier() {
        let with = |keywords: &str| {
            Config::parse(
                &format!(
                    "[[categories]]\nkey = \"vendor\"\nkeywords = [{keywords}]\n[[categories]]\nkey = \"weather\"\nkeywords = [\"storm\"]\n"
                ),
                "hindsight.toml",
            )
            .unwrap()
        };
        let text = [(1, "A supplier outage during the storm.")];
        let first = with("\"acme\"");
        let found = Classifier::of(&first).classify(&text).map(|f| f.key);
        assert_eq!(found.as_deref(), Some("weather"));
        let second = with("\"supplier outage\"");
        let found = Classifier::of(&second).classify(&text).map(|f| f.key);
        assert_eq!(found.as_deref(), Some("vendor"));
        let found = Classifier::of(&first).classify(&text).map(|f| f.key);
        assert_eq!(found.as_deref(), Some("weather"));
    }

    #[test]
    fn services_from_the_registry() {
        let config = Config::parse(
            "[[services]]\nname = \"web-app\"\n[[services]]\nname = \"postgres-primary\"\n",
            "hindsight.toml",
        )
        .unwrap();
        let found = registry_services(
            &config,
            &[(
                6,
                "The primary service affected was our web application; Postgres primary was fine.",
            )],
        );
        let got: Vec<_> = found
            .iter()
            .map(|f| (f.key.as_str(), f.phrase.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("web-app", "web application"),
                ("postgres-primary", "Postgres primary")
            ]
        );
    }
}
