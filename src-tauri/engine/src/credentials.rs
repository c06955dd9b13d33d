//! Registry credentials, handled the way the docker CLI handles them, so a `docker login` in a
//! terminal and a login in Dockwright see and change the same thing.
//!
//! Everything starts from the docker CLI's `config.json` (`$DOCKER_CONFIG/config.json`, else
//! `~/.docker/config.json`):
//!
//! ```text
//! { "auths":       { "https://index.docker.io/v1/": { "auth": "base64(user:password)" },
//!                    "localhost:5000": { "auth": "…", "identitytoken": "…" } },
//!   "credsStore":  "desktop",                      // helper for every registry
//!   "credHelpers": { "ghcr.io": "gh" } }           // helper for one registry (wins)
//! ```
//!
//! Where the credentials of a registry live (`configfile.GetCredentialsStore`): a `credHelpers`
//! entry for it, else `credsStore`, else the plain-text `auths`. When a helper is configured for a
//! registry, it alone holds the secret; `auths` then only keeps an empty marker entry.
//!
//! Registries are keyed as the CLI keys them (`registry.GetAuthConfigKey`): Docker Hub
//! (`docker.io`, `index.docker.io`, `registry-1.docker.io`) is `https://index.docker.io/v1/`,
//! every other registry is its `host[:port]`. `auths` keys written by older tools
//! (`https://localhost:5000/v2/`) match by their host (`credentials.ConvertToHostname`).
//!
//! Credential helpers are the programs `docker-credential-<name>` on `PATH`, spoken to with the
//! protocol of `github.com/docker/docker-credential-helpers`: the action is the only argument,
//! the input goes to stdin, the answer comes on stdout. Every call is bounded by a timeout after
//! which the helper is killed.
//!
//! Secrets never appear in an error message, a log line or a `Debug` output.

use std::collections::{BTreeMap, HashSet};
use std::ffi::OsString;
use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use specta::Type;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::connect::Environment;
use crate::error::{EngineError, Result};

/// The key Docker Hub's credentials are stored under (the CLI's `registry.IndexServer`).
pub const INDEX_SERVER: &str = "https://index.docker.io/v1/";
/// How Docker Hub is shown to people.
pub const HUB_DISPLAY: &str = "docker.io";
/// The hosts that all mean Docker Hub.
const HUB_HOSTS: [&str; 3] = ["docker.io", "index.docker.io", "registry-1.docker.io"];
/// How long a credential helper may take before it is killed.
pub const DEFAULT_HELPER_TIMEOUT: Duration = Duration::from_secs(10);
/// The user name a helper stores an identity token under (the CLI's `tokenUsername`).
const TOKEN_USERNAME: &str = "<token>";
/// What a helper prints when it has nothing for a server.
const NOT_FOUND_MESSAGE: &str = "credentials not found in native keychain";
/// The most output read from a helper; a helper that prints more is cut off.
const MAX_HELPER_OUTPUT: u64 = 1 << 20;
/// The field name config-file errors carry.
const CONFIG_FIELD: &str = "docker config";

/// Serialises read-modify-write cycles of `config.json` within this process.
static CONFIG_WRITE: Mutex<()> = Mutex::new(());

/// A user name with its password or identity token. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    /// Empty for an identity token stored by a helper (helpers keep it under `<token>`).
    pub username: String,
    /// The password, or the identity token when `identity_token` is set.
    pub secret: String,
    /// `secret` is an OAuth identity (refresh) token rather than a password.
    pub identity_token: bool,
}

impl Credential {
    /// A user name and password.
    pub fn password(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            secret: password.into(),
            identity_token: false,
        }
    }

    /// An identity token, optionally with the user name it belongs to.
    pub fn identity_token(username: impl Into<String>, token: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            secret: token.into(),
            identity_token: true,
        }
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("username", &self.username)
            .field("secret", &"<redacted>")
            .field("identity_token", &self.identity_token)
            .finish()
    }
}

/// Where the credentials of a registry are kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Source {
    /// The credential helper `docker-credential-<name>`.
    Helper { name: String },
    /// The `auths` section of `config.json` (base64, not encrypted).
    ConfigFile,
    /// The OS keychain, where Dockwright keeps logins when no credential helper is configured.
    Keychain,
    /// Nowhere the docker CLI looks; the caller keeps them (e.g. in the OS keychain).
    None,
}

/// A registry someone is logged in to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LoggedIn {
    /// The registry as people write it: `docker.io`, `ghcr.io`, `localhost:5000`.
    pub registry: String,
    /// `None` for an identity token without a user name.
    pub username: Option<String>,
    pub source: Source,
}

/// Reads and changes registry credentials where the docker CLI keeps them.
#[derive(Debug, Clone)]
pub struct CredentialStore {
    /// `None` when there is neither `DOCKER_CONFIG` nor a home folder.
    config_path: Option<PathBuf>,
    /// Used to show the config path as `~/.docker/config.json`.
    home: Option<PathBuf>,
    helper_timeout: Duration,
    /// Replaces `PATH` when looking for helpers (tests).
    search_path: Option<OsString>,
}

impl CredentialStore {
    /// The store the docker CLI would use in this environment.
    pub fn from_env(env: &Environment) -> Self {
        Self {
            config_path: env.config_dir().map(|d| d.join("config.json")),
            home: env.home.clone(),
            helper_timeout: DEFAULT_HELPER_TIMEOUT,
            search_path: None,
        }
    }

    /// A store on `dir/config.json`.
    pub fn with_config_dir(dir: PathBuf) -> Self {
        Self {
            config_path: Some(dir.join("config.json")),
            home: None,
            helper_timeout: DEFAULT_HELPER_TIMEOUT,
            search_path: None,
        }
    }

    /// How long each helper call may take before the helper is killed.
    pub fn helper_timeout(mut self, timeout: Duration) -> Self {
        self.helper_timeout = timeout;
        self
    }

    /// Looks for `docker-credential-*` in these folders (`PATH` syntax) instead of `PATH`.
    pub fn helper_search_path(mut self, path: impl Into<OsString>) -> Self {
        self.search_path = Some(path.into());
        self
    }

    /// The `config.json` this store reads, if there is a place for one.
    pub fn config_path(&self) -> Option<&Path> {
        self.config_path.as_deref()
    }

    /// The credentials for `registry` (`docker.io`, `ghcr.io`, `localhost:5000`; a URL is
    /// reduced to its host), from its helper (`credHelpers`, else `credsStore`) or from `auths`.
    /// `Ok(None)` when there are none.
    pub async fn get(&self, registry: &str) -> Result<Option<Credential>> {
        let host = registry_host(registry)?;
        let config = self.load()?;
        let key = auth_key(&host);
        match self.helper_for(&config, &host)? {
            Some(helper) => self.helper_get(&helper, &key).await,
            None => Ok(config.file_credential(&host)),
        }
    }

    /// Saves `cred` for `registry` in its helper when one is configured (then `auths` keeps only
    /// an empty marker, as after `docker login`). Without a helper, writes `auths` in
    /// `config.json` when `allow_file`, else saves nothing and returns `Source::None` so the
    /// caller can keep the credentials elsewhere.
    pub async fn store(
        &self,
        registry: &str,
        cred: &Credential,
        allow_file: bool,
    ) -> Result<Source> {
        let host = registry_host(registry)?;
        validate_credential(cred)?;
        let config = self.load()?;
        let key = auth_key(&host);
        if let Some(helper) = self.helper_for(&config, &host)? {
            self.helper_store(&helper, &key, cred).await?;
            // The secret is saved; the marker only mirrors `docker login`, so failing to write it
            // is not worth failing the login for.
            if let Err(e) = self.update_config(|root| mark_helper_entry(root, &key)) {
                tracing::warn!(registry = %host, "could not mark the login in config.json: {e}");
            }
            return Ok(Source::Helper { name: helper.name });
        }
        if !allow_file {
            return Ok(Source::None);
        }
        self.update_config(|root| write_file_entry(root, &key, cred))?;
        Ok(Source::ConfigFile)
    }

