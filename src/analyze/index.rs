//! Facet indexes (service, root cause, duration bucket, severity, year, tag) and related
//! incidents, computed once per build over the sorted incident list.
//!
//! Indexes hold positions into `Site::incidents`, which is sorted newest first, so every
//! list of positions in ascending order is also a list from newest to oldest, and every
//! output order follows from the input alone.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use chrono_tz::Tz;
use rayon::prelude::*;

use crate::analyze::similar::{self, Similar};
use crate::model::config::Config;
use crate::model::incident::Incident;
use crate::model::vocab::{term_key, url_slug};

/// The slug of the "not set" term that collects incidents without a value for a facet.
pub const MISSING_SLUG: &str = "not-set";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Facet {
    Service,
    Cause,
    Duration,
    Severity,
    Year,
    Tag,
}

impl Facet {
    pub const ALL: [Facet; 6] = [
        Facet::Service,
        Facet::Cause,
        Facet::Duration,
        Facet::Severity,
        Facet::Year,
        Facet::Tag,
    ];

    /// The URL folder of the facet's pages.
    pub fn path(self) -> &'static str {
        match self {
            Facet::Service => "services",
            Facet::Cause => "causes",
            Facet::Duration => "durations",
            Facet::Severity => "severities",
            Facet::Year => "years",
            Facet::Tag => "tags",
        }
    }

    /// Singular and plural names, for headings.
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            Facet::Service => ("Service", "Services"),
            Facet::Cause => ("Root cause", "Root causes"),
            Facet::Duration => ("Duration", "Durations"),
            Facet::Severity => ("Severity", "Severities"),
            Facet::Year => ("Year", "Years"),
            Facet::Tag => ("Tag", "Tags"),
        }
    }
}

/// One value of a facet and the incidents that have it.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// The display name: registry or vocabulary label, else the most common spelling (on
    /// a tie, the first in sorted order).
    pub name: String,
    /// The vocabulary key where there is one (category key, severity key, bucket key).
    pub key: String,
    pub slug: String,
    pub description: String,
    /// True for the "not set" term.
    pub missing: bool,
    /// Positions into `Site::incidents`, ascending (newest first).
    pub incidents: Vec<usize>,
}

/// All terms of one facet, in display order, with lookup by term key.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FacetIndex {
    pub terms: Vec<Term>,
    by_key: FastMap<String, usize>,
    /// Every spelling the incidents use, to its term: the answer `by_key` gives for the
    /// spelling's term key, without building a key per lookup. Table rows look up every
    /// incident's services, cause and severity on every render, and a key costs three
    /// allocations.
    by_spelling: FastMap<String, usize>,
}

/// For each incident, the positions of a facet's terms that list it ("not set" left out),
/// ascending. Kept in one list with offsets: a list per incident would be 10,000
/// allocations made and freed on every rebuild of a large archive.
#[derive(Debug, Clone, Default)]
pub(crate) struct TermLists {
    /// Incident `i`'s terms are `terms[starts[i]..starts[i + 1]]`.
    starts: Vec<usize>,
    terms: Vec<usize>,
}

impl TermLists {
    /// How many incidents the lists are for.
    pub(crate) fn len(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// The terms of the incident at `position`, ascending.
    pub(crate) fn of_incident(&self, position: usize) -> &[usize] {
        match (self.starts.get(position), self.starts.get(position + 1)) {
            (Some(&start), Some(&end)) => &self.terms[start..end],
            _ => &[],
        }
    }
}

impl FacetIndex {
    /// The term a name belongs to (compared through [`term_key`]).
    pub fn get(&self, name: &str) -> Option<&Term> {
        self.position(name).map(|i| &self.terms[i])
    }

    /// Whether any incident has a value for the facet. A facet without one (no severity
    /// anywhere in the archive) is listed nowhere: its declared vocabulary alone would
    /// only say "none yet" four times.
    pub fn has_values(&self) -> bool {
        self.terms
            .iter()
            .any(|term| !term.missing && !term.incidents.is_empty())
    }

