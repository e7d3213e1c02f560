//! `init --from`: what an existing archive holds, read without any configuration, and the
//! `hindsight.toml` that maps it.
//!
//! [`survey`] reads every file's front matter and counts, per key, how many files set it,
//! what its values look like (times, durations, short terms, prose, lists) and which
//! values recur. [`propose`] turns that into a mapping by key names and value shapes;
//! [`toml`] writes it as a commented config. Nothing here reads files or the clock.

mod propose;
mod toml;

use std::collections::BTreeMap;

use crate::model::time::{self, order, zone::Zone};
use crate::model::vocab::term_key;
use crate::parse::frontmatter::{self, Node, Value};
use crate::parse::incident::{is_blank, read_timestamp};
use crate::parse::source::SourceFile;

pub use propose::{Mapping, Proposal, Vocabulary, propose, refine};
pub use toml::{Folder, to_toml};

/// What one front matter key holds across the archive.
#[derive(Debug, Clone, Default)]
pub struct KeyStats {
    /// The key as the files spell it (the most common spelling).
    pub key: String,
    /// Files that have the key at all, and those where its value is not blank.
    pub files: usize,
    pub filled: usize,
    /// Non-blank values (list items count one each) by shape.
    pub times: usize,
    pub durations: usize,
    pub lists: usize,
    pub numbers: usize,
    /// Short strings: at most [`TERM_MAX_CHARS`] characters and one line.
    pub terms: usize,
    pub texts: usize,
    pub others: usize,
    /// Times that name a zone whose offset follows the calendar (`Denver`,
    /// `Europe/Berlin`), by IANA name; times with neither a zone nor an offset.
    pub zones: BTreeMap<String, usize>,
    pub unzoned: usize,
    /// Dates with slashes and the year last (`03/04/2022`) that read only month first,
    /// only day first, and either way.
    pub slash_dates: [usize; 3],
    /// Short values by term identity: (most common spelling, count).
    pub values: BTreeMap<String, (String, usize)>,
    /// Spellings of each term identity, for choosing the most common one.
    spellings: BTreeMap<String, BTreeMap<String, usize>>,
}

/// The longest value still counted as a term (a service, a category, a severity word).
pub const TERM_MAX_CHARS: usize = 60;

/// The archive as a whole.
#[derive(Debug, Clone, Default)]
pub struct Survey {
    /// Files that are text and look like postmortems, by path.
    pub postmortems: Vec<String>,
    /// Of those, the ones with front matter.
    pub with_front_matter: usize,
    /// Files whose front matter could not be read (they are still postmortems).
    pub unreadable_front_matter: Vec<String>,
    /// Files that are not text (images, attachments), by path.
    pub not_text: Vec<String>,
    /// Text files that hold nothing a postmortem has (no front matter, no heading, no
    /// paragraph), by path.
    pub empty: Vec<String>,
    /// Per key, in order of how many files set it (most first), then by key.
    pub keys: Vec<KeyStats>,
    /// How many files start their body with a `#` heading.
    pub headings: usize,
}

/// Reads the front matter of every file; `sources` are every file of the folder, with
/// paths relative to the site root.
pub fn survey(sources: &[SourceFile]) -> Survey {
    let mut survey = Survey::default();
    let mut keys: BTreeMap<String, KeyStats> = BTreeMap::new();
    let mut key_spellings: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for file in sources {
        let Some(text) = file.text().filter(|text| !text.contains('\0')) else {
            survey.not_text.push(file.path.clone());
            continue;
        };
        let document = match frontmatter::parse(&text) {
            Ok(document) => document,
            Err(_) => {
                survey.unreadable_front_matter.push(file.path.clone());
                survey.postmortems.push(file.path.clone());
                continue;
            }
        };
        if document.matter.is_none() && document.body.trim().is_empty() {
            survey.empty.push(file.path.clone());
            continue;
        }
        survey.postmortems.push(file.path.clone());
        if starts_with_heading(document.body) {
            survey.headings += 1;
        }
        let Some(Node {
            value: Value::Map(entries),
            ..
        }) = &document.matter
        else {
            continue;
        };
        survey.with_front_matter += 1;
        for entry in entries {
            let identity = key_identity(&entry.key);
            *key_spellings
                .entry(identity.clone())
                .or_default()
                .entry(entry.key.clone())
                .or_default() += 1;
            keys.entry(identity).or_default().add(&entry.value);
        }
    }
    survey.keys = finish(keys, key_spellings);
    survey
}