    /// Forgets the credentials for `registry`: in its helper when one is configured (absent is
    /// fine), and every `auths` entry for it.
    pub async fn erase(&self, registry: &str) -> Result<()> {
        let host = registry_host(registry)?;
        let config = self.load()?;
        let has_entry = config.auths.keys().any(|k| same_registry(k, &host));
        match self.helper_for(&config, &host)? {
            Some(helper) => {
                self.helper_erase(&helper, &auth_key(&host)).await?;
                if has_entry {
                    if let Err(e) = self.update_config(|root| remove_file_entries(root, &host)) {
                        tracing::warn!(registry = %host, "could not remove the login marker from config.json: {e}");
                    }
                }
                Ok(())
            }
            None if has_entry => self
                .update_config(|root| remove_file_entries(root, &host))
                .map(|_| ()),
            None => Ok(()),
        }
    }

    /// Every registry with saved credentials, de-duplicated, sorted by registry. As
    /// `GetAllCredentials` in the CLI: `credsStore`'s `list` (or `auths` without one), overridden
    /// by a `get` from each `credHelpers` entry. A failing `credHelpers` helper is skipped with a
    /// warning; a failing `credsStore` is an error.
    pub async fn list(&self) -> Result<Vec<LoggedIn>> {
        let config = self.load()?;
        let mut found: Vec<LoggedIn> = Vec::new();

        // credHelpers first: they win over everything else.
        let mut pinned: Vec<(String, HelperRef)> = Vec::new();
        for (key, name) in &config.cred_helpers {
            let host = convert_to_hostname(key).to_owned();
            if host.is_empty() || name.is_empty() {
                continue;
            }
            match self.helper_ref(name, Origin::CredHelpers(host.clone())) {
                Ok(helper) => pinned.push((host, helper)),
                Err(e) => tracing::warn!(registry = %host, "skipping a credential helper: {e}"),
            }
        }
        let gets = pinned.iter().map(|(host, helper)| {
            let key = auth_key(host);
            async move { self.helper_get(helper, &key).await }
        });
        let results = futures_util::future::join_all(gets).await;
        for ((host, helper), result) in pinned.iter().zip(results) {
            match result {
                Ok(Some(cred)) => found.push(LoggedIn {
                    registry: display_registry(host),
                    username: display_username(&cred.username),
                    source: Source::Helper {
                        name: helper.name.clone(),
                    },
                }),
                Ok(None) => {}
                Err(e) => tracing::warn!(registry = %host, "skipping a credential helper: {e}"),
            }
        }

        if let Some(store) = config.creds_store.as_deref().filter(|s| !s.is_empty()) {
            let helper = self.helper_ref(store, Origin::CredsStore)?;
            for (url, username) in self.helper_list(&helper).await? {
                let host = convert_to_hostname(&url);
                if host.is_empty() {
                    continue;
                }
                found.push(LoggedIn {
                    registry: display_registry(host),
                    username: display_username(&username),
                    source: Source::Helper {
                        name: helper.name.clone(),
                    },
                });
            }
        } else {
            for key in config.auths.keys() {
                let host = convert_to_hostname(key);
                if host.is_empty() || config.pinned_helper(host).is_some() {
                    continue;
                }
                if let Some(cred) = config.file_credential(host) {
                    found.push(LoggedIn {
                        registry: display_registry(host),
                        username: display_username(&cred.username),
                        source: Source::ConfigFile,
                    });
                }
            }
        }

        let mut seen = HashSet::new();
        found.retain(|l| seen.insert(l.registry.to_ascii_lowercase()));
        found.sort_by(|a, b| a.registry.cmp(&b.registry));
        Ok(found)
    }

    // ---- config.json ----

    /// The config path as people know it: `~/.docker/config.json` when under the home folder.
    fn display_path(&self) -> String {
        let Some(path) = &self.config_path else {
            return "config.json".to_owned();
        };
        if let Some(rest) = self.home.as_ref().and_then(|h| path.strip_prefix(h).ok()) {
            return format!("~/{}", rest.display());
        }
        path.display().to_string()
    }

    fn load(&self) -> Result<ConfigFile> {
        let Some(path) = &self.config_path else {
            return Ok(ConfigFile::default());
        };
        match std::fs::read_to_string(path) {
            Ok(text) => ConfigFile::parse(&text, &self.display_path()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(ConfigFile::default()),
            Err(e) => Err(EngineError::invalid(
                CONFIG_FIELD,
                format!("cannot read {}: {e}", self.display_path()),
            )),
        }
    }

    /// Reads `config.json`, lets `change` edit its JSON, and writes it back atomically when
    /// `change` says it changed something. Returns whether it wrote.
    fn update_config(&self, change: impl FnOnce(&mut Map<String, Value>) -> bool) -> Result<bool> {
        let Some(path) = &self.config_path else {
            return Err(EngineError::invalid(
                CONFIG_FIELD,
                "there is no docker config folder: set DOCKER_CONFIG or HOME",
            ));
        };
        let _guard = CONFIG_WRITE.lock().unwrap_or_else(|e| e.into_inner());
        let mut config = self.load()?;
        if !change(&mut config.root) {
            return Ok(false);
        }
        let mut text = Vec::new();
        let formatter = serde_json::ser::PrettyFormatter::with_indent(b"\t");
        let mut ser = serde_json::Serializer::with_formatter(&mut text, formatter);
        Value::Object(config.root)
            .serialize(&mut ser)
            .map_err(|e| {
                EngineError::Other(format!("cannot encode {}: {e}", self.display_path()))
            })?;
        text.push(b'\n');
        write_atomically(path, &text).map_err(|e| {
            EngineError::Failed(format!("cannot write {}: {e}", self.display_path()))
        })?;
        Ok(true)
    }

    // ---- credential helpers ----

    /// The helper that holds `host`'s credentials, as `getConfiguredCredentialStore`: its
    /// `credHelpers` entry (an empty one means "the file"), else `credsStore`.
    fn helper_for(&self, config: &ConfigFile, host: &str) -> Result<Option<HelperRef>> {
        if let Some((key, name)) = config.pinned_helper(host) {
            if name.is_empty() {
                return Ok(None);
            }
            let origin = Origin::CredHelpers(convert_to_hostname(key).to_owned());
            return self.helper_ref(name, origin).map(Some);
        }
        match config.creds_store.as_deref() {
            Some(name) if !name.is_empty() => self.helper_ref(name, Origin::CredsStore).map(Some),
            _ => Ok(None),
        }
    }

    fn helper_ref(&self, name: &str, origin: Origin) -> Result<HelperRef> {
        let helper = HelperRef {
            name: name.to_owned(),
            origin,
            config: self.display_path(),
        };
        let bad = name.trim() != name
            || name.contains(['/', '\\'])
            || name.chars().any(char::is_control)
            || name == "."
            || name == "..";
        if bad {
            return Err(EngineError::invalid(
                CONFIG_FIELD,
                format!(
                    "{} names the credential helper “{}”, which is not a helper name (it may not contain “/”, “\\” or spaces at either end)",
                    helper.origin_text(),
                    name.escape_debug()
                ),
            ));
        }
        Ok(helper)
    }

    /// `docker-credential-<name>` in the search path, as an absolute path.
    fn find_helper(&self, name: &str) -> Option<PathBuf> {
        let path_var = self
            .search_path
            .clone()
            .or_else(|| std::env::var_os("PATH"))?;
        let program = format!("docker-credential-{name}");
        let program = program.as_str();
        let extensions: &[&str] = if cfg!(windows) {
            &[".exe", ".cmd", ".bat", ""]
        } else {
            &[""]
        };
        std::env::split_paths(&path_var)
            // Like Go's exec.LookPath, never run a helper from a relative PATH entry.
            .filter(|dir| dir.is_absolute())
            .flat_map(|dir| {
                extensions
                    .iter()
                    .map(move |ext| dir.join(format!("{program}{ext}")))
            })
            .find(|p| is_executable(p))
    }

    async fn helper_get(&self, helper: &HelperRef, key: &str) -> Result<Option<Credential>> {
        let out = self.run_helper(helper, "get", key.as_bytes()).await?;
        if !out.status.success() {
            if out.not_found() {
                return Ok(None);
            }
            return Err(out.failure(helper, "get", None));
        }
        let creds: HelperCredentials = serde_json::from_slice(&out.stdout).map_err(|_| {
            EngineError::Failed(format!(
                "{} get printed something that is not JSON with ServerURL, Username and Secret",
                helper.program()
            ))
        })?;
        let username = creds.username.unwrap_or_default();
        let secret = creds.secret.unwrap_or_default();
        if username.is_empty() && secret.is_empty() {
            return Ok(None);
        }
        Ok(Some(if username == TOKEN_USERNAME {
            Credential::identity_token("", secret)
        } else {
            Credential::password(username, secret)
        }))
    }

    async fn helper_store(&self, helper: &HelperRef, key: &str, cred: &Credential) -> Result<()> {
        let body = StoreRequest {
            server_url: key,
            username: if cred.identity_token {
                TOKEN_USERNAME
            } else {
                &cred.username
            },
            secret: &cred.secret,
        };
        let mut input = serde_json::to_vec(&body)
            .map_err(|e| EngineError::Other(format!("cannot encode credentials: {e}")))?;
        input.push(b'\n');
        let out = self.run_helper(helper, "store", &input).await?;
        if out.status.success() {
            Ok(())
        } else {
            Err(out.failure(helper, "store", Some(&cred.secret)))
        }
    }

    async fn helper_erase(&self, helper: &HelperRef, key: &str) -> Result<()> {
        let out = self.run_helper(helper, "erase", key.as_bytes()).await?;
        if out.status.success() || out.not_found() {
            Ok(())
        } else {
            Err(out.failure(helper, "erase", None))
        }
    }

    /// The helper's `list`: server URL → user name.
    async fn helper_list(&self, helper: &HelperRef) -> Result<BTreeMap<String, String>> {
        let out = self.run_helper(helper, "list", b"unused").await?;
        if !out.status.success() {
            return Err(out.failure(helper, "list", None));
        }
        let listed: Option<BTreeMap<String, Option<String>>> = serde_json::from_slice(&out.stdout)
            .map_err(|_| {
                EngineError::Failed(format!(
                    "{} list printed something that is not JSON mapping server URLs to user names",
                    helper.program()
                ))
            })?;
        Ok(listed
            .unwrap_or_default()
            .into_iter()
            .map(|(url, user)| (url, user.unwrap_or_default()))
            .collect())
    }

    /// Runs `docker-credential-<name> <action>` with `input` on stdin, within the timeout, and
    /// kills it when the timeout passes. What it printed is turned into text only by
    /// [`HelperOutput::failure`], which blanks out the secret.
    async fn run_helper(
        &self,
        helper: &HelperRef,
        action: &'static str,
        input: &[u8],
    ) -> Result<HelperOutput> {
        let program = self
            .find_helper(&helper.name)
            .ok_or_else(|| helper.missing())?;
        let mut cmd = tokio::process::Command::new(&program);
        cmd.arg(action)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        #[cfg(windows)]
        cmd.creation_flags(0x0800_0000); // CREATE_NO_WINDOW: no console flashing up
        let mut child = spawn(&mut cmd).await.map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => helper.missing(),
            io::ErrorKind::PermissionDenied => EngineError::Failed(format!(
                "{} cannot be run: permission denied",
                program.display()
            )),
            _ => EngineError::Failed(format!("cannot run {}: {e}", helper.program())),
        })?;

