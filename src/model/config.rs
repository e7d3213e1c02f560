//! `hindsight.toml` → [`Config`], with every default in one place.
//!
//! A folder of Markdown alone must build, so every setting is optional. The vocabularies
//! (severities, root-cause categories, duration buckets, the service registry) default to
//! what most SRE teams already use; a site replaces any of them by declaring its own list.

use std::collections::{BTreeMap, HashMap};

use chrono_tz::Tz;
use serde::Deserialize;

use crate::model::diagnostics::{Code, Diagnostic, LevelSetting};
use crate::model::field::Field;
use crate::model::term::term_key;

/// The file name Hindsight looks for at the site root.
pub const CONFIG_FILE: &str = "hindsight.toml";

/// The whole site configuration after defaults are applied.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub title: String,
    pub description: String,
    /// Absolute URL (or path) the site is published under; used for canonical links, the
    /// 404 page, and the feeds and sitemap, which are written only when it is absolute
    /// (they need a host). Every link inside the site is relative, so the output works
    /// under any sub-path.
    pub base_url: String,
    /// IANA zone name used to show times and to read timestamps that carry no offset. A
    /// region or city (`Denver`, `Pacific`) is accepted and replaced by its IANA name.
    pub timezone: String,
    /// How dates such as `03/04/2022` are read: `"month-first"` (March 4) or `"day-first"`
    /// (3 April). Unset, such a date is an error naming both readings.
    pub date_order: Option<crate::model::time::order::DateOrder>,
    /// `default` is the theme embedded in the binary; any other name is `themes/<name>/`.
    pub theme: String,
    pub output_dir: String,
    pub content_dir: String,
    /// Which files of the content folder are postmortems (globs; a pattern without `/`
    /// matches the file name, one with `/` the path under the content folder; case is
    /// ignored). Default: Markdown files.
    pub include: Vec<String>,
    /// Files that are never postmortems, even when included. Default: names starting with
    /// `_`, READMEs and templates.
    pub exclude: Vec<String>,
    /// Pass raw HTML in Markdown through unescaped. Off by default: postmortems are written
    /// by many hands and published on internal sites, where an injected script is a risk.
    pub allow_raw_html: bool,
    /// How many related incidents each incident page lists.
    pub related_limit: usize,
    /// How many incidents the home page lists.
    pub latest_limit: usize,
    pub severities: Vec<Severity>,
    pub categories: Vec<Category>,
    pub duration_buckets: Vec<DurationBucket>,
    pub services: Vec<Service>,
    /// `[registry]`: a Backstage catalog read as the service registry (docs/teams.md).
    pub registry: RegistryConfig,
    /// `[fields]`: how this archive names its fields, and how a title is made without one.
    pub fields: FieldsConfig,
    /// `[aliases]`: how this archive spells its values (value maps per facet).
    pub aliases: ValueAliases,
    /// `[trends]`: settings of the trend pages.
    pub trends: TrendsConfig,
    /// `[check]`: what `hindsight check` (and `build`) hold postmortems to.
    pub check: CheckConfig,
    /// `[feeds]`: the Atom feeds (docs/publishing.md).
    pub feeds: FeedsConfig,
    /// `[publish]`: what search engines are told (docs/publishing.md).
    pub publish: PublishConfig,
    /// `[search]`: the search page and its index (docs/search.md).
    pub search: SearchConfig,
    /// `[similar]`: the "Similar incidents" section of incident pages (docs/similar.md).
    pub similar: SimilarConfig,
    /// Anything a theme wants to read as `config.extra`.
    pub extra: BTreeMap<String, toml::Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Severity {
    pub key: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub key: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub description: String,
    /// Phrases that point to this category in prose, for inferring the root cause of
    /// documents without front matter (the default categories have built-in ones).
    #[serde(default)]
    pub keywords: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DurationBucket {
    pub key: String,
    pub label: String,
    /// Upper bound, exclusive, in minutes; `None` for the last, open-ended bucket.
    #[serde(default)]
    pub max_minutes: Option<i64>,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub name: String,
    #[serde(default)]
    pub team: String,
    #[serde(default)]
    pub description: String,
}

/// `[registry]` in `hindsight.toml`: where the service registry is read from besides
/// `[[services]]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegistryConfig {
    /// A folder of Backstage catalog files (`catalog-info.yaml`), relative to the site
    /// root; empty for none. Its components join `[[services]]`, each owned by its
    /// `spec.owner` as its team.
    pub backstage: String,
    /// What reading the catalog found wrong, filled in by `app::project` (never read from
    /// the file): `analyze` reports these with every other diagnostic.
    #[serde(skip)]
    pub diagnostics: Vec<Diagnostic>,
}

