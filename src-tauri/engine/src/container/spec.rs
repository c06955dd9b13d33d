//! The typed spec of a `docker run`, behind the run form.
//!
//! One [`RunSpec`] can be
//! - checked before anything is sent ([`RunSpec::validate`]), with an error naming the form field
//!   (`image`, `ports[2]`, `volumes[0].source`, …) and saying what to change;
//! - looked over for what gives the container power over this computer ([`RunSpec::risks`]);
//! - printed as the exact `docker run …` line ([`RunSpec::to_argv`], [`RunSpec::to_line`]);
//! - read back from a pasted `docker run …` line ([`parse_line`]): `parse_line(&s.to_line())`
//!   gives `s` again for every valid spec (a property test says so);
//! - turned into the Engine API's create body ([`RunSpec::to_create`]).
//!
//! Port specs follow Docker's `nat.ParsePortSpec` ([`parse_port`], [`print_port`]); volumes follow
//! `docker run -v` (`source:target[:ro]`, or just `target` for an anonymous volume).
//!
//! Nothing here talks to the daemon. The only file-system access is in validation (and so in
//! [`RunSpec::to_create`], which validates first): whether each bind-mount source exists
//! (`std::fs::metadata`), and reading the `--env-file`s.

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use bollard::models::{
    ContainerCreateBody, HostConfig, PortBinding as ApiPortBinding, PortMap,
    RestartPolicy as ApiRestartPolicy, RestartPolicyNameEnum,
};
use serde::{Deserialize, Serialize};
use specta::Type;

/// The build form's key/value pair, shared so the bindings hold one `KeyValue` type.
pub use crate::build::run::KeyValue;
use crate::cmdline;
use crate::error::{EngineError, Result};
use crate::reference::Reference;

/// Everything the run form offers, one field per `docker run` option.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RunSpec {
    pub image: String,
    /// `--name`; `None` lets Docker pick one.
    pub name: Option<String>,
    /// `-d`
    pub detach: bool,
    /// `-i`
    pub interactive: bool,
    /// `-t`
    pub tty: bool,
    /// `--rm`
    pub remove: bool,
    /// Each one `-p` value as Docker takes it:
    /// `[ip:][hostPort[-end]:]containerPort[-end][/tcp|udp|sctp]`, an IPv6 address in brackets
    /// (`[::1]:8080:80`). See [`parse_port`].
    pub ports: Vec<String>,
    /// `-P`
    pub publish_all: bool,
    /// `-v`
    pub volumes: Vec<VolumeSpec>,
    /// `-e KEY=VALUE`
    pub env: Vec<KeyValue>,
    /// `--env-file PATH`, paths on this computer.
    pub env_files: Vec<String>,
    /// `-l KEY=VALUE`
    pub labels: Vec<KeyValue>,
    /// `--restart`
    pub restart: RestartPolicy,
    /// `--entrypoint`; `Some("")` resets the image's entrypoint (`--entrypoint ''`).
    pub entrypoint: Option<String>,
    /// The words after the image.
    pub command: Vec<String>,
    /// `-w`
    pub workdir: Option<String>,
    /// `-u`
    pub user: Option<String>,
    /// `-h`
    pub hostname: Option<String>,
    /// `--network`
    pub network: Option<String>,
    /// `--pid`: `host` or `container:<name or ID>`.
    pub pid: Option<String>,
    /// `--privileged`
    pub privileged: bool,
}

/// One `-v`. `source` is empty for an anonymous volume (`-v /data`), an absolute host path for a
/// bind mount (`/srv/site`, or a Windows drive path `C:\site`, `C:/site`), and otherwise a named
/// volume (`[a-zA-Z0-9][a-zA-Z0-9_.-]+`). See [`VolumeSpec::kind`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct VolumeSpec {
    pub source: String,
    /// The absolute path inside the container.
    pub target: String,
    pub read_only: bool,
}

/// What a [`VolumeSpec`]'s source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VolumeKind {
    Anonymous,
    Bind,
    Named,
}

impl VolumeSpec {
    pub fn kind(&self) -> VolumeKind {
        if self.source.is_empty() {
            VolumeKind::Anonymous
        } else if self.source.starts_with('/') || is_windows_absolute(&self.source) {
            VolumeKind::Bind
        } else {
            VolumeKind::Named
        }
    }
}

/// `--restart`. Serialised as `{"policy": "on-failure", "maxRetries": 3}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(tag = "policy", rename_all = "kebab-case")]
pub enum RestartPolicy {
    #[default]
    No,
    Always,
    UnlessStopped,
    OnFailure {
        #[serde(rename = "maxRetries")]
        max_retries: Option<u32>,
    },
}

impl fmt::Display for RestartPolicy {
    /// The `--restart` value: `no`, `always`, `unless-stopped`, `on-failure`, `on-failure:3`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::No => f.write_str("no"),
            Self::Always => f.write_str("always"),
            Self::UnlessStopped => f.write_str("unless-stopped"),
            Self::OnFailure { max_retries: None } => f.write_str("on-failure"),
            Self::OnFailure {
                max_retries: Some(n),
            } => write!(f, "on-failure:{n}"),
        }
    }
}

/// Something in a spec that gives the container power over this computer; the form shows it
/// next to `field` before running.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Risk {
    pub field: String,
    pub message: String,
}

/// A `-p` value, parsed. `host_start` and `host_end` are both set or both `None` (no host port:
/// Docker picks a free one); a single port has `end == start`. A host range with a single
/// container port is Docker's "any free port in this range".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PortBinding {
    /// The host address to listen on, as typed but without brackets (`127.0.0.1`, `::1`).
    pub host_ip: Option<String>,
    pub host_start: Option<u16>,
    pub host_end: Option<u16>,
    pub container_start: u16,
    pub container_end: u16,
    pub protocol: Protocol,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    #[default]
    Tcp,
    Udp,
    Sctp,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tcp => "tcp",
            Self::Udp => "udp",
            Self::Sctp => "sctp",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Ports

const PORT_FORM: &str =
    "write it as [ip:][host port:]container port[/protocol], e.g. 8080:80 or 127.0.0.1:53:53/udp";

/// Parses one `-p` value with Docker's rules (`nat.ParsePortSpec`), stricter where Docker would
/// only fail later: host port 0 is refused (leave the host port out to get a free one), and so
/// is a trailing `/` without a protocol. The error is a sentence saying what is wrong.
pub fn parse_port(s: &str) -> std::result::Result<PortBinding, String> {
    if s.trim().is_empty() {
        return Err(format!("The port is empty: {PORT_FORM}."));
    }
    let (spec, protocol) = match s.split_once('/') {
        None => (s, Protocol::Tcp),
        Some((spec, proto)) => (spec, parse_protocol(proto)?),
    };
    // Split from the right, as Docker does: the container port, then the host port, then the
    // rest is the address (which may hold `:` itself, an IPv6 address with or without brackets).
    let mut parts = spec.rsplitn(3, ':');
    let container = parts.next().unwrap_or_default();
    let host = parts.next().unwrap_or_default();
    let ip = parts.next().unwrap_or_default();

    let host_ip = if ip.is_empty() {
        None
    } else {
        let bare = match ip.strip_prefix('[') {
            Some(inner) => inner.strip_suffix(']').unwrap_or(ip),
            None => ip,
        };
        if bare.parse::<IpAddr>().is_err() {
            return Err(format!(
                "“{ip}” (before the host port) is not an IP address: {PORT_FORM}; an IPv6 address goes in brackets, [::1]:8080:80."
            ));
        }
        Some(bare.to_owned())
    };
    if container.is_empty() {
        return Err(format!(
            "“{s}” has no container port after the last “:”: {PORT_FORM}."
        ));
    }
    let (container_start, container_end) = port_range(container, "container")?;
    let host_range = if host.is_empty() {
        None
    } else {
        Some(port_range(host, "host")?)
    };
    if let Some((hs, he)) = host_range {
        let host_len = u32::from(he - hs) + 1;
        let container_len = u32::from(container_end - container_start) + 1;
        // Docker allows a host range with one container port (any free port in that range);
        // otherwise the two ranges are paired port by port.
        if host_len != container_len && container_len != 1 {
            return Err(if host_len == 1 {
                format!(
                    "The container ports {container} need a host port range of the same length ({container_len} ports), e.g. {hs}-{}:{container}.",
                    u32::from(hs) + container_len - 1
                )
            } else {
                format!(
                    "The host ports {host} ({host_len} ports) and the container ports {container} ({container_len} ports) differ in number: use ranges of the same length."
                )
            });
        }
    }
    Ok(PortBinding {
        host_ip,
        host_start: host_range.map(|r| r.0),
        host_end: host_range.map(|r| r.1),
        container_start,
        container_end,
        protocol,
    })
}

fn parse_protocol(p: &str) -> std::result::Result<Protocol, String> {
    match p.to_ascii_lowercase().as_str() {
        "tcp" => Ok(Protocol::Tcp),
        "udp" => Ok(Protocol::Udp),
        "sctp" => Ok(Protocol::Sctp),
        "" => {
            Err("Nothing follows the “/”: use tcp, udp or sctp, or leave out the “/”.".to_owned())
        }
        _ => Err(format!("“{p}” is not a protocol: use tcp, udp or sctp.")),
    }
}

/// `80` or `8000-8010`; `what` is `host` or `container`.
fn port_range(text: &str, what: &str) -> std::result::Result<(u16, u16), String> {
    let Some((a, b)) = text.split_once('-') else {
        let p = port_number(text, what)?;
        return Ok((p, p));
    };
    if a.is_empty() || b.is_empty() || b.contains('-') {
        return Err(format!(
            "“{text}” is not a {what} port range: write it as start-end, e.g. 8000-8010."
        ));
    }
    let (start, end) = (port_number(a, what)?, port_number(b, what)?);
    if end < start {
        return Err(format!(
            "“{text}” is not a {what} port range: it ends ({end}) below where it starts ({start})."
        ));
    }
    Ok((start, end))
}

fn port_number(text: &str, what: &str) -> std::result::Result<u16, String> {
    let number = text
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| text.parse::<u32>().ok())
        .flatten();
    match number.map(u16::try_from) {
        Some(Ok(p)) if p > 0 => Ok(p),
        Some(_) if what == "host" && number == Some(0) => Err(
            "“0” is not a port number (1–65535): to let Docker choose a free host port, leave the host port out (e.g. just 80)."
                .to_owned(),
        ),
        _ => Err(format!("“{text}” is not a port number (1–65535).")),
    }
}

