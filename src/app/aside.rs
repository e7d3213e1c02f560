//! A build's file of bodies set aside: each body's HTML, plain text, headings and timeline,
//! and what was inferred from a postmortem without front matter, written once its file is
//! parsed and read back when its page is made, so a build renders each Markdown body once
//! instead of twice without holding the archive's bodies in memory
//! (`analyze::site::BodyHtml::SetAside`).
//!
//! Rendering each body again for its page was about a tenth of a 10,000-postmortem build's
//! time (the Markdown, the file read again, its timeline read again), at every size; holding
//! the bodies instead would take some 80 MB at 10,000 and 800 MB at 100,000. Written here,
//! they take the temporary folder's disk (or memory, where it is a `tmpfs`) while the build
//! runs, and nothing once it ends. On Unix the file's name is removed as soon as it is
//! open, so not even a killed build leaves it behind; where the system keeps the name of
//! an open file (Windows), it is removed when the build ends, and a killed build leaves a
//! `.hindsight-bodies-PID-N` file in the temporary folder, for the system's own clean-up.
//!
//! Bodies are written and read at their own offsets, from every thread at once. A body
//! that could not be written (a full disk) is rendered again from its file, as before.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::analyze::site::SetAside;
use crate::model::bytes::{self, Reader, push_str, push_u32};
use crate::model::incident::{Aside, Rendered, TocEntry};
use crate::model::inference::{InferredField, TimelineEvent};

/// The file of bodies set aside by one build; removed (or left unnamed) when dropped.
pub struct AsideFile {
    /// Always `Some` but while dropped.
    file: Option<fs::File>,
    /// Where the next body goes.
    end: AtomicU64,
    /// Its path, where the system would not remove the name of an open file.
    named: Option<PathBuf>,
    /// Emptied by [`AsideFile::release`]: bodies are neither written nor read any more.
    released: AtomicBool,
}

/// A body as it was set aside: what its page and the search index read of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsideBody {
    pub html: String,
    pub plain_text: String,
    pub toc: Vec<TocEntry>,
    pub timeline: Vec<TimelineEvent>,
    /// For a postmortem without front matter, what its page lists as inferred
    /// (`Inference::fields`): the build holds the inference only while it parses.
    pub inferred: Vec<InferredField>,
}

impl AsideFile {
    /// An empty file of bodies in `dir`, its name removed at once where the system allows.
    pub fn new_in(dir: &Path) -> io::Result<AsideFile> {
        let mut attempt = 0;
        let (file, path) = loop {
            let path = dir.join(format!(
                ".hindsight-bodies-{}-{attempt}",
                std::process::id()
            ));
            match fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(file) => break (file, path),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 16 => attempt += 1,
                Err(e) => return Err(e),
            }
        };
        let named = fs::remove_file(&path).is_err().then_some(path);
        Ok(AsideFile {
            file: Some(file),
            end: AtomicU64::new(0),
            named,
            released: AtomicBool::new(false),
        })
    }

    /// An empty file of bodies in the system's temporary folder (`TMPDIR` on Unix).
    pub fn new() -> io::Result<AsideFile> {
        AsideFile::new_in(&std::env::temp_dir())
    }

    fn file(&self) -> io::Result<&fs::File> {
        if self.released.load(Ordering::Acquire) {
            return Err(io::Error::other("the file of bodies was released"));
        }
        self.file
            .as_ref()
            .ok_or_else(|| io::Error::other("the file of bodies is closed"))
    }

    /// Empties the file once every body was read back, so that the system frees its
    /// pages now, beside the work left, rather than when the build ends: a 100,000
    /// postmortem build sets 1.3 GB aside, which took 0.2 s to free after its last page
    /// was written. A body asked for after this is rendered again from its file.
    pub fn release(&self) {
        if self.released.swap(true, Ordering::AcqRel) {
            return;
        }
        if let Some(file) = &self.file {
            // Nothing is lost if this fails: the file goes when the build ends.
            let _ = file.set_len(0);
        }
    }

    /// Writes `bytes` after everything written so far; where.
    fn put(&self, bytes: &[u8]) -> io::Result<Aside> {
        let len = u32::try_from(bytes.len())
            .map_err(|_| io::Error::other("a body of 4 GB or more is not set aside"))?;
        let at = self.end.fetch_add(u64::from(len), Ordering::Relaxed);
        write_at(self.file()?, bytes, at)?;
        Ok(Aside { at, len })
    }

    /// The body set aside at `aside`.
    pub fn read(&self, aside: Aside) -> io::Result<AsideBody> {
        with_buffer(|bytes| {
            bytes.resize(aside.len as usize, 0);
            read_at(self.file()?, bytes, aside.at)?;
            decode(bytes).ok_or_else(|| io::Error::other("a body set aside does not read back"))
        })
    }
}