/// `[trends]` in `hindsight.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrendsConfig {
    /// An incident is a recurrence when an earlier one with a service and a root cause in
    /// common started at most this many days before it.
    pub recurrence_days: u32,
    /// Which of an incident's root causes is primary, where one cause per incident is
    /// shown (a table row's cause, the exports' `primary_cause`): every figure counts an
    /// incident under each of its causes. An explicit `primary_root_cause` field wins.
    pub primary_cause: PrimaryCause,
    /// Neutralise CSV cells that a spreadsheet would run as a formula (those starting
    /// with `=`, `+`, `-`, `@`, a tab or a carriage return get a leading `'`), as OWASP's
    /// CSV-injection guidance says. On by default; off for a consumer that is not a
    /// spreadsheet and wants the values byte for byte.
    pub csv_formula_guard: bool,
}

impl Default for TrendsConfig {
    fn default() -> Self {
        // A quarter: long enough to catch "we fixed the symptom, not the cause", short
        // enough that a service's unrelated yearly incidents are not called repeats.
        TrendsConfig {
            recurrence_days: 90,
            primary_cause: PrimaryCause::Vocabulary,
            csv_formula_guard: true,
        }
    }
}

/// `[trends] primary_cause`: how the primary root cause is chosen among those listed,
/// when the front matter does not name it (`primary_root_cause`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PrimaryCause {
    /// The listed cause that comes first in `[[categories]]`, the team's own ranking;
    /// causes outside the vocabulary after those in it, by spelling. The list's order
    /// (often alphabetical, or whatever a form wrote) says nothing.
    Vocabulary,
    /// The first cause as written.
    FirstListed,
}

/// `[feeds]` in `hindsight.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FeedsConfig {
    /// How many of the newest incidents each feed holds; 0 writes no feeds.
    pub limit: usize,
}

impl Default for FeedsConfig {
    fn default() -> Self {
        // Enough for a reader that polls daily to miss nothing in a bad month, small
        // enough that a large archive's feeds stay a few hundred kilobytes.
        FeedsConfig { limit: 50 }
    }
}

/// The Content-Security-Policy every page of the default theme carries: its own scripts,
/// styles and fonts only, images from anywhere on the web (postmortems embed graphs), no
/// inline script or style, no plugins, no `<base>`, forms only to the site itself.
pub const DEFAULT_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: http:; font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'";

/// `[fields]` in `hindsight.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FieldsConfig {
    /// A title for postmortems without one, from their other fields: `"{services}:
    /// {summary}"`. Used only when every field it names has a value.
    pub title_template: Option<String>,
    /// The extra front matter fields (those Hindsight does not know) the incident panel
    /// shows, in this order; empty shows them all. Named before `aliases`, so serde reads
    /// `show` and `hide` as these settings, never as a field alias.
    #[serde(default)]
    pub show: Vec<String>,
    /// Extra fields the incident panel never shows.
    #[serde(default)]
    pub hide: Vec<String>,
    /// Field-name aliases: canonical field → the names this archive uses instead. A list
    /// field (services, tags, root_cause, authors) takes the values of every name present,
    /// so `services = ["company", "product"]` merges both; any other takes the first.
    #[serde(flatten)]
    pub aliases: BTreeMap<Field, Vec<String>>,
}

