//! `write`: the rendered pages onto disk, all or nothing. The only writer.
//!
//! The site is written to a temporary sibling folder and swapped into place with two
//! renames, so a build that fails part-way leaves the previous output untouched, and a web
//! server never sees a mix of old and new pages for longer than between the two renames.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::render::Page;

#[derive(Debug, thiserror::Error)]
#[error("failed to write {path}: {source}")]
pub struct WriteError {
    pub path: String,
    #[source]
    pub source: io::Error,
}

fn context(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError {
        path: path.display().to_string(),
        source,
    }
}

/// A complete site being written next to `out`, swapped into place by [`Staging::commit`].
/// Dropped without committing, it removes itself: a failed build leaves nothing behind.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    retired: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates an empty staging folder beside `out`.
    pub fn new(out: &Path) -> Result<Staging, WriteError> {
        let out = absolute(out);
        let parent = out
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        let staging = Staging {
            dir: parent.join(format!(".{name}.hindsight-new-{}", std::process::id())),
            retired: parent.join(format!(".{name}.hindsight-old-{}", std::process::id())),
            out,
            committed: false,
        };
        remove_if_exists(&staging.dir)?;
        fs::create_dir_all(&staging.dir).map_err(context(&staging.dir))?;
        Ok(staging)
    }

    /// Writes one page into the staging folder; safe to call from many threads.
    pub fn write(&self, page: &Page) -> Result<(), WriteError> {
        let path = self.dir.join(&page.path);
        if let Some(folder) = path.parent() {
            fs::create_dir_all(folder).map_err(context(folder))?;
        }
        fs::write(&path, &page.bytes).map_err(context(&path))
    }

    /// Swaps the staging folder into place of `out`, then removes the previous site.
    pub fn commit(mut self) -> Result<(), WriteError> {
        let had_previous = self.out.exists();
        if had_previous {
            remove_if_exists(&self.retired)?;
            fs::rename(&self.out, &self.retired).map_err(context(&self.out))?;
        }
        if let Err(source) = fs::rename(&self.dir, &self.out) {
            // Put the previous site back so a failed swap changes nothing.
            if had_previous {
                let _ = fs::rename(&self.retired, &self.out);
            }
            return Err(WriteError {
                path: self.out.display().to_string(),
                source,
            });
        }
        self.committed = true;
        if had_previous {
            remove_if_exists(&self.retired)?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Writes `pages` as the complete contents of `out`, replacing what was there.
pub fn write_site(out: &Path, pages: &[Page]) -> Result<(), WriteError> {
    let staging = Staging::new(out)?;
    pages.par_iter().try_for_each(|page| staging.write(page))?;
    staging.commit()
}

/// Writes only the pages whose bytes differ from what is on disk, and removes files that
/// are no longer produced. Used by `serve`, where a whole-tree swap would make the browser
/// reload everything. Returns the paths written.
pub fn update_site(
    out: &Path,
    pages: &[Page],
    previous: &[String],
) -> Result<Vec<String>, WriteError> {
    let written: Vec<String> = pages
        .par_iter()
        .filter_map(|page| {
            let path = out.join(&page.path);
            match fs::read(&path) {
                Ok(existing) if existing == page.bytes => None,
                _ => Some((page, path)),
            }
        })
        .map(|(page, path)| {
            if let Some(folder) = path.parent() {
                fs::create_dir_all(folder).map_err(context(folder))?;
            }
            fs::write(&path, &page.bytes).map_err(context(&path))?;
            Ok(page.path.clone())
        })
        .collect::<Result<_, WriteError>>()?;
    let current: BTreeSet<&str> = pages.iter().map(|p| p.path.as_str()).collect();
    for stale in previous.iter().filter(|p| !current.contains(p.as_str())) {
        let path = out.join(stale);
        match fs::remove_file(&path) {
            Ok(()) => {
                if let Some(folder) = path.parent() {
                    // Only succeeds when empty, which is exactly when it should go.
                    let _ = fs::remove_dir(folder);
                }
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(WriteError {
                    path: path.display().to_string(),
                    source,
                });
            }
        }
    }
    Ok(written)
}

fn remove_if_exists(path: &Path) -> Result<(), WriteError> {
    match fs::remove_dir_all(path) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => Err(context(path)(error)),
        _ => Ok(()),
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(path: &str, text: &str) -> Page {
        Page {
            path: path.into(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    #[test]
    fn replaces_the_whole_tree() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, &[page("a/index.html", "one"), page("old.html", "x")]).unwrap();
        write_site(&out, &[page("a/index.html", "two")]).unwrap();
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "two");
        assert!(!out.join("old.html").exists());
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(
            leftovers.len(),
            1,
            "staging folders must not be left behind"
        );
    }

    #[test]
    fn failed_write_keeps_the_previous_site() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, &[page("index.html", "good")]).unwrap();
        // A page path that is also used as a folder cannot be written.
        let result = write_site(&out, &[page("x", "file"), page("x/index.html", "dir")]);
        assert!(result.is_err());
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "good");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn update_writes_only_changes() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, &[page("a.html", "1"), page("b/index.html", "2")]).unwrap();
        let previous = vec!["a.html".to_string(), "b/index.html".to_string()];
        let written =
            update_site(&out, &[page("a.html", "1"), page("c.html", "3")], &previous).unwrap();
        assert_eq!(written, ["c.html"]);
        assert!(!out.join("b").exists());
    }
}
