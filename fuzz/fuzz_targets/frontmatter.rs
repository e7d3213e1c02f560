//! `parse::frontmatter::parse` on any text: it never panics, every position it reports lies
//! in the file, the body it returns is the file's tail starting on `body_line`, and no string
//! it returns, key or value, holds a control character.
#![no_main]

use hindsight::parse::frontmatter::{self, Node, Value};
use hindsight_fuzz::{Lines, is_refused_control, text_of};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(text) = text_of(data) else { return };
    let lines = Lines::new(&text);
    match frontmatter::parse(&text) {
        Err(error) => {
            let (pos, message) = (error.pos, &error.message);
            assert!(lines.contains(pos.line, pos.col), "{pos}: {message}");
            assert!(
                !message.is_empty() && !message.ends_with('.'),
                "{message:?}"
            );
        }
        Ok(document) => {
            let head = &text[..text.len() - document.body.len()];
            assert!(text.ends_with(document.body));
            if head.is_empty() || head.ends_with('\n') {
                let line = head.matches('\n').count() + 1;
                assert_eq!(line, document.body_line as usize, "body line");
            }
            if let Some(root) = &document.matter {
                assert!(matches!(root.value, Value::Map(_)), "root is a map");
                check(root, &lines);
            }
        }
    }
});

/// Walks the tree: positions in the file, no control characters in keys and strings.
fn check(node: &Node, lines: &Lines) {
    assert!(
        lines.contains(node.pos.line, node.pos.col),
        "node at {}",
        node.pos
    );
    match &node.value {
        Value::String(s) => assert!(!s.chars().any(is_refused_control), "{s:?}"),
        Value::List(items) => items.iter().for_each(|item| check(item, lines)),
        Value::Map(entries) => {
            for entry in entries {
                let (key, at) = (&entry.key, entry.key_pos);
                assert!(lines.contains(at.line, at.col), "key {key:?} at {at}");
                assert!(!key.chars().any(is_refused_control), "{key:?}");
                check(&entry.value, lines);
            }
        }
        _ => {}
    }
}