/// `[aliases]` in `hindsight.toml`: value maps, one per facet, from a spelling this
/// archive uses to the value it means (`"irc bot" = "ircbot"`). Spellings are matched by
/// term identity ([`term_key`]), so `"IRC-Bot"` is mapped by `"irc bot"`. A map is applied
/// where a value is read, before the vocabulary or the registry is consulted, so every
/// page, facet, search entry, export and trend sees the value it maps to. An empty target
/// (`"n/a" = ""`) means "not set".
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ValueAliases {
    pub services: BTreeMap<String, String>,
    /// Root-cause categories; `[aliases.categories]` is the same table.
    #[serde(alias = "categories")]
    pub root_cause: BTreeMap<String, String>,
    pub tags: BTreeMap<String, String>,
    pub severity: BTreeMap<String, String>,
    /// The four maps by the term key of each spelling (services, root causes, tags,
    /// severities), made by [`Config::parse`].
    #[serde(skip)]
    folded: [HashMap<String, String>; 4],
}

impl ValueAliases {
    /// The maps with their table names and the field each applies to.
    fn maps(&self) -> [(&'static str, Field, &BTreeMap<String, String>); 4] {
        [
            ("services", Field::Services, &self.services),
            ("root_cause", Field::RootCause, &self.root_cause),
            ("tags", Field::Tags, &self.tags),
            ("severity", Field::Severity, &self.severity),
        ]
    }

    /// What `name` means in `field`'s value map: its target, or `name` itself when the
    /// map has no entry for it (or `field` has no map).
    pub fn canonical<'a>(&'a self, field: Field, name: &'a str) -> &'a str {
        let Some(slot) = self.maps().iter().position(|(_, f, _)| *f == field) else {
            return name;
        };
        let map = &self.folded[slot];
        if map.is_empty() {
            return name;
        }
        map.get(&term_key(name)).map_or(name, String::as_str)
    }

    /// Refuses a spelling mapped twice to different values and a chain (a target that is
    /// itself mapped elsewhere): the meaning of a value must not depend on the order maps
    /// are applied in.
    fn validate(&self) -> Result<(), String> {
        for (table, _, map) in self.maps() {
            let mut by_key: BTreeMap<String, (&String, &String)> = BTreeMap::new();
            for (spelling, target) in map {
                if let Some((other, other_target)) =
                    by_key.insert(term_key(spelling), (spelling, target))
                    && term_key(other_target) != term_key(target)
                {
                    return Err(format!(
                        "aliases.{table}: \"{other}\" and \"{spelling}\" are one term but map to different values (\"{other_target}\", \"{target}\")"
                    ));
                }
            }
            for (spelling, target) in map {
                let key = term_key(target);
                if target.trim().is_empty() || key == term_key(spelling) {
                    continue;
                }
                if let Some((via, further)) = by_key.get(&key) {
                    return Err(format!(
                        "aliases.{table}: \"{spelling}\" maps to \"{target}\", which is itself mapped (\"{via}\" = \"{further}\"); map \"{spelling}\" to \"{further}\" directly"
                    ));
                }
            }
        }
        Ok(())
    }

    /// Indexes each map by the term key of its spellings; targets are trimmed.
    fn fold(&mut self) {
        let folded = self.maps().map(|(_, _, map)| {
            map.iter()
                .map(|(spelling, target)| (term_key(spelling), target.trim().to_string()))
                .collect()
        });
        self.folded = folded;
    }
}

/// `[publish]` in `hindsight.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PublishConfig {
    /// Ask search engines to stay away: `robots.txt` disallows everything, every page
    /// carries `<meta name="robots" content="noindex">`, and no sitemap is written. For
    /// internal sites that are reachable from outside.
    pub noindex: bool,
    /// The Content-Security-Policy of every page (a `<meta>` element); empty for none, for
    /// a site whose raw HTML (`allow_raw_html`) needs inline scripts.
    pub content_security_policy: String,
}

impl Default for PublishConfig {
    fn default() -> Self {
        PublishConfig {
            noindex: false,
            content_security_policy: DEFAULT_CSP.to_string(),
        }
    }
}

