//! The similar lists across `serve`'s rebuilds: what they were computed from
//! ([`similar::Model`]) is kept after the first edit that needed them all, and later edits
//! that keep the incidents and their order (a body, a title or any other front matter)
//! update only the lists they reach, with the word statistics of that computation
//! (`docs/similar.md`, "In `serve`").

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use super::Current;
use super::reuse::Moves;
use crate::analyze::index::Index;
use crate::analyze::similar::{self, Changes, Model, Similar};
use crate::model::config::SimilarConfig;
use crate::model::incident::Incident;

/// The model the current site's similar lists were computed or updated with, and the
/// incidents' slugs in the order it knows them by (its vectors are by position).
#[derive(Debug)]
pub(super) struct Kept {
    model: Model,
    order: Vec<String>,
}

impl Kept {
    fn new(model: Model, incidents: &[Incident]) -> Kept {
        let order = incidents.iter().map(|i| i.slug.clone()).collect();
        Kept { model, order }
    }

    /// When `incidents` are the ones the model knows (by slug), where each of its
    /// positions is among them, and the positions between the first and the last that
    /// moved (empty when none did); `None` when some came or went. An edit moves one
    /// incident past a few others: the slugs outside that span are where they were, and
    /// only those inside it are looked up (a map of all 10,000 took 2–5 ms of the edit).
    fn moved(&self, incidents: &[Incident]) -> Option<(Vec<usize>, Range<usize>)> {
        let n = incidents.len();
        if self.order.len() != n {
            return None;
        }
        let stayed = |p: usize| self.order[p] == incidents[p].slug;
        let Some(first) = (0..n).find(|&p| !stayed(p)) else {
            return Some(((0..n).collect(), 0..0));
        };
        let last = (first..n).rev().find(|&p| !stayed(p)).unwrap_or(first);
        let span = first..last + 1;
        let at: HashMap<&str, usize> = (span.clone())
            .map(|position| (incidents[position].slug.as_str(), position))
            .collect();
        // Slugs are unique on both sides, so every slug found makes a permutation.
        let moved = (0..n)
            .map(|p| match span.contains(&p) {
                true => at.get(self.order[p].as_str()).copied(),
                false => Some(p),
            })
            .collect::<Option<Vec<usize>>>()?;
        Some((moved, span))
    }
}

/// What the next assembly's similar lists can start from.
pub(super) struct Basis<'a> {
    /// The kept model, if the change may keep it (no config or template change).
    pub(super) kept: Option<Kept>,
    /// The previous site's index: its similar and related lists. Its similar lists are
    /// taken when the new ones are updated from them (in release builds: debug builds keep
    /// them, to check [`Lists::changed`] against them).
    pub(super) previous: Option<&'a mut Index>,
    /// The slugs whose incident may differ from the previous one of that slug.
    pub(super) changed: &'a HashSet<String>,
    /// Keep a model for later edits (not after a config or template change, which
    /// starts again from a full analysis).
    pub(super) keep: bool,
}

/// The similar lists of an assembly, and what to keep of them.
pub(super) struct Lists {
    pub(super) lists: Vec<Vec<Similar>>,
    /// The model to keep with the site.
    pub(super) kept: Option<Kept>,
    /// When the lists were updated from the previous site's (the same incidents, in any
    /// order: the previous lists renumbered first): the positions whose list is not what
    /// it was (other incidents or other shared words). `None` when they were computed
    /// anew, to be compared.
    pub(super) changed: Option<Vec<usize>>,
}

impl Basis<'_> {
    /// The similar lists of `incidents` (sorted, with their `related` lists), and the model
    /// to keep: updated from the kept one when the incidents are those it knows (in
    /// another order, it is renumbered first), else computed anew (as a build does).
    /// `moves`: where the assembly found the incidents, when they are the same ones
    /// (`super::reuse`), and when it took the previous related lists, which of them it
    /// made again.
    pub(super) fn lists(
        self,
        config: &SimilarConfig,
        incidents: &[Incident],
        related: &[Vec<usize>],
        moves: Option<(Moves, Option<Vec<usize>>)>,
    ) -> Lists {
        if !self.keep {
            return Lists {
                lists: similar::build(config, incidents, related),
                kept: None,
                changed: None,
            };
        }
        let n = incidents.len();
        // Where the incidents moved, found by the assembly from the changed slugs alone
        // (`super::reuse`), else by comparing every slug with the model's; with the
        // positions of the changed incidents, and when the related lists were taken
        // from the previous site's, the positions of those made again.
        let (found, remade) = match moves {
            Some((moves, remade)) => (Some(moves), remade),
            None => (None, None),
        };
        let moved = self.kept.as_ref().and_then(|kept| match found {
            Some(found) if kept.order.len() == n => {
                debug_assert_eq!(
                    kept.moved(incidents),
                    Some((found.moved.clone(), found.span.clone()))
                );
                Some((found.moved, found.span, Some(found.edited)))
            }
            _ => kept
                .moved(incidents)
                .map(|(moved, span)| (moved, span, None)),
        });
        match (self.kept, self.previous, moved) {
            (Some(mut kept), Some(previous), Some((moved, span, edited))) => {
                let edited: Vec<usize> = edited.unwrap_or_else(|| {
                    (0..n)
                        .filter(|&p| self.changed.contains(&incidents[p].slug))
                        .collect()
                });
                let relisted = match remade {
                    Some(remade) => relisted(&previous.related, related, &moved, Some(&remade)),
                    None => relisted(&previous.related, related, &moved, None),
                };
                // Taken, not copied (10,000 lists of words): the update says which changed.
                let mut lists = match cfg!(debug_assertions) {
                    true => previous.similar.clone(),
                    false => std::mem::take(&mut previous.similar),
                };
                if !span.is_empty() {
                    kept.model.renumber(&moved, &mut lists);
                    for position in span {
                        kept.order[position].clone_from(&incidents[position].slug);
                    }
                }
                let changes = Changes {
                    edited: &edited,
                    relisted: &relisted,
                };
                let changed = kept.model.update(incidents, related, changes, &mut lists);
                Lists {
                    lists,
                    kept: Some(kept),
                    changed: Some(changed),
                }
            }
            _ => {
                let (model, lists) = Model::new(config, incidents, related);
                Lists {
                    lists,
                    kept: Some(Kept::new(model, incidents)),
                    changed: None,
                }
            }
        }
    }
}

