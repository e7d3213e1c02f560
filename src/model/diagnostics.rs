//! Problems found in content, as data: [`Diagnostic`] and how it prints.
//!
//! Content problems never abort the pipeline. Each stage collects diagnostics and keeps
//! going; the CLI prints them all and picks the exit code. Every diagnostic names the file,
//! the line and column in the whole file (front matter included), a stable code that the
//! README documents, and where possible a hint and the offending source line.

use std::fmt;

use serde::Serialize;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    /// Shown, but neither fails a build nor counts as a warning under `--strict`: what a
    /// site lowered with `[check.levels]` to keep in view without acting on.
    Info,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Info => "info",
        })
    }
}

/// What `[check.levels]` sets a code to: a level, or off (its diagnostics are dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LevelSetting {
    Error,
    Warning,
    Info,
    Off,
}

impl<'de> serde::Deserialize<'de> for LevelSetting {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        match text.as_str() {
            "error" => Ok(LevelSetting::Error),
            "warning" => Ok(LevelSetting::Warning),
            "info" => Ok(LevelSetting::Info),
            "off" => Ok(LevelSetting::Off),
            _ => Err(serde::de::Error::custom(format!(
                "unknown level \"{text}\" (expected \"error\", \"warning\", \"info\" or \"off\")"
            ))),
        }
    }
}

/// Stable diagnostic codes. The table in the README is generated from the same names;
/// never renumber a code, only add new ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Code {
    /// The file could not be read or is not UTF-8.
    H001,
    /// Front matter syntax error (YAML or TOML), or an unterminated block.
    H002,
    /// A value outside its vocabulary (severity, status, action item status).
    H003,
    /// A field has the wrong type.
    H004,
    /// A timestamp or date that cannot be parsed, or that does not exist.
    H005,
    /// Times out of order (detected or resolved before started).
    H006,
    /// Two incidents have the same slug.
    H007,
    /// The file is empty.
    H008,
    /// Unknown root-cause category.
    H009,
    /// The file has no front matter; its metadata is unknown.
    H010,
    /// The incident has no title; one was taken from a heading or the file name.
    H011,
    /// Unknown service (only when the config declares a service registry).
    H012,
    /// A `related` slug names no incident.
    H013,
    /// The file is larger than Hindsight accepts.
    H014,
    /// A field the postmortem's status requires is missing (`[check.required]`).
    H015,
    /// A timeline entry is earlier than the entry before it.
    H016,
    /// The timeline contradicts the stated times ("resolved" at another time).
    H017,
    /// A link to another postmortem's file that is not in the site.
    H018,
    /// Two headings have the same id, so links to the second go to the first.
    H019,
    /// An open action item has no owner or no due date.
    H020,
    /// A final postmortem still holds a placeholder such as TODO or TBD.
    H021,
    /// A link whose scheme is not http, https or mailto; it is shown as text.
    H022,
    /// Files in the content folder that the site's `include`/`exclude` leave out.
    H023,
    /// A recorded duration that cannot be read, or a bare number read as minutes.
    H024,
    /// A recorded duration that the timestamps contradict.
    H025,
    /// A zone abbreviation of the other season (`CET` on a summer date), read as written.
    H026,
    /// A Backstage catalog file (`[registry] backstage`) that cannot be read, or a
    /// component in it without a name or an owner.
    H027,
    /// A postmortem's quality score is below `check --min-score`.
    H028,
    /// Control characters in a body (a pasted terminal escape); shown as their symbols.
    H029,
}

impl Code {
    /// Every code, in order.
    pub const ALL: [Code; 29] = [
        Code::H001,
        Code::H002,
        Code::H003,
        Code::H004,
        Code::H005,
        Code::H006,
        Code::H007,
        Code::H008,
        Code::H009,
        Code::H010,
        Code::H011,
        Code::H012,
        Code::H013,
        Code::H014,
        Code::H015,
        Code::H016,
        Code::H017,
        Code::H018,
        Code::H019,
        Code::H020,
        Code::H021,
        Code::H022,
        Code::H023,
        Code::H024,
        Code::H025,
        Code::H026,
        Code::H027,
        Code::H028,
        Code::H029,
    ];

    /// The code named `text` ("H017", case-insensitive).
    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL
            .into_iter()
            .find(|code| code.to_string().eq_ignore_ascii_case(text.trim()))
    }

    /// Whether `[check.levels]` may change the level: every code but those that mean a
    /// file could not be read at all (not UTF-8, broken front matter, too large), since
    /// hiding those would hide a postmortem without a word.
    pub fn adjustable(self) -> bool {
        !matches!(self, Code::H001 | Code::H002 | Code::H014)
    }
}

impl<'de> serde::Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Code::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown code \"{text}\" (expected H001 to {})",
                Code::ALL[Code::ALL.len() - 1]
            ))
        })
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub level: Level,
    pub code: Code,
    /// The file as the user would type it: relative to the site root, `/`-separated.
    pub file: String,
    /// 1-based line and column in the whole file; `None` for whole-file problems.
    pub line: Option<u32>,
    pub col: Option<u32>,
    /// The front matter field concerned, if any.
    pub field: Option<String>,
    pub message: String,
    pub help: Option<String>,
    /// The source line the position points into, for the caret display.
    #[serde(skip)]
    pub source_line: Option<String>,
}

impl Diagnostic {
    pub fn new(level: Level, code: Code, file: &str, message: impl Into<String>) -> Self {
        Diagnostic {
            level,
            code,
            file: file.to_string(),
            line: None,
            col: None,
            field: None,
            message: message.into(),
            help: None,
            source_line: None,
        }
    }

    pub fn error(code: Code, file: &str, message: impl Into<String>) -> Self {
        Self::new(Level::Error, code, file, message)
    }

