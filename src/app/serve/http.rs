//! The preview's HTTP/1.1 server: hyper on a tokio runtime of one thread, serving GET and
//! HEAD of the files in one folder, the server's own files and the live-reload event
//! stream. It knows nothing of the build.
//!
//! hyper parses requests and frames responses; every rule that keeps the preview safe is
//! ours, in `request.rs` (what a request may name) and `respond.rs` (what is sent), and
//! tested:
//!
//! - It serves the site folder and nothing else. A path is percent-decoded once; `.` and
//!   `..` segments, encoded slashes and backslashes, NUL bytes and drive letters are
//!   refused (400); hidden names (the writer's temporary files, `/__hindsight...` but the
//!   server's own files) are not found (404); the resolved file must lie inside the folder
//!   after symbolic links are followed (404). A folder serves its `index.html` or 404:
//!   never a listing.
//! - Bound to a loopback address, it answers only requests whose `Host` is a loopback
//!   name, so a web page cannot reach the preview through DNS rebinding.
//! - A slow or malformed client cannot stall others. Each connection is a task, not a
//!   thread, and there is no cap on them that slow clients could fill: hyper closes a
//!   connection whose request head has not arrived within [`HEAD_TIMEOUT`], and refuses a
//!   head over [`MAX_HEAD`] bytes (431). A client that stops reading its response for
//!   [`WRITE_TIMEOUT`] is dropped. Every response closes its connection, so an idle
//!   client holds nothing once answered; an event stream holds a queue in the [`Live`]
//!   hub, no thread.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::thread;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Sleep;

use super::live::Live;
use super::respond::Site;

/// The request line and headers must arrive within this time, counted from the
/// connection's start; else the connection is closed without an answer.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// The request line and headers must fit in this many bytes (else 431).
pub const MAX_HEAD: usize = 8 * 1024;
/// A client whose connection takes no bytes of its response for this long is dropped.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// How much a connection may buffer of what a client sends: the head, and whatever
/// follows it unread. hyper's floor.
const MAX_BUFFER: usize = 8 * 1024;
/// How often open event streams are pinged, so those of closed tabs are noticed.
const PING_EVERY: Duration = Duration::from_secs(15);

/// A bound listener, not yet accepting.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    site: PathBuf,
    live: Arc<Live>,
    loopback: bool,
}

impl Server {
    /// Binds `address`; port 0 picks a free port ([`Server::local_addr`] says which).
    pub fn bind(address: SocketAddr, site: &Path, live: Arc<Live>) -> io::Result<Server> {
        let listener = TcpListener::bind(address)?;
        Ok(Server {
            listener,
            site: site.to_path_buf(),
            live,
            loopback: address.ip().is_loopback(),
        })
    }

    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves on a thread of its own, which runs a single-threaded tokio runtime: every
    /// connection is a task on it, and file reads go to tokio's blocking pool.
    pub fn spawn(self) -> io::Result<thread::JoinHandle<()>> {
        self.listener.set_nonblocking(true)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .thread_name("hindsight-http-io")
            .build()?;
        thread::Builder::new()
            .name("hindsight-http".into())
            .spawn(move || runtime.block_on(self.serve()))
    }

    async fn serve(self) {
        let listener = match tokio::net::TcpListener::from_std(self.listener) {
            Ok(listener) => listener,
            // Only without a runtime, which `spawn` made: nothing to serve with.
            Err(_) => return,
        };
        tokio::spawn(ping(Arc::clone(&self.live)));
        let site = Arc::new(Site::new(
            // Resolved once: the folder is replaced only before serving starts.
            self.site.canonicalize().unwrap_or(self.site),
            self.live,
            self.loopback,
        ));
        let mut http = http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(HEAD_TIMEOUT)
            .max_header_size(MAX_HEAD)
            .max_buf_size(MAX_BUFFER)
            // `Cache-Control`, not `cache-control`: as most servers spell them, for
            // people reading a response with curl and for clients that compare bytes.
            .title_case_headers(true)
            .keep_alive(false);
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // Out of file descriptors, or a connection reset before it was
                    // accepted: back off briefly rather than spin.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            };
            let _ = stream.set_nodelay(true);
            let connection = http.serve_connection(
                TokioIo::new(Deadlined::new(stream)),
                service_fn({
                    let site = Arc::clone(&site);
                    move |request| {
                        let site = Arc::clone(&site);
                        async move { Ok::<_, Infallible>(site.respond(request).await) }
                    }
                }),
            );
            // A connection's end, error or not, concerns only its client.
            tokio::spawn(async move {
                let _ = connection.await;
            });
        }
    }
}

/// Pings the event streams forever.
async fn ping(live: Arc<Live>) {
    let mut every = tokio::time::interval(PING_EVERY);
    every.tick().await;
    loop {
        every.tick().await;
        live.ping();
    }
}

/// A connection whose writes fail once they have made no progress for [`WRITE_TIMEOUT`]:
/// a client that does not read would otherwise keep its task, and an event stream its
/// queue, for as long as the socket stays open.
struct Deadlined {
    stream: TcpStream,
    stalled: Option<Pin<Box<Sleep>>>,
}

impl Deadlined {
    fn new(stream: TcpStream) -> Deadlined {
        Deadlined {
            stream,
            stalled: None,
        }
    }

    /// After a write that could not proceed: pending while within the deadline, and an
    /// error once it has passed. Progress resets it.
    fn stall<T>(
        &mut self,
        cx: &mut Context<'_>,
        result: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if result.is_ready() {
            self.stalled = None;
            return result;
        }
        let stalled = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(WRITE_TIMEOUT)));
        match stalled.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::ErrorKind::TimedOut.into())),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncRead for Deadlined {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Deadlined {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.stream).poll_write(cx, buf);
        this.stall(cx, result)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        this.stall(cx, result)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.stream).poll_flush(cx);
        this.stall(cx, result)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}
