//! Which pages a change reached: the previous render's site compared with the next one.
//!
//! Pages are matched across the two sites by slug and term identity, never by position:
//! an edit that moves one incident in the date order shifts every position after it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::hash::{DefaultHasher, Hasher};

use chrono::NaiveDate;

use crate::analyze::index::{Facet, Index, duration_bucket};
use crate::analyze::site::Site;
use crate::analyze::trends;
use crate::model::incident::Incident;
use crate::model::vocab::term_key;
use crate::parse::markdown::{self, MarkdownOptions};
use crate::render::{Rows, Selection};

/// What the previous render showed, kept after its incidents went back to their files.
#[derive(Debug)]
pub(super) struct Previous {
    /// How many incidents it had.
    len: usize,
    index: Index,
    span: Span,
    /// Every page in the output folder, sorted.
    pub(super) pages: Vec<String>,
}

/// The first and last start date a site's time axes are drawn over.
pub(super) type Span = Option<(NaiveDate, NaiveDate)>;

/// The drawn span of the site's start dates (their dense range, which an edit anywhere
/// can move): trend figures on term pages are drawn over it.
pub(super) fn span(site: &Site) -> Span {
    trends::drawn_span(site)
}

/// Which facets some incident has a value for: the navigation of every page lists them.
fn listed(index: &Index) -> Vec<bool> {
    Facet::ALL
        .iter()
        .map(|&facet| index.facet(facet).has_values())
        .collect()
}

impl Previous {
    /// From the parts of the previous site: its number of incidents, its index, its span
    /// and the pages it wrote.
    pub(super) fn new(len: usize, index: Index, span: Span, pages: Vec<String>) -> Previous {
        Previous {
            len,
            index,
            span,
            pages,
        }
    }

    /// Its index: the previous site's facets, related and similar lists.
    pub(super) fn index_mut(&mut self) -> &mut Index {
        &mut self.index
    }
}

/// A term's identity across rebuilds (its position moves as terms come and go).
type TermId<'a> = (Facet, &'a str, bool);

/// How the facet terms of the next site compare with the previous site's.
#[derive(Debug)]
pub(super) struct Terms {
    /// By facet, by position in the next site's terms: the position of the same term in
    /// the previous site's, if it was there.
    previous: BTreeMap<Facet, Vec<Option<usize>>>,
    /// Terms that appeared, went, or changed name or slug, by facet and term key: pages
    /// that link to them change, and so can any table row.
    relinked: HashSet<(Facet, String)>,
}

impl Terms {
    pub(super) fn new(site: &Site, previous: &Previous) -> Terms {
        let old_terms: HashMap<TermId, usize> = Facet::ALL
            .iter()
            .flat_map(|&facet| {
                let terms = &previous.index.facet(facet).terms;
                terms
                    .iter()
                    .enumerate()
                    .map(move |(i, t)| ((facet, t.key.as_str(), t.missing), i))
            })
            .collect();
        let mut relinked: HashSet<(Facet, String)> = HashSet::new();
        let mut seen: HashSet<TermId> = HashSet::new();
        let mut matched = BTreeMap::new();
        for facet in Facet::ALL {
            let old = &previous.index.facet(facet).terms;
            let terms = &site.index.facet(facet).terms;
            let mut before_of = Vec::with_capacity(terms.len());
            for term in terms {
                let id = (facet, term.key.as_str(), term.missing);
                seen.insert(id);
                let before = old_terms.get(&id).copied();
                let same_link =
                    before.is_some_and(|b| old[b].slug == term.slug && old[b].name == term.name);
                if !same_link && !term.missing {
                    relinked.insert((facet, term_key(&term.key)));
                }
                before_of.push(before);
            }
            matched.insert(facet, before_of);
        }
        for (id, _) in old_terms {
            if !seen.contains(&id) && !id.2 {
                relinked.insert((id.0, term_key(id.1)));
            }
        }
        Terms {
            previous: matched,
            relinked,
        }
    }

