//! The architecture as a test: the library's layers (`ARCHITECTURE.md`) import only
//! downward, and the modules of one layer never import each other in a circle.
//!
//! The test reads every `crate::` and `super::` path in `src/` (use declarations and
//! paths written inline, comments left out) the way a reader would, and names each
//! offending import with its file and line. Test code (`#[cfg(test)]` items and the files
//! they declare) may reach anywhere: a unit test of an index may build a whole site.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use crate::support::rust_files;

/// The layers, bottom first. A module may import its own layer and those before it.
const LAYERS: &[&str] = &["model", "parse", "analyze", "render", "app", "cli"];

/// Files that are not in a layer: the crate root and the binary shim.
const OUTSIDE: &[&str] = &["lib.rs", "main.rs"];

/// One import: which module imports which path, and where it is written.
#[derive(Debug, Clone)]
struct Import {
    file: String,
    line: usize,
    from: Vec<String>,
    to: Vec<String>,
}

#[test]
fn layers_import_only_downward() {
    let imports = read_imports(&src_dir());
    assert!(
        imports.len() > 200,
        "found only {} imports: is the reader broken?",
        imports.len()
    );
    let upward: Vec<String> = imports
        .iter()
        .filter_map(|import| {
            let from = rank(&import.from[0])?;
            let to = rank(&import.to[0])?;
            (to > from).then(|| {
                format!(
                    "{}:{}: {} (layer {}) imports {} (layer {})",
                    import.file,
                    import.line,
                    import.from.join("::"),
                    import.from[0],
                    import.to.join("::"),
                    import.to[0]
                )
            })
        })
        .collect();
    assert!(
        upward.is_empty(),
        "imports that run upward:\n{}",
        upward.join("\n")
    );
}

#[test]
fn no_circle_inside_a_layer() {
    let imports = read_imports(&src_dir());
    // Edges between a layer's own modules (`render::search` → `render::views`), ignoring
    // a module's use of its own parent (`render::search` → `render`), which is how a
    // module tree shares its types.
    let mut edges: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for import in &imports {
        if import.from[0] != import.to[0] || import.to.len() < 2 {
            continue;
        }
        let (Some(from), Some(to)) = (import.from.get(1), import.to.get(1)) else {
            continue;
        };
        if from != to {
            let layer = &import.from[0];
            edges
                .entry(format!("{layer}::{from}"))
                .or_default()
                .entry(format!("{layer}::{to}"))
                .or_insert_with(|| format!("{}:{}", import.file, import.line));
        }
    }
    let circles = find_circles(&edges);
    assert!(
        circles.is_empty(),
        "modules of one layer that import each other in a circle:\n{}",
        circles.join("\n")
    );
}

#[test]
fn the_reader_sees_what_is_written() {
    let text = "use crate::model::{config::Config, vocab::{self, term_key}};\n\
                // use crate::cli::Cli;\n\
                fn f() { crate::parse::markdown::render(x); super::sibling::g(); }\n\
                #[cfg(test)]\nmod tests {\n    use crate::app::build;\n}\n";
    let found = paths_in(text, &["render".into(), "pages".into()]);
    let found: Vec<String> = found
        .into_iter()
        .map(|(line, path)| format!("{line}:{}", path.join("::")))
        .collect();
    assert_eq!(
        found,
        [
            "1:model::config::Config",
            "1:model::vocab",
            "1:model::vocab::term_key",
            "3:parse::markdown::render",
            "3:render::sibling::g",
        ]
    );
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rank(layer: &str) -> Option<usize> {
    LAYERS.iter().position(|l| *l == layer)
}

/// Every import of every non-test file under `src`.
fn read_imports(src: &Path) -> Vec<Import> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let test_files = test_only_files(&files);
    let mut imports = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(src).unwrap();
        let name = relative.to_string_lossy().replace('\\', "/");
        if OUTSIDE.contains(&name.as_str()) || test_files.contains(file) {
            continue;
        }
        let module = module_path(relative);
        assert!(
            rank(&module[0]).is_some(),
            "src/{name} is in no layer: move it under one of {LAYERS:?}"
        );
        let text = fs::read_to_string(file).unwrap();
        for (line, to) in paths_in(&text, &module) {
            imports.push(Import {
                file: format!("src/{name}"),
                line,
                from: module.clone(),
                to,
            });
        }
    }
    imports
}

/// Files declared by `#[cfg(test)] mod name;`, and everything below them.
fn test_only_files(files: &[PathBuf]) -> BTreeSet<PathBuf> {
    let mut roots = Vec::new();
    for file in files {
        let text = fs::read_to_string(file).unwrap();
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        for pair in lines.windows(2) {
            if pair[0] != "#[cfg(test)]" {
                continue;
            }
            let Some(name) = pair[1]
                .strip_prefix("mod ")
                .or_else(|| pair[1].strip_prefix("pub(crate) mod "))
                .and_then(|rest| rest.strip_suffix(';'))
            else {
                continue;
            };
            let stem = file.file_stem().unwrap().to_string_lossy();
            let dir = if matches!(stem.as_ref(), "mod" | "lib" | "main") {
                file.parent().unwrap().to_path_buf()
            } else {
                file.with_extension("")
            };
            roots.push(dir.join(format!("{name}.rs")));
            roots.push(dir.join(name));
        }
    }
    files
        .iter()
        .filter(|file| roots.iter().any(|root| file.starts_with(root)))
        .cloned()
        .collect()
}

