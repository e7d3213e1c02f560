//! `write`: the rendered pages onto disk, all or nothing. The only writer.
//!
//! The site is written to a temporary sibling folder and swapped into place with two
//! renames, so a build that fails part-way leaves the previous output untouched, and a web
//! server never sees a mix of old and new pages for longer than between the two renames.
//!
//! Nothing but Hindsight's own output is ever replaced: every build leaves a [`MARKER`]
//! file in the folder it writes, and a folder without one is replaced only when the user
//! says so (`--force`); a file is never replaced. One build at a time writes an output
//! (a lock beside it), and the one holding the lock removes the staging folders that
//! builds killed part-way left behind.

use std::collections::HashSet;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::render::Page;

/// The file every built output holds, so a later build knows the folder is its to replace.
pub const MARKER: &str = ".hindsight-output";

const MARKER_TEXT: &str =
    "This folder is written by `hindsight build`, which replaces it as a whole.\n";

/// Why an output folder cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(
        "refusing to write the site to {path}: it is a file, not a folder (choose a folder with --output)"
    )]
    IsAFile { path: String },
    #[error(
        "refusing to replace {path}: it holds {entries} files or folders and no {MARKER} from an earlier build, so Hindsight did not write it (choose a new or empty folder, or pass --force to replace it and everything in it)"
    )]
    NotOurs { path: String, entries: usize },
    #[error("another hindsight build is writing {path} (it holds {lock}); run one build at a time")]
    Busy { path: String, lock: String },
}

/// Whether [`Staging`] may replace an output folder that has no [`MARKER`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Replace {
    /// Replace it anyway (`--force`).
    pub force: bool,
}

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

/// A file a build reads back what it set aside from ([`Staging::scratch`]).
pub struct ScratchFile {
    /// Always `Some` but while dropped.
    file: Option<fs::File>,
    /// Its path, where the system would not remove the name of an open file.
    named: Option<PathBuf>,
}

impl ScratchFile {
    fn file(&mut self) -> io::Result<&mut fs::File> {
        self.file
            .as_mut()
            .ok_or_else(|| io::Error::other("scratch file already closed"))
    }
}

impl io::Read for ScratchFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.file()?.read(buf)
    }
}

impl io::Write for ScratchFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file()?.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file()?.flush()
    }
}

impl io::Seek for ScratchFile {
    fn seek(&mut self, to: io::SeekFrom) -> io::Result<u64> {
        self.file()?.seek(to)
    }
}

impl Drop for ScratchFile {
    fn drop(&mut self) {
        // Closed first: a system that kept its name will not remove an open file.
        drop(self.file.take());
        if let Some(path) = self.named.take() {
            let _ = fs::remove_file(path);
        }
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
    /// The folders made in it so far. Asking the file system for a folder that exists
    /// costs two system calls (a failed `mkdir`, a `stat`), and the search index writes
    /// many files into each of a few folders.
    folders: Mutex<HashSet<PathBuf>>,
    /// Scratch files made so far ([`Staging::scratch`]), which number the next.
    scratches: std::sync::atomic::AtomicUsize,
    /// Held until the staging folder is committed or removed.
    _lock: OutputLock,
}

impl Staging {
    /// Creates an empty staging folder beside `out`, once `out` is known to be Hindsight's
    /// to replace and no other build is writing it; removes what killed builds of the same
    /// output left beside it.
    pub fn new(out: &Path, replace: Replace) -> Result<Staging, OutputError> {
        let out = absolute(out);
        check_replaceable(&out, replace)?;
        let parent = out
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        fs::create_dir_all(&parent).map_err(context(&parent))?;
        let lock = OutputLock::acquire(&parent.join(format!(".{name}.hindsight-lock")), &out)?;
        remove_stale_staging(&parent, &name)?;
        let staging = Staging {
            dir: parent.join(format!(".{name}.hindsight-new-{}", std::process::id())),
            retired: parent.join(format!(".{name}.hindsight-old-{}", std::process::id())),
            out,
            committed: false,
            folders: Mutex::new(HashSet::new()),
            scratches: Default::default(),
            _lock: lock,
        };
        fs::create_dir_all(&staging.dir).map_err(context(&staging.dir))?;
        let marker = staging.dir.join(MARKER);
        fs::write(&marker, MARKER_TEXT).map_err(context(&marker))?;
        Ok(staging)
    }