    /// By position in the next site, whether the incident has a term that appeared, went,
    /// or changed name or slug: its row and its page link to that term. Read off those
    /// terms' incident lists in the next site's index (an incident cannot link to a term
    /// that went), not off every incident's values.
    pub(super) fn relinked_incidents(&self, site: &Site) -> Vec<bool> {
        let mut relinked = vec![false; site.incidents.len()];
        for facet in Facet::ALL {
            if !self.relinked.iter().any(|(f, _)| *f == facet) {
                continue;
            }
            for term in &site.index.facet(facet).terms {
                if !term.missing && self.relinked.contains(&(facet, term_key(&term.key))) {
                    for &position in &term.incidents {
                        relinked[position] = true;
                    }
                }
            }
        }
        let tz = site.config.tz();
        debug_assert!(
            site.incidents
                .iter()
                .zip(&relinked)
                .all(|(incident, &marked)| {
                    marked
                        == (!self.relinked.is_empty()
                            && links_to(site, tz, incident, &self.relinked))
                }),
            "the incidents read off the index are those whose values link to {:?}",
            self.relinked
        );
        relinked
    }
}

/// The pages of `site` that can differ from what `previous` wrote:
///
/// - an incident page when its file changed, its row changed, its related or similar list
///   changed (`similar_changed`), a related or similar incident's row changed, it links to a term whose name or slug changed (or
///   that appeared or went), or its body links to other files and any file changed;
/// - a term page when the term is new, its name, slug, description or incident list
///   changed, or one of its incidents changed at all (term pages show trend figures over
///   their incidents beyond the rows); every term page when the drawn span of start
///   dates changed (the figures are drawn over it) or any term's name or slug changed
///   (they link to other facets' terms);
/// - the incident list when the order or any row changed;
/// - every site-wide page;
/// - every page when a facet gained its first value or lost its last (the navigation).
///
/// Incidents are matched with the previous site's by slug, through
/// [`Rows::previous_position`]. `changed` marks (by position) the incidents whose file
/// changed, or that may otherwise differ from the previous one of their slug; `linking`,
/// those whose body links to other postmortems' files, when any file changed;
/// `relinked`, those with a relinked term ([`Terms::relinked_incidents`]).
pub(super) fn select(
    site: &Site,
    rows: &Rows,
    previous: &Previous,
    terms: &Terms,
    marked: Marked<'_>,
) -> Selection {
    let Marked {
        changed, linking, ..
    } = marked;
    // A facet that gained its first value or lost its last one changes every page's
    // navigation.
    if listed(&site.index) != listed(&previous.index) {
        return Selection::all(site);
    }
    let same_incident = |old: usize, new: usize| rows.previous_position(new) == Some(old);
    // An incident counts as changed for the pages that show it if its row changed too.
    let changed: Vec<bool> = (0..site.incidents.len())
        .map(|i| rows.changed(i) || changed.get(i).copied().unwrap_or(true))
        .collect();
    let mut selection = Selection::all(site);
    for facet in Facet::ALL {
        let old = &previous.index.facet(facet).terms;
        let before_of = &terms.previous[&facet];
        let chosen = selection.terms.entry(facet).or_default();
        for (position, term) in site.index.facet(facet).terms.iter().enumerate() {
            let before = before_of[position].map(|b| &old[b]);
            let same_page = before.is_some_and(|b| {
                b.slug == term.slug
                    && b.name == term.name
                    && b.description == term.description
                    && b.incidents.len() == term.incidents.len()
                    && b.incidents
                        .iter()
                        .zip(&term.incidents)
                        .all(|(&o, &n)| same_incident(o, n))
            });
            chosen[position] = !same_page || term.incidents.iter().any(|&i| changed[i]);
        }
    }
    let relinked = &terms.relinked;
    if !relinked.is_empty() || span(site) != previous.span {
        selection
            .terms
            .values_mut()
            .for_each(|terms| terms.fill(true));
    }
    let any_row_changed = (0..site.incidents.len()).any(|i| rows.changed(i));
    let similar_changed = marked.similar;
    for position in 0..site.incidents.len() {
        let related = &site.index.related[position];
        let same_related = rows
            .previous_position(position)
            .map(|old| &previous.index.related[old])
            .is_some_and(|old| {
                old.len() == related.len()
                    && old.iter().zip(related).all(|(&o, &n)| same_incident(o, n))
            });
        let similar = site.index.similar[position].iter().map(|s| s.position);
        let shown = related.iter().copied().chain(similar);
        selection.incidents[position] = changed[position]
            || !same_related
            || similar_changed[position]
            || (any_row_changed && shown.into_iter().any(|other| rows.changed(other)))
            || linking.get(position).copied().unwrap_or(false)
            || marked.relinked[position];
    }
    selection.incident_list = any_row_changed
        || previous.len != site.incidents.len()
        || (0..site.incidents.len()).any(|i| !same_incident(i, i));
    selection
}

