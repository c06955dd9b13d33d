//! Finding and connecting to the engine the user already has: an override from settings,
//! `DOCKER_HOST` (+ `DOCKER_TLS_VERIFY` / `DOCKER_CERT_PATH`), the docker context
//! (`DOCKER_CONTEXT`, or `currentContext` in `config.json`), else the platform default socket.
//! The precedence is the docker CLI's.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bollard::Docker;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use specta::Type;

use crate::error::{EngineError, Result};

/// How long connecting (ping and version) may take before the daemon counts as unreachable.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Per-request timeout (response headers) once connected; streams are not cut by it.
const REQUEST_TIMEOUT_SECS: u64 = 120;

/// Where the engine's address came from, shown to the user next to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum EndpointSource {
    /// The endpoint set in Dockwright's settings.
    Override,
    /// The `DOCKER_HOST` environment variable.
    Env,
    /// A docker context, from `DOCKER_CONTEXT` or `currentContext` in `config.json`.
    Context { name: String },
    /// The platform's default socket.
    Default,
}

/// Client certificate files for a TLS connection (the docker CLI's `ca.pem`, `cert.pem`, `key.pem`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TlsFiles {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Transport {
    Unix {
        path: PathBuf,
    },
    /// `address` is `host:port`. With `tls`, the connection is TLS or nothing.
    Tcp {
        address: String,
        tls: Option<TlsFiles>,
    },
    Npipe {
        path: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    /// The address as the user would write it (`unix:///var/run/docker.sock`, `tcp://h:2376`).
    pub host: String,
    pub transport: Transport,
    pub source: EndpointSource,
}

/// The process environment the resolution reads, captured so tests can give their own.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    pub docker_host: Option<String>,
    pub docker_context: Option<String>,
    pub docker_tls_verify: Option<String>,
    pub docker_tls: Option<String>,
    pub docker_cert_path: Option<PathBuf>,
    pub docker_config: Option<PathBuf>,
    pub home: Option<PathBuf>,
    pub xdg_runtime_dir: Option<PathBuf>,
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}

impl Environment {
    pub fn from_process() -> Self {
        let var = |k: &str| non_empty(std::env::var(k).ok());
        let home = var("HOME")
            .or_else(|| var("USERPROFILE"))
            .map(PathBuf::from);
        Self {
            docker_host: var("DOCKER_HOST"),
            docker_context: var("DOCKER_CONTEXT"),
            docker_tls_verify: var("DOCKER_TLS_VERIFY"),
            docker_tls: var("DOCKER_TLS"),
            docker_cert_path: var("DOCKER_CERT_PATH").map(PathBuf::from),
            docker_config: var("DOCKER_CONFIG").map(PathBuf::from),
            home,
            xdg_runtime_dir: var("XDG_RUNTIME_DIR").map(PathBuf::from),
        }
    }

    /// Only `DOCKER_HOST` set: how tests and overrides name one daemon.
    pub fn for_host(host: &str) -> Self {
        Self {
            docker_host: Some(host.to_owned()),
            ..Default::default()
        }
    }

    /// The docker CLI's config folder: `$DOCKER_CONFIG`, else `~/.docker`.
    pub fn config_dir(&self) -> Option<PathBuf> {
        self.docker_config
            .clone()
            .or_else(|| self.home.as_ref().map(|h| h.join(".docker")))
    }
}

#[derive(Deserialize, Default)]
struct ConfigFile {
    #[serde(rename = "currentContext", default)]
    current_context: Option<String>,
}

#[derive(Deserialize)]
struct ContextMeta {
    #[serde(rename = "Endpoints", default)]
    endpoints: HashMap<String, ContextEndpoint>,
}

#[derive(Deserialize)]
struct ContextEndpoint {
    #[serde(rename = "Host", default)]
    host: Option<String>,
}