impl SetAside for AsideFile {
    fn set_aside(
        &self,
        body: &Rendered,
        timeline: &[TimelineEvent],
        inferred: &[InferredField],
    ) -> Option<Aside> {
        with_buffer(|bytes| {
            encode(body, timeline, inferred, bytes);
            self.put(bytes).ok()
        })
    }
}

/// Runs `f` with this thread's buffer for a body's bytes, emptied: a body is some 13 KB,
/// which jemalloc would hand out as a large allocation, zeroed and faulted in, each time.
fn with_buffer<T>(f: impl FnOnce(&mut Vec<u8>) -> T) -> T {
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUFFER.with(|buffer| match buffer.try_borrow_mut() {
        Ok(mut bytes) => {
            bytes.clear();
            let done = f(&mut bytes);
            // The largest body is not kept for the rest of the build.
            bytes.shrink_to(1 << 16);
            done
        }
        Err(_) => f(&mut Vec::new()),
    })
}

impl Drop for AsideFile {
    fn drop(&mut self) {
        // Closed first: a system that kept its name will not remove an open file.
        drop(self.file.take());
        if let Some(path) = self.named.take() {
            let _ = fs::remove_file(path);
        }
    }
}

#[cfg(unix)]
fn write_at(file: &fs::File, bytes: &[u8], at: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, at)
}

#[cfg(unix)]
fn read_at(file: &fs::File, bytes: &mut [u8], at: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, bytes, at)
}

#[cfg(windows)]
fn write_at(file: &fs::File, mut bytes: &[u8], mut at: u64) -> io::Result<()> {
    while !bytes.is_empty() {
        match std::os::windows::fs::FileExt::seek_write(file, bytes, at)? {
            0 => return Err(io::ErrorKind::WriteZero.into()),
            n => (bytes, at) = (&bytes[n..], at + n as u64),
        }
    }
    Ok(())
}

#[cfg(windows)]
fn read_at(file: &fs::File, mut bytes: &mut [u8], mut at: u64) -> io::Result<()> {
    while !bytes.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, bytes, at)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => (bytes, at) = (&mut bytes[n..], at + n as u64),
        }
    }
    Ok(())
}

#[cfg(not(any(unix, windows)))]
fn write_at(_: &fs::File, _: &[u8], _: u64) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

#[cfg(not(any(unix, windows)))]
fn read_at(_: &fs::File, _: &mut [u8], _: u64) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

// The bodies' format (`model::bytes`), read only by the build that wrote it: the HTML and
// text, then the headings (a count, then each one's level, id and title), then the
// timeline, then the inferred values.

fn encode(
    body: &Rendered,
    timeline: &[TimelineEvent],
    inferred: &[InferredField],
    out: &mut Vec<u8>,
) {
    push_str(out, &body.html);
    push_str(out, &body.plain_text);
    push_u32(out, body.toc.len());
    for entry in &body.toc {
        out.push(entry.level);
        push_str(out, &entry.id);
        push_str(out, &entry.title);
    }
    bytes::push_timeline(out, timeline);
    bytes::push_inferred(out, inferred);
}