    /// For each of `incidents` incidents, the terms that list it ("not set" left out):
    /// the same as looking up each of its values, without touching the incidents.
    pub(crate) fn terms_by_incident(&self, incidents: usize) -> TermLists {
        let listed = || {
            self.terms
                .iter()
                .enumerate()
                .filter(|(_, term)| !term.missing)
        };
        let mut starts = vec![0; incidents + 1];
        for (_, term) in listed() {
            for &position in &term.incidents {
                starts[position + 1] += 1;
            }
        }
        for i in 0..incidents {
            starts[i + 1] += starts[i];
        }
        let mut next = starts.clone();
        let mut terms = vec![0; starts[incidents]];
        // Terms are visited in order, so each incident's list comes out ascending.
        for (t, term) in listed() {
            for &position in &term.incidents {
                terms[next[position]] = t;
                next[position] += 1;
            }
        }
        TermLists { starts, terms }
    }

    /// The position in `terms` of the term a name belongs to (compared through
    /// [`term_key`]).
    pub fn position_of(&self, name: &str) -> Option<usize> {
        self.position(name)
    }

    /// The position in `terms` of the term a name belongs to.
    fn position(&self, name: &str) -> Option<usize> {
        match self.by_spelling.get(name) {
            Some(&position) => Some(position),
            None => self.by_key.get(&term_key(name)).copied(),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Index {
    pub facets: BTreeMap<Facet, FacetIndex>,
    /// For each incident, the positions of its related incidents, best first.
    pub related: Vec<Vec<usize>>,
    /// For each incident, the incidents closest in text, best first; none of its related
    /// ones (`analyze::similar`).
    pub similar: Vec<Vec<Similar>>,
}

impl FacetIndex {
    /// Renumbers the incidents: the one at `p` is now at `moved[p]` (a permutation of
    /// their positions). A facet is made from each incident's values alone, so the
    /// facet of the same incidents in another order is this one renumbered.
    pub fn renumber(&mut self, moved: &[usize]) {
        for term in &mut self.terms {
            for position in &mut term.incidents {
                *position = moved.get(*position).copied().unwrap_or(*position);
            }
            term.incidents.sort_unstable();
        }
    }
}

impl Index {
    pub fn facet(&self, facet: Facet) -> &FacetIndex {
        &self.facets[&facet]
    }
}

/// The duration bucket (position in `config.duration_buckets`) of an incident.
pub fn duration_bucket(config: &Config, incident: &Incident) -> Option<usize> {
    let minutes = incident.duration()?.num_minutes();
    config
        .duration_buckets
        .iter()
        .position(|bucket| bucket.max_minutes.is_none_or(|max| minutes < max))
}

/// One vocabulary entry that always gets a term, even with no incidents.
struct Declared {
    key: String,
    name: String,
    description: String,
}

/// Builds every facet and the related lists. `incidents` must be sorted newest first.
pub fn build(config: &Config, incidents: &[Incident], slug_of: &HashMap<String, usize>) -> Index {
    let similar = |incidents: &[Incident], related: &[Vec<usize>]| {
        similar::build(&config.similar, incidents, related)
    };
    build_with(config, incidents, slug_of, similar)
}

/// What an index is given besides its incidents: their similar lists, and in `serve` the
/// parts of the previous site's index that the incidents would make again.
pub trait Given {
    /// The parts of a previous index that `incidents` (sorted; `slug_of` their positions
    /// by slug) would make as they are, taken instead of built: `serve` after an edit
    /// that left them as they were. The implementor vouches for them. By default, none.
    fn reused(&mut self, _incidents: &[Incident], _slug_of: &HashMap<String, usize>) -> Reused {
        Reused::default()
    }

    /// The similar lists of `incidents`, whose related lists are `related`.
    fn similar(self, incidents: &[Incident], related: &[Vec<usize>]) -> Vec<Vec<Similar>>;
}

/// The similar lists from a function (given the incidents and their related lists),
/// nothing reused.
impl<F> Given for F
where
    F: FnOnce(&[Incident], &[Vec<usize>]) -> Vec<Vec<Similar>>,
{
    fn similar(self, incidents: &[Incident], related: &[Vec<usize>]) -> Vec<Vec<Similar>> {
        self(incidents, related)
    }
}

/// Parts of a previous index taken as they are ([`Given::reused`]).
#[derive(Debug, Default)]
pub struct Reused {
    pub facets: BTreeMap<Facet, FacetIndex>,
    /// The related lists, which read only the service and cause facets, each incident's
    /// `related` field and the incidents' positions: given only with those two facets.
    pub related: Option<RelatedLists>,
}

/// Related lists taken from a previous index ([`Reused::related`]).
#[derive(Debug)]
pub struct RelatedLists {
    /// By position: each incident's list, its positions renumbered.
    pub lists: Vec<Vec<usize>>,
    /// The positions whose lists are made again (ascending): all others are vouched for.
    pub stale: Vec<usize>,
}

/// [`build`], with the similar lists and any reused parts from `given`: `serve` updates
/// the similar lists it keeps instead of computing them all, and takes the facets and
/// related lists an edit left as they were.
pub fn build_with(
    config: &Config,
    incidents: &[Incident],
    slug_of: &HashMap<String, usize>,
    mut given: impl Given,
) -> Index {
    let tz = config.tz();
    let Reused {
        mut facets,
        related: reused_related,
    } = given.reused(incidents, slug_of);
    // Each facet is one pass over every incident, independent of the others.
    let built: Vec<(Facet, FacetIndex)> = Facet::ALL
        .par_iter()
        .filter(|facet| !facets.contains_key(facet))
        .map(|&facet| (facet, build_facet(config, tz, incidents, facet)))
        .collect();
    if cfg!(debug_assertions) {
        for (facet, reused) in &facets {
            let built = build_facet(config, tz, incidents, *facet);
            assert_eq!(
                reused, &built,
                "the {facet:?} facet reused is not the one built"
            );
        }
    }
    // Related lists read the service and cause facets: taken only with both.
    let reused_related = reused_related
        .filter(|_| facets.contains_key(&Facet::Service) && facets.contains_key(&Facet::Cause));
    facets.extend(built);
    let mut index = Index {
        facets,
        related: Vec::new(),
        similar: Vec::new(),
    };
    index.related = match reused_related {
        Some(RelatedLists { mut lists, stale }) => {
            if !stale.is_empty() {
                let relating = Relating::new(config, incidents, &index, slug_of);
                let fresh: Vec<Vec<usize>> = stale.par_iter().map(|&me| relating.of(me)).collect();
                for (&me, list) in stale.iter().zip(fresh) {
                    if let Some(slot) = lists.get_mut(me) {
                        *slot = list;
                    }
                }
            }
            debug_assert_eq!(lists, related(config, incidents, &index, slug_of));
            lists
        }
        None => related(config, incidents, &index, slug_of),
    };
    index.similar = given.similar(incidents, &index.related);
    index
}

/// Every value `incident` has for `facet`, as written: what its count in the facet reads.
pub fn values(config: &Config, incident: &Incident, facet: Facet) -> Vec<String> {
    let mut values = Vec::new();
    each_value(config, config.tz(), incident, facet, |value| {
        values.push(value.to_string())
    });
    values
}

/// Calls `each` with every value `incident` has for `facet`, as written.
fn each_value(
    config: &Config,
    tz: Tz,
    incident: &Incident,
    facet: Facet,
    mut each: impl FnMut(&str),
) {
    match facet {
        Facet::Service => incident.services.iter().for_each(|s| each(s)),
        // An incident with several root causes counts under each.
        Facet::Cause => incident.root_causes.iter().for_each(|c| each(c)),
        Facet::Duration => {
            if let Some(bucket) = duration_bucket(config, incident) {
                each(&config.duration_buckets[bucket].key);
            }
        }
        Facet::Severity => {
            if let Some(severity) = incident.severity {
                each(&config.severities[severity].key);
            }
        }
        Facet::Year => {
            if let Some(year) = incident.year(tz) {
                each(&year.to_string());
            }
        }
        Facet::Tag => incident.tags.iter().for_each(|t| each(t)),
    }
}

fn declared_terms(config: &Config, facet: Facet) -> Vec<Declared> {
    match facet {
        Facet::Cause => config
            .categories
            .iter()
            .map(|c| Declared {
                key: c.key.clone(),
                name: c.label.clone(),
                description: c.description.clone(),
            })
            .collect(),
        Facet::Severity => config
            .severities
            .iter()
            .map(|s| Declared {
                key: s.key.clone(),
                // A label that only repeats its key ("DOWN") is shown once.
                name: if s.label == s.key {
                    s.key.clone()
                } else {
                    format!("{} · {}", s.key, s.label)
                },
                description: s.description.clone(),
            })
            .collect(),
        Facet::Duration => config
            .duration_buckets
            .iter()
            .map(|b| Declared {
                key: b.key.clone(),
                name: b.label.clone(),
                description: b.description.clone(),
            })
            .collect(),
        Facet::Service => config
            .services
            .iter()
            .map(|s| Declared {
                key: s.name.clone(),
                name: s.name.clone(),
                description: s.description.clone(),
            })
            .collect(),
        Facet::Year | Facet::Tag => Vec::new(),
    }
}

/// Where the incidents with one spelling of a value go.
#[derive(Debug, Clone, Copy)]
enum Target {
    /// A declared term, by position.
    Declared(usize),
    /// A free-text term, by position in the order keys were first seen.
    Free(usize),
}

/// A free-text term while the incidents are counted.
struct FreeTerm {
    key: String,
    /// The first spelling seen, until [`Counting::name_free_terms`] names it by its most
    /// common one.
    name: String,
    incidents: Vec<usize>,
}

fn build_facet(config: &Config, tz: Tz, incidents: &[Incident], facet: Facet) -> FacetIndex {
    // Declared vocabulary terms come first in their configured order (severity order,
    // bucket order); free-text terms follow, sorted by key. Years sort newest first.
    let mut counting = Counting::new(declared_terms(config, facet));
    let declared_count = counting.terms.len();
    for (position, incident) in incidents.iter().enumerate() {
        counting.count(config, tz, incident, facet, position);
    }
    counting.name_free_terms();
    let Counting {
        mut terms,
        mut by_key,
        free,
        spellings,
        missing,
        ..
    } = counting;
    append_free_terms(&mut terms, &mut by_key, free, facet);
    // Declared services with no incidents are not worth a page; declared severities,
    // categories and buckets are, because "none yet" is an answer.
    if facet == Facet::Service {
        by_key = drop_unused_declared(&mut terms, declared_count);
    }
    if !missing.is_empty() {
        terms.push(not_set_term(facet, missing));
    }
    assign_slugs(&mut terms);
    // Every spelling reached a term above, so its key is in `by_key`.
    let by_spelling = spellings
        .into_keys()
        .filter_map(|spelling| {
            let position = *by_key.get(&term_key(&spelling))?;
            Some((spelling, position))
        })
        .collect();
    FacetIndex {
        terms,
        by_key,
        by_spelling,
    }
}

/// A facet's terms while the incidents are counted into them.
struct Counting {
    /// The declared terms, with their incidents.
    terms: Vec<Term>,
    /// Term key to position in `terms`.
    by_key: FastMap<String, usize>,
    /// Free-text terms in the order their keys were first seen.
    free: Vec<FreeTerm>,
    free_by_key: FastMap<String, usize>,
    /// A few dozen spellings cover thousands of incidents: each gets its key once. With
    /// each, how many values were spelled so, to name a free term by its most common one.
    spellings: FastMap<String, (Target, usize)>,
    /// Incidents without a value.
    missing: Vec<usize>,
}

impl Counting {
    /// Starts with the declared terms, in their configured order, and no incidents.
    fn new(declared: Vec<Declared>) -> Counting {
        let mut terms: Vec<Term> = Vec::new();
        let mut by_key: FastMap<String, usize> = FastMap::default();
        for entry in declared {
            by_key.insert(term_key(&entry.key), terms.len());
            terms.push(Term {
                slug: String::new(),
                name: entry.name,
                key: entry.key,
                description: entry.description,
                missing: false,
                incidents: Vec::new(),
            });
        }
        Counting {
            terms,
            by_key,
            free: Vec::new(),
            free_by_key: FastMap::default(),
            spellings: FastMap::default(),
            missing: Vec::new(),
        }
    }

    /// Adds the incident at `position` to the term of each of its values, or to `missing`
    /// when it has none.
    fn count(
        &mut self,
        config: &Config,
        tz: Tz,
        incident: &Incident,
        facet: Facet,
        position: usize,
    ) {
        let mut has_value = false;
        each_value(config, tz, incident, facet, |value| {
            has_value = true;
            match self.target(value) {
                Target::Declared(term) => self.terms[term].incidents.push(position),
                Target::Free(term) => self.free[term].incidents.push(position),
            }
        });
        if !has_value {
            self.missing.push(position);
        }
    }

    /// Where a spelling's incidents go: the declared term of its key, else the free term
    /// of its key, made the first time the key is seen.
    fn target(&mut self, value: &str) -> Target {
        if let Some((target, uses)) = self.spellings.get_mut(value) {
            *uses += 1;
            return *target;
        }
        let key = term_key(value);
        let target = match self.by_key.get(&key) {
            Some(&declared) => Target::Declared(declared),
            None => Target::Free(*self.free_by_key.entry(key).or_insert_with_key(|key| {
                self.free.push(FreeTerm {
                    key: key.clone(),
                    name: value.to_string(),
                    incidents: Vec::new(),
                });
                self.free.len() - 1
            })),
        };
        self.spellings.insert(value.to_string(), (target, 1));
        target
    }

    /// Names each free term by its most common spelling; on a tie, the first in sorted
    /// order, so the name depends on the values alone, never on the order of files or of
    /// a hash map. Declared terms keep their configured names.
    fn name_free_terms(&mut self) {
        let mut best: Vec<Option<(usize, &str)>> = vec![None; self.free.len()];
        for (spelling, &(target, uses)) in &self.spellings {
            let Target::Free(term) = target else {
                continue;
            };
            let better = best[term].is_none_or(|(most, name)| {
                uses > most || (uses == most && spelling.as_str() < name)
            });
            if better {
                best[term] = Some((uses, spelling));
            }
        }
        for (term, best) in self.free.iter_mut().zip(best) {
            if let Some((_, name)) = best {
                term.name = name.to_string();
            }
        }
    }
}

/// Appends the free-text terms after the declared ones: sorted by key, years newest first.
fn append_free_terms(
    terms: &mut Vec<Term>,
    by_key: &mut FastMap<String, usize>,
    mut free: Vec<FreeTerm>,
    facet: Facet,
) {
    free.sort_unstable_by(|a, b| a.key.cmp(&b.key));
    if facet == Facet::Year {
        // Stable, so equal years (never, as keys are distinct) would keep key order.
        free.sort_by_key(|term| std::cmp::Reverse(term.key.parse::<i64>().unwrap_or(i64::MIN)));
    }
    for term in free {
        by_key.insert(term.key.clone(), terms.len());
        terms.push(Term {
            slug: String::new(),
            name: term.name,
            key: term.key,
            description: String::new(),
            missing: false,
            incidents: term.incidents,
        });
    }
}

/// Removes the declared terms (the first `declared`) that have no incidents, and returns
/// the lookup by term key of the terms that are left.
fn drop_unused_declared(terms: &mut Vec<Term>, declared: usize) -> FastMap<String, usize> {
    let mut position = 0;
    terms.retain(|term| {
        position += 1;
        position > declared || !term.incidents.is_empty()
    });
    terms
        .iter()
        .enumerate()
        .map(|(i, term)| (term_key(&term.key), i))
        .collect()
}

/// The "Not set" term that collects the incidents without a value for the facet.
fn not_set_term(facet: Facet, incidents: Vec<usize>) -> Term {
    Term {
        slug: String::new(),
        name: "Not set".into(),
        key: String::new(),
        description: format!(
            "Incidents whose postmortem does not state a {}",
            facet.names().0.to_lowercase()
        ),
        missing: true,
        incidents,
    }
}

/// Gives every term a unique slug. Terms are visited in their (stable) display order, so a
/// collision always resolves the same way: the first keeps the plain slug, later ones get
/// `-2`, `-3`, … The missing term asks for [`MISSING_SLUG`] but yields to a real term.
fn assign_slugs(terms: &mut [Term]) {
    let mut taken = std::collections::HashSet::new();
    let mut order: Vec<usize> = (0..terms.len()).collect();
    // A term already spelled as its slug ("cafe") keeps it over another that only slugs
    // to it ("café"), so hand-typed URLs keep working. Slugs come from term keys, so every
    // spelling of a term gives the same one, whichever spelling names it.
    let slugs: Vec<String> = terms.iter().map(|term| url_slug(&term.key)).collect();
    order.sort_by_key(|&i| {
        let spelled = slugs[i] == terms[i].key || slugs[i] == terms[i].name;
        (terms[i].missing, !spelled)
    });
    for i in order {
        let base = if terms[i].missing {
            MISSING_SLUG.to_string()
        } else {
            slugs[i].clone()
        };
        let mut slug = base.clone();
        let mut n = 2;
        while !taken.insert(slug.clone()) {
            slug = format!("{base}-{n}");
            n += 1;
        }
        terms[i].slug = slug;
    }
}

/// Related incidents: the explicit `related:` slugs first, then incidents sharing a service
/// and a root cause, then a service, then a root cause; within each tier, most recent
/// first. Every root cause of an incident counts, as on the facet pages.
fn related(
    config: &Config,
    incidents: &[Incident],
    index: &Index,
    slug_of: &HashMap<String, usize>,
) -> Vec<Vec<usize>> {
    let relating = Relating::new(config, incidents, index, slug_of);
    (0..incidents.len())
        .into_par_iter()
        .map(|me| relating.of(me))
        .collect()
}

/// What choosing the related incidents of each incident reads.
struct Relating<'a> {
    limit: usize,
    incidents: &'a [Incident],
    slug_of: &'a HashMap<String, usize>,
    services: &'a FacetIndex,
    causes: &'a FacetIndex,
    service_terms: TermLists,
    cause_terms: TermLists,
}

/// The related incidents chosen so far for one incident.
struct Chosen {
    me: usize,
    limit: usize,
    list: Vec<usize>,
}

impl Chosen {
    /// Chooses `other` too, unless it is this incident, already chosen, or one too many.
    fn push(&mut self, other: usize) {
        if other != self.me && !self.list.contains(&other) && self.list.len() < self.limit {
            self.list.push(other);
        }
    }
}

impl<'a> Relating<'a> {
    fn new(
        config: &Config,
        incidents: &'a [Incident],
        index: &'a Index,
        slug_of: &'a HashMap<String, usize>,
    ) -> Relating<'a> {
        let services = index.facet(Facet::Service);
        let causes = index.facet(Facet::Cause);
        Relating {
            limit: config.related_limit,
            incidents,
            slug_of,
            services,
            causes,
            // Each incident's terms, read off the facets rather than looked up value by
            // value.
            service_terms: services.terms_by_incident(incidents.len()),
            cause_terms: causes.terms_by_incident(incidents.len()),
        }
    }

    /// The related incidents of the incident at `me`, best first.
    fn of(&self, me: usize) -> Vec<usize> {
        let limit = self.limit;
        let mut chosen = Chosen {
            me,
            limit,
            list: Vec::with_capacity(limit),
        };
        for slug in &self.incidents[me].related {
            if let Some(&other) = self.slug_of.get(slug) {
                chosen.push(other);
            }
        }
        if !self.cause_terms.of_incident(me).is_empty() {
            self.shared_cause_and_service(me, &mut chosen);
        }
        if chosen.list.len() < limit {
            Self::shared(self.services, &self.service_terms, me, &mut chosen);
        }
        if chosen.list.len() < limit {
            Self::shared(self.causes, &self.cause_terms, me, &mut chosen);
        }
        chosen.list
    }

    /// Whether `other` has one of `mine` (ascending cause terms) among its causes.
    fn shares_cause(&self, mine: &[usize], other: usize) -> bool {
        self.cause_terms
            .of_incident(other)
            .iter()
            .any(|term| mine.binary_search(term).is_ok())
    }

    /// Tier 1: a cause and a service in common, newest first. Each of my services' lists
    /// is walked for incidents of my causes (a few dozen positions) rather than the causes'
    /// lists for incidents sharing a service (hundreds). At most `limit + 1` candidates can
    /// be needed (one may be this incident, the rest are taken or already chosen), and
    /// those are among the first `limit + 1` of some service's list.
    fn shared_cause_and_service(&self, me: usize, chosen: &mut Chosen) {
        let mine = self.cause_terms.of_incident(me);
        let mut candidates: Vec<usize> = Vec::new();
        for &term in self.service_terms.of_incident(me) {
            candidates.extend(
                self.services.terms[term]
                    .incidents
                    .iter()
                    .copied()
                    .filter(|&other| self.shares_cause(mine, other))
                    .take(self.limit + 1),
            );
        }
        candidates.sort_unstable();
        candidates.dedup();
        for other in candidates {
            chosen.push(other);
        }
    }

    /// Tiers 2 and 3: a term of `facet` in common (a service, a cause); each term's list
    /// is newest first, so the first `limit` candidates of each list contain the newest
    /// overall.
    fn shared(facet: &FacetIndex, terms: &TermLists, me: usize, chosen: &mut Chosen) {
        let mut candidates: Vec<usize> = Vec::new();
        for &term in terms.of_incident(me) {
            candidates.extend(
                facet.terms[term]
                    .incidents
                    .iter()
                    .copied()
                    .filter(|&other| other != me && !chosen.list.contains(&other))
                    .take(chosen.limit),
            );
        }
        candidates.sort_unstable();
        candidates.dedup();
        for other in candidates {
            chosen.push(other);
        }
    }
}

/// A hash map keyed by the short strings indexes are built from.
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// The multiply-and-rotate hash rustc uses for its own tables (FxHash). On keys of a few
/// bytes it is several times faster than the standard SipHash, and an index hashes about
/// ten values per incident on every rebuild. SipHash's defence against crafted
/// collisions buys nothing here: the keys come from the archive's own files.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FastHasher(u64);

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::site::Site;
    use crate::testing::{site_of, titled};

