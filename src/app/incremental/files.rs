//! The session's view of the content files: what is on disk at the paths a change names,
//! which files changed, their parsed incidents (and last good ones), and where each
//! incident lives between rebuilds.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::time::Instant;

use super::plan::{Listed, metadata_fingerprint, unlisted_fingerprint};
use super::{Current, FileChange, Session, Update};
use crate::analyze::index::Index;
use crate::analyze::site::{self, Site};
use crate::model::diagnostics::{Diagnostic, Level};
use crate::model::incident::Incident;
use crate::parse::source::{self, SourceFile};

/// One content file as last seen.
#[derive(Debug)]
pub(super) struct FileState {
    /// Of the bytes (or read error) last parsed: a touched but unchanged file is skipped.
    pub(super) hash: u64,
    /// The file's incident while it is not in the rendered site: left out (a duplicate
    /// slug, a hidden draft), or between rebuilds. While the file fails to parse, its last
    /// good version.
    pub(super) incident: Option<Incident>,
    /// The slug of the file's incident, wherever it is.
    pub(super) slug: Option<String>,
    /// For bodies that link to other postmortems' files: the HTML before those links were
    /// resolved. Resolution depends on other files, so it is redone on every rebuild.
    pub(super) unresolved_html: Option<String>,
    /// The body links to other files (resolved links, or links `check` reports).
    pub(super) links_files: bool,
    pub(super) diagnostics: Vec<Diagnostic>,
    /// True while `incident` is a last good version kept over a parse failure.
    pub(super) stale: bool,
}

/// The previous site, taken apart by [`Session::unpack`].
#[derive(Default)]
pub(super) struct Unpacked {
    /// Its incidents in order, less those gone back to their files.
    pub(super) kept: Vec<Incident>,
    /// The positions (in the site) of those that went, ascending.
    pub(super) taken: Vec<usize>,
    pub(super) slugs: HashMap<String, usize>,
    pub(super) index: Index,
}

/// A changed file, parsed.
pub(super) struct Parsed {
    pub(super) path: String,
    pub(super) hash: u64,
    pub(super) incident: Option<Incident>,
    pub(super) diagnostics: Vec<Diagnostic>,
}

/// Whether the bodies of a body-only change link to other files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Links {
    None,
    Some,
}

/// An edit in place: every changed file kept its slug, its place and its metadata, but
/// for its body and perhaps its [`Listed`] fields (title, summary, impact, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct InPlace {
    pub(super) links: Links,
    /// Some listed field changed: the pages that list the incident change too.
    pub(super) listed: bool,
}

impl Session {
    /// What is on disk now at each changed path: content files re-read (those whose
    /// bytes are unchanged dropped), folders walked, and every known file at or under a
    /// path that is gone listed as removed.
    pub(super) fn reconcile(
        &self,
        paths: &[&Path],
        update: &mut Update,
    ) -> (Vec<SourceFile>, Vec<String>) {
        let root = &self.options.root;
        let content_dir = self.content_dir();
        let filter = source::ContentFilter::new(&self.config, &content_dir);
        let mut found: BTreeMap<String, Option<SourceFile>> = BTreeMap::new();
        for &path in paths {
            let Ok(inside) = path.strip_prefix(&content_dir) else {
                continue;
            };
            // Hidden folders hold no postmortems (`load_sources` skips them too).
            if inside
                .components()
                .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
            {
                continue;
            }
            let key = source::display_path(path, root);
            let gone_under = |found: &mut BTreeMap<String, Option<SourceFile>>| {
                for known in self.files.keys().filter(|k| is_at_or_under(k, &key)) {
                    found.entry(known.clone()).or_insert(None);
                }
            };
            if path.is_dir() {
                // A folder created, moved in or replaced: what is in it now is the truth.
                // A walk that fails (the folder vanished meanwhile) is left to the event
                // that says so.
                let Ok(content) = source::load_sources(path, root, &filter) else {
                    continue;
                };
                gone_under(&mut found);
                for file in content.sources {
                    found.insert(file.path.clone(), Some(file));
                }
            } else if filter.is_postmortem(path) && (path.is_file() || path.is_symlink()) {
                found.insert(key, Some(source::read_source(path, root)));
            } else {
                gone_under(&mut found);
            }
        }
        let (mut changed, mut removed) = (Vec::new(), Vec::new());
        for (path, file) in found {
            match (file, self.files.get(&path)) {
                (None, Some(_)) => {
                    update.files.push((path.clone(), FileChange::Removed));
                    removed.push(path);
                }
                (None, None) => {}
                (Some(file), known) => {
                    let kind = match known {
                        Some(known) if known.hash == hash_source(&file) => continue,
                        Some(_) => FileChange::Edited,
                        None => FileChange::Added,
                    };
                    update.files.push((path, kind));
                    changed.push(file);
                }
            }
        }
        (changed, removed)
    }