/// The `-p` text for a binding: `[ip:][host[-end]:]container[-end][/proto]`, an IPv6 address in
/// brackets, `/tcp` left out. `parse_port(&print_port(&p)) == Ok(p)` for every valid binding.
pub fn print_port(p: &PortBinding) -> String {
    fn range(start: u16, end: u16) -> String {
        if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        }
    }
    let mut out = String::new();
    if let Some(ip) = &p.host_ip {
        if ip.contains(':') {
            out.push('[');
            out.push_str(ip);
            out.push(']');
        } else {
            out.push_str(ip);
        }
        out.push(':');
    }
    if let Some(hs) = p.host_start {
        out.push_str(&range(hs, p.host_end.unwrap_or(hs)));
    }
    if p.host_ip.is_some() || p.host_start.is_some() {
        out.push(':');
    }
    out.push_str(&range(p.container_start, p.container_end));
    if p.protocol != Protocol::Tcp {
        out.push('/');
        out.push_str(p.protocol.as_str());
    }
    out
}

impl PortBinding {
    /// One `("80/tcp", binding)` per container port, as the Engine API takes them: ranges paired
    /// port by port, a host range with one container port passed whole (`8000-8010`), no host
    /// port as `""` (Docker picks a free one).
    fn expand(&self) -> Vec<(String, ApiPortBinding)> {
        let single = self.container_start == self.container_end;
        (self.container_start..=self.container_end)
            .zip(0u32..)
            .map(|(port, offset)| {
                let host_port = match self.host_start {
                    None => String::new(),
                    Some(hs) => {
                        let he = self.host_end.unwrap_or(hs);
                        if single && he != hs {
                            format!("{hs}-{he}")
                        } else {
                            (u32::from(hs) + offset).to_string()
                        }
                    }
                };
                (
                    format!("{port}/{}", self.protocol.as_str()),
                    ApiPortBinding {
                        host_ip: self.host_ip.clone(),
                        host_port: Some(host_port),
                    },
                )
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Validation

/// What validation asks of this computer's files; a trait so tests can pretend.
trait HostFiles {
    /// A message when the bind-mount source `path` (absolute) cannot be mounted.
    fn bind_source(&self, path: &str) -> std::result::Result<(), String>;
    /// A message when the env file `path` cannot be read or has a line Docker refuses.
    fn env_file(&self, path: &str) -> std::result::Result<(), String>;
}

/// The real file system.
struct ThisComputer;

impl HostFiles for ThisComputer {
    fn bind_source(&self, path: &str) -> std::result::Result<(), String> {
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(format!(
                "{path} does not exist on this computer: choose an existing folder or file (Docker would create an empty folder owned by root there)."
            )),
            // Anything else (say, no permission to look) is the daemon's to judge: it runs as
            // another user.
            _ => Ok(()),
        }
    }

    fn env_file(&self, path: &str) -> std::result::Result<(), String> {
        env_file_entries(Path::new(path), |k| std::env::var(k).ok()).map(|_| ())
    }
}

impl RunSpec {
    /// Checks every field before anything is sent. The error is an
    /// [`EngineError::InvalidInput`] whose `field` is the form field to show it next to
    /// (`image`, `name`, `ports[2]`, `volumes[0].source`, `env[1].key`, `envFiles[0]`,
    /// `restart`, …); fields are checked in form order and the first problem is reported.
    ///
    /// File-system access: each bind-mount source must exist (`std::fs::metadata`), and each env
    /// file is read and parsed. Note that with a remote daemon the bind sources are looked up on
    /// the daemon's machine, not this one; the check here is for the common local case.
    pub fn validate(&self) -> Result<()> {
        self.validate_with(&ThisComputer)
    }

    fn validate_with(&self, host: &dyn HostFiles) -> Result<()> {
        check_image(&self.image)?;
        if let Some(name) = &self.name {
            check_container_name(name)?;
        }
        for (i, port) in self.ports.iter().enumerate() {
            parse_port(port).map_err(|m| EngineError::invalid(format!("ports[{i}]"), m))?;
        }
        for (i, v) in self.volumes.iter().enumerate() {
            check_volume(i, v, host)?;
        }
        for (i, kv) in self.env.iter().enumerate() {
            check_key(&format!("env[{i}].key"), &kv.key, "variable")?;
            no_nul(&format!("env[{i}].value"), &kv.value)?;
        }
        for (i, path) in self.env_files.iter().enumerate() {
            let field = format!("envFiles[{i}]");
            if path.is_empty() {
                return Err(EngineError::invalid(
                    field,
                    "Choose a file of KEY=VALUE lines, or remove this entry.",
                ));
            }
            no_nul(&field, path)?;
            host.env_file(path)
                .map_err(|m| EngineError::invalid(&field, m))?;
        }
        for (i, kv) in self.labels.iter().enumerate() {
            check_key(&format!("labels[{i}].key"), &kv.key, "label")?;
            no_nul(&format!("labels[{i}].value"), &kv.value)?;
        }
        if self.remove && self.restart != RestartPolicy::No {
            return Err(EngineError::invalid(
                "restart",
                "--rm cannot be combined with a restart policy: a container that is removed when it stops cannot be restarted. Turn off one of them.",
            ));
        }
        if let Some(e) = &self.entrypoint {
            no_nul("entrypoint", e)?;
        }
        for word in &self.command {
            no_nul("command", word)?;
        }
        if let Some(w) = &self.workdir {
            if !w.starts_with('/') {
                return Err(EngineError::invalid(
                    "workdir",
                    format!(
                        "“{w}” is not an absolute path in the container: start it with / (e.g. /app), or leave it empty."
                    ),
                ));
            }
            no_nul("workdir", w)?;
        }
        check_word(
            "user",
            self.user.as_deref(),
            "a user name or UID (optionally :group)",
        )?;
        check_word("hostname", self.hostname.as_deref(), "a host name")?;
        check_word(
            "network",
            self.network.as_deref(),
            "a network (bridge, host, none or one you created)",
        )?;
        if let Some(pid) = &self.pid {
            let ok = pid == "host"
                || pid
                    .strip_prefix("container:")
                    .is_some_and(|c| !c.is_empty() && !c.contains(char::is_whitespace));
            if !ok {
                return Err(EngineError::invalid(
                    "pid",
                    format!("“{pid}” is not a PID mode: use host or container:<name or ID>."),
                ));
            }
        }
        Ok(())
    }

    /// What in this spec gives the container power over this computer, in plain words: bind
    /// mounts of `/`, of the Docker socket (or a folder holding it) and of the home folder
    /// `home` (or a folder holding it), `--privileged`, `--network host`, `--pid host`.
    /// [`home_dir`] gives the user's home folder.
    pub fn risks(&self, home: Option<&Path>) -> Vec<Risk> {
        let mut out = Vec::new();
        let mut risk = |field: String, message: &str| {
            out.push(Risk {
                field,
                message: message.to_owned(),
            })
        };
        let home = home.map(|h| trim_trailing_slashes(&h.to_string_lossy()).to_owned());
        for (i, v) in self.volumes.iter().enumerate() {
            if v.kind() != VolumeKind::Bind {
                continue;
            }
            let field = format!("volumes[{i}].source");
            let src = trim_trailing_slashes(&v.source);
            let holds = |inner: &str| Path::new(inner).starts_with(Path::new(src));
            if src == "/" || (src.len() == 2 && is_windows_absolute(&format!("{src}/"))) {
                risk(
                    field,
                    "The container can read and change every file on this computer.",
                );
            } else if src.ends_with("docker.sock")
                || holds("/var/run/docker.sock")
                || holds("/run/docker.sock")
            {
                risk(
                    field,
                    "The container gets full control of Docker on this computer (it can start privileged containers and so take over the computer).",
                );
            } else if home.as_deref().is_some_and(holds) {
                risk(
                    field,
                    "The container can read and change everything in your home folder, including SSH keys, saved passwords and documents.",
                );
            }
        }
        if self.privileged {
            risk(
                "privileged".to_owned(),
                "A privileged container gets every device and capability of this computer: it can take over the computer.",
            );
        }
        if self.network.as_deref() == Some("host") {
            risk(
                "network".to_owned(),
                "The container shares this computer's network: it can listen on any port and reach services that only listen locally.",
            );
        }
        if self.pid.as_deref() == Some("host") {
            risk(
                "pid".to_owned(),
                "The container sees every process on this computer and can send them signals.",
            );
        }
        out
    }
}

/// The user's home folder (`HOME`, or `USERPROFILE` on Windows), for [`RunSpec::risks`].
pub fn home_dir() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

fn check_image(image: &str) -> Result<()> {
    if image.trim().is_empty() {
        return Err(EngineError::invalid(
            "image",
            "Choose an image to run, e.g. nginx:1.27 or busybox.",
        ));
    }
    if is_image_id(image) {
        return Ok(());
    }
    Reference::parse(image)
        .map(|_| ())
        .map_err(|e| e.into_engine_error("image"))
}

/// A full image ID, with or without `sha256:` (Docker runs those too; a short ID reads as a name).
fn is_image_id(s: &str) -> bool {
    let hex = s.strip_prefix("sha256:").unwrap_or(s);
    hex.len() == 64
        && hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Docker's container names: `^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$`.
fn check_container_name(name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(EngineError::invalid(
            "name",
            "Type a name, or leave the field empty to let Docker choose one.",
        ));
    }
    if !is_docker_name(name.strip_prefix('/').unwrap_or(name)) {
        return Err(EngineError::invalid(
            "name",
            format!(
                "“{name}” is not a valid container name: use at least 2 letters, digits, “_”, “.” or “-”, starting with a letter or digit."
            ),
        ));
    }
    Ok(())
}

/// `[a-zA-Z0-9][a-zA-Z0-9_.-]+`: container and volume names.
fn is_docker_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && s.len() >= 2
        && chars.all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
}

fn is_windows_absolute(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && (b[2] == b'\\' || b[2] == b'/')
}

/// `/srv/` → `/srv`, `/` stays `/`.
fn trim_trailing_slashes(s: &str) -> &str {
    let t = s.trim_end_matches(['/', '\\']);
    if t.is_empty() && !s.is_empty() {
        &s[..1]
    } else {
        t
    }
}

fn check_volume(i: usize, v: &VolumeSpec, host: &dyn HostFiles) -> Result<()> {
    let source_field = format!("volumes[{i}].source");
    let target_field = format!("volumes[{i}].target");
    let t = &v.target;
    let target_problem = if t.is_empty() {
        Some("Type the path inside the container, e.g. /data.".to_owned())
    } else if !t.starts_with('/') {
        Some(format!(
            "“{t}” is not an absolute path in the container: start it with /, e.g. /{t}."
        ))
    } else if t.trim_end_matches('/').is_empty() {
        Some("A volume cannot be mounted over / (the container's whole file system): choose a folder such as /data.".to_owned())
    } else if t.contains(':') {
        Some(format!(
            "“{t}” contains “:”, which docker run -v cannot express."
        ))
    } else if t.contains('\0') {
        Some(nul_message())
    } else {
        None
    };
    if let Some(m) = target_problem {
        return Err(EngineError::invalid(target_field, m));
    }

    let s = &v.source;
    no_nul(&source_field, s)?;
    match v.kind() {
        VolumeKind::Anonymous if v.read_only => Err(EngineError::invalid(
            source_field,
            "An anonymous volume cannot be read-only (it starts empty): give it a name or choose a host folder.",
        )),
        VolumeKind::Anonymous => Ok(()),
        VolumeKind::Bind => {
            // A drive letter's `:` is fine; any other one would split the -v value.
            let after_drive = if is_windows_absolute(s) { &s[2..] } else { s };
            if after_drive.contains(':') {
                return Err(EngineError::invalid(
                    source_field,
                    format!("“{s}” contains “:”, which docker run -v cannot express."),
                ));
            }
            host.bind_source(s)
                .map_err(|m| EngineError::invalid(source_field, m))
        }
        VolumeKind::Named => {
            if is_docker_name(s) {
                Ok(())
            } else if s.starts_with(['.', '~']) || s.contains(['/', '\\']) {
                Err(EngineError::invalid(
                    source_field,
                    format!(
                        "“{s}” is a relative path: choose an absolute folder (starting with /). Docker would take it as a volume name and fail."
                    ),
                ))
            } else {
                Err(EngineError::invalid(
                    source_field,
                    format!(
                        "“{s}” is not a valid volume name: use at least 2 letters, digits, “_”, “.” or “-”, starting with a letter or digit (or choose a host folder, starting with /)."
                    ),
                ))
            }
        }
    }
}

/// An env variable or label key: non-empty, no `=` (the key ends at the first one), no spaces.
fn check_key(field: &str, key: &str, what: &str) -> Result<()> {
    let problem = if key.is_empty() {
        format!("Type a {what} name, or remove this entry.")
    } else if key.contains('=') {
        format!(
            "“{key}” contains “=”: the {what} name ends at the first “=”, the value follows it."
        )
    } else if key.contains(char::is_whitespace) {
        format!("“{key}” contains a space: {what} names cannot.")
    } else if key.contains('\0') {
        nul_message()
    } else {
        return Ok(());
    };
    Err(EngineError::invalid(field, problem))
}

/// An optional one-word value: when given, not empty and without spaces.
fn check_word(field: &str, value: Option<&str>, what: &str) -> Result<()> {
    match value {
        Some("") => Err(EngineError::invalid(
            field,
            format!("Type {what}, or leave the field empty."),
        )),
        Some(v) if v.contains(char::is_whitespace) || v.contains('\0') => Err(
            EngineError::invalid(field, format!("“{v}” contains a space: type {what}.")),
        ),
        _ => Ok(()),
    }
}

fn no_nul(field: &str, s: &str) -> Result<()> {
    if s.contains('\0') {
        Err(EngineError::invalid(field, nul_message()))
    } else {
        Ok(())
    }
}

fn nul_message() -> String {
    "It contains a NUL character, which a command line cannot carry.".to_owned()
}

// ---------------------------------------------------------------------------------------------
// Env files

/// Reads a `--env-file` with Docker's rules: one `KEY=VALUE` a line, the value kept verbatim
/// (quotes included); leading whitespace and blank lines and `#` comments skipped; a line with
/// just `KEY` takes the value from this process's environment, or is skipped when it has none.
/// Errors are [`EngineError::InvalidInput`] for the field `envFiles`.
pub fn read_env_file(path: &Path) -> Result<Vec<(String, String)>> {
    env_file_entries(path, |k| std::env::var(k).ok())
        .map_err(|m| EngineError::invalid("envFiles", m))
}

fn env_file_entries(
    path: &Path,
    lookup: impl Fn(&str) -> Option<String>,
) -> std::result::Result<Vec<(String, String)>, String> {
    let shown = path.display().to_string();
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!("{shown} does not exist on this computer."))
        }
        Ok(m) if m.is_dir() => {
            return Err(format!(
                "{shown} is a folder: choose a file of KEY=VALUE lines."
            ))
        }
        _ => {}
    }
    let bytes = std::fs::read(path).map_err(|e| format!("Cannot read {shown}: {e}."))?;
    parse_env_bytes(&bytes, &shown, lookup)
}

