//! Splits a postmortem into front matter and Markdown body, and parses the front matter into a
//! tree of values in which every node knows its 1-based line and column in the whole file.
//!
//! gray_matter finds the front matter (a project rule), but its own parsers drop positions and it
//! quietly accepts a block that is never closed. So it only splits here: we locate the matter it
//! found in the original text and parse that text again, YAML with yaml_rust2's event parser and
//! TOML with the `toml` crate's span-preserving `DeTable`, so that later diagnostics can say
//! `content/x.md:4:11: severity: unknown value`.

use std::cell::Cell;
use std::fmt;

use gray_matter::engine::Engine;
use gray_matter::{Matter, ParsedEntity, Pod};
use toml::Spanned;
use toml::de::{DeTable, DeValue};
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

pub use crate::model::diagnostics::Pos;

/// Deeper YAML nesting is rejected because converting and dropping trees is recursive, and no
/// real postmortem needs more than a handful of levels.
const MAX_DEPTH: usize = 64;

/// The syntax of the front matter, chosen by its delimiter line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Toml,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    List(Vec<Node>),
    Map(Vec<Entry>),
}

/// A value and where it starts in the file.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub pos: Pos,
}

/// One field of a map; entries keep their source order.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_pos: Pos,
    pub value: Node,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Document<'a> {
    pub format: Option<Format>,
    pub matter: Option<Node>,
    pub body: &'a str,
    pub body_line: u32,
}

/// A problem with the front matter; `message` is lowercase and says what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrontMatterError {
    pub message: String,
    pub pos: Pos,
}

/// Shown as `line:col: message`, so the caller only has to put the path in front.
impl fmt::Display for FrontMatterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.pos, self.message)
    }
}

impl std::error::Error for FrontMatterError {}

type Result<T, E = FrontMatterError> = std::result::Result<T, E>;

impl Node {
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "float",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Map(_) => "map",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Converts to JSON for templates; JSON has no infinities or NaN, so those become `null`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::String(s) => J::String(s.clone()),
            Value::List(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => {
                let fields = entries.iter().map(|e| (e.key.clone(), e.value.to_json()));
                J::Object(fields.collect())
            }
        }
    }
}

fn node(value: Value, pos: Pos) -> Node {
    Node { value, pos }
}

fn err(message: impl Into<String>, pos: Pos) -> FrontMatterError {
    let message = message.into();
    FrontMatterError { message, pos }
}

fn pos(line: usize, col: usize, line_offset: u32) -> Pos {
    let to_u32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let line = to_u32(line).saturating_add(line_offset);
    let col = to_u32(col);
    Pos { line, col }
}

/// Brings a parser's message into our style: lowercase start, no trailing period.
fn tidy(message: &str) -> String {
    let message = message.lines().next().unwrap_or_default();
    let message = message.trim().trim_end_matches('.');
    let mut chars = message.chars();
    match (chars.next(), chars.next()) {
        // An acronym such as "TOML" keeps its capitals.
        (Some(first), second) if !second.is_some_and(char::is_uppercase) => {
            format!("{}{}", first.to_lowercase(), &message[first.len_utf8()..])
        }
        _ => message.to_owned(),
    }
}

/// Splits `text` and parses its front matter; see the module documentation.
pub fn parse(text: &str) -> Result<Document<'_>> {
    let (mut doc, matter) = split(text)?;
    if let Some((src, line)) = matter {
        refuse_carriage_returns(src, line)?;
    }
    let root = match (matter, doc.format) {
        (Some((src, line)), Some(Format::Yaml)) => parse_yaml(src, line - 1)?,
        (Some((src, line)), Some(Format::Toml)) => Some(parse_toml(src, line - 1)?),
        _ => None,
    };
    doc.matter = match root {
        Some(node) if matches!(node.value, Value::Map(_)) => Some(node),
        // A document that is only `~` or comments has no fields, just like an empty block.
        Some(node) if !matches!(node.value, Value::Null) => {
            let (name, pos) = (node.type_name(), node.pos);
            let article = if name == "integer" { "an" } else { "a" };
            let message = format!("front matter must be a map of fields, found {article} {name}");
            return Err(err(message, pos));
        }
        _ => None,
    };
    Ok(doc)
}

/// Refuses a carriage return not followed by a line feed in the matter: YAML would count it
/// as a line break while the rest of Hindsight, and most editors, see one line, so positions
/// would disagree from there on. `line` is the line `src` starts on.
fn refuse_carriage_returns(src: &str, line: u32) -> Result<()> {
    let lone = src
        .match_indices('\r')
        .find(|&(i, _)| !src[i + 1..].starts_with('\n'));
    let Some((at, _)) = lone else {
        return Ok(());
    };
    let before = &src[..at];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let lines = before.bytes().filter(|&b| b == b'\n').count();
    let col = before[line_start..].chars().count() + 1;
    let message =
        "carriage return without a line feed: expected lines to end with `\\n` or `\\r\\n`";
    Err(err(message, pos(lines + 1, col, line - 1)))
}