    /// Parses files in parallel, with each incident's table of links noted and its body,
    /// timeline and inferred values packed (`Incident::pack`: the session holds every
    /// body for as long as it runs).
    pub(super) fn parse(&self, sources: Vec<SourceFile>, update: &mut Update) -> Vec<Parsed> {
        let t0 = Instant::now();
        let config = &self.config;
        let results = site::parse_sources(config, &sources, |incident| incident.pack(config));
        let parsed = sources
            .into_iter()
            .zip(results)
            .map(|(file, (incident, diagnostics))| Parsed {
                hash: hash_source(&file),
                path: file.path,
                incident,
                diagnostics,
            })
            .collect();
        update.stages.push(("parse", t0.elapsed()));
        parsed
    }

    /// Stores a parsed file, keeping the last good incident of a file that now fails
    /// with an error. The file's previous incident must be parked (not in a site).
    pub(super) fn store(&mut self, file: Parsed) {
        let failed =
            file.incident.is_none() && file.diagnostics.iter().any(|d| d.level == Level::Error);
        let previous = self.files.remove(&file.path);
        let state = match (file.incident, previous) {
            (Some(incident), _) => {
                let unresolved_html =
                    (incident.body.source_links).then(|| incident.body.html().into_owned());
                FileState {
                    hash: file.hash,
                    slug: Some(incident.slug.clone()),
                    links_files: unresolved_html.is_some() || links_files(&incident),
                    unresolved_html,
                    incident: Some(incident),
                    diagnostics: file.diagnostics,
                    stale: false,
                }
            }
            (None, Some(previous)) if failed && previous.incident.is_some() => FileState {
                hash: file.hash,
                diagnostics: file.diagnostics,
                stale: true,
                ..previous
            },
            (None, _) => FileState {
                hash: file.hash,
                incident: None,
                slug: None,
                unresolved_html: None,
                links_files: false,
                diagnostics: file.diagnostics,
                stale: false,
            },
        };
        self.files.insert(file.path, state);
    }

    /// Takes the previous site apart for the next assembly: the incidents of the files at
    /// `paths` go back to their files (found through their slugs, not by walking the
    /// site), and the others stay in `kept`, in site order.
    pub(super) fn unpack(&mut self, site: Site, paths: &HashSet<String>) -> Unpacked {
        let Site {
            mut incidents,
            index,
            slugs,
            ..
        } = site;
        let mut taken: Vec<usize> = paths
            .iter()
            .filter_map(|path| {
                let position = *slugs.get(self.files.get(path)?.slug.as_ref()?)?;
                (incidents[position].source == *path).then_some(position)
            })
            .collect();
        taken.sort_unstable();
        // In place: only the incidents after the first one taken move, once.
        let mut position = 0;
        let out = incidents.extract_if(.., |_| {
            position += 1;
            taken.binary_search(&(position - 1)).is_ok()
        });
        for incident in out {
            if let Some(state) = self.files.get_mut(&incident.source) {
                state.incident = Some(incident);
            }
        }
        Unpacked {
            kept: incidents,
            taken,
            slugs,
            index,
        }
    }

    /// The incidents to assemble: those kept from the previous site, then every file's
    /// parked one (new, changed, left out), in path order.
    ///
    /// Assembly sorts its input, so its result depends on the input's order only where
    /// two files claim one slug (the first path wins). So when a parked incident's slug
    /// is also another's, every incident goes back to its file and comes out in path
    /// order, as on the first build.
    pub(super) fn assembly_input(&mut self, unpacked: &mut Unpacked) -> Vec<Incident> {
        let Unpacked {
            kept, taken, slugs, ..
        } = unpacked;
        let mut kept = std::mem::take(kept);
        // Where the incident with `slug` is in `kept`, if it stayed there.
        let kept_at = |slug: &str| {
            let position = *slugs.get(slug)?;
            let before = match taken.binary_search(&position) {
                Ok(_) => return None,
                Err(before) => before,
            };
            Some(position - before)
        };
        let mut parked = Vec::new();
        let mut parked_slugs: HashSet<String> = HashSet::new();
        let mut shared = false;
        for (path, file) in &mut self.files {
            match file.incident.take() {
                Some(mut incident) => {
                    if let Some(html) = &file.unresolved_html {
                        incident.body.html.clone_from(html);
                    }
                    shared |= !parked_slugs.insert(incident.slug.clone())
                        || kept_at(&incident.slug).is_some();
                    parked.push(incident);
                }
                // Links to other files are resolved anew on every assembly.
                None => {
                    let Some(html) = &file.unresolved_html else {
                        continue;
                    };
                    if let Some(incident) = file
                        .slug
                        .as_deref()
                        .and_then(kept_at)
                        .and_then(|at| kept.get_mut(at))
                        .filter(|incident| incident.source == *path)
                    {
                        incident.body.html.clone_from(html);
                    }
                }
            }
        }
        if !shared {
            kept.append(&mut parked);
            return kept;
        }
        for incident in kept.into_iter().chain(parked) {
            if let Some(file) = self.files.get_mut(&incident.source) {
                file.incident = Some(incident);
            }
        }
        self.files
            .values_mut()
            .filter_map(|file| {
                let mut incident = file.incident.take()?;
                if let Some(html) = &file.unresolved_html {
                    incident.body.html.clone_from(html);
                }
                Some(incident)
            })
            .collect()
    }