    /// A scratch file in the staging folder, for what a build sets aside while it renders
    /// (the search index's terms of a large archive). Its name is removed at once: on Unix
    /// the open file lives on unnamed, so nothing is left of it however the build ends;
    /// elsewhere it is removed when dropped, and goes with the staging folder if not.
    pub fn scratch(&self) -> Result<ScratchFile, WriteError> {
        let n = self
            .scratches
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = self.dir.join(format!(".hindsight-scratch-{n}"));
        let file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(context(&path))?;
        let named = fs::remove_file(&path).is_err().then_some(path);
        Ok(ScratchFile {
            file: Some(file),
            named,
        })
    }

    /// Writes one page into the staging folder; safe to call from many threads.
    pub fn write(&self, page: &Page) -> Result<(), WriteError> {
        let path = self.file(&page.path)?;
        fs::write(&path, &page.bytes).map_err(context(&path))
    }

    /// Writes the file at `path` (relative to the site) in parts, as `write` makes them,
    /// through a buffer: a file of hundreds of megabytes is never held whole. Safe to call
    /// from many threads. A failure leaves a partial file, which goes with the staging
    /// folder.
    pub fn write_with<E: From<WriteError>>(
        &self,
        path: &str,
        write: impl FnOnce(&mut dyn io::Write) -> Result<(), E>,
    ) -> Result<(), E> {
        let path = self.file(path)?;
        let file = fs::File::create(&path).map_err(context(&path))?;
        let mut buffered = io::BufWriter::with_capacity(1 << 16, file);
        write(&mut buffered)?;
        io::Write::flush(&mut buffered).map_err(context(&path))?;
        Ok(())
    }

    /// Where the file at `path` (relative to the site) goes in the staging folder, its
    /// folder made.
    fn file(&self, path: &str) -> Result<PathBuf, WriteError> {
        let path = self.dir.join(path);
        if let Some(folder) = path.parent()
            && folder != self.dir
            && !self.made(folder)
        {
            fs::create_dir_all(folder).map_err(context(folder))?;
            self.lock_folders().insert(folder.to_path_buf());
        }
        Ok(path)
    }

    /// Whether `folder` was made by an earlier [`Staging::write`].
    fn made(&self, folder: &Path) -> bool {
        self.lock_folders().contains(folder)
    }

    fn lock_folders(&self) -> std::sync::MutexGuard<'_, HashSet<PathBuf>> {
        // A thread that panicked holding the set left it whole: a folder is in it only
        // once made.
        self.folders.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Swaps the staging folder into place of `out`, then removes the previous site.
    pub fn commit(self) -> Result<(), WriteError> {
        match self.commit_leaving_previous()? {
            Some(previous) => previous.remove(),
            None => Ok(()),
        }
    }

    /// Swaps the staging folder into place of `out`, and hands back the previous site,
    /// renamed aside (`.NAME.hindsight-old-PID`), for the caller to remove when nobody
    /// waits on it: `serve` starts serving first (removing 10,000 pages from a disk took
    /// two seconds). A previous site left behind by a process that ended first is removed
    /// by the next build of the same output.
    pub fn commit_leaving_previous(mut self) -> Result<Option<Previous>, WriteError> {
        let had_previous = fs::symlink_metadata(&self.out).is_ok();
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
        Ok(had_previous.then(|| Previous {
            path: Some(std::mem::take(&mut self.retired)),
        }))
    }
}

/// The site a [`Staging::commit_leaving_previous`] replaced, renamed aside; removed by
/// [`Previous::remove`], or on drop (errors ignored there).
#[derive(Debug)]
pub struct Previous {
    /// `Some` until removed.
    path: Option<PathBuf>,
}

impl Previous {
    /// Removes the previous site, with every thread of the pool.
    pub fn remove(mut self) -> Result<(), WriteError> {
        match self.path.take() {
            Some(path) => remove_tree(&path),
            None => Ok(()),
        }
    }

