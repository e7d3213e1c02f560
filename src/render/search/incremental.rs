//! The search index kept between rebuilds, for `serve`: an edit to one postmortem
//! re-tokenizes that postmortem alone, re-encodes the terms whose lists it entered, left
//! or moved in (a sentence added touches its new words only), and rewrites the shards
//! those terms are in, its document block `d/<block>.js` and `meta.js`.
//!
//! The files are the ones a full build writes for the same site, byte for byte: the
//! records are encoded by the same [`term_record`], and shards cut by the same
//! [`shard_ends`] over the same record lengths.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::convert::Infallible;
use std::sync::Mutex;

use super::docs::{
    DOC_BLOCK, RESULT_FACETS, ResultTerms, block_count, block_page, block_path, held_block_page,
};
use super::{
    Field, Postings, SEARCH_DIR, doc_terms, facet_pages, facet_path, held_text, meta_page,
    postings, shard_ends, shard_page, term_record,
};
use crate::analyze::index::Facet;
use crate::analyze::site::Site;
use crate::render::Page;
use rayon::prelude::*;

/// A term, ordered as `search.js` compares strings: by UTF-16 code units.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key(Box<str>);

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        super::utf16_cmp(&self.0, &other.0)
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(Debug, Default)]
struct TermState {
    postings: Postings,
    /// The term's record as its shard holds it.
    record: String,
}

/// The index as last written.
#[derive(Debug, Default)]
pub struct SearchIndex {
    /// The slug at each position when the index was last brought up to date.
    slugs: Vec<Box<str>>,
    universe: u32,
    terms: BTreeMap<Key, TermState>,
    /// Each shard's first and last term.
    spans: Vec<(Key, Key)>,
    /// The slugs of the values of the facets a document names its values of by their
    /// place ([`RESULT_FACETS`]): when they change, every document block is written again.
    result_slugs: Vec<Vec<String>>,
}

/// The slugs of each of [`RESULT_FACETS`]' values, in order.
fn result_slugs(site: &Site) -> Vec<Vec<String>> {
    RESULT_FACETS
        .iter()
        .map(|&facet| {
            site.index
                .facet(facet)
                .terms
                .iter()
                .map(|t| t.slug.clone())
                .collect()
        })
        .collect()
}

/// What an update writes and what it leaves behind.
#[derive(Debug, Default)]
pub struct SearchUpdate {
    pub pages: Vec<Page>,
    /// Paths (under the output folder) of files the index no longer has.
    pub stale: Vec<String>,
}

