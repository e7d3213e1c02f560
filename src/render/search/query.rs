//! The search as the browser runs it, in Rust, over the files the index wrote: the
//! reference `search.js` is tested against (the browser tests compare its results and
//! facet counts with these), and the reader that proves the files decode.
//!
//! The rules (`docs/search.md` has them for users):
//! - the query is split like the index's text, except that a compound (`api-gateway`)
//!   stays one token; tokens of one character are ignored;
//! - a token matches the term it spells and, from three characters on, every term it
//!   is a prefix of ("postg" finds "postgres"); a compound that matches nothing falls
//!   back to its words;
//! - an incident is a result when it matches every token and every filter: within one
//!   facet the chosen values are alternatives, across facets all must hold, and a date
//!   range excludes incidents without a start;
//! - each token scores the best field it matched in ([`field_weight`]), doubled for the
//!   term itself over a longer term it begins; results go by total score, then newest
//!   first;
//! - a facet value's count is the number of results there would be if that facet's own
//!   choices were replaced by that value alone: the other filters and the text apply.

use std::collections::BTreeSet;

use super::encode::{decode_days, decode_set};
use super::tokenize::query_tokens;
use super::{DOC_BLOCK, FORMAT_VERSION, Field, NO_DAY};
use crate::render::Page;

/// How much a match in each field counts; a match only in the body counts 1.
pub fn field_weight(field: Field) -> u32 {
    match field {
        Field::Title => 16,
        Field::Services | Field::Cause => 12,
        Field::Tags => 8,
        Field::Summary => 6,
    }
}

/// Prefix matching starts at this many characters.
pub const PREFIX_MIN_CHARS: usize = 3;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("search data: {0}")]
pub struct ReadError(String);

/// One facet as `meta.js` holds it.
#[derive(Debug, Clone)]
pub struct FacetData {
    pub param: String,
    pub name: String,
    /// `(name, slug, positions)` per value, in display order.
    pub terms: Vec<(String, String, Vec<u32>)>,
}

/// One term's record from a shard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermData {
    pub term: String,
    pub all: Vec<u32>,
    /// Positions per [`Field`], in `Field::ALL` order.
    pub fields: [Vec<u32>; 5],
}

/// The decoded index.
#[derive(Debug, Clone)]
pub struct SearchData {
    pub count: u32,
    pub facets: Vec<FacetData>,
    /// Day number per incident (`None`: no start time).
    pub days: Vec<Option<u32>>,
    pub shard_heads: Vec<String>,
    /// Per shard, its terms in order.
    pub shards: Vec<Vec<TermData>>,
}

/// What a visitor asked: the text, the chosen facet values (by slug, per facet
/// parameter) and a date range in day numbers.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub text: String,
    pub filters: Vec<(String, Vec<String>)>,
    pub from_day: Option<u32>,
    pub to_day: Option<u32>,
}

/// What the search page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// Positions, best first.
    pub results: Vec<u32>,
    /// Per facet (in `meta.js` order), the count of each value.
    pub counts: Vec<Vec<u32>>,
    /// The shards the query needed.
    pub shards_used: BTreeSet<usize>,
}

fn strip_call<'a>(text: &'a str, call: &str) -> Result<&'a str, ReadError> {
    text.trim_end()
        .strip_prefix(call)
        .and_then(|rest| rest.strip_suffix(");"))
        .ok_or_else(|| ReadError(format!("expected a {call}…); call")))
}

fn json(text: &str) -> Result<serde_json::Value, ReadError> {
    serde_json::from_str(text).map_err(|e| ReadError(e.to_string()))
}

fn string(value: &serde_json::Value) -> Result<String, ReadError> {
    value
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| ReadError(format!("expected a string, found {value}")))
}

impl SearchData {
    /// Reads the index from the pages of a build.
    pub fn from_pages(pages: &[Page]) -> Result<SearchData, ReadError> {
        let file = |path: &str| {
            pages
                .iter()
                .find(|p| p.path == path)
                .map(|p| String::from_utf8_lossy(&p.bytes).into_owned())
                .ok_or_else(|| ReadError(format!("missing {path}")))
        };
        SearchData::read(|path| file(path))
    }

