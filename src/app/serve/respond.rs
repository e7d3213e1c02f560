//! What the preview answers: a checked request (see `request.rs`) becomes a response with
//! the headers every preview response carries.
//!
//! - `Cache-Control: no-store`: a preview must never show a page from the browser's cache.
//! - `X-Content-Type-Options: nosniff`: a file is what its extension says, nothing else.
//! - On HTML, [`CONTENT_SECURITY_POLICY`]: `frame-ancestors 'none'`, which only a header
//!   can set, so no other site can frame the preview. The rest of the policy is the page's
//!   own `<meta>`, the site's `[publish] content_security_policy` as it is published, so the
//!   preview allows and blocks what the published site does, whatever the site sets. The
//!   live-reload tags are a script and a style sheet of the server's own, never inline
//!   code, so the default policy allows them.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Bytes;
use hyper::header::{self, HeaderValue};
use hyper::{Request, Response, StatusCode};

use super::body::Body;
use super::live::{Live, SCRIPT, STYLE};
use super::request::{NOT_FOUND, Refusal, Target, check, names, resolve};

/// The Content-Security-Policy header of HTML responses. Only what a `<meta>` cannot say:
/// a header policy is enforced beside the page's own, so repeating the default here would
/// block in the preview what a site's own policy allows once published.
pub static CONTENT_SECURITY_POLICY: HeaderValue =
    HeaderValue::from_static("frame-ancestors 'none'");

/// The longest a request for a page being written waits; then it is answered from the
/// folder as it is. A rebuild ends every wait when it ends, so this only matters when
/// one takes longer (a template edit of a very large archive).
const HOLD_LIMIT: Duration = Duration::from_secs(60);

const HTML: &str = "text/html; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

/// What every request is answered from: the site folder (canonical), the live-reload hub,
/// and whether the `Host` must be a loopback name.
#[derive(Debug)]
pub(super) struct Site {
    folder: PathBuf,
    live: Arc<Live>,
    loopback: bool,
}

impl Site {
    pub(super) fn new(folder: PathBuf, live: Arc<Live>, loopback: bool) -> Site {
        Site {
            folder,
            live,
            loopback,
        }
    }

    /// Answers one request. The checks and the file system work (which stats, follows
    /// links and reads pages) run on tokio's blocking pool, so a slow disk holds up no
    /// other connection.
    pub(super) async fn respond<B>(self: &Arc<Site>, request: Request<B>) -> Response<Body> {
        // GET and HEAD have no body worth reading; the head is all that is answered.
        let request = request.map(|_| ());
        let site = Arc::clone(self);
        tokio::task::spawn_blocking(move || site.answer(&request))
            .await
            .unwrap_or_else(|_| refused(&refusal_500()))
    }

    fn answer(&self, request: &Request<()>) -> Response<Body> {
        let asked = match check(request, self.loopback) {
            Ok(asked) => asked,
            Err(refusal) => return refused(&refusal),
        };
        self.live.pending().wait(&names(&asked.path), HOLD_LIMIT);
        let target = match resolve(&self.folder, &asked.path) {
            Ok(target) => target,
            Err(refusal) => return refused(&refusal),
        };
        match target {
            // HEAD of the event stream: no stream to hold open.
            Target::Events if asked.head_only => respond(StatusCode::OK, TEXT, Body::empty()),
            Target::Events => events(&self.live),
            Target::Overlay => respond(StatusCode::OK, HTML, Body::full(self.live.overlay())),
            Target::Script => respond(
                StatusCode::OK,
                "text/javascript; charset=utf-8",
                Body::full(Bytes::from_static(SCRIPT.as_bytes())),
            ),
            Target::Style => respond(
                StatusCode::OK,
                "text/css; charset=utf-8",
                Body::full(Bytes::from_static(STYLE.as_bytes())),
            ),
            Target::Redirect(location) => redirect(location, asked.query.as_deref()),
            Target::File(path) => self.file(StatusCode::OK, &path),
            Target::NotFound => {
                let page = self.folder.join("404.html");
                if page.is_file() {
                    self.file(StatusCode::NOT_FOUND, &page)
                } else {
                    refused(&NOT_FOUND)
                }
            }
        }
    }

    /// A file of the site. HTML gets the live-reload tags, added here and only here, so the
    /// built pages never carry them; other files are sent as they are read.
    fn file(&self, status: StatusCode, path: &Path) -> Response<Body> {
        let content_type = content_type(path);
        if content_type == HTML {
            return match std::fs::read(path) {
                Ok(html) => {
                    let (head, body) = self.live.snippet();
                    respond(status, HTML, Body::full(inject(&html, &head, &body)))
                }
                Err(_) => refused(&NOT_FOUND),
            };
        }
        let opened = std::fs::File::open(path).and_then(|file| {
            let length = file.metadata()?.len();
            Ok((file, length))
        });
        match opened {
            Ok((file, length)) => respond(status, content_type, Body::file(file, length)),
            Err(_) => refused(&NOT_FOUND),
        }
    }
}