/// Picks the endpoint with the docker CLI's precedence.
/// `override_host` (from settings) wins, then `DOCKER_HOST`, then `DOCKER_CONTEXT`, then the
/// config's `currentContext`, then the platform default.
pub fn resolve(env: &Environment, override_host: Option<&str>) -> Result<Endpoint> {
    if let Some(host) = override_host.map(str::trim).filter(|h| !h.is_empty()) {
        let tls = env_tls(env, "the endpoint in Settings")?;
        return endpoint(host, tls, EndpointSource::Override, "Engine endpoint");
    }
    if let Some(host) = &env.docker_host {
        let tls = env_tls(env, "DOCKER_HOST")?;
        return endpoint(host, tls, EndpointSource::Env, "DOCKER_HOST");
    }
    let context = match &env.docker_context {
        Some(c) => Some(c.clone()),
        None => read_current_context(env)?,
    };
    match context.as_deref() {
        None | Some("default") => Ok(default_endpoint(env)),
        Some(name) => context_endpoint(env, name),
    }
}

fn read_current_context(env: &Environment) -> Result<Option<String>> {
    let Some(dir) = env.config_dir() else {
        return Ok(None);
    };
    let path = dir.join("config.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(_) => return Ok(None),
    };
    // A broken config.json does not stop the docker CLI from using the default context.
    let cfg: ConfigFile = serde_json::from_str(&text).unwrap_or_default();
    Ok(non_empty(cfg.current_context))
}

/// The folder name the docker CLI gives a context: the hex SHA-256 of its name.
pub fn context_dir_name(name: &str) -> String {
    hex::encode(Sha256::digest(name.as_bytes()))
}

fn context_endpoint(env: &Environment, name: &str) -> Result<Endpoint> {
    let field = "docker context";
    let Some(dir) = env.config_dir() else {
        return Err(EngineError::invalid(
            field,
            format!("context \"{name}\" is selected but no docker config folder was found"),
        ));
    };
    let id = context_dir_name(name);
    let meta_path = dir
        .join("contexts")
        .join("meta")
        .join(&id)
        .join("meta.json");
    let text = std::fs::read_to_string(&meta_path).map_err(|_| {
        EngineError::invalid(
            field,
            format!(
                "context \"{name}\" does not exist (no {}). Run `docker context ls` to see the contexts.",
                meta_path.display()
            ),
        )
    })?;
    let meta: ContextMeta = serde_json::from_str(&text).map_err(|e| {
        EngineError::invalid(
            field,
            format!(
                "context \"{name}\": {} is not valid JSON: {e}",
                meta_path.display()
            ),
        )
    })?;
    let host = meta
        .endpoints
        .get("docker")
        .and_then(|e| non_empty(e.host.clone()))
        .ok_or_else(|| {
            EngineError::invalid(field, format!("context \"{name}\" has no docker endpoint"))
        })?;
    let tls_dir = dir.join("contexts").join("tls").join(&id).join("docker");
    let tls = if tls_dir.is_dir() {
        Some(tls_files(&tls_dir, &host, &format!("context \"{name}\""))?)
    } else {
        None
    };
    endpoint(
        &host,
        tls,
        EndpointSource::Context {
            name: name.to_owned(),
        },
        field,
    )
}

fn env_tls(env: &Environment, what: &str) -> Result<Option<TlsFiles>> {
    if env.docker_tls_verify.is_none() && env.docker_tls.is_none() {
        return Ok(None);
    }
    let dir = env
        .docker_cert_path
        .clone()
        .or_else(|| env.config_dir())
        .ok_or_else(|| {
            EngineError::invalid(
                "DOCKER_CERT_PATH",
                "TLS is on (DOCKER_TLS_VERIFY) but there is no DOCKER_CERT_PATH and no home folder",
            )
        })?;
    let host = env.docker_host.clone().unwrap_or_default();
    tls_files(&dir, &host, what).map(Some)
}