/// gray_matter hands the matter to its engine; ours declines to parse, so gray_matter only splits.
struct SplitOnly;

impl Engine for SplitOnly {
    fn parse(_: &str) -> gray_matter::Result<Pod> {
        Ok(Pod::Null)
    }
}

fn gray_split(text: &str, open: &str, close: &str) -> gray_matter::Result<ParsedEntity> {
    let mut matter = Matter::<SplitOnly>::new();
    matter.delimiter = open.to_owned();
    matter.close_delimiter = Some(close.to_owned());
    matter.parse(text)
}

/// Returns the document without its parsed matter, plus the matter's text from the start of its
/// first non-blank line and that line's number.
fn split(text: &str) -> Result<(Document<'_>, Option<(&str, u32)>)> {
    let mut doc = Document {
        format: None,
        matter: None,
        body: text,
        body_line: 1,
    };
    // gray_matter only sees front matter when the opening line is followed by a newline.
    let Some(first_end) = text.find('\n') else {
        return Ok((doc, None));
    };
    let (format, open, close) = match text[..first_end].trim_end() {
        "---" => (Format::Yaml, "---", "..."),
        "+++" => (Format::Toml, "+++", "+++"),
        _ => return Ok((doc, None)),
    };
    let top = Pos { line: 1, col: 1 };

    // gray_matter neither says whether it found the closing line nor keeps the body intact, so
    // we find that line ourselves by its rule: the first later line that equals either
    // delimiter once trailing whitespace is removed.
    let (mut start, mut line) = (first_end + 1, 1);
    let mut lines = text[start..].split_inclusive('\n');
    let closing = loop {
        let Some(l) = lines.next() else {
            let message =
                format!("front matter is not terminated: expected a closing `{open}` line");
            return Err(err(message, top));
        };
        line += 1;
        if [open, close].contains(&l.trim_end()) {
            break start..start + l.len();
        }
        start += l.len();
    };
    // Only the matter goes to gray_matter: it copies all it is given, line by line, and
    // the body is most of a file (those copies were a tenth of parsing at 10,000 files).
    let entity = gray_split(&text[..closing.end], open, close)
        .map_err(|e| err(tidy(&e.to_string()), top))?;

    let matter = (!entity.matter.is_empty()).then(|| {
        // gray_matter trims the matter, so its first line starts at the block's first non-blank
        // character. We parse from the start of that line in the original text, which keeps
        // the file's indentation (YAML cares) and leaves columns as they are in the file.
        let region = &text[first_end + 1..closing.start];
        let first = entity.matter.lines().next().unwrap_or_default();
        let found = region.find(first).unwrap_or(0);
        let at = region[..found].rfind('\n').map_or(0, |i| i + 1);
        let skipped = region[..at].bytes().filter(|&b| b == b'\n').count();
        (&region[at..], pos(skipped + 2, 1, 0).line)
    });
    doc.format = Some(format);
    (doc.body, doc.body_line) = (&text[closing.end..], line + 1);
    Ok((doc, matter))
}

enum Frame {
    List(Vec<Node>),
    /// The entries so far, and the key whose value comes next.
    Map(Vec<Entry>, Option<(String, Pos)>),
}

/// Builds a node tree from yaml_rust2 events, keeping open collections on a stack.
struct YamlBuilder {
    stack: Vec<(Frame, Pos)>,
    root: Option<Node>,
    lines: CharLines,
}

/// Where each line of the matter starts, in characters, to move between yaml_rust2's markers
/// and character indices. A marker's index cannot be used directly: the scanner counts the
/// lines of block scalars (`|`, `>`) in bytes, so every later index is too high by the extra
/// bytes of their non-ASCII characters. Its line is exact (`parse` refuses lone carriage
/// returns, which YAML would take for line breaks) and its column is wrong only at the end of
/// such a line, so lines and columns are what we read, clamped to the line.
struct CharLines {
    starts: Vec<usize>,
    chars: usize,
    line_offset: u32,
}

impl CharLines {
    fn new(src: &str, line_offset: u32) -> CharLines {
        let mut starts = vec![0];
        let mut chars = 0;
        for c in src.chars() {
            chars += 1;
            if c == '\n' {
                starts.push(chars);
            }
        }
        CharLines {
            starts,
            chars,
            line_offset,
        }
    }

    /// The character index `mark` stands for, at most the end of its line.
    fn index(&self, mark: Marker) -> usize {
        let line = mark.line().clamp(1, self.starts.len());
        let start = self.starts[line - 1];
        let end = self.starts.get(line).map_or(self.chars, |next| next - 1);
        (start + mark.col()).min(end)
    }