    /// Removes the previous site on this thread alone: for a thread of its own, leaving
    /// the pool to the work someone waits on.
    pub fn remove_quietly(self) {
        drop(self);
    }
}

impl Drop for Previous {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            let _ = fs::remove_dir_all(path);
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Refuses an output that is a file, or a non-empty folder without Hindsight's marker
/// (unless `replace.force`). A missing or empty folder is fine.
fn check_replaceable(out: &Path, replace: Replace) -> Result<(), OutputError> {
    let path = out.display().to_string();
    let Ok(meta) = fs::metadata(out) else {
        return Ok(());
    };
    if !meta.is_dir() {
        return Err(OutputError::IsAFile { path });
    }
    if replace.force || out.join(MARKER).is_file() {
        return Ok(());
    }
    let entries = fs::read_dir(out).map_err(context(out))?.count();
    if entries == 0 {
        return Ok(());
    }
    Err(OutputError::NotOurs { path, entries })
}

/// Removes the staging and retired folders of earlier builds of the output `name` in
/// `parent`. Only called with the output's lock held, so no live build owns them.
fn remove_stale_staging(parent: &Path, name: &str) -> Result<(), WriteError> {
    let prefixes = [
        format!(".{name}.hindsight-new-"),
        format!(".{name}.hindsight-old-"),
    ];
    for entry in fs::read_dir(parent).map_err(context(parent))?.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        let is_ours = prefixes.iter().any(|prefix| {
            file_name
                .strip_prefix(prefix.as_str())
                .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
        });
        if is_ours {
            remove_if_exists(&entry.path())?;
        }
    }
    Ok(())
}

/// An exclusive lock on one output, held by the build writing it: a file beside the
/// output, locked by the operating system, so a build killed part-way releases it.
/// Removed when dropped.
#[derive(Debug)]
struct OutputLock {
    path: PathBuf,
    _file: fs::File,
}

impl OutputLock {
    fn acquire(path: &Path, out: &Path) -> Result<OutputLock, OutputError> {
        loop {
            let file = fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(path)
                .map_err(context(path))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(OutputError::Busy {
                        path: out.display().to_string(),
                        lock: path.display().to_string(),
                    });
                }
                Err(fs::TryLockError::Error(source)) => {
                    return Err(context(path)(source).into());
                }
            }
            // The build before may have removed the file between our open and our lock;
            // then the lock is on a file nobody else can find, and we start again.
            if same_file(&file, path) {
                return Ok(OutputLock {
                    path: path.to_path_buf(),
                    _file: file,
                });
            }
        }
    }
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        // Removed while still locked, so the next build opens a new file.
        let _ = fs::remove_file(&self.path);
    }
}

/// Whether `path` still names the open `file`.
#[cfg(unix)]
fn same_file(file: &fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(open), Ok(named)) => open.dev() == named.dev() && open.ino() == named.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &fs::File, path: &Path) -> bool {
    path.exists()
}

/// Writes `pages` as the complete contents of `out`, replacing what was there.
pub fn write_site(out: &Path, pages: &[Page]) -> Result<(), OutputError> {
    let staging = Staging::new(out, Replace::default())?;
    pages.par_iter().try_for_each(|page| staging.write(page))?;
    Ok(staging.commit()?)
}