/// `render/search/mod.rs` → `["render", "search"]`.
fn module_path(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|last| last == "mod") {
        parts.pop();
    }
    parts
}

/// The crate paths `text` (the source of `module`) refers to, each with its line, in
/// order; comments and `#[cfg(test)]` items are left out, `super::` is resolved.
fn paths_in(text: &str, module: &[String]) -> Vec<(usize, Vec<String>)> {
    let code = without_tests(&without_comments(text));
    let mut found = Vec::new();
    let bytes = code.as_bytes();
    let mut at = 0;
    while at < code.len() {
        let rest = &code[at..];
        let (base, skip) = if rest.starts_with("crate::") && !ident_before(bytes, at) {
            (Vec::new(), "crate::".len())
        } else if rest.starts_with("super::") && !ident_before(bytes, at) {
            let mut base = module.to_vec();
            let mut skip = 0;
            while code[at + skip..].starts_with("super::") {
                base.pop();
                skip += "super::".len();
            }
            (base, skip)
        } else {
            at += rest.chars().next().map_or(1, char::len_utf8);
            continue;
        };
        let line = code[..at].matches('\n').count() + 1;
        let (tree, used) = read_tree(&code[at + skip..]);
        for path in tree {
            let mut full = base.clone();
            full.extend(path);
            if !full.is_empty() {
                found.push((line, full));
            }
        }
        at += skip + used.max(1);
    }
    found
}

fn ident_before(bytes: &[u8], at: usize) -> bool {
    at > 0
        && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_' || bytes[at - 1] == b':')
}

/// Reads `a::b::{c, d::{self, e}}` at the start of `text`: the paths it names (`self`
/// names the prefix) and how many bytes it took.
fn read_tree(text: &str) -> (Vec<Vec<String>>, usize) {
    let mut prefix = Vec::new();
    let mut at = 0;
    loop {
        let ident: String = text[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !ident.is_empty() {
            at += ident.len();
            if ident != "self" {
                prefix.push(ident);
            }
            if text[at..].starts_with("::") {
                at += 2;
                continue;
            }
            return (vec![prefix], at);
        }
        if text[at..].starts_with('{') {
            at += 1;
            let mut paths = Vec::new();
            loop {
                let skipped = text[at..].len() - text[at..].trim_start().len();
                at += skipped;
                if text[at..].starts_with('}') {
                    return (paths, at + 1);
                }
                let (inner, used) = read_tree(&text[at..]);
                for path in inner {
                    let mut full = prefix.clone();
                    full.extend(path);
                    paths.push(full);
                }
                at += used;
                let skipped = text[at..].len() - text[at..].trim_start().len();
                at += skipped;
                if text[at..].starts_with(',') {
                    at += 1;
                } else if text[at..].starts_with(" as ") || text[at..].starts_with("as ") {
                    let rest = text[at..]
                        .trim_start()
                        .trim_start_matches("as")
                        .trim_start();
                    at = text.len() - rest.len();
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    at += name.len();
                } else if !text[at..].starts_with('}') {
                    return (paths, at.max(1));
                }
            }
        }
        // `*` or anything else ends the path.
        return (vec![prefix], at);
    }
}

/// The text with `//` comments blanked (line breaks kept, string literals respected
/// enough for the URLs this code base writes in strings).
fn without_comments(text: &str) -> String {
    text.lines()
        .map(|line| {
            let mut in_string = false;
            let mut previous = ' ';
            for (i, c) in line.char_indices() {
                if c == '"' && previous != '\\' {
                    in_string = !in_string;
                }
                if !in_string && c == '/' && line[i + 1..].starts_with('/') {
                    return &line[..i];
                }
                previous = c;
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The text with every `#[cfg(test)]` item blanked (line breaks kept, so lines still
/// count): a block up to its closing brace, a declaration up to its semicolon.
fn without_tests(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let item = &rest[at..];
        let mut depth = 0usize;
        let mut end = item.len();
        for (i, c) in item.char_indices().skip("#[cfg(test)]".len()) {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                ';' if depth == 0 => {
                    end = i + 1;
                    break;
                }
                _ => {}
            }
        }
        out.extend(item[..end].chars().filter(|c| *c == '\n'));
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

/// Each circle of `edges` once, as "a → b → a (a at file:line, ...)".
fn find_circles(edges: &BTreeMap<String, BTreeMap<String, String>>) -> Vec<String> {
    let mut circles = BTreeSet::new();
    for start in edges.keys() {
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        while let Some((node, path)) = stack.pop() {
            for (next, at) in edges.get(&node).into_iter().flatten() {
                if next == start {
                    let mut circle = path.clone();
                    // One rotation per circle: start at its smallest module.
                    let smallest = circle.iter().min().unwrap().clone();
                    let turn = circle.iter().position(|m| *m == smallest).unwrap();
                    circle.rotate_left(turn);
                    let first = circle[0].clone();
                    circle.push(first);
                    circles.insert(format!("{} (last edge at {at})", circle.join(" → ")));
                } else if !path.contains(next) && next > start {
                    let mut longer = path.clone();
                    longer.push(next.clone());
                    stack.push((next.clone(), longer));
                }
            }
        }
    }
    circles.into_iter().collect()
}