/// `[search]` in `hindsight.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchConfig {
    /// Write the search page, its index and the search box in the header.
    pub enabled: bool,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig { enabled: true }
    }
}

/// `[similar]` in `hindsight.toml`: incidents listed as similar by their text.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimilarConfig {
    /// Off leaves the section out of every page and skips the computation.
    pub enabled: bool,
    /// How many similar incidents each incident page lists, at most.
    pub limit: usize,
    /// The least cosine similarity (0 to 1) for an incident to be listed: below it, two
    /// postmortems share only common words, and fewer (or none) are listed.
    pub min_score: f64,
}

impl Default for SimilarConfig {
    fn default() -> Self {
        SimilarConfig {
            enabled: true,
            limit: 5,
            min_score: 0.05,
        }
    }
}

/// `[check]` in `hindsight.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CheckConfig {
    /// Front matter fields a postmortem must set, per status (H015).
    pub required: RequiredFields,
    /// What an open action item must name: "owner", "due", both, or (the default) neither
    /// (H020).
    pub action_items: Vec<String>,
    /// How far, in minutes, a timeline's "resolved" or "mitigated" entry may be from the
    /// stated time before H017 calls it a contradiction.
    pub timeline_tolerance_minutes: u32,
    /// Words that mark unfinished text in a final postmortem (H021); matched as whole
    /// words, case-sensitively, so "TODO" counts and "todo list" does not.
    pub placeholders: Vec<String>,
    /// Per-code levels: `H020 = "off"`, `H018 = "error"`.
    pub levels: BTreeMap<Code, LevelSetting>,
}

/// Required front matter fields per status; each names canonical fields.
///
/// None by default: every field is optional, so an existing archive builds as quietly as
/// before. `hindsight init` writes the recommended policy into a new site's config: a draft
/// needs a title; a review also severity, start and services; a final postmortem all that
/// makes it indexable on every facet.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RequiredFields {
    pub draft: Vec<Field>,
    pub review: Vec<Field>,
    #[serde(rename = "final")]
    pub final_: Vec<Field>,
}

impl Default for CheckConfig {
    fn default() -> Self {
        // Rules that find wrong content are on; rules that ask for more content (required
        // fields, action item owners and dates) are a site's policy, off until set.
        CheckConfig {
            required: RequiredFields::default(),
            action_items: Vec::new(),
            timeline_tolerance_minutes: 15,
            placeholders: vec!["TODO".into(), "TBD".into(), "FIXME".into()],
            levels: BTreeMap::new(),
        }
    }
}

impl CheckConfig {
    fn validate(&self) -> Result<(), String> {
        if let Some(other) = self
            .action_items
            .iter()
            .find(|f| !["owner", "due"].contains(&f.as_str()))
        {
            return Err(format!(
                "check.action_items: unknown value \"{other}\" (expected \"owner\" and/or \"due\")"
            ));
        }
        if let Some(code) = self.levels.keys().find(|code| !code.adjustable()) {
            return Err(format!(
                "check.levels: the level of {code} cannot be changed (it marks a file or value Hindsight could not read)"
            ));
        }
        Ok(())
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "Incident archive".into(),
            description: "Postmortems of past incidents".into(),
            base_url: "/".into(),
            timezone: "UTC".into(),
            date_order: None,
            theme: "default".into(),
            output_dir: "public".into(),
            content_dir: "content".into(),
            include: vec!["*.md".into(), "*.markdown".into()],
            exclude: vec!["_*".into(), "README*".into(), "*template*".into()],
            allow_raw_html: false,
            related_limit: 5,
            latest_limit: 10,
            severities: default_severities(),
            categories: default_categories(),
            duration_buckets: default_duration_buckets(),
            services: Vec::new(),
            registry: RegistryConfig::default(),
            fields: FieldsConfig::default(),
            aliases: ValueAliases::default(),
            trends: TrendsConfig::default(),
            check: CheckConfig::default(),
            feeds: FeedsConfig::default(),
            publish: PublishConfig::default(),
            search: SearchConfig::default(),
            similar: SimilarConfig::default(),
            extra: BTreeMap::new(),
        }
    }
}

