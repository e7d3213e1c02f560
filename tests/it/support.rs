//! Shared helpers: a throwaway site on disk, a build of it through the real binary, and the
//! few HTML readers the tests need to look at pages the way a visitor does.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::rc::Rc;

use tempfile::TempDir;

/// The repository root, which holds the bundled example site.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A site in a temporary folder, written file by file.
/// The folder is shared with every [`Build`] of the site, so a build's pages outlive a
/// `Site::new()…build()` chain.
pub struct Site {
    dir: Rc<TempDir>,
}

impl Site {
    pub fn new() -> Site {
        Site {
            dir: Rc::new(tempfile::tempdir().expect("create a temporary site folder")),
        }
    }

    /// A copy of `tests/fixtures/<name>/`, so builds never write into the repository.
    pub fn fixture(name: &str) -> Site {
        let site = Site::new();
        let from = repo_root().join("tests/fixtures").join(name);
        assert!(from.is_dir(), "no fixture at {}", from.display());
        copy_tree(&from, site.root());
        site
    }

    /// Writes `contents` to `path` (relative to the site root), creating folders.
    pub fn file(self, path: &str, contents: impl AsRef<[u8]>) -> Site {
        let path = self.root().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, contents).unwrap();
        self
    }

    pub fn config(self, toml: &str) -> Site {
        self.file("hindsight.toml", toml)
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// `hindsight build --root <site>`; the output goes to `<site>/public`.
    pub fn build(&self) -> Build {
        self.build_with(&[])
    }

    /// The same with more arguments; `--output DIR` moves the output folder.
    pub fn build_with(&self, args: &[&str]) -> Build {
        let mut full = vec!["build", "--root", self.root().to_str().unwrap()];
        full.extend_from_slice(args);
        let out = match args.iter().position(|a| *a == "--output") {
            Some(i) => PathBuf::from(args[i + 1]),
            None => self.root().join("public"),
        };
        run(&full, self.root().to_path_buf(), out, Rc::clone(&self.dir))
    }
}

/// Builds the bundled example at the repository root into a fresh temporary folder.
pub fn build_example(args: &[&str]) -> Build {
    let keep = tempfile::tempdir().unwrap();
    let out = keep.path().join("out");
    let root = repo_root();
    let mut full = vec![
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ];
    full.extend_from_slice(args);
    let build = run(&full, root.clone(), out.clone(), Rc::new(keep));
    assert_eq!(
        build.code, 0,
        "the example must build cleanly:\n{}",
        build.stderr
    );
    build
}

/// `keep` is the temporary folder the build's files live in, kept until the build is dropped.
fn run(args: &[&str], root: PathBuf, out: PathBuf, keep: Rc<TempDir>) -> Build {
    let output = Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .args(args)
        .current_dir(&root)
        .output()
        .expect("run the hindsight binary");
    Build {
        code: output
            .status
            .code()
            .expect("hindsight was killed by a signal"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        root,
        out,
        _keep: keep,
    }
}

/// What one run of the binary did.
pub struct Build {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub root: PathBuf,
    /// The output folder.
    pub out: PathBuf,
    _keep: Rc<TempDir>,
}

impl Build {
    /// The page at `path` under the output folder; a path ending in `/` means its index.html.
    pub fn page(&self, path: &str) -> String {
        let file = self.file(path);
        fs::read_to_string(&file).unwrap_or_else(|e| {
            panic!(
                "no page {path} ({e}); pages written:\n{}",
                self.pages().join("\n")
            )
        })
    }

    pub fn has(&self, path: &str) -> bool {
        self.file(path).is_file()
    }

    fn file(&self, path: &str) -> PathBuf {
        let path = if path.ends_with('/') || path.is_empty() {
            format!("{path}index.html")
        } else {
            path.to_string()
        };
        self.out.join(path)
    }

    /// Every file written, relative to the output folder, sorted.
    pub fn pages(&self) -> Vec<String> {
        tree(&self.out).into_keys().collect()
    }

    /// The sub-folders of `dir` in the output, sorted: the terms of a facet, the incidents.
    pub fn folders(&self, dir: &str) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(self.out.join(dir))
            .unwrap_or_else(|e| panic!("no folder {dir} in the output: {e}"))
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().unwrap().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// stderr with the site root written as `[ROOT]`, for messages that name absolute paths.
    pub fn stderr_portable(&self) -> String {
        self.stderr.replace(self.root.to_str().unwrap(), "[ROOT]")
    }

    /// Panics with everything printed unless the exit code is `code`.
    pub fn assert_code(&self, code: i32) -> &Build {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// The slugs of the incidents a page lists in its incident tables, in order.
    pub fn listed(&self, path: &str) -> Vec<String> {
        listed_incidents(&self.page(path))
    }
}

/// Every file under `dir` (relative path → bytes); an absent folder is an empty tree.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let Ok(entries) = fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                files.insert(relative, fs::read(&path).unwrap());
            }
        }
    }
    files
}