    /// Moves a site's incidents back into their files; returns what the comparison with
    /// the next site needs (the slug map and the index).
    pub(super) fn park(&mut self, site: Site) -> (HashMap<String, usize>, Index) {
        let Site {
            incidents,
            index,
            slugs,
            ..
        } = site;
        for incident in incidents {
            if let Some(file) = self.files.get_mut(&incident.source) {
                file.incident = Some(incident);
            }
        }
        (slugs, index)
    }

    /// The positions in `site` of the incidents of the files at `paths` (relative to the
    /// root): found through each file's slug, not by walking the site.
    pub(super) fn positions_of<'a>(
        &self,
        site: &Site,
        paths: impl IntoIterator<Item = &'a String>,
    ) -> Vec<usize> {
        paths
            .into_iter()
            .filter_map(|path| {
                let position = *site.slugs.get(self.files.get(path)?.slug.as_deref()?)?;
                (site.incidents[position].source == *path).then_some(position)
            })
            .collect()
    }

    /// Whether every parsed file is an edit in place: one that kept its metadata (a
    /// body-only change) or changed only its [`Listed`] fields of it (title, summary,
    /// impact, detection, trigger); whether any of those bodies links to other files, and
    /// whether any listed field changed. `None` when some file's other metadata changed
    /// (or it is new, failed, or was failing).
    pub(super) fn bodies_only(&mut self, parsed: &mut [Parsed]) -> Option<InPlace> {
        let Session { current, files, .. } = self;
        let current = current.as_mut()?;
        let mut in_place = InPlace {
            links: Links::None,
            listed: false,
        };
        for file in parsed.iter_mut() {
            let state = files.get_mut(&file.path)?;
            let new = file.incident.as_mut()?;
            if state.stale {
                return None;
            }
            if state.links_files || links_files(new) {
                in_place.links = Links::Some;
            }
            let old = match place(current, state, &file.path)? {
                Some(position) => &mut current.site.incidents[position],
                None => state.incident.as_mut()?,
            };
            if metadata_fingerprint(old) != metadata_fingerprint(new) {
                if unlisted_fingerprint(old) != unlisted_fingerprint(new) {
                    return None;
                }
                in_place.listed = true;
            }
        }
        Some(in_place)
    }

    /// The in-place path when no body links to other files: swaps the new incidents into
    /// the rendered site as it is (nothing but their bodies and listed fields differ, and
    /// no page but their own shows a body) and returns their positions there, and those of
    /// the incidents whose listed fields changed.
    pub(super) fn replace_bodies(&mut self, parsed: Vec<Parsed>) -> (Vec<usize>, Vec<usize>) {
        let Session { current, files, .. } = self;
        let (mut positions, mut relisted) = (Vec::new(), Vec::new());
        let Some(current) = current.as_mut() else {
            return (positions, relisted);
        };
        for mut file in parsed {
            let (Some(state), Some(incident)) = (files.get_mut(&file.path), file.incident.take())
            else {
                continue;
            };
            let position = place(current, state, &file.path).flatten();
            state.hash = file.hash;
            state.diagnostics = file.diagnostics;
            match position {
                Some(position) => {
                    let old = std::mem::replace(&mut current.site.incidents[position], incident);
                    if Listed::differ(&old, &current.site.incidents[position]) {
                        relisted.push(position);
                    }
                    positions.push(position);
                }
                None => state.incident = Some(incident),
            }
        }
        (positions, relisted)
    }
}

/// Where a stored file's incident is: `Some(Some(position))` in the rendered site,
/// `Some(None)` parked in its file, `None` nowhere (the file has no incident).
pub(super) fn place(current: &Current, state: &FileState, path: &str) -> Option<Option<usize>> {
    if state.incident.is_some() {
        return Some(None);
    }
    let position = *current.site.slugs.get(state.slug.as_deref()?)?;
    (current.site.incidents[position].source == path).then_some(Some(position))
}

/// Whether an incident's body links to other files, which makes its page (and the
/// diagnostics about it) depend on other files.
pub(super) fn links_files(incident: &Incident) -> bool {
    !incident.positions.links.is_empty() || incident.body.source_links
}

fn hash_source(file: &SourceFile) -> u64 {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut hasher = DefaultHasher::new();
    match &file.bytes {
        Ok(bytes) => (0u8, bytes).hash(&mut hasher),
        Err(message) => (1u8, message).hash(&mut hasher),
    }
    hasher.finish()
}

/// Whether the `/`-separated `path` is `folder` or inside it.
fn is_at_or_under(path: &str, folder: &str) -> bool {
    path == folder
        || path
            .strip_prefix(folder)
            .is_some_and(|rest| rest.starts_with('/'))
}