fn default_severities() -> Vec<Severity> {
    [
        (
            "SEV1",
            "Critical",
            "Full outage or data loss for many customers",
        ),
        (
            "SEV2",
            "Major",
            "Major degradation of a customer-facing feature",
        ),
        ("SEV3", "Minor", "Partial degradation with a workaround"),
        ("SEV4", "Low", "Little or no customer impact"),
    ]
    .into_iter()
    .map(|(key, label, description)| Severity {
        key: key.into(),
        label: label.into(),
        description: description.into(),
    })
    .collect()
}

fn default_categories() -> Vec<Category> {
    [
        (
            "config-change",
            "Configuration change",
            "A change to configuration or feature flags",
        ),
        (
            "capacity",
            "Capacity",
            "Load beyond what the system was provisioned for",
        ),
        (
            "dependency-failure",
            "Dependency failure",
            "A third-party or upstream dependency failed",
        ),
        ("deploy", "Deploy", "A code deployment introduced the fault"),
        (
            "hardware",
            "Hardware",
            "Failed disks, hosts, or other physical components",
        ),
        (
            "network",
            "Network",
            "Connectivity, routing, DNS or load balancing",
        ),
        (
            "database",
            "Database",
            "Database faults: locks, replication, queries, migrations",
        ),
        (
            "caching",
            "Caching",
            "Cache misconfiguration, stampedes or invalidation",
        ),
        (
            "certificate-expiry",
            "Certificate expiry",
            "An expired or invalid certificate",
        ),
        (
            "human-error",
            "Human error",
            "A manual operation went wrong",
        ),
    ]
    .into_iter()
    .map(|(key, label, description)| Category {
        key: key.into(),
        label: label.into(),
        description: description.into(),
        keywords: Vec::new(),
    })
    .collect()
}

fn default_duration_buckets() -> Vec<DurationBucket> {
    [
        ("under-30m", "< 30 min", Some(30)),
        ("30m-2h", "30 min – 2 h", Some(120)),
        ("2h-8h", "2 – 8 h", Some(480)),
        ("8h-24h", "8 – 24 h", Some(1440)),
        ("over-1d", "> 1 day", None),
    ]
    .into_iter()
    .map(|(key, label, max_minutes)| DurationBucket {
        key: key.into(),
        label: label.into(),
        max_minutes,
        description: String::new(),
    })
    .collect()
}

/// A configuration problem: the message names the file and says what was expected.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct ConfigError {
    pub file: String,
    pub message: String,
}

/// Where the key an "unknown field" error names is, when the error points at its table
/// (`[fields]` is read as a map, so the parser knows only the table): the first line of
/// that table that sets the key.
fn key_in_table(text: &str, table: usize, message: &str) -> Option<usize> {
    let quoted = message.strip_prefix("unknown field ")?;
    let quote = quoted.chars().next().filter(|c| matches!(c, '`' | '"'))?;
    let key = quoted[1..].split(quote).next()?;
    let mut at = table + text.get(table..)?.find('\n')? + 1;
    for line in text[at..].split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            return None;
        }
        let name = trimmed.split('=').next().unwrap_or_default().trim();
        if trimmed.contains('=') && name.trim_matches(['"', '\'']) == key {
            return Some(at + line.len() - trimmed.len());
        }
        at += line.len();
    }
    None
}

