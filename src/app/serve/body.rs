//! The bodies of the preview's responses: bytes in memory (pages with the live-reload tags
//! added, the server's own files, refusals), a file read as it is sent (the exports of a
//! large archive are tens of megabytes), or an event stream fed by the [`Live`] hub.
//!
//! [`Live`]: super::live::Live

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use hyper::body::{Bytes, Frame, SizeHint};
use tokio::io::{AsyncRead, ReadBuf};
use tokio::sync::mpsc::Receiver;

/// How much of a file is read for one frame.
const CHUNK: usize = 64 * 1024;

/// A response body. Its size is known but for events, so hyper sends `Content-Length`
/// for the others and a chunked stream for events.
#[derive(Debug)]
pub(super) enum Body {
    /// Everything at once; `None` once sent.
    Full(Option<Bytes>),
    /// A file with `left` bytes still to send, as its length was when opened.
    File {
        file: tokio::fs::File,
        left: u64,
        length: u64,
    },
    /// Server-sent events, until the hub drops the stream's queue.
    Events(Receiver<Bytes>),
}

impl Body {
    pub(super) fn full(bytes: impl Into<Bytes>) -> Body {
        Body::Full(Some(bytes.into()))
    }

    pub(super) fn empty() -> Body {
        Body::Full(None)
    }

    pub(super) fn file(file: std::fs::File, length: u64) -> Body {
        Body::File {
            file: tokio::fs::File::from_std(file),
            left: length,
            length,
        }
    }
}

impl hyper::body::Body for Body {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        match self.get_mut() {
            Body::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            Body::File { file, left, .. } => poll_file(file, left, cx),
            Body::Events(receiver) => receiver
                .poll_recv(cx)
                .map(|event| event.map(|b| Ok(Frame::data(b)))),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Body::Full(bytes) => bytes.is_none(),
            Body::File { left, .. } => *left == 0,
            Body::Events(_) => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Body::Full(bytes) => SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64)),
            Body::File { length, .. } => SizeHint::with_exact(*length),
            Body::Events(_) => SizeHint::default(),
        }
    }
}

/// The next chunk of a file, at most what is `left` of the length announced. A file that
/// shrank since is an error: the response cannot keep its promised length, so hyper
/// closes the connection, and the browser's reload after the rebuild fetches it again.
fn poll_file(
    file: &mut tokio::fs::File,
    left: &mut u64,
    cx: &mut Context<'_>,
) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
    if *left == 0 {
        return Poll::Ready(None);
    }
    let size = usize::try_from(*left).unwrap_or(CHUNK).min(CHUNK);
    let mut chunk = vec![0u8; size];
    let mut buffer = ReadBuf::new(&mut chunk);
    if let Err(error) = ready!(Pin::new(file).poll_read(cx, &mut buffer)) {
        return Poll::Ready(Some(Err(error)));
    }
    let read = buffer.filled().len();
    if read == 0 {
        return Poll::Ready(Some(Err(io::ErrorKind::UnexpectedEof.into())));
    }
    *left -= read as u64;
    chunk.truncate(read);
    Poll::Ready(Some(Ok(Frame::data(Bytes::from(chunk)))))
}
