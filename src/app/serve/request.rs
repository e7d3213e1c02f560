//! What a request asks for: the request head parsed, and its path mapped to a file of the
//! site folder, a redirect, the event stream, or nothing. The safety rules of the server
//! (see `http.rs`) live here: every way out of the folder is refused before any file is
//! touched, and what is left is checked again after symbolic links are followed.

use percent_encoding::percent_decode_str;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use super::live::{EVENTS_PATH, OVERLAY_PATH};

/// A request, as far as a static server cares.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Request {
    pub(super) head_only: bool,
    /// The raw path, without query or fragment.
    pub(super) path: String,
    pub(super) query: Option<String>,
    pub(super) host: Option<String>,
}

/// Why a request is answered with an error.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Refusal {
    pub(super) status: u16,
    pub(super) reason: &'static str,
    pub(super) message: &'static str,
}

pub(super) const fn refusal(status: u16, reason: &'static str, message: &'static str) -> Refusal {
    Refusal {
        status,
        reason,
        message,
    }
}

pub(super) const BAD_REQUEST: Refusal = refusal(400, "Bad Request", "bad request\n");

pub(super) const NOT_FOUND: Refusal = refusal(404, "Not Found", "not found\n");

/// What a valid path names.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Target {
    Events,
    /// The problems overlay, for pages to swap in.
    Overlay,
    File(PathBuf),
    /// A folder asked for without its trailing slash: relative links need it.
    Redirect(String),
    NotFound,
}

pub(super) fn parse_request(head: &[u8]) -> Result<Request, Refusal> {
    let head = std::str::from_utf8(head).map_err(|_| BAD_REQUEST)?;
    let mut lines = head.split('\n').map(|line| line.trim_end_matches('\r'));
    let request_line = lines.next().ok_or(BAD_REQUEST)?;
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(BAD_REQUEST);
    };
    if !version.starts_with("HTTP/1.") {
        return Err(refusal(
            505,
            "HTTP Version Not Supported",
            "only HTTP/1.x is spoken here\n",
        ));
    }
    let head_only = match method {
        "GET" => false,
        "HEAD" => true,
        _ => {
            return Err(refusal(
                405,
                "Method Not Allowed",
                "only GET and HEAD are allowed\n",
            ));
        }
    };
    // Only origin-form: `/path?query`. Absolute URLs and `*` are for proxies.
    if !target.starts_with('/') {
        return Err(BAD_REQUEST);
    }
    let target = target.split('#').next().unwrap_or_default();
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, Some(query.to_string())),
        None => (target, None),
    };
    let mut host = None;
    for line in lines.filter(|line| !line.is_empty()) {
        let (name, value) = line.split_once(':').ok_or(BAD_REQUEST)?;
        if name.eq_ignore_ascii_case("host") {
            if host.is_some() {
                return Err(BAD_REQUEST);
            }
            host = Some(value.trim().to_ascii_lowercase());
        }
    }
    Ok(Request {
        head_only,
        path: path.to_string(),
        query,
        host,
    })
}

/// `localhost`, `*.localhost`, `127.x.x.x` or `[::1]`, with or without a port.
pub(super) fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        host.rsplit_once(':').map_or(host, |(name, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) {
                name
            } else {
                host
            }
        })
    };
    name == "localhost"
        || name.ends_with(".localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Maps a request path to what it names inside `site` (which must be canonical).
pub(super) fn resolve(site: &Path, raw: &str) -> Result<Target, Refusal> {
    if raw == EVENTS_PATH {
        return Ok(Target::Events);
    }
    if raw == OVERLAY_PATH {
        return Ok(Target::Overlay);
    }
    let decoded = percent_decode(raw)?;
    let mut path = site.to_path_buf();
    let mut segments = 0;
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        if segment == "." || segment == ".." || segment.contains(['\\', ':', '\0']) {
            return Err(BAD_REQUEST);
        }
        // Hidden names: the writer's temporary files, and `/__hindsight/...`.
        if segment.starts_with('.') || segment.starts_with("__hindsight") {
            return Ok(Target::NotFound);
        }
        path.push(segment);
        segments += 1;
    }
    let Some(path) = inside(site, &path) else {
        return Ok(Target::NotFound);
    };
    if path.is_dir() {
        if segments > 0 && !raw.ends_with('/') {
            return Ok(Target::Redirect(format!("{raw}/")));
        }
        return Ok(inside(site, &path.join("index.html"))
            .filter(|index| index.is_file())
            .map_or(Target::NotFound, Target::File));
    }
    Ok(if path.is_file() {
        Target::File(path)
    } else {
        Target::NotFound
    })
}

/// The path with symbolic links resolved, if it exists and is inside `site`.
fn inside(site: &Path, path: &Path) -> Option<PathBuf> {
    let resolved = path.canonicalize().ok()?;
    resolved.starts_with(site).then_some(resolved)
}