/// Writes one page into `out` unless the file there already holds exactly these bytes;
/// returns whether it wrote. Used by `serve` after a partial render. The bytes go to a
/// hidden file beside the page first and are renamed over it, so a server reading the
/// folder at the same moment sees the old page or the new one, never half of one.
pub fn write_if_changed(out: &Path, page: &Page) -> Result<bool, WriteError> {
    let path = out.join(&page.path);
    if holds(&path, &page.bytes) {
        return Ok(false);
    }
    let temporary = hidden_beside(&path, out)?;
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

/// The hidden file a page at `path` (in `out`) is written to before it is renamed over
/// the page, its folder made.
fn hidden_beside(path: &Path, out: &Path) -> Result<PathBuf, WriteError> {
    let folder = path.parent().unwrap_or(out);
    fs::create_dir_all(folder).map_err(context(folder))?;
    let name = (path.file_name()).map_or(String::new(), |n| n.to_string_lossy().into_owned());
    Ok(folder.join(format!(".{name}.hindsight-tmp-{}", std::process::id())))
}

/// [`write_if_changed`] for the page at `page` (relative to `out`) that `write` writes in
/// parts: the data exports and `/incidents/`, megabytes at 10,000 postmortems, which
/// `serve` then never holds whole (held, they put 20–30 MiB on its peak memory at every
/// edit that reached them). The parts are compared with the file as they come; from the
/// first that differs on they go to a hidden file beside the page (after the bytes before
/// it, copied from the page's file), which is renamed over the page at the end. Returns
/// whether it wrote; nothing is left behind when `write` fails.
pub fn write_if_changed_with<E: From<WriteError>>(
    out: &Path,
    page: &str,
    write: impl FnOnce(&mut dyn io::Write) -> Result<(), E>,
) -> Result<bool, E> {
    let path = out.join(page);
    let mut compared = Compared {
        old: fs::File::open(&path).ok().map(io::BufReader::new),
        path: &path,
        out,
        same: 0,
        new: None,
        block: Vec::new(),
    };
    // Parts are often a table row each: compared and written a buffer at a time.
    let mut buffered = io::BufWriter::with_capacity(64 * 1024, &mut compared);
    write(&mut buffered)?;
    io::Write::flush(&mut buffered).map_err(|source| WriteError {
        path: path.display().to_string(),
        source,
    })?;
    drop(buffered);
    Ok(compared.finish()?)
}

/// A page written in parts over the file it replaces ([`write_if_changed_with`]).
struct Compared<'p> {
    path: &'p Path,
    out: &'p Path,
    /// The page's file as it was, read alongside the parts while they match it.
    old: Option<io::BufReader<fs::File>>,
    /// How many bytes matched it.
    same: u64,
    /// Once a part differed: the hidden file the page is written to, and where.
    new: Option<(PathBuf, io::BufWriter<fs::File>)>,
    block: Vec<u8>,
}

impl Compared<'_> {
    /// Whether the page's file goes on with `bytes`. A file that cannot be read is taken
    /// to differ, as [`holds`] takes it: the page is written over it.
    fn matches(&mut self, bytes: &[u8]) -> bool {
        let Some(old) = &mut self.old else {
            return false;
        };
        self.block.resize(bytes.len(), 0);
        let mut read = 0;
        while read < bytes.len() {
            match old.read(&mut self.block[read..]) {
                Ok(0) => return false,
                Ok(n) => read += n,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return false,
            }
        }
        self.block == bytes
    }

    /// The hidden file, begun with the bytes that matched.
    fn writer(&mut self) -> io::Result<&mut io::BufWriter<fs::File>> {
        let new = match self.new.take() {
            Some(new) => new,
            None => self.begun()?,
        };
        // Held from here on, so that a later failure removes it (`Drop`).
        Ok(&mut self.new.insert(new).1)
    }

    /// A new hidden file beside the page, holding the bytes that matched.
    fn begun(&mut self) -> io::Result<(PathBuf, io::BufWriter<fs::File>)> {
        let temporary = hidden_beside(self.path, self.out).map_err(|e| e.source)?;
        let mut new = io::BufWriter::with_capacity(1 << 16, fs::File::create(&temporary)?);
        let copied = match self.same {
            0 => Ok(0),
            same => {
                fs::File::open(self.path).and_then(|old| io::copy(&mut old.take(same), &mut new))
            }
        };
        if let Err(error) = copied {
            let _ = fs::remove_file(&temporary);
            return Err(error);
        }
        self.old = None;
        Ok((temporary, new))
    }

    /// Renames the hidden file over the page, if a part differed or the page's file was
    /// longer (or missing); returns whether it did.
    fn finish(mut self) -> Result<bool, WriteError> {
        let failed = |path: &Path| {
            let path = path.display().to_string();
            move |source| WriteError { path, source }
        };
        if self.new.is_none() {
            let longer = match &mut self.old {
                Some(old) => !matches!(old.read(&mut [0]), Ok(0)),
                None => true,
            };
            if !longer {
                return Ok(false);
            }
            let path = self.path;
            self.writer().map_err(failed(path))?;
        }
        let Some((temporary, mut new)) = self.new.take() else {
            return Ok(false);
        };
        let renamed = io::Write::flush(&mut new)
            .map_err(failed(&temporary))
            .and_then(|()| fs::rename(&temporary, self.path).map_err(failed(self.path)));
        if renamed.is_err() {
            let _ = fs::remove_file(&temporary);
        }
        renamed.map(|()| true)
    }
}