    /// A site of postmortems named by their slug, each with the given front matter lines.
    fn site(files: &[(&str, &str)]) -> Site {
        let files: Vec<(&str, String)> = files
            .iter()
            .map(|(slug, fields)| (*slug, titled(slug, fields)))
            .collect();
        site_of("", &files)
    }

    /// Offers related lists without the facets they are made from.
    struct ListsAlone(Vec<Vec<usize>>);

    impl Given for ListsAlone {
        fn reused(&mut self, _: &[Incident], _: &HashMap<String, usize>) -> Reused {
            Reused {
                facets: BTreeMap::new(),
                related: Some(RelatedLists {
                    lists: std::mem::take(&mut self.0),
                    stale: Vec::new(),
                }),
            }
        }

        fn similar(self, incidents: &[Incident], _: &[Vec<usize>]) -> Vec<Vec<Similar>> {
            vec![Vec::new(); incidents.len()]
        }
    }

    #[test]
    fn related_lists_offered_without_their_facets_are_made_again() {
        let site = site(&[
            ("a", "started_at: 2024-01-02T10:00:00Z\nservices: [api]"),
            ("b", "started_at: 2024-01-01T10:00:00Z\nservices: [api]"),
        ]);
        let offered = ListsAlone(vec![Vec::new(), vec![1]]);
        let index = build_with(&site.config, &site.incidents, &site.slugs, offered);
        assert_eq!(index.related, [vec![1], vec![0]]);
    }