/// The positions (new) whose related list is not the one the incident had before: the
/// one at old position `p` is now at `moved[p]`, and so are the incidents its old list
/// names. Only among `among` (ascending) when given: the others are vouched for.
fn relisted(
    before: &[Vec<usize>],
    related: &[Vec<usize>],
    moved: &[usize],
    among: Option<&[usize]>,
) -> Vec<usize> {
    let mut was = vec![None; related.len()];
    for (old, &new) in moved.iter().enumerate() {
        if let (Some(slot), Some(list)) = (was.get_mut(new), before.get(old)) {
            *slot = Some(list);
        }
    }
    let differs = |p: usize| {
        let Some(old) = was[p] else { return true };
        old.len() != related[p].len()
            || old
                .iter()
                .zip(&related[p])
                .any(|(&o, &n)| moved.get(o) != Some(&n))
    };
    match among {
        Some(among) => among.iter().copied().filter(|&p| differs(p)).collect(),
        None => (0..related.len()).filter(|&p| differs(p)).collect(),
    }
}

/// After the bodies of the incidents at `edited` changed in place: updates the similar
/// lists and returns the positions whose list (incidents or shared words) is not what it
/// was. A body edit leaves the order and the related lists as they were, so positions
/// compare. Without a kept model every list is computed anew, exactly as a build would,
/// and the model kept; with one, it is updated, with the word statistics it was made with
/// (`docs/similar.md`).
pub(super) fn refresh_similar(current: &mut Current, edited: &[usize]) -> Vec<usize> {
    let site = &mut current.site;
    let (incidents, related) = (&site.incidents, &site.index.related);
    match &mut current.similar {
        Some(kept) => {
            let changes = Changes {
                edited,
                relisted: &[],
            };
            kept.model
                .update(incidents, related, changes, &mut site.index.similar)
        }
        None => {
            let (model, lists) = Model::new(&site.config.similar, incidents, related);
            current.similar = Some(Kept::new(model, incidents));
            let changed = (0..lists.len())
                .filter(|&p| !same_list(&lists[p], &site.index.similar[p]))
                .collect();
            site.index.similar = lists;
            changed
        }
    }
}

/// Whether two lists show the same incidents with the same shared words.
fn same_list(new: &[Similar], old: &[Similar]) -> bool {
    new.len() == old.len()
        && new
            .iter()
            .zip(old)
            .all(|(n, o)| n.position == o.position && n.shared == o.shared)
}

#[cfg(test)]
mod tests {
    use super::Kept;
    use crate::analyze::similar::Model;
    use crate::model::config::SimilarConfig;
    use crate::model::incident::Incident;
    use crate::testing::{site_of, titled};

    /// Incidents with these slugs, in this order.
    fn in_order(slugs: &[&str]) -> Vec<Incident> {
        let files: Vec<(&str, String)> = slugs.iter().map(|s| (*s, titled(s, ""))).collect();
        let site = site_of("", &files);
        let at = |slug: &str| site.incidents.iter().find(|i| i.slug == slug).cloned();
        slugs.iter().filter_map(|slug| at(slug)).collect()
    }

    /// A model that knows the incidents in the order of `slugs`.
    fn kept(slugs: &[&str]) -> Kept {
        let (model, _) = Model::new(&SimilarConfig::default(), &[], &[]);
        Kept {
            model,
            order: slugs.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn where_each_incident_moved_is_found_inside_the_span_that_changed() {
        let before = kept(&["a", "b", "c", "d", "e", "f"]);
        let same = in_order(&["a", "b", "c", "d", "e", "f"]);
        assert_eq!(before.moved(&same), Some(((0..6).collect(), 0..0)));
        // "b" moved past "c" and "d": only positions 1 to 3 changed.
        let later = in_order(&["a", "c", "d", "b", "e", "f"]);
        assert_eq!(before.moved(&later), Some((vec![0, 3, 1, 2, 4, 5], 1..4)));
        // The first and the last swapped: the span is the whole list.
        let swapped = in_order(&["f", "b", "c", "d", "e", "a"]);
        assert_eq!(before.moved(&swapped), Some((vec![5, 1, 2, 3, 4, 0], 0..6)));
        // Another incident in the place of one, or one fewer: not the same incidents.
        let other = in_order(&["a", "c", "x", "b", "e", "f"]);
        assert_eq!(before.moved(&other), None);
        assert_eq!(before.moved(&in_order(&["a", "b"])), None);
    }
}
