//! A small HTTP/1.1 server for the preview: GET and HEAD of the files in one folder, and
//! the live-reload event stream. It knows nothing of the build.
//!
//! Only what a browser needs for a preview is here, on the standard library, so every
//! rule that keeps it safe is in this file and `request.rs` (what a request may name),
//! and tested:
//!
//! - It serves the site folder and nothing else. A path is percent-decoded once; `.` and
//!   `..` segments, encoded slashes and backslashes, NUL bytes and drive letters are
//!   refused (400); hidden names (the writer's temporary files) are not found (404); the
//!   resolved file must lie inside the folder after symbolic links are followed (404). A
//!   folder serves its `index.html` or 404: never a listing.
//! - Bound to a loopback address, it answers only requests whose `Host` is a loopback
//!   name, so a web page cannot reach the preview through DNS rebinding.
//! - A slow or malformed client cannot stall others: each connection has its own thread,
//!   at most [`MAX_CONNECTIONS`] at once (more are answered 503 and closed); the request
//!   head must arrive within [`HEAD_TIMEOUT`] and fit in [`MAX_HEAD`] bytes; writes time
//!   out. Every response closes its connection, so an idle client holds nothing, and an
//!   event stream is handed to the [`Live`] hub, which holds no thread per client.

use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use super::live::Live;
use super::request::{
    NOT_FOUND, Refusal, Target, is_loopback_host, parse_request, refusal, resolve,
};

/// Connections handled at once; beyond this, new ones are refused with 503.
pub const MAX_CONNECTIONS: usize = 64;
/// The request line and headers must arrive within this time...
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// ...and fit in this many bytes.
pub const MAX_HEAD: usize = 8 * 1024;
/// A client that does not read its response for this long is dropped.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

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

    /// Accepts connections on a thread of its own, each handled on a thread of its own.
    pub fn spawn(self) -> io::Result<thread::JoinHandle<()>> {
        thread::Builder::new()
            .name("hindsight-accept".into())
            .spawn(move || self.accept())
    }

    fn accept(self) {
        let active = Arc::new(AtomicUsize::new(0));
        let shared = Arc::new(Shared {
            // Resolved once: the folder is replaced only before serving starts.
            site: self.site.canonicalize().unwrap_or(self.site),
            live: self.live,
            loopback: self.loopback,
        });
        for stream in self.listener.incoming() {
            let Ok(mut stream) = stream else {
                // Out of file descriptors, or a connection reset before it was accepted:
                // back off briefly rather than spin.
                thread::sleep(Duration::from_millis(10));
                continue;
            };
            if active.load(Ordering::Acquire) >= MAX_CONNECTIONS {
                let _ = stream.set_write_timeout(Some(Duration::from_millis(100)));
                let _ = respond_text(&mut stream, false, 503, "Service Unavailable", "busy\n");
                continue;
            }
            active.fetch_add(1, Ordering::AcqRel);
            let guard = Slot(Arc::clone(&active));
            let shared = Arc::clone(&shared);
            let spawned = thread::Builder::new()
                .name("hindsight-http".into())
                .stack_size(256 * 1024)
                .spawn(move || {
                    let _guard = guard;
                    shared.handle(stream);
                });
            // A thread that cannot start drops its connection (and its slot, with it).
            drop(spawned);
        }
    }
}

/// Frees a connection slot when its thread ends, however it ends.
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

struct Shared {
    site: PathBuf,
    live: Arc<Live>,
    loopback: bool,
}

impl Shared {
    fn handle(&self, mut stream: TcpStream) {
        let _ = stream.set_nodelay(true);
        let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
        let head = match read_head(&mut stream, Instant::now() + HEAD_TIMEOUT) {
            Ok(Some(head)) => head,
            // The client went away, or sent nothing in time: nobody is listening.
            Ok(None) => return,
            Err(refused) => {
                let _ = respond_refusal(&mut stream, false, &refused);
                return;
            }
        };
        let request = match parse_request(&head) {
            Ok(request) => request,
            Err(refused) => {
                let _ = respond_refusal(&mut stream, false, &refused);
                return;
            }
        };
        if self.loopback && !request.host.as_deref().is_none_or(is_loopback_host) {
            let refused = refusal(403, "Forbidden", "this preview answers only to localhost\n");
            let _ = respond_refusal(&mut stream, request.head_only, &refused);
            return;
        }
        let target = match resolve(&self.site, &request.path) {
            Ok(target) => target,
            Err(refused) => {
                let _ = respond_refusal(&mut stream, request.head_only, &refused);
                return;
            }
        };
        let _ = match target {
            Target::Events if request.head_only => respond_text(&mut stream, true, 200, "OK", ""),
            Target::Overlay => {
                let html = self.live.overlay();
                write_head(
                    &mut stream,
                    200,
                    "OK",
                    "text/html; charset=utf-8",
                    html.len() as u64,
                )
                .and_then(|()| {
                    if request.head_only {
                        Ok(())
                    } else {
                        stream.write_all(html.as_bytes())
                    }
                })
            }
            Target::Events => {
                // The stream now belongs to the hub; this thread is done.
                self.live.subscribe(stream);
                return;
            }
            Target::Redirect(location) => {
                let location = match &request.query {
                    Some(query) => format!("{location}?{query}"),
                    None => location,
                };
                let head = format!(
                    "HTTP/1.1 301 Moved Permanently\r\nLocation: {location}\r\nContent-Length: 0\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"
                );
                stream.write_all(head.as_bytes())
            }
            Target::File(path) => self.respond_file(&mut stream, request.head_only, 200, &path),
            Target::NotFound => {
                let page = self.site.join("404.html");
                if page.is_file() {
                    self.respond_file(&mut stream, request.head_only, 404, &page)
                } else {
                    respond_refusal(&mut stream, request.head_only, &NOT_FOUND)
                }
            }
        };
    }

