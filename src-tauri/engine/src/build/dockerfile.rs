//! What the build form needs from a Dockerfile: its build args, its stages, and the problems
//! worth showing before a build is sent. Lines are read as BuildKit's Dockerfile frontend reads
//! them (`moby/buildkit` `frontend/dockerfile/parser` and `instructions`):
//!
//! - parser directives only at the very top, before any blank line, comment or instruction:
//!   `# escape=\`` makes the backtick the escape character, `# syntax=` and `# check=` are
//!   accepted and ignored, each at most once;
//! - a line whose first non-blank character is `#` is a comment; blank lines are skipped;
//! - the escape character at the end of a line (trailing spaces and tabs allowed) continues the
//!   instruction on the next line; comment lines and empty lines inside a continuation are
//!   skipped;
//! - instruction names are case-insensitive; leading `--flags` are skipped;
//! - `RUN`, `COPY` and `ADD` (shell form) may open heredocs (`<<EOF`, `<<-EOF`, `<<"EOF"`):
//!   their bodies are skipped up to the line that closes them;
//! - `ARG a=1 b c="x y"` declares several args; quotes and escapes are removed from defaults
//!   as BuildKit does when it expands them, but `$VARS` are kept as written;
//! - `FROM [--platform=…] image [AS name]`: `AS` is case-insensitive and the stage name is
//!   lowercased, as BuildKit does (`--target` matches it case-insensitively).
//!
//! A UTF-8 byte-order mark and CRLF line ends are accepted. Nothing here fails: what BuildKit
//! would refuse becomes a problem with its 1-based line number.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use specta::Type;

/// Every instruction BuildKit knows, lowercase.
pub const INSTRUCTIONS: [&str; 18] = [
    "add",
    "arg",
    "cmd",
    "copy",
    "entrypoint",
    "env",
    "expose",
    "from",
    "healthcheck",
    "label",
    "maintainer",
    "onbuild",
    "run",
    "shell",
    "stopsignal",
    "user",
    "volume",
    "workdir",
];

/// At most this many problems are listed; one more line says how many were left out.
pub const MAX_PROBLEMS: usize = 50;

/// A build argument the Dockerfile declares with `ARG`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct BuildArg {
    pub name: String,
    /// The default after `=`, quotes removed; `None` when the ARG gives none.
    pub default: Option<String>,
    /// `None` for a global ARG (before the first `FROM`); otherwise the stage's name, or its
    /// index (`"0"`, as in `COPY --from=0`) when the stage is unnamed.
    pub stage: Option<String>,
}

/// A build stage: one `FROM`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Stage {
    /// 0-based, in file order.
    pub index: u32,
    /// The `AS` name, lowercased; `None` when unnamed or when the name is not valid.
    pub name: Option<String>,
    /// The image or earlier stage it starts from, as written (`alpine:3.20`, `${BASE}`, `build`).
    pub base: String,
    /// 1-based line of the `FROM`.
    pub line: u32,
}

/// What [`parse`] finds in a Dockerfile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DockerfileInfo {
    /// `ARG` instructions in order, de-duplicated by name (first wins), both the global ones
    /// before the first FROM and the ones inside stages.
    pub args: Vec<BuildArg>,
    /// Stages in order: `FROM image [AS name]`; name None when unnamed.
    pub stages: Vec<Stage>,
    /// Problems worth showing, with 1-based line numbers (e.g. "line 3: unknown instruction
    /// FORM (did you mean FROM?)", "no FROM instruction").
    pub problems: Vec<String>,
}

/// Reads a Dockerfile's text. Never fails; see [`DockerfileInfo::problems`].
pub fn parse(text: &str) -> DockerfileInfo {
    let mut p = Parser::default();
    for ins in logical_lines(text, &mut p.problems) {
        p.instruction(&ins);
    }
    p.finish()
}

/// One instruction after continuation lines are joined.
#[derive(Debug)]
struct Instruction {
    /// 1-based line where it starts.
    line: usize,
    text: String,
    escape: char,
}

#[derive(Default)]
struct Problems {
    list: Vec<String>,
    left_out: usize,
}

impl Problems {
    fn add(&mut self, line: Option<usize>, message: impl std::fmt::Display) {
        if self.list.len() >= MAX_PROBLEMS {
            self.left_out += 1;
            return;
        }
        self.list.push(match line {
            Some(n) => format!("line {n}: {message}"),
            None => message.to_string(),
        });
    }
}