    /// The position of the character at `index`; columns count characters from 1.
    fn pos(&self, index: usize) -> Pos {
        let line = self.starts.partition_point(|&s| s <= index).max(1);
        pos(line, index - self.starts[line - 1] + 1, self.line_offset)
    }
}

impl YamlBuilder {
    fn pos(&self, mark: Marker) -> Pos {
        self.lines.pos(self.lines.index(mark))
    }

    fn awaiting_key(&self) -> bool {
        matches!(self.stack.last(), Some((Frame::Map(_, None), _)))
    }

    fn scalar(&mut self, text: String, style: TScalarStyle, str_tag: bool, at: Pos) -> Result<()> {
        check_text(&text, at)?;
        let plain = style == TScalarStyle::Plain;
        match self.stack.last_mut() {
            // Keys keep their text as written, so `1:` and `true:` are the keys "1" and "true".
            Some((Frame::Map(entries, pending @ None), map_pos)) => {
                // A block map's start event is marked at its first `:`, so its first key is a
                // better position; a flow map's `{` comes before its first key and stays.
                if entries.is_empty() && (at.line, at.col) < (map_pos.line, map_pos.col) {
                    *map_pos = at;
                }
                *pending = Some((text, at));
                Ok(())
            }
            // An omitted value is marked wherever the parser found the next token, often on
            // the next line, so it points at its key instead.
            Some((Frame::Map(_, Some((_, key_pos))), _)) if plain && text.is_empty() => {
                let key_pos = *key_pos;
                self.finish(node(Value::Null, key_pos))
            }
            _ if plain && !str_tag => self.finish(node(plain_value(text), at)),
            _ => self.finish(node(Value::String(text), at)),
        }
    }

    fn open(&mut self, frame: Frame, at: Pos) -> Result<()> {
        if self.awaiting_key() {
            let found = if let Frame::List(_) = frame {
                "list"
            } else {
                "map"
            };
            return Err(err(
                format!("map keys must be plain text, found a {found}"),
                at,
            ));
        }
        if self.stack.len() >= MAX_DEPTH {
            let message =
                format!("front matter is nested too deeply: expected at most {MAX_DEPTH} levels");
            return Err(err(message, at));
        }
        self.stack.push((frame, at));
        Ok(())
    }

    fn close(&mut self) -> Result<()> {
        // The parser balances start and end events, so the stack is never empty here.
        let Some((frame, pos)) = self.stack.pop() else {
            return Ok(());
        };
        let value = match frame {
            Frame::List(items) => Value::List(items),
            Frame::Map(entries, _) => Value::Map(check_duplicates(entries)?),
        };
        self.finish(node(value, pos))
    }

    fn finish(&mut self, node: Node) -> Result<()> {
        match self.stack.last_mut() {
            None => _ = self.root.get_or_insert(node),
            Some((Frame::List(items), _)) => items.push(node),
            Some((Frame::Map(entries, pending), _)) => {
                // `open` rejects collections as keys, so a key is always pending here.
                let Some((key, key_pos)) = pending.take() else {
                    return Err(err("map keys must be plain text", node.pos));
                };
                let value = node;
                entries.push(Entry {
                    key,
                    key_pos,
                    value,
                });
            }
        }
        Ok(())
    }
}

/// Refuses text holding a control character other than tab and newline: C0 controls, DEL and
/// C1 controls. YAML's `"\u0000"` and TOML's `"\u0000"` escapes make them easy to write,
/// pages would carry them raw (a NUL, a terminal escape), and no title or owner needs one.
/// Refusing is an error in the file's usual place rather than a silent substitution that a
/// reader of the page could not trace back to the source.
fn check_text(text: &str, pos: Pos) -> Result<()> {
    match text
        .chars()
        .find(|&c| c.is_control() && c != '\t' && c != '\n')
    {
        Some(c) => {
            let code = u32::from(c);
            let message = format!(
                "control character U+{code:04X} in a string: expected text without control \
                 characters (tab and newline are fine)"
            );
            Err(err(message, pos))
        }
        None => Ok(()),
    }
}

/// Resolves a plain scalar with the YAML 1.2 core schema, so `yes` and timestamps stay text.
/// Integers too large for i64 become floats.
fn plain_value(text: String) -> Value {
    let only = |extra: &str| {
        text.chars()
            .all(|c| c.is_ascii_digit() || extra.contains(c))
    };
    // `from_str_radix` would also take a sign, which YAML does not allow after `0x`.
    let radix = |prefix: &str, radix: u32| {
        let digits = text
            .strip_prefix(prefix)
            .filter(|d| !d.starts_with(['+', '-']))?;
        i64::from_str_radix(digits, radix).ok()
    };
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Value::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => Value::Float(f64::NAN),
        _ => {
            let int = only("+-").then(|| text.parse().ok()).flatten();
            // Rust's float syntax matches YAML's once the `inf` and `nan` spellings are out.
            let float = || only("+-.eE").then(|| text.parse().ok()).flatten();
            match int.or_else(|| radix("0x", 16)).or_else(|| radix("0o", 8)) {
                Some(i) => Value::Int(i),
                None => float().map_or(Value::String(text), Value::Float),
            }
        }
    }
}