    #[test]
    fn spellings_of_a_value_share_its_term() {
        let site = site(&[
            ("a", "services: [API, Billing]\nroot_cause: deploy"),
            ("b", "services: [api]\ntags: [Customer  Facing]"),
            ("c", "tags: [customer facing]"),
        ]);
        let services = site.index.facet(Facet::Service);
        let api = services.get("API").expect("a term for API");
        assert_eq!(api.name, "API", "a tie goes to the first in sorted order");
        assert_eq!(api.incidents.len(), 2);
        // Seen spellings, and one no incident uses, find the same term.
        for spelling in ["api", "Api", " API "] {
            assert_eq!(
                services.get(spelling).map(|t| &t.slug),
                Some(&api.slug),
                "{spelling}"
            );
        }
        let tags = site.index.facet(Facet::Tag);
        assert_eq!(
            tags.get("CUSTOMER FACING").map(|t| t.incidents.len()),
            Some(2)
        );
        assert!(services.get("nothing").is_none());
    }

    #[test]
    fn a_term_is_named_by_its_most_common_spelling() {
        let site = site(&[
            ("a", "tags: [Customer Facing]"),
            ("b", "tags: [customer-facing]"),
            ("c", "tags: [customer_facing, Zeta]"),
            ("d", "tags: [customer-facing, zeta]"),
            ("e", "tags: [\"Customer-Facing.\"]"),
            ("f", "root_cause: [Cosmic Rays, Deploy]"),
            ("g", "root_cause: cosmic-rays"),
            ("h", "root_cause: cosmic-rays"),
        ]);
        let tags = site.index.facet(Facet::Tag);
        let facing = tags.get("CUSTOMER FACING").expect("one term");
        assert_eq!(facing.name, "customer-facing", "two of five spell it so");
        assert_eq!(facing.incidents.len(), 5);
        assert_eq!(facing.slug, "customer-facing");
        // One each: the first in sorted order, whatever order the files came in.
        assert_eq!(tags.get("zeta").map(|t| t.name.as_str()), Some("Zeta"));
        let causes = site.index.facet(Facet::Cause);
        let rays = causes.get("Cosmic Rays").expect("one term");
        assert_eq!(
            (rays.name.as_str(), rays.incidents.len()),
            ("cosmic-rays", 3)
        );
        // A vocabulary term keeps its configured label, however it is spelled.
        assert_eq!(
            causes.get("deploy").map(|t| t.name.as_str()),
            Some("Deploy")
        );
    }

