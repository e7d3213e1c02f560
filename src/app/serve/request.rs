//! What a request asks for: its method, target and `Host` checked, and its path mapped to
//! a file of the site folder, a redirect, one of the server's own endpoints, or nothing.
//! The safety rules of the server (see `http.rs`) live here: every way out of the folder
//! is refused before any file is touched, and what is left is checked again after
//! symbolic links are followed. hyper has parsed the request head; nothing here trusts
//! what it holds.

use hyper::{Method, Request, StatusCode, header};
use percent_encoding::percent_decode_str;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use super::live::{EVENTS_PATH, OVERLAY_PATH, SCRIPT_PATH, STYLE_PATH};

/// A request that passed [`check`], as far as a static server cares.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Asked {
    pub(super) head_only: bool,
    /// The raw path, without query: decoded only by [`resolve`].
    pub(super) path: String,
    pub(super) query: Option<String>,
}

/// Why a request is answered with an error: the status and the body's one line.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Refusal {
    pub(super) status: StatusCode,
    pub(super) message: &'static str,
}

pub(super) const fn refusal(status: StatusCode, message: &'static str) -> Refusal {
    Refusal { status, message }
}

pub(super) const BAD_REQUEST: Refusal = refusal(StatusCode::BAD_REQUEST, "bad request\n");

pub(super) const NOT_FOUND: Refusal = refusal(StatusCode::NOT_FOUND, "not found\n");

pub(super) const NOT_ALLOWED: Refusal = refusal(
    StatusCode::METHOD_NOT_ALLOWED,
    "only GET and HEAD are allowed\n",
);

/// What a valid path names.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Target {
    /// The live-reload event stream.
    Events,
    /// The problems overlay, for pages to swap in.
    Overlay,
    /// The live-reload script.
    Script,
    /// The overlay's style sheet.
    Style,
    File(PathBuf),
    /// A folder asked for without its trailing slash: relative links need it.
    Redirect(String),
    NotFound,
}

/// Checks what hyper parsed: the method (GET or HEAD), the target (origin-form only:
/// absolute URLs and `*` are for proxies) and, on a loopback address, the `Host` (DNS
/// rebinding: a page of another site that resolves its name to 127.0.0.1 sends its own).
pub(super) fn check<B>(request: &Request<B>, loopback: bool) -> Result<Asked, Refusal> {
    let head_only = match *request.method() {
        Method::GET => false,
        Method::HEAD => true,
        _ => return Err(NOT_ALLOWED),
    };
    let uri = request.uri();
    // Raw bytes above ASCII are not URI characters (browsers percent-encode them), though
    // hyper lets them through.
    if uri.scheme().is_some()
        || uri.authority().is_some()
        || !uri.path().starts_with('/')
        || !uri.path().is_ascii()
    {
        return Err(BAD_REQUEST);
    }
    let mut hosts = request.headers().get_all(header::HOST).iter();
    let host = hosts.next();
    if hosts.next().is_some() {
        return Err(BAD_REQUEST);
    }
    let host = match host.map(|value| value.to_str()) {
        None => None,
        Some(Ok(host)) => Some(host.trim().to_ascii_lowercase()),
        Some(Err(_)) => return Err(BAD_REQUEST),
    };
    if loopback && !host.as_deref().is_none_or(is_loopback_host) {
        return Err(refusal(
            StatusCode::FORBIDDEN,
            "this preview answers only to localhost\n",
        ));
    }
    Ok(Asked {
        head_only,
        path: uri.path().to_string(),
        query: uri.query().map(str::to_string),
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
    match raw {
        EVENTS_PATH => return Ok(Target::Events),
        OVERLAY_PATH => return Ok(Target::Overlay),
        SCRIPT_PATH => return Ok(Target::Script),
        STYLE_PATH => return Ok(Target::Style),
        _ => {}
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

/// The files of the site folder a request path may be answered from, relative to it:
/// `a/` is `a/index.html`; `a` is `a`, or `a/index.html` through a redirect. Empty for a
/// path [`resolve`] refuses.
pub(super) fn names(raw: &str) -> Vec<String> {
    let Ok(decoded) = percent_decode(raw) else {
        return Vec::new();
    };
    let segments: Vec<&str> = decoded.split('/').filter(|s| !s.is_empty()).collect();
    let joined = segments.join("/");
    if segments.is_empty() {
        vec!["index.html".to_string()]
    } else if raw.ends_with('/') {
        vec![format!("{joined}/index.html")]
    } else {
        vec![format!("{joined}/index.html"), joined]
    }
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

    fn request(method: &str, target: &str, hosts: &[&str]) -> Request<()> {
        let mut builder = Request::builder().method(method).uri(target);
        for host in hosts {
            builder = builder.header(header::HOST, *host);
        }
        builder.body(()).unwrap()
    }

    #[test]
    fn a_request_names_the_files_it_may_be_answered_from() {
        assert_eq!(names("/"), ["index.html"]);
        assert_eq!(names("/incidents/a%20b/"), ["incidents/a b/index.html"]);
        assert_eq!(
            names("/search/meta.js"),
            ["search/meta.js/index.html", "search/meta.js"]
        );
        assert!(names("/a%2fb").is_empty());
    }

    #[test]
    fn requests() {
        let asked = check(&request("GET", "/a/b/?x=1", &["127.0.0.1:1111"]), true);
        assert_eq!(
            asked,
            Ok(Asked {
                head_only: false,
                path: "/a/b/".into(),
                query: Some("x=1".into()),
            })
        );
        assert!(check(&request("HEAD", "/", &[]), true).is_ok_and(|a| a.head_only));
        // Any host is fine when the preview is on the network on purpose.
        assert!(check(&request("GET", "/", &["evil.example"]), false).is_ok());
        for (method, target, hosts, status) in [
            ("POST", "/", &["localhost"][..], 405),
            ("OPTIONS", "/", &["localhost"], 405),
            ("GET", "http://evil/", &[], 400),
            ("GET", "*", &[], 400),
            ("GET", "/caf\u{e9}", &[], 400),
            ("GET", "/", &["a", "b"], 400),
            ("GET", "/", &["Evil.Example"], 403),
            ("GET", "/", &["localhost.evil.example:1111"], 403),
        ] {
            let refused = check(&request(method, target, hosts), true).map_err(|r| r.status);
            assert_eq!(
                refused,
                Err(StatusCode::from_u16(status).unwrap()),
                "{method} {target}"
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
            ("/__hindsight/live.js/", Ok(Target::NotFound)),
            ("/__hindsight%2flive.js", Err(BAD_REQUEST)),
            (EVENTS_PATH, Ok(Target::Events)),
            (OVERLAY_PATH, Ok(Target::Overlay)),
            (SCRIPT_PATH, Ok(Target::Script)),
            (STYLE_PATH, Ok(Target::Style)),
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
