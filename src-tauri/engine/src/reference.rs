//! Docker image references (`busybox`, `localhost:5000/team/app:v1`, `ghcr.io/a/b@sha256:…`) with
//! the grammar and normalisation of `github.com/distribution/reference` (`regexp.go`,
//! `normalize.go`), which the docker CLI and daemon use for `docker pull`, `docker tag` and
//! `docker build -t`:
//!
//! ```text
//! reference  := name [ ":" tag ] [ "@" digest ]
//! name       := [ domain "/" ] path
//! domain     := host [ ":" port ]      host := component ( "." component )* | "[" ipv6 "]"
//! component  := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]      port := [0-9]+
//! path       := path-component ( "/" path-component )*
//! path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
//! tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
//! digest     := "sha256:" 64 hex | "sha384:" 96 hex | "sha512:" 128 hex   (lowercase hex)
//! ```
//!
//! The text before the first `/` is a domain only when it contains `.` or `:` or is `localhost`.
//! Normalisation: no domain → `docker.io`; `index.docker.io` → `docker.io` (Docker canonicalises
//! the legacy Hub domain, it does not keep it); a single path component on `docker.io` gets
//! `library/`. The input may not be 64 lowercase hex digits alone (that is an image ID).
//!
//! Where Docker differs, this is stricter, so whatever passes here also passes in Docker:
//! - Docker (distribution/reference ≥ 0.5) reads a first component with uppercase letters
//!   (`MyOrg/app`) as a registry host; a person typing that means a Docker Hub namespace, so it
//!   is refused here as an uppercase name.
//! - Docker accepts a domain-looking first component that is not a valid host but is a valid
//!   path (`a_b.c/d`) as a name with *no* domain at all; refused here.
//! - The 255-character limit is on the whole normalised name (`docker.io/library/…`), as in
//!   Docker before reference 0.6, which limits only the path.
//!
//! Errors say what is wrong with the text typed, in words a person can act on.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use specta::Type;

use crate::error::EngineError;

/// Docker Hub's domain in normalised names.
pub const DEFAULT_DOMAIN: &str = "docker.io";
/// The legacy Hub domain, canonicalised to [`DEFAULT_DOMAIN`].
pub const LEGACY_DEFAULT_DOMAIN: &str = "index.docker.io";
/// The Hub namespace of official images.
pub const OFFICIAL_PREFIX: &str = "library/";
/// The tag Docker adds when neither a tag nor a digest is given.
pub const DEFAULT_TAG: &str = "latest";
/// The longest normalised name (domain + `/` + path).
pub const MAX_NAME_LEN: usize = 255;
/// The longest tag.
pub const MAX_TAG_LEN: usize = 128;

const EXAMPLE: &str = "Enter an image name, e.g. myapp:1.0";
const TAG_RULE: &str = "a tag may contain letters, digits, “_”, “.” and “-”, must not start with “.” or “-”, and has at most 128 characters";
const DIGEST_RULE: &str = "expected @sha256: followed by 64 hex digits";
const COMPONENT_RULE: &str =
    "each part of a repository name must start and end with a lowercase letter or digit";
const SEPARATOR_RULE: &str =
    "between letters and digits a repository name allows one “.”, one or two “_”, or any number of “-”";

/// A parsed, normalised image reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Reference {
    /// Registry host, with port when given: `docker.io`, `localhost:5000`, `[::1]:5000`.
    pub domain: String,
    /// Repository path on that registry: `library/busybox`, `team/app`.
    pub path: String,
    /// The tag as typed, without `:`; `None` when not given (see [`Reference::with_default_tag`]).
    pub tag: Option<String>,
    /// `algorithm:hex`, without `@`.
    pub digest: Option<String>,
}

/// What kind of mistake a [`ReferenceError`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferenceErrorKind {
    Empty,
    Whitespace,
    ControlCharacter,
    /// 64 hex digits alone: an image ID, not a name.
    Identifier,
    Uppercase,
    InvalidDomain,
    InvalidName,
    NameTooLong,
    InvalidTag,
    TagTooLong,
    InvalidDigest,
    /// A digest where only a tag may be given (`docker tag`, `docker build -t`).
    DigestNotAllowed,
}

/// A reference that cannot be parsed; `message` is meant for people and names the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ReferenceError {
    pub kind: ReferenceErrorKind,
    pub message: String,
}

