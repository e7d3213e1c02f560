//! The facets and related lists `serve` takes from the previous site instead of building
//! them again. At 10,000 postmortems building them took 9–17 ms of a front matter edit,
//! most of it reading every incident's values from memory the edit had left cold.
//!
//! A facet is made from each incident's values for it and the config: terms, names and
//! slugs follow from the values alone, and each term lists the positions of the
//! incidents that have it. So when the next site has the same incidents (perhaps in
//! another order) and every incident an edit touched has the values it had for a facet,
//! that facet is the previous one with its positions renumbered: a new tag leaves every
//! facet but tags, a start time that reorders the archive every facet but, perhaps, the
//! year and duration. The related lists are made from the service and cause facets, each
//! incident's `related` field and the positions (the newest first), so they are taken
//! only when nothing moved and none of those changed.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use crate::analyze::index::{self, Facet, FacetIndex, Index, RelatedLists, Reused};
use crate::analyze::site::Site;
use crate::model::config::Config;
use crate::model::incident::Incident;

/// What the previous site's incidents of some slugs (those the edited files had) were
/// filed under: by slug, its values for each facet and its `related` field.
#[derive(Debug, Default)]
pub(super) struct Before {
    filed: HashMap<String, Filed>,
}

#[derive(Debug, PartialEq)]
struct Filed {
    /// By facet, in the order of [`Facet::ALL`].
    values: Vec<Vec<String>>,
    related: Vec<String>,
}

impl Filed {
    fn of(config: &Config, incident: &Incident) -> Filed {
        Filed {
            values: (Facet::ALL.iter())
                .map(|&facet| index::values(config, incident, facet))
                .collect(),
            related: incident.related.clone(),
        }
    }
}

impl Before {
    /// What `site`'s incidents of `slugs` were filed under (slugs it has no incident of
    /// are left out).
    pub(super) fn of<'s>(site: &Site, slugs: impl IntoIterator<Item = &'s str>) -> Before {
        let filed = (slugs.into_iter())
            .filter_map(|slug| {
                let incident = site.incidents.get(*site.slugs.get(slug)?)?;
                Some((slug.to_string(), Filed::of(&site.config, incident)))
            })
            .collect();
        Before { filed }
    }
}

/// What the next index may take from the previous site's.
pub(super) struct Reuse<'a> {
    pub(super) before: Before,
    /// The previous site's positions by slug (`Site::slugs`).
    pub(super) positions: &'a HashMap<String, usize>,
    /// The slugs whose incident may differ from the previous one of that slug: every
    /// other incident is the one the previous site had.
    pub(super) changed: &'a HashSet<String>,
}

/// Where the incidents of the previous site are in the next, when they are the same
/// incidents ([`Reuse::moves`]).
#[derive(Debug, PartialEq)]
pub(super) struct Moves {
    /// The incident at previous position `p` is now at `moved[p]` (a permutation).
    pub(super) moved: Vec<usize>,
    /// The positions between the first and the last that moved (empty when none did).
    pub(super) span: Range<usize>,
    /// The positions (in the next site) of the incidents whose slug changed, ascending.
    pub(super) edited: Vec<usize>,
}