impl SearchIndex {
    /// Indexes the whole site: the state, and every file (what [`super::pages`] returns).
    pub fn build(site: &Site) -> (SearchIndex, Vec<Page>) {
        let universe = site.incidents.len() as u32;
        // Each document block is written as its texts are read for their terms, so each
        // text is read once: `serve` holds them packed (`Rendered::text` unpacks), and a
        // change of order indexes the site again.
        let result_terms = ResultTerms::new(site);
        let blocks = Mutex::new(Vec::with_capacity(block_count(site.incidents.len())));
        let each = |block, texts: &[_]| {
            let page = block_page(block, site, &result_terms, texts);
            blocks
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((block, page));
            Ok::<(), Infallible>(())
        };
        // Nothing is set aside (no spill), so every term is in memory.
        let (_, terms) =
            postings(site, held_text(site), each, None).unwrap_or_else(|never| match never {});
        let mut blocks = blocks.into_inner().unwrap_or_else(|e| e.into_inner());
        blocks.sort_unstable_by_key(|&(block, _)| block);
        let terms: BTreeMap<Key, TermState> = (terms.into_terms().collect::<Vec<_>>())
            .into_par_iter()
            .map(|(term, occurrences)| {
                let postings = occurrences.postings();
                let mut record = String::new();
                term_record(&mut record, &term, &postings, universe);
                // Kept for the whole session, as the postings are.
                record.shrink_to_fit();
                (Key(term), TermState { postings, record })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .collect();
        let mut index = SearchIndex {
            slugs: site
                .incidents
                .iter()
                .map(|i| i.slug.as_str().into())
                .collect(),
            universe,
            terms,
            spans: Vec::new(),
            result_slugs: result_slugs(site),
        };
        let (shards, _) = index.relayout(&HashSet::new(), true);
        let mut pages = index.meta_and_facets(site);
        pages.extend(shards);
        pages.extend(blocks.into_iter().map(|(_, page)| page));
        (index, pages)
    }

    /// Brings the index up to `site`. `changed` lists the positions of the incidents whose
    /// content changed, when every other incident kept its position or was renumbered
    /// ([`SearchIndex::renumber`], `moved`); `None` when incidents came or went, and
    /// everything is indexed again.
    pub(super) fn update(
        &mut self,
        site: &Site,
        changed: Option<&[usize]>,
        moved: Moved,
    ) -> SearchUpdate {
        let old_universe = self.universe;
        let old_shards = self.spans.len();
        let universe = site.incidents.len() as u32;
        let same_result_terms = self.result_slugs == result_slugs(site);
        let Some(changed) = changed.filter(|_| universe == old_universe && same_result_terms)
        else {
            return self.rebuild(site);
        };
        self.follow_slugs(site, changed);
        let mut positions: Vec<u32> = changed.iter().map(|&p| p as u32).collect();
        positions.sort_unstable();
        positions.dedup();
        // Take the changed incidents out of every term, noting where each was...
        let mut before: HashMap<(Key, u32), u8> = HashMap::new();
        for (key, state) in &mut self.terms {
            for &position in &positions {
                let was = take_out(&mut state.postings, position);
                if was != 0 {
                    before.insert((key.clone(), position), was);
                }
            }
        }
        // ...and put them back where their text now puts them. A term is touched (its
        // record encoded again, its shard rewritten) only where an incident's place in it
        // changed: a sentence added to a body touches its new words, not all of them.
        let mut touched: HashSet<Key> = HashSet::new();
        for &position in &positions {
            let Some(incident) = site.incidents.get(position as usize) else {
                continue;
            };
            let doc = doc_terms(site, incident);
            for (term, mask) in doc.iter() {
                let key = Key(term.into());
                let state = self.terms.entry(key.clone()).or_default();
                insert(&mut state.postings.all, position);
                let mut now = IN_ALL;
                for field in Field::ALL {
                    if mask & field.bit() != 0 {
                        insert(&mut state.postings.fields[field as usize], position);
                        now |= field.bit();
                    }
                }
                if before.remove(&(key.clone(), position)) != Some(now) {
                    touched.insert(key);
                }
            }
        }
        // Terms an edited incident no longer has, and those whose lists were renumbered.
        touched.extend(before.into_keys().map(|(key, _)| key));
        touched.extend(moved.terms);
        self.terms.retain(|_, state| !state.postings.all.is_empty());
        for key in &touched {
            if let Some(state) = self.terms.get_mut(key) {
                state.record.clear();
                term_record(&mut state.record, &key.0, &state.postings, universe);
            }
        }
        let (mut pages, count) = self.relayout(&touched, false);
        pages.extend(self.meta_and_facets(site));
        pages.extend(changed_blocks(
            site,
            positions.iter().chain(&moved.positions),
        ));
        let stale = (count..old_shards)
            .map(|i| format!("{SEARCH_DIR}/t/{i}.js"))
            .collect();
        SearchUpdate { pages, stale }
    }

    /// Renumbers the index for `site` when its incidents are the index's in another order
    /// (an edited start time moved one past others): each term's lists are mapped to the
    /// new positions, so no text is read again. Returns the terms whose lists changed and
    /// the positions whose incident is another; `None` (the index as it was) when some
    /// incident came or went.
    fn renumber(&mut self, site: &Site) -> Option<Moved> {
        if self.slugs.len() != site.incidents.len() {
            return None;
        }
        // Slugs are unique on both sides, so every old slug found makes a permutation.
        let to: Vec<u32> = (self.slugs.iter())
            .map(|slug| site.slugs.get(&**slug).map(|&p| p as u32))
            .collect::<Option<_>>()?;
        let positions: Vec<u32> = (to.iter().enumerate())
            .filter(|&(from, &to)| from as u32 != to)
            .map(|(_, &to)| to)
            .collect();
        let terms = (self.terms.par_iter_mut())
            .filter_map(|(key, state)| renumbered(&mut state.postings, &to).then(|| key.clone()))
            .collect();
        self.slugs = (site.incidents.iter())
            .map(|incident| incident.slug.as_str().into())
            .collect();
        Some(Moved { terms, positions })
    }

    /// Takes the slugs of the incidents at `changed`; every other incident kept its
    /// position, so its slug.
    fn follow_slugs(&mut self, site: &Site, changed: &[usize]) {
        for &position in changed {
            if let (Some(slug), Some(incident)) =
                (self.slugs.get_mut(position), site.incidents.get(position))
            {
                *slug = incident.slug.as_str().into();
            }
        }
    }

    /// Indexes everything again; the files of the old index that the new one lacks are
    /// stale.
    fn rebuild(&mut self, site: &Site) -> SearchUpdate {
        let (old_universe, old_shards) = (self.universe, self.spans.len());
        let (index, pages) = SearchIndex::build(site);
        *self = index;
        let stale = (block_count(self.universe as usize)..block_count(old_universe as usize))
            .map(block_path)
            .chain((self.spans.len()..old_shards).map(|i| format!("{SEARCH_DIR}/t/{i}.js")))
            .collect();
        SearchUpdate { pages, stale }
    }

    /// Cuts the terms into shards again; returns the shards that differ from the last
    /// layout or hold a `touched` term (all of them with `all`), and the shard count.
    fn relayout(&mut self, touched: &HashSet<Key>, all: bool) -> (Vec<Page>, usize) {
        let ends = shard_ends(self.terms.iter().map(|(k, t)| (&*k.0, t.record.len())));
        // A touched term may be gone; the shard whose span it falls in changed all the same.
        let mut touched: Vec<&Key> = touched.iter().collect();
        touched.sort_unstable();
        let mut spans = Vec::with_capacity(ends.len());
        let mut pages = Vec::new();
        // Walked shard by shard, without a list of all (tens of thousands of) terms: the
        // terms of a shard are read again only when it is written.
        let mut terms = self.terms.iter();
        let mut start = 0;
        for (number, &end) in ends.iter().enumerate() {
            let len = end - start;
            let shard = terms.clone().take(len);
            let first = terms.next().map(|(key, _)| key);
            let last = match len {
                1 => first,
                _ => terms.nth(len - 2).map(|(key, _)| key),
            };
            // Every shard holds a term (`shard_ends` cuts after one).
            let (Some(first), Some(last)) = (first, last) else {
                break;
            };
            let span = (first.clone(), last.clone());
            let moved = self.spans.get(number) != Some(&span);
            let first_touched = touched.partition_point(|key| **key < span.0);
            let holds_touched = touched
                .get(first_touched)
                .is_some_and(|key| **key <= span.1);
            if all || moved || holds_touched {
                pages.push(shard_page(
                    number,
                    shard.map(|(_, state)| state.record.as_str()),
                ));
            }
            spans.push(span);
            start = end;
        }
        let count = spans.len();
        self.spans = spans;
        (pages, count)
    }

    /// Every file the index last wrote.
    fn files(&self) -> Vec<String> {
        std::iter::once(format!("{SEARCH_DIR}/meta.js"))
            .chain(Facet::ALL.map(facet_path))
            .chain((0..self.spans.len()).map(|i| format!("{SEARCH_DIR}/t/{i}.js")))
            .chain((0..block_count(self.universe as usize)).map(block_path))
            .collect()
    }

    /// `meta.js` and the facet files: every update writes them, since any edit may
    /// change a facet's counts.
    fn meta_and_facets(&self, site: &Site) -> Vec<Page> {
        let heads: Vec<&str> = self.spans.iter().map(|(first, _)| &*first.0).collect();
        let mut pages = facet_pages(site);
        let bytes: Vec<usize> = pages.iter().map(|page| page.bytes.len()).collect();
        pages.push(meta_page(site, &heads, &bytes));
        pages
    }
}

/// The document blocks holding any of `positions`, made again (in parallel: a reorder
/// across the archive moves every block between the two places).
fn changed_blocks<'p>(site: &Site, positions: impl Iterator<Item = &'p u32>) -> Vec<Page> {
    let result_terms = ResultTerms::new(site);
    let mut blocks: Vec<usize> = positions
        .map(|&p| p as usize / DOC_BLOCK)
        .filter(|&block| block < block_count(site.incidents.len()))
        .collect();
    blocks.sort_unstable();
    blocks.dedup();
    (blocks.into_par_iter())
        .map(|b| held_block_page(b, site, &result_terms))
        .collect()
}

/// What [`SearchIndex::renumber`] moved: terms whose lists changed, and positions whose
/// incident is another (their document blocks change).
#[derive(Debug, Default)]
pub(super) struct Moved {
    terms: Vec<Key>,
    positions: Vec<u32>,
}

/// Maps every position of `postings` through `to` (old position → new); whether any moved.
fn renumbered(postings: &mut Postings, to: &[u32]) -> bool {
    let moves = |list: &[u32]| list.iter().any(|&p| to[p as usize] != p);
    if !moves(&postings.all) {
        return false;
    }
    for list in std::iter::once(&mut postings.all).chain(&mut postings.fields) {
        for position in list.iter_mut() {
            *position = to[*position as usize];
        }
        list.sort_unstable();
    }
    true
}

/// The bit of [`take_out`]'s mask for "in the term's list of all incidents"; the fields
/// have theirs ([`Field::bit`]).
const IN_ALL: u8 = 1 << 7;

/// Takes `position` out of every list of `postings`; returns where it was, as a mask of
/// [`IN_ALL`] and the fields' bits (0 where it was not).
fn take_out(postings: &mut Postings, position: u32) -> u8 {
    // The fields' lists hold only incidents of the list of all: most terms are not in
    // the edited incident, and are looked at once.
    if !remove(&mut postings.all, position) {
        return 0;
    }
    let mut was = IN_ALL;
    for field in Field::ALL {
        if remove(&mut postings.fields[field as usize], position) {
            was |= field.bit();
        }
    }
    was
}

/// Removes `position` from an ascending list; whether it was there.
fn remove(list: &mut Vec<u32>, position: u32) -> bool {
    match list.binary_search(&position) {
        Ok(i) => {
            list.remove(i);
            true
        }
        Err(_) => false,
    }
}

/// Inserts `position` into an ascending list, once.
fn insert(list: &mut Vec<u32>, position: u32) {
    if let Err(i) = list.binary_search(&position) {
        list.insert(i, position);
    }
}

/// The search index of a live preview: brought up to date after every change from what
/// changed, or rebuilt when that is not known.
#[derive(Debug, Default)]
pub struct SearchState {
    index: Option<SearchIndex>,
}

impl SearchState {
    /// The files to write (and to remove) for `site`. `touched` holds the source paths of
    /// the files that changed, when nothing else did (`None`: anything may have, so the
    /// index is built again). An incident keeps its number only while every incident
    /// keeps its position; when the order changed, everything is indexed again.
    pub fn refresh(&mut self, site: &Site, touched: Option<&HashSet<String>>) -> SearchUpdate {
        if !site.config.search.enabled {
            let stale = self.index.take().map(|i| i.files()).unwrap_or_default();
            return SearchUpdate {
                pages: Vec::new(),
                stale,
            };
        }
        let Some(index) = self.index.as_mut() else {
            let (index, pages) = SearchIndex::build(site);
            self.index = Some(index);
            return SearchUpdate {
                pages,
                stale: Vec::new(),
            };
        };
        let same_order = index.slugs.len() == site.incidents.len()
            && index
                .slugs
                .iter()
                .zip(&site.incidents)
                .all(|(slug, incident)| **slug == *incident.slug);
        // Compared, not hashed: a preview's change names a file or a few, and hashing
        // every incident's path took a tenth of a body edit's refresh.
        let touched_by = |source: &String| match touched {
            Some(touched) if touched.len() <= 8 => touched.iter().any(|t| t == source),
            Some(touched) => touched.contains(source),
            None => false,
        };
        // Only the touched files changed, but in another order: the index is renumbered.
        let moved = match touched {
            Some(_) if !same_order => index.renumber(site),
            _ => Some(Moved::default()),
        };
        let (changed, moved) = match (touched, moved) {
            (Some(_), Some(moved)) => {
                let changed: Vec<usize> = (site.incidents.iter().enumerate())
                    .filter(|(_, incident)| touched_by(&incident.source))
                    .map(|(position, _)| position)
                    .collect();
                (Some(changed), moved)
            }
            _ => (None, Moved::default()),
        };
        index.update(site, changed.as_deref(), moved)
    }

    /// Forgets the index after a failed write: the next refresh writes every file.
    pub fn forget(&mut self) {
        self.index = None;
    }
}