impl ReferenceError {
    fn new(kind: ReferenceErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// As an [`EngineError::InvalidInput`] for the form field `field`.
    pub fn into_engine_error(self, field: &str) -> EngineError {
        EngineError::invalid(field, self.message)
    }
}

impl From<ReferenceError> for EngineError {
    fn from(e: ReferenceError) -> Self {
        e.into_engine_error("reference")
    }
}

impl Reference {
    /// Parses what a user types (`busybox`, `busybox:1.36`, `localhost:5000/team/app:v1`,
    /// `ghcr.io/a/b@sha256:<64 hex>`, `name:tag@digest`), normalised as Docker does: no domain
    /// → `docker.io`, a single `docker.io` path component → `library/<name>`. The input is not
    /// trimmed: surrounding spaces are an error.
    pub fn parse(input: &str) -> Result<Reference, ReferenceError> {
        use ReferenceErrorKind as K;
        if input.is_empty() || input.chars().all(char::is_whitespace) {
            return Err(ReferenceError::new(K::Empty, EXAMPLE));
        }
        let q = quote(input);
        if let Some(c) = input.chars().find(|c| c.is_whitespace()) {
            let what = match c {
                ' ' | '\u{a0}' => "a space",
                '\t' => "a tab",
                '\n' | '\r' => "a line break",
                _ => "a space character",
            };
            return Err(ReferenceError::new(
                K::Whitespace,
                format!("{q} contains {what}; image names cannot contain spaces"),
            ));
        }
        if input.chars().any(char::is_control) {
            return Err(ReferenceError::new(
                K::ControlCharacter,
                format!("{q} contains a control character"),
            ));
        }
        if input.len() == 64 && input.bytes().all(is_lower_hex) {
            return Err(ReferenceError::new(
                K::Identifier,
                format!(
                    "{q} is 64 hex digits, which is an image ID; a repository name cannot be one"
                ),
            ));
        }

        // The domain: the text before the first "/", when it looks like a host.
        let (typed_domain, rest) = match input.split_once('/') {
            Some((first, rest)) if first == "localhost" || first.contains(['.', ':']) => {
                (Some(first), rest)
            }
            _ => (None, input),
        };
        if let Some(d) = typed_domain {
            check_domain(d).map_err(|why| {
                ReferenceError::new(
                    K::InvalidDomain,
                    format!("In {q}, “{d}” (before the first “/”) is read as a registry host, but {why}"),
                )
            })?;
        }
        let (name_tag, digest) = match rest.split_once('@') {
            Some((n, d)) => (n, Some(d)),
            None => (rest, None),
        };
        let (name, tag) = match name_tag.split_once(':') {
            Some((n, t)) => (n, Some(t)),
            None => (name_tag, None),
        };

        // The path.
        if name.is_empty() {
            let message = if let Some(d) = typed_domain {
                format!(
                    "{q} has no repository name after the registry “{d}/”; add one, e.g. {d}/myapp"
                )
            } else if tag.is_some() {
                format!("{q} has no repository name before the “:”; {EXAMPLE}")
            } else {
                format!("{q} has no repository name before the “@”; {EXAMPLE}")
            };
            return Err(ReferenceError::new(K::InvalidName, message));
        }
        check_path(input, typed_domain, name)?;

        if let Some(tag) = tag {
            check_tag(input, tag)?;
        }
        if let Some(digest) = digest {
            check_digest(input, digest)?;
        }

        let domain = match typed_domain {
            None | Some(LEGACY_DEFAULT_DOMAIN) => DEFAULT_DOMAIN,
            Some(d) => d,
        };
        let path = if domain == DEFAULT_DOMAIN && !name.contains('/') {
            format!("{OFFICIAL_PREFIX}{name}")
        } else {
            name.to_owned()
        };
        let full = domain.len() + 1 + path.len();
        if full > MAX_NAME_LEN {
            return Err(ReferenceError::new(
                K::NameTooLong,
                format!(
                    "{q} is too long: its full name ({}) has {full} characters, at most {MAX_NAME_LEN} are allowed",
                    quote_plain(&format!("{domain}/{path}"))
                ),
            ));
        }
        Ok(Reference {
            domain: domain.to_owned(),
            path,
            tag: tag.map(str::to_owned),
            digest: digest.map(str::to_owned),
        })
    }

    /// The registry host credentials are looked up for: just [`Reference::domain`] (the
    /// `docker.io` → `https://index.docker.io/v1/` mapping is the caller's business).
    pub fn registry(&self) -> &str {
        &self.domain
    }

    /// `domain/path`, without tag or digest: `docker.io/library/busybox`.
    pub fn name(&self) -> String {
        format!("{}/{}", self.domain, self.path)
    }

    /// The repository in Docker's familiar form, without tag or digest: `busybox`,
    /// `team/app`, `localhost:5000/app`. It is what the daemon's tag endpoint takes as `repo`.
    ///
    /// Unlike Docker's `FamiliarName`, `docker.io/` is kept when dropping it would make the name
    /// read back as another registry (`docker.io/a.b/c`, `docker.io/localhost/x`).
    pub fn repository(&self) -> String {
        if self.domain != DEFAULT_DOMAIN {
            return self.name();
        }
        let path = match self.path.strip_prefix(OFFICIAL_PREFIX) {
            Some(rest) if !rest.contains('/') => rest,
            _ => self.path.as_str(),
        };
        match path.split_once('/') {
            Some((first, _)) if first == "localhost" || first.contains(['.', ':']) => self.name(),
            _ => path.to_owned(),
        }
    }