    /// Reads the index from a built site's folder.
    pub fn from_dir(dir: &std::path::Path) -> Result<SearchData, ReadError> {
        SearchData::read(|path| {
            std::fs::read_to_string(dir.join(path)).map_err(|e| ReadError(format!("{path}: {e}")))
        })
    }

    /// The record of the incident at `position` (title, url, duration, summary, text) from
    /// its document block in a built site's folder.
    pub fn doc_from_dir(
        dir: &std::path::Path,
        position: usize,
    ) -> Result<serde_json::Value, ReadError> {
        read_doc(position, |path| {
            std::fs::read_to_string(dir.join(path)).map_err(|e| ReadError(format!("{path}: {e}")))
        })
    }

    /// The record of the incident at `position`, from the pages of a build.
    pub fn doc_from_pages(pages: &[Page], position: usize) -> Result<serde_json::Value, ReadError> {
        read_doc(position, |path| {
            pages
                .iter()
                .find(|p| p.path == path)
                .map(|p| String::from_utf8_lossy(&p.bytes).into_owned())
                .ok_or_else(|| ReadError(format!("missing {path}")))
        })
    }

    fn read(file: impl Fn(&str) -> Result<String, ReadError>) -> Result<SearchData, ReadError> {
        let meta_text = file("search/meta.js")?;
        let meta = json(strip_call(&meta_text, "hindsightSearch.meta(")?)?;
        if meta["version"].as_u64() != Some(u64::from(FORMAT_VERSION)) {
            return Err(ReadError(format!("unknown version {}", meta["version"])));
        }
        let count = meta["count"].as_u64().unwrap_or(0) as u32;
        let mut facets = Vec::new();
        for facet in meta["facets"].as_array().into_iter().flatten() {
            facets.push(read_facet(facet, count, &file)?);
        }
        let days: Vec<Option<u32>> = decode_days(&string(&meta["days"])?)
            .into_iter()
            .map(|day| (day != NO_DAY).then_some(day))
            .collect();
        if days.len() != count as usize {
            return Err(ReadError(format!(
                "{} days for {count} incidents",
                days.len()
            )));
        }
        let shard_heads: Vec<String> = meta["shards"]
            .as_array()
            .into_iter()
            .flatten()
            .map(string)
            .collect::<Result<_, _>>()?;
        let mut shards = Vec::new();
        for i in 0..shard_heads.len() {
            let text = file(&format!("search/t/{i}.js"))?;
            let body = strip_call(&text, &format!("hindsightSearch.shard({i},"))?;
            let mut terms = Vec::new();
            for record in json(body)?.as_array().into_iter().flatten() {
                let parts = record.as_array().cloned().unwrap_or_default();
                let mut term = TermData {
                    term: string(&parts[0])?,
                    all: decode_set(&string(&parts[1])?, count),
                    fields: Default::default(),
                };
                for part in &parts[2..] {
                    let part = string(part)?;
                    let mut chars = part.chars();
                    let letter = chars.next();
                    let field = Field::ALL
                        .into_iter()
                        .find(|f| Some(f.letter()) == letter)
                        .ok_or_else(|| ReadError(format!("unknown field in {part}")))?;
                    term.fields[field as usize] = decode_set(chars.as_str(), count);
                }
                terms.push(term);
            }
            shards.push(terms);
        }
        Ok(SearchData {
            count,
            facets,
            days,
            shard_heads,
            shards,
        })
    }

    /// The shard that would hold `term`: the last whose first term is not after it.
    fn shard_of(&self, term: &str) -> usize {
        let key: Vec<u16> = term.encode_utf16().collect();
        self.shard_heads
            .partition_point(|head| head.encode_utf16().cmp(key.iter().copied()).is_le())
            .saturating_sub(1)
    }