/// An event stream: `hello` now, then whatever the hub sends, until it drops the stream.
fn events(live: &Live) -> Response<Body> {
    let mut response = respond(
        StatusCode::OK,
        "text/event-stream",
        Body::Events(live.subscribe()),
    );
    // Proxies in front of a preview must not hold events back.
    response
        .headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

/// A response with the headers every response carries (and the policy, on HTML).
fn respond(status: StatusCode, content_type: &'static str, body: Body) -> Response<Body> {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if content_type == HTML {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            CONTENT_SECURITY_POLICY.clone(),
        );
    }
    response
}

/// A refusal: its status and one line of text (405 says what is allowed).
fn refused(refusal: &Refusal) -> Response<Body> {
    let mut response = respond(
        refusal.status,
        TEXT,
        Body::full(Bytes::from_static(refusal.message.as_bytes())),
    );
    if refusal.status == StatusCode::METHOD_NOT_ALLOWED {
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    }
    response
}

fn refusal_500() -> Refusal {
    Refusal {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        message: "internal error\n",
    }
}

/// A folder asked for without its trailing slash: the same path with one, query kept.
fn redirect(location: String, query: Option<&str>) -> Response<Body> {
    let location = match query {
        Some(query) => format!("{location}?{query}"),
        None => location,
    };
    let mut response = respond(StatusCode::MOVED_PERMANENTLY, TEXT, Body::empty());
    // The path and query came from a parsed request URI, so they are valid here; a value
    // that is not is answered as not found rather than trusted.
    match HeaderValue::try_from(location) {
        Ok(location) => {
            response.headers_mut().insert(header::LOCATION, location);
            response
        }
        Err(_) => refused(&NOT_FOUND),
    }
}

/// Puts `head` before the first `</head>` and `body` before the last `</body>`; either
/// goes at the end when its tag is missing, so a fragment still gets both.
fn inject(html: &[u8], head: &str, body: &str) -> Vec<u8> {
    let find = |tag: &[u8]| {
        html.windows(tag.len())
            .position(|w| w.eq_ignore_ascii_case(tag))
    };
    let rfind = |tag: &[u8]| {
        html.windows(tag.len())
            .rposition(|w| w.eq_ignore_ascii_case(tag))
    };
    let body_at = rfind(b"</body>").unwrap_or(html.len());
    let head_at = find(b"</head>")
        .filter(|&at| at <= body_at)
        .unwrap_or(body_at);
    let mut out = Vec::with_capacity(html.len() + head.len() + body.len());
    out.extend_from_slice(&html[..head_at]);
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(&html[head_at..body_at]);
    out.extend_from_slice(body.as_bytes());
    out.extend_from_slice(&html[body_at..]);
    out
}

fn content_type(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("html" | "htm") => HTML,
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("csv") => "text/csv; charset=utf-8",
        Some("txt" | "md") => TEXT,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tags_go_before_the_closing_head_and_body_tags() {
        assert_eq!(
            inject(b"<html><HEAD>h</HEAD><BODY>x</BODY></html>", "<l>", "<s>"),
            b"<html><HEAD>h<l></HEAD><BODY>x<s></BODY></html>"
        );
        assert_eq!(
            inject(b"<body>x</body>", "<l>", "<s>"),
            b"<body>x<l><s></body>"
        );
        assert_eq!(inject(b"no body", "<l>", "<s>"), b"no body<l><s>");
        // A `</head>` after the last `</body>` (in a comment, say) is not the head.
        assert_eq!(
            inject(b"</body></head>", "<l>", "<s>"),
            b"<l><s></body></head>"
        );
    }

    #[test]
    fn html_carries_the_policy_and_other_files_do_not() {
        let page = respond(StatusCode::OK, HTML, Body::empty());
        let policy = page.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert_eq!(policy, "frame-ancestors 'none'");
        assert_eq!(page.headers()[header::CACHE_CONTROL], "no-store");
        assert_eq!(page.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        let script = respond(
            StatusCode::OK,
            "text/javascript; charset=utf-8",
            Body::empty(),
        );
        assert!(
            !script
                .headers()
                .contains_key(header::CONTENT_SECURITY_POLICY)
        );
        assert_eq!(script.headers()[header::CACHE_CONTROL], "no-store");
    }
}