/// The three files TLS needs, each checked before any connection is tried.
fn tls_files(dir: &Path, host: &str, what: &str) -> Result<TlsFiles> {
    let files = TlsFiles {
        ca: dir.join("ca.pem"),
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    };
    let missing: Vec<String> = [&files.ca, &files.cert, &files.key]
        .into_iter()
        .filter(|p| !p.is_file())
        .map(|p| p.display().to_string())
        .collect();
    if missing.is_empty() {
        Ok(files)
    } else {
        Err(EngineError::Tls {
            address: host.to_owned(),
            message: format!(
                "TLS verification is on for {what} but the certificate files are missing: {}. Set DOCKER_CERT_PATH to the folder holding ca.pem, cert.pem and key.pem. Dockwright never falls back to plain HTTP.",
                missing.join(", ")
            ),
        })
    }
}

fn endpoint(
    host: &str,
    tls: Option<TlsFiles>,
    source: EndpointSource,
    field: &str,
) -> Result<Endpoint> {
    let transport = parse_host(host, tls, field)?;
    Ok(Endpoint {
        host: host.trim().to_owned(),
        transport,
        source,
    })
}

/// Parses a docker host address: `unix:///path`, `tcp://host:port`, `npipe:////./pipe/name`.
/// `tls` turns a tcp host into a TLS one (the files must exist already).
pub fn parse_host(host: &str, tls: Option<TlsFiles>, field: &str) -> Result<Transport> {
    let host = host.trim();
    let bad = |why: &str| {
        EngineError::invalid(
            field,
            format!(
                "\"{}\" is not a Docker host address: {why}. Examples: unix:///var/run/docker.sock, tcp://192.168.1.5:2376, npipe:////./pipe/docker_engine",
                host.escape_debug()
            ),
        )
    };
    if host.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("it contains spaces or control characters"));
    }
    let Some((scheme, rest)) = host.split_once("://") else {
        return Err(bad("it has no scheme (unix://, tcp:// or npipe://)"));
    };
    match scheme.to_ascii_lowercase().as_str() {
        "unix" => {
            if rest.is_empty() || !rest.starts_with('/') {
                return Err(bad("a unix socket needs an absolute path"));
            }
            Ok(Transport::Unix {
                path: PathBuf::from(rest),
            })
        }
        "tcp" | "http" | "https" => {
            let hostport = rest.trim_end_matches('/');
            if hostport.is_empty() {
                return Err(bad("the host name is empty"));
            }
            if hostport.contains('/') {
                return Err(bad("a tcp address is host:port with no path"));
            }
            let (h, port) = match hostport.rsplit_once(':') {
                Some((h, p)) if !h.ends_with(']') && h.contains(':') => {
                    // an IPv6 literal without brackets
                    return Err(bad(&format!("write IPv6 addresses in brackets ([{h}:{p}])")));
                }
                Some((h, p)) => (h, Some(p)),
                None => (hostport, None),
            };
            if h.is_empty() {
                return Err(bad("the host name is empty"));
            }
            let tls_wanted = tls.is_some() || scheme.eq_ignore_ascii_case("https");
            let port: u16 = match port {
                Some(p) => p
                    .parse()
                    .ok()
                    .filter(|p| *p != 0)
                    .ok_or_else(|| bad(&format!("\"{p}\" is not a port number (1-65535)")))?,
                None if tls_wanted => 2376,
                None => 2375,
            };
            if scheme.eq_ignore_ascii_case("https") && tls.is_none() {
                return Err(EngineError::Tls {
                    address: host.to_owned(),
                    message: "https:// needs client certificates: set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH".to_owned(),
                });
            }
            Ok(Transport::Tcp {
                address: format!("{h}:{port}"),
                tls,
            })
        }
        "npipe" => {
            if rest.is_empty() {
                return Err(bad("a named pipe needs a path"));
            }
            Ok(Transport::Npipe {
                path: rest.replace('/', "\\"),
            })
        }
        "ssh" => Err(bad("ssh:// hosts are not supported yet; forward the socket (ssh -L) and use unix:// or tcp://")),
        other => Err(bad(&format!("unknown scheme \"{other}\""))),
    }
}