        let stdin = child.stdin.take();
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let exchange = async {
            let write = async {
                if let Some(mut stdin) = stdin {
                    // A helper that exits without reading its input is judged by its output.
                    let _ = stdin.write_all(input).await;
                    let _ = stdin.shutdown().await;
                }
            };
            let ((), out, err) = tokio::join!(write, read_limited(stdout), read_limited(stderr));
            let status = child.wait().await;
            (out, err, status)
        };
        let finished = tokio::time::timeout(self.helper_timeout, exchange).await;
        let Ok((stdout, stderr, status)) = finished else {
            // `kill` also waits, so the helper is gone when the error is returned.
            if let Err(e) = child.kill().await {
                tracing::warn!(helper = %helper.program(), "could not kill a helper that timed out: {e}");
            }
            return Err(EngineError::Failed(format!(
                "{} {action} did not answer within {} and was stopped",
                helper.program(),
                human_duration(self.helper_timeout)
            )));
        };
        let status = status.map_err(|e| {
            EngineError::Failed(format!("cannot wait for {}: {e}", helper.program()))
        })?;
        Ok(HelperOutput {
            status,
            stdout,
            stderr,
        })
    }
}

/// Which line of `config.json` made a helper run.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Origin {
    CredsStore,
    /// `credHelpers`, for this registry host.
    CredHelpers(String),
}

/// A credential helper as configured, with what is needed to explain a failure.
#[derive(Debug, Clone)]
struct HelperRef {
    name: String,
    origin: Origin,
    /// The config path for messages.
    config: String,
}

impl HelperRef {
    fn program(&self) -> String {
        format!("docker-credential-{}", self.name)
    }

    fn origin_text(&self) -> String {
        match &self.origin {
            Origin::CredsStore => format!("credsStore in {}", self.config),
            Origin::CredHelpers(host) => format!("credHelpers in {} (for {host})", self.config),
        }
    }

    fn missing(&self) -> EngineError {
        let why = match &self.origin {
            Origin::CredsStore => format!("credsStore in {} names it", self.config),
            Origin::CredHelpers(host) => {
                format!("credHelpers in {} names it for {host}", self.config)
            }
        };
        EngineError::Failed(format!("{} is not installed ({why})", self.program()))
    }
}

/// What a helper printed and how it ended.
struct HelperOutput {
    status: ExitStatus,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

impl HelperOutput {
    /// The helper's "nothing stored for this server".
    fn not_found(&self) -> bool {
        [&self.stdout, &self.stderr]
            .iter()
            .any(|b| String::from_utf8_lossy(b).contains(NOT_FOUND_MESSAGE))
    }

    /// The error for a helper that exited unsuccessfully, with its own message (stdout, where
    /// helpers print errors, else stderr) cleaned and with `secret` blanked out.
    fn failure(&self, helper: &HelperRef, action: &str, secret: Option<&str>) -> EngineError {
        let how = match self.status.code() {
            Some(code) => format!("exit status {code}"),
            None => self.status.to_string(),
        };
        let said = [&self.stdout, &self.stderr]
            .iter()
            .map(|b| clean_output(&String::from_utf8_lossy(b), secret))
            .find(|s| !s.is_empty());
        EngineError::Failed(match said {
            Some(said) => format!("{} {action} failed ({how}): {said}", helper.program()),
            None => format!(
                "{} {action} failed ({how}) without a message",
                helper.program()
            ),
        })
    }
}

/// A helper's answer to `get`.
#[derive(Deserialize)]
struct HelperCredentials {
    #[serde(rename = "Username", default)]
    username: Option<String>,
    #[serde(rename = "Secret", default)]
    secret: Option<String>,
}

/// A helper's input to `store`.
#[derive(Serialize)]
struct StoreRequest<'a> {
    #[serde(rename = "ServerURL")]
    server_url: &'a str,
    #[serde(rename = "Username")]
    username: &'a str,
    #[serde(rename = "Secret")]
    secret: &'a str,
}