impl io::Write for Compared<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if self.new.is_none() {
            // A block at a time: a part may be large, and the page's file is not read
            // further than the first difference.
            let mut rest = bytes;
            while !rest.is_empty() {
                let (block, after) = rest.split_at(rest.len().min(64 * 1024));
                if !self.matches(block) {
                    break;
                }
                self.same += block.len() as u64;
                rest = after;
            }
            if rest.is_empty() {
                return Ok(bytes.len());
            }
            self.writer()?.write_all(rest)?;
            return Ok(bytes.len());
        }
        self.writer()?.write_all(bytes)?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.new {
            Some((_, new)) => new.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for Compared<'_> {
    fn drop(&mut self) {
        if let Some((temporary, _)) = self.new.take() {
            let _ = fs::remove_file(temporary);
        }
    }
}

/// Whether the file at `path` holds exactly `bytes`. Compared a block at a time, stopping
/// at the first difference: a changed page is seldom read to its end, and an unchanged
/// one is not copied whole into memory (the exports are megabytes).
fn holds(path: &Path, bytes: &[u8]) -> bool {
    let Ok(mut file) = fs::File::open(path) else {
        return false;
    };
    if !file
        .metadata()
        .is_ok_and(|meta| meta.len() == bytes.len() as u64)
    {
        return false;
    }
    let mut block = vec![0; bytes.len().clamp(1, 64 * 1024)];
    let mut rest = bytes;
    loop {
        match file.read(&mut block) {
            Ok(0) => return rest.is_empty(),
            Ok(read) => match rest.strip_prefix(&block[..read]) {
                Some(after) => rest = after,
                None => return false,
            },
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
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

/// Removes the folder at `path` (the previous site, once swapped out) and everything in
/// it, its files in parallel: `fs::remove_dir_all` took 230-250 ms on one core for the
/// 11,000 files of 10,000 postmortems (7% of a build that replaces its last output),
/// this 180-200 ms on two.
/// Links are removed, never followed. Whatever the walk could not remove is left to
/// `fs::remove_dir_all`.
fn remove_tree(path: &Path) -> Result<(), WriteError> {
    let mut files = Vec::new();
    let mut folders = Vec::new();
    let walk = walkdir::WalkDir::new(path).follow_links(false);
    for entry in walk.follow_root_links(false) {
        let Ok(entry) = entry else { continue };
        match entry.file_type().is_dir() {
            true => folders.push(entry.into_path()),
            false => files.push(entry.into_path()),
        }
    }
    files.par_iter().for_each(|file| {
        let _ = fs::remove_file(file);
    });
    // A folder comes before what it holds in the walk, so after it backwards. (Removing
    // them in parallel, a level at a time, saved nothing more on tmpfs.)
    for folder in folders.iter().rev() {
        let _ = fs::remove_dir(folder);
    }
    remove_if_exists(path)
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

    /// A commit that leaves the previous site puts the new one in place at once, the
    /// previous one renamed aside beside it, and that is gone once removed or dropped,
    /// from another thread too (`serve` removes it on one of its own).
    #[test]
    fn the_previous_site_left_aside_is_removed_later_or_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let names = || {
            let mut names: Vec<String> = fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        let stage = |text: &str| {
            let staging = Staging::new(&out, Replace::default()).unwrap();
            staging.write(&page("index.html", text)).unwrap();
            staging
        };
        assert!(stage("one").commit_leaving_previous().unwrap().is_none());
        let previous = stage("two").commit_leaving_previous().unwrap().unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "two");
        let retired = format!(".public.hindsight-old-{}", std::process::id());
        assert!(names().contains(&retired), "{:?}", names());
        std::thread::spawn(move || previous.remove_quietly())
            .join()
            .unwrap();
        assert!(!names().contains(&retired), "{:?}", names());
        drop(stage("three").commit_leaving_previous().unwrap());
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "three");
        assert!(!names().contains(&retired), "{:?}", names());
        stage("four")
            .commit_leaving_previous()
            .unwrap()
            .unwrap()
            .remove()
            .unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "four");
        assert!(!names().contains(&retired), "{:?}", names());
    }

    /// The previous site is removed whole once the new one is in place, however deep,
    /// and nothing is left beside the output; a link in it is removed, not followed.
    #[test]
    fn the_previous_site_goes_whole_and_links_in_it_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let kept = dir.path().join("kept");
        fs::create_dir_all(kept.join("deep")).unwrap();
        fs::write(kept.join("deep/file.txt"), "not the site's").unwrap();
        let pages: Vec<Page> = (0..200)
            .map(|i| page(&format!("incidents/{i}/index.html"), "old"))
            .collect();
        write_site(&out, &pages).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&kept, out.join("incidents/link")).unwrap();
        write_site(&out, &[page("index.html", "new")]).unwrap();
        assert!(!out.join("incidents").exists());
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "new");
        assert_eq!(
            fs::read_to_string(kept.join("deep/file.txt")).unwrap(),
            "not the site's"
        );
        let mut beside: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        beside.sort();
        assert_eq!(beside, ["kept", "public"]);
    }

    /// An output that is a link to a folder: the link is replaced by the new site, and the
    /// folder it pointed at is left as it was.
    #[cfg(unix)]
    #[test]
    fn an_output_that_is_a_link_is_replaced_and_its_target_kept() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        write_site(&target, &[page("index.html", "old")]).unwrap();
        let out = dir.path().join("public");
        std::os::unix::fs::symlink(&target, &out).unwrap();
        write_site(&out, &[page("index.html", "new")]).unwrap();
        assert!(!fs::symlink_metadata(&out).unwrap().file_type().is_symlink());
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "new");
        assert_eq!(
            fs::read_to_string(target.join("index.html")).unwrap(),
            "old"
        );
    }

    /// A scratch file reads back what was written to it, and leaves nothing in the site:
    /// not while it is open (on Unix), not once dropped, not after the commit.
    #[test]
    fn scratch_files_read_back_and_leave_nothing_in_the_site() {
        use std::io::{Seek, Write};
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let staging = Staging::new(&out, Replace::default()).unwrap();
        let (mut first, mut second) = (staging.scratch().unwrap(), staging.scratch().unwrap());
        first.write_all(b"terms of the first run").unwrap();
        second.write_all(b"second").unwrap();
        if cfg!(unix) {
            assert_eq!(entries_of(&staging.dir), [MARKER]);
        }
        first.seek(io::SeekFrom::Start(9)).unwrap();
        let mut read = String::new();
        first.read_to_string(&mut read).unwrap();
        assert_eq!(read, "the first run");
        drop((first, second));
        assert_eq!(entries_of(&staging.dir), [MARKER]);
        staging.write(&page("index.html", "site")).unwrap();
        staging.commit().unwrap();
        assert_eq!(entries_of(&out), [MARKER, "index.html"]);
    }

    /// A file written in parts holds every part; a part that fails fails the build, which
    /// leaves the previous site and nothing beside it.
    #[test]
    fn a_file_written_in_parts_is_whole_or_gone_with_the_build() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let staging = Staging::new(&out, Replace::default()).unwrap();
        staging
            .write_with("data/big.json", |to| {
                for part in 0..100_000u32 {
                    write!(to, "{part},").map_err(context(Path::new("data/big.json")))?;
                }
                Ok::<(), WriteError>(())
            })
            .unwrap();
        staging.commit().unwrap();
        let written = fs::read_to_string(out.join("data/big.json")).unwrap();
        let expected: String = (0..100_000u32).map(|part| format!("{part},")).collect();
        assert_eq!(written, expected);

        let staging = Staging::new(&out, Replace::default()).unwrap();
        let failed = staging.write_with("data/big.json", |to| {
            to.write_all(b"half").map_err(context(Path::new("x")))?;
            Err(WriteError {
                path: "data/big.json".into(),
                source: io::Error::other("the disk is full"),
            })
        });
        assert_eq!(
            failed.unwrap_err().to_string(),
            "failed to write data/big.json: the disk is full"
        );
        drop(staging);
        assert_eq!(
            fs::read_to_string(out.join("data/big.json")).unwrap(),
            expected
        );
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

    #[test]
    fn pages_larger_than_a_block_are_compared_whole() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let big = "x".repeat(200 * 1024);
        assert!(write_if_changed(&out, &page("data.json", &big)).unwrap());
        assert!(!write_if_changed(&out, &page("data.json", &big)).unwrap());
        // Same length, one byte different after the first blocks.
        let last = format!("{}y", &big[..big.len() - 1]);
        assert!(write_if_changed(&out, &page("data.json", &last)).unwrap());
        assert_eq!(fs::read_to_string(out.join("data.json")).unwrap(), last);
        assert!(!holds(&out.join("missing.json"), b""));
    }

    /// Writes `parts` through [`write_if_changed_with`], each part as one write.
    fn streamed(out: &Path, path: &str, parts: &[&str]) -> Result<bool, WriteError> {
        write_if_changed_with(out, path, |to| {
            for part in parts {
                to.write_all(part.as_bytes()).map_err(|source| WriteError {
                    path: path.to_string(),
                    source,
                })?;
            }
            Ok::<(), WriteError>(())
        })
    }

    #[test]
    #[cfg(unix)]
    fn a_page_written_in_parts_is_written_only_from_its_first_difference() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let read = || fs::read_to_string(out.join("data/x.json")).unwrap();
        let inode = || fs::metadata(out.join("data/x.json")).unwrap().ino();
        // No file yet: written, its folder made.
        assert!(streamed(&out, "data/x.json", &["ab", "cd", "ef"]).unwrap());
        assert_eq!(read(), "abcdef");
        // The same bytes in other parts: the file is left as it is.
        let before = inode();
        assert!(!streamed(&out, "data/x.json", &["a", "bcde", "f"]).unwrap());
        assert_eq!(inode(), before, "an unchanged page is not replaced");
        // A difference inside a part, after matching ones: the bytes before it are kept.
        assert!(streamed(&out, "data/x.json", &["ab", "cX", "ef"]).unwrap());
        assert_eq!(read(), "abcXef");
        // Shorter, a prefix of the file: the file's tail goes.
        assert!(streamed(&out, "data/x.json", &["abc"]).unwrap());
        assert_eq!(read(), "abc");
        // Longer: the new tail is added.
        assert!(streamed(&out, "data/x.json", &["abc", "def"]).unwrap());
        assert_eq!(read(), "abcdef");
        // Nothing at all over a file: the page is emptied, as the render said.
        assert!(streamed(&out, "data/x.json", &[]).unwrap());
        assert_eq!(read(), "");
        // A part larger than a comparison block, different only after the first blocks.
        let big = "x".repeat(200 * 1024);
        assert!(streamed(&out, "data/x.json", &[&big]).unwrap());
        assert!(!streamed(&out, "data/x.json", &[&big[..1000], &big[1000..]]).unwrap());
        let last = format!("{}y", &big[..big.len() - 1]);
        assert!(streamed(&out, "data/x.json", &[&last]).unwrap());
        assert_eq!(read(), last);
        assert_eq!(
            entries_of(&out.join("data")),
            ["x.json"],
            "no hidden file left"
        );
    }

    #[test]
    fn a_page_whose_parts_fail_leaves_the_old_page_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        assert!(streamed(&out, "data/x.json", &["abc", "def"]).unwrap());
        // Fails after a part that differed, when the hidden file was being written.
        let failed = write_if_changed_with(&out, "data/x.json", |to| {
            to.write_all(b"abZ").unwrap();
            Err(WriteError {
                path: "data/x.json".into(),
                source: io::Error::other("the render failed"),
            })
        });
        assert_eq!(failed.unwrap_err().source.to_string(), "the render failed");
        assert_eq!(
            fs::read_to_string(out.join("data/x.json")).unwrap(),
            "abcdef"
        );
        assert_eq!(
            entries_of(&out.join("data")),
            ["x.json"],
            "no hidden file left"
        );
    }

    /// The names in `dir`, sorted: a hidden or scratch file left behind shows here.
    fn entries_of(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}
