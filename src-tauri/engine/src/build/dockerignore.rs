//! `.dockerignore` with Docker's exact semantics (the docker CLI's `ReadAll` + moby's
//! `patternmatcher`): comments only where a line starts with `#`, spaces trimmed, `!` exceptions,
//! Go's `filepath.Clean` on every pattern, a leading `/` dropped, `*`/`?`/`[…]`/`\` escapes,
//! `**` across folders, a pattern that matches a parent folder matches what is inside, and the
//! last matching line wins.

use regex::Regex;

use crate::error::{EngineError, Result};

/// Docker reads the file with Go's `bufio.Scanner`, whose lines are at most 64 KiB.
pub const MAX_LINE: usize = 64 * 1024;

#[derive(Debug, Clone)]
struct Pattern {
    /// Cleaned, without the `!`.
    text: String,
    exclusion: bool,
    matcher: Matcher,
}

#[derive(Debug, Clone)]
enum Matcher {
    Exact,
    /// `foo/**`: the prefix before the `**`.
    Prefix(String),
    /// `**/foo` or `**foo`: the text after the `**`.
    Suffix(String),
    Regex(Regex),
}

/// A line that is valid but cannot do what it seems to mean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Clone, Default)]
pub struct DockerIgnore {
    patterns: Vec<Pattern>,
    pub warnings: Vec<Warning>,
}

fn bad(line: usize, msg: impl std::fmt::Display) -> EngineError {
    EngineError::invalid(".dockerignore", format!("line {line}: {msg}"))
}

impl DockerIgnore {
    /// Parses the file's text. Errors are what the docker CLI also refuses, said with the line.
    pub fn parse(text: &str) -> Result<Self> {
        let mut out = Self::default();
        for (i, raw) in text.split('\n').enumerate() {
            let n = i + 1;
            // Go's ScanLines drops the "\r" of a CRLF line end.
            let mut line = raw.strip_suffix('\r').unwrap_or(raw);
            if i == 0 {
                line = line.strip_prefix('\u{feff}').unwrap_or(line);
            }
            if line.len() > MAX_LINE {
                return Err(bad(
                    n,
                    format!(
                        "the line is {} bytes long; Docker reads at most 64 KiB per line",
                        line.len()
                    ),
                ));
            }
            if line.starts_with('#') {
                continue;
            }
            let mut p = line.trim();
            if p.is_empty() {
                continue;
            }
            let exclusion = p.starts_with('!');
            if exclusion {
                p = p[1..].trim();
                if p.is_empty() {
                    return Err(bad(n, "illegal exclusion pattern: \"!\""));
                }
            }
            let mut cleaned = go_clean(p);
            if cleaned.len() > 1 && cleaned.starts_with('/') {
                cleaned.remove(0);
            }
            validate_go_pattern(&cleaned)
                .map_err(|why| bad(n, format!("syntax error in pattern \"{cleaned}\": {why}")))?;
            if cleaned == ".." || cleaned.starts_with("../") {
                out.warnings.push(Warning {
                    line: n,
                    message: format!(
                        "\"{p}\" points outside the build context and matches nothing"
                    ),
                });
            }
            let matcher = compile(&cleaned)
                .map_err(|e| bad(n, format!("syntax error in pattern \"{cleaned}\": {e}")))?;
            out.patterns.push(Pattern {
                text: cleaned,
                exclusion,
                matcher,
            });
        }
        Ok(out)
    }