/// Parser directives: only while nothing else has been seen.
struct Directives {
    done: bool,
    escape: char,
    seen: HashSet<String>,
}

impl Directives {
    /// BuildKit's `^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$`, for known keys.
    fn line(&mut self, line: &str, n: usize, problems: &mut Problems) {
        if self.done {
            return;
        }
        let Some((key, value)) = directive(line) else {
            self.done = true;
            return;
        };
        let key = key.to_ascii_lowercase();
        if !matches!(key.as_str(), "escape" | "syntax" | "check") {
            self.done = true;
            return;
        }
        if !self.seen.insert(key.clone()) {
            problems.add(
                Some(n),
                format!("only one “{key}” parser directive may be given"),
            );
            return;
        }
        if key == "escape" {
            match value {
                "\\" => self.escape = '\\',
                "`" => self.escape = '`',
                other => problems.add(
                    Some(n),
                    format!(
                        "invalid escape character “{}”; the escape directive takes \\ or `",
                        shorten(other)
                    ),
                ),
            }
        }
    }
}

fn directive(line: &str) -> Option<(&str, &str)> {
    let blank = |c: char| c == ' ' || c == '\t';
    let rest = line.strip_prefix('#')?.trim_start_matches(blank);
    let key_len = rest
        .char_indices()
        .find(|(i, c)| !(c.is_ascii_alphanumeric() && (*i > 0 || c.is_ascii_alphabetic())))
        .map_or(rest.len(), |(i, _)| i);
    if key_len == 0 {
        return None;
    }
    let (key, rest) = rest.split_at(key_len);
    let value = rest
        .trim_start_matches(blank)
        .strip_prefix('=')?
        .trim_matches(blank);
    (!value.is_empty()).then_some((key, value))
}

/// Go's `strings.TrimLeftFunc(s, unicode.IsSpace)`.
fn trim_left(s: &str) -> &str {
    s.trim_start_matches(char::is_whitespace)
}

/// BuildKit's `trimContinuationCharacter`: the escape character followed only by spaces and
/// tabs ends the line; returns the line without it, and whether the instruction ends here.
fn trim_continuation(line: &str, escape: char) -> (&str, bool) {
    let trimmed = line.trim_end_matches([' ', '\t']);
    match trimmed.strip_suffix(escape) {
        Some(rest) => (rest, false),
        None => (line, true),
    }
}

fn is_comment(line: &str) -> bool {
    trim_left(line).starts_with('#')
}

/// The file's lines as BuildKit's scanner sees them: `\n`-separated, a CR before it dropped,
/// the BOM dropped from the first.
fn physical_lines(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    if let Some(first) = lines.first_mut() {
        *first = first.strip_prefix('\u{feff}').unwrap_or(first);
    }
    lines
}

/// BuildKit's `Parser.Parse` loop: directives, comments, continuations and heredoc bodies.
fn logical_lines(text: &str, problems: &mut Problems) -> Vec<Instruction> {
    let lines = physical_lines(text);
    let mut directives = Directives {
        done: false,
        escape: '\\',
        seen: HashSet::new(),
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let first = trim_left(lines[i]);
        i += 1;
        let start = i;
        directives.line(first, start, problems);
        let escape = directives.escape;
        let first = if first.starts_with('#') { "" } else { first };
        let (part, mut ends) = trim_continuation(first, escape);
        if ends && part.is_empty() {
            continue;
        }
        let mut joined = part.to_owned();
        while !ends && i < lines.len() {
            let line = lines[i];
            i += 1;
            if is_comment(line) || trim_left(line).is_empty() {
                continue;
            }
            let (part, e) = trim_continuation(line, escape);
            joined.push_str(part);
            ends = e;
        }
        if joined.trim().is_empty() {
            continue;
        }
        for heredoc in heredocs(&joined, escape) {
            let mut closed = false;
            while i < lines.len() {
                let mut line = lines[i].trim_end_matches(['\r', '\n']);
                i += 1;
                if heredoc.chomp {
                    line = line.trim_start_matches('\t');
                }
                if line == heredoc.name {
                    closed = true;
                    break;
                }
            }
            if !closed {
                problems.add(
                    Some(start),
                    format!(
                        "the heredoc <<{} is never closed (no line “{}” after it)",
                        shorten(&heredoc.name),
                        shorten(&heredoc.name)
                    ),
                );
            }
        }
        out.push(Instruction {
            line: start,
            text: joined,
            escape,
        });
    }
    out
}

