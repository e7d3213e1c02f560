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

/// Deeper nesting is rejected because converting and dropping trees is recursive, and no real
/// postmortem needs more than a handful of levels.
const MAX_DEPTH: usize = 64;

/// A 1-based position in the whole file; `col` counts characters, not bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

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

fn err(message: impl Into<String>, pos: Pos) -> FrontMatterError {
    let message = message.into();
    FrontMatterError { message, pos }
}

fn pos(line: usize, col: usize, line_offset: u32) -> Pos {
    let to_u32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let line = to_u32(line).saturating_add(line_offset);
    Pos { line, col: to_u32(col) }
}

/// Brings a parser's message into our style: lowercase start, no trailing period.
fn tidy(message: &str) -> String {
    let message = message.lines().next().unwrap_or("").trim().trim_end_matches('.');
    let mut chars = message.chars();
    match (chars.next(), chars.next()) {
        // An acronym such as "TOML" keeps its capitals.
        (Some(first), second) if !second.is_some_and(char::is_uppercase) => {
            first.to_lowercase().chain(message[first.len_utf8()..].chars()).collect()
        }
        _ => message.to_owned(),
    }
}

/// Splits `text` and parses its front matter; see the module documentation.
pub fn parse(text: &str) -> Result<Document<'_>> {
    let Some(split) = split(text)? else {
        return Ok(Document { format: None, matter: None, body: text, body_line: 1 });
    };
    let root = match (split.matter, split.format) {
        (None, _) => None,
        (Some((src, line)), Format::Yaml) => parse_yaml(src, line - 1)?,
        (Some((src, line)), Format::Toml) => Some(parse_toml(src, line - 1)?),
    };
    let matter = match root {
        // A document that is only `~` or comments has no fields, just like an empty block.
        None | Some(Node { value: Value::Null, .. }) => None,
        Some(node @ Node { value: Value::Map(_), .. }) => Some(node),
        Some(node) => {
            let name = node.type_name();
            let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
            let message = format!("front matter must be a map of fields, found {article} {name}");
            return Err(err(message, node.pos));
        }
    };
    let (format, body, body_line) = (Some(split.format), split.body, split.body_line);
    Ok(Document { format, matter, body, body_line })
}

struct Split<'a> {
    format: Format,
    /// The matter from the start of its first non-blank line, and that line's number.
    matter: Option<(&'a str, u32)>,
    body: &'a str,
    body_line: u32,
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

fn split(text: &str) -> Result<Option<Split<'_>>> {
    // gray_matter only sees front matter when the opening line is followed by a newline.
    let Some(first_end) = text.find('\n') else { return Ok(None) };
    let (format, open, close) = match text[..first_end].trim_end() {
        "---" => (Format::Yaml, "---", "..."),
        "+++" => (Format::Toml, "+++", "+++"),
        _ => return Ok(None),
    };
    let top = Pos { line: 1, col: 1 };
    let entity = gray_split(text, open, close)
        .map_err(|e| err(format!("cannot split front matter: {}", tidy(&e.to_string())), top))?;

    // gray_matter neither says whether it found the closing line nor keeps the body intact, so
    // we find that line ourselves by its rule: the first later line that equals either
    // delimiter once trailing whitespace is removed.
    let (mut start, mut line) = (first_end + 1, 1);
    let mut lines = text[start..].split_inclusive('\n');
    let closing = loop {
        let Some(l) = lines.next() else {
            let message = format!("front matter is not terminated: expected a closing `{open}` line");
            return Err(err(message, top));
        };
        line += 1;
        if [open, close].contains(&l.trim_end()) {
            break start..start + l.len();
        }
        start += l.len();
    };

    let matter = (!entity.matter.is_empty()).then(|| {
        // gray_matter trims the matter, so its first line starts at the block's first non-blank
        // character. We parse from the start of that line in the original text, which keeps
        // the file's indentation (YAML cares) and leaves columns as they are in the file.
        let region = &text[first_end + 1..closing.start];
        let first = entity.matter.lines().next().unwrap_or_default();
        let at = region[..region.find(first).unwrap_or(0)].rfind('\n').map_or(0, |i| i + 1);
        let skipped = region[..at].bytes().filter(|&b| b == b'\n').count();
        (&region[at..], pos(skipped, 0, 2).line)
    });
    let (body, body_line) = (&text[closing.end..], line + 1);
    Ok(Some(Split { format, matter, body, body_line }))
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
    line_offset: u32,
}