/// Reports the second of two equal keys; sorting rather than comparing all pairs keeps large
/// maps fast.
fn check_duplicates(entries: Vec<Entry>) -> Result<Vec<Entry>> {
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|&a, &b| entries[a].key.cmp(&entries[b].key).then(a.cmp(&b)));
    let same = |w: &&[usize]| entries[w[0]].key == entries[w[1]].key;
    match order.windows(2).filter(same).map(|w| w[1]).min() {
        Some(i) => {
            let message = format!("duplicate key `{}`", entries[i].key);
            Err(err(message, entries[i].key_pos))
        }
        None => Ok(entries),
    }
}

fn parse_yaml(src: &str, line_offset: u32) -> Result<Option<Node>> {
    let mut builder = YamlBuilder {
        stack: Vec::new(),
        root: None,
        lines: CharLines::new(src, line_offset),
    };
    // Where the root collection starts and ends, to find what follows it.
    let (mut root_start, mut root_end) = (None, None);
    // We pull events ourselves rather than use `Parser::load`, which asserts on malformed
    // input, and we read exactly one document.
    let mut parser = Parser::new_from_str(src);
    loop {
        let (event, mark) = parser
            .next_token()
            .map_err(|e| err(tidy(e.info()), builder.pos(*e.marker())))?;
        let at = builder.pos(mark);
        match event {
            Event::DocumentEnd => {
                let root = root_start.zip(root_end);
                let after = after_root(src, &builder.lines, root);
                let after = after.unwrap_or_else(|| builder.lines.index(mark));
                if !matches!(parser.next_token(), Ok((Event::StreamEnd, _))) {
                    let at = builder.lines.pos(first_content(src, after));
                    return Err(err(MORE_THAN_ONE_DOCUMENT, at));
                }
                return Ok(builder.root);
            }
            Event::StreamEnd => return Ok(builder.root),
            Event::Nothing | Event::StreamStart | Event::DocumentStart => {}
            Event::Scalar(text, style, _, tag) => {
                let str_tag =
                    tag.is_some_and(|t| t.handle == "tag:yaml.org,2002:" && t.suffix == "str");
                builder.scalar(text, style, str_tag, at)?;
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                root_start = root_start.or(builder.stack.is_empty().then_some(mark));
                let frame = match event {
                    Event::SequenceStart(..) => Frame::List(Vec::new()),
                    _ => Frame::Map(Vec::new(), None),
                };
                builder.open(frame, at)?;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                builder.close()?;
                root_end = root_end.or(builder.stack.is_empty().then_some(mark));
            }
            // Copying anchored values would need a guard against exponential expansion, and
            // front matter has no use for them, so we say so plainly.
            Event::Alias(_) => return Err(err("aliases are not supported: expected a value", at)),
        }
    }
}

/// The YAML reader stops at the end of the first document, which would silently drop a second
/// document (`---` inside the matter) or lines after a flow map, so anything but the end of
/// the stream is an error there, placed at the first character that is not blank, a comment
/// or a `...` end marker.
const MORE_THAN_ONE_DOCUMENT: &str =
    "expected the end of the front matter after the first YAML document, found more content";

/// The character index where to look for content after a root collection. A flow
/// collection's end event is marked at its `}` or `]`, so the search starts one character
/// later; a block collection's end is marked at the next token, where the search starts.
/// `None` for a scalar root, whose document end is marked at the next token too.
fn after_root(src: &str, lines: &CharLines, root: Option<(Marker, Marker)>) -> Option<usize> {
    let (start, end) = root?;
    let (start, end) = (lines.index(start), lines.index(end));
    let flow = src.chars().nth(start).is_some_and(|c| "[{".contains(c));
    let closer = src.chars().nth(end).is_some_and(|c| "]}".contains(c));
    Some(end + usize::from(flow && closer))
}

/// The character index of the first character at or after `from` that is content: not
/// blank, not in a comment and not on a `...` document end line. `from` when there is none.
/// Only called on the error path, so counting characters from the start is cheap enough.
fn first_content(src: &str, from: usize) -> usize {
    let is_break = |c: char| c == '\n';
    let mut prev = from.checked_sub(1).and_then(|i| src.chars().nth(i));
    let mut chars = src.chars().enumerate().skip(from);
    let mut in_comment = false;
    while let Some((i, c)) = chars.next() {
        let ahead: String = chars.clone().take(3).map(|(_, c)| c).collect();
        let end_marker = prev.is_none_or(is_break)
            && c == '.'
            && ahead.starts_with("..")
            && ahead[2..].chars().all(char::is_whitespace);
        if is_break(c) {
            in_comment = false;
        } else if c == '#' && prev.is_none_or(char::is_whitespace) || end_marker {
            // A `#` starts a comment only after a blank, so one right after a `}` is content.
            in_comment = true;
        } else if !in_comment && c != ' ' && c != '\t' {
            return i;
        }
        prev = Some(c);
    }
    from
}