/// Decodes `%XX` escapes once, segment by segment. Escaped `/`, malformed escapes and
/// text that is not UTF-8 are refused: none has a use in a request for a page (escaped
/// `\\` and NUL are refused with every segment that holds them, escaped or not).
fn percent_decode(raw: &str) -> Result<String, Refusal> {
    let malformed = raw.match_indices('%').any(|(at, _)| {
        let hex = raw.as_bytes().get(at + 1..at + 3);
        !hex.is_some_and(|digits| digits.iter().all(u8::is_ascii_hexdigit))
    });
    if malformed {
        return Err(BAD_REQUEST);
    }
    let mut segments = Vec::new();
    for segment in raw.split('/') {
        let decoded = percent_decode_str(segment)
            .decode_utf8()
            .map_err(|_| BAD_REQUEST)?;
        if decoded.contains(['/', '\\', '\0']) {
            return Err(BAD_REQUEST);
        }
        segments.push(decoded);
    }
    Ok(segments.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_heads() {
        let request = parse_request(b"GET /a/b/?x=1#f HTTP/1.1\r\nHost: 127.0.0.1:1111\r\n\r\n");
        assert_eq!(
            request,
            Ok(Request {
                head_only: false,
                path: "/a/b/".into(),
                query: Some("x=1".into()),
                host: Some("127.0.0.1:1111".into()),
            })
        );
        for (head, status) in [
            (&b"POST / HTTP/1.1\r\n\r\n"[..], 405),
            (b"GET / HTTP/2\r\n\r\n", 505),
            (b"GET http://evil/ HTTP/1.1\r\n\r\n", 400),
            (b"GET * HTTP/1.1\r\n\r\n", 400),
            (b"GET  / HTTP/1.1\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\nno colon\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
            (b"GET /\xff HTTP/1.1\r\n\r\n", 400),
        ] {
            assert_eq!(
                parse_request(head).map_err(|r| r.status),
                Err(status),
                "{}",
                String::from_utf8_lossy(head)
            );
        }
    }

    #[test]
    fn hosts() {
        for (host, loopback) in [
            ("localhost", true),
            ("localhost:1111", true),
            ("preview.localhost:80", true),
            ("127.0.0.1:1111", true),
            ("127.1.2.3", true),
            ("[::1]:1111", true),
            ("evil.example", false),
            ("evil.example:1111", false),
            ("localhost.evil.example", false),
            ("10.0.0.1:1111", false),
        ] {
            assert_eq!(is_loopback_host(host), loopback, "{host}");
        }
    }

    #[test]
    fn paths_stay_inside_the_site() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        std::fs::create_dir_all(site.join("incidents/a")).unwrap();
        std::fs::create_dir_all(site.join("empty")).unwrap();
        std::fs::write(site.join("index.html"), "home").unwrap();
        std::fs::write(site.join("incidents/a/index.html"), "a").unwrap();
        std::fs::write(site.join(".index.html.hindsight-tmp-1"), "partial").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "secret").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret.txt"), site.join("link.txt"))
                .unwrap();
            std::os::unix::fs::symlink(dir.path(), site.join("up")).unwrap();
        }
        let site = site.canonicalize().unwrap();
        let file = |p: &str| Ok(Target::File(site.join(p)));
        for (raw, expected) in [
            ("/", file("index.html")),
            ("/index.html", file("index.html")),
            ("/incidents/a/", file("incidents/a/index.html")),
            ("/incidents//a/", file("incidents/a/index.html")),
            ("/incidents/a", Ok(Target::Redirect("/incidents/a/".into()))),
            ("/%69ndex.html", file("index.html")),
            ("/empty/", Ok(Target::NotFound)),
            ("/missing.html", Ok(Target::NotFound)),
            ("/.index.html.hindsight-tmp-1", Ok(Target::NotFound)),
            ("/__hindsight/other", Ok(Target::NotFound)),
            (EVENTS_PATH, Ok(Target::Events)),
            (OVERLAY_PATH, Ok(Target::Overlay)),
            ("/../secret.txt", Err(BAD_REQUEST)),
            ("/incidents/../../secret.txt", Err(BAD_REQUEST)),
            ("/%2e%2e/secret.txt", Err(BAD_REQUEST)),
            ("/%2E%2E%2Fsecret.txt", Err(BAD_REQUEST)),
            ("/..%2fsecret.txt", Err(BAD_REQUEST)),
            ("/..%5csecret.txt", Err(BAD_REQUEST)),
            ("/..\\secret.txt", Err(BAD_REQUEST)),
            ("/C:/Windows/win.ini", Err(BAD_REQUEST)),
            ("/index.html%00.txt", Err(BAD_REQUEST)),
            ("/%zz", Err(BAD_REQUEST)),
            ("/%c0%ae%c0%ae/secret.txt", Err(BAD_REQUEST)),
            ("//etc/passwd", Ok(Target::NotFound)),
            ("/etc/passwd", Ok(Target::NotFound)),
        ] {
            assert_eq!(resolve(&site, raw), expected, "{raw}");
        }
        #[cfg(unix)]
        for raw in ["/link.txt", "/up/secret.txt"] {
            assert_eq!(resolve(&site, raw), Ok(Target::NotFound), "{raw}");
        }
    }
}