struct Heredoc {
    name: String,
    /// `<<-`: leading tabs are stripped, also from the closing line.
    chomp: bool,
}

/// The heredocs a shell-form `RUN`, `COPY` or `ADD` opens, in order: words matching
/// `^\d*<<-?(.+)$`, the name unquoted.
fn heredocs(line: &str, escape: char) -> Vec<Heredoc> {
    let (cmd, rest) = split_command(line);
    if !matches!(cmd.to_ascii_lowercase().as_str(), "run" | "copy" | "add") || !rest.contains("<<")
    {
        return Vec::new();
    }
    let args = strip_flags(rest).trim();
    if args.starts_with('[') && args.ends_with(']') {
        return Vec::new();
    }
    let mut out = Vec::new();
    for word in parse_words(args, '\\') {
        let after_fd = word.trim_start_matches(|c: char| c.is_ascii_digit());
        let Some(spec) = after_fd.strip_prefix("<<") else {
            continue;
        };
        let (chomp, spec) = match spec.strip_prefix('-') {
            Some(s) => (true, s),
            None => (false, spec),
        };
        if spec.is_empty() || spec.contains('<') {
            continue;
        }
        let name = unquote(spec, escape);
        if !name.is_empty() {
            out.push(Heredoc { name, chomp });
        }
    }
    out
}

/// BuildKit's `splitCommand`: the instruction word and the rest, split at the first run of
/// `[\t\v\f\r ]`.
fn split_command(line: &str) -> (&str, &str) {
    let is_ws = |c: char| matches!(c, '\t' | '\u{b}' | '\u{c}' | '\r' | ' ');
    let line = line.trim();
    match line.find(is_ws) {
        Some(i) => (&line[..i], line[i..].trim_start_matches(is_ws)),
        None => (line, ""),
    }
}

/// BuildKit's `extractBuilderFlags`: skips leading `--name[=value]` words (quotes and `\`
/// handled, a bare `--` ends them); returns the rest.
fn strip_flags(line: &str) -> &str {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let n = chars.len();
    let mut phase = Phase::Spaces;
    let mut word = String::new();
    let mut quote = '\0';
    let mut pos = 0;
    while pos < n {
        let (at, mut ch) = chars[pos];
        match phase {
            Phase::Spaces => {
                if ch.is_whitespace() {
                    pos += 1;
                    continue;
                }
                if ch != '-' || pos + 1 == n || chars[pos + 1].1 != '-' {
                    return &line[at..];
                }
                phase = Phase::Word;
            }
            Phase::Word => {}
            Phase::Quote => {
                if ch == quote {
                    phase = Phase::Word;
                    pos += 1;
                    continue;
                }
                if ch == '\\' {
                    if pos + 1 == n {
                        break;
                    }
                    pos += 1;
                    ch = chars[pos].1;
                }
                word.push(ch);
                pos += 1;
                continue;
            }
        }
        // In a word.
        if ch.is_whitespace() {
            phase = Phase::Spaces;
            if word == "--" {
                return line[at..].trim_start();
            }
            word.clear();
            pos += 1;
            continue;
        }
        if ch == '\'' || ch == '"' {
            quote = ch;
            phase = Phase::Quote;
            pos += 1;
            continue;
        }
        if ch == '\\' {
            if pos + 1 == n {
                break;
            }
            pos += 1;
            ch = chars[pos].1;
        }
        word.push(ch);
        pos += 1;
    }
    ""
}