/// Turns byte offsets into positions. Line starts are found once; a column is counted from the
/// previous lookup when that was earlier on the same line, so many values on one long line do
/// not cost quadratic time.
struct LineIndex<'a> {
    src: &'a str,
    starts: Vec<usize>,
    line_offset: u32,
    /// The previous lookup: byte offset and 1-based column.
    cursor: Cell<(usize, usize)>,
}

impl LineIndex<'_> {
    fn pos(&self, offset: usize) -> Pos {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let (from, col) = match self.cursor.get() {
            (b, col) if start <= b && b <= offset => (b, col),
            _ => (start, 1),
        };
        let col = col + self.src.get(from..offset).map_or(0, |s| s.chars().count());
        self.cursor.set((offset, col));
        pos(line, col, self.line_offset)
    }
}

fn parse_toml(src: &str, line_offset: u32) -> Result<Node> {
    let newlines = src.bytes().enumerate().filter(|&(_, b)| b == b'\n');
    let starts = std::iter::once(0).chain(newlines.map(|(i, _)| i + 1));
    let (starts, cursor) = (starts.collect(), Cell::new((usize::MAX, 1)));
    let index = LineIndex {
        src,
        starts,
        line_offset,
        cursor,
    };
    // toml's parser limits nesting itself, which keeps the recursion below shallow.
    let table = DeTable::parse(src).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        let mut message = tidy(e.message());
        // Name the key, as the YAML duplicate error does.
        if let (true, Some(key)) = (message == "duplicate key", src.get(span.clone())) {
            message = format!("duplicate key `{}`", key.trim());
        }
        err(message, index.pos(span.start))
    })?;
    // The root table's span includes leading comments; its first field is a better position.
    let first = table.get_ref().keys().map(|k| k.span().start).min();
    let pos = index.pos(first.unwrap_or(0));
    Ok(node(toml_table(&index, table.into_inner())?, pos))
}

fn toml_table(index: &LineIndex<'_>, table: DeTable<'_>) -> Result<Value> {
    // Tables are sorted by key unless toml's `preserve_order` is on; convert in source order,
    // which also keeps `LineIndex` moving forwards.
    let mut fields: Vec<_> = table.into_iter().collect();
    fields.sort_by_key(|(key, _)| key.span().start);
    let entries = fields.into_iter().map(|(key, value)| {
        let key_pos = index.pos(key.span().start);
        check_text(key.get_ref(), key_pos)?;
        let value = toml_node(index, value)?;
        let key = key.into_inner().into_owned();
        Ok(Entry {
            key,
            key_pos,
            value,
        })
    });
    Ok(Value::Map(entries.collect::<Result<_>>()?))
}