    /// This reference with `:latest` added when it has neither a tag nor a digest, as Docker
    /// does before pulling or tagging (`TagNameOnly`).
    pub fn with_default_tag(&self) -> Reference {
        let mut r = self.clone();
        if r.tag.is_none() && r.digest.is_none() {
            r.tag = Some(DEFAULT_TAG.to_owned());
        }
        r
    }

    /// The familiar form Docker prints (`busybox:latest`, `localhost:5000/app:v1`,
    /// `team/app@sha256:…`), with `:latest` added when neither a tag nor a digest was given.
    pub fn familiar(&self) -> String {
        let r = self.with_default_tag();
        let mut out = r.repository();
        push_suffix(&mut out, &r);
        out
    }
}

fn push_suffix(out: &mut String, r: &Reference) {
    if let Some(tag) = &r.tag {
        out.push(':');
        out.push_str(tag);
    }
    if let Some(digest) = &r.digest {
        out.push('@');
        out.push_str(digest);
    }
}

/// The full normalised form, exactly what was parsed: `docker.io/library/busybox:1.36`
/// (no `:latest` is added; `Reference::parse(&r.to_string()) == Ok(r)`).
impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = self.name();
        push_suffix(&mut out, self);
        f.write_str(&out)
    }
}

impl FromStr for Reference {
    type Err = ReferenceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Reference::parse(s)
    }
}

/// Validates a reference meant as a *tag target* (`docker build -t`, `docker tag`): a digest
/// is refused there, as the daemon does. Surrounding whitespace is ignored. Errors are
/// [`EngineError::InvalidInput`] for the field `tags`.
pub fn validate_tag(input: &str) -> Result<Reference, EngineError> {
    let input = input.trim();
    let r = Reference::parse(input).map_err(|e| e.into_engine_error("tags"))?;
    if r.digest.is_some() {
        return Err(ReferenceError::new(
            ReferenceErrorKind::DigestNotAllowed,
            format!(
                "{} has a digest (“@…”); a tag cannot include one, remove the “@” and what follows",
                quote(input)
            ),
        )
        .into_engine_error("tags"));
    }
    Ok(r)
}

fn is_lower_hex(b: u8) -> bool {
    b.is_ascii_digit() || (b'a'..=b'f').contains(&b)
}

/// `“text”`, shortened when long so a message stays readable.
fn quote(s: &str) -> String {
    format!("“{}”", quote_plain(s))
}

fn quote_plain(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() > MAX {
        let head: String = s.chars().take(MAX - 1).collect();
        format!("{head}…")
    } else {
        s.to_owned()
    }
}

/// Checks `host[:port]`; the error is the reason, to follow “but”.
fn check_domain(d: &str) -> Result<(), String> {
    let (host, port) = if let Some(after) = d.strip_prefix('[') {
        let Some((inner, tail)) = after.split_once(']') else {
            return Err("the “[” of its IPv6 address is not closed".to_owned());
        };
        if inner.is_empty() || !inner.chars().all(|c| c.is_ascii_hexdigit() || c == ':') {
            return Err(format!(
                "“[{inner}]” is not an IPv6 address (hex digits and “:” only)"
            ));
        }
        if tail.is_empty() {
            return Ok(());
        }
        match tail.strip_prefix(':') {
            Some(port) => (None, port),
            None => return Err(format!("“{tail}” after the IPv6 address is not a “:port”")),
        }
    } else {
        match d.split_once(':') {
            Some((h, p)) => (Some(h), p),
            None => (Some(d), ""),
        }
    };
    if let Some(host) = host {
        if host.is_empty() {
            return Err("the host name before the “:” is missing".to_owned());
        }
        for part in host.split('.') {
            if part.is_empty() {
                return Err("its host name has an empty part between dots".to_owned());
            }
            if let Some(c) = part
                .chars()
                .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
            {
                return Err(format!(
                    "“{c}” is not allowed in a host name (letters, digits, “-” and “.” only)"
                ));
            }
            if part.starts_with('-') || part.ends_with('-') {
                return Err(format!(
                    "the host name part “{part}” starts or ends with “-”"
                ));
            }
        }
        if !d.contains(':') {
            return Ok(());
        }
    }
    if port.is_empty() {
        return Err("the port after the “:” is missing".to_owned());
    }
    if !port.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("its port “{port}” is not a number"));
    }
    Ok(())
}

fn is_separator(c: char) -> bool {
    matches!(c, '.' | '_' | '-')
}

