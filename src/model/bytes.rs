//! The little binary format of what a build sets aside (`app::aside`) and what `serve`
//! packs with each body (`incident::Packed`): numbers little endian, strings as their
//! length (four bytes) and UTF-8, read back only by the process that wrote them. Written
//! by hand: a handful of fields, where a serialization crate would add a dependency.

use chrono::DateTime;

use crate::model::inference::{InferredField, TimelineEvent};

pub fn push_u32(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
}

pub fn push_str(out: &mut Vec<u8>, s: &str) {
    push_u32(out, s.len());
    out.extend_from_slice(s.as_bytes());
}

/// A timeline: a count, then each event's time as seconds and nanoseconds, its two flags,
/// line, column, the time as written and its text.
pub fn push_timeline(out: &mut Vec<u8>, timeline: &[TimelineEvent]) {
    push_u32(out, timeline.len());
    for event in timeline {
        out.extend_from_slice(&event.at.timestamp().to_le_bytes());
        out.extend_from_slice(&event.at.timestamp_subsec_nanos().to_le_bytes());
        out.push(u8::from(event.date_only) | (u8::from(event.approximate) << 1));
        out.extend_from_slice(&event.line.to_le_bytes());
        out.extend_from_slice(&event.col.to_le_bytes());
        push_str(out, &event.when);
        push_str(out, &event.text);
    }
}

/// What a page lists as inferred: a count, then each value's field name, value, line,
/// column and evidence.
pub fn push_inferred(out: &mut Vec<u8>, inferred: &[InferredField]) {
    push_u32(out, inferred.len());
    for field in inferred {
        push_str(out, field.field);
        push_str(out, &field.value);
        out.extend_from_slice(&field.line.to_le_bytes());
        out.extend_from_slice(&field.col.to_le_bytes());
        push_str(out, &field.evidence);
    }
}

/// The bytes not read yet; each read is `None` where they do not hold what it reads.
pub struct Reader<'a>(pub &'a [u8]);

impl Reader<'_> {
    pub fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (first, rest) = self.0.split_first_chunk::<N>()?;
        self.0 = rest;
        Some(*first)
    }

    pub fn u32(&mut self) -> Option<u32> {
        self.take().map(u32::from_le_bytes)
    }

    pub fn string(&mut self) -> Option<String> {
        let len = self.u32()? as usize;
        let bytes = self.0.get(..len)?;
        self.0 = &self.0[len..];
        String::from_utf8(bytes.to_vec()).ok()
    }

    /// A timeline [`push_timeline`] wrote.
    pub fn timeline(&mut self) -> Option<Vec<TimelineEvent>> {
        (0..self.u32()?)
            .map(|_| {
                let seconds = i64::from_le_bytes(self.take()?);
                let nanos = u32::from_le_bytes(self.take()?);
                let flags = self.take::<1>()?[0];
                Some(TimelineEvent {
                    at: DateTime::from_timestamp(seconds, nanos)?,
                    date_only: flags & 1 != 0,
                    approximate: flags & 2 != 0,
                    line: self.u32()?,
                    col: self.u32()?,
                    when: self.string()?,
                    text: self.string()?,
                })
            })
            .collect()
    }

    /// What [`push_inferred`] wrote; a field name not in `inference::FIELDS` does not
    /// read.
    pub fn inferred(&mut self) -> Option<Vec<InferredField>> {
        (0..self.u32()?)
            .map(|_| {
                Some(InferredField {
                    field: InferredField::field_named(&self.string()?)?,
                    value: self.string()?,
                    line: self.u32()?,
                    col: self.u32()?,
                    evidence: self.string()?,
                })
            })
            .collect()
    }
}