/// Spawns, retrying briefly on "text file busy": a helper written just now (tests, installers)
/// may still be open for writing in a process forked at the same moment.
async fn spawn(cmd: &mut tokio::process::Command) -> io::Result<tokio::process::Child> {
    let mut attempts = 0;
    loop {
        match cmd.spawn() {
            Err(e) if e.kind() == io::ErrorKind::ExecutableFileBusy && attempts < 10 => {
                attempts += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            other => return other,
        }
    }
}

async fn read_limited<R: tokio::io::AsyncRead + Unpin>(reader: Option<R>) -> Vec<u8> {
    let mut buf = Vec::new();
    if let Some(reader) = reader {
        let _ = reader.take(MAX_HELPER_OUTPUT).read_to_end(&mut buf).await;
    }
    buf
}

fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

/// Helper output as it may appear in a message: no control characters, bounded, no secret.
fn clean_output(text: &str, secret: Option<&str>) -> String {
    let mut text = text.to_owned();
    if let Some(secret) = secret.filter(|s| !s.is_empty()) {
        text = text.replace(secret, "[secret]");
    }
    // Replaced before cutting, so the cut can never leave part of the secret behind.
    let out: String = text
        .trim()
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .take(500)
        .collect();
    out.trim().to_owned()
}

fn human_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 && d.as_secs() > 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

fn display_username(username: &str) -> Option<String> {
    (!username.is_empty() && username != TOKEN_USERNAME).then(|| username.to_owned())
}

// ---- registry keys ----

/// The CLI's `credentials.ConvertToHostname`: drops an `http://` or `https://` scheme and any
/// path, leaving `host[:port]`.
pub fn convert_to_hostname(url: &str) -> &str {
    let url = url.trim();
    let stripped = match url.split_once("://") {
        Some((scheme, rest))
            if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") =>
        {
            rest
        }
        _ => url,
    };
    stripped.split_once('/').map_or(stripped, |(host, _)| host)
}

/// Whether `host` is Docker Hub.
pub fn is_docker_hub(host: &str) -> bool {
    HUB_HOSTS.iter().any(|h| h.eq_ignore_ascii_case(host))
}

/// The key the CLI stores `registry`'s credentials under (`GetAuthConfigKey`):
/// `https://index.docker.io/v1/` for Docker Hub, else `host[:port]`.
pub fn auth_key(registry: &str) -> String {
    let host = convert_to_hostname(registry);
    if is_docker_hub(host) {
        INDEX_SERVER.to_owned()
    } else {
        host.to_owned()
    }
}

/// A registry or key as people write it: `docker.io` for Docker Hub, else `host[:port]`.
pub fn display_registry(registry_or_key: &str) -> String {
    let host = convert_to_hostname(registry_or_key);
    if is_docker_hub(host) {
        HUB_DISPLAY.to_owned()
    } else {
        host.to_owned()
    }
}

/// Whether two registry names or keys mean the same registry.
fn same_registry(a: &str, b: &str) -> bool {
    display_registry(a).eq_ignore_ascii_case(&display_registry(b))
}

/// `registry` reduced to a host, or a message saying why it is not one.
fn registry_host(registry: &str) -> Result<String> {
    let host = convert_to_hostname(registry);
    if host.is_empty() {
        return Err(EngineError::invalid(
            "registry",
            "enter a registry, e.g. docker.io, ghcr.io or localhost:5000",
        ));
    }
    if host.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(EngineError::invalid(
            "registry",
            format!(
                "“{}” is not a registry host: it contains spaces or control characters",
                host.escape_debug()
            ),
        ));
    }
    Ok(host.to_owned())
}

fn validate_credential(cred: &Credential) -> Result<()> {
    if cred.secret.is_empty() {
        let field = if cred.identity_token {
            "identity token"
        } else {
            "password"
        };
        return Err(EngineError::invalid(field, format!("enter a {field}")));
    }
    if !cred.identity_token && cred.username.is_empty() {
        return Err(EngineError::invalid("username", "enter a user name"));
    }
    if cred.username.contains(':') {
        // `auth` is base64("user:password"), split at the first ':'.
        return Err(EngineError::invalid(
            "username",
            "a user name cannot contain “:”",
        ));
    }
    if cred.username.chars().any(char::is_control) {
        return Err(EngineError::invalid(
            "username",
            "a user name cannot contain control characters",
        ));
    }
    Ok(())
}

// ---- the config file ----

/// One `auths` entry, decoded.
#[derive(Clone, Default, PartialEq, Eq)]
struct AuthEntry {
    username: String,
    password: String,
    identity_token: String,
}

impl AuthEntry {
    fn credential(&self) -> Option<Credential> {
        if !self.identity_token.is_empty() {
            Some(Credential::identity_token(
                self.username.clone(),
                self.identity_token.clone(),
            ))
        } else if !self.username.is_empty() || !self.password.is_empty() {
            Some(Credential::password(
                self.username.clone(),
                self.password.clone(),
            ))
        } else {
            None
        }
    }
}

/// The parts of `config.json` credentials use, plus the whole document for writing it back.
#[derive(Default)]
struct ConfigFile {
    root: Map<String, Value>,
    auths: BTreeMap<String, AuthEntry>,
    creds_store: Option<String>,
    cred_helpers: BTreeMap<String, String>,
}

impl ConfigFile {
    /// Parses `config.json`. Messages name the file and the entry but never quote values, which
    /// may be secrets.
    fn parse(text: &str, display: &str) -> Result<Self> {
        let bad = |what: String| EngineError::invalid(CONFIG_FIELD, format!("{display} {what}"));
        if text.trim().is_empty() {
            // The CLI reads an empty file as an empty config.
            return Ok(Self::default());
        }
        let root = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(root)) => root,
            Ok(_) => return Err(bad("is not a JSON object".to_owned())),
            Err(e) => return Err(bad(format!("is not valid JSON: {e}"))),
        };
        let mut config = Self::default();
        match root.get("auths") {
            None | Some(Value::Null) => {}
            Some(Value::Object(auths)) => {
                for (server, entry) in auths {
                    let entry = parse_auth_entry(entry).map_err(|why| {
                        bad(format!("has a bad auths entry for “{server}”: {why}"))
                    })?;
                    config.auths.insert(server.clone(), entry);
                }
            }
            Some(_) => return Err(bad("has “auths” that is not a JSON object".to_owned())),
        }
        match root.get("credsStore") {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => config.creds_store = Some(s.clone()),
            Some(_) => return Err(bad("has “credsStore” that is not a string".to_owned())),
        }
        match root.get("credHelpers") {
            None | Some(Value::Null) => {}
            Some(Value::Object(helpers)) => {
                for (registry, name) in helpers {
                    match name {
                        Value::String(name) => {
                            config.cred_helpers.insert(registry.clone(), name.clone());
                        }
                        Value::Null => {}
                        _ => {
                            return Err(bad(format!(
                                "has a “credHelpers” entry for “{registry}” that is not a string"
                            )))
                        }
                    }
                }
            }
            Some(_) => return Err(bad("has “credHelpers” that is not a JSON object".to_owned())),
        }
        config.root = root;
        Ok(config)
    }

    /// The `credHelpers` entry for `host`: its exact key first, then any key naming the same
    /// registry (`docker.io` for Hub, `https://ghcr.io`).
    fn pinned_helper(&self, host: &str) -> Option<(&String, &String)> {
        let key = auth_key(host);
        self.cred_helpers.get_key_value(&key).or_else(|| {
            self.cred_helpers
                .iter()
                .find(|(k, _)| same_registry(k, host))
        })
    }

    /// `host`'s credentials from `auths` (the CLI's file store): the exact key first, then any
    /// key with the same host.
    fn file_credential(&self, host: &str) -> Option<Credential> {
        let key = auth_key(host);
        self.auths
            .get(&key)
            .or_else(|| {
                self.auths
                    .iter()
                    .find(|(k, e)| same_registry(k, host) && e.credential().is_some())
                    .map(|(_, e)| e)
            })
            .and_then(AuthEntry::credential)
    }
}