/// Checks the path as typed (before normalisation).
fn check_path(input: &str, domain: Option<&str>, name: &str) -> Result<(), ReferenceError> {
    use ReferenceErrorKind as K;
    let q = quote(input);
    let bad = |msg: String| Err(ReferenceError::new(K::InvalidName, msg));
    if name.starts_with('/') {
        return bad(format!("{q}: the repository name starts with “/”"));
    }
    if name.ends_with('/') {
        return bad(format!(
            "{q}: the repository name ends with “/”; add the rest of the name or remove the “/”"
        ));
    }
    if name.contains("//") {
        return bad(format!(
            "{q} has an empty part (“//”); parts of a name are separated by a single “/”"
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || is_separator(*c) || *c == '/'))
    {
        return bad(format!(
            "{q} contains “{c}”, which a repository name cannot contain (lowercase letters, digits, “.”, “_”, “-” and “/” only)"
        ));
    }
    if name.chars().any(|c| c.is_ascii_uppercase()) {
        let typed = match domain {
            Some(d) => format!("{d}/{name}"),
            None => name.to_owned(),
        };
        let lowered = name.to_ascii_lowercase();
        let suggestion = match domain {
            Some(d) => format!("{d}/{lowered}{}", &input[typed.len()..]),
            None => format!("{lowered}{}", &input[typed.len()..]),
        };
        let hint = if Reference::parse(&suggestion).is_ok() {
            format!(" (try {})", quote(&suggestion))
        } else {
            String::new()
        };
        return Err(ReferenceError::new(
            K::Uppercase,
            format!(
                "{} has uppercase letters; repository names must be lowercase{hint}",
                quote(&typed)
            ),
        ));
    }
    for part in name.split('/') {
        check_component(part).map_err(|why| {
            let prefix = if part == name {
                q.clone()
            } else {
                format!("In {q}, “{part}”")
            };
            ReferenceError::new(K::InvalidName, format!("{prefix} {why}"))
        })?;
    }
    Ok(())
}

/// `[a-z0-9]+ ((. | _ | __ | -+) [a-z0-9]+)*` for a non-empty part of lowercase letters,
/// digits and separators; the error is the reason, to follow the part's name.
fn check_component(part: &str) -> Result<(), String> {
    if let Some(c) = part.chars().next().filter(|c| is_separator(*c)) {
        return Err(format!("starts with “{c}”; {COMPONENT_RULE}"));
    }
    if let Some(c) = part.chars().last().filter(|c| is_separator(*c)) {
        return Err(format!("ends with “{c}”; {COMPONENT_RULE}"));
    }
    let mut run = String::new();
    for c in part.chars().chain(std::iter::once('a')) {
        if is_separator(c) {
            run.push(c);
            continue;
        }
        if !run.is_empty() {
            let ok = run == "." || run == "_" || run == "__" || run.chars().all(|c| c == '-');
            if !ok {
                return Err(format!("has “{run}” in a row; {SEPARATOR_RULE}"));
            }
            run.clear();
        }
    }
    Ok(())
}

fn check_tag(input: &str, tag: &str) -> Result<(), ReferenceError> {
    use ReferenceErrorKind as K;
    let q = quote(input);
    let bad = |msg: String| Err(ReferenceError::new(K::InvalidTag, msg));
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let Some(first) = tag.chars().next() else {
        return bad(format!(
            "{q} has an empty tag after the “:”; {TAG_RULE} (or leave out the “:” for “latest”)"
        ));
    };
    let qt = quote(tag);
    if !is_word(first) {
        return bad(format!(
            "In {q}, the tag {qt} starts with “{first}”; {TAG_RULE}"
        ));
    }
    if let Some(c) = tag
        .chars()
        .find(|c| !(is_word(*c) || *c == '.' || *c == '-'))
    {
        return bad(format!("In {q}, the tag {qt} contains “{c}”; {TAG_RULE}"));
    }
    let n = tag.chars().count();
    if n > MAX_TAG_LEN {
        return Err(ReferenceError::new(
            K::TagTooLong,
            format!(
                "In {q}, the tag is too long: {n} characters, at most {MAX_TAG_LEN} are allowed"
            ),
        ));
    }
    Ok(())
}

fn check_digest(input: &str, digest: &str) -> Result<(), ReferenceError> {
    let q = quote(input);
    let bad = |why: String| {
        Err(ReferenceError::new(
            ReferenceErrorKind::InvalidDigest,
            format!("{q} has an invalid digest: {why}; {DIGEST_RULE}"),
        ))
    };
    if digest.is_empty() {
        return bad("nothing follows the “@”".to_owned());
    }
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return bad(format!("{} has no “algorithm:” part", quote(digest)));
    };
    let hex_len = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        "" => return bad("the algorithm before the “:” is missing".to_owned()),
        other => return bad(format!("the algorithm {} is not supported", quote(other))),
    };
    if let Some(c) = hex.chars().find(|c| !c.is_ascii_hexdigit()) {
        return bad(format!("“{c}” is not a hex digit"));
    }
    if hex.chars().any(|c| c.is_ascii_uppercase()) {
        return bad("its hex digits must be lowercase".to_owned());
    }
    if hex.len() != hex_len {
        return bad(format!(
            "{algorithm} needs {hex_len} hex digits, it has {}",
            hex.len()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn ok(input: &str) -> Reference {
        Reference::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"))
    }

    fn err(input: &str) -> ReferenceError {
        match Reference::parse(input) {
            Ok(r) => panic!("{input} should be refused, parsed as {r}"),
            Err(e) => e,
        }
    }

    #[test]
    fn good_references_normalise_like_docker() {
        let d = format!("sha256:{HEX}");
        let cases: Vec<(String, &str)> = vec![
            ("busybox".into(), "docker.io/library/busybox"),
            ("busybox:1.36".into(), "docker.io/library/busybox:1.36"),
            ("busybox:latest".into(), "docker.io/library/busybox:latest"),
            ("team/app".into(), "docker.io/team/app"),
            ("team/sub/app:v1".into(), "docker.io/team/sub/app:v1"),
            ("docker.io/busybox".into(), "docker.io/library/busybox"),
            ("docker.io/library/busybox".into(), "docker.io/library/busybox"),
            ("index.docker.io/busybox".into(), "docker.io/library/busybox"),
            ("index.docker.io/team/app:1".into(), "docker.io/team/app:1"),
            ("localhost/app".into(), "localhost/app"),
            ("localhost:5000/a/b:v1".into(), "localhost:5000/a/b:v1"),
            ("127.0.0.1:5000/x".into(), "127.0.0.1:5000/x"),
            ("[::1]:5000/x".into(), "[::1]:5000/x"),
            ("[2001:db8::1]/x:y".into(), "[2001:db8::1]/x:y"),
            ("ghcr.io/owner/repo".into(), "ghcr.io/owner/repo"),
            ("Registry.Example.COM/app".into(), "Registry.Example.COM/app"),
            ("my-registry:5000/app".into(), "my-registry:5000/app"),
            ("a__b".into(), "docker.io/library/a__b"),
            ("a--b".into(), "docker.io/library/a--b"),
            ("a---b.c_d".into(), "docker.io/library/a---b.c_d"),
            ("0".into(), "docker.io/library/0"),
            ("app:V1.0_rc-2".into(), "docker.io/library/app:V1.0_rc-2"),
            ("app:_".into(), "docker.io/library/app:_"),
            // No "/": a domain-looking name is a Hub repository and its ":5000" a tag.
            ("localhost".into(), "docker.io/library/localhost"),
            ("localhost:5000".into(), "docker.io/library/localhost:5000"),
            ("example.com".into(), "docker.io/library/example.com"),
            (format!("app@{d}"), "docker.io/library/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
            (format!("ghcr.io/a/b:v1@{d}"), "ghcr.io/a/b:v1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
            (format!("app@sha512:{HEX}{HEX}"), "docker.io/library/app@sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
            // 64 hex digits with a tag is a name, not an ID.
            (format!("{HEX}:v1"), "docker.io/library/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef:v1"),
        ];
        for (input, full) in &cases {
            let r = ok(input);
            assert_eq!(r.to_string(), *full, "{input}");
            assert_eq!(ok(full), r, "{input}: the full form parses back");
        }
        assert!(cases.len() >= 20);
    }

    #[test]
    fn fields_registry_and_familiar_forms() {
        let r = ok("busybox");
        assert_eq!(
            r,
            Reference {
                domain: "docker.io".into(),
                path: "library/busybox".into(),
                tag: None,
                digest: None,
            }
        );
        assert_eq!(r.registry(), "docker.io");
        assert_eq!(r.name(), "docker.io/library/busybox");
        assert_eq!(r.repository(), "busybox");
        assert_eq!(r.familiar(), "busybox:latest");
        assert_eq!(r.with_default_tag().tag.as_deref(), Some("latest"));
        assert_eq!(
            ok("localhost:5000/app:v1").familiar(),
            "localhost:5000/app:v1"
        );
        assert_eq!(ok("localhost:5000/app").registry(), "localhost:5000");
        assert_eq!(ok("team/app").familiar(), "team/app:latest");
        assert_eq!(ok("docker.io/library/a/b").familiar(), "library/a/b:latest");
        let digested = ok(&format!("app@sha256:{HEX}"));
        assert_eq!(digested.familiar(), format!("app@sha256:{HEX}"));
        assert_eq!(digested.with_default_tag(), digested);
        // Where Docker's familiar form would read back as another registry, docker.io stays.
        assert_eq!(ok("docker.io/a.b/c").repository(), "docker.io/a.b/c");
        assert_eq!(
            ok("docker.io/localhost/c").familiar(),
            "docker.io/localhost/c:latest"
        );
        assert_eq!(
            "busybox:1".parse::<Reference>().map(|r| r.familiar()),
            Ok("busybox:1".to_owned())
        );
    }

    #[test]
    fn serialises_camel_case() {
        let json = serde_json::to_value(ok("ghcr.io/a/b:v1")).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"domain": "ghcr.io", "path": "a/b", "tag": "v1", "digest": null})
        );
    }

    #[test]
    fn bad_references_say_what_is_wrong() {
        let long_tag = format!("app:{}", "t".repeat(129));
        let long_name = "a".repeat(256);
        // 255 in all once normalised: docker.io/library/ is 18 characters.
        let longest_name = "a".repeat(255 - 18);
        let cases: Vec<(String, ReferenceErrorKind, &str)> = vec![
            ("".into(), ReferenceErrorKind::Empty, "Enter an image name, e.g. myapp:1.0"),
            ("   ".into(), ReferenceErrorKind::Empty, "Enter an image name"),
            ("MyApp".into(), ReferenceErrorKind::Uppercase, "“MyApp” has uppercase letters; repository names must be lowercase (try “myapp”)"),
            ("MyOrg/app:V1".into(), ReferenceErrorKind::Uppercase, "(try “myorg/app:V1”)"),
            ("localhost:5000/App".into(), ReferenceErrorKind::Uppercase, "“localhost:5000/App” has uppercase letters"),
            ("my app".into(), ReferenceErrorKind::Whitespace, "“my app” contains a space"),
            (" app".into(), ReferenceErrorKind::Whitespace, "contains a space"),
            ("app\t".into(), ReferenceErrorKind::Whitespace, "contains a tab"),
            ("app\u{7}".into(), ReferenceErrorKind::ControlCharacter, "control character"),
            ("app:".into(), ReferenceErrorKind::InvalidTag, "“app:” has an empty tag after the “:”; a tag may contain letters, digits"),
            ("app::v1".into(), ReferenceErrorKind::InvalidTag, "the tag “:v1” starts with “:”"),
            ("app:-v1".into(), ReferenceErrorKind::InvalidTag, "starts with “-”"),
            ("app:.v1".into(), ReferenceErrorKind::InvalidTag, "starts with “.”"),
            ("a:b:c".into(), ReferenceErrorKind::InvalidTag, "the tag “b:c” contains “:”"),
            ("app:v1/x".into(), ReferenceErrorKind::InvalidDomain, "its port “v1” is not a number"),
            ("team/app:v1/x".into(), ReferenceErrorKind::InvalidTag, "contains “/”"),
            ("app:v1é".into(), ReferenceErrorKind::InvalidTag, "contains “é”"),
            (":v1".into(), ReferenceErrorKind::InvalidName, "“:v1” has no repository name before the “:”"),
            ("@sha256:abc".into(), ReferenceErrorKind::InvalidName, "no repository name before the “@”"),
            ("app@".into(), ReferenceErrorKind::InvalidDigest, "“app@” has an invalid digest: nothing follows the “@”; expected @sha256: followed by 64 hex digits"),
            ("app@sha256:abc".into(), ReferenceErrorKind::InvalidDigest, "sha256 needs 64 hex digits, it has 3; expected @sha256: followed by 64 hex digits"),
            ("app@sha256:xyz".into(), ReferenceErrorKind::InvalidDigest, "“x” is not a hex digit"),
            ("app@abc".into(), ReferenceErrorKind::InvalidDigest, "has no “algorithm:” part"),
            (format!("app@md5:{HEX}"), ReferenceErrorKind::InvalidDigest, "the algorithm “md5” is not supported"),
            (format!("app@sha256:{}", HEX.to_uppercase()), ReferenceErrorKind::InvalidDigest, "must be lowercase"),
            (format!("app@sha256:{HEX}@x"), ReferenceErrorKind::InvalidDigest, "not a hex digit"),
            (format!("app@sha256:{HEX}0"), ReferenceErrorKind::InvalidDigest, "it has 65"),
            ("-app".into(), ReferenceErrorKind::InvalidName, "“-app” starts with “-”; each part of a repository name must start and end"),
            ("app-".into(), ReferenceErrorKind::InvalidName, "“app-” ends with “-”"),
            ("app.".into(), ReferenceErrorKind::InvalidName, "ends with “.”"),
            ("team/app_".into(), ReferenceErrorKind::InvalidName, "In “team/app_”, “app_” ends with “_”"),
            ("a..b".into(), ReferenceErrorKind::InvalidName, "has “..” in a row"),
            ("a___b".into(), ReferenceErrorKind::InvalidName, "has “___” in a row"),
            ("a.-b".into(), ReferenceErrorKind::InvalidName, "has “.-” in a row"),
            ("a//b".into(), ReferenceErrorKind::InvalidName, "has an empty part (“//”)"),
            ("a/".into(), ReferenceErrorKind::InvalidName, "ends with “/”"),
            ("/app".into(), ReferenceErrorKind::InvalidName, "starts with “/”"),
            ("localhost:5000/".into(), ReferenceErrorKind::InvalidName, "no repository name after the registry “localhost:5000/”"),
            ("a+b".into(), ReferenceErrorKind::InvalidName, "contains “+”"),
            ("a_b.c/d".into(), ReferenceErrorKind::InvalidDomain, "“_” is not allowed in a host name"),
            ("-a.com/x".into(), ReferenceErrorKind::InvalidDomain, "starts or ends with “-”"),
            ("a..com/x".into(), ReferenceErrorKind::InvalidDomain, "empty part between dots"),
            ("localhost:/x".into(), ReferenceErrorKind::InvalidDomain, "port after the “:” is missing"),
            (":5000/x".into(), ReferenceErrorKind::InvalidDomain, "host name before the “:” is missing"),
            ("[::1/x".into(), ReferenceErrorKind::InvalidDomain, "not closed"),
            ("[zz]:5000/x".into(), ReferenceErrorKind::InvalidDomain, "not an IPv6 address"),
            ("[::1]x/y".into(), ReferenceErrorKind::InvalidDomain, "is not a “:port”"),
            (HEX.into(), ReferenceErrorKind::Identifier, "image ID"),
            (long_tag, ReferenceErrorKind::TagTooLong, "the tag is too long: 129 characters, at most 128"),
            (long_name, ReferenceErrorKind::NameTooLong, "has 274 characters, at most 255"),
            (format!("{longest_name}b"), ReferenceErrorKind::NameTooLong, "256 characters"),
        ];
        for (input, kind, phrase) in &cases {
            let e = err(input);
            assert_eq!(e.kind, *kind, "{input:?}: {e}");
            assert!(e.message.contains(phrase), "{input:?}: {e}");
        }
        ok(&longest_name);
        ok(&format!("app:{}", "t".repeat(128)));
    }

    #[test]
    fn long_inputs_are_shortened_in_messages() {
        let e = err(&format!("{}!", "a".repeat(300)));
        assert!(e.message.chars().count() < 250, "{e}");
        assert!(e.message.contains('…'));
    }

    #[test]
    fn tag_targets_refuse_digests() {
        let r = validate_tag("  myapp:1.0 ").unwrap();
        assert_eq!(r.familiar(), "myapp:1.0");
        let e = validate_tag(&format!("myapp@sha256:{HEX}")).unwrap_err();
        assert_eq!(e.code(), "InvalidInput");
        assert!(e.to_string().starts_with("tags: "), "{e}");
        assert!(e.to_string().contains("a tag cannot include one"), "{e}");
        let e = validate_tag("MyApp").unwrap_err();
        assert_eq!(
            e,
            EngineError::invalid(
                "tags",
                "“MyApp” has uppercase letters; repository names must be lowercase (try “myapp”)"
            )
        );
        let e: EngineError = err("app:").into();
        assert!(e.to_string().starts_with("reference: "), "{e}");
    }

    /// `ParseNormalizedNamed` from distribution/reference, written with its regular
    /// expressions, minus the two documented deviations (uppercase first component, empty
    /// domain) and with the whole-name length limit: what `parse` must agree with.
    fn docker_parse(s: &str) -> Option<Reference> {
        use regex::Regex;
        use std::sync::OnceLock;
        static RE: OnceLock<(Regex, Regex)> = OnceLock::new();
        let (reference, name) = RE.get_or_init(|| {
            let alnum = "[a-z0-9]+";
            let sep = "(?:[._]|__|[-]+)";
            let comp = format!("{alnum}(?:{sep}{alnum})*");
            let remote = format!("{comp}(?:/{comp})*");
            let dcomp = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
            let host = format!(r"(?:{dcomp}(?:\.{dcomp})*|\[(?:[a-fA-F0-9:]+)\])");
            let domain = format!("{host}(?::[0-9]+)?");
            let name_pat = format!("(?:{domain}/)?{remote}");
            let tag = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";
            let digest = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][[:xdigit:]]{32,}";
            (
                Regex::new(&format!("^({name_pat})(?::({tag}))?(?:@({digest}))?$")).unwrap(),
                Regex::new(&format!("^(?:({domain})/)?({remote})$")).unwrap(),
            )
        });
        if s.len() == 64 && s.bytes().all(is_lower_hex) {
            return None;
        }
        let (mut domain, mut remainder) = match s.split_once('/') {
            Some((d, r)) if d == "localhost" || d.contains(['.', ':']) => {
                (d.to_owned(), r.to_owned())
            }
            _ => (DEFAULT_DOMAIN.to_owned(), s.to_owned()),
        };
        if domain == LEGACY_DEFAULT_DOMAIN {
            domain = DEFAULT_DOMAIN.to_owned();
        }
        if domain == DEFAULT_DOMAIN && !remainder.contains('/') {
            remainder = format!("{OFFICIAL_PREFIX}{remainder}");
        }
        let remote = remainder.split(':').next().unwrap_or("");
        if remote.to_lowercase() != remote {
            return None;
        }
        let full = format!("{domain}/{remainder}");
        let m = reference.captures(&full)?;
        let n = m.get(1)?.as_str();
        if n.len() > MAX_NAME_LEN {
            return None;
        }
        let nm = name.captures(n)?;
        let digest = m.get(3).map(|d| d.as_str().to_owned());
        if let Some(d) = &digest {
            let (alg, hex) = d.split_once(':')?;
            let len = match alg {
                "sha256" => 64,
                "sha384" => 96,
                "sha512" => 128,
                _ => return None,
            };
            if hex.len() != len || !hex.bytes().all(is_lower_hex) {
                return None;
            }
        }
        Some(Reference {
            domain: nm.get(1)?.as_str().to_owned(),
            path: nm.get(2)?.as_str().to_owned(),
            tag: m.get(2).map(|t| t.as_str().to_owned()),
            digest,
        })
    }

    #[test]
    fn the_oracle_agrees_on_the_tables() {
        for s in [
            "busybox",
            "a__b",
            "localhost:5000/a/b:v1",
            "[::1]:5000/x",
            "index.docker.io/x",
        ] {
            assert_eq!(docker_parse(s), Some(ok(s)), "{s}");
        }
        for s in [
            "MyApp",
            "app:",
            "a:b:c",
            "a_b.c/d",
            "a//b",
            "app@sha256:abc",
            "-app",
        ] {
            assert_eq!(docker_parse(s), None, "{s}");
        }
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        fn domain() -> impl Strategy<Value = Option<String>> {
            prop_oneof![
                3 => Just(None),
                1 => Just(Some("localhost".to_owned())),
                1 => Just(Some("docker.io".to_owned())),
                1 => Just(Some("index.docker.io".to_owned())),
                1 => "localhost:[0-9]{1,5}".prop_map(Some),
                2 => "[a-z0-9]([a-z0-9-]{0,5}[a-z0-9])?(\\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,5}[a-zA-Z0-9])?){1,3}(:[0-9]{1,5})?".prop_map(Some),
                1 => "[a-z0-9]{1,8}:[0-9]{1,5}".prop_map(Some),
                1 => "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}(:[0-9]{1,5})?".prop_map(Some),
                1 => "\\[[a-fA-F0-9]{0,4}:[a-fA-F0-9:]{0,12}\\](:[0-9]{1,5})?".prop_map(Some),
            ]
        }

        fn path() -> impl Strategy<Value = Vec<String>> {
            prop::collection::vec("[a-z0-9]{1,5}((\\.|_|__|-{1,3})[a-z0-9]{1,5}){0,3}", 1..5)
        }

        fn tag() -> impl Strategy<Value = Option<String>> {
            prop_oneof![
                2 => Just(None),
                2 => "[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}".prop_map(Some),
                1 => "[A-Za-z0-9_][A-Za-z0-9_.-]{100,127}".prop_map(Some),
            ]
        }

        fn digest() -> impl Strategy<Value = Option<String>> {
            prop_oneof![
                3 => Just(None),
                1 => "sha256:[a-f0-9]{64}".prop_map(Some),
                1 => "sha512:[a-f0-9]{128}".prop_map(Some),
            ]
        }

        /// Strings made of the pieces references are made of, mostly invalid in interesting
        /// ways.
        fn reference_like() -> impl Strategy<Value = String> {
            let piece = prop_oneof![
                4 => "[a-z0-9]{1,3}",
                1 => "[A-Z]{1,2}",
                2 => prop::sample::select(vec![
                    ".", "_", "__", "-", "--", ":", "/", "//", "@", "[", "]", "::1", " ",
                    "localhost", "docker.io", "index.docker.io", "sha256:", "5000", "é",
                ])
                .prop_map(str::to_owned),
                1 => Just(HEX.to_owned()),
            ];
            prop::collection::vec(piece, 0..10).prop_map(|v| v.concat())
        }

        proptest! {
            /// Whatever the grammar generates parses, and its full and familiar forms parse back
            /// to the same reference.
            #[test]
            fn grammar_round_trips(d in domain(), mut p in path(), t in tag(), g in digest()) {
                // Without a domain, a first part with "." (or "localhost") before a "/" is read
                // as a host: write it so it is not.
                if d.is_none() && p.len() > 1 {
                    p[0] = p[0].replace('.', "-");
                    prop_assume!(p[0] != "localhost");
                }
                let mut input = p.join("/");
                if let Some(d) = &d {
                    input = format!("{d}/{input}");
                }
                prop_assume!(input.len() < 200);
                prop_assume!(!(input.len() == 64 && input.bytes().all(is_lower_hex)));
                if let Some(t) = &t {
                    input = format!("{input}:{t}");
                }
                if let Some(g) = &g {
                    input = format!("{input}@{g}");
                }
                let r = Reference::parse(&input);
                prop_assert!(r.is_ok(), "{}: {:?}", input, r);
                let r = r.unwrap();
                prop_assert!(r.path.ends_with(&p.join("/")));
                prop_assert_eq!(&r.tag, &t);
                prop_assert_eq!(&r.digest, &g);
                prop_assert_eq!(Reference::parse(&r.to_string()), Ok(r.clone()));
                prop_assert_eq!(Reference::parse(&r.familiar()), Ok(r.with_default_tag()));
                prop_assert_eq!(docker_parse(&input), Some(r));
            }

            /// Arbitrary text never panics; an error always has a message.
            #[test]
            fn never_panics(s in "\\PC{0,80}") {
                if let Err(e) = Reference::parse(&s) {
                    prop_assert!(!e.message.is_empty());
                }
                let _ = validate_tag(&s);
            }

            /// On reference-like text, what is accepted and how it is split is Docker's.
            #[test]
            fn agrees_with_dockers_grammar(s in reference_like()) {
                let ours = Reference::parse(&s).ok();
                prop_assert_eq!(&ours, &docker_parse(&s), "{:?}", s);
                if let Some(r) = ours {
                    prop_assert_eq!(Reference::parse(&r.to_string()), Ok(r));
                }
            }
        }
    }
}
