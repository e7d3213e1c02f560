//! The preview's folder: under the system's temporary folder,
//! `hindsight-serve/<site>-<hash of its path>/site`, one per site path, so that the next
//! preview of a site reuses it. Each holds a `lock` file, locked while a preview runs
//! (a second preview of the same site takes the next free suffix) and naming the site.
//! A site that is gone (a folder renamed or deleted, a test's temporary site) would leave
//! its preview behind for good: each preview that starts removes those whose site no
//! longer exists and that no preview holds. Nothing else is ever removed: a folder
//! without a lock file naming a site was not made by Hindsight (or by one older than
//! this), and is left alone.

use std::fs::{self, File, TryLockError};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

use super::ServeError;

/// The name of each preview's lock file.
const LOCK: &str = "lock";

/// The preview's folder for the site at `root`, created and locked for this process; the
/// lock is held as long as the returned file is open.
pub(super) fn preview_folder(root: &Path) -> Result<(PathBuf, File), ServeError> {
    let canonical = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut hasher = DefaultHasher::new();
    canonical.hash(&mut hasher);
    let name: String = canonical
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(40)
        .collect();
    let previews = std::env::temp_dir().join("hindsight-serve");
    // Best effort: a preview that cannot be removed is no reason not to preview.
    let _ = sweep(&previews);
    let base = previews.join(format!("{name}-{:016x}", hasher.finish()));
    let failed = |path: &Path| {
        let path = path.display().to_string();
        move |source| ServeError::Folder { path, source }
    };
    for attempt in 1..=20 {
        let folder = if attempt == 1 {
            base.clone()
        } else {
            PathBuf::from(format!("{}-{attempt}", base.display()))
        };
        fs::create_dir_all(&folder).map_err(failed(&folder))?;
        let lock_path = folder.join(LOCK);
        let mut lock = File::options()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&lock_path)
            .map_err(failed(&lock_path))?;
        match lock.try_lock() {
            Ok(()) => {
                name_site(&mut lock, &canonical).map_err(failed(&lock_path))?;
                return Ok((folder, lock));
            }
            Err(TryLockError::WouldBlock) => continue,
            Err(TryLockError::Error(source)) => return Err(failed(&lock_path)(source)),
        }
    }
    Err(failed(&base)(io::Error::other(
        "twenty previews of this site are running already",
    )))
}

/// Writes the site's path into its preview's lock file, in place of what was there.
fn name_site(lock: &mut File, site: &Path) -> io::Result<()> {
    lock.set_len(0)?;
    lock.rewind()?;
    lock.write_all(site.as_os_str().as_encoded_bytes())?;
    lock.sync_data()
}

/// Removes each preview under `previews` whose lock file names a site that no longer
/// exists, when no preview holds it (the lock is held while it is removed); returns the
/// folders removed.
fn sweep(previews: &Path) -> io::Result<Vec<PathBuf>> {
    let mut removed = Vec::new();
    for entry in fs::read_dir(previews)? {
        let folder = entry?.path();
        let Ok(mut lock) = File::options()
            .read(true)
            .write(true)
            .open(folder.join(LOCK))
        else {
            continue;
        };
        if lock.try_lock().is_err() {
            continue;
        }
        let mut site = Vec::new();
        lock.read_to_end(&mut site)?;
        // An empty lock file names nothing (an older preview, or one being claimed).
        let Ok(site) = String::from_utf8(site) else {
            continue;
        };
        if site.is_empty() || Path::new(&site).try_exists().unwrap_or(true) {
            continue;
        }
        if fs::remove_dir_all(&folder).is_ok() {
            removed.push(folder);
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A preview folder under `previews` whose lock file holds `site`.
    fn preview(previews: &Path, name: &str, site: Option<&Path>) -> PathBuf {
        let folder = previews.join(name);
        fs::create_dir_all(folder.join("site")).unwrap();
        fs::write(folder.join("site/index.html"), "<!doctype html>").unwrap();
        if let Some(site) = site {
            fs::write(folder.join(LOCK), site.as_os_str().as_encoded_bytes()).unwrap();
        }
        folder
    }

    #[test]
    fn only_free_previews_of_sites_that_are_gone_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let previews = dir.path().join("hindsight-serve");
        let here = dir.path().join("here");
        fs::create_dir(&here).unwrap();
        let gone = dir.path().join("gone");
        let of_gone = preview(&previews, "gone-1", Some(&gone));
        let of_here = preview(&previews, "here-1", Some(&here));
        // Not Hindsight's: no lock file, or one that names no site.
        let unknown = preview(&previews, "someone-elses", None);
        let unnamed = preview(&previews, "unnamed", Some(Path::new("")));
        // Gone, but a preview holds it.
        let held = preview(&previews, "gone-2", Some(&gone));
        let holder = File::options().write(true).open(held.join(LOCK)).unwrap();
        holder.lock().unwrap();

        assert_eq!(sweep(&previews).unwrap(), vec![of_gone.clone()]);
        assert!(!of_gone.exists());
        for kept in [&of_here, &unknown, &unnamed, &held] {
            assert!(kept.join("site/index.html").exists(), "{}", kept.display());
        }
        drop(holder);
        assert_eq!(sweep(&previews).unwrap(), vec![held.clone()]);
    }

    #[test]
    fn a_claimed_preview_names_its_site() {
        let dir = tempfile::tempdir().unwrap();
        let (folder, lock) = preview_folder(dir.path()).unwrap();
        let named = fs::read(folder.join(LOCK)).unwrap();
        let canonical = dir.path().canonicalize().unwrap();
        assert_eq!(named, canonical.as_os_str().as_encoded_bytes());
        drop(lock);
        // The site goes: the next preview of any site removes its folder.
        let other = tempfile::tempdir().unwrap();
        drop(dir);
        let (_other_folder, _other_lock) = preview_folder(other.path()).unwrap();
        assert!(!folder.exists(), "{}", folder.display());
    }
}