fn parse_auth_entry(entry: &Value) -> std::result::Result<AuthEntry, String> {
    let obj = match entry {
        Value::Object(obj) => obj,
        Value::Null => return Ok(AuthEntry::default()),
        _ => return Err("not a JSON object".to_owned()),
    };
    let field = |name: &str| -> std::result::Result<String, String> {
        match obj.get(name) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(_) => Err(format!("“{name}” is not a string")),
        }
    };
    let mut entry = AuthEntry {
        username: field("username")?,
        password: field("password")?,
        identity_token: field("identitytoken")?,
    };
    let auth = field("auth")?;
    if !auth.is_empty() {
        let decoded = base64_decode(&auth).ok_or("“auth” is not valid base64")?;
        let decoded = String::from_utf8(decoded).map_err(|_| "“auth” is not UTF-8 text")?;
        match decoded.split_once(':') {
            Some((user, password)) if !user.is_empty() => {
                entry.username = user.to_owned();
                entry.password = password.trim_matches('\0').to_owned();
            }
            _ => return Err("“auth” does not hold user:password".to_owned()),
        }
    }
    Ok(entry)
}

/// `auths[key]` as the file store writes it: `auth` = base64("user:password"), plus
/// `identitytoken`; `username`/`password` are not kept in clear. Other fields stay.
fn write_file_entry(root: &mut Map<String, Value>, key: &str, cred: &Credential) -> bool {
    edit_auth_entry(root, key, |entry| {
        for field in [
            "username",
            "password",
            "auth",
            "identitytoken",
            "serveraddress",
        ] {
            entry.remove(field);
        }
        let password = if cred.identity_token {
            ""
        } else {
            &cred.secret
        };
        if !cred.username.is_empty() || !password.is_empty() {
            let auth = base64_encode(format!("{}:{password}", cred.username).as_bytes());
            entry.insert("auth".to_owned(), Value::String(auth));
        }
        if cred.identity_token {
            entry.insert(
                "identitytoken".to_owned(),
                Value::String(cred.secret.clone()),
            );
        }
    })
}

/// After a helper stored the secret, `auths[key]` keeps no credentials (as `nativeStore.Store`).
fn mark_helper_entry(root: &mut Map<String, Value>, key: &str) -> bool {
    edit_auth_entry(root, key, |entry| {
        for field in [
            "username",
            "password",
            "auth",
            "identitytoken",
            "registrytoken",
            "serveraddress",
        ] {
            entry.remove(field);
        }
    })
}

/// Removes every `auths` entry for `host`, whatever its spelling. Returns whether any went.
fn remove_file_entries(root: &mut Map<String, Value>, host: &str) -> bool {
    let Some(Value::Object(auths)) = root.get_mut("auths") else {
        return false;
    };
    let before = auths.len();
    auths.retain(|k, _| !same_registry(k, host));
    auths.len() != before
}

/// Lets `edit` change `auths[key]` (created as `{}` when absent). Returns whether the document
/// changed.
fn edit_auth_entry(
    root: &mut Map<String, Value>,
    key: &str,
    edit: impl FnOnce(&mut Map<String, Value>),
) -> bool {
    let mut auths = match root.remove("auths") {
        Some(Value::Object(auths)) => auths,
        _ => Map::new(),
    };
    let old = auths.remove(key);
    let mut entry = match &old {
        Some(Value::Object(entry)) => entry.clone(),
        _ => Map::new(),
    };
    edit(&mut entry);
    let entry = Value::Object(entry);
    let changed = old.as_ref() != Some(&entry);
    auths.insert(key.to_owned(), entry);
    root.insert("auths".to_owned(), Value::Object(auths));
    changed
}