/// Docker's `opts.ParseEnvFile`, line by line.
fn parse_env_bytes(
    bytes: &[u8],
    shown: &str,
    lookup: impl Fn(&str) -> Option<String>,
) -> std::result::Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for (n, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        let line_no = n + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let text = std::str::from_utf8(raw)
            .map_err(|_| format!("Line {line_no} of {shown} is not UTF-8 text."))?;
        let text = if n == 0 {
            text.strip_prefix('\u{feff}').unwrap_or(text)
        } else {
            text
        };
        let line = text.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = match line.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (line, None),
        };
        if key.is_empty() {
            return Err(format!(
                "Line {line_no} of {shown} has no variable name before the “=”."
            ));
        }
        if key.contains(char::is_whitespace) {
            return Err(format!(
                "Line {line_no} of {shown}: the variable name “{}” contains a space.",
                key.trim_end()
            ));
        }
        match value {
            Some(v) => out.push((key.to_owned(), v.to_owned())),
            None => {
                if let Some(v) = lookup(key) {
                    out.push((key.to_owned(), v));
                }
            }
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Printing

impl RunSpec {
    /// The `docker run` words, options in one fixed order: `--name`, `-d`, `-it` (or `-i`,
    /// `-t`), `--rm`, `-p`…, `-P`, `-v`…, `-e`…, `--env-file`…, `-l`…, `--restart` (left out when
    /// `no`), `--entrypoint`, `-w`, `-u`, `-h`, `--network`, `--pid`, `--privileged`, then the
    /// image and the command.
    pub fn to_argv(&self) -> Vec<String> {
        let mut w: Vec<String> = vec!["docker".into(), "run".into()];
        fn opt(w: &mut Vec<String>, flag: &str, value: &str) {
            w.push(flag.to_owned());
            w.push(value.to_owned());
        }
        if let Some(name) = &self.name {
            opt(&mut w, "--name", name);
        }
        let flags = [
            (self.detach, "-d"),
            (self.interactive && self.tty, "-it"),
            (self.interactive && !self.tty, "-i"),
            (self.tty && !self.interactive, "-t"),
            (self.remove, "--rm"),
        ];
        w.extend(flags.iter().filter(|f| f.0).map(|f| f.1.to_owned()));
        for p in &self.ports {
            opt(&mut w, "-p", p);
        }
        if self.publish_all {
            w.push("-P".to_owned());
        }
        for v in &self.volumes {
            opt(&mut w, "-v", &print_volume(v));
        }
        for kv in &self.env {
            opt(&mut w, "-e", &format!("{}={}", kv.key, kv.value));
        }
        for f in &self.env_files {
            opt(&mut w, "--env-file", f);
        }
        for kv in &self.labels {
            opt(&mut w, "-l", &format!("{}={}", kv.key, kv.value));
        }
        if self.restart != RestartPolicy::No {
            opt(&mut w, "--restart", &self.restart.to_string());
        }
        let optional = [
            ("--entrypoint", &self.entrypoint),
            ("-w", &self.workdir),
            ("-u", &self.user),
            ("-h", &self.hostname),
            ("--network", &self.network),
            ("--pid", &self.pid),
        ];
        for (flag, value) in optional {
            if let Some(v) = value {
                opt(&mut w, flag, v);
            }
        }
        if self.privileged {
            w.push("--privileged".to_owned());
        }
        w.push(self.image.clone());
        w.extend(self.command.iter().cloned());
        w
    }

    /// [`RunSpec::to_argv`] as one line for a POSIX shell, each word quoted when needed.
    pub fn to_line(&self) -> String {
        cmdline::line(&self.to_argv())
    }
}

/// `src:dst`, `src:dst:ro`, or `dst` for an anonymous volume.
fn print_volume(v: &VolumeSpec) -> String {
    let mut out = if v.source.is_empty() {
        v.target.clone()
    } else {
        format!("{}:{}", v.source, v.target)
    };
    if v.read_only {
        out.push_str(":ro");
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Parsing

/// The options the run form understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opt {
    Name,
    Detach,
    Interactive,
    Tty,
    Remove,
    Publish,
    PublishAll,
    Volume,
    Env,
    EnvFile,
    Label,
    Restart,
    Entrypoint,
    Workdir,
    User,
    Hostname,
    Network,
    Pid,
    Privileged,
}

impl Opt {
    fn long(name: &str) -> Option<Self> {
        Some(match name {
            "name" => Self::Name,
            "detach" => Self::Detach,
            "interactive" => Self::Interactive,
            "tty" => Self::Tty,
            "rm" => Self::Remove,
            "publish" => Self::Publish,
            "publish-all" => Self::PublishAll,
            "volume" => Self::Volume,
            "env" => Self::Env,
            "env-file" => Self::EnvFile,
            "label" => Self::Label,
            "restart" => Self::Restart,
            "entrypoint" => Self::Entrypoint,
            "workdir" => Self::Workdir,
            "user" => Self::User,
            "hostname" => Self::Hostname,
            "network" | "net" => Self::Network,
            "pid" => Self::Pid,
            "privileged" => Self::Privileged,
            _ => return None,
        })
    }

    fn short(c: char) -> Option<Self> {
        Some(match c {
            'd' => Self::Detach,
            'i' => Self::Interactive,
            't' => Self::Tty,
            'p' => Self::Publish,
            'P' => Self::PublishAll,
            'v' => Self::Volume,
            'e' => Self::Env,
            'l' => Self::Label,
            'w' => Self::Workdir,
            'u' => Self::User,
            'h' => Self::Hostname,
            _ => return None,
        })
    }

    fn is_flag(self) -> bool {
        matches!(
            self,
            Self::Detach
                | Self::Interactive
                | Self::Tty
                | Self::Remove
                | Self::PublishAll
                | Self::Privileged
        )
    }
}

impl RunSpec {
    fn set_flag(&mut self, opt: Opt, on: bool) {
        match opt {
            Opt::Detach => self.detach = on,
            Opt::Interactive => self.interactive = on,
            Opt::Tty => self.tty = on,
            Opt::Remove => self.remove = on,
            Opt::PublishAll => self.publish_all = on,
            Opt::Privileged => self.privileged = on,
            _ => {}
        }
    }

    fn set_value(&mut self, opt: Opt, value: String) -> Result<()> {
        match opt {
            Opt::Name => self.name = Some(value),
            Opt::Publish => self.ports.push(value),
            Opt::Volume => self
                .volumes
                .push(parse_volume(&value).map_err(|m| EngineError::invalid("volumes", m))?),
            Opt::Env => match value.split_once('=') {
                Some((k, v)) => self.env.push(KeyValue {
                    key: k.to_owned(),
                    value: v.to_owned(),
                }),
                None => {
                    return Err(EngineError::invalid(
                        "env",
                        format!(
                            "“-e {value}” has no “=”: Docker would copy {value} from your shell's environment, but the form needs the value itself. Write it as {value}=value."
                        ),
                    ))
                }
            },
            Opt::EnvFile => self.env_files.push(value),
            Opt::Label => {
                // Docker allows `-l KEY` (an empty value).
                let (k, v) = value.split_once('=').unwrap_or((&value, ""));
                self.labels.push(KeyValue {
                    key: k.to_owned(),
                    value: v.to_owned(),
                });
            }
            Opt::Restart => self.restart = parse_restart(&value)?,
            Opt::Entrypoint => self.entrypoint = Some(value),
            Opt::Workdir => self.workdir = Some(value),
            Opt::User => self.user = Some(value),
            Opt::Hostname => self.hostname = Some(value),
            Opt::Network => self.network = Some(value),
            Opt::Pid => self.pid = Some(value),
            _ => {}
        }
        Ok(())
    }
}

fn parse_restart(s: &str) -> Result<RestartPolicy> {
    let bad = || {
        EngineError::invalid(
            "restart",
            format!(
                "“{s}” is not a restart policy: use no, always, unless-stopped, on-failure or on-failure:<max retries>."
            ),
        )
    };
    Ok(match s {
        "no" => RestartPolicy::No,
        "always" => RestartPolicy::Always,
        "unless-stopped" => RestartPolicy::UnlessStopped,
        "on-failure" => RestartPolicy::OnFailure { max_retries: None },
        _ => {
            let n = s.strip_prefix("on-failure:").ok_or_else(bad)?;
            if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
                return Err(EngineError::invalid(
                    "restart",
                    format!("“{n}” in “{s}” is not a number of retries: write e.g. on-failure:3."),
                ));
            }
            let max = n.parse::<u32>().map_err(|_| {
                EngineError::invalid("restart", format!("{n} retries are too many."))
            })?;
            RestartPolicy::OnFailure {
                max_retries: Some(max),
            }
        }
    })
}

/// One `-v` value: `target`, `source:target` or `source:target:ro|rw`, where a Windows drive
/// path's `C:` does not count as a separator.
fn parse_volume(raw: &str) -> std::result::Result<VolumeSpec, String> {
    let (drive, rest) = if is_windows_absolute(raw) {
        raw.split_at(2)
    } else {
        ("", raw)
    };
    let parts: Vec<&str> = rest.split(':').collect();
    let (source, target, mode) = match parts.as_slice() {
        [target] if drive.is_empty() => (String::new(), *target, None),
        [_] => {
            return Err(format!(
                "“-v {raw}” has no path in the container: write it as {raw}:/data."
            ))
        }
        [source, target] if drive.is_empty() && source.starts_with('/') && is_mode(target) => {
            return Err(format!(
                "“-v {raw}”: an anonymous volume cannot have options; put a volume name or a host folder before it, e.g. myvolume:{raw}."
            ))
        }
        [source, target] => (format!("{drive}{source}"), *target, None),
        [source, target, mode] => (format!("{drive}{source}"), *target, Some(*mode)),
        _ => {
            return Err(format!(
                "“-v {raw}” has too many “:”: write it as source:target or source:target:ro."
            ))
        }
    };
    let read_only = match mode {
        None | Some("rw") => false,
        Some("ro") => true,
        Some(m) => {
            return Err(format!(
                "The volume option “{m}” in “-v {raw}” is not supported by the run form yet (only ro and rw)."
            ))
        }
    };
    Ok(VolumeSpec {
        source,
        target: target.to_owned(),
        read_only,
    })
}

/// Docker's `-v` mode words (a mode where a target was expected means a malformed spec).
fn is_mode(s: &str) -> bool {
    s.split(',').all(|m| {
        matches!(
            m,
            "ro" | "rw"
                | "z"
                | "Z"
                | "nocopy"
                | "shared"
                | "rshared"
                | "slave"
                | "rslave"
                | "private"
                | "rprivate"
        )
    })
}

/// pflag's `strconv.ParseBool`.
fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

fn unsupported(option: &str) -> EngineError {
    EngineError::invalid(
        "line",
        format!(
            "“{option}” is not supported by the run form yet: remove it from the line, or run the command in a terminal."
        ),
    )
}

fn needs_value(option: &str) -> EngineError {
    EngineError::invalid("line", format!("“{option}” needs a value after it."))
}

/// Reads a pasted `docker run …` (or `docker container run …`, or just what follows `run`) into
/// a spec. The line is split as a POSIX shell would ([`cmdline::split`]), without expanding
/// `$VARIABLES`. Options as the docker CLI takes them: `--name x`, `--name=x`, `-p 80:80`,
/// `-p80:80`, `-dit`, `--rm=false`; `--` ends the options; the first other word is the image and
/// every word after it is the command, verbatim.
///
/// It does not [`RunSpec::validate`] (the form shows that separately), but fails on what a spec
/// cannot hold: an option the form does not have (field `line`, never silently dropped), `-e KEY`
/// without a value (`env`), a restart policy it does not know (`restart`), a `-v` it cannot read
/// (`volumes`), a missing image (`image`), or a line a shell could not split (`line`).
pub fn parse_line(line: &str) -> Result<RunSpec> {
    let words = cmdline::split(line).map_err(|m| EngineError::invalid("line", m))?;
    let mut rest: &[String] = &words;
    let is = |w: Option<&String>, s: &str| w.is_some_and(|w| w == s);
    let mut docker = false;
    if is(rest.first(), "docker") {
        docker = true;
        rest = &rest[1..];
    }
    if is(rest.first(), "run") {
        rest = &rest[1..];
    } else if is(rest.first(), "container") && is(rest.get(1), "run") {
        rest = &rest[2..];
    } else if docker {
        return Err(EngineError::invalid(
            "line",
            "This is not a docker run command: the line should start with “docker run”.",
        ));
    }

    let mut spec = RunSpec::default();
    let mut words = rest.iter();
    let mut image = None;
    while let Some(word) = words.next() {
        if word == "--" {
            image = words.next();
            break;
        }
        if let Some(long) = word.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (long, None),
            };
            let shown = format!("--{name}");
            let opt = Opt::long(name).ok_or_else(|| unsupported(&shown))?;
            if opt.is_flag() {
                let on = match inline {
                    None => true,
                    Some(v) => parse_bool(v).ok_or_else(|| {
                        EngineError::invalid(
                            "line",
                            format!("“{word}”: after “=” write true or false."),
                        )
                    })?,
                };
                spec.set_flag(opt, on);
            } else {
                let value = match inline {
                    Some(v) => v.to_owned(),
                    None => words.next().ok_or_else(|| needs_value(&shown))?.clone(),
                };
                spec.set_value(opt, value)?;
            }
        } else if word.len() > 1 && word.starts_with('-') {
            // One or more short options: `-d`, `-dit`, `-p80:80`, `-dp=80:80`, `-d=false`.
            let cluster = &word[1..];
            for (at, c) in cluster.char_indices() {
                let shown = format!("-{c}");
                let opt = Opt::short(c).ok_or_else(|| unsupported(&shown))?;
                let after = &cluster[at + c.len_utf8()..];
                if opt.is_flag() {
                    if let Some(v) = after.strip_prefix('=') {
                        let on = parse_bool(v).ok_or_else(|| {
                            EngineError::invalid(
                                "line",
                                format!("“{word}”: after “=” write true or false."),
                            )
                        })?;
                        spec.set_flag(opt, on);
                        break;
                    }
                    spec.set_flag(opt, true);
                } else {
                    let value = if let Some(v) = after.strip_prefix('=') {
                        v.to_owned()
                    } else if !after.is_empty() {
                        after.to_owned()
                    } else {
                        words.next().ok_or_else(|| needs_value(&shown))?.clone()
                    };
                    spec.set_value(opt, value)?;
                    break;
                }
            }
        } else {
            image = Some(word);
            break;
        }
    }
    let Some(image) = image else {
        return Err(EngineError::invalid(
            "image",
            "The line names no image: add one after the options, e.g. docker run -d nginx:1.27.",
        ));
    };
    spec.image = image.clone();
    spec.command = words.cloned().collect();
    Ok(spec)
}