/// The platform default: the first socket that exists among the usual places, else the
/// canonical one (so the error names the path users expect).
pub fn default_endpoint(env: &Environment) -> Endpoint {
    if cfg!(windows) {
        return Endpoint {
            host: "npipe:////./pipe/docker_engine".to_owned(),
            transport: Transport::Npipe {
                path: r"\\.\pipe\docker_engine".to_owned(),
            },
            source: EndpointSource::Default,
        };
    }
    let mut candidates = vec![PathBuf::from("/var/run/docker.sock")];
    if let Some(rt) = &env.xdg_runtime_dir {
        candidates.push(rt.join("docker.sock")); // rootless Docker
    }
    if let Some(home) = &env.home {
        candidates.push(home.join(".docker/run/docker.sock")); // Docker Desktop (macOS)
        candidates.push(home.join(".docker/desktop/docker.sock")); // Docker Desktop (Linux)
        candidates.push(home.join(".colima/default/docker.sock"));
        candidates.push(home.join(".orbstack/run/docker.sock"));
    }
    let path = candidates
        .iter()
        .find(|p| p.exists())
        .cloned()
        .unwrap_or_else(|| candidates[0].clone());
    Endpoint {
        host: format!("unix://{}", path.display()),
        transport: Transport::Unix { path },
        source: EndpointSource::Default,
    }
}

/// What the UI shows about the engine it is connected to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct EngineInfo {
    pub host: String,
    pub source: EndpointSource,
    pub server_version: String,
    pub api_version: String,
    pub os: String,
    pub arch: String,
    pub kernel_version: String,
    /// e.g. "Docker Engine - Community", "Podman Engine".
    pub platform: String,
}

/// A live connection to one Docker engine. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Engine {
    pub(crate) docker: Docker,
    info: EngineInfo,
    pub(crate) endpoint: Endpoint,
}

impl Engine {
    /// Opens the transport, negotiates the API version, pings and reads the version, all within
    /// [`CONNECT_TIMEOUT`].
    pub async fn connect(endpoint: &Endpoint) -> Result<Self> {
        let address = endpoint.host.clone();
        let docker = open(endpoint, bollard::API_DEFAULT_VERSION)?;
        let work = async {
            let docker = docker
                .negotiate_version()
                .await
                .map_err(|e| EngineError::from_bollard(e, &address))?;
            docker
                .ping()
                .await
                .map_err(|e| EngineError::from_bollard(e, &address))?;
            let v = docker
                .version()
                .await
                .map_err(|e| EngineError::from_bollard(e, &address))?;
            Ok::<_, EngineError>((docker, v))
        };
        let (docker, v) = tokio::time::timeout(CONNECT_TIMEOUT, work)
            .await
            .map_err(|_| EngineError::DaemonUnreachable {
                address: address.clone(),
                message: format!(
                    "The Docker daemon at {address} did not answer within {} s.",
                    CONNECT_TIMEOUT.as_secs()
                ),
            })??;
        let info = EngineInfo {
            host: address,
            source: endpoint.source.clone(),
            server_version: v.version.unwrap_or_default(),
            api_version: v.api_version.unwrap_or_default(),
            os: v.os.unwrap_or_default(),
            arch: v.arch.unwrap_or_default(),
            kernel_version: v.kernel_version.unwrap_or_default(),
            platform: v.platform.map(|p| p.name).unwrap_or_default(),
        };
        Ok(Self {
            docker,
            info,
            endpoint: endpoint.clone(),
        })
    }

    /// The same engine through a client of its own: its connections are opened (and their
    /// tasks run) on whichever runtime first uses it, and are never shared with this one's.
    /// A long stream read on a runtime of its own uses it (see `container::logs`).
    pub(crate) fn own_client(&self) -> Result<Self> {
        Ok(Self {
            docker: open(&self.endpoint, &self.docker.client_version())?,
            info: self.info.clone(),
            endpoint: self.endpoint.clone(),
        })
    }

    pub fn info(&self) -> &EngineInfo {
        &self.info
    }