/// Replaces `path` with `contents` through a temporary file in the same folder and a rename, so
/// a reader never sees half a file. The result is readable by its owner only (0600 on Unix).
/// A symlinked `config.json` is written through, as the CLI does.
fn write_atomically(path: &Path, contents: &[u8]) -> io::Result<()> {
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    create_private_dir(&dir)?;
    let file_name = target.file_name().map_or_else(
        || "config.json".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    let mut tmp = None;
    for n in 0..100u32 {
        let candidate = dir.join(format!(".{file_name}.{}.{n}.tmp", std::process::id()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(&candidate) {
            Ok(file) => {
                tmp = Some((candidate, file));
                break;
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    let Some((tmp_path, file)) = tmp else {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "no free name for a temporary file",
        ));
    };
    let result = fill_and_rename(file, contents, &tmp_path, &target);
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp_path);
    }
    result
}

fn fill_and_rename(
    mut file: std::fs::File,
    contents: &[u8],
    tmp_path: &Path,
    target: &Path,
) -> io::Result<()> {
    file.write_all(contents)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.sync_all()?;
    drop(file);
    std::fs::rename(tmp_path, target)
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

// ---- base64 (standard alphabet, padded), for `auth` ----

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (b(0) << 16) | (b(1) << 8) | b(2);
        let sextet = |shift: u32| char::from(BASE64[((n >> shift) & 63) as usize]);
        out.push(sextet(18));
        out.push(sextet(12));
        out.push(if chunk.len() > 1 { sextet(6) } else { '=' });
        out.push(if chunk.len() > 2 { sextet(0) } else { '=' });
    }
    out
}

/// Decodes standard base64; padding may be left out, line breaks are ignored (as in Go).
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let bytes: Vec<u8> = text
        .bytes()
        .filter(|b| !matches!(b, b'\r' | b'\n'))
        .collect();
    let body_len = bytes.len()
        - bytes
            .iter()
            .rev()
            .take(2)
            .take_while(|&&b| b == b'=')
            .count();
    let (body, padding) = bytes.split_at(body_len);
    if (!padding.is_empty() && bytes.len() % 4 != 0) || body.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &c in body {
        let v = BASE64.iter().position(|&a| a == c)?;
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// What the Engine API takes for a pull or push (`X-Registry-Auth`): the credentials with
/// `serveraddress` set to the CLI's key for `registry` (`https://index.docker.io/v1/` for Hub).
pub fn to_docker_credentials(
    registry: &str,
    cred: &Credential,
) -> bollard::auth::DockerCredentials {
    let username = (!cred.username.is_empty()).then(|| cred.username.clone());
    let (password, identitytoken) = if cred.identity_token {
        (None, Some(cred.secret.clone()))
    } else {
        (Some(cred.secret.clone()), None)
    };
    bollard::auth::DockerCredentials {
        username,
        password,
        identitytoken,
        serveraddress: Some(auth_key(registry)),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const SECRET: &str = "s3cr3t-VALUE-9f2c";

    fn write_config(dir: &Path, json: &str) {
        std::fs::write(dir.join("config.json"), json).unwrap();
    }

    fn read_config(dir: &Path) -> Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join("config.json")).unwrap()).unwrap()
    }

    #[test]
    fn base64_round_trips_and_rejects_garbage() {
        for input in ["", "a", "ab", "abc", "user:pass", "ü:€😀"] {
            let enc = base64_encode(input.as_bytes());
            assert_eq!(base64_decode(&enc).unwrap(), input.as_bytes(), "{input}");
            let unpadded = enc.trim_end_matches('=');
            assert_eq!(base64_decode(unpadded).unwrap(), input.as_bytes());
        }
        assert_eq!(base64_encode(b"user:pass"), "dXNlcjpwYXNz");
        assert_eq!(base64_decode("dXNlcjpwYXNz\n").unwrap(), b"user:pass");
        assert!(base64_decode("not base64!").is_none());
        assert!(base64_decode("a").is_none());
        assert!(base64_decode("ab=").is_none());
    }

    #[test]
    fn key_normalisation_matches_the_cli() {
        let table = [
            // input, auth key, display, hostname
            ("docker.io", INDEX_SERVER, "docker.io", "docker.io"),
            (
                "index.docker.io",
                INDEX_SERVER,
                "docker.io",
                "index.docker.io",
            ),
            (INDEX_SERVER, INDEX_SERVER, "docker.io", "index.docker.io"),
            (
                "registry-1.docker.io",
                INDEX_SERVER,
                "docker.io",
                "registry-1.docker.io",
            ),
            (
                "localhost:5000",
                "localhost:5000",
                "localhost:5000",
                "localhost:5000",
            ),
            (
                "https://localhost:5000/v2/",
                "localhost:5000",
                "localhost:5000",
                "localhost:5000",
            ),
            (
                "http://localhost:5000",
                "localhost:5000",
                "localhost:5000",
                "localhost:5000",
            ),
            ("ghcr.io", "ghcr.io", "ghcr.io", "ghcr.io"),
            ("ghcr.io/owner/repo", "ghcr.io", "ghcr.io", "ghcr.io"),
            ("ftp://x.io/a", "ftp:", "ftp:", "ftp:"),
        ];
        for (input, key, display, host) in table {
            assert_eq!(auth_key(input), key, "key of {input}");
            assert_eq!(display_registry(input), display, "display of {input}");
            assert_eq!(convert_to_hostname(input), host, "host of {input}");
        }
        assert!(same_registry("https://index.docker.io/v1/", "docker.io"));
        assert!(same_registry(
            "https://LOCALHOST:5000/v2/",
            "localhost:5000"
        ));
        assert!(!same_registry("localhost:5000", "localhost:5001"));
        assert_eq!(registry_host("").unwrap_err().code(), "InvalidInput");
        assert_eq!(
            registry_host("https://").unwrap_err().code(),
            "InvalidInput"
        );
        assert!(registry_host("a b").is_err());
    }

    #[test]
    fn config_parsing_decodes_auth_and_identity_tokens() {
        let json = format!(
            r#"{{
              "auths": {{
                "https://index.docker.io/v1/": {{ "auth": "{}" }},
                "https://localhost:5000/v2/": {{ "auth": "{}", "identitytoken": "tok-123" }},
                "plain.example": {{ "username": "p", "password": "pw" }},
                "marker.example": {{}},
                "null.example": null
              }},
              "credsStore": "desktop",
              "credHelpers": {{ "ghcr.io": "gh", "skip.example": null }},
              "psFormat": "table {{{{.ID}}}}"
            }}"#,
            base64_encode(b"alice:pa:ss\0"),
            base64_encode(b"bob:"),
        );
        let config = ConfigFile::parse(&json, "cfg").unwrap();
        assert_eq!(config.creds_store.as_deref(), Some("desktop"));
        assert_eq!(config.cred_helpers.len(), 1);
        let hub = config.file_credential("docker.io").unwrap();
        assert_eq!(hub, Credential::password("alice", "pa:ss"));
        let local = config.file_credential("localhost:5000").unwrap();
        assert_eq!(local, Credential::identity_token("bob", "tok-123"));
        assert_eq!(
            config.file_credential("plain.example").unwrap(),
            Credential::password("p", "pw")
        );
        assert!(config.file_credential("marker.example").is_none());
        assert!(config.file_credential("null.example").is_none());
        assert!(config.file_credential("ghcr.io").is_none());
        assert!(ConfigFile::parse("  \n", "cfg").unwrap().auths.is_empty());
    }

    #[test]
    fn malformed_config_names_the_file_and_the_problem() {
        let e = ConfigFile::parse("{\"auths\": {", "/x/config.json")
            .err()
            .unwrap();
        assert_eq!(e.code(), "InvalidInput");
        let msg = e.to_string();
        assert!(msg.contains("/x/config.json is not valid JSON"), "{msg}");
        assert!(msg.contains("line 1"), "{msg}");

        let cases = [
            ("[]", "is not a JSON object"),
            (r#"{"auths": 3}"#, "“auths” that is not a JSON object"),
            (
                r#"{"auths": {"h": {"auth": "%%%"}}}"#,
                "auths entry for “h”: “auth” is not valid base64",
            ),
            (
                r#"{"auths": {"h": {"auth": "bm9jb2xvbg=="}}}"#,
                "“auth” does not hold user:password",
            ),
            (r#"{"credsStore": 1}"#, "“credsStore” that is not a string"),
            (
                r#"{"credHelpers": {"h": 1}}"#,
                "“credHelpers” entry for “h”",
            ),
        ];
        for (json, expected) in cases {
            let msg = ConfigFile::parse(json, "/x/config.json")
                .err()
                .unwrap()
                .to_string();
            assert!(msg.contains("/x/config.json"), "{msg}");
            assert!(msg.contains(expected), "{json}: {msg}");
        }
    }

    #[tokio::test]
    async fn missing_and_malformed_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = CredentialStore::with_config_dir(dir.path().to_path_buf());
        assert!(store.get("docker.io").await.unwrap().is_none());
        assert!(store.list().await.unwrap().is_empty());
        store.erase("docker.io").await.unwrap();
        assert!(
            !dir.path().join("config.json").exists(),
            "erase wrote a file"
        );

        write_config(dir.path(), "{ not json");
        let msg = store.get("docker.io").await.unwrap_err().to_string();
        assert!(
            msg.contains(&dir.path().join("config.json").display().to_string()),
            "{msg}"
        );
        assert!(msg.contains("is not valid JSON"), "{msg}");
    }

    #[tokio::test]
    async fn file_store_keeps_other_fields_and_0600() {
        let dir = tempfile::tempdir().unwrap();
        write_config(
            dir.path(),
            r#"{"psFormat": "x", "proxies": {"default": {"httpProxy": "p"}},
                "auths": {"other.io": {"auth": "dTpw", "email": "e@x"}}}"#,
        );
        let store = CredentialStore::with_config_dir(dir.path().to_path_buf());
        let cred = Credential::password("alice", SECRET);

        // No helper and no permission to write the file: nothing is saved.
        assert_eq!(
            store.store("docker.io", &cred, false).await.unwrap(),
            Source::None
        );
        assert!(store.get("docker.io").await.unwrap().is_none());

        assert_eq!(
            store.store("docker.io", &cred, true).await.unwrap(),
            Source::ConfigFile
        );
        let doc = read_config(dir.path());
        assert_eq!(doc["psFormat"], "x");
        assert_eq!(doc["proxies"]["default"]["httpProxy"], "p");
        assert_eq!(doc["auths"]["other.io"]["email"], "e@x");
        assert_eq!(
            doc["auths"][INDEX_SERVER]["auth"],
            base64_encode(format!("alice:{SECRET}").as_bytes())
        );
        assert!(doc["auths"][INDEX_SERVER].get("password").is_none());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("config.json"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // No temporary file left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

        assert_eq!(store.get("index.docker.io").await.unwrap(), Some(cred));
        let token = Credential::identity_token("bob", "tok");
        store
            .store("https://localhost:5000/v2/", &token, true)
            .await
            .unwrap();
        assert_eq!(store.get("localhost:5000").await.unwrap(), Some(token));

        let listed = store.list().await.unwrap();
        let names: Vec<_> = listed.iter().map(|l| l.registry.as_str()).collect();
        assert_eq!(names, ["docker.io", "localhost:5000", "other.io"]);
        assert_eq!(listed[0].username.as_deref(), Some("alice"));
        assert_eq!(listed[0].source, Source::ConfigFile);

        store.erase("docker.io").await.unwrap();
        assert!(store.get("docker.io").await.unwrap().is_none());
        let doc = read_config(dir.path());
        assert_eq!(doc["psFormat"], "x");
        assert!(doc["auths"].get(INDEX_SERVER).is_none());
        assert!(doc["auths"].get("localhost:5000").is_some());
    }

    #[tokio::test]
    async fn file_store_creates_the_folder_and_file() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("nested").join(".docker");
        let store = CredentialStore::with_config_dir(cfg.clone());
        store
            .store("ghcr.io", &Credential::password("u", "p"), true)
            .await
            .unwrap();
        assert_eq!(read_config(&cfg)["auths"]["ghcr.io"]["auth"], "dTpw");
    }

    #[tokio::test]
    async fn legacy_keys_match_by_host_and_erase_removes_them_all() {
        let dir = tempfile::tempdir().unwrap();
        write_config(
            dir.path(),
            r#"{"auths": {"https://localhost:5000/v2/": {"auth": "dTpw"},
                          "http://localhost:5000": {},
                          "index.docker.io": {"auth": "aDpw"}}}"#,
        );
        let store = CredentialStore::with_config_dir(dir.path().to_path_buf());
        assert_eq!(
            store.get("localhost:5000").await.unwrap(),
            Some(Credential::password("u", "p"))
        );
        assert_eq!(
            store.get("docker.io").await.unwrap(),
            Some(Credential::password("h", "p"))
        );
        store.erase("localhost:5000").await.unwrap();
        let doc = read_config(dir.path());
        assert_eq!(doc["auths"].as_object().unwrap().len(), 1);
    }

    #[test]
    fn docker_credentials_carry_the_cli_server_address() {
        let c = to_docker_credentials("docker.io", &Credential::password("u", "p"));
        assert_eq!(c.serveraddress.as_deref(), Some(INDEX_SERVER));
        assert_eq!(c.username.as_deref(), Some("u"));
        assert_eq!(c.password.as_deref(), Some("p"));
        assert!(c.identitytoken.is_none());
        let t = to_docker_credentials("localhost:5000", &Credential::identity_token("", "t"));
        assert_eq!(t.serveraddress.as_deref(), Some("localhost:5000"));
        assert!(t.username.is_none());
        assert!(t.password.is_none());
        assert_eq!(t.identitytoken.as_deref(), Some("t"));
    }

    #[test]
    fn store_input_is_validated() {
        let bad = [
            Credential::password("", "p"),
            Credential::password("u", ""),
            Credential::password("a:b", "p"),
            Credential::identity_token("", ""),
        ];
        for cred in bad {
            assert_eq!(
                validate_credential(&cred).unwrap_err().code(),
                "InvalidInput"
            );
        }
        validate_credential(&Credential::identity_token("", "t")).unwrap();
    }

    #[test]
    fn source_and_logged_in_serialise_for_the_ui() {
        let l = LoggedIn {
            registry: "ghcr.io".into(),
            username: None,
            source: Source::Helper { name: "gh".into() },
        };
        assert_eq!(
            serde_json::to_value(&l).unwrap(),
            serde_json::json!({"registry": "ghcr.io", "username": null,
                               "source": {"kind": "helper", "name": "gh"}})
        );
        assert_eq!(
            serde_json::to_value(Source::ConfigFile).unwrap(),
            serde_json::json!({"kind": "configFile"})
        );
    }

    #[test]
    fn helper_output_is_cleaned_and_redacted() {
        let long = format!("{}{}", "x".repeat(495), SECRET);
        let cleaned = clean_output(&long, Some(SECRET));
        assert!(!cleaned.contains(&SECRET[..5]), "{cleaned}");
        assert_eq!(clean_output("a\u{1b}[31mb\n", None), "a[31mb");
        assert_eq!(human_duration(Duration::from_millis(300)), "300 ms");
        assert_eq!(human_duration(Duration::from_secs(10)), "10 s");
    }

    #[cfg(unix)]
    mod helpers {
        use std::time::Instant;

        use super::*;

        /// Writes `docker-credential-<name>` running `body` into `dir`.
        fn helper(dir: &Path, name: &str, body: &str) {
            use std::os::unix::fs::PermissionsExt;
            let path = dir.join(format!("docker-credential-{name}"));
            std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }

        /// A helper keeping one credential in `$0.state`, as the real ones do in a keychain.
        const STATEFUL: &str = r#"
state="$0.state"
echo "$1" >> "$0.log"
case "$1" in
  store) cat > "$state" ;;
  get)
    url=$(cat)
    if [ -f "$state" ] && grep -qF "\"ServerURL\":\"$url\"" "$state"; then cat "$state"
    else echo "credentials not found in native keychain"; exit 1; fi ;;
  erase)
    url=$(cat)
    if [ -f "$state" ] && grep -qF "\"ServerURL\":\"$url\"" "$state"; then rm "$state"
    else echo "credentials not found in native keychain"; exit 1; fi ;;
  list)
    if [ -f "$state" ]; then
      sed 's/^{"ServerURL":"\([^"]*\)","Username":"\([^"]*\)".*$/{"\1":"\2"}/' "$state"
    else echo '{}'; fi ;;
  *) echo "unknown action $1"; exit 1 ;;