fn toml_node(index: &LineIndex<'_>, value: Spanned<DeValue<'_>>) -> Result<Node> {
    let span = value.span();
    let pos = index.pos(span.start);
    let value = match value.into_inner() {
        DeValue::String(s) => {
            check_text(&s, pos)?;
            Value::String(s.into_owned())
        }
        DeValue::Boolean(b) => Value::Bool(b),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(i) => Value::Int(i),
            Err(_) => return Err(err("integer out of range: expected 64 bits", pos)),
        },
        DeValue::Float(f) => match f.as_str().parse() {
            Ok(f) => Value::Float(f),
            Err(_) => return Err(err("invalid float", pos)),
        },
        // Datetimes stay text exactly as written, like YAML timestamps.
        DeValue::Datetime(d) => {
            let text = index.src.get(span).map(str::to_owned);
            Value::String(text.unwrap_or_else(|| d.to_string()))
        }
        DeValue::Array(items) => {
            let items = items.into_iter().map(|v| toml_node(index, v));
            Value::List(items.collect::<Result<_>>()?)
        }
        DeValue::Table(table) => toml_table(index, table)?,
    };
    Ok(node(value, pos))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Follows a dotted path such as `impact.regions.1`; a trailing `^` means the key itself.
    fn lookup(doc: &Document<'_>, path: &str) -> String {
        let mut node = doc.matter.as_ref().expect("front matter");
        let (path, want_key) = path.strip_suffix('^').map_or((path, false), |p| (p, true));
        let mut key_pos = None;
        for seg in path.split('.').filter(|s| !s.is_empty()) {
            node = match &node.value {
                Value::List(items) => &items[seg.parse::<usize>().unwrap()],
                Value::Map(entries) => {
                    let entry = entries.iter().find(|e| e.key == seg).expect(seg);
                    key_pos = Some(entry.key_pos);
                    &entry.value
                }
                _ => panic!("{seg}: not a collection"),
            };
        }
        match key_pos.filter(|_| want_key) {
            Some(pos) => format!("{pos} key"),
            None => format!("{} {}", node.pos, node.type_name()),
        }
    }

    /// Parses `text` and checks comma-separated `path=line:col type` expectations.
    fn check(text: &str, expected: &str) {
        let doc = parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        for case in expected.split(", ") {
            let (path, want) = case.split_once('=').unwrap();
            assert_eq!(lookup(&doc, path), want, "{path} in {text:?}");
        }
    }

    /// Runs `input => expected` cases, where `show` renders a parse result for comparison.
    fn table(cases: &[&str], show: impl Fn(Result<Document<'_>>) -> String) {
        for case in cases {
            let (text, want) = case.split_once(" => ").unwrap();
            assert_eq!(show(parse(text)), want, "{text:?}");
        }
    }

    fn json_of(text: &str) -> serde_json::Value {
        parse(text).unwrap().matter.expect("front matter").to_json()
    }

    #[test]
    fn yaml_positions() {
        check(
            "---\ntitle: x\nseverity: SEV9\n---\nbody",
            "=2:1 map, title^=2:1 key, title=2:8 string, severity^=3:1 key, severity=3:11 string",
        );
        check(
            "---\ntitle: Outage\nimpact:\n  users: 120\n  regions: [eu, \"us\"]\ntimeline:\n  \
             - at: \"09:00\"\n    what: paged\n  - at: 09:05\nowner:\nnote: x\n---\n",
            "impact=4:3 map, impact.users=4:10 integer, impact.regions^=5:3 key, \
             impact.regions=5:12 list, impact.regions.1=5:17 string, timeline=7:3 list, \
             timeline.0=7:5 map, timeline.1.at=9:9 string, owner=10:1 null, note=11:7 string",
        );
        // Blank lines, comments and indentation before the first field are counted, columns
        // count characters, and an omitted value (`owner` above) points at its key.
        let text = "---\n\n# c\n  title: x\n  tags: [日本, x]\n---\n";
        check(text, "title=4:10 string, tags.1=5:14 string");
        check("---\r\na: 1\r\nb: [x]\r\n---\r\nbody", "b.0=3:5 string");
        // yaml_rust2 counts a block scalar's lines in bytes; positions after one are right.
        check(
            "---\na: |\n  日本\nb: [日本, x]\n---\n",
            "b=4:4 list, b.1=4:9 string",
        );
        let text = "---\na: |\n  日本\n--- # 2nd\nb: 2\n---\n";
        let more = "4:1: expected the end of the front matter after the first YAML document, \
                    found more content";
        assert_eq!(parse(text).unwrap_err().to_string(), more);
    }

    #[test]
    fn toml_positions() {
        check(
            "+++\ntitle = \"x\"\nseverity = \"SEV9\"\n\n[impact]\nusers = 120\nregions = \
             [\"日本\", \"us\"]\nwhen = 1979-05-27 07:32:00Z\n[[timeline]]\nat = \"09:00\"\n+++\n",
            "=2:1 map, title=2:9 string, severity^=3:1 key, severity=3:12 string, \
             impact=5:1 map, impact.users=6:9 integer, impact.regions.1=7:18 string, \
             impact.when=8:8 string, timeline.0.at=10:6 string",
        );
    }

    #[test]
    fn scalar_types() {
        let yaml = "---\na: 1\nb: \"1\"\nc: 1.5\nd: true\ne: 'true'\nf: ~\ng:\n\
            h: 2024-02-10 09:00\ni: !!str 12\nj: TRUE\nk: 0x1F\nl: 1e3\nm: yes\nn: |\n  lit\n\
            o: 12abc\np: -7\nq: 0o17\nr: 1_000\ns: .5\nt: 99999999999999999999\nu: +.inf\n---\n";
        let want = json!({"a": 1, "b": "1", "c": 1.5, "d": true, "e": "true", "f": null,
            "g": null, "h": "2024-02-10 09:00", "i": "12", "j": true, "k": 31, "l": 1000.0,
            "m": "yes", "n": "lit\n", "o": "12abc", "p": -7, "q": 15, "r": "1_000", "s": 0.5,
            "t": 1e20, "u": null});
        assert_eq!(json_of(yaml), want);
        check(yaml, "t=22:4 float, u=23:4 float");
        let toml = "+++\nz = 1\na = [0x1F, 1.5, true, \"s\", 1979-05-27]\n[t]\nx = 'y'\n+++\n";
        let want = json!({"z": 1, "a": [31, 1.5, true, "s", "1979-05-27"], "t": {"x": "y"}});
        assert_eq!(json_of(toml), want);
        // Fields keep source order, not the alphabetical order of toml's tables.
        let Some(Value::Map(entries)) = parse(toml).unwrap().matter.map(|m| m.value) else {
            panic!("no map");
        };
        assert_eq!(
            entries.iter().map(|e| e.key.as_str()).collect::<Vec<_>>(),
            ["z", "a", "t"]
        );
    }

    #[test]
    fn errors() {
        table(
            &[
                "---\ntitle: x\n  bad: y\n---\n \
                 => 3:6: mapping values are not allowed in this context",
                "---\na: 1\nb: \"open\n---\n \
                 => 3:4: while scanning a quoted scalar, found unexpected end of stream",
                "+++\ntitle = \"x\"\nsev = \n+++\n \
                 => 3:7: string values must be quoted, expected literal string",
                "---\ntitle: x\n \
                 => 1:1: front matter is not terminated: expected a closing `---` line",
                "---\n => 1:1: front matter is not terminated: expected a closing `---` line",
                "+++\na = 1\n---\n \
                 => 1:1: front matter is not terminated: expected a closing `+++` line",
                "---\na: 1\nb: 2\na: 3\n---\n => 4:1: duplicate key `a`",
                "---\nx:\n  a: 1\n  a: 2\n---\n => 4:3: duplicate key `a`",
                "+++\na = 1\na = 2\n+++\n => 3:1: duplicate key `a`",
                "---\n- a\n- b\n---\n => 2:1: front matter must be a map of fields, found a list",
                "---\njust text\n---\n \
                 => 2:1: front matter must be a map of fields, found a string",
                "---\n\n42\n---\n => 3:1: front matter must be a map of fields, found an integer",
                "---\n? [a]\n: b\n---\n => 2:3: map keys must be plain text, found a list",
                "---\na: &x 1\nb: *x\n---\n => 3:4: aliases are not supported: expected a value",
                "+++\na = 9223372036854775808\n+++\n \
                 => 2:5: integer out of range: expected 64 bits",
                "---\na: 1\nk: [日本\rb]\n---\n => 3:7: carriage return without a line feed: \
                 expected lines to end with `\\n` or `\\r\\n`",
                "+++\na = 1\rb = 2\n+++\n => 2:6: carriage return without a line feed: \
                 expected lines to end with `\\n` or `\\r\\n`",
            ],
            |r| {
                r.map(|d| format!("{:?}", d.matter))
                    .unwrap_or_else(|e| e.to_string())
            },
        );
        let deep = |open: &str| {
            let text = format!("---\n{}x\n---\n", open.repeat(10_000));
            parse(&text).unwrap_err()
        };
        // The scanner stops at its own limit of 256 open flow collections.
        assert_eq!(deep("[").to_string(), "2:256: recursion limit exceeded");
        let message = "front matter is nested too deeply: expected at most 64 levels";
        assert_eq!(deep("- "), err(message, Pos { line: 2, col: 129 }));
    }

    #[test]
    fn split_rules() {
        // Each result reads: format, whether there are fields, body_line, body.
        table(
            &[
                "# Title\n\ntext => None false 1 \"# Title\\n\\ntext\"",
                " => None false 1 \"\"",
                "--- => None false 1 \"---\"",
                "text\n---\na: 1\n---\n => None false 1 \"text\\n---\\na: 1\\n---\\n\"",
                "--- \n---\n => Some(Yaml) false 3 \"\"",
                "---\n---\nbody => Some(Yaml) false 3 \"body\"",
                "---\n  \n\n---\n\nbody\n => Some(Yaml) false 5 \"\\nbody\\n\"",
                "---\n# only a comment\n---\nbody => Some(Yaml) false 4 \"body\"",
                "---\na: 1\n...\nbody => Some(Yaml) true 4 \"body\"",
                "---\na: 1\n--- => Some(Yaml) true 4 \"\"",
                "+++\na = 1\n+++\n\nbody => Some(Toml) true 4 \"\\nbody\"",
            ],
            |r| {
                let d = r.unwrap();
                format!(
                    "{:?} {} {} {:?}",
                    d.format,
                    d.matter.is_some(),
                    d.body_line,
                    d.body
                )
            },
        );
    }

    /// The YAML reader reads one document; whatever follows it used to be dropped silently.
    #[test]
    fn content_after_the_first_document() {
        let more = "expected the end of the front matter after the first YAML document, found \
                    more content";
        let cases = [
            "---\n{ title: x }\nmore: y\n---\n => 3:1",
            "---\n{ title: x } # c\n\n  # d\n  more: y\n---\n => 5:3",
            "---\n{ title: x }, 2\n---\n => 2:13",
            "---\n[a, b]\n]\n---\n => 3:1",
            "---\n  a: 1\nb: 2\n---\n => 3:1",
            "---\na: 1\n--- # 2nd\nb: 2\n---\nbody => 3:1",
            "---\na: 日本\nb: [c]\n--- # an empty second document\n---\n => 4:1",
            "---\na: 1\n... # end\nb: 2\n---\n => 4:1",
            "---\n[a] # c\n... #\n\n  # d\n  x: 1\n---\n => 6:3",
            "---\nx\n--- # 2nd\ny\n---\n => 3:1",
            "---\n# only a comment\n--- # 2nd\nb: 2\n---\n => ok",
            "---\na: 1\n... # end\n# c\n---\n => ok",
            "---\n{ title: x } # c\n---\n => ok",
        ];
        // Each result reads: the position of the extra content, or `ok`.
        table(&cases, |r| match r {
            Ok(_) => "ok".to_owned(),
            Err(e) if e.message == more => e.pos.to_string(),
            Err(e) => e.to_string(),
        });
    }

    /// Control characters from escapes would reach pages raw, so any string holding one is
    /// refused, keys included; tab and newline are ordinary text.
    #[test]
    fn control_characters() {
        let cases = [
            "---\ntitle: \"a\\u0000b\"\n---\n => 2:8 U+0000",
            "---\ntitle: \"\\x1b[31m\"\n---\n => 2:8 U+001B",
            "---\ntitle: \"\\r\"\n---\n => 2:8 U+000D",
            "---\ntags: [\"ok\", \"\\x7f\"]\n---\n => 2:14 U+007F",
            "---\nx:\n  y: \"\\u0085\"\n---\n => 3:6 U+0085",
            "---\n\"k\\u0001\": v\n---\n => 2:1 U+0001",
            "---\ntitle: \"\\u009f\"\n---\n => 2:8 U+009F",
            "+++\ntitle = \"a\\u0000b\"\n+++\n => 2:9 U+0000",
            "+++\n[t]\nx = ['ok', \"\\u001b\"]\n+++\n => 3:12 U+001B",
            "+++\n\"k\\u0007\" = 1\n+++\n => 2:1 U+0007",
            "---\na: \"tab\\tand\\nnewline\"\nb: \"\\u00a0é\"\n---\n => ok",
            "+++\na = \"tab\\tand\\nnewline\"\n+++\n => ok",
        ];
        fn refused(message: &str) -> Option<&str> {
            let rest = message.strip_prefix("control character ")?;
            let tail = " in a string: expected text without control characters (tab and newline \
                        are fine)";
            rest.strip_suffix(tail)
        }
        // Each result reads: position and character, or `ok`.
        table(&cases, |r| match r {
            Ok(_) => "ok".to_owned(),
            Err(e) => match refused(&e.message) {
                Some(code) => format!("{} {code}", e.pos),
                None => e.to_string(),
            },
        });
    }

    #[test]
    fn body_agrees_with_gray_matter() {
        for text in [
            "---\na: 1\n---\nbody\n",
            "---\na: 1\n---\n\n\n  indented\n\ntext  \n",
            "---\n\n  a: 1\n\n---\n---\n---\n",
            "+++\na = 1\n+++\n# heading\n",
            "---\na: 1\n...\nx\r\ny\r\n",
        ] {
            let close = if text.starts_with('+') { "+++" } else { "..." };
            let entity = gray_split(text, &text[..3], close).unwrap();
            let body = parse(text).unwrap().body.trim_start_matches('\n');
            let body = body.lines().collect::<Vec<_>>().join("\n");
            assert_eq!(body, entity.content, "{text:?}");
            let (matter, _) = split(text).unwrap().1.unwrap();
            assert_eq!(matter.trim(), entity.matter, "{text:?}");
        }
    }

    #[test]
    fn junk_never_panics() {
        let big = "x".repeat(10 << 20);
        let mut inputs = vec![
            format!("---\nbig: {big}\n---\n"),
            format!("+++\nbig = \"{}\"\n+++\n", &big[..1 << 20]),
            format!("+++\na = {}\n+++\n", "[".repeat(10_000)),
            format!("+++\na = [{}1]\n+++\n", "\"é\", ".repeat(50_000)),
        ];
        for junk in [
            "\0\u{1}\u{7f}",
            "\t- \t:",
            "[[[[[",
            "]]]}}}",
            "%YAML 9\n",
            "!<x> ?",
        ] {
            let framed = ["", "---\n", "+++\n"].map(|open| format!("{open}{junk}\n---\n+++\n"));
            inputs.extend(framed);
        }
        for text in &inputs {
            let _ = parse(text);
        }
        let big = json_of(&inputs[0])["big"].as_str().map(str::len);
        assert_eq!(big, Some(10 << 20));
    }
}