    /// The terms a token matches: `(term, exact)`, and the shards looked in.
    pub fn matching_terms(&self, token: &str) -> (Vec<(&TermData, bool)>, BTreeSet<usize>) {
        let mut shards = BTreeSet::new();
        let mut found = Vec::new();
        if self.shard_heads.is_empty() {
            return (found, shards);
        }
        let prefix = token.chars().count() >= PREFIX_MIN_CHARS;
        let first = self.shard_of(token);
        let last = if prefix {
            // Every term beginning with `token` sorts before `token` + U+FFFF.
            self.shard_of(&format!("{token}\u{ffff}"))
        } else {
            first
        };
        for shard in first..=last {
            shards.insert(shard);
            for term in &self.shards[shard] {
                if term.term == token {
                    found.push((term, true));
                } else if prefix && term.term.starts_with(token) {
                    found.push((term, false));
                }
            }
        }
        (found, shards)
    }

    /// Runs a query as `search.js` does.
    pub fn run(&self, query: &Query) -> Answer {
        let mut text = self.match_text(&query.text);
        self.drop_outside_dates(query, &mut text.matched);
        let chosen = self.chosen_facets(query);
        let (mut results, counts) = self.tally(&text.matched, &chosen);
        let score = &text.score;
        results.sort_by(|&a, &b| score[b as usize].cmp(&score[a as usize]).then(a.cmp(&b)));
        Answer {
            results,
            counts,
            shards_used: text.shards_used,
        }
    }

    /// The text part of a query: every token must match; scores add up.
    fn match_text(&self, text: &str) -> TextMatch {
        let n = self.count as usize;
        let mut found = TextMatch {
            matched: vec![true; n],
            score: vec![0; n],
            shards_used: BTreeSet::new(),
        };
        for token in query_tokens(text) {
            let (terms, shards) = self.matching_terms(&token);
            found.shards_used.extend(shards);
            let token_score = if terms.is_empty() && token.contains(['-', '_', '.']) {
                self.compound_scores(&token, &mut found.shards_used)
            } else {
                self.token_scores(&terms)
            };
            for (p, token_score) in token_score.into_iter().enumerate() {
                found.matched[p] &= token_score > 0;
                found.score[p] += token_score;
            }
        }
        found
    }

    /// A compound the index does not hold (`api-gateway2`): its words must all match
    /// instead, and they score as body matches, since the compound itself is absent.
    fn compound_scores(&self, token: &str, shards_used: &mut BTreeSet<usize>) -> Vec<u32> {
        let words: Vec<&str> = token
            .split(['-', '_', '.'])
            .filter(|w| w.chars().count() >= 2)
            .collect();
        let sub = Query {
            text: words.join(" "),
            ..Query::default()
        };
        let answer = self.run(&sub);
        shards_used.extend(answer.shards_used);
        let mut scores = vec![0; self.count as usize];
        for p in answer.results {
            scores[p as usize] = 1;
        }
        scores
    }

    /// Per incident, the best score one token's terms give it: the weight of the best
    /// field it matched in (the body counts 1), doubled for an exact match.
    fn token_scores(&self, terms: &[(&TermData, bool)]) -> Vec<u32> {
        let mut token_score = vec![0u32; self.count as usize];
        for &(term, exact) in terms {
            let boost = if exact { 2 } else { 1 };
            for &p in &term.all {
                let best = Field::ALL
                    .into_iter()
                    .filter(|&field| term.fields[field as usize].binary_search(&p).is_ok())
                    .map(field_weight)
                    .fold(1, u32::max);
                let s = &mut token_score[p as usize];
                *s = (*s).max(best * boost);
            }
        }
        token_score
    }

    /// Unmatches incidents outside the query's date range; one with no date is outside
    /// any range.
    fn drop_outside_dates(&self, query: &Query, matched: &mut [bool]) {
        for (p, day) in self.days.iter().enumerate() {
            let before = query
                .from_day
                .is_some_and(|from| day.is_none_or(|d| d < from));
            let after = query.to_day.is_some_and(|to| day.is_none_or(|d| d > to));
            if before || after {
                matched[p] = false;
            }
        }
    }