/// BuildKit's `parseWords`: whitespace-separated words, quotes and escapes kept in the words
/// but honoured for where a word ends.
fn parse_words(rest: &str, escape: char) -> Vec<String> {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let chars: Vec<char> = rest.chars().collect();
    let n = chars.len();
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word = String::new();
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut pos = 0;
    loop {
        let at_end = pos >= n;
        if phase == Phase::Spaces {
            if at_end {
                break;
            }
            if chars[pos].is_whitespace() {
                pos += 1;
                continue;
            }
            phase = Phase::Word;
        }
        if at_end {
            if blank_ok || !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            break;
        }
        let mut ch = chars[pos];
        if phase == Phase::Word {
            if ch.is_whitespace() {
                phase = Phase::Spaces;
                if blank_ok || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                blank_ok = false;
                pos += 1;
                continue;
            }
            if ch == '\'' || ch == '"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
            }
            if ch == escape {
                if pos + 1 == n {
                    pos += 1;
                    continue;
                }
                word.push(ch);
                pos += 1;
                ch = chars[pos];
            }
            word.push(ch);
            pos += 1;
            continue;
        }
        // In quotes.
        if ch == quote {
            phase = Phase::Word;
        }
        if ch == escape && quote != '\'' {
            if pos + 1 == n {
                phase = Phase::Word;
                pos += 1;
                continue;
            }
            pos += 1;
            word.push(ch);
            ch = chars[pos];
        }
        word.push(ch);
        pos += 1;
    }
    words
}