impl Config {
    /// Parses `hindsight.toml` text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Config, ConfigError> {
        let error = |message: String| ConfigError {
            file: file.to_string(),
            message,
        };
        let mut config: Config = toml::from_str(text).map_err(|e| {
            let position = e
                .span()
                .map(|span| {
                    let at = key_in_table(text, span.start, e.message()).unwrap_or(span.start);
                    let (line, col) = line_col(text, at);
                    format!("{line}:{col}")
                })
                .unwrap_or_default();
            ConfigError {
                file: if position.is_empty() {
                    file.to_string()
                } else {
                    format!("{file}:{position}")
                },
                message: e.message().trim_end_matches('\n').to_string(),
            }
        })?;
        config.validate().map_err(error)?;
        config.fill_labels();
        config.timezone = config.tz().name().to_string();
        config.aliases.fold();
        Ok(config)
    }

    /// The display timezone; validated at parse time, so the fallback is never used for a
    /// parsed config.
    pub fn tz(&self) -> Tz {
        crate::model::time::zone::named(&self.timezone).unwrap_or(Tz::UTC)
    }

    /// The front matter names accepted for a canonical field: its own name, then aliases.
    /// Its own name is left out when `[fields]` gives that key to another field
    /// (`severity = ["impact"]`: an archive's `impact` holds severity words, so it is not
    /// also read as the impact text).
    pub fn field_names(&self, canonical: Field) -> impl Iterator<Item = &str> {
        let claimed = self.fields.aliases.iter().any(|(field, names)| {
            *field != canonical && names.iter().any(|n| n == canonical.name())
        });
        (!claimed).then_some(canonical.name()).into_iter().chain(
            self.fields
                .aliases
                .get(&canonical)
                .into_iter()
                .flatten()
                .map(String::as_str),
        )
    }

    fn validate(&self) -> Result<(), String> {
        if crate::model::time::zone::named(&self.timezone).is_none() {
            return Err(format!(
                "timezone: unknown zone \"{}\" (expected an IANA name such as \"UTC\" or \"Europe/Berlin\", or a city such as \"Denver\")",
                self.timezone
            ));
        }
        if self.severities.is_empty() {
            return Err("severities: expected at least one severity".into());
        }
        if self.duration_buckets.is_empty() {
            return Err("duration_buckets: expected at least one bucket".into());
        }
        let mut previous = i64::MIN;
        for (i, bucket) in self.duration_buckets.iter().enumerate() {
            let last = i + 1 == self.duration_buckets.len();
            match bucket.max_minutes {
                Some(max) if max > previous && !last => previous = max,
                None if last => {}
                _ => {
                    return Err(format!(
                        "duration_buckets: bucket \"{}\" must have a max_minutes greater than the previous one, and only the last bucket may omit it",
                        bucket.key
                    ));
                }
            }
        }
        for (key, patterns) in [("include", &self.include), ("exclude", &self.exclude)] {
            for pattern in patterns {
                if let Err(error) = globset::Glob::new(pattern) {
                    return Err(format!(
                        "{key}: \"{pattern}\" is not a glob pattern ({})",
                        error.kind()
                    ));
                }
            }
        }
        if self.trends.recurrence_days == 0 {
            return Err("trends.recurrence_days: expected a number of days of at least 1".into());
        }
        check_unique("severities", self.severities.iter().map(|s| &s.key))?;
        check_unique("categories", self.categories.iter().map(|c| &c.key))?;
        check_unique(
            "duration_buckets",
            self.duration_buckets.iter().map(|b| &b.key),
        )?;
        check_unique("services", self.services.iter().map(|s| &s.name))?;
        if !(0.0..=1.0).contains(&self.similar.min_score) {
            return Err("similar.min_score: expected a number from 0 to 1".into());
        }
        self.aliases.validate()?;
        self.check.validate()?;
        Ok(())
    }

    /// Adds services read from a catalog (`[registry]`) to `[[services]]`, after the
    /// value maps: a service `[[services]]` already names keeps its entry, and takes the
    /// catalog's team only when it names none itself.
    pub fn add_registry_services(&mut self, services: Vec<Service>) {
        for mut service in services {
            service.name = self
                .aliases
                .canonical(Field::Services, &service.name)
                .to_string();
            let key = term_key(&service.name);
            match self.services.iter_mut().find(|s| term_key(&s.name) == key) {
                Some(known) if known.team.trim().is_empty() => known.team = service.team,
                Some(_) => {}
                None => self.services.push(service),
            }
        }
    }

    fn fill_labels(&mut self) {
        for severity in &mut self.severities {
            if severity.label.is_empty() {
                severity.label = severity.key.clone();
            }
        }
        for category in &mut self.categories {
            if category.label.is_empty() {
                category.label = category.key.clone();
            }
        }
    }
}