    /// Per facet, which incidents pass its filter: `None` when the query chooses none of
    /// its values (or only values the index does not know).
    fn chosen_facets(&self, query: &Query) -> Vec<Option<Vec<bool>>> {
        let n = self.count as usize;
        self.facets
            .iter()
            .map(|facet| {
                let slugs: Vec<String> = query
                    .filters
                    .iter()
                    .filter(|(param, _)| *param == facet.param)
                    .flat_map(|(_, values)| values.iter().map(|v| v.to_lowercase()))
                    .collect();
                let known: Vec<&(String, String, Vec<u32>)> = facet
                    .terms
                    .iter()
                    .filter(|(_, slug, _)| slugs.contains(&slug.to_lowercase()))
                    .collect();
                (!known.is_empty()).then(|| {
                    let mut pass = vec![false; n];
                    for (_, _, positions) in known {
                        for &p in positions {
                            pass[p as usize] = true;
                        }
                    }
                    pass
                })
            })
            .collect()
    }

    /// The results (matched and passing every facet), and each facet value's count as
    /// if that facet's own choice were replaced by the value (disjunctive counting).
    fn tally(&self, matched: &[bool], chosen: &[Option<Vec<bool>>]) -> (Vec<u32>, Vec<Vec<u32>>) {
        let fails = |p: usize| -> Vec<usize> {
            chosen
                .iter()
                .enumerate()
                .filter(|(_, pass)| pass.as_ref().is_some_and(|pass| !pass[p]))
                .map(|(f, _)| f)
                .collect()
        };
        let mut counts: Vec<Vec<u32>> =
            self.facets.iter().map(|f| vec![0; f.terms.len()]).collect();
        let mut results = Vec::new();
        for p in (0..matched.len()).filter(|&p| matched[p]) {
            let failed = fails(p);
            if failed.is_empty() {
                results.push(p as u32);
            }
            for (f, facet) in self.facets.iter().enumerate() {
                if failed.is_empty() || failed == [f] {
                    for (t, (_, _, positions)) in facet.terms.iter().enumerate() {
                        if positions.binary_search(&(p as u32)).is_ok() {
                            counts[f][t] += 1;
                        }
                    }
                }
            }
        }
        (results, counts)
    }
}

/// A facet of `meta.js`, with its values' incident sets from `f/<param>.js`; each set
/// must hold as many incidents as `meta.js` says.
fn read_facet(
    facet: &serde_json::Value,
    count: u32,
    file: impl Fn(&str) -> Result<String, ReadError>,
) -> Result<FacetData, ReadError> {
    let param = string(&facet["param"])?;
    let path = format!("search/f/{param}.js");
    let text = file(&path)?;
    let call = format!(
        "hindsightSearch.facet({},",
        serde_json::Value::from(param.as_str())
    );
    let sets = json(strip_call(&text, &call)?)?;
    let bytes = facet["bytes"].as_u64();
    if bytes != Some(text.len() as u64) {
        return Err(ReadError(format!(
            "{path} is {} bytes, meta.js says {bytes:?}",
            text.len()
        )));
    }
    let mut terms = Vec::new();
    for (t, term) in facet["terms"].as_array().into_iter().flatten().enumerate() {
        let positions = decode_set(&string(&sets[t])?, count);
        if term[2].as_u64() != Some(positions.len() as u64) {
            return Err(ReadError(format!(
                "{path}: value {t} has {} incidents, meta.js says {}",
                positions.len(),
                term[2]
            )));
        }
        terms.push((string(&term[0])?, string(&term[1])?, positions));
    }
    Ok(FacetData {
        param,
        name: string(&facet["name"])?,
        terms,
    })
}

/// The record at `position` in its block, `search/d/<position / DOC_BLOCK>.js`.
fn read_doc(
    position: usize,
    file: impl Fn(&str) -> Result<String, ReadError>,
) -> Result<serde_json::Value, ReadError> {
    let block = position / DOC_BLOCK;
    let path = format!("search/d/{block}.js");
    let text = file(&path)?;
    let first = block * DOC_BLOCK;
    let body = strip_call(&text, &format!("hindsightSearch.docs({first},"))?;
    json(body)?
        .get(position - first)
        .cloned()
        .ok_or_else(|| ReadError(format!("{path} has no record for {position}")))
}

/// What the text of a query matched: per incident, whether every token did and the sum of
/// their scores; and the term shards read.
struct TextMatch {
    matched: Vec<bool>,
    score: Vec<u32>,
    shards_used: BTreeSet<usize>,
}