// ---------------------------------------------------------------------------------------------
// The Engine API body

impl RunSpec {
    /// The Engine API's create body and the container name (`None`: Docker picks one), as the
    /// docker CLI builds them. `extra_labels` (Dockwright's own) are merged over the spec's.
    /// Validates first (see [`RunSpec::validate`]), so nothing invalid reaches the daemon; the
    /// env files are read here, their entries before the `-e` ones (as Docker does, so `-e`
    /// wins).
    pub fn to_create(
        &self,
        extra_labels: HashMap<String, String>,
    ) -> Result<(ContainerCreateBody, Option<String>)> {
        self.validate()?;

        let mut env = Vec::new();
        for (i, path) in self.env_files.iter().enumerate() {
            let entries = env_file_entries(Path::new(path), |k| std::env::var(k).ok())
                .map_err(|m| EngineError::invalid(format!("envFiles[{i}]"), m))?;
            env.extend(entries.into_iter().map(|(k, v)| format!("{k}={v}")));
        }
        env.extend(self.env.iter().map(|kv| format!("{}={}", kv.key, kv.value)));

        let mut labels: HashMap<String, String> = self
            .labels
            .iter()
            .map(|kv| (kv.key.clone(), kv.value.clone()))
            .collect();
        labels.extend(extra_labels);

        let mut exposed: Vec<String> = Vec::new();
        let mut bindings: PortMap = HashMap::new();
        for (i, raw) in self.ports.iter().enumerate() {
            let port =
                parse_port(raw).map_err(|m| EngineError::invalid(format!("ports[{i}]"), m))?;
            for (key, binding) in port.expand() {
                if !exposed.contains(&key) {
                    exposed.push(key.clone());
                }
                bindings
                    .entry(key)
                    .or_insert(None)
                    .get_or_insert_with(Vec::new)
                    .push(binding);
            }
        }

        let mut binds = Vec::new();
        let mut anonymous = Vec::new();
        for v in &self.volumes {
            match v.kind() {
                VolumeKind::Anonymous => anonymous.push(v.target.clone()),
                VolumeKind::Bind | VolumeKind::Named => binds.push(print_volume(v)),
            }
        }

        let (name, max) = match self.restart {
            RestartPolicy::No => (RestartPolicyNameEnum::NO, None),
            RestartPolicy::Always => (RestartPolicyNameEnum::ALWAYS, None),
            RestartPolicy::UnlessStopped => (RestartPolicyNameEnum::UNLESS_STOPPED, None),
            RestartPolicy::OnFailure { max_retries } => (
                RestartPolicyNameEnum::ON_FAILURE,
                max_retries.map(i64::from),
            ),
        };

        let attached = !self.detach;
        let body = ContainerCreateBody {
            image: Some(self.image.clone()),
            cmd: non_empty(self.command.clone()),
            // `[""]` resets the image's entrypoint, as the docker CLI sends for `--entrypoint ''`.
            entrypoint: self.entrypoint.as_ref().map(|e| vec![e.clone()]),
            env: non_empty(env),
            labels: (!labels.is_empty()).then_some(labels),
            working_dir: self.workdir.clone(),
            user: self.user.clone(),
            hostname: self.hostname.clone(),
            tty: Some(self.tty),
            open_stdin: Some(self.interactive),
            stdin_once: Some(self.interactive && attached),
            attach_stdin: Some(self.interactive && attached),
            attach_stdout: Some(attached),
            attach_stderr: Some(attached),
            exposed_ports: non_empty(exposed),
            volumes: non_empty(anonymous),
            host_config: Some(HostConfig {
                port_bindings: (!bindings.is_empty()).then_some(bindings),
                publish_all_ports: Some(self.publish_all),
                binds: non_empty(binds),
                auto_remove: Some(self.remove),
                restart_policy: Some(ApiRestartPolicy {
                    name: Some(name),
                    maximum_retry_count: max,
                }),
                network_mode: self.network.clone(),
                pid_mode: self.pid.clone(),
                privileged: Some(self.privileged),
                ..Default::default()
            }),
            ..Default::default()
        };
        Ok((body, self.name.clone()))
    }
}