    pub async fn ping(&self) -> Result<()> {
        self.docker
            .ping()
            .await
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    pub(crate) fn err(&self, e: bollard::errors::Error) -> EngineError {
        EngineError::from_bollard(e, &self.info.host)
    }
}

fn open(endpoint: &Endpoint, v: &bollard::ClientVersion) -> Result<Docker> {
    let address = endpoint.host.as_str();
    let docker = match &endpoint.transport {
        Transport::Unix { path } => {
            // Tell a missing socket from one we may not open before bollard sees it.
            match std::fs::metadata(path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(EngineError::no_socket(address))
                }
                Err(e) => return Err(EngineError::from_io(&e, address)),
                Ok(_) => {}
            }
            #[cfg(unix)]
            {
                Docker::connect_with_unix(&path.to_string_lossy(), REQUEST_TIMEOUT_SECS, v)
            }
            #[cfg(not(unix))]
            {
                return Err(EngineError::invalid(
                    "DOCKER_HOST",
                    "unix sockets are not available on this platform",
                ));
            }
        }
        Transport::Tcp { address: hp, tls } => match tls {
            Some(f) => {
                Docker::connect_with_ssl(hp, &f.key, &f.cert, &f.ca, REQUEST_TIMEOUT_SECS, v)
            }
            None => Docker::connect_with_http(&format!("tcp://{hp}"), REQUEST_TIMEOUT_SECS, v),
        },
        Transport::Npipe { path } => {
            #[cfg(windows)]
            {
                Docker::connect_with_named_pipe(path, REQUEST_TIMEOUT_SECS, v)
            }
            #[cfg(not(windows))]
            {
                let _ = path;
                return Err(EngineError::invalid(
                    "DOCKER_HOST",
                    "npipe:// addresses only work on Windows",
                ));
            }
        }
    };
    docker.map_err(|e| EngineError::from_bollard(e, address))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_with_home(home: &Path) -> Environment {
        Environment {
            home: Some(home.to_path_buf()),
            ..Default::default()
        }
    }

    #[test]
    fn docker_host_forms() {
        let p = |h: &str| parse_host(h, None, "DOCKER_HOST");
        assert_eq!(
            p("unix:///var/run/docker.sock").unwrap(),
            Transport::Unix {
                path: "/var/run/docker.sock".into()
            }
        );
        assert_eq!(
            p("tcp://10.0.0.2:2375").unwrap(),
            Transport::Tcp {
                address: "10.0.0.2:2375".into(),
                tls: None
            }
        );
        assert_eq!(
            p("tcp://example.com").unwrap(),
            Transport::Tcp {
                address: "example.com:2375".into(),
                tls: None
            }
        );
        assert_eq!(
            p("tcp://[::1]:2375/").unwrap(),
            Transport::Tcp {
                address: "[::1]:2375".into(),
                tls: None
            }
        );
        assert_eq!(
            p("npipe:////./pipe/docker_engine").unwrap(),
            Transport::Npipe {
                path: r"\\.\pipe\docker_engine".into()
            }
        );
    }

    #[test]
    fn malformed_hosts_are_invalid_input_with_a_reason() {
        for (host, needle) in [
            ("localhost:2375", "no scheme"),
            ("tcp://", "empty"),
            ("tcp://host:99999", "not a port"),
            ("tcp://host:0", "not a port"),
            ("tcp://host:abc", "not a port"),
            ("tcp://host:2375/path", "no path"),
            ("unix://relative.sock", "absolute path"),
            ("ftp://x", "unknown scheme"),
            ("tcp://ho st:1", "spaces"),
            ("tcp://::1:2375", "brackets"),
        ] {
            let err = parse_host(host, None, "DOCKER_HOST").unwrap_err();
            assert_eq!(err.code(), "InvalidInput", "{host}");
            let msg = err.to_string();
            assert!(msg.contains(needle), "{host}: {msg}");
            assert!(msg.starts_with("DOCKER_HOST"), "{msg}");
        }
    }