    pub fn warning(code: Code, file: &str, message: impl Into<String>) -> Self {
        Self::new(Level::Warning, code, file, message)
    }

    /// Points the diagnostic at a position and captures that line of `source` for display.
    pub fn at(mut self, line: u32, col: u32, source: &str) -> Self {
        self.line = Some(line);
        self.col = Some(col);
        self.source_line = source
            .lines()
            .nth(line.saturating_sub(1) as usize)
            .map(str::to_string);
        self
    }

    pub fn field(mut self, field: &str) -> Self {
        self.field = Some(field.to_string());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The one-line form: `file:line:col: level[code]: field: message`.
    pub fn headline(&self) -> String {
        let mut out = self.file.clone();
        if let (Some(line), Some(col)) = (self.line, self.col) {
            out.push_str(&format!(":{line}:{col}"));
        }
        out.push_str(&format!(": {}[{}]: ", self.level, self.code));
        if let Some(field) = &self.field {
            out.push_str(field);
            out.push_str(": ");
        }
        out.push_str(&self.message);
        out
    }

    /// The full human form: headline, the source line with a caret, and the hint.
    ///
    /// A line and a caret is all these messages need; a snippet library would add
    /// multi-span layouts that no Hindsight diagnostic uses.
    pub fn render_human(&self) -> String {
        let mut out = self.headline();
        if let (Some(line), Some(col), Some(text)) = (self.line, self.col, &self.source_line) {
            let gutter = line.to_string();
            let pad = " ".repeat(gutter.len());
            // Tabs would shift the caret; show them as single spaces on both lines.
            let shown: String = text
                .chars()
                .map(|c| if c == '\t' { ' ' } else { c })
                .collect();
            let caret_pad = " ".repeat(col.saturating_sub(1) as usize);
            out.push_str(&format!(
                "\n{pad} |\n{gutter} | {shown}\n{pad} | {caret_pad}^"
            ));
        }
        if let Some(help) = &self.help {
            out.push_str(&format!("\n  = help: {help}"));
        }
        out
    }
}

/// Escapes text for the message of a GitHub workflow command.
fn github_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes text for a property (`file=`, `title=`) of a GitHub workflow command.
fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// A GitHub Actions workflow command: `::error file=...,line=...,col=...,title=...::message`
/// (`command` is `error`, `warning` or `notice`).
pub fn github_command(
    command: &str,
    file: &str,
    position: Option<(u32, u32)>,
    title: &str,
    message: &str,
) -> String {
    let mut properties = vec![format!("file={}", github_property(file))];
    if let Some((line, col)) = position {
        properties.push(format!("line={line},col={col}"));
    }
    properties.push(format!("title={}", github_property(title)));
    format!(
        "::{command} {}::{}",
        properties.join(","),
        github_data(message)
    )
}

impl Diagnostic {
    /// The diagnostic as a GitHub workflow command, which shows the problem on the pull
    /// request's diff. `prefix` is the site root's path from the repository root ("" when
    /// they are the same), since annotations name files from there.
    pub fn render_github(&self, prefix: &str) -> String {
        let title = match &self.field {
            Some(field) => format!("{} {field}", self.code),
            None => self.code.to_string(),
        };
        let mut message = self.message.clone();
        if let Some(help) = &self.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        let position = self.line.zip(self.col);
        let command = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Info => "notice",
        };
        github_command(
            command,
            &format!("{prefix}{}", self.file),
            position,
            &title,
            &message,
        )
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.headline())
    }
}

/// Counts by level, for summaries and exit codes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Tally {
    pub fn of(diagnostics: &[Diagnostic]) -> Tally {
        let count = |level: Level| diagnostics.iter().filter(|d| d.level == level).count();
        Tally {
            errors: count(Level::Error),
            warnings: count(Level::Warning),
            infos: count(Level::Info),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headline_and_caret() {
        let source = "---\ntitle: x\nseverity: SEV9\n---\n";
        let diagnostic = Diagnostic::error(Code::H003, "content/a.md", "unknown value \"SEV9\"")
            .at(3, 11, source)
            .field("severity")
            .help("use one of SEV1, SEV2");
        assert_eq!(
            diagnostic.headline(),
            "content/a.md:3:11: error[H003]: severity: unknown value \"SEV9\""
        );
        assert_eq!(
            diagnostic.render_human(),
            "content/a.md:3:11: error[H003]: severity: unknown value \"SEV9\"\n  |\n3 | severity: SEV9\n  |           ^\n  = help: use one of SEV1, SEV2"
        );
    }

    #[test]
    fn github_annotations_escape_their_parts() {
        let diagnostic = Diagnostic::warning(Code::H018, "content/a, b.md", "links to x: 100%")
            .at(3, 7, "")
            .help("fix it\nnow");
        assert_eq!(
            diagnostic.render_github("docs/"),
            "::warning file=docs/content/a%2C b.md,line=3,col=7,title=H018::links to x: 100%25%0Ahelp: fix it%0Anow"
        );
        let json = serde_json::to_value(&diagnostic).unwrap();
        assert_eq!(json["code"], "H018");
        assert_eq!(json["level"], "warning");
    }

    #[test]
    fn codes_parse_and_some_are_fixed() {
        assert_eq!(Code::parse("h017"), Some(Code::H017));
        assert_eq!(Code::parse("H099"), None);
        assert!(Code::H020.adjustable() && !Code::H002.adjustable());
    }

    #[test]
    fn whole_file_problem_has_no_position() {
        let diagnostic = Diagnostic::warning(Code::H008, "content/empty.md", "file is empty");
        assert_eq!(
            diagnostic.render_human(),
            "content/empty.md: warning[H008]: file is empty"
        );
    }
}