impl Reuse<'_> {
    /// Where each incident of the previous site is in the next one (`n` incidents, at
    /// `slug_of` by slug), when they are the same incidents; `None` when some came or
    /// went.
    ///
    /// Every incident whose slug is not in `changed` is the previous site's, in both
    /// sites or in neither, and sorts as it did (by start time, then slug). So when each
    /// changed slug is in both sites or in neither and the sites are as large, the other
    /// incidents keep their order and fill, in the next site, the positions the changed
    /// ones left, in the order they had. Found from the changed slugs alone: comparing
    /// all 10,000 slugs took 2–3 ms of an edit, most of it reading them from memory the
    /// edit had left cold.
    pub(super) fn moves(&self, n: usize, slug_of: &HashMap<String, usize>) -> Option<Moves> {
        if self.positions.len() != n {
            return None;
        }
        let mut pairs: Vec<(usize, usize)> = Vec::with_capacity(self.changed.len());
        for slug in self.changed {
            match (self.positions.get(slug), slug_of.get(slug)) {
                (Some(&was), Some(&is)) if was < n && is < n => pairs.push((was, is)),
                (None, None) => {}
                _ => return None,
            }
        }
        let mut left: Vec<usize> = pairs.iter().map(|&(was, _)| was).collect();
        let mut taken: Vec<usize> = pairs.iter().map(|&(_, is)| is).collect();
        left.sort_unstable();
        taken.sort_unstable();
        let mut moved = vec![0; n];
        for &(was, is) in &pairs {
            moved[was] = is;
        }
        let mut free = (0..n).filter(|p| taken.binary_search(p).is_err());
        for was in (0..n).filter(|p| left.binary_search(p).is_err()) {
            moved[was] = free.next()?;
        }
        let first = (0..n).find(|&p| moved[p] != p);
        let span = match first {
            Some(first) => {
                first
                    ..(first..n)
                        .rfind(|&p| moved[p] != p)
                        .map_or(first, |l| l + 1)
            }
            None => 0..0,
        };
        Some(Moves {
            moved,
            span,
            edited: taken,
        })
    }

    /// The facets of `previous` that `incidents` (sorted, under `config`, the previous
    /// site's) would make again, their positions renumbered by `moves`; and, with the
    /// service and cause facets, its related lists renumbered, but for those to make
    /// again ([`stale_related`]).
    pub(super) fn reused(
        &self,
        config: &Config,
        previous: &Index,
        incidents: &[Incident],
        moves: &Moves,
    ) -> Reused {
        let mut reused = Reused::default();
        let mut edited: Vec<(&Incident, &Filed)> = Vec::new();
        for slug in self.changed {
            let Some(&was) = self.positions.get(slug) else {
                continue;
            };
            let is = moves.moved.get(was).copied();
            match (
                is.and_then(|is| incidents.get(is)),
                self.before.filed.get(slug),
            ) {
                (Some(incident), Some(filed)) => edited.push((incident, filed)),
                _ => return reused,
            }
        }
        let now: Vec<Filed> = (edited.iter())
            .map(|(incident, _)| Filed::of(config, incident))
            .collect();
        let same = |test: &dyn Fn(&Filed, &Filed) -> bool| {
            (edited.iter().zip(&now)).all(|((_, was), is)| test(was, is))
        };
        for (i, &facet) in Facet::ALL.iter().enumerate() {
            if same(&|was, is| was.values[i] == is.values[i])
                && let Some(kept) = previous.facets.get(&facet)
            {
                let mut kept = kept.clone();
                if !moves.span.is_empty() {
                    kept.renumber(&moves.moved);
                }
                reused.facets.insert(facet, kept);
            }
        }
        if let (Some(services), Some(causes)) = (
            reused.facets.get(&Facet::Service),
            reused.facets.get(&Facet::Cause),
        ) {
            let stale = stale_related(moves, &[services, causes]);
            reused.related = Some(RelatedLists {
                lists: renumbered(&previous.related, moves),
                stale,
            });
        }
        reused
    }
}

/// The related lists of `previous`, each moved to its incident's next position and its
/// positions renumbered by `moves`.
fn renumbered(previous: &[Vec<usize>], moves: &Moves) -> Vec<Vec<usize>> {
    if moves.span.is_empty() {
        return previous.to_vec();
    }
    let renumber = |p: usize| moves.moved.get(p).copied().unwrap_or(p);
    let mut lists = vec![Vec::new(); previous.len()];
    for (was, list) in previous.iter().enumerate() {
        if let Some(slot) = lists.get_mut(renumber(was)) {
            *slot = list.iter().map(|&other| renumber(other)).collect();
        }
    }
    lists
}