    /// Sends a file; HTML gets the live-reload snippet, added here and only here, so the
    /// built pages never carry it.
    fn respond_file(
        &self,
        stream: &mut TcpStream,
        head_only: bool,
        status: u16,
        path: &Path,
    ) -> io::Result<()> {
        let reason = if status == 404 { "Not Found" } else { "OK" };
        let content_type = content_type(path);
        if content_type.starts_with("text/html") {
            let html = match std::fs::read(path) {
                Ok(html) => html,
                Err(_) => return respond_refusal(stream, head_only, &NOT_FOUND),
            };
            let body = inject(&html, &self.live.snippet());
            write_head(stream, status, reason, content_type, body.len() as u64)?;
            if !head_only {
                stream.write_all(&body)?;
            }
            return Ok(());
        }
        let (mut file, length) = match File::open(path).and_then(|f| {
            let length = f.metadata()?.len();
            Ok((f, length))
        }) {
            Ok(opened) => opened,
            Err(_) => return respond_refusal(stream, head_only, &NOT_FOUND),
        };
        write_head(stream, status, reason, content_type, length)?;
        if !head_only {
            io::copy(&mut (&mut file).take(length), stream)?;
        }
        Ok(())
    }
}

/// Reads up to the blank line that ends the request head. `Ok(None)` when the client
/// closed or stopped sending before that; a head that is too large or too slow is refused.
fn read_head(stream: &mut TcpStream, deadline: Instant) -> Result<Option<Vec<u8>>, Refusal> {
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(refusal(408, "Request Timeout", "request timeout\n"));
        }
        let _ = stream.set_read_timeout(Some(left));
        let read = match stream.read(&mut chunk) {
            Ok(0) => return Ok(None),
            Ok(read) => read,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(refusal(408, "Request Timeout", "request timeout\n"));
            }
            Err(_) => return Ok(None),
        };
        // Look for the end only where it can have appeared: the new bytes and the three
        // before them.
        let from = head.len().saturating_sub(3);
        head.extend_from_slice(&chunk[..read]);
        if let Some(end) = find_head_end(&head[from..]) {
            head.truncate(from + end);
            return Ok(Some(head));
        }
        if head.len() > MAX_HEAD {
            return Err(refusal(
                431,
                "Request Header Fields Too Large",
                "request head too large\n",
            ));
        }
    }
}

/// Where the head ends (`\r\n\r\n`, or `\n\n` from lenient clients), as a length.
fn find_head_end(bytes: &[u8]) -> Option<usize> {
    let crlf = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4);
    let lf = bytes.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Puts `snippet` before the last `</body>`, or at the end when there is none.
fn inject(html: &[u8], snippet: &str) -> Vec<u8> {
    let at = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + snippet.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(snippet.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn content_type(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("csv") => "text/csv; charset=utf-8",
        Some("txt" | "md") => "text/plain; charset=utf-8",
        Some("xml") => "application/xml",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("pdf") => "application/pdf",
        _ => "application/octet-stream",
    }
}

fn write_head(
    stream: &mut TcpStream,
    status: u16,
    reason: &str,
    content_type: &str,
    length: u64,
) -> io::Result<()> {
    // `no-store`: a preview must never show a page from the browser's cache.
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {length}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes())
}

fn respond_text(
    stream: &mut TcpStream,
    head_only: bool,
    status: u16,
    reason: &str,
    text: &str,
) -> io::Result<()> {
    write_head(
        stream,
        status,
        reason,
        "text/plain; charset=utf-8",
        text.len() as u64,
    )?;
    if !head_only {
        stream.write_all(text.as_bytes())?;
    }
    Ok(())
}

fn respond_refusal(stream: &mut TcpStream, head_only: bool, refused: &Refusal) -> io::Result<()> {
    let mut head = String::new();
    if refused.status == 405 {
        head.push_str("Allow: GET, HEAD\r\n");
    }
    let text = refused.message;
    let response = format!(
        "HTTP/1.1 {} {}\r\n{head}Content-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        refused.status,
        refused.reason,
        text.len()
    );
    stream.write_all(response.as_bytes())?;
    if !head_only {
        stream.write_all(text.as_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snippet_goes_before_the_closing_body_tag() {
        assert_eq!(
            inject(b"<html><BODY>x</BODY></html>", "<s>"),
            b"<html><BODY>x<s></BODY></html>"
        );
        assert_eq!(inject(b"no body", "<s>"), b"no body<s>");
    }
}