pub fn copy_tree(from: &Path, to: &Path) {
    for (relative, bytes) in tree(from) {
        let path = to.join(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }
}

/// The names of the entries of a folder, for "nothing else was left here" checks.
pub fn entries(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// Decodes the character references Tera and pulldown-cmark write (`&#x2F;`, `&amp;`, …).
pub fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest.find(';').filter(|&end| end <= 10).and_then(|end| {
            let name = &rest[1..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => match name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok().and_then(char::from_u32),
                    None => name
                        .strip_prefix('#')
                        .and_then(|d| d.parse().ok())
                        .and_then(char::from_u32),
                },
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Visible text: tags removed, references decoded, whitespace collapsed.
pub fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    unescape(&out)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `<main …>…</main>` element of a page.
pub fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("page has <main");
    let end = html.find("</main>").expect("page has </main>") + "</main>".len();
    &html[start..end]
}

/// Every value of attribute `name` (`href`, `src`, `id`), decoded, in document order.
pub fn attrs(html: &str, name: &str) -> Vec<String> {
    let needle = format!(" {name}=\"");
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(&needle) {
        rest = &rest[at + needle.len()..];
        let end = rest.find('"').expect("attribute is closed");
        found.push(unescape(&rest[..end]));
        rest = &rest[end..];
    }
    found
}

/// The text of the `<dd>` next to the `<dt>` whose text is `label` on an incident page.
pub fn fact(html: &str, label: &str) -> Option<String> {
    let mut rest = html;
    while let Some(at) = rest.find("<dt>") {
        rest = &rest[at + 4..];
        let end = rest.find("</dt>")?;
        let dt = text(&rest[..end]);
        rest = &rest[end..];
        if dt == label {
            let start = rest.find("<dd")?;
            let end = rest.find("</dd>")?;
            return Some(text(&rest[start..end]));
        }
    }
    None
}

/// The slugs of the incidents linked from the title column of incident tables.
pub fn listed_incidents(html: &str) -> Vec<String> {
    let mut slugs = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("<td class=\"title\">") {
        rest = &rest[at..];
        let href = attrs(&rest[..rest.find("</td>").unwrap()], "href");
        let url = href.first().expect("title cell links to the incident");
        let slug = url.trim_end_matches('/').rsplit('/').next().unwrap();
        slugs.push(slug.to_string());
        rest = &rest[1..];
    }
    slugs
}

/// The rows of a facet overview: (term name, incident count), in display order.
pub fn overview_rows(html: &str) -> Vec<(String, usize)> {
    let body = &html[html
        .find("<table class=\"terms\">")
        .expect("an overview table")..];
    let body = &body[..body.find("</table>").unwrap()];
    body.split("<tr")
        .skip(2) // the text before the header row, and the header row
        .map(|row| {
            // The name is a link, or plain text for a term without incidents.
            let cell = &row[row.find("<td>").unwrap()..];
            let cell = &cell[..cell.find("</td>").unwrap()];
            let cell = &cell[..cell.find("<div class=\"term-desc\">").unwrap_or(cell.len())];
            let name = text(cell);
            let num = row.find("<td class=\"num\">").unwrap();
            let count = text(&row[num..row[num..].find("</td>").unwrap() + num]);
            (name, count.parse().unwrap())
        })
        .collect()
}

/// The canonical URL a page declares, if any.
pub fn canonical(html: &str) -> Option<String> {
    let at = html.find("<link rel=\"canonical\"")?;
    let tag = &html[at..at + html[at..].find('>')?];
    attrs(tag, "href").into_iter().next()
}

/// A minimal postmortem with YAML front matter; `fields` are extra lines inside the block.
pub fn postmortem(title: &str, fields: &str) -> String {
    format!("---\ntitle: {title}\n{fields}---\n\nWhat happened.\n")
}

/// Every `.rs` file under `dir`, sorted: what the architecture tests read.
pub fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}