/// The body [`encode`] wrote into `bytes`, or `None` if they are not one.
fn decode(bytes: &[u8]) -> Option<AsideBody> {
    let mut reader = Reader(bytes);
    let html = reader.string()?;
    let plain_text = reader.string()?;
    let toc = (0..reader.u32()?)
        .map(|_| {
            Some(TocEntry {
                level: reader.take::<1>()?[0],
                id: reader.string()?,
                title: reader.string()?,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let timeline = reader.timeline()?;
    let inferred = reader.inferred()?;
    reader.0.is_empty().then_some(AsideBody {
        html,
        plain_text,
        toc,
        timeline,
        inferred,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::markdown::{MarkdownOptions, render};
    use chrono::DateTime;
    use rayon::prelude::*;

    fn event(at: &str, when: &str, text: &str, flags: (bool, bool)) -> TimelineEvent {
        TimelineEvent {
            at: DateTime::parse_from_rfc3339(at).unwrap().to_utc(),
            date_only: flags.0,
            approximate: flags.1,
            line: 12,
            col: 3,
            when: when.to_string(),
            text: text.to_string(),
        }
    }

    /// Every field a page can list as inferred, with text outside ASCII.
    fn every_inferred_field() -> Vec<InferredField> {
        (crate::model::inference::FIELDS.iter().zip(1..))
            .map(|(field, line)| InferredField {
                field,
                value: format!("{field} — ✓"),
                line,
                col: line * 2,
                evidence: format!("naïve {field}"),
            })
            .collect()
    }

    /// Bodies set aside from many threads read back as they were written, every field:
    /// headings, timeline flags and times before 1970 and with nanoseconds included, and
    /// every value inferred.
    #[test]
    fn bodies_read_back_as_set_aside_from_many_threads() {
        let dir = tempfile::tempdir().unwrap();
        let file = AsideFile::new_in(dir.path()).unwrap();
        let every = every_inferred_field();
        let bodies: Vec<(Rendered, Vec<TimelineEvent>, &[InferredField])> = (0..200)
            .map(|i| {
                let markdown = format!(
                    "# Outage {i}\n\nThe *cache* failed — naïve retry ✓.\n\n## Timeline\n\n- 10:00 page\n"
                );
                let timeline = match i % 3 {
                    0 => Vec::new(),
                    1 => vec![event("1969-07-20T20:17:40.5Z", "20:17", "landing", (false, true))],
                    _ => vec![
                        event("2024-02-10T09:00:00Z", "Feb 10", "started", (true, false)),
                        event("2024-02-11T14:00:00+01:00", "14:00", "", (false, false)),
                    ],
                };
                let inferred = if i % 2 == 0 { &every[..] } else { &[] };
                let body = render(&markdown, &MarkdownOptions::default());
                (body, timeline, inferred)
            })
            .collect();
        assert!(bodies.iter().all(|(body, ..)| !body.toc.is_empty()));
        let asides: Vec<Aside> = bodies
            .par_iter()
            .map(|(body, timeline, inferred)| file.set_aside(body, timeline, inferred).unwrap())
            .collect();
        for ((body, timeline, inferred), aside) in bodies.iter().zip(asides).rev() {
            let read = file.read(aside).unwrap();
            assert_eq!(read.html, body.html);
            assert_eq!(read.plain_text, body.plain_text);
            assert_eq!(read.toc, body.toc);
            assert_eq!(&read.timeline, timeline);
            assert_eq!(&read.inferred, inferred);
        }
    }

    /// The file leaves nothing in its folder, open or dropped.
    #[test]
    fn the_file_of_bodies_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let names = || fs::read_dir(dir.path()).unwrap().count();
        let file = AsideFile::new_in(dir.path()).unwrap();
        let body = render("Text.", &MarkdownOptions::default());
        let aside = file.set_aside(&body, &[], &[]).unwrap();
        assert_eq!(file.read(aside).unwrap().html, body.html);
        if cfg!(unix) {
            assert_eq!(names(), 0, "unnamed while open");
        }
        drop(file);
        assert_eq!(names(), 0);
    }

    /// Once released, the file is emptied and its bodies are not read: a build renders
    /// any asked for after that from its file again.
    #[test]
    fn a_released_file_is_emptied_and_reads_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let file = AsideFile::new_in(dir.path()).unwrap();
        let body = render("Some text to keep.", &MarkdownOptions::default());
        let aside = file.set_aside(&body, &[], &[]).unwrap();
        let size = || file.file.as_ref().unwrap().metadata().unwrap().len();
        assert!(size() > 0);
        file.release();
        assert_eq!(size(), 0);
        assert!(file.read(aside).is_err());
        assert_eq!(file.set_aside(&body, &[], &[]), None);
        file.release();
        assert_eq!(size(), 0);
    }

    /// Bytes that are not a body do not read as one: cut short, or with text after it.
    #[test]
    fn bytes_that_are_not_a_body_read_as_none() {
        let body = render("# A\n\nText.", &MarkdownOptions::default());
        let mut bytes = Vec::new();
        encode(
            &body,
            &[event("2024-01-01T00:00:00Z", "00:00", "x", (false, false))],
            &every_inferred_field()[..1],
            &mut bytes,
        );
        assert!(decode(&bytes).is_some());
        for cut in [0, 1, 4, bytes.len() / 2, bytes.len() - 1] {
            assert_eq!(decode(&bytes[..cut]), None, "cut at {cut}");
        }
        bytes.push(0);
        assert_eq!(decode(&bytes), None);
        // A field no page lists is not a body's either.
        let mut bytes = Vec::new();
        let mut unknown = every_inferred_field()[..1].to_vec();
        unknown[0].field = "started";
        encode(&body, &[], &unknown, &mut bytes);
        assert_eq!(decode(&bytes), None);
    }
}