/// The positions whose related list may not be the previous one renumbered, when the
/// edited incidents kept their services and causes (`facets`, the next site's): the
/// edited incidents' own, whose `related` field may have changed; and when some moved,
/// every incident sharing a service or a cause with one, for the lists rank the newest
/// first and only the edited incidents changed places among the others.
fn stale_related(moves: &Moves, facets: &[&FacetIndex]) -> Vec<usize> {
    let mut stale = vec![false; moves.moved.len()];
    for &position in &moves.edited {
        stale[position] = true;
    }
    if !moves.span.is_empty() {
        let terms = facets.iter().flat_map(|facet| &facet.terms);
        for term in terms.filter(|term| !term.missing) {
            let shares = (moves.edited.iter()).any(|p| term.incidents.binary_search(p).is_ok());
            if shares {
                for &position in &term.incidents {
                    stale[position] = true;
                }
            }
        }
    }
    (0..stale.len()).filter(|&p| stale[p]).collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::{Before, Moves, Reuse};
    use crate::analyze::index::{Facet, Reused};
    use crate::analyze::site::Site;
    use crate::testing::{site_of, titled};

    /// Five incidents, `b` with `fields` as well: `a` and `e` share a service and a cause
    /// with it, `c` and `d` neither (but `c` names `a` as related).
    fn site(b: &str) -> Site {
        let file = |slug: &'static str, fields: String| (slug, titled(slug, &fields));
        site_of(
            "",
            &[
                file("a", "started_at: 2024-01-05T10:00:00Z\nservices: [api]\nroot_cause: deploy\ntags: [x]".into()),
                file("b", format!("root_cause: deploy\n{b}")),
                file("e", "started_at: 2024-01-03T12:00:00Z\nservices: [api]\nroot_cause: deploy".into()),
                file("c", "started_at: 2024-01-03T10:00:00Z\nservices: [db]\nroot_cause: capacity\nrelated: [a]".into()),
                file("d", "started_at: 2024-01-02T10:00:00Z\nservices: [db]\nroot_cause: capacity".into()),
            ],
        )
    }

    /// What `after` may take from `before`'s index when `b` was the file edited, and
    /// where its incidents moved; `None` when they are not the same incidents.
    fn taken(before: &Site, after: &Site) -> Option<(Reused, Moves)> {
        let changed = HashSet::from(["b".to_string()]);
        let reuse = Reuse {
            before: Before::of(before, ["b"]),
            positions: &before.slugs,
            changed: &changed,
        };
        let moves = reuse.moves(after.incidents.len(), &after.slugs)?;
        let reused = reuse.reused(&after.config, &before.index, &after.incidents, &moves);
        // What is taken is what `after` built.
        for (facet, index) in &reused.facets {
            assert_eq!(index, after.index.facet(*facet), "{facet:?}");
        }
        // And so are the related lists it vouches for.
        if let Some(related) = &reused.related {
            for (position, list) in related.lists.iter().enumerate() {
                if related.stale.binary_search(&position).is_err() {
                    assert_eq!(list, &after.index.related[position], "at {position}");
                }
            }
        }
        Some((reused, moves))
    }

    const B: &str = "started_at: 2024-01-01T10:00:00Z\nservices: [api]\ntags: [y]\nrelated: [a]";

    #[test]
    fn a_new_tag_takes_every_other_facet_and_the_related_lists() {
        let before = site(B);
        let after = site(&B.replace("tags: [y]", "tags: [y, z]"));
        let (reused, moves) = taken(&before, &after).expect("the same incidents");
        assert_eq!(moves.moved, [0, 1, 2, 3, 4]);
        assert_eq!((moves.span, moves.edited), (0..0, vec![4]));
        let taken: Vec<Facet> = reused.facets.keys().copied().collect();
        let all_but_tags: Vec<Facet> = (Facet::ALL.into_iter())
            .filter(|&facet| facet != Facet::Tag)
            .collect();
        assert_eq!(taken, all_but_tags);
        // Only its own related list is made again.
        assert_eq!(reused.related.map(|related| related.stale), Some(vec![4]));
    }

    #[test]
    fn a_service_edit_builds_that_facet_and_the_related_lists_again() {
        let before = site(B);
        let after = site(&B.replace("services: [api]", "services: [db]"));
        let (reused, _) = taken(&before, &after).expect("the same incidents");
        assert!(!reused.facets.contains_key(&Facet::Service));
        assert!(reused.facets.contains_key(&Facet::Tag));
        assert!(reused.related.is_none());
        // Another related incident: every facet is taken, and every related list but its
        // own.
        let after = site(&B.replace("related: [a]", "related: [c]"));
        let (reused, _) = taken(&before, &after).expect("the same incidents");
        assert_eq!(reused.facets.len(), Facet::ALL.len());
        assert_eq!(reused.related.map(|related| related.stale), Some(vec![4]));
    }

    #[test]
    fn a_start_time_that_reorders_takes_the_facets_renumbered_and_remakes_the_lists_it_reaches() {
        let before = site(B);
        // `b`, the oldest, becomes the newest: every other incident moves down one, and
        // `a`'s list, which named `e` before `b`, now names `b` first.
        let after = site(&B.replace("2024-01-01", "2024-01-06"));
        assert_eq!(after.incidents[0].slug, "b");
        let (reused, moves) = taken(&before, &after).expect("the same incidents");
        assert_eq!(moves.moved, [1, 2, 3, 4, 0]);
        assert_eq!((moves.span, moves.edited), (0..5, vec![0]));
        assert_eq!(after.index.related[1], [0, 2], "a's list: b, then e");
        // Its duration and year are as they were: every facet is taken, renumbered. The
        // related lists of `b` and of `a` and `e`, which share a service with it, are
        // made again; `c`'s and `d`'s are the previous ones renumbered (`taken`
        // compares them).
        assert_eq!(reused.facets.len(), Facet::ALL.len());
        assert_eq!(
            reused.related.map(|related| related.stale),
            Some(vec![0, 1, 2])
        );
        assert_eq!(
            after.index.related[3],
            [1, 4],
            "c names a, now second, then d"
        );
        // Into another year: that facet is built again.
        let after = site(&B.replace("2024-01-01", "2025-01-01"));
        let (reused, _) = taken(&before, &after).expect("the same incidents");
        assert!(!reused.facets.contains_key(&Facet::Year));
        assert_eq!(reused.facets.len(), Facet::ALL.len() - 1);
    }

    #[test]
    fn an_incident_that_comes_or_goes_takes_nothing() {
        let before = site(B);
        let after = site(&format!("{B}\nstatus: draft"));
        assert_eq!(after.incidents.len(), 4);
        assert!(taken(&before, &after).is_none());
    }
}