    #[test]
    fn facets_have_values_and_a_label_equal_to_its_key_shows_once() {
        let files = [("a", titled("a", "severity: DOWN\nservices: [api]"))];
        let config = "[[severities]]\nkey = \"DOWN\"\n[[severities]]\nkey = \"SLOW\"\nlabel = \"Degraded\"\n";
        let site = site_of(config, &files);
        let names: Vec<&str> = site
            .index
            .facet(Facet::Severity)
            .terms
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(names, ["DOWN", "SLOW · Degraded"]);
        assert!(site.index.facet(Facet::Severity).has_values());
        assert!(site.index.facet(Facet::Service).has_values());
        // Declared categories alone, and the "not set" term, are no values.
        assert!(!site.index.facet(Facet::Cause).has_values());
        assert!(!site.index.facet(Facet::Tag).has_values());
    }

    #[test]
    fn terms_by_incident_are_the_terms_of_its_values() {
        let site = site(&[
            ("a", "services: [Billing, API]\nroot_cause: deploy"),
            ("b", "services: [api]"),
            ("c", "root_cause: [network, deploy]"),
        ]);
        let n = site.incidents.len();
        let services = site.index.facet(Facet::Service);
        let by_incident = services.terms_by_incident(n);
        let causes = site.index.facet(Facet::Cause);
        let causes_by_incident = causes.terms_by_incident(n);
        let looked_up = |values: &[String], facet: &FacetIndex| {
            let mut terms: Vec<usize> = values.iter().filter_map(|v| facet.position(v)).collect();
            terms.sort_unstable();
            terms
        };
        for (position, incident) in site.incidents.iter().enumerate() {
            assert_eq!(
                by_incident.of_incident(position),
                looked_up(&incident.services, services),
                "{}",
                incident.slug
            );
            assert_eq!(
                causes_by_incident.of_incident(position),
                looked_up(&incident.root_causes, causes),
                "{}",
                incident.slug
            );
        }
        let c = site.incidents.iter().position(|i| i.slug == "c").unwrap();
        assert_eq!(
            causes_by_incident.of_incident(c).len(),
            2,
            "c counts under both of its causes"
        );
        assert!(by_incident.of_incident(n).is_empty());
    }
}
