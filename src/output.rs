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

/// Writes one page into `out` unless the file there already holds exactly these bytes;
/// returns whether it wrote. Used by `serve` after a partial render. The bytes go to a
/// hidden file beside the page first and are renamed over it, so a server reading the
/// folder at the same moment sees the old page or the new one, never half of one.
pub fn write_if_changed(out: &Path, page: &Page) -> Result<bool, WriteError> {
    let path = out.join(&page.path);
    if let Ok(meta) = fs::metadata(&path)
        && meta.len() == page.bytes.len() as u64
        && fs::read(&path).is_ok_and(|existing| existing == page.bytes)
    {
        return Ok(false);
    }
    let folder = path.parent().unwrap_or(out);
    fs::create_dir_all(folder).map_err(context(folder))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = folder.join(format!(".{name}.hindsight-tmp-{}", std::process::id()));
    fs::write(&temporary, &page.bytes).map_err(context(&temporary))?;
    if let Err(source) = fs::rename(&temporary, &path) {
        let _ = fs::remove_file(&temporary);
        return Err(WriteError {
            path: path.display().to_string(),
            source,
        });
    }
    Ok(true)
}

/// Removes pages that are no longer produced (paths relative to `out`), and the folders
/// they leave empty. A page that is already gone is not an error.
pub fn remove_pages(out: &Path, paths: &[String]) -> Result<(), WriteError> {
    for page in paths {
        let path = out.join(page);
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
            Err(source) => {
                return Err(WriteError {
                    path: path.display().to_string(),
                    source,
                });
            }
        }
        let mut folder = path.parent();
        while let Some(dir) = folder.filter(|dir| *dir != out && dir.starts_with(out)) {
            // Only succeeds when empty, which is exactly when it should go.
            if fs::remove_dir(dir).is_err() {
                break;
            }
            folder = dir.parent();
        }
    }
    Ok(())
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
    fn writes_only_changed_pages_and_removes_gone_ones() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        assert!(write_if_changed(&out, &page("a/b/index.html", "1")).unwrap());
        assert!(!write_if_changed(&out, &page("a/b/index.html", "1")).unwrap());
        assert!(write_if_changed(&out, &page("a/b/index.html", "2")).unwrap());
        assert_eq!(fs::read_to_string(out.join("a/b/index.html")).unwrap(), "2");
        assert_eq!(entries_of(&out.join("a/b")), ["index.html"]);
        remove_pages(&out, &["a/b/index.html".into(), "missing.html".into()]).unwrap();
        assert!(!out.join("a").exists(), "emptied folders go too");
        assert!(out.exists(), "the output folder itself stays");
    }

    fn entries_of(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
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