/// Keys compare as the same when they differ only in case and separators
/// (`Start-Time`, `start_time`, `StartTime`): words joined by `_`, lowercase.
pub fn key_identity(key: &str) -> String {
    let mut words = String::new();
    let mut previous: Option<char> = None;
    for c in key.trim().chars() {
        if !c.is_alphanumeric() {
            words.push('_');
        } else {
            // A capital after a small letter starts a word: `RootCause`, `mttrMinutes`.
            if c.is_uppercase() && previous.is_some_and(char::is_lowercase) {
                words.push('_');
            }
            words.extend(c.to_lowercase());
        }
        previous = Some(c);
    }
    words
        .split('_')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

fn finish(
    keys: BTreeMap<String, KeyStats>,
    spellings: BTreeMap<String, BTreeMap<String, usize>>,
) -> Vec<KeyStats> {
    let mut keys: Vec<KeyStats> = keys
        .into_iter()
        .map(|(identity, mut stats)| {
            stats.key = most_common(&spellings[&identity]);
            for (term, (spelling, _)) in stats.values.iter_mut() {
                *spelling = most_common(&stats.spellings[term]);
            }
            stats
        })
        .collect();
    keys.sort_by(|a, b| b.files.cmp(&a.files).then_with(|| a.key.cmp(&b.key)));
    keys
}

/// The spelling used most; ties go to the first in sorted order, so output is stable.
fn most_common(spellings: &BTreeMap<String, usize>) -> String {
    let mut best: Option<(&String, usize)> = None;
    for (spelling, &count) in spellings {
        if best.is_none_or(|(_, most)| count > most) {
            best = Some((spelling, count));
        }
    }
    best.map(|(spelling, _)| spelling.clone())
        .unwrap_or_default()
}

fn starts_with_heading(body: &str) -> bool {
    body.lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .is_some_and(|line| line.starts_with("# "))
}

impl KeyStats {
    fn add(&mut self, node: &Node) {
        self.files += 1;
        match &node.value {
            Value::List(items) => {
                let filled: Vec<&Node> = items.iter().filter(|item| !is_blank(item)).collect();
                if !filled.is_empty() {
                    self.filled += 1;
                    self.lists += 1;
                }
                for item in filled {
                    self.add_scalar(item);
                }
            }
            _ if is_blank(node) => {}
            _ => {
                self.filled += 1;
                self.add_scalar(node);
            }
        }
    }

    fn add_scalar(&mut self, node: &Node) {
        let text = match &node.value {
            Value::String(text) => text.trim().to_string(),
            Value::Int(n) => {
                self.numbers += 1;
                return self.add_term(&n.to_string());
            }
            Value::Float(_) => {
                self.numbers += 1;
                return;
            }
            _ => {
                self.others += 1;
                return;
            }
        };
        let readings = order::readings(&text);
        match readings {
            Some([true, false]) => self.slash_dates[0] += 1,
            Some([false, true]) => self.slash_dates[1] += 1,
            Some([true, true]) => self.slash_dates[2] += 1,
            _ => {}
        }
        let stamp = read_timestamp(&text, chrono_tz::Tz::UTC, None);
        if stamp.is_err() && readings == Some([true, true]) {
            // A time in one order or the other: the proposal asks which.
            self.times += 1;
        } else if let Ok(stamp) = stamp {
            self.times += 1;
            match stamp.named_zone {
                Some(Zone::Named(tz)) => *self.zones.entry(tz.name().to_string()).or_default() += 1,
                Some(Zone::Fixed(_)) => {}
                None if !stamp.date_only && !has_offset(&text) => self.unzoned += 1,
                None => {}
            }
        } else if matches!(time::parse_duration(&text), Ok(time::Length::Stated(_))) {
            self.durations += 1;
            self.add_term(&text);
        } else if text.chars().count() <= TERM_MAX_CHARS && !text.contains('\n') {
            self.terms += 1;
            // A list field's string is a comma-separated list (`parse::incident` splits
            // it so): "Checkout, Payments API" is two services.
            for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                self.add_term(part);
            }
        } else {
            self.texts += 1;
        }
    }

    fn add_term(&mut self, text: &str) {
        let identity = term_key(text);
        *self
            .spellings
            .entry(identity.clone())
            .or_default()
            .entry(text.to_string())
            .or_default() += 1;
        self.values.entry(identity).or_default().1 += 1;
    }

    /// Non-blank scalar values seen (list items one each).
    pub fn values_seen(&self) -> usize {
        self.times + self.durations + self.numbers + self.terms + self.texts + self.others
    }

    /// Distinct short values.
    pub fn distinct(&self) -> usize {
        self.values.len()
    }

    /// The short values, most common first (then by spelling).
    pub fn ranked_values(&self) -> Vec<(&str, usize)> {
        let mut values: Vec<(&str, usize)> = self
            .values
            .values()
            .map(|(spelling, count)| (spelling.as_str(), *count))
            .collect();
        values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        values
    }
}

/// Whether a time ends in a UTC offset or `Z` (the parser reports named zones only).
fn has_offset(text: &str) -> bool {
    let text = text.trim_end();
    text.ends_with(['Z', 'z'])
        || text.rfind(['+', '-']).is_some_and(|at| {
            at > 10
                && text[at + 1..]
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == ':')
        })
}

impl Survey {
    /// The archive's dates with slashes and the year last: how many read only month
    /// first, only day first, and either way.
    pub fn slash_dates(&self) -> [usize; 3] {
        self.keys.iter().fold([0; 3], |[m, d, e], stats| {
            let [sm, sd, se] = stats.slash_dates;
            [m + sm, d + sd, e + se]
        })
    }

    /// The zone the archive's clocks were kept in: the named zone most of its zoned times
    /// give (ties: the first by name), with how many times name it and how many carry no
    /// zone at all.
    pub fn zone(&self) -> (Option<&str>, usize, usize) {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        let mut unzoned = 0;
        for stats in &self.keys {
            unzoned += stats.unzoned;
            for (zone, count) in &stats.zones {
                *counts.entry(zone.as_str()).or_default() += count;
            }
        }
        let best =
            counts.iter().fold(
                None,
                |best: Option<(&str, usize)>, (&zone, &count)| match best {
                    Some((_, most)) if most >= count => best,
                    _ => Some((zone, count)),
                },
            );
        match best {
            Some((zone, count)) => (Some(zone), count, unzoned),
            None => (None, 0, unzoned),
        }
    }
}