/// Adds to `selection` the pages that show the incidents at `relisted`, whose [`Listed`]
/// fields changed in place (nothing else of their metadata did): the pages of the
/// incidents that list them as related or similar, the term pages and the incident list
/// that show their rows, and the site-wide pages (home, trends, `/health/`, teams, feeds
/// and exports show titles; feeds and exports the prose, `/health/` whether it is there).
pub(super) fn select_listing(site: &Site, relisted: &[usize], selection: &mut Selection) {
    let shown = |position: &usize| relisted.contains(position);
    for (position, chosen) in selection.incidents.iter_mut().enumerate() {
        let mut related = site.index.related[position].iter();
        let mut similar = site.index.similar[position].iter().map(|s| &s.position);
        *chosen |= related.any(shown) || similar.any(shown);
    }
    for facet in Facet::ALL {
        let terms = &site.index.facet(facet).terms;
        if let Some(chosen) = selection.terms.get_mut(&facet) {
            for (term, chosen) in terms.iter().zip(chosen.iter_mut()) {
                *chosen |= term.incidents.iter().any(shown);
            }
        }
    }
    selection.incident_list = true;
    selection.site_wide = true;
}

/// For each incident of `site`, whether its "Similar incidents" differ from what the
/// previous render showed for its slug: other incidents (matched by slug) or other shared
/// words. Any edit of any text can move them (a word's weight depends on every file), so
/// they are computed anew for the whole site and compared, never assumed kept: `known`,
/// when the lists were updated from the previous ones (renumbered if reordered), names the
/// positions whose list the update changed (the previous lists are gone then, in release
/// builds; debug builds check `known` against them).
pub(super) fn similar_changed(
    site: &Site,
    rows: &Rows,
    previous: &Previous,
    known: Option<&[usize]>,
) -> Vec<bool> {
    let Some(known) = known else {
        return compare_similar(site, rows, previous);
    };
    let mut changed = vec![false; site.incidents.len()];
    for &position in known {
        changed[position] = true;
    }
    debug_assert_eq!(
        changed,
        compare_similar(site, rows, previous),
        "the similar lists the update says changed are those that differ"
    );
    changed
}

/// [`similar_changed`], by comparing each list with the previous one of its slug.
fn compare_similar(site: &Site, rows: &Rows, previous: &Previous) -> Vec<bool> {
    let same_incident = |old: usize, new: usize| rows.previous_position(new) == Some(old);
    (0..site.incidents.len())
        .map(|position| {
            let Some(old) = rows.previous_position(position) else {
                return true;
            };
            let (new, old) = (&site.index.similar[position], &previous.index.similar[old]);
            new.len() != old.len()
                || new
                    .iter()
                    .zip(old)
                    .any(|(n, o)| !same_incident(o.position, n.position) || n.shared != o.shared)
        })
        .collect()
}

/// Incidents of the next site, by position, marked for [`select`].
pub(super) struct Marked<'a> {
    pub(super) changed: &'a [bool],
    /// Those whose similar list changed ([`similar_changed`]).
    pub(super) similar: &'a [bool],
    pub(super) linking: &'a [bool],
    pub(super) relinked: &'a [bool],
}

