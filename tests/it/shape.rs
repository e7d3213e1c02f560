//! The code's shape as a test: no function in `src/` is longer than [`MAX_LINES`] lines
//! (`DESIGN.md`: a long sequence of steps is several functions named for the steps).

use std::fs;
use std::path::Path;

use crate::support::rust_files;

/// The longest a function may be, from its `fn` line to its closing brace.
const MAX_LINES: usize = 80;

#[test]
fn no_function_is_longer_than_the_limit() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut long = Vec::new();
    let mut functions = 0;
    for file in &files {
        let text = fs::read_to_string(file).unwrap();
        for (name, line, length) in functions_in(&text) {
            functions += 1;
            if length > MAX_LINES {
                let path = file.strip_prefix(&src).unwrap().display();
                long.push(format!("src/{path}:{line}: {name} is {length} lines"));
            }
        }
    }
    assert!(
        functions > 500,
        "found only {functions} functions: is the reader broken?"
    );
    assert!(
        long.is_empty(),
        "functions longer than {MAX_LINES} lines (split them into steps named for what they do):\n{}",
        long.join("\n")
    );
}

#[test]
fn the_reader_measures_functions() {
    let text = "fn short() {\n    let s = \"}\";\n    let c = '}';\n}\n\n\
                pub(crate) fn generic<'a>(x: &'a str) -> &'a str\nwhere\n    'a: 'a,\n{\n    // }\n    r#\"{\"#;\n    x\n}\n\
                trait T {\n    fn declared(&self);\n}\n";
    assert_eq!(
        functions_in(text),
        [("short".to_string(), 1, 4), ("generic".to_string(), 6, 8)]
    );
}

/// Every function with a body in `text`: its name, the line of `fn` and its length in
/// lines. Nested functions are measured too (and count toward their parent).
fn functions_in(text: &str) -> Vec<(String, usize, usize)> {
    let code = blank_literals(text);
    let lines: Vec<&str> = code.lines().collect();
    let mut found = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let Some(name) = fn_name(line) else {
            continue;
        };
        if let Some(end) = body_end(&lines, index) {
            found.push((name, index + 1, end - index + 1));
        }
    }
    found
}

/// The function a line declares, if it starts one.
fn fn_name(line: &str) -> Option<String> {
    let mut rest = line.trim_start();
    for prefix in [
        "pub(crate) ",
        "pub(super) ",
        "pub ",
        "const ",
        "async ",
        "unsafe ",
    ] {
        rest = rest.strip_prefix(prefix).unwrap_or(rest);
    }
    if let Some(inner) = rest.strip_prefix("pub(in ") {
        rest = inner.split_once(") ")?.1;
    }
    let rest = rest.strip_prefix("fn ")?;
    let name: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// The index of the line that closes the body of the function declared at `start`, or
/// `None` for a declaration without a body (`fn f(&self);`).
fn body_end(lines: &[&str], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut opened = false;
    let mut parens = 0i32;
    for (index, line) in lines.iter().enumerate().skip(start) {
        for c in line.chars() {
            match c {
                '(' | '[' => parens += 1,
                ')' | ']' => parens -= 1,
                ';' if !opened && parens == 0 => return None,
                '{' => {
                    depth += 1;
                    opened = true;
                }
                '}' => {
                    depth = depth.checked_sub(1)?;
                    if opened && depth == 0 {
                        return Some(index);
                    }
                }
                _ => {}
            }
        }
    }
    None
}

/// The text with the insides of string and char literals and of comments blanked, so
/// braces in them do not count. Line breaks are kept.
fn blank_literals(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i = skip_until(&chars, i + 2, &['*', '/'], &mut out);
        } else if c == 'r' && matches!(next, Some('"' | '#')) && !ident_before(&chars, i) {
            let hashes = chars[i + 1..].iter().take_while(|&&c| c == '#').count();
            if chars.get(i + 1 + hashes) == Some(&'"') {
                let mut close = vec!['"'];
                close.extend(std::iter::repeat_n('#', hashes));
                i = skip_until(&chars, i + 2 + hashes, &close, &mut out);
            } else {
                out.push(c);
                i += 1;
            }
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\n' {
                    out.push('\n');
                }
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
        } else if c == '\'' && is_char_literal(&chars, i) {
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_before(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// `'x'` or `'\n'`, not a lifetime `'a`.
fn is_char_literal(chars: &[char], i: usize) -> bool {
    match chars.get(i + 1) {
        Some('\\') => true,
        Some(_) => chars.get(i + 2) == Some(&'\''),
        None => false,
    }
}

/// Skips to just after `close`, keeping the line breaks passed.
fn skip_until(chars: &[char], mut i: usize, close: &[char], out: &mut String) -> usize {
    while i < chars.len() {
        if chars[i..].starts_with(close) {
            return i + close.len();
        }
        if chars[i] == '\n' {
            out.push('\n');
        }
        i += 1;
    }
    i
}
