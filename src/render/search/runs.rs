//! Runs of the search index's terms set aside in scratch files while a large archive is
//! indexed, and merged back as its shards are written.
//!
//! A term's shard record needs every incident holding it, so the index gathers the
//! occurrences of every term before it writes one shard: about 95 MiB at 100,000
//! postmortems, held at the end of the render phase, which was the build's peak. A build
//! sets each run of [`RUN`] incidents' terms aside, sorted, in a scratch file
//! ([`Sink::scratch`](crate::render::Sink::scratch)), and reads the runs back together,
//! a term at a time, so it holds one run's terms at most. Runs follow the incidents'
//! order, so a term's incidents come out ascending by appending each run's to the last.
//! An archive of up to [`RUN`] incidents sets nothing aside.

use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};

use super::{CHUNK, Gathered, GatheredTerms, Occurrences, leb128, utf16_cmp};
use crate::render::Scratch;

/// Incidents whose terms are gathered in memory before they are set aside: 64 chunks,
/// about 16 MiB of terms in the synthetic corpus.
pub const RUN: usize = 64 * CHUNK;

/// Where [`super::write_each_with`] sets runs aside.
pub struct Spill<'a, E> {
    /// A new scratch file; `None` keeps the terms in memory.
    pub scratch: &'a (dyn Fn() -> Option<Result<Box<dyn Scratch>, E>> + Sync),
    /// A scratch file's failure as the caller's error.
    pub failed: fn(io::Error) -> E,
    /// Incidents per run: terms are set aside after each chunk that ends at a multiple
    /// of it (the build's is [`RUN`]; tests set aside smaller runs).
    pub every: usize,
}

/// One run set aside, read back a term at a time.
pub(super) struct Run {
    input: BufReader<Box<dyn Scratch>>,
}

/// Writes the terms of `gathered` in order into `scratch`: per term, its length, its
/// bytes, one past its last incident, the length of its occurrences and their bytes,
/// the numbers as LEB128 varints.
pub(super) fn set_aside(gathered: Gathered, scratch: Box<dyn Scratch>) -> io::Result<Run> {
    let mut out = BufWriter::with_capacity(1 << 16, scratch);
    for (term, occurrences) in gathered.into_terms() {
        put_varint(&mut out, term.len() as u64)?;
        out.write_all(term.as_bytes())?;
        put_varint(&mut out, u64::from(occurrences.next))?;
        put_varint(&mut out, occurrences.bytes.len() as u64)?;
        out.write_all(&occurrences.bytes)?;
    }
    let mut scratch = out.into_inner().map_err(io::IntoInnerError::into_error)?;
    scratch.seek(SeekFrom::Start(0))?;
    Ok(Run {
        input: BufReader::with_capacity(1 << 16, scratch),
    })
}

impl Run {
    /// The next term and its occurrences; `None` at the end.
    fn next_term(&mut self) -> io::Result<Option<(Box<str>, Occurrences)>> {
        if self.input.fill_buf()?.is_empty() {
            return Ok(None);
        }
        let term = String::from_utf8(self.bytes()?)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        let next = u32::try_from(get_varint(&mut self.input)?)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        let bytes = self.bytes()?;
        Ok(Some((term.into_boxed_str(), Occurrences { bytes, next })))
    }

    /// A length, then that many bytes.
    fn bytes(&mut self) -> io::Result<Vec<u8>> {
        let len = get_varint(&mut self.input)?;
        let mut bytes = Vec::new();
        (&mut self.input).take(len).read_to_end(&mut bytes)?;
        if bytes.len() as u64 != len {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        Ok(bytes)
    }
}

/// The runs set aside, then the terms still in memory, merged: each term once, in
/// order, with the incidents of every run that holds it.
pub(super) struct Merged {
    runs: Vec<Run>,
    last: GatheredTerms,
    /// The next term of each run, then of `last`; `None` once it is done.
    heads: Vec<Option<(Box<str>, Occurrences)>>,
    started: bool,
}

impl Merged {
    pub(super) fn new(runs: Vec<Run>, last: GatheredTerms) -> Merged {
        Merged {
            heads: Vec::with_capacity(runs.len() + 1),
            runs,
            last,
            started: false,
        }
    }

    /// The next term of source `i` (the runs', then `last`).
    fn advance(&mut self, i: usize) -> io::Result<Option<(Box<str>, Occurrences)>> {
        match self.runs.get_mut(i) {
            Some(run) => run.next_term(),
            None => Ok(self.last.next()),
        }
    }

    fn merge_next(&mut self) -> io::Result<Option<(Box<str>, Occurrences)>> {
        if !self.started {
            self.started = true;
            for i in 0..=self.runs.len() {
                let head = self.advance(i)?;
                self.heads.push(head);
            }
        }
        let Some(first) = (self.heads.iter().flatten().map(|(term, _)| term))
            .min_by(|a, b| utf16_cmp(a, b))
            .cloned()
        else {
            return Ok(None);
        };
        let mut merged: Option<Occurrences> = None;
        for i in 0..self.heads.len() {
            if !matches!(&self.heads[i], Some((term, _)) if *term == first) {
                continue;
            }
            let next = self.advance(i)?;
            if let Some((_, occurrences)) = std::mem::replace(&mut self.heads[i], next) {
                match &mut merged {
                    Some(merged) => merged.append(&occurrences),
                    None => merged = Some(occurrences),
                }
            }
        }
        Ok(Some((first, merged.unwrap_or_default())))
    }
}

impl Iterator for Merged {
    type Item = io::Result<(Box<str>, Occurrences)>;

    fn next(&mut self) -> Option<Self::Item> {
        self.merge_next().transpose()
    }
}

fn put_varint(out: &mut impl Write, value: u64) -> io::Result<()> {
    let (bytes, len) = leb128(value);
    out.write_all(&bytes[..len])
}

fn get_varint(input: &mut impl Read) -> io::Result<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let mut byte = [0u8];
        input.read_exact(&mut byte)?;
        value |= u64::from(byte[0] & 0x7f) << shift;
        if byte[0] < 0x80 {
            return Ok(value);
        }
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidData,
        "a number longer than 64 bits",
    ))
}