    #[test]
    fn tls_verify_with_missing_certs_is_a_tls_error_naming_the_files() {
        let dir = tempfile::tempdir().unwrap();
        let env = Environment {
            docker_host: Some("tcp://127.0.0.1:2376".into()),
            docker_tls_verify: Some("1".into()),
            docker_cert_path: Some(dir.path().to_path_buf()),
            ..Default::default()
        };
        let err = resolve(&env, None).unwrap_err();
        assert_eq!(err.code(), "Tls");
        let msg = err.to_string();
        assert!(msg.contains("ca.pem") && msg.contains("key.pem"), "{msg}");
        assert!(msg.contains("never falls back to plain HTTP"));
    }

    #[test]
    fn tls_verify_with_certs_gives_a_tls_transport() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["ca.pem", "cert.pem", "key.pem"] {
            std::fs::write(dir.path().join(f), "x").unwrap();
        }
        let env = Environment {
            docker_host: Some("tcp://127.0.0.1".into()),
            docker_tls_verify: Some("1".into()),
            docker_cert_path: Some(dir.path().to_path_buf()),
            ..Default::default()
        };
        let ep = resolve(&env, None).unwrap();
        match ep.transport {
            Transport::Tcp { address, tls } => {
                assert_eq!(address, "127.0.0.1:2376");
                assert_eq!(tls.unwrap().ca, dir.path().join("ca.pem"));
            }
            t => panic!("{t:?}"),
        }
        assert_eq!(ep.source, EndpointSource::Env);
    }

    fn write_context(config: &Path, name: &str, host: &str) {
        let meta = config.join("contexts/meta").join(context_dir_name(name));
        std::fs::create_dir_all(&meta).unwrap();
        std::fs::write(
            meta.join("meta.json"),
            format!(
                r#"{{"Name":"{name}","Metadata":{{}},"Endpoints":{{"docker":{{"Host":"{host}","SkipTLSVerify":false}}}}}}"#
            ),
        )
        .unwrap();
    }

    #[test]
    fn context_name_hash_matches_docker() {
        // `docker context create foo` stores it under sha256("foo").
        assert_eq!(
            context_dir_name("foo"),
            "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
        );
    }

    #[test]
    fn current_context_from_config_json() {
        let home = tempfile::tempdir().unwrap();
        let cfg = home.path().join(".docker");
        write_context(&cfg, "remote", "tcp://10.1.2.3:2375");
        std::fs::write(cfg.join("config.json"), r#"{"currentContext":"remote"}"#).unwrap();
        let ep = resolve(&env_with_home(home.path()), None).unwrap();
        assert_eq!(ep.host, "tcp://10.1.2.3:2375");
        assert_eq!(
            ep.source,
            EndpointSource::Context {
                name: "remote".into()
            }
        );
    }

    #[test]
    fn precedence_is_the_clis() {
        let home = tempfile::tempdir().unwrap();
        let cfg = home.path().join(".docker");
        write_context(&cfg, "a", "tcp://10.0.0.1:1");
        write_context(&cfg, "b", "tcp://10.0.0.2:2");
        std::fs::write(cfg.join("config.json"), r#"{"currentContext":"a"}"#).unwrap();
        let mut env = env_with_home(home.path());
        env.docker_context = Some("b".into());
        assert_eq!(resolve(&env, None).unwrap().host, "tcp://10.0.0.2:2");
        env.docker_host = Some("unix:///tmp/x.sock".into());
        assert_eq!(resolve(&env, None).unwrap().host, "unix:///tmp/x.sock");
        assert_eq!(
            resolve(&env, Some("tcp://10.9.9.9:9")).unwrap().source,
            EndpointSource::Override
        );
        // DOCKER_CONFIG moves the config folder.
        let other = tempfile::tempdir().unwrap();
        write_context(other.path(), "c", "tcp://10.0.0.3:3");
        std::fs::write(
            other.path().join("config.json"),
            r#"{"currentContext":"c"}"#,
        )
        .unwrap();
        let env = Environment {
            docker_config: Some(other.path().to_path_buf()),
            ..env_with_home(home.path())
        };
        assert_eq!(resolve(&env, None).unwrap().host, "tcp://10.0.0.3:3");
    }

    #[test]
    fn missing_context_is_a_clear_error_and_default_context_is_the_socket() {
        let home = tempfile::tempdir().unwrap();
        let mut env = env_with_home(home.path());
        env.docker_context = Some("nope".into());
        let err = resolve(&env, None).unwrap_err();
        assert_eq!(err.code(), "InvalidInput");
        assert!(err.to_string().contains("context \"nope\" does not exist"));
        env.docker_context = Some("default".into());
        let ep = resolve(&env, None).unwrap();
        assert_eq!(ep.source, EndpointSource::Default);
        assert!(matches!(ep.transport, Transport::Unix { .. }) || cfg!(windows));
    }

    #[test]
    fn context_with_tls_folder_needs_all_three_files() {
        let home = tempfile::tempdir().unwrap();
        let cfg = home.path().join(".docker");
        write_context(&cfg, "secure", "tcp://10.0.0.9:2376");
        let tls = cfg
            .join("contexts/tls")
            .join(context_dir_name("secure"))
            .join("docker");
        std::fs::create_dir_all(&tls).unwrap();
        std::fs::write(tls.join("ca.pem"), "x").unwrap();
        let mut env = env_with_home(home.path());
        env.docker_context = Some("secure".into());
        let err = resolve(&env, None).unwrap_err();
        assert_eq!(err.code(), "Tls");
        assert!(err.to_string().contains("cert.pem"));
    }

    #[tokio::test]
    async fn missing_socket_is_unreachable_with_its_address() {
        let dir = tempfile::tempdir().unwrap();
        let host = format!("unix://{}/nope.sock", dir.path().display());
        let env = Environment::for_host(&host);
        let err = Engine::connect(&resolve(&env, None).unwrap())
            .await
            .unwrap_err();
        assert_eq!(err.code(), "DaemonUnreachable");
        assert!(err.to_string().contains("No Docker socket at"), "{err}");
        match err {
            EngineError::DaemonUnreachable { address, .. } => assert_eq!(address, host),
            e => panic!("{e:?}"),
        }
    }

    #[tokio::test]
    async fn refused_tcp_is_unreachable_not_a_panic() {
        // A port nothing listens on (bound then dropped).
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let ep = resolve(
            &Environment {
                docker_host: Some(format!("tcp://127.0.0.1:{port}")),
                ..Default::default()
            },
            None,
        )
        .unwrap();
        let err = Engine::connect(&ep).await.unwrap_err();
        assert_eq!(err.code(), "DaemonUnreachable", "{err}");
        assert!(err.to_string().contains("refused"), "{err}");
    }

    mod prop {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            /// Any text, however hostile, gives a transport or a clear InvalidInput/Tls error.
            #[test]
            fn parse_host_never_panics(host in "\\PC{0,80}") {
                match parse_host(&host, None, "DOCKER_HOST") {
                    Ok(_) => {}
                    Err(e) => prop_assert!(matches!(e.code(), "InvalidInput" | "Tls"), "{e:?}"),
                }
            }

            /// Well-formed tcp hosts keep their host and port.
            #[test]
            fn tcp_hosts_round_trip(
                host in "[a-z][a-z0-9-]{0,20}(\\.[a-z][a-z0-9-]{0,10}){0,3}",
                port in 1u16..,
            ) {
                let t = parse_host(&format!("tcp://{host}:{port}"), None, "DOCKER_HOST").unwrap();
                prop_assert_eq!(t, Transport::Tcp { address: format!("{host}:{port}"), tls: None });
            }

            /// Absolute unix paths are kept as they are.
            #[test]
            fn unix_paths_round_trip(path in "(/[a-zA-Z0-9._-]{1,12}){1,6}") {
                let t = parse_host(&format!("unix://{path}"), None, "DOCKER_HOST").unwrap();
                prop_assert_eq!(t, Transport::Unix { path: PathBuf::from(&path) });
            }
        }
    }
}