impl YamlBuilder {
    /// yaml_rust2 markers have 1-based lines and 0-based columns counted in characters.
    fn pos(&self, mark: Marker) -> Pos {
        pos(mark.line(), mark.col() + 1, self.line_offset)
    }

    fn awaiting_key(&self) -> bool {
        matches!(self.stack.last(), Some((Frame::Map(_, None), _)))
    }

    fn scalar(&mut self, text: String, style: TScalarStyle, str_tag: bool, at: Pos) -> Result<()> {
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
                self.finish(Node { value: Value::Null, pos: key_pos })
            }
            _ if plain && !str_tag => self.finish(Node { value: plain_value(text), pos: at }),
            _ => self.finish(Node { value: Value::String(text), pos: at }),
        }
    }

    fn open(&mut self, frame: Frame, at: Pos) -> Result<()> {
        if self.awaiting_key() {
            let found = if matches!(frame, Frame::List(_)) { "a list" } else { "a map" };
            return Err(err(format!("map keys must be plain text, found {found}"), at));
        }
        if self.stack.len() >= MAX_DEPTH {
            let message = format!("front matter is nested too deeply: expected at most {MAX_DEPTH} levels");
            return Err(err(message, at));
        }
        self.stack.push((frame, at));
        Ok(())
    }

    fn close(&mut self) -> Result<()> {
        // The parser balances start and end events, so the stack is never empty here.
        let Some((frame, pos)) = self.stack.pop() else { return Ok(()) };
        let value = match frame {
            Frame::List(items) => Value::List(items),
            Frame::Map(entries, _) => Value::Map(check_duplicates(entries)?),
        };
        self.finish(Node { value, pos })
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
                entries.push(Entry { key, key_pos, value: node });
            }
        }
        Ok(())
    }
}

/// Resolves a plain scalar with the YAML 1.2 core schema, so `yes` and timestamps stay text.
/// Integers too large for i64 become floats.
fn plain_value(text: String) -> Value {
    let only = |extra: &str| text.bytes().all(|b| b.is_ascii_digit() || extra.contains(b as char));
    // `from_str_radix` would also take a sign, which YAML does not allow after `0x`.
    let radix = |prefix: &str, radix: u32| {
        let digits = text.strip_prefix(prefix).filter(|d| !d.starts_with(['+', '-']))?;
        i64::from_str_radix(digits, radix).ok()
    };
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Value::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => Value::Float(f64::NAN),
        _ => match radix("0x", 16).or_else(|| radix("0o", 8)) {
            Some(i) => Value::Int(i),
            None if only("+-") && text.parse::<i64>().is_ok() => Value::Int(text.parse().unwrap_or(0)),
            // Rust's float syntax matches YAML's once `inf` and `nan` spellings are excluded.
            None if only("+-.eE") && text.parse::<f64>().is_ok() => {
                Value::Float(text.parse().unwrap_or(0.0))
            }
            None => Value::String(text),
        },
    }
}

/// Reports the second of two equal keys; sorting rather than comparing all pairs keeps large
/// maps fast.
fn check_duplicates(entries: Vec<Entry>) -> Result<Vec<Entry>> {
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|&a, &b| entries[a].key.cmp(&entries[b].key).then(a.cmp(&b)));
    let same = |w: &&[usize]| entries[w[0]].key == entries[w[1]].key;
    match order.windows(2).filter(same).map(|w| w[1]).min() {
        Some(i) => Err(err(format!("duplicate key `{}`", entries[i].key), entries[i].key_pos)),
        None => Ok(entries),
    }
}