/// Refuses two entries that are one term ([`term_key`]): values are looked up by term, so
/// the second could never be reached.
fn check_unique<'a>(what: &str, keys: impl Iterator<Item = &'a String>) -> Result<(), String> {
    let mut seen: BTreeMap<String, &String> = BTreeMap::new();
    for key in keys {
        if let Some(other) = seen.insert(term_key(key), key) {
            return Err(if other.to_lowercase() == key.to_lowercase() {
                format!("{what}: \"{key}\" is declared twice")
            } else {
                format!(
                    "{what}: \"{other}\" and \"{key}\" are one term (case, spaces and punctuation aside); keep one"
                )
            });
        }
    }
    Ok(())
}

/// 1-based line and column (in chars) of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_err(text: &str, expected: &str) {
        let err = Config::parse(text, "hindsight.toml")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(expected),
            "{err:?} does not contain {expected:?}"
        );
    }

    #[test]
    fn empty_config_has_defaults() {
        let config = Config::parse("", "hindsight.toml").unwrap();
        assert_eq!(config.severities.len(), 4);
        assert_eq!(config.categories.len(), 10);
        assert_eq!(config.duration_buckets.len(), 5);
        assert_eq!(config.tz(), Tz::UTC);
        assert_eq!(config.trends.recurrence_days, 90);
        assert_eq!(config.feeds.limit, 50);
        assert!(config.search.enabled);
        let off = Config::parse("[search]\nenabled = false\n", "hindsight.toml").unwrap();
        assert!(!off.search.enabled);
        assert!(!config.publish.noindex);
    }

    #[test]
    fn publishing_settings() {
        let config = Config::parse(
            "[feeds]\nlimit = 0\n[publish]\nnoindex = true\n",
            "hindsight.toml",
        )
        .unwrap();
        assert_eq!(config.feeds.limit, 0);
        assert!(config.publish.noindex);
        check_err("[publish]\nno_index = true\n", "unknown field `no_index`");
        check_err("[feeds]\nlimit = -1\n", "2:9");
    }

    #[test]
    fn a_city_is_its_iana_zone() {
        let config = Config::parse("timezone = \"Denver\"\n", "hindsight.toml").unwrap();
        assert_eq!(config.tz(), Tz::America__Denver);
        assert_eq!(config.timezone, "America/Denver");
    }

    #[test]
    fn trends_settings() {
        let config = Config::parse("[trends]\nrecurrence_days = 30\n", "hindsight.toml").unwrap();
        assert_eq!(config.trends.recurrence_days, 30);
        assert_eq!(config.trends.primary_cause, PrimaryCause::Vocabulary);
        let config = Config::parse(
            "[trends]\nprimary_cause = \"first-listed\"\n",
            "hindsight.toml",
        )
        .unwrap();
        assert_eq!(config.trends.primary_cause, PrimaryCause::FirstListed);
        check_err(
            "[trends]\nprimary_cause = \"first\"\n",
            "unknown variant `first`, expected `vocabulary` or `first-listed`",
        );
    }

    #[test]
    fn field_aliases() {
        let config = Config::parse(
            "[fields]\nservices = [\"affected\", \"company\"]\n",
            "hindsight.toml",
        )
        .unwrap();
        let names: Vec<_> = config.field_names(Field::Services).collect();
        assert_eq!(names, ["services", "affected", "company"]);
    }

    #[test]
    fn value_maps_match_by_term_identity() {
        let config = Config::parse(
            "[aliases.services]\n\"irc bot\" = \"ircbot\"\n\"n/a\" = \"\"\n\
             [aliases.categories]\ndb = \"database\"\n\
             [aliases.severity]\nP1 = \"SEV1\"\n",
            "hindsight.toml",
        )
        .unwrap();
        let aliases = &config.aliases;
        for spelling in ["irc bot", "IRC-Bot", "irc_bot.", " Irc  Bot "] {
            assert_eq!(aliases.canonical(Field::Services, spelling), "ircbot");
        }
        assert_eq!(aliases.canonical(Field::Services, "ircbot"), "ircbot");
        assert_eq!(aliases.canonical(Field::Services, "N/A"), "");
        assert_eq!(aliases.canonical(Field::RootCause, "DB"), "database");
        assert_eq!(aliases.canonical(Field::Severity, "p1"), "SEV1");
        // Maps are per facet: a tag "db" is not a category.
        assert_eq!(aliases.canonical(Field::Tags, "db"), "db");
        assert_eq!(aliases.canonical(Field::Title, "db"), "db");
        // A map to the same term picks a spelling, and is no chain.
        Config::parse(
            "[aliases.tags]\n\"customer facing\" = \"Customer-facing\"\n",
            "hindsight.toml",
        )
        .unwrap();
    }

    #[test]
    fn value_map_chains_are_refused() {
        check_err(
            "[aliases.services]\n\"irc bot\" = \"ircbot\"\nircbot = \"irc-service\"\n",
            "hindsight.toml: aliases.services: \"irc bot\" maps to \"ircbot\", which is itself mapped (\"ircbot\" = \"irc-service\"); map \"irc bot\" to \"irc-service\" directly",
        );
        check_err(
            "[aliases.root_cause]\ndb = \"database\"\n\"DB.\" = \"deploy\"\n",
            "aliases.root_cause: \"DB.\" and \"db\" are one term but map to different values",
        );
        check_err(
            "[aliases.categories]\na = \"b\"\n[aliases.root_cause]\nc = \"d\"\n",
            "duplicate",
        );
        check_err("[aliases.service]\na = \"b\"\n", "unknown field `service`");
    }

    #[test]
    fn extra_fields_shown_and_hidden_are_settings_not_aliases() {
        let config = Config::parse(
            "[fields]\nshow = [\"jira\", \"owner_team\"]\nhide = [\"internal_notes\"]\nservices = [\"product\"]\n",
            "hindsight.toml",
        )
        .unwrap();
        assert_eq!(config.fields.show, ["jira", "owner_team"]);
        assert_eq!(config.fields.hide, ["internal_notes"]);
        assert_eq!(
            config.fields.aliases.len(),
            1,
            "{:?}",
            config.fields.aliases
        );
        let names: Vec<_> = config.field_names(Field::Services).collect();
        assert_eq!(names, ["services", "product"]);
        check_err("[fields]\nshow = \"jira\"\n", "invalid type");
    }

    #[test]
    fn errors_name_the_problem() {
        check_err(
            "timezone = \"Mars/Olympus\"",
            "unknown zone \"Mars/Olympus\"",
        );
        check_err("titel = \"x\"", "1:1: unknown field `titel`");
        check_err("[fields]\nservice = [\"a\"]", "unknown field \"service\"");
        // The key's own line, not its table's header.
        check_err(
            "[fields]\ntitle = [\"Title\"]\n\n  detected = [\"d\"]\n",
            "hindsight.toml:4:3: unknown field \"detected\"",
        );
        check_err(
            "[[duration_buckets]]\nkey = \"a\"\nlabel = \"A\"\n[[duration_buckets]]\nkey = \"b\"\nlabel = \"B\"\n",
            "bucket \"a\" must have a max_minutes",
        );
        check_err(
            "[[categories]]\nkey = \"db\"\n[[categories]]\nkey = \"DB\"\n",
            "\"DB\" is declared twice",
        );
        check_err(
            "[[services]]\nname = \"web-app\"\n[[services]]\nname = \"Web App\"\n",
            "services: \"web-app\" and \"Web App\" are one term (case, spaces and punctuation aside); keep one",
        );
        check_err(
            "[trends]\nrecurrence_days = 0\n",
            "trends.recurrence_days: expected a number of days of at least 1",
        );
        check_err(
            "[trends]\nrecurence_days = 9\n",
            "unknown field `recurence_days`",
        );
    }
}