    /// True when some line is an exception (`!…`): an excluded folder must still be walked.
    pub fn has_exceptions(&self) -> bool {
        self.patterns.iter().any(|p| p.exclusion)
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Whether `path` (relative to the context, `/`-separated) is left out of the context.
    pub fn is_excluded(&self, path: &str) -> bool {
        let file = go_clean(path);
        if file == "." {
            return false;
        }
        let parents: Vec<&str> = match file.rfind('/') {
            Some(i) => file[..i].split('/').collect(),
            None => Vec::new(),
        };
        let mut matched = false;
        for p in &self.patterns {
            if p.exclusion != matched {
                continue;
            }
            let mut m = p.matches(&file);
            if !m {
                // A pattern that matches a parent folder matches what is inside it.
                let mut parent = String::new();
                for (i, part) in parents.iter().enumerate() {
                    if i > 0 {
                        parent.push('/');
                    }
                    parent.push_str(part);
                    if p.matches(&parent) {
                        m = true;
                        break;
                    }
                }
            }
            if m {
                matched = !p.exclusion;
            }
        }
        matched
    }

    /// moby's `MatchesUsingParentResults`, what Docker's archiver calls while it walks: `parent` is
    /// what this returned for the enclosing folder (`None` at the top, where the parent folders
    /// are checked directly). Returns whether `path` is excluded, and what to pass for its
    /// children. It can differ from [`Self::is_excluded`] when an exception sits between two
    /// lines that match the same folder; the walker uses this one, as Docker does.
    pub fn matches_with_parent(&self, path: &str, parent: Option<&[bool]>) -> (bool, Vec<bool>) {
        let file = go_clean(path);
        let parent = parent.filter(|p| p.len() == self.patterns.len());
        let mut matched = false;
        let mut info = vec![false; self.patterns.len()];
        for (i, p) in self.patterns.iter().enumerate() {
            let mut m = parent.is_some_and(|pm| pm[i]);
            if !m {
                if p.exclusion != matched {
                    continue;
                }
                m = p.matches(&file);
                if !m && parent.is_none() {
                    if let Some(idx) = file.rfind('/') {
                        let mut end = 0;
                        for part in file[..idx].split('/') {
                            end += part.len();
                            if p.matches(&file[..end]) {
                                m = true;
                                break;
                            }
                            end += 1;
                        }
                    }
                }
            }
            info[i] = m;
            if m {
                matched = !p.exclusion;
            }
        }
        (matched, info)
    }

    /// Whether an excluded folder must still be walked because an exception line could match
    /// something inside it (moby's archiver: an exception whose text starts with `dir/`).
    pub fn walk_excluded_dir(&self, dir: &str) -> bool {
        let dir_slash = format!("{}/", go_clean(dir));
        self.patterns
            .iter()
            .any(|p| p.exclusion && format!("{}/", p.text).starts_with(&dir_slash))
    }

    /// The Dockerfile and `.dockerignore` are always sent, as the docker CLI does: an exception
    /// is added for each when the rules would leave it out.
    pub fn always_send(&mut self, paths: &[&str]) {
        for path in paths {
            let cleaned = go_clean(path);
            if self.is_excluded(&cleaned) {
                self.patterns.push(Pattern {
                    matcher: Matcher::Exact,
                    text: cleaned,
                    exclusion: true,
                });
            }
        }
    }
}

impl Pattern {
    fn matches(&self, path: &str) -> bool {
        match &self.matcher {
            Matcher::Exact => path == self.text,
            Matcher::Prefix(prefix) => path.starts_with(prefix.as_str()),
            Matcher::Suffix(suffix) => {
                path.ends_with(suffix.as_str()) || (suffix.starts_with('/') && path == &suffix[1..])
            }
            Matcher::Regex(re) => re.is_match(path),
        }
    }
}

/// moby's `Pattern.compile`, for `/` as the separator.
fn compile(pattern: &str) -> std::result::Result<Matcher, regex::Error> {
    #[derive(PartialEq)]
    enum Kind {
        Exact,
        Prefix,
        Suffix,
        Regex,
    }
    let mut re = String::from("^");
    let mut kind = Kind::Exact;
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    let mut first = true;
    while i < chars.len() {
        let ch = chars[i];
        i += 1;
        if ch == '*' {
            if chars.get(i) == Some(&'*') {
                i += 1;
                if chars.get(i) == Some(&'/') {
                    i += 1;
                }
                if i >= chars.len() {
                    if kind == Kind::Exact {
                        kind = Kind::Prefix;
                    } else {
                        re.push_str(".*");
                        kind = Kind::Regex;
                    }
                } else {
                    re.push_str("(.*/)?");
                    kind = Kind::Regex;
                }
                if first {
                    kind = Kind::Suffix;
                }
            } else {
                re.push_str("[^/]*");
                kind = Kind::Regex;
            }
        } else if ch == '?' {
            re.push_str("[^/]");
            kind = Kind::Regex;
        } else if ".+()|{}$".contains(ch) {
            re.push('\\');
            re.push(ch);
        } else if ch == '\\' {
            match chars.get(i) {
                Some(next) => {
                    re.push_str(&regex::escape(&next.to_string()));
                    i += 1;
                    kind = Kind::Regex;
                }
                None => re.push_str("\\\\"),
            }
        } else if ch == '[' || ch == ']' {
            re.push(ch);
            kind = Kind::Regex;
        } else {
            re.push(ch);
        }
        first = false;
    }
    Ok(match kind {
        Kind::Exact => Matcher::Exact,
        Kind::Prefix => Matcher::Prefix(pattern[..pattern.len() - 2].to_owned()),
        Kind::Suffix => Matcher::Suffix(pattern[2..].to_owned()),
        Kind::Regex => {
            re.push('$');
            Matcher::Regex(Regex::new(&re)?)
        }
    })
}

/// Go's `filepath.Match` syntax check: a `[` class must close and hold at least one range, a
/// range bound may not be a bare `-` or `]`, and `\` must escape something.
fn validate_go_pattern(p: &str) -> std::result::Result<(), &'static str> {
    let c: Vec<char> = p.chars().collect();
    let mut i = 0;
    let esc = |i: &mut usize| -> std::result::Result<(), &'static str> {
        match c.get(*i) {
            None => Err("unclosed character class"),
            Some('-') | Some(']') => Err("a range needs a character on each side of '-'"),
            Some('\\') => {
                *i += 1;
                if c.get(*i).is_none() {
                    return Err("'\\' at the end of the pattern escapes nothing");
                }
                *i += 1;
                Ok(())
            }
            Some(_) => {
                *i += 1;
                Ok(())
            }
        }
    };
    while i < c.len() {
        match c[i] {
            '\\' => {
                if i + 1 >= c.len() {
                    return Err("'\\' at the end of the pattern escapes nothing");
                }
                i += 2;
            }
            '[' => {
                i += 1;
                if c.get(i) == Some(&'^') {
                    i += 1;
                }
                let mut ranges = 0;
                loop {
                    if c.get(i) == Some(&']') && ranges > 0 {
                        i += 1;
                        break;
                    }
                    esc(&mut i)?;
                    if c.get(i) == Some(&'-') {
                        i += 1;
                        esc(&mut i)?;
                    }
                    ranges += 1;
                }
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// Go's `path/filepath.Clean` for `/`: the shortest equivalent path.
pub fn go_clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_owned();
    }
    let rooted = path.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| *l != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            p => out.push(p),
        }
    }
    let joined = out.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn di(text: &str) -> DockerIgnore {
        DockerIgnore::parse(text).unwrap()
    }

    #[test]
    fn clean_is_gos() {
        for (i, o) in [
            ("", "."),
            ("a/./b/../c/", "a/c"),
            ("/../x", "/x"),
            ("../../x", "../../x"),
            ("a//b", "a/b"),
            ("./", "."),
            ("/", "/"),
        ] {
            assert_eq!(go_clean(i), o, "{i}");
        }
    }

    #[test]
    fn comments_blank_lines_bom_and_crlf() {
        let d = di("\u{feff}# comment\r\n\r\n  *.log  \r\n #not a comment\r\n");
        assert!(d.is_excluded("x.log"));
        assert!(d.is_excluded("#not a comment"));
        assert!(!d.is_excluded("# comment"));
        assert!(!d.is_excluded("x.txt"));
    }

    #[test]
    fn the_last_matching_line_wins() {
        let d = di("*.md\n!README.md\nREADME*.md\n");
        assert!(d.is_excluded("CHANGES.md"));
        assert!(d.is_excluded("README.md"));
        let d = di("*.md\n!README.md\n");
        assert!(!d.is_excluded("README.md"));
    }

    #[test]
    fn star_stays_in_one_folder_and_double_star_crosses_them() {
        let d = di("*/temp*\n");
        assert!(d.is_excluded("a/temporary.txt"));
        assert!(!d.is_excluded("a/b/temp"));
        assert!(!d.is_excluded("temp"));
        let d = di("**/*.go\n");
        assert!(d.is_excluded("main.go"));
        assert!(d.is_excluded("a/b/c.go"));
        let d = di("a/**/z\n");
        assert!(d.is_excluded("a/z"));
        assert!(d.is_excluded("a/b/c/z"));
        assert!(!d.is_excluded("b/z"));
        let d = di("build/**\n");
        assert!(d.is_excluded("build/x/y"));
        // Docker's prefix match is on "build/": the folder entry itself stays.
        assert!(!d.is_excluded("build"));
    }

    #[test]
    fn a_folder_pattern_excludes_what_is_inside() {
        let d = di("node_modules\n");
        assert!(d.is_excluded("node_modules"));
        assert!(d.is_excluded("node_modules/a/b.js"));
        assert!(!d.is_excluded("src/node_modules/a.js"));
        let d = di("/secrets/\n");
        assert!(d.is_excluded("secrets/key"));
    }

    #[test]
    fn exceptions_inside_an_excluded_folder() {
        let d = di("docs\n!docs/keep.md\n");
        assert!(d.is_excluded("docs/other.md"));
        assert!(!d.is_excluded("docs/keep.md"));
        assert!(d.has_exceptions());
    }

    #[test]
    fn question_mark_classes_and_escapes() {
        let d = di("file?.txt\n[ab]*.c\n\\*literal\nx[^0-9]\n");
        assert!(d.is_excluded("file1.txt"));
        assert!(!d.is_excluded("file12.txt"));
        assert!(!d.is_excluded("file/.txt"));
        assert!(d.is_excluded("a1.c") && d.is_excluded("b.c") && !d.is_excluded("c.c"));
        assert!(d.is_excluded("*literal") && !d.is_excluded("xliteral"));
        assert!(d.is_excluded("xa") && !d.is_excluded("x1"));
        // Regex metacharacters outside classes are literal…
        let d = di("a+b(c)|{d}$.txt\n");
        assert!(d.is_excluded("a+b(c)|{d}$.txt"));
        assert!(!d.is_excluded("aab(c)|{d}$.txt"));
    }

    #[test]
    fn odd_lines_give_clear_errors_or_warnings() {
        let e = DockerIgnore::parse("ok\n[\n").unwrap_err();
        assert_eq!(e.code(), "InvalidInput");
        assert!(
            e.to_string()
                .starts_with(".dockerignore: line 2: syntax error"),
            "{e}"
        );
        assert!(DockerIgnore::parse("a\\").is_err());
        assert!(DockerIgnore::parse("[]a]").is_err());
        assert!(DockerIgnore::parse("[a-]").is_err());
        assert!(DockerIgnore::parse("!")
            .unwrap_err()
            .to_string()
            .contains("illegal exclusion"));
        let d = di("../x\n");
        assert_eq!(d.warnings.len(), 1);
        assert!(d.warnings[0].message.contains("outside the build context"));
        assert!(!d.is_excluded("x"));
        let long = "a".repeat(MAX_LINE + 1);
        assert!(DockerIgnore::parse(&long)
            .unwrap_err()
            .to_string()
            .contains("64 KiB"));
        // Just under the limit is fine.
        assert!(DockerIgnore::parse(&"b".repeat(MAX_LINE)).is_ok());
    }

    #[test]
    fn paths_are_cleaned_and_leading_slash_dropped() {
        let d = di("/a/../b/./c\n");
        assert!(d.is_excluded("b/c"));
        assert!(d.is_excluded("b/c/d"));
        assert!(!d.is_excluded("."));
    }

    #[test]
    fn dockerfile_and_dockerignore_are_always_sent() {
        let mut d = di("*\n");
        d.always_send(&["Dockerfile", ".dockerignore"]);
        assert!(!d.is_excluded("Dockerfile"));
        assert!(!d.is_excluded(".dockerignore"));
        assert!(d.is_excluded("src"));
    }

    /// What the docker CLI (classic builder, Engine 20.10) put in a context for this file, seen
    /// by building `FROM scratch` + `COPY . /ctx/` and listing the exported image.
    #[test]
    fn matches_what_the_docker_cli_sent() {
        let d = di("\u{feff}# c\r\n*.md\r\n!docs/keep.md\r\ndocs/sub\r\nbuild/**\r\n**/*.go\r\nnode_modules\r\nfile?.txt\r\n*.log\r\n#hash\r\na+b.txt\r\n../x\r\n");
        let sent = [
            "#hash",
            ".dockerignore",
            "a",
            "a/b",
            "a/b/c",
            "a/z",
            "aab.txt",
            "build",
            "docs",
            "docs/keep.md",
            "docs/other.md",
            "file12.txt",
            "src",
            "src/node_modules",
            "src/node_modules/j.js",
        ];
        let left_out = [
            "docs/sub",
            "docs/sub/x.md",
            "build/x",
            "build/x/y",
            "build/top",
            "README.md",
            "CHANGES.md",
            "main.go",
            "a/b/c/z.go",
            "node_modules",
            "node_modules/a/i.js",
            "file1.txt",
            "x.log",
            "a+b.txt",
        ];
        for f in sent {
            assert!(!d.is_excluded(f), "{f} should be sent");
        }
        for f in left_out {
            assert!(d.is_excluded(f), "{f} should be left out");
        }
    }

    mod prop {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            /// Any file text gives patterns or a clear InvalidInput; matching never panics.
            #[test]
            fn never_panics(text in "\\PC{0,200}", path in "[a-z./*?\\[\\]!-]{0,30}") {
                match DockerIgnore::parse(&text) {
                    Ok(d) => { let _ = d.is_excluded(&path); }
                    Err(e) => prop_assert_eq!(e.code(), "InvalidInput"),
                }
            }

            /// A plain name excludes itself and everything below it, and nothing beside it.
            #[test]
            fn plain_names(name in "[a-z]{1,8}", child in "[a-z]{1,8}", other in "[A-Z]{1,8}") {
                let d = DockerIgnore::parse(&name).unwrap();
                let below = format!("{name}/{child}");
                prop_assert!(d.is_excluded(&name));
                prop_assert!(d.is_excluded(&below));
                prop_assert!(!d.is_excluded(&other));
            }

            /// Go's Clean is idempotent.
            #[test]
            fn clean_idempotent(p in "[a-z./]{0,30}") {
                let once = go_clean(&p);
                prop_assert_eq!(go_clean(&once), once.clone());
            }
        }
    }
}