esac
"#;

        struct Fixture {
            dir: tempfile::TempDir,
            bin: tempfile::TempDir,
        }

        impl Fixture {
            fn new(config: &str) -> Self {
                let f = Self {
                    dir: tempfile::tempdir().unwrap(),
                    bin: tempfile::tempdir().unwrap(),
                };
                write_config(f.dir.path(), config);
                f
            }

            fn store(&self) -> CredentialStore {
                CredentialStore::with_config_dir(self.dir.path().to_path_buf())
                    .helper_search_path(self.bin.path())
                    .helper_timeout(Duration::from_millis(300))
            }
        }

        #[tokio::test]
        async fn helper_round_trip() {
            let f = Fixture::new(r#"{"credsStore": "fake", "currentContext": "c"}"#);
            helper(f.bin.path(), "fake", STATEFUL);
            let store = f.store().helper_timeout(Duration::from_secs(10));
            let cred = Credential::password("alice", SECRET);

            // allow_file is irrelevant when a helper is configured.
            let source = store.store("docker.io", &cred, false).await.unwrap();
            assert_eq!(
                source,
                Source::Helper {
                    name: "fake".into()
                }
            );
            let state =
                std::fs::read_to_string(f.bin.path().join("docker-credential-fake.state")).unwrap();
            assert_eq!(
                state,
                format!("{{\"ServerURL\":\"{INDEX_SERVER}\",\"Username\":\"alice\",\"Secret\":\"{SECRET}\"}}\n")
            );
            // config.json keeps only an empty marker, and its other fields.
            let doc = read_config(f.dir.path());
            assert_eq!(doc["auths"][INDEX_SERVER], serde_json::json!({}));
            assert_eq!(doc["currentContext"], "c");
            assert!(!serde_json::to_string(&doc).unwrap().contains(SECRET));

            assert_eq!(store.get("index.docker.io").await.unwrap(), Some(cred));
            assert!(store.get("ghcr.io").await.unwrap().is_none());

            let listed = store.list().await.unwrap();
            assert_eq!(
                listed,
                [LoggedIn {
                    registry: "docker.io".into(),
                    username: Some("alice".into()),
                    source: Source::Helper {
                        name: "fake".into()
                    },
                }]
            );

            store.erase("docker.io").await.unwrap();
            assert!(store.get("docker.io").await.unwrap().is_none());
            assert!(read_config(f.dir.path())["auths"]
                .as_object()
                .unwrap()
                .is_empty());
            // Erasing again is fine: the helper's "not found" is not an error.
            store.erase("docker.io").await.unwrap();
            assert!(store.list().await.unwrap().is_empty());

            let log =
                std::fs::read_to_string(f.bin.path().join("docker-credential-fake.log")).unwrap();
            assert_eq!(
                log.lines().collect::<Vec<_>>(),
                ["store", "get", "get", "list", "erase", "get", "erase", "list"]
            );
        }

        #[tokio::test]
        async fn identity_tokens_go_through_helpers_as_token_user() {
            let f = Fixture::new(r#"{"credsStore": "fake"}"#);
            helper(f.bin.path(), "fake", STATEFUL);
            let store = f.store().helper_timeout(Duration::from_secs(10));
            store
                .store(
                    "localhost:5000",
                    &Credential::identity_token("bob", "tok"),
                    false,
                )
                .await
                .unwrap();
            assert_eq!(
                store.get("localhost:5000").await.unwrap(),
                Some(Credential::identity_token("", "tok"))
            );
            let listed = store.list().await.unwrap();
            assert_eq!(listed[0].registry, "localhost:5000");
            assert_eq!(listed[0].username, None);
        }

        #[tokio::test]
        async fn precedence_is_cred_helpers_then_creds_store_then_auths() {
            let fixed = |user: &str| {
                format!(
                    r#"[ "$1" = get ] || {{ echo '{{}}'; exit 0; }}; url=$(cat); printf '{{"ServerURL":"%s","Username":"{user}","Secret":"x"}}' "$url""#
                )
            };
            let config = format!(
                r#"{{"auths": {{"ghcr.io": {{"auth": "{a}"}}, "quay.io": {{"auth": "{a}"}},
                             "file.io": {{"auth": "{a}"}}}},
                   "credHelpers": {{"ghcr.io": "pinned", "file.io": ""}},
                   "credsStore": "general"}}"#,
                a = base64_encode(b"fromfile:x")
            );
            let f = Fixture::new(&config);
            helper(f.bin.path(), "pinned", &fixed("pinned"));
            helper(f.bin.path(), "general", &fixed("general"));
            let store = f.store().helper_timeout(Duration::from_secs(10));
            let user = |c: Option<Credential>| c.unwrap().username;
            assert_eq!(user(store.get("ghcr.io").await.unwrap()), "pinned");
            assert_eq!(
                user(store.get("https://ghcr.io/v2/").await.unwrap()),
                "pinned"
            );
            assert_eq!(user(store.get("quay.io").await.unwrap()), "general");
            assert_eq!(user(store.get("docker.io").await.unwrap()), "general");
            // An empty credHelpers entry means "the file", even with a credsStore.
            assert_eq!(user(store.get("file.io").await.unwrap()), "fromfile");

            // Without credsStore, auths answers for everything not pinned.
            let config = format!(
                r#"{{"auths": {{"ghcr.io": {{"auth": "{a}"}}, "quay.io": {{"auth": "{a}"}}}},
                   "credHelpers": {{"ghcr.io": "pinned"}}}}"#,
                a = base64_encode(b"fromfile:x")
            );
            write_config(f.dir.path(), &config);
            assert_eq!(user(store.get("ghcr.io").await.unwrap()), "pinned");
            assert_eq!(user(store.get("quay.io").await.unwrap()), "fromfile");
            let listed = store.list().await.unwrap();
            assert_eq!(
                listed,
                [
                    LoggedIn {
                        registry: "ghcr.io".into(),
                        username: Some("pinned".into()),
                        source: Source::Helper {
                            name: "pinned".into()
                        },
                    },
                    LoggedIn {
                        registry: "quay.io".into(),
                        username: Some("fromfile".into()),
                        source: Source::ConfigFile,
                    },
                ]
            );
        }

        #[tokio::test]
        async fn hanging_helper_is_killed_after_the_timeout() {
            let f = Fixture::new(r#"{"credsStore": "hang"}"#);
            helper(f.bin.path(), "hang", "echo $$ > \"$0.pid\"\nexec sleep 30");
            let store = f.store();
            let started = Instant::now();
            let err = store.get("docker.io").await.unwrap_err();
            let elapsed = started.elapsed();
            assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
            assert_eq!(
                err.to_string(),
                "docker-credential-hang get did not answer within 300 ms and was stopped"
            );
            let pid =
                std::fs::read_to_string(f.bin.path().join("docker-credential-hang.pid")).unwrap();
            #[cfg(target_os = "linux")]
            assert!(
                !Path::new(&format!("/proc/{}", pid.trim())).exists(),
                "helper {pid} still runs"
            );
            let _ = pid;
        }

        #[tokio::test]
        async fn not_found_on_stderr_is_not_an_error() {
            let f = Fixture::new(r#"{"credsStore": "nf"}"#);
            helper(
                f.bin.path(),
                "nf",
                "cat >/dev/null\necho 'credentials not found in native keychain' >&2\nexit 1",
            );
            assert!(f.store().get("ghcr.io").await.unwrap().is_none());
            f.store().erase("ghcr.io").await.unwrap();
        }

        #[tokio::test]
        async fn garbage_output_is_reported() {
            let f = Fixture::new(r#"{"credsStore": "junk"}"#);
            helper(f.bin.path(), "junk", &format!("echo 'oops {SECRET}'"));
            let store = f.store();
            let msg = store.get("docker.io").await.unwrap_err().to_string();
            assert_eq!(
                msg,
                "docker-credential-junk get printed something that is not JSON with ServerURL, Username and Secret"
            );
            let msg = store.list().await.unwrap_err().to_string();
            assert!(
                msg.contains("list printed something that is not JSON"),
                "{msg}"
            );
        }

        #[tokio::test]
        async fn failing_helper_reports_its_message() {
            let f = Fixture::new(r#"{"credsStore": "fail"}"#);
            helper(
                f.bin.path(),
                "fail",
                "echo 'keychain is locked' >&2\nexit 3",
            );
            let msg = f.store().get("docker.io").await.unwrap_err().to_string();
            assert_eq!(
                msg,
                "docker-credential-fail get failed (exit status 3): keychain is locked"
            );
        }

        #[tokio::test]
        async fn missing_helper_says_where_it_is_named() {
            let f = Fixture::new(r#"{"credsStore": "nope", "credHelpers": {"ghcr.io": "gone"}}"#);
            let store = f.store();
            let config = f.dir.path().join("config.json");
            let msg = store.get("docker.io").await.unwrap_err().to_string();
            assert_eq!(
                msg,
                format!(
                    "docker-credential-nope is not installed (credsStore in {} names it)",
                    config.display()
                )
            );
            let msg = store
                .store("ghcr.io", &Credential::password("u", SECRET), true)
                .await
                .unwrap_err()
                .to_string();
            assert!(
                msg.starts_with("docker-credential-gone is not installed (credHelpers in"),
                "{msg}"
            );
            assert!(msg.ends_with("names it for ghcr.io)"), "{msg}");

            // From the environment, the path is shown the way people know it.
            let home = tempfile::tempdir().unwrap();
            let docker = home.path().join(".docker");
            std::fs::create_dir(&docker).unwrap();
            write_config(&docker, r#"{"credsStore": "foo"}"#);
            let env = Environment {
                home: Some(home.path().to_path_buf()),
                ..Default::default()
            };
            let store = CredentialStore::from_env(&env).helper_search_path(f.bin.path());
            let msg = store.get("docker.io").await.unwrap_err().to_string();
            assert_eq!(
                msg,
                "docker-credential-foo is not installed (credsStore in ~/.docker/config.json names it)"
            );

            write_config(f.dir.path(), r#"{"credsStore": "../evil"}"#);
            let err = f.store().get("docker.io").await.unwrap_err();
            assert_eq!(err.code(), "InvalidInput");
        }

        #[tokio::test]
        async fn secrets_never_reach_messages_or_debug() {
            let cred = Credential::password("alice", SECRET);
            assert!(!format!("{cred:?}").contains(SECRET));
            assert!(!format!("{:?}", Credential::identity_token("", SECRET)).contains(SECRET));

            // A helper that echoes its input (the secret) while failing.
            let f = Fixture::new(r#"{"credsStore": "echo"}"#);
            helper(f.bin.path(), "echo", "cat\nexit 1");
            let err = f.store().store("docker.io", &cred, true).await.unwrap_err();
            let msg = err.to_string();
            assert!(msg.contains("store failed (exit status 1)"), "{msg}");
            assert!(msg.contains("[secret]"), "{msg}");
            assert!(!msg.contains(SECRET), "{msg}");
            assert!(!format!("{err:?}").contains(SECRET));

            // A helper that prints the secret in something that is not JSON.
            helper(
                f.bin.path(),
                "echo",
                &format!("echo '{{\"Secret\": {SECRET}'"),
            );
            let err = f.store().get("docker.io").await.unwrap_err();
            assert!(!format!("{err} {err:?}").contains(SECRET));

            // A config file with the secret where an object belongs.
            let bad = format!(r#"{{"auths": {{"h": "{SECRET}"}}, "credsStore": "{SECRET}x"}}"#);
            let err = ConfigFile::parse(&bad, "cfg").err().unwrap();
            assert!(!format!("{err} {err:?}").contains(SECRET));
            let bad = format!(r#"{{"auths": {{"h": {{"auth": 1, "password": "{SECRET}"}}}}}}"#);
            let err = ConfigFile::parse(&bad, "cfg").err().unwrap();
            assert!(!format!("{err} {err:?}").contains(SECRET));
        }
    }
}