/// Removes quotes and escapes as BuildKit's shell lexer does for one word, without expanding
/// variables: `'…'` is literal, in `"…"` the escape character escapes only `"`, `$` and
/// itself, outside quotes it escapes any character.
fn unquote(word: &str, escape: char) -> String {
    let mut out = String::with_capacity(word.len());
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            for c in chars.by_ref() {
                if c == '\'' {
                    break;
                }
                out.push(c);
            }
        } else if c == '"' {
            while let Some(c) = chars.next() {
                if c == '"' {
                    break;
                }
                if c == escape {
                    match chars.peek() {
                        Some(&n) if n == '"' || n == '$' || n == escape => {
                            out.push(n);
                            chars.next();
                        }
                        _ => out.push(c),
                    }
                } else {
                    out.push(c);
                }
            }
        } else if c == escape {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Text for a message: at most 40 characters.
fn shorten(s: &str) -> String {
    if s.chars().count() > 40 {
        let head: String = s.chars().take(39).collect();
        format!("{head}…")
    } else {
        s.to_owned()
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// BuildKit's stage names: `^[a-z][a-z0-9-_.]*$` once lowercased.
fn valid_stage_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
}

/// The instruction a mistyped name most likely meant: one edit away (two for longer names),
/// a swap of neighbours counting as one.
fn suggest(word: &str) -> Option<&'static str> {
    let w = word.to_ascii_lowercase();
    let len = w.chars().count();
    if len > 20 {
        return None;
    }
    let max = if len <= 4 { 1 } else { 2 };
    INSTRUCTIONS
        .iter()
        .map(|i| (edit_distance(&w, i), *i))
        .filter(|(d, _)| *d <= max)
        .min_by_key(|(d, _)| *d)
        .map(|(_, i)| i)
}

/// Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of two
/// neighbours each cost one.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d: Vec<Vec<usize>> = (0..=a.len())
        .map(|i| {
            (0..=b.len())
                .map(|j| {
                    if i == 0 {
                        j
                    } else if j == 0 {
                        i
                    } else {
                        0
                    }
                })
                .collect()
        })
        .collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

#[derive(Default)]
struct Parser {
    problems: Problems,
    info: DockerfileInfo,
    arg_names: HashSet<String>,
    /// Stage name → line of its FROM.
    stage_names: HashMap<String, usize>,
    /// Set at the first FROM, even a malformed one.
    in_stage: bool,
    any_instruction: bool,
}

impl Parser {
    fn instruction(&mut self, ins: &Instruction) {
        self.any_instruction = true;
        let (word, rest) = split_command(&ins.text);
        let cmd = word.to_ascii_lowercase();
        let n = ins.line;
        if !INSTRUCTIONS.contains(&cmd.as_str()) {
            let hint = suggest(word)
                .map(|s| format!(" (did you mean {}?)", s.to_ascii_uppercase()))
                .unwrap_or_default();
            self.problems.add(
                Some(n),
                format!("unknown instruction {}{hint}", shorten(word)),
            );
            return;
        }
        let args = strip_flags(rest);
        match cmd.as_str() {
            "from" => self.from(n, args),
            "arg" => self.arg(n, args, ins.escape),
            _ if !self.in_stage => self.problems.add(
                Some(n),
                format!(
                    "{} comes before the first FROM; only ARG may come before it",
                    cmd.to_ascii_uppercase()
                ),
            ),
            _ => {}
        }
    }

    fn from(&mut self, n: usize, args: &str) {
        self.in_stage = true;
        let words: Vec<&str> = args.split_whitespace().collect();
        let Some(base) = words.first() else {
            self.problems
                .add(Some(n), "FROM needs an image, e.g. FROM alpine:3.20");
            return;
        };
        let mut name = None;
        if words.len() == 3 && words[1].eq_ignore_ascii_case("as") {
            let lowered = words[2].to_ascii_lowercase();
            if valid_stage_name(&lowered) {
                if let Some(first) = self.stage_names.get(&lowered) {
                    self.problems.add(
                        Some(n),
                        format!("the stage name “{lowered}” is already used on line {first}"),
                    );
                } else {
                    self.stage_names.insert(lowered.clone(), n);
                }
                name = Some(lowered);
            } else {
                self.problems.add(
                    Some(n),
                    format!(
                        "invalid stage name “{}”: it must start with a letter and contain only letters, digits, “-”, “_” and “.”",
                        shorten(words[2])
                    ),
                );
            }
        } else if words.len() != 1 {
            self.problems.add(
                Some(n),
                "FROM takes an image and optionally “AS name”: FROM image [AS name]",
            );
        }
        let index = to_u32(self.info.stages.len());
        self.info.stages.push(Stage {
            index,
            name,
            base: (*base).to_owned(),
            line: to_u32(n),
        });
    }

    fn arg(&mut self, n: usize, args: &str, escape: char) {
        let words = parse_words(args, escape);
        if words.is_empty() {
            self.problems
                .add(Some(n), "ARG needs a name, e.g. ARG VERSION=1.0");
            return;
        }
        let stage = if self.in_stage {
            self.info
                .stages
                .last()
                .map(|s| s.name.clone().unwrap_or_else(|| s.index.to_string()))
        } else {
            None
        };
        for word in words {
            let (name, default) = match word.split_once('=') {
                Some((name, value)) => (name, Some(unquote(value, escape))),
                None => (word.as_str(), None),
            };
            if name.is_empty() {
                self.problems.add(
                    Some(n),
                    format!("ARG “{}” has no name before the “=”", shorten(&word)),
                );
                continue;
            }
            if self.arg_names.insert(name.to_owned()) {
                self.info.args.push(BuildArg {
                    name: name.to_owned(),
                    default,
                    stage: stage.clone(),
                });
            }
        }
    }

    fn finish(mut self) -> DockerfileInfo {
        if self.info.stages.is_empty() && !self.in_stage {
            let message = if self.any_instruction {
                "no FROM instruction: a Dockerfile needs at least one, e.g. FROM alpine:3.20"
            } else {
                "no FROM instruction: the Dockerfile has no instructions at all"
            };
            self.problems.add(None, message);
        }
        let mut problems = self.problems.list;
        if self.problems.left_out > 0 {
            problems.push(format!("… and {} more problems", self.problems.left_out));
        }
        self.info.problems = problems;
        self.info
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arg(name: &str, default: Option<&str>, stage: Option<&str>) -> BuildArg {
        BuildArg {
            name: name.into(),
            default: default.map(Into::into),
            stage: stage.map(Into::into),
        }
    }

    fn stage(index: u32, name: Option<&str>, base: &str, line: u32) -> Stage {
        Stage {
            index,
            name: name.map(Into::into),
            base: base.into(),
            line,
        }
    }

    #[test]
    fn multi_stage_with_global_and_stage_args() {
        let d = parse(
            "# syntax=docker/dockerfile:1\n\
             ARG BASE=alpine:3.20\n\
             ARG VERSION\n\
             \n\
             FROM --platform=$BUILDPLATFORM ${BASE} AS Build\n\
             ARG GOOS=linux GOARCH\n\
             RUN make\n\
             from scratch\n\
             arg EXTRA=\"a b\"\n\
             FROM build as final\n\
             ARG VERSION=2\n\
             COPY --from=build /app /app\n",
        );
        assert_eq!(d.problems, Vec::<String>::new());
        assert_eq!(
            d.stages,
            vec![
                stage(0, Some("build"), "${BASE}", 5),
                stage(1, None, "scratch", 8),
                stage(2, Some("final"), "build", 10),
            ]
        );
        assert_eq!(
            d.args,
            vec![
                arg("BASE", Some("alpine:3.20"), None),
                arg("VERSION", None, None),
                arg("GOOS", Some("linux"), Some("build")),
                arg("GOARCH", None, Some("build")),
                arg("EXTRA", Some("a b"), Some("1")),
            ]
        );
    }

    #[test]
    fn arg_quoting_and_escapes() {
        let d =
            parse("FROM a\nARG a=1 b c=\"x y\" d='$e f' g=h\\ i j=\"k\\\"l\\m\" k= l=${X:-y}\n");
        assert_eq!(
            d.args,
            vec![
                arg("a", Some("1"), Some("0")),
                arg("b", None, Some("0")),
                arg("c", Some("x y"), Some("0")),
                arg("d", Some("$e f"), Some("0")),
                arg("g", Some("h i"), Some("0")),
                arg("j", Some("k\"l\\m"), Some("0")),
                arg("k", Some(""), Some("0")),
                arg("l", Some("${X:-y}"), Some("0")),
            ]
        );
        assert!(d.problems.is_empty(), "{:?}", d.problems);
    }

    #[test]
    fn escape_directive_with_backtick_continuation() {
        let d = parse(
            "# escape=`\n\
             FROM mcr.microsoft.com/windows/servercore:ltsc2022 `\n\
             \x20 AS base\n\
             ARG DIR=C:\\Program` Files\\app `\n\
             \x20 MODE=\"a`\"b\"\n\
             RUN dir c:\\\n",
        );
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        assert_eq!(
            d.stages,
            vec![stage(
                0,
                Some("base"),
                "mcr.microsoft.com/windows/servercore:ltsc2022",
                2
            )]
        );
        assert_eq!(
            d.args,
            vec![
                arg("DIR", Some("C:\\Program Files\\app"), Some("base")),
                arg("MODE", Some("a\"b"), Some("base")),
            ]
        );
        // With the default escape, a trailing backslash continues the line instead.
        let d = parse("FROM a\nRUN dir c:\\\nFORM b\n");
        assert!(d.problems.is_empty(), "{:?}", d.problems);
    }

    #[test]
    fn continuation_skips_comment_and_empty_lines() {
        let d = parse(
            "FROM alpine \\\n\
             # a comment inside\n\
             \x20   # another, indented\n\
             \n\
             \x20 AS base\n\
             ARG A=1 \\\t \n\
             \x20 B=2 \\\n\
             \n\
             \x20 C\n\
             RUN x\n\
             FROM base\n",
        );
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        assert_eq!(
            d.stages,
            vec![
                stage(0, Some("base"), "alpine", 1),
                stage(1, None, "base", 11)
            ]
        );
        let names: Vec<&str> = d.args.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["A", "B", "C"]);
        assert_eq!(d.args[1].default.as_deref(), Some("2"));
    }

    #[test]
    fn crlf_and_bom() {
        let d = parse("\u{feff}# escape=`\r\nARG V=1\r\nFROM busybox:${V} AS One\r\nARG X `\r\n  Y\r\nFORM x\r\n");
        assert_eq!(d.stages, vec![stage(0, Some("one"), "busybox:${V}", 3)]);
        assert_eq!(
            d.args,
            vec![
                arg("V", Some("1"), None),
                arg("X", None, Some("one")),
                arg("Y", None, Some("one")),
            ]
        );
        assert_eq!(
            d.problems,
            vec!["line 6: unknown instruction FORM (did you mean FROM?)"]
        );
    }

    #[test]
    fn problems_have_line_numbers() {
        let d = parse("FROM alpine\n\nRUN a \\\n  b\nFORM x\nEXPOSE 80\nCOPPY a b\nfoo bar\nRUN\n");
        assert_eq!(
            d.problems,
            vec![
                "line 5: unknown instruction FORM (did you mean FROM?)",
                "line 7: unknown instruction COPPY (did you mean COPY?)",
                "line 8: unknown instruction foo",
            ]
        );
        let d = parse("RUN x\nENV A=1\nARG B\nFROM a\n");
        assert_eq!(
            d.problems,
            vec![
                "line 1: RUN comes before the first FROM; only ARG may come before it",
                "line 2: ENV comes before the first FROM; only ARG may come before it",
            ]
        );
        assert_eq!(d.args, vec![arg("B", None, None)]);
    }

    #[test]
    fn no_from() {
        let d = parse("ARG X=1\nRUN y\n");
        assert!(d.stages.is_empty());
        assert_eq!(d.args, vec![arg("X", Some("1"), None)]);
        assert_eq!(d.problems.len(), 2);
        assert!(
            d.problems[1].starts_with("no FROM instruction"),
            "{:?}",
            d.problems
        );
        for empty in ["", "\n\n", "# just a comment\n", "\u{feff}", "  \\\n\n"] {
            let d = parse(empty);
            assert_eq!(d.problems.len(), 1, "{empty:?}");
            assert!(d.problems[0].contains("no instructions"), "{empty:?}");
        }
    }

    #[test]
    fn malformed_from_lines() {
        let d = parse("FROM\nFROM a b\nFROM a AS 1st\nFROM a AS x y\nFROM a AS X\nFROM b As x\n");
        assert_eq!(
            d.problems,
            vec![
                "line 1: FROM needs an image, e.g. FROM alpine:3.20",
                "line 2: FROM takes an image and optionally “AS name”: FROM image [AS name]",
                "line 3: invalid stage name “1st”: it must start with a letter and contain only letters, digits, “-”, “_” and “.”",
                "line 4: FROM takes an image and optionally “AS name”: FROM image [AS name]",
                "line 6: the stage name “x” is already used on line 5",
            ]
        );
        let names: Vec<Option<&str>> = d.stages.iter().map(|s| s.name.as_deref()).collect();
        assert_eq!(names, [None, None, None, Some("x"), Some("x")]);
        assert_eq!(d.stages[4].index, 4);
    }

    #[test]
    fn duplicate_args_first_wins() {
        let d = parse("ARG A=1\nFROM x AS s\nARG A=2 B\nARG B=3 A\n");
        assert_eq!(
            d.args,
            vec![arg("A", Some("1"), None), arg("B", None, Some("s"))]
        );
        let d = parse("FROM x\nARG\nARG =v\n");
        assert_eq!(
            d.problems,
            vec![
                "line 2: ARG needs a name, e.g. ARG VERSION=1.0",
                "line 3: ARG “=v” has no name before the “=”",
            ]
        );
    }

    #[test]
    fn directives_only_at_the_top() {
        // After a blank line, "# escape=`" is a comment: the backslash still continues.
        let d = parse("\n# escape=`\nFROM a \\\n AS b\n");
        assert_eq!(d.stages[0].name.as_deref(), Some("b"));
        // After an unknown directive-looking comment, directives are over too.
        let d = parse("# foo=bar\n# escape=`\nFROM a `\nRUN x\n");
        assert_eq!(d.stages[0].base, "a");
        assert_eq!(
            d.problems,
            vec!["line 3: FROM takes an image and optionally “AS name”: FROM image [AS name]"]
        );
        let d = parse("#ESCAPE = ` \n#syntax=x\n# check=skip=all\nFROM a `\n  AS b\n");
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        assert_eq!(d.stages[0].name.as_deref(), Some("b"));
        let d = parse("# escape=x\n# escape=`\nFROM a\n");
        assert_eq!(
            d.problems,
            vec![
                "line 1: invalid escape character “x”; the escape directive takes \\ or `",
                "line 2: only one “escape” parser directive may be given",
            ]
        );
    }

    #[test]
    fn heredoc_bodies_are_skipped() {
        let d = parse(
            "FROM alpine\n\
             RUN <<EOF\n\
             FORM this is shell\n\
             ARG NOT_AN_ARG\n\
             EOF\n\
             COPY <<-\"A\" <<B /dst/\n\
             \tbody\n\
             \tA\n\
             more\n\
             B\n\
             RUN [\"sh\", \"-c\", \"cat <<X\"]\n\
             RUN cat<<NOT\n\
             ARG AFTER\n",
        );
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        assert_eq!(d.args, vec![arg("AFTER", None, Some("0"))]);
        let d = parse("FROM a\nRUN <<EOF\nnever closed\n");
        assert_eq!(
            d.problems,
            vec!["line 2: the heredoc <<EOF is never closed (no line “EOF” after it)"]
        );
    }

    #[test]
    fn too_many_problems_are_summarised() {
        let text = "X\n".repeat(MAX_PROBLEMS + 7) + "FROM a\n";
        let d = parse(&text);
        assert_eq!(d.problems.len(), MAX_PROBLEMS + 1);
        assert_eq!(d.problems[MAX_PROBLEMS], "… and 7 more problems");
    }

    #[test]
    fn serialises_camel_case() {
        let v = serde_json::to_value(parse("FROM a AS b\nARG X=1\n")).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "args": [{"name": "X", "default": "1", "stage": "b"}],
                "stages": [{"index": 0, "name": "b", "base": "a", "line": 1}],
                "problems": [],
            })
        );
    }

    #[test]
    fn helpers() {
        assert_eq!(
            strip_flags("--platform=$X --a=\"b c\" img AS x"),
            "img AS x"
        );
        assert_eq!(strip_flags("-- --not-a-flag"), "--not-a-flag");
        assert_eq!(strip_flags("--only"), "");
        assert_eq!(split_command("  RUN\t\techo hi "), ("RUN", "echo hi"));
        assert_eq!(
            parse_words("a \"b c\" 'd e'f \\ g", '\\'),
            ["a", "\"b c\"", "'d e'f", "\\ g"]
        );
        assert_eq!(trim_continuation("a \\ \t", '\\'), ("a ", false));
        assert_eq!(trim_continuation("a \\x", '\\'), ("a \\x", true));
        assert_eq!(edit_distance("form", "from"), 1);
        assert_eq!(edit_distance("foo", "from"), 2);
        assert_eq!(suggest("WORKDIRR"), Some("workdir"));
        assert_eq!(suggest("xyz"), None);
    }

    mod prop {
        use super::super::*;
        use proptest::prelude::*;

        fn value() -> impl Strategy<Value = Option<String>> {
            prop_oneof![
                Just(None),
                "[A-Za-z0-9_./:-]{0,12}".prop_map(Some),
                "[A-Za-z0-9 _./:$-]{0,12}".prop_map(Some),
            ]
        }

        /// A value written so BuildKit reads it back as `v`.
        fn written(v: &str, style: u8) -> String {
            match style % 3 {
                0 if !v.contains(' ') && !v.contains('$') => v.to_owned(),
                1 => format!("'{v}'"),
                _ => format!("\"{}\"", v.replace('$', "\\$")),
            }
        }

        proptest! {
            /// Anything at all gives an answer, never a panic.
            #[test]
            fn never_panics(text in "\\PC{0,300}") {
                let _ = parse(&text);
            }

            /// Dockerfile-like text: the awkward characters, densely.
            #[test]
            fn never_panics_on_dockerfile_like_text(
                text in "([A-Za-z]{1,6}|[ \\t\\r\\n]|\\\\|`|#|<<-?|EOF|=|\"|'|--|\u{feff}|é){0,80}"
            ) {
                let d = parse(&text);
                prop_assert!(d.problems.len() <= MAX_PROBLEMS + 1);
            }

            /// Generated ARG lines give back their names and defaults, also split across
            /// continuation lines, with a comment line in between.
            #[test]
            fn arg_lines_round_trip(
                decls in prop::collection::vec(("[A-Za-z_][A-Za-z0-9_]{0,10}", value(), any::<u8>()), 1..6),
                continued in any::<bool>(),
            ) {
                let mut seen = std::collections::HashSet::new();
                let decls: Vec<_> = decls.into_iter().filter(|(n, _, _)| seen.insert(n.clone())).collect();
                let words: Vec<String> = decls
                    .iter()
                    .map(|(n, v, s)| match v {
                        Some(v) => format!("{n}={}", written(v, *s)),
                        None => n.clone(),
                    })
                    .collect();
                let sep = if continued { " \\\n# note\n  " } else { " " };
                let text = format!("ARG G=1\nFROM x AS s\nARG {}\nRUN true\n", words.join(sep));
                let d = parse(&text);
                prop_assert!(d.problems.is_empty(), "{:?}", d.problems);
                let got: Vec<(String, Option<String>)> =
                    d.args.iter().skip(1).map(|a| (a.name.clone(), a.default.clone())).collect();
                let want: Vec<(String, Option<String>)> =
                    decls.into_iter().filter(|(n, _, _)| n != "G").map(|(n, v, _)| (n, v)).collect();
                prop_assert_eq!(got, want);
                prop_assert!(d.args.iter().skip(1).all(|a| a.stage.as_deref() == Some("s")));
            }
        }
    }
}
