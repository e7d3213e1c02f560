//! Facet indexes (service, root cause, duration bucket, severity, year, tag) and related
//! incidents, computed once per build over the sorted incident list.
//!
//! Indexes hold positions into `Site::incidents`, which is sorted newest first, so every
//! list of positions in ascending order is also a list from newest to oldest, and every
//! output order follows from the input alone.

use std::collections::{BTreeMap, HashMap};

use chrono_tz::Tz;

use crate::config::Config;
use crate::incident::Incident;
use crate::vocab::{term_key, url_slug};

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
#[derive(Debug, Clone)]
pub struct Term {
    /// The display name: registry or vocabulary label, else the first spelling seen.
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
#[derive(Debug, Clone, Default)]
pub struct FacetIndex {
    pub terms: Vec<Term>,
    by_key: HashMap<String, usize>,
}

impl FacetIndex {
    /// The term a name belongs to (compared through [`term_key`]).
    pub fn get(&self, name: &str) -> Option<&Term> {
        self.by_key.get(&term_key(name)).map(|&i| &self.terms[i])
    }
}

#[derive(Debug, Clone, Default)]
pub struct Index {
    pub facets: BTreeMap<Facet, FacetIndex>,
    /// For each incident, the positions of its related incidents, best first.
    pub related: Vec<Vec<usize>>,
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
    let tz = config.tz();
    let mut facets = BTreeMap::new();
    for facet in Facet::ALL {
        let index = build_facet(config, tz, incidents, facet);
        facets.insert(facet, index);
    }
    let mut index = Index {
        facets,
        related: Vec::new(),
    };
    index.related = related(config, incidents, &index, slug_of);
    index
}

fn values_of(config: &Config, tz: Tz, incident: &Incident, facet: Facet) -> Vec<String> {
    match facet {
        Facet::Service => incident.services.clone(),
        Facet::Cause => incident
            .primary_cause()
            .map(str::to_string)
            .into_iter()
            .collect(),
        Facet::Duration => duration_bucket(config, incident)
            .map(|i| config.duration_buckets[i].key.clone())
            .into_iter()
            .collect(),
        Facet::Severity => incident
            .severity
            .map(|i| config.severities[i].key.clone())
            .into_iter()
            .collect(),
        Facet::Year => incident
            .year(tz)
            .map(|y| y.to_string())
            .into_iter()
            .collect(),
        Facet::Tag => incident.tags.clone(),
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
                name: format!("{} · {}", s.key, s.label),
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

fn build_facet(config: &Config, tz: Tz, incidents: &[Incident], facet: Facet) -> FacetIndex {
    // Declared vocabulary terms come first in their configured order (severity order,
    // bucket order); free-text terms follow, sorted by key. Years sort newest first.
    let declared = declared_terms(config, facet);
    let mut terms: Vec<Term> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
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
    let declared_count = terms.len();
    let mut free: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
    let mut missing = Vec::new();
    for (position, incident) in incidents.iter().enumerate() {
        let values = values_of(config, tz, incident, facet);
        if values.is_empty() {
            missing.push(position);
        }
        for value in values {
            let key = term_key(&value);
            match by_key.get(&key) {
                Some(&i) => terms[i].incidents.push(position),
                None => free
                    .entry(key)
                    .or_insert_with(|| (value, Vec::new()))
                    .1
                    .push(position),
            }
        }
    }
    let mut free: Vec<(String, (String, Vec<usize>))> = free.into_iter().collect();
    if facet == Facet::Year {
        free.sort_by_key(|(key, _)| std::cmp::Reverse(key.parse::<i64>().unwrap_or(i64::MIN)));
    }
    for (key, (name, list)) in free {
        by_key.insert(key.clone(), terms.len());
        terms.push(Term {
            slug: String::new(),
            name,
            key,
            description: String::new(),
            missing: false,
            incidents: list,
        });
    }
    // Declared services with no incidents are not worth a page; declared severities,
    // categories and buckets are, because "none yet" is an answer.
    if facet == Facet::Service {
        let mut position = 0;
        terms.retain(|term| {
            position += 1;
            position > declared_count || !term.incidents.is_empty()
        });
        by_key = terms
            .iter()
            .enumerate()
            .map(|(i, term)| (term_key(&term.key), i))
            .collect();
    }
    if !missing.is_empty() {
        terms.push(Term {
            slug: String::new(),
            name: "Not set".into(),
            key: String::new(),
            description: format!(
                "Incidents whose postmortem does not state a {}",
                facet.names().0.to_lowercase()
            ),
            missing: true,
            incidents: missing,
        });
    }
    assign_slugs(&mut terms);
    FacetIndex { terms, by_key }
}

/// Gives every term a unique slug. Terms are visited in their (stable) display order, so a
/// collision always resolves the same way: the first keeps the plain slug, later ones get
/// `-2`, `-3`, … The missing term asks for [`MISSING_SLUG`] but yields to a real term.
fn assign_slugs(terms: &mut [Term]) {
    let mut taken = std::collections::HashSet::new();
    let mut order: Vec<usize> = (0..terms.len()).collect();
    // A term already spelled as its slug ("customer-facing") keeps it over one that only
    // slugs to it ("Customer Facing"), so hand-typed URLs keep working.
    let slugs: Vec<String> = terms.iter().map(|term| url_slug(&term.key)).collect();
    order.sort_by_key(|&i| (terms[i].missing, slugs[i] != terms[i].key));
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
/// and the root cause, then a service, then the cause; within each tier, most recent first.
fn related(
    config: &Config,
    incidents: &[Incident],
    index: &Index,
    slug_of: &HashMap<String, usize>,
) -> Vec<Vec<usize>> {
    use rayon::prelude::*;
    let limit = config.related_limit;
    let services = index.facet(Facet::Service);
    let causes = index.facet(Facet::Cause);
    let service_terms: Vec<Vec<usize>> = incidents
        .iter()
        .map(|incident| {
            let mut ids: Vec<usize> = incident
                .services
                .iter()
                .filter_map(|s| services.by_key.get(&term_key(s)).copied())
                .collect();
            ids.sort_unstable();
            ids
        })
        .collect();
    let cause_term: Vec<Option<usize>> = incidents
        .iter()
        .map(|incident| {
            incident
                .primary_cause()
                .and_then(|c| causes.by_key.get(&term_key(c)).copied())
        })
        .collect();
    let shares_service = |a: usize, b: usize| {
        service_terms[a]
            .iter()
            .any(|s| service_terms[b].binary_search(s).is_ok())
    };
    (0..incidents.len())
        .into_par_iter()
        .map(|me| {
            let mut chosen: Vec<usize> = Vec::with_capacity(limit);
            let push = |chosen: &mut Vec<usize>, other: usize| {
                if other != me && !chosen.contains(&other) && chosen.len() < limit {
                    chosen.push(other);
                }
            };
            for slug in &incidents[me].related {
                if let Some(&other) = slug_of.get(slug) {
                    push(&mut chosen, other);
                }
            }
            let cause_list: &[usize] = cause_term[me].map_or(&[], |c| &causes.terms[c].incidents);
            // Tier 1: same cause and a shared service, walking the cause list newest first.
            for &other in cause_list {
                if chosen.len() >= limit {
                    break;
                }
                if shares_service(me, other) {
                    push(&mut chosen, other);
                }
            }
            // Tier 2: a shared service; each service list is newest first, so the first
            // `limit` candidates of each list contain the newest overall.
            if chosen.len() < limit {
                let mut candidates: Vec<usize> = Vec::new();
                for &term in &service_terms[me] {
                    candidates.extend(
                        services.terms[term]
                            .incidents
                            .iter()
                            .copied()
                            .filter(|&other| other != me && !chosen.contains(&other))
                            .take(limit),
                    );
                }
                candidates.sort_unstable();
                candidates.dedup();
                for other in candidates {
                    push(&mut chosen, other);
                }
            }
            // Tier 3: the same cause.
            for &other in cause_list {
                if chosen.len() >= limit {
                    break;
                }
                push(&mut chosen, other);
            }
            chosen
        })
        .collect()
}