/// Whether an incident's page links to one of `terms` (any of its values, not only those
/// its row shows: secondary causes and tags are linked too), from its own values: what
/// [`Terms::relinked_incidents`] reads off the index, checked against it in debug builds.
fn links_to(
    site: &Site,
    tz: chrono_tz::Tz,
    incident: &Incident,
    terms: &HashSet<(Facet, String)>,
) -> bool {
    let config = &site.config;
    let hit = |facet: Facet, value: &str| terms.contains(&(facet, term_key(value)));
    incident.services.iter().any(|s| hit(Facet::Service, s))
        || incident.root_causes.iter().any(|c| hit(Facet::Cause, c))
        || incident.tags.iter().any(|t| hit(Facet::Tag, t))
        || duration_bucket(config, incident)
            .is_some_and(|b| hit(Facet::Duration, &config.duration_buckets[b].key))
        || incident
            .severity
            .is_some_and(|s| hit(Facet::Severity, &config.severities[s].key))
        || incident
            .year(tz)
            .is_some_and(|y| hit(Facet::Year, &y.to_string()))
}

/// A fingerprint of everything about an incident that pages other than its own can show:
/// all of it except the body, the timeline read from it (only its own page draws it), and
/// the positions of fields and action items (which only diagnostics use, and which an
/// edit above them moves), plus the quality score, which
/// `/health/` shows and which the body's sections change.
/// Taken from the `Debug` form, so a field added to `Incident` later counts without
/// anyone remembering to add it here.
pub(super) fn metadata_fingerprint(incident: &mut Incident) -> u64 {
    let quality = crate::analyze::quality::score(incident);
    let body = std::mem::replace(
        &mut incident.body,
        markdown::render("", &MarkdownOptions::default()),
    );
    let positions = std::mem::take(&mut incident.positions);
    let timeline = std::mem::take(&mut incident.body_timeline);
    let item_positions: Vec<_> = (incident.action_items.iter_mut())
        .map(|item| item.pos.take())
        .collect();
    let mut hasher = HashWriter(DefaultHasher::new());
    let _ = fmt::Write::write_fmt(&mut hasher, format_args!("{incident:?}{quality:?}"));
    incident.body = body;
    incident.positions = positions;
    incident.body_timeline = timeline;
    for (item, pos) in incident.action_items.iter_mut().zip(item_positions) {
        item.pos = pos;
    }
    hasher.0.finish()
}

/// The fields an edit may change in place, keeping the site as assembled: prose that
/// only the incident's own page, its row and export lines, the pages listing it (which
/// show its title or summary), feeds, the search index and `/health/` (which scores
/// whether each is written) show. None of them orders, files or relates incidents.
/// Similar incidents read the title, summary, impact and trigger, and are refreshed for
/// the edited incident as for a body edit.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Listed {
    title: String,
    summary: Option<String>,
    impact: Option<String>,
    detection: Option<String>,
    trigger: Option<String>,
}

impl Listed {
    /// Moves the fields out of `incident`, leaving them empty.
    fn take(incident: &mut Incident) -> Listed {
        Listed {
            title: std::mem::take(&mut incident.title),
            summary: incident.summary.take(),
            impact: incident.impact.take(),
            detection: incident.detection.take(),
            trigger: incident.trigger.take(),
        }
    }

    fn restore(self, incident: &mut Incident) {
        incident.title = self.title;
        incident.summary = self.summary;
        incident.impact = self.impact;
        incident.detection = self.detection;
        incident.trigger = self.trigger;
    }

    /// Whether two versions of an incident differ in these fields.
    pub(super) fn differ(old: &Incident, new: &Incident) -> bool {
        old.title != new.title
            || old.summary != new.summary
            || old.impact != new.impact
            || old.detection != new.detection
            || old.trigger != new.trigger
    }
}

/// [`metadata_fingerprint`] of the incident with its [`Listed`] fields left out: equal
/// for two versions of an incident whose metadata differs in those alone.
pub(super) fn unlisted_fingerprint(incident: &mut Incident) -> u64 {
    let listed = Listed::take(incident);
    let fingerprint = metadata_fingerprint(incident);
    listed.restore(incident);
    fingerprint
}

/// Feeds formatted text straight into a hasher, without building the string.
struct HashWriter(DefaultHasher);

impl fmt::Write for HashWriter {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        self.0.write(text.as_bytes());
        Ok(())
    }
}