fn parse_yaml(src: &str, line_offset: u32) -> Result<Option<Node>> {
    let mut builder = YamlBuilder { stack: Vec::new(), root: None, line_offset };
    // We pull events ourselves rather than use `Parser::load`, which asserts on malformed
    // input, and we stop after the first document.
    let mut parser = Parser::new_from_str(src);
    loop {
        let (event, mark) = parser
            .next_token()
            .map_err(|e| err(tidy(e.info()), builder.pos(*e.marker())))?;
        let at = builder.pos(mark);
        match event {
            Event::DocumentEnd | Event::StreamEnd => return Ok(builder.root),
            Event::Nothing | Event::StreamStart | Event::DocumentStart => {}
            Event::Scalar(text, style, _, tag) => {
                let str_tag = tag.is_some_and(|t| t.handle == "tag:yaml.org,2002:" && t.suffix == "str");
                builder.scalar(text, style, str_tag, at)?;
            }
            Event::SequenceStart(..) => builder.open(Frame::List(Vec::new()), at)?,
            Event::MappingStart(..) => builder.open(Frame::Map(Vec::new(), None), at)?,
            Event::SequenceEnd | Event::MappingEnd => builder.close()?,
            // Copying anchored values would need a guard against exponential expansion, and
            // front matter has no use for them, so we say so plainly.
            Event::Alias(_) => return Err(err("aliases are not supported: expected a value", at)),
        }
    }
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
    let starts = std::iter::once(0).chain(newlines.map(|(i, _)| i + 1)).collect();
    let index = LineIndex { src, starts, line_offset, cursor: Cell::new((usize::MAX, 1)) };
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
    let first = table.get_ref().keys().map(|k| k.span().start).min().unwrap_or(0);
    let pos = index.pos(first);
    Ok(Node { value: toml_table(&index, table.into_inner())?, pos })
}

fn toml_table(index: &LineIndex<'_>, table: DeTable<'_>) -> Result<Value> {
    // Tables are sorted by key unless toml's `preserve_order` is on; convert in source order,
    // which also keeps `LineIndex` moving forwards.
    let mut fields: Vec<_> = table.into_iter().collect();
    fields.sort_by_key(|(key, _)| key.span().start);
    let entries = fields.into_iter().map(|(key, value)| {
        let key_pos = index.pos(key.span().start);
        let value = toml_node(index, value)?;
        Ok(Entry { key: key.into_inner().into_owned(), key_pos, value })
    });
    Ok(Value::Map(entries.collect::<Result<_>>()?))
}

fn toml_node(index: &LineIndex<'_>, value: Spanned<DeValue<'_>>) -> Result<Node> {
    let span = value.span();
    let pos = index.pos(span.start);
    let value = match value.into_inner() {
        DeValue::String(s) => Value::String(s.into_owned()),
        DeValue::Boolean(b) => Value::Bool(b),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(i) => Value::Int(i),
            Err(_) => return Err(err("integer is out of range: expected a 64-bit integer", pos)),
        },
        DeValue::Float(f) => match f.as_str().parse() {
            Ok(f) => Value::Float(f),
            Err(_) => return Err(err("invalid float", pos)),
        },
        // Datetimes stay text exactly as written, like YAML timestamps.
        DeValue::Datetime(d) => {
            Value::String(index.src.get(span).map_or_else(|| d.to_string(), str::to_owned))
        }
        DeValue::Array(items) => {
            let items = items.into_iter().map(|v| toml_node(index, v));
            Value::List(items.collect::<Result<_>>()?)
        }
        DeValue::Table(table) => toml_table(index, table)?,
    };
    Ok(Node { value, pos })
}