fn non_empty<T>(v: Vec<T>) -> Option<Vec<T>> {
    (!v.is_empty()).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::io::Write as _;

    /// A host where every bind source and env file is fine.
    struct AnyHost;

    impl HostFiles for AnyHost {
        fn bind_source(&self, _: &str) -> std::result::Result<(), String> {
            Ok(())
        }
        fn env_file(&self, _: &str) -> std::result::Result<(), String> {
            Ok(())
        }
    }

    fn spec(image: &str) -> RunSpec {
        RunSpec {
            image: image.into(),
            ..Default::default()
        }
    }

    fn kv(key: &str, value: &str) -> KeyValue {
        KeyValue {
            key: key.into(),
            value: value.into(),
        }
    }

    fn vol(source: &str, target: &str, read_only: bool) -> VolumeSpec {
        VolumeSpec {
            source: source.into(),
            target: target.into(),
            read_only,
        }
    }

    /// The field and message of an `InvalidInput`.
    fn invalid<T: fmt::Debug>(r: Result<T>) -> (String, String) {
        match r {
            Err(EngineError::InvalidInput { field, message }) => (field, message),
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }

    fn assert_invalid<T: fmt::Debug>(r: Result<T>, field: &str, part: &str) {
        let (f, m) = invalid(r);
        assert_eq!(f, field, "{m}");
        assert!(m.contains(part), "{m:?} should contain {part:?}");
    }

    // --- ports ---------------------------------------------------------------------------------

    fn port(
        ip: Option<&str>,
        host: Option<(u16, u16)>,
        container: (u16, u16),
        protocol: Protocol,
    ) -> PortBinding {
        PortBinding {
            host_ip: ip.map(str::to_owned),
            host_start: host.map(|h| h.0),
            host_end: host.map(|h| h.1),
            container_start: container.0,
            container_end: container.1,
            protocol,
        }
    }

    #[test]
    fn ports_parse_like_docker() {
        use Protocol::*;
        let cases = [
            ("80", port(None, None, (80, 80), Tcp)),
            ("8080:80", port(None, Some((8080, 8080)), (80, 80), Tcp)),
            ("53:53/udp", port(None, Some((53, 53)), (53, 53), Udp)),
            ("80/TCP", port(None, None, (80, 80), Tcp)),
            ("9/sctp", port(None, None, (9, 9), Sctp)),
            (
                "127.0.0.1:8080:80",
                port(Some("127.0.0.1"), Some((8080, 8080)), (80, 80), Tcp),
            ),
            (
                "127.0.0.1::80",
                port(Some("127.0.0.1"), None, (80, 80), Tcp),
            ),
            (
                "[::1]:8080:80",
                port(Some("::1"), Some((8080, 8080)), (80, 80), Tcp),
            ),
            ("[::1]::80", port(Some("::1"), None, (80, 80), Tcp)),
            // Docker reads an unbracketed IPv6 address too.
            (
                "::1:8080:80",
                port(Some("::1"), Some((8080, 8080)), (80, 80), Tcp),
            ),
            (
                "8000-8002:80-82",
                port(None, Some((8000, 8002)), (80, 82), Tcp),
            ),
            (
                "8000-8010:80",
                port(None, Some((8000, 8010)), (80, 80), Tcp),
            ),
            ("7000-7002", port(None, None, (7000, 7002), Tcp)),
        ];
        for (text, want) in cases {
            assert_eq!(parse_port(text), Ok(want.clone()), "{text}");
        }
        assert_eq!(
            print_port(&port(Some("::1"), None, (80, 80), Udp)),
            "[::1]::80/udp"
        );
        assert_eq!(
            print_port(&port(None, Some((8000, 8010)), (80, 80), Tcp)),
            "8000-8010:80"
        );
    }

    #[test]
    fn bad_ports_say_what_is_wrong() {
        let cases = [
            ("99999:80", "“99999” is not a port number (1–65535)"),
            ("80:99999", "“99999” is not a port number (1–65535)"),
            ("0:80", "leave the host port out"),
            ("80:0", "“0” is not a port number"),
            ("abc:80", "“abc” is not a port number"),
            (
                "1:2:3:4",
                "“1:2” (before the host port) is not an IP address",
            ),
            ("80/xyz", "“xyz” is not a protocol: use tcp, udp or sctp"),
            ("80/", "Nothing follows the “/”"),
            ("", "The port is empty"),
            ("  ", "The port is empty"),
            ("8000-7000:80", "ends (7000) below where it starts (8000)"),
            ("8080:", "no container port"),
            ("8080:80-81", "need a host port range of the same length"),
            ("8000-8002:80-81", "differ in number"),
            ("80-", "is not a container port range"),
            ("[::1:80:80", "is not an IP address"),
            (
                "localhost:80:80",
                "“localhost” (before the host port) is not an IP address",
            ),
        ];
        for (text, part) in cases {
            let e = parse_port(text).expect_err(text);
            assert!(e.contains(part), "{text}: {e:?} should contain {part:?}");
        }
    }

    #[test]
    fn ports_expand_for_the_api() {
        let key = |p: &str| -> Vec<(String, Option<String>, Option<String>)> {
            parse_port(p)
                .expect("port")
                .expand()
                .into_iter()
                .map(|(k, b)| (k, b.host_ip, b.host_port))
                .collect()
        };
        let s = |x: &str| Some(x.to_owned());
        assert_eq!(
            key("127.0.0.1:8000-8001:80-81/udp"),
            [
                ("80/udp".into(), s("127.0.0.1"), s("8000")),
                ("81/udp".into(), s("127.0.0.1"), s("8001"))
            ]
        );
        assert_eq!(
            key("8000-8010:80"),
            [("80/tcp".into(), None, s("8000-8010"))]
        );
        assert_eq!(key("80"), [("80/tcp".into(), None, s(""))]);
    }

    // --- validation ----------------------------------------------------------------------------

    #[test]
    fn a_plain_spec_is_valid() {
        let mut s = spec("nginx:1.27");
        s.name = Some("web".into());
        s.ports = vec!["8080:80".into()];
        s.volumes = vec![
            vol("/tmp", "/data", true),
            vol("cache", "/cache", false),
            vol("", "/anon", false),
        ];
        s.env = vec![kv("A", "1 2 'x'")];
        s.detach = true;
        s.remove = true;
        s.tty = true; // -t without -i is allowed, as in docker
        s.pid = Some("container:db".into());
        s.workdir = Some("/srv".into());
        assert_eq!(s.validate(), Ok(()));
        let digest = format!("busybox@sha256:{}", "a".repeat(64));
        assert_eq!(spec(&digest).validate(), Ok(()));
        assert_eq!(spec(&"b".repeat(64)).validate(), Ok(()));
        assert_eq!(
            spec(&format!("sha256:{}", "c".repeat(64))).validate(),
            Ok(())
        );
        let mut s = spec("busybox");
        s.restart = RestartPolicy::OnFailure {
            max_retries: Some(5),
        };
        assert_eq!(s.validate(), Ok(()));
    }

    #[test]
    fn image_and_name_rules() {
        assert_invalid(spec("").validate(), "image", "Choose an image");
        assert_invalid(spec("Nginx").validate(), "image", "Nginx");
        assert_invalid(spec("nginx:bad tag").validate(), "image", "space");
        let named = |n: &str| RunSpec {
            name: Some(n.into()),
            ..spec("busybox")
        };
        assert_eq!(named("web-1.a_b").validate(), Ok(()));
        assert_eq!(named("/web").validate(), Ok(()));
        assert_invalid(named("").validate(), "name", "leave the field empty");
        assert_invalid(named("a").validate(), "name", "not a valid container name");
        assert_invalid(
            named("-web").validate(),
            "name",
            "not a valid container name",
        );
        assert_invalid(
            named("my web").validate(),
            "name",
            "not a valid container name",
        );
    }

    #[test]
    fn port_errors_name_the_entry() {
        let s = RunSpec {
            ports: vec!["80".into(), "81".into(), "99999:80".into()],
            ..spec("busybox")
        };
        assert_invalid(s.validate(), "ports[2]", "99999");
    }

    #[test]
    fn volume_rules() {
        let with = |v: VolumeSpec| RunSpec {
            volumes: vec![vol("/tmp", "/ok", false), v],
            ..spec("busybox")
        };
        let check = |v: VolumeSpec| with(v).validate();
        assert_invalid(
            check(vol("/tmp", "data", false)),
            "volumes[1].target",
            "not an absolute path",
        );
        assert_invalid(
            check(vol("/tmp", "/", false)),
            "volumes[1].target",
            "cannot be mounted over /",
        );
        assert_invalid(
            check(vol("/tmp", "//", false)),
            "volumes[1].target",
            "cannot be mounted over /",
        );
        assert_invalid(
            check(vol("/tmp", "", false)),
            "volumes[1].target",
            "Type the path",
        );
        assert_invalid(
            check(vol("/tmp", "/a:b", false)),
            "volumes[1].target",
            "“:”",
        );
        assert_invalid(
            check(vol("./data", "/d", false)),
            "volumes[1].source",
            "choose an absolute folder",
        );
        assert_invalid(
            check(vol("data/x", "/d", false)),
            "volumes[1].source",
            "relative path",
        );
        assert_invalid(
            check(vol("~/x", "/d", false)),
            "volumes[1].source",
            "relative path",
        );
        assert_invalid(
            check(vol("a", "/d", false)),
            "volumes[1].source",
            "not a valid volume name",
        );
        assert_invalid(
            check(vol("my vol", "/d", false)),
            "volumes[1].source",
            "not a valid volume name",
        );
        assert_invalid(
            check(vol("", "/d", true)),
            "volumes[1].source",
            "cannot be read-only",
        );
        assert_invalid(
            check(vol("/tmp/a:b", "/d", false)),
            "volumes[1].source",
            "“:”",
        );
        let missing = "/surely/not/here-dockwright";
        let (field, message) = invalid(check(vol(missing, "/d", false)));
        assert_eq!(field, "volumes[1].source");
        assert!(
            message.starts_with(&format!("{missing} does not exist on this computer")),
            "{message}"
        );
        assert_eq!(check(vol("my_vol.1", "/d", true)), Ok(()));
        // A Windows path is a bind mount (that does not exist here).
        assert_invalid(
            check(vol("C:\\data", "/d", false)),
            "volumes[1].source",
            "does not exist",
        );
        assert_eq!(
            with(vol("C:\\data", "/d", false)).validate_with(&AnyHost),
            Ok(())
        );
        assert_eq!(vol("C:/data", "/d", false).kind(), VolumeKind::Bind);
    }

    #[test]
    fn env_and_label_rules() {
        let env = |k: &str| RunSpec {
            env: vec![kv("OK", ""), kv(k, "v")],
            ..spec("busybox")
        };
        assert_invalid(env("").validate(), "env[1].key", "Type a variable name");
        assert_invalid(env("A=B").validate(), "env[1].key", "contains “=”");
        assert_invalid(env("MY VAR").validate(), "env[1].key", "contains a space");
        assert_invalid(env("TAB\t").validate(), "env[1].key", "contains a space");
        let label = |k: &str| RunSpec {
            labels: vec![kv(k, "v")],
            ..spec("busybox")
        };
        assert_eq!(label("com.example.team").validate(), Ok(()));
        assert_invalid(label("").validate(), "labels[0].key", "Type a label name");
        assert_invalid(label("a=b").validate(), "labels[0].key", "contains “=”");
        let nul = RunSpec {
            env: vec![kv("A", "x\0y")],
            ..spec("busybox")
        };
        assert_invalid(nul.validate(), "env[0].value", "NUL");
    }

    #[test]
    fn env_file_rules() {
        let dir = tempfile::tempdir().expect("tempdir");
        let good = dir.path().join("good.env");
        std::fs::write(&good, "A=1\n").expect("write");
        let bad = dir.path().join("bad.env");
        std::fs::write(&bad, "MY VAR=1\n").expect("write");
        let files = |p: &Path| RunSpec {
            env_files: vec![good.display().to_string(), p.display().to_string()],
            ..spec("busybox")
        };
        assert_eq!(files(&good).validate(), Ok(()));
        assert_invalid(
            files(&dir.path().join("nope.env")).validate(),
            "envFiles[1]",
            "does not exist on this computer",
        );
        assert_invalid(files(dir.path()).validate(), "envFiles[1]", "is a folder");
        assert_invalid(files(&bad).validate(), "envFiles[1]", "contains a space");
        assert_invalid(
            files(Path::new("")).validate(),
            "envFiles[1]",
            "Choose a file",
        );
    }

    #[test]
    fn restart_rm_workdir_pid_and_words() {
        let mut s = spec("busybox");
        s.remove = true;
        s.detach = true;
        assert_eq!(s.validate(), Ok(()));
        s.restart = RestartPolicy::Always;
        assert_invalid(
            s.validate(),
            "restart",
            "--rm cannot be combined with a restart policy",
        );
        s.restart = RestartPolicy::OnFailure { max_retries: None };
        assert_invalid(s.validate(), "restart", "--rm cannot be combined");

        let wd = |w: &str| RunSpec {
            workdir: Some(w.into()),
            ..spec("busybox")
        };
        assert_invalid(wd("app").validate(), "workdir", "not an absolute path");
        assert_invalid(wd("").validate(), "workdir", "not an absolute path");

        let pid = |p: &str| RunSpec {
            pid: Some(p.into()),
            ..spec("busybox")
        };
        assert_eq!(pid("host").validate(), Ok(()));
        assert_eq!(pid("container:db").validate(), Ok(()));
        assert_invalid(pid("private").validate(), "pid", "use host or container:");
        assert_invalid(pid("container:").validate(), "pid", "not a PID mode");

        let net = RunSpec {
            network: Some(String::new()),
            ..spec("busybox")
        };
        assert_invalid(net.validate(), "network", "leave the field empty");
        let user = RunSpec {
            user: Some("a b".into()),
            ..spec("busybox")
        };
        assert_invalid(user.validate(), "user", "contains a space");
        let cmd = RunSpec {
            command: vec!["a\0".into()],
            ..spec("busybox")
        };
        assert_invalid(cmd.validate(), "command", "NUL");
        let reset = RunSpec {
            entrypoint: Some(String::new()),
            ..spec("busybox")
        };
        assert_eq!(reset.validate(), Ok(()));
    }

    // --- risks ---------------------------------------------------------------------------------

    #[test]
    fn risks_in_plain_words() {
        let mut s = spec("busybox");
        s.volumes = vec![
            vol("/", "/host", true),
            vol("/var/run/docker.sock", "/var/run/docker.sock", false),
            vol("/run/docker.sock", "/s", false),
            vol("/home/me/.colima/docker.sock", "/s2", false),
            vol("/home/me/", "/me", false),
            vol("/home", "/homes", false),
            vol("/home/me/site", "/site", false),
            vol("named", "/named", false),
            vol("/var/run", "/vr", false),
        ];
        s.privileged = true;
        s.network = Some("host".into());
        s.pid = Some("host".into());
        let risks = s.risks(Some(Path::new("/home/me/")));
        let fields: Vec<&str> = risks.iter().map(|r| r.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "volumes[0].source",
                "volumes[1].source",
                "volumes[2].source",
                "volumes[3].source",
                "volumes[4].source",
                "volumes[5].source",
                "volumes[8].source",
                "privileged",
                "network",
                "pid"
            ]
        );
        assert!(risks[0].message.contains("every file on this computer"));
        assert!(risks[1].message.contains("full control of Docker"));
        assert!(risks[3].message.contains("full control of Docker"));
        assert!(risks[4].message.contains("home folder"));
        assert!(risks[5].message.contains("home folder"));
        assert!(risks[6].message.contains("full control of Docker"));
        assert!(risks[7].message.contains("take over"));
        // Without a known home folder, the home binds are not flagged.
        assert_eq!(s.risks(None).len(), risks.len() - 2);
        assert_eq!(spec("busybox").risks(None), []);
    }

    // --- printing ------------------------------------------------------------------------------

    #[test]
    fn prints_in_canonical_order() {
        let s = RunSpec {
            image: "nginx:1.27".into(),
            name: Some("web".into()),
            detach: true,
            interactive: true,
            tty: true,
            remove: false,
            ports: vec!["8080:80".into(), "[::1]::53/udp".into()],
            publish_all: true,
            volumes: vec![
                vol("/srv/my site", "/usr/share/nginx/html", true),
                vol("", "/cache", false),
            ],
            env: vec![kv("A", "1"), kv("MSG", "it's $HOME\nnext")],
            env_files: vec!["/etc/app.env".into()],
            labels: vec![kv("team", "web")],
            restart: RestartPolicy::OnFailure {
                max_retries: Some(3),
            },
            entrypoint: Some(String::new()),
            command: vec!["nginx".into(), "-g".into(), "daemon off;".into()],
            workdir: Some("/srv".into()),
            user: Some("101:101".into()),
            hostname: Some("web".into()),
            network: Some("front".into()),
            pid: Some("host".into()),
            privileged: true,
        };
        assert_eq!(
            s.to_line(),
            "docker run --name web -d -it -p 8080:80 -p '[::1]::53/udp' -P \
             -v '/srv/my site:/usr/share/nginx/html:ro' -v /cache -e A=1 \
             -e 'MSG=it'\\''s $HOME\nnext' --env-file /etc/app.env -l team=web \
             --restart on-failure:3 --entrypoint '' -w /srv -u 101:101 -h web --network front \
             --pid host --privileged nginx:1.27 nginx -g 'daemon off;'"
        );
        assert_eq!(parse_line(&s.to_line()), Ok(s.clone()));
        assert_eq!(spec("busybox").to_line(), "docker run busybox");
        let it = |i: bool, t: bool| RunSpec {
            interactive: i,
            tty: t,
            remove: true,
            ..spec("busybox")
        };
        assert_eq!(it(true, false).to_line(), "docker run -i --rm busybox");
        assert_eq!(it(false, true).to_line(), "docker run -t --rm busybox");
    }

    #[test]
    fn hostile_strings_round_trip() {
        let hostile = [
            "",
            " ",
            "it's",
            "\"quoted\"",
            "$HOME",
            "`id`",
            "$(rm -rf /)",
            "a\nb",
            "tab\tc",
            "back\\slash",
            "; | & < >",
            "#not a comment",
            "--",
            "-x",
            "ünïcödé ☃",
            "a=b=c",
            "'\"'\"'",
            "\\\n",
        ];
        let mut s = spec("busybox");
        s.env = hostile.iter().map(|v| kv("V", v)).collect();
        s.labels = hostile.iter().map(|v| kv("l.x", v)).collect();
        s.command = hostile.iter().map(|v| (*v).to_owned()).collect();
        s.entrypoint = Some("/bin/sh -c".into());
        s.volumes = vec![vol("/home/me/it's a \"dir\" $x", "/in side", false)];
        s.user = Some("-1".into());
        assert_eq!(parse_line(&s.to_line()), Ok(s.clone()));
        // And what a real shell makes of the line is the argv.
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("printf '%s\\0' {}", s.to_line()))
            .output()
            .expect("sh");
        let words: Vec<String> = String::from_utf8(out.stdout)
            .expect("utf8")
            .split_terminator('\0')
            .map(str::to_owned)
            .collect();
        assert_eq!(words, s.to_argv());
    }

    // --- parsing -------------------------------------------------------------------------------

    #[test]
    fn parses_a_realistic_paste() {
        let s = parse_line(
            r#"docker run -d --name web -p 8080:80 -v "$HOME/site":/usr/share/nginx/html:ro -e A=1 nginx:1.27"#,
        )
        .expect("parse");
        assert_eq!(
            s,
            RunSpec {
                name: Some("web".into()),
                detach: true,
                ports: vec!["8080:80".into()],
                volumes: vec![vol("$HOME/site", "/usr/share/nginx/html", true)],
                env: vec![kv("A", "1")],
                ..spec("nginx:1.27")
            }
        );
        // `$HOME` stays literal text, so the form then says it is not an absolute folder.
        assert_invalid(s.validate(), "volumes[0].source", "relative path");
    }

    #[test]
    fn parses_a_multi_line_paste() {
        let line = "docker container run \\\n  --detach \\\n  --restart=unless-stopped \\\n  --publish 127.0.0.1:5432:5432 \\\n  --volume pgdata:/var/lib/postgresql/data \\\n  --env POSTGRES_PASSWORD='s3cret pass' \\\n  --label=app=db \\\n  --net backend \\\n  postgres:16 \\\n  -c max_connections=200\n";
        assert_eq!(
            parse_line(line),
            Ok(RunSpec {
                detach: true,
                restart: RestartPolicy::UnlessStopped,
                ports: vec!["127.0.0.1:5432:5432".into()],
                volumes: vec![vol("pgdata", "/var/lib/postgresql/data", false)],
                env: vec![kv("POSTGRES_PASSWORD", "s3cret pass")],
                labels: vec![kv("app", "db")],
                network: Some("backend".into()),
                command: vec!["-c".into(), "max_connections=200".into()],
                ..spec("postgres:16")
            })
        );
    }

    #[test]
    fn parses_short_clusters_booleans_and_the_command() {
        let dit = parse_line("docker run -dit --rm=false busybox ls -la /").expect("parse");
        assert!(dit.detach && dit.interactive && dit.tty && !dit.remove);
        assert_eq!(dit.command, ["ls", "-la", "/"]);
        assert_eq!(dit.image, "busybox");

        let itd =
            parse_line("run -itd -p80:80 -p=81:81 -eA=1 -v/data -Pw/app busybox").expect("parse");
        assert!(itd.detach && itd.interactive && itd.tty && itd.publish_all);
        assert_eq!(itd.ports, ["80:80", "81:81"]);
        assert_eq!(itd.env, [kv("A", "1")]);
        assert_eq!(itd.volumes, [vol("", "/data", false)]);
        assert_eq!(itd.workdir.as_deref(), Some("/app"));

        let s = parse_line(
            "--rm --rm=false -d=false --privileged=true --tty=1 --name=x1 -- -weird-image --rm",
        )
        .expect("parse");
        assert!(!s.remove && !s.detach && s.privileged && s.tty);
        assert_eq!(s.name.as_deref(), Some("x1"));
        assert_eq!(s.image, "-weird-image");
        assert_eq!(s.command, ["--rm"]);

        let s = parse_line("nginx").expect("parse");
        assert_eq!(s, spec("nginx"));

        let s = parse_line("docker run --entrypoint= -h box --hostname=b2 -u 0 --workdir /w --user=1 --pid=host --network host --label k -l k2=v=w --env-file a.env busybox").expect("parse");
        assert_eq!(s.entrypoint.as_deref(), Some(""));
        assert_eq!(s.hostname.as_deref(), Some("b2"));
        assert_eq!(s.user.as_deref(), Some("1"));
        assert_eq!(s.workdir.as_deref(), Some("/w"));
        assert_eq!(s.pid.as_deref(), Some("host"));
        assert_eq!(s.network.as_deref(), Some("host"));
        assert_eq!(s.labels, [kv("k", ""), kv("k2", "v=w")]);
        assert_eq!(s.env_files, ["a.env"]);

        let s =
            parse_line("docker run -v 'C:\\Users\\me:/data:ro' -v D:/x:/y busybox").expect("parse");
        assert_eq!(
            s.volumes,
            [
                vol("C:\\Users\\me", "/data", true),
                vol("D:/x", "/y", false)
            ]
        );
    }

    #[test]
    fn parse_restart_policies() {
        let r =
            |p: &str| parse_line(&format!("docker run --restart {p} busybox")).map(|s| s.restart);
        assert_eq!(r("no"), Ok(RestartPolicy::No));
        assert_eq!(r("always"), Ok(RestartPolicy::Always));
        assert_eq!(r("unless-stopped"), Ok(RestartPolicy::UnlessStopped));
        assert_eq!(
            r("on-failure"),
            Ok(RestartPolicy::OnFailure { max_retries: None })
        );
        assert_eq!(
            r("on-failure:3"),
            Ok(RestartPolicy::OnFailure {
                max_retries: Some(3)
            })
        );
        assert_invalid(
            r("sometimes"),
            "restart",
            "“sometimes” is not a restart policy",
        );
        assert_invalid(r("on-failure:x"), "restart", "not a number of retries");
        assert_invalid(r("on-failure:"), "restart", "not a number of retries");
        assert_invalid(r("on-failure:99999999999"), "restart", "too many");
        assert_invalid(r("always:3"), "restart", "not a restart policy");
    }

    #[test]
    fn parse_errors_name_the_problem() {
        assert_invalid(
            parse_line("docker run --cpus 2 busybox"),
            "line",
            "“--cpus” is not supported by the run form yet",
        );
        assert_invalid(
            parse_line("docker run --cpus=2 busybox"),
            "line",
            "“--cpus” is not supported",
        );
        assert_invalid(
            parse_line("docker run -dx busybox"),
            "line",
            "“-x” is not supported",
        );
        assert_invalid(
            parse_line("docker run -e HOME busybox"),
            "env",
            "has no “=”",
        );
        assert_invalid(parse_line("docker run 'busybox"), "line", "never closed");
        assert_invalid(parse_line("docker run busybox | less"), "line", "“|”");
        assert_invalid(parse_line("docker run -d"), "image", "names no image");
        assert_invalid(parse_line(""), "image", "names no image");
        assert_invalid(
            parse_line("docker run --name"),
            "line",
            "“--name” needs a value",
        );
        assert_invalid(parse_line("docker run -p"), "line", "“-p” needs a value");
        assert_invalid(parse_line("docker ps"), "line", "not a docker run command");
        assert_invalid(
            parse_line("docker run --rm=maybe x"),
            "line",
            "true or false",
        );
        assert_invalid(
            parse_line("docker run -v /data:ro x"),
            "volumes",
            "anonymous volume",
        );
        assert_invalid(parse_line("docker run -v /a:/b:z x"), "volumes", "“z”");
        assert_invalid(
            parse_line("docker run -v /a:/b:ro:x x"),
            "volumes",
            "too many",
        );
        assert_invalid(
            parse_line("docker run -v 'C:\\data' x"),
            "volumes",
            "no path in the container",
        );
        // Parsing does not validate: a missing bind source or a bad port is the form's business.
        let s = parse_line("docker run -p 99999:80 -v /nope/x:/x busybox").expect("parse");
        assert_eq!(s.ports, ["99999:80"]);
        assert_eq!(s.volumes, [vol("/nope/x", "/x", false)]);
        assert_eq!(
            parse_line("docker run -v /a:/b:rw x").expect("rw").volumes,
            [vol("/a", "/b", false)]
        );
    }

    // --- the create body -----------------------------------------------------------------------

    #[test]
    fn create_body_maps_everything() {
        let dir = tempfile::tempdir().expect("tempdir");
        let env_file = dir.path().join("app.env");
        std::fs::write(&env_file, "FROM_FILE=1\nA=from-file\n").expect("write");
        let s = RunSpec {
            image: "nginx:1.27".into(),
            name: Some("web".into()),
            interactive: true,
            tty: true,
            ports: vec![
                "127.0.0.1:8000-8001:80-81".into(),
                "9000:80".into(),
                "53/udp".into(),
            ],
            publish_all: true,
            volumes: vec![
                vol(&dir.path().display().to_string(), "/site", true),
                vol("cache", "/cache", false),
                vol("", "/anon", false),
            ],
            env: vec![kv("A", "1")],
            env_files: vec![env_file.display().to_string()],
            labels: vec![kv("team", "web"), kv("dev.dockwright.test", "spec")],
            restart: RestartPolicy::OnFailure {
                max_retries: Some(2),
            },
            entrypoint: Some(String::new()),
            command: vec!["nginx".into()],
            workdir: Some("/srv".into()),
            user: Some("101".into()),
            hostname: Some("box".into()),
            network: Some("bridge".into()),
            pid: Some("host".into()),
            privileged: true,
            ..Default::default()
        };
        let extra = HashMap::from([("dev.dockwright.test".to_owned(), "run".to_owned())]);
        let (body, name) = s.to_create(extra).expect("create");
        assert_eq!(name.as_deref(), Some("web"));
        assert_eq!(body.image.as_deref(), Some("nginx:1.27"));
        assert_eq!(body.cmd, Some(vec!["nginx".to_owned()]));
        assert_eq!(body.entrypoint, Some(vec![String::new()]));
        assert_eq!(
            body.env,
            Some(vec![
                "FROM_FILE=1".into(),
                "A=from-file".into(),
                "A=1".into()
            ])
        );
        let labels = body.labels.clone().expect("labels");
        assert_eq!(labels.get("team").map(String::as_str), Some("web"));
        assert_eq!(
            labels.get("dev.dockwright.test").map(String::as_str),
            Some("run")
        );
        assert_eq!(body.working_dir.as_deref(), Some("/srv"));
        assert_eq!(body.user.as_deref(), Some("101"));
        assert_eq!(body.hostname.as_deref(), Some("box"));
        assert_eq!(
            (
                body.tty,
                body.open_stdin,
                body.stdin_once,
                body.attach_stdin,
                body.attach_stdout,
                body.attach_stderr
            ),
            (
                Some(true),
                Some(true),
                Some(true),
                Some(true),
                Some(true),
                Some(true)
            )
        );
        assert_eq!(
            body.exposed_ports,
            Some(vec!["80/tcp".into(), "81/tcp".into(), "53/udp".into()])
        );
        assert_eq!(body.volumes, Some(vec!["/anon".to_owned()]));
        let hc = body.host_config.expect("host config");
        let pb = hc.port_bindings.expect("bindings");
        let hp = |k: &str| -> Vec<(Option<String>, Option<String>)> {
            pb[k]
                .clone()
                .unwrap_or_default()
                .into_iter()
                .map(|b| (b.host_ip, b.host_port))
                .collect()
        };
        let s_ = |x: &str| Some(x.to_owned());
        assert_eq!(
            hp("80/tcp"),
            [(s_("127.0.0.1"), s_("8000")), (None, s_("9000"))]
        );
        assert_eq!(hp("81/tcp"), [(s_("127.0.0.1"), s_("8001"))]);
        assert_eq!(hp("53/udp"), [(None, s_(""))]);
        assert_eq!(hc.publish_all_ports, Some(true));
        assert_eq!(
            hc.binds,
            Some(vec![
                format!("{}:/site:ro", dir.path().display()),
                "cache:/cache".into()
            ])
        );
        assert_eq!(hc.auto_remove, Some(false));
        let rp = hc.restart_policy.expect("restart");
        assert_eq!(rp.name, Some(RestartPolicyNameEnum::ON_FAILURE));
        assert_eq!(rp.maximum_retry_count, Some(2));
        assert_eq!(hc.network_mode.as_deref(), Some("bridge"));
        assert_eq!(hc.pid_mode.as_deref(), Some("host"));
        assert_eq!(hc.privileged, Some(true));
    }

    #[test]
    fn create_body_detached_and_minimal() {
        let s = RunSpec {
            detach: true,
            interactive: true,
            remove: true,
            ..spec("busybox")
        };
        let (body, name) = s.to_create(HashMap::new()).expect("create");
        assert_eq!(name, None);
        assert_eq!(body.cmd, None);
        assert_eq!(body.entrypoint, None);
        assert_eq!(body.env, None);
        assert_eq!(body.labels, None);
        assert_eq!(body.exposed_ports, None);
        assert_eq!(
            (
                body.open_stdin,
                body.stdin_once,
                body.attach_stdin,
                body.attach_stdout
            ),
            (Some(true), Some(false), Some(false), Some(false))
        );
        let hc = body.host_config.expect("host config");
        assert_eq!(hc.auto_remove, Some(true));
        assert_eq!(hc.binds, None);
        assert_eq!(
            hc.restart_policy.and_then(|r| r.name),
            Some(RestartPolicyNameEnum::NO)
        );
        // Invalid specs never make a body.
        assert_invalid(
            spec("").to_create(HashMap::new()),
            "image",
            "Choose an image",
        );
    }

    #[test]
    fn env_files_follow_docker_rules() {
        let mut f = tempfile::NamedTempFile::new().expect("tempfile");
        f.write_all(
            b"\xef\xbb\xbfFIRST=1\n# a comment\n\n   INDENTED=two words \r\nQUOTED=\"kept\"\nEMPTY=\nEQ=a=b\nFROM_ENV\nNOT_SET_ANYWHERE\n\t# indented comment\n",
        )
        .expect("write");
        let lookup = |k: &str| (k == "FROM_ENV").then(|| "env value".to_owned());
        let got = env_file_entries(f.path(), lookup).expect("parse");
        let want: Vec<(String, String)> = [
            ("FIRST", "1"),
            ("INDENTED", "two words "),
            ("QUOTED", "\"kept\""),
            ("EMPTY", ""),
            ("EQ", "a=b"),
            ("FROM_ENV", "env value"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        assert_eq!(got, want);

        // The public reader takes missing `KEY`s from the process environment.
        let mut g = tempfile::NamedTempFile::new().expect("tempfile");
        g.write_all(b"PATH\nX=1\n").expect("write");
        let read = read_env_file(g.path()).expect("read");
        assert_eq!(
            read.len(),
            if std::env::var("PATH").is_ok() { 2 } else { 1 }
        );

        let bad = |text: &[u8]| parse_env_bytes(text, "f.env", |_| None).expect_err("bad");
        assert!(bad(b"A=1\nMY VAR=1").contains("Line 2 of f.env"));
        assert!(bad(b"=1").contains("no variable name"));
        assert!(bad(b"A=\xff").contains("not UTF-8"));
        assert_invalid(
            read_env_file(Path::new("/surely/not/here.env")),
            "envFiles",
            "does not exist",
        );
    }

    #[test]
    fn serde_shape() {
        let s = RunSpec {
            restart: RestartPolicy::OnFailure {
                max_retries: Some(3),
            },
            env_files: vec!["/a".into()],
            ..spec("busybox")
        };
        let json = serde_json::to_value(&s).expect("json");
        assert_eq!(
            json["restart"],
            serde_json::json!({"policy": "on-failure", "maxRetries": 3})
        );
        assert_eq!(json["envFiles"], serde_json::json!(["/a"]));
        assert_eq!(json["publishAll"], serde_json::json!(false));
        assert_eq!(
            serde_json::to_value(RestartPolicy::UnlessStopped).expect("json"),
            serde_json::json!({"policy": "unless-stopped"})
        );
        let back: RunSpec = serde_json::from_value(json).expect("back");
        assert_eq!(back, s);
        assert_eq!(serde_json::to_value(Protocol::Sctp).expect("json"), "sctp");
    }

    // --- properties ----------------------------------------------------------------------------

    /// Any text but NUL, with the nastiest shell characters well represented.
    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[^\u{0}]{0,12}",
            "[ '\"$`\\\\\n\t;|&#=-]{0,8}",
            Just(String::new()),
            Just("it's \"x\" $HOME `id` \\".to_owned()),
        ]
    }

    fn abs_path() -> impl Strategy<Value = String> {
        "/[^\u{0}:]{1,16}".prop_filter("not the root", |p| !p.trim_end_matches('/').is_empty())
    }

    fn port_strategy() -> impl Strategy<Value = PortBinding> {
        let ip = prop_oneof![
            Just(None),
            any::<std::net::Ipv4Addr>().prop_map(|a| Some(a.to_string())),
            any::<std::net::Ipv6Addr>().prop_map(|a| Some(a.to_string())),
        ];
        let protocol = prop_oneof![
            Just(Protocol::Tcp),
            Just(Protocol::Udp),
            Just(Protocol::Sctp)
        ];
        // 0: no host port; 1: paired ranges; 2: a host range for one container port.
        (
            ip,
            0u8..3,
            1u16..=65000,
            1u16..=65000,
            0u16..30,
            0u16..30,
            protocol,
        )
            .prop_map(|(host_ip, shape, hs, cs, len, hlen, protocol)| {
                let (host, container) = match shape {
                    0 => (None, (cs, cs + len)),
                    1 => (Some((hs, hs + len)), (cs, cs + len)),
                    _ => (Some((hs, hs + hlen)), (cs, cs)),
                };
                PortBinding {
                    host_ip,
                    host_start: host.map(|h| h.0),
                    host_end: host.map(|h| h.1),
                    container_start: container.0,
                    container_end: container.1,
                    protocol,
                }
            })
    }

    fn volume_strategy() -> impl Strategy<Value = VolumeSpec> {
        let source = prop_oneof![
            Just(String::new()),
            abs_path(),
            "[A-Za-z]:[\\\\/][^\u{0}:]{0,10}",
            "[a-zA-Z0-9][a-zA-Z0-9_.-]{1,12}",
        ];
        (source, abs_path(), any::<bool>()).prop_map(|(source, target, ro)| VolumeSpec {
            read_only: ro && !source.is_empty(),
            source,
            target,
        })
    }

    fn run_spec() -> impl Strategy<Value = RunSpec> {
        let image = prop_oneof![
            Just("busybox".to_owned()),
            Just("localhost:5000/team/app:v1".to_owned()),
            Just(format!("ghcr.io/a/b@sha256:{}", "0f".repeat(32))),
            "[a-z][a-z0-9]{0,6}(/[a-z][a-z0-9]{0,6})?(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,6})?",
        ];
        let head = (
            image,
            proptest::option::of("/?[a-zA-Z0-9][a-zA-Z0-9_.-]{1,12}"),
            any::<[bool; 6]>(),
            prop::collection::vec(port_strategy().prop_map(|p| print_port(&p)), 0..3),
            prop::collection::vec(volume_strategy(), 0..3),
        );
        let pairs = (
            prop::collection::vec(
                ("[A-Za-z_][A-Za-z0-9_]{0,10}", text()).prop_map(|(k, v)| kv(&k, &v)),
                0..3,
            ),
            prop::collection::vec(abs_path(), 0..2),
            prop::collection::vec(
                ("[a-z][a-z0-9.-]{0,10}", text()).prop_map(|(k, v)| kv(&k, &v)),
                0..3,
            ),
        );
        let restart = prop_oneof![
            Just(RestartPolicy::No),
            Just(RestartPolicy::Always),
            Just(RestartPolicy::UnlessStopped),
            proptest::option::of(any::<u32>())
                .prop_map(|max_retries| RestartPolicy::OnFailure { max_retries }),
        ];
        let tail = (
            restart,
            proptest::option::of(text()),
            prop::collection::vec(text(), 0..4),
            proptest::option::of(abs_path()),
            proptest::option::of("[a-z0-9_]{1,8}(:[a-z0-9_]{1,8})?"),
            proptest::option::of("[a-z][a-z0-9-]{0,10}"),
            proptest::option::of(prop_oneof![
                Just("host".to_owned()),
                Just("none".to_owned()),
                "[a-z][a-z0-9_.-]{1,10}",
            ]),
            proptest::option::of(prop_oneof![
                Just("host".to_owned()),
                "container:[a-z][a-z0-9_.-]{1,10}",
            ]),
        );
        (head, pairs, tail).prop_map(
            |(
                (image, name, b, ports, volumes),
                (env, env_files, labels),
                (restart, entrypoint, command, workdir, user, hostname, network, pid),
            )| {
                let remove = b[3];
                RunSpec {
                    image,
                    name,
                    detach: b[0],
                    interactive: b[1],
                    tty: b[2],
                    remove,
                    ports,
                    publish_all: b[4],
                    volumes,
                    env,
                    env_files,
                    labels,
                    restart: if remove { RestartPolicy::No } else { restart },
                    entrypoint,
                    command,
                    workdir,
                    user,
                    hostname,
                    network,
                    pid,
                    privileged: b[5],
                }
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn print_then_parse_gives_the_spec(s in run_spec()) {
            prop_assert_eq!(s.validate_with(&AnyHost), Ok(()));
            prop_assert_eq!(parse_line(&s.to_line()), Ok(s.clone()));
        }

        #[test]
        fn print_then_parse_port(p in port_strategy()) {
            prop_assert_eq!(parse_port(&print_port(&p)), Ok(p));
        }

        #[test]
        fn parse_line_never_panics(line in "\\PC{0,60}|[^\u{0}]{0,60}") {
            let _ = parse_line(&line);
        }

        #[test]
        fn parse_line_never_panics_on_option_soup(words in prop::collection::vec(prop_oneof![
            Just("docker"), Just("run"), Just("container"), Just("-dit"), Just("--name"), Just("-p"),
            Just("-p=80"), Just("--rm=false"), Just("-e"), Just("-v"), Just("--"), Just("'"), Just("\""),
            Just("\\"), Just("-"), Just("--restart"), Just("on-failure:"), Just("C:\\x"), Just("-dp"),
            Just("ünï"), Just("="), Just("-é"),
        ], 0..12)) {
            let _ = parse_line(&words.join(" "));
        }

        #[test]
        fn parse_port_never_panics(s in "[0-9:\\[\\]a-f./-]{0,20}|\\PC{0,20}") {
            let _ = parse_port(&s);
        }
    }
}
