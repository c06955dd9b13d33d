//! Registries through the daemon: checking a login (`POST /auth`, what `docker login` does) and
//! pushing with per-layer progress.

use bollard::auth::DockerCredentials;
use futures_util::StreamExt;
use serde::Serialize;
use specta::Type;
use tokio_util::sync::CancellationToken;

use crate::connect::Engine;
use crate::error::{clean_daemon_message, EngineError, Result};
use crate::progress::{ProgressTracker, TransferProgress};
use crate::reference::Reference;

/// How long a push may wait for the daemon's first answer.
const PUSH_HEADER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(600);

/// The address credentials are sent with for a registry host (`docker.io` → Docker Hub's).
pub use crate::credentials::auth_key as server_address;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PushResult {
    pub reference: String,
    pub digest: Option<String>,
    pub status: Option<String>,
}

/// Says what to do about a registry error, from the daemon's text.
pub(crate) fn registry_error(registry: &str, message: &str) -> EngineError {
    let m = clean_daemon_message(message);
    let lower = m.to_ascii_lowercase();
    if lower.contains("unauthorized")
        || lower.contains("incorrect username or password")
        || lower.contains("authentication required")
        || lower.contains("no basic auth credentials")
    {
        EngineError::Unauthorized(format!(
            "{registry} refused the credentials: {m}. Check the user name and password, or log in again."
        ))
    } else if lower.contains("certificate signed by unknown authority") || lower.contains("x509") {
        EngineError::Failed(format!(
            "The engine does not trust {registry}'s TLS certificate: {m}. Add the registry's CA to the engine (for Docker: /etc/docker/certs.d/{registry}/ca.crt)."
        ))
    } else if lower.contains("connection refused")
        || lower.contains("no such host")
        || lower.contains("i/o timeout")
        || lower.contains("dial tcp")
    {
        EngineError::Failed(format!("{registry} cannot be reached from the engine: {m}"))
    } else {
        EngineError::Failed(m)
    }
}

impl Engine {
    /// Checks credentials with the daemon, as `docker login` does (`POST /auth`): the daemon
    /// talks to the registry with its own trust settings. Returns the identity token when the
    /// registry gives one. Nothing is stored here.
    pub async fn check_login(
        &self,
        registry: &str,
        username: &str,
        password: &str,
    ) -> Result<Option<String>> {
        let registry = registry.trim();
        if registry.is_empty() || registry.contains(char::is_whitespace) {
            return Err(EngineError::invalid(
                "registry",
                "Enter a registry host, e.g. ghcr.io or localhost:5000 (docker.io for Docker Hub).",
            ));
        }
        if username.trim().is_empty() {
            return Err(EngineError::invalid("username", "Enter the user name."));
        }
        if password.is_empty() {
            return Err(EngineError::invalid(
                "password",
                "Enter the password or token.",
            ));
        }
        let body = serde_json::json!({
            "username": username.trim(),
            "password": password,
            "serveraddress": server_address(registry),
        });
        let body = bytes::Bytes::from(serde_json::to_vec(&body).unwrap_or_default());
        // bollard has no `/auth` call: turn a ping into it on a private clone of the client.
        let docker = self.docker.clone().with_request_modifier(move |req| {
            let (mut parts, _) = req.into_parts();
            let uri = parts.uri.to_string().replacen("/_ping", "/auth", 1);
            if let Ok(u) = uri.parse() {
                parts.uri = u;
            }
            parts.method = http::Method::POST;
            parts.headers.insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/json"),
            );
            http::Request::from_parts(parts, bollard::body_full(body.clone()))
        });
        match docker.ping().await {
            Ok(text) => {
                let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
                Ok(v.get("IdentityToken")
                    .and_then(|t| t.as_str())
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned))
            }
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code,
                message,
            }) if status_code != 404 => Err(match status_code {
                401 | 403 => registry_error(registry, &format!("unauthorized: {message}")),
                _ => registry_error(registry, &message),
            }),
            Err(e) => Err(self.err(e)),
        }
    }

    /// Follows a pull's or push's message stream to its end: progress snapshots every 100 ms
    /// and at the end, `cancel` obeyed, and an error in the stream (after HTTP 200) reported as
    /// the registry's failure, with what to do about it.
    pub(crate) async fn follow_transfer(
        &self,
        stream: impl futures_util::Stream<
            Item = std::result::Result<bollard::models::CreateImageInfo, bollard::errors::Error>,
        >,
        reference: &Reference,
        cancel: CancellationToken,
        on_progress: &mut impl FnMut(TransferProgress),
    ) -> Result<ProgressTracker> {
        let registry = reference.registry();
        let mut stream = std::pin::pin!(stream);
        let mut tracker = ProgressTracker::new();
        let mut last = std::time::Instant::now();
        loop {
            let item = tokio::select! {
                _ = cancel.cancelled() => return Err(EngineError::Cancelled),
                item = stream.next() => item,
            };
            let Some(item) = item else { break };
            let info = item.map_err(|e| match self.err(e) {
                EngineError::NotFound(m) => {
                    EngineError::NotFound(format!("{} was not found: {m}", reference.familiar()))
                }
                // The registry's answer, relayed by the daemon: say what to do about it.
                EngineError::Api { message, .. } | EngineError::Failed(message) => {
                    registry_error(registry, &message)
                }
                other => other,
            })?;
            if let Some(msg) = info.error_detail.and_then(|d| d.message) {
                return Err(registry_error(registry, &msg));
            }
            let (cur, tot) = info
                .progress_detail
                .map(|p| (p.current, p.total))
                .unwrap_or((None, None));
            tracker.update(info.id.as_deref(), info.status.as_deref(), cur, tot);
            if last.elapsed() >= std::time::Duration::from_millis(100) {
                last = std::time::Instant::now();
                on_progress(tracker.snapshot());
            }
        }
        on_progress(tracker.snapshot());
        Ok(tracker)
    }

    /// Pushes `reference` (a local tag) with per-layer progress. A stream that ends with an
    /// error is a failure even though the request succeeded; `cancel` stops it.
    pub async fn push_image(
        &self,
        reference: &Reference,
        credentials: Option<DockerCredentials>,
        cancel: CancellationToken,
        mut on_progress: impl FnMut(TransferProgress),
    ) -> Result<PushResult> {
        if reference.digest.is_some() {
            return Err(EngineError::invalid(
                "reference",
                "Push a tag, not a digest: tag the image first.",
            ));
        }
        let tag = reference.tag.clone().unwrap_or_else(|| "latest".into());
        let familiar = reference.familiar();
        if self.docker.inspect_image(&familiar).await.is_err() {
            return Err(EngineError::NotFound(format!(
                "There is no image {familiar} on this engine: tag an image with it first."
            )));
        }
        // bollard's push messages drop the layer id, so the request is made through the pull
        // call (same message shape, with ids) rewritten into `POST /images/{name}/push`.
        let path = format!("/images/{}/push?tag={}", reference.repository(), tag);
        let docker = self
            .docker
            .clone()
            .with_timeout(PUSH_HEADER_TIMEOUT)
            .with_request_modifier(move |req| {
                let (mut parts, body) = req.into_parts();
                let uri = parts.uri.to_string();
                if let Some(i) = uri.find("/images/create") {
                    if let Ok(u) = format!("{}{path}", &uri[..i]).parse() {
                        parts.uri = u;
                    }
                }
                http::Request::from_parts(parts, body)
            });
        let stream = docker.create_image(
            Some(bollard::query_parameters::CreateImageOptions {
                from_image: Some("push".into()),
                ..Default::default()
            }),
            None,
            // The daemon wants the header even when there is nothing to send (`{}`).
            Some(credentials.unwrap_or_default()),
        );
        let registry = reference.registry();
        let tracker = self
            .follow_transfer(stream, reference, cancel, &mut on_progress)
            .await?;
        let status = tracker.snapshot().status;
        if tracker.digest.is_none() {
            // A push that ends without a digest did not complete (an interrupted stream).
            return Err(EngineError::Failed(format!(
                "The push of {familiar} ended without a digest from {registry}; it did not complete."
            )));
        }
        Ok(PushResult {
            reference: familiar,
            digest: tracker.digest,
            status,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_errors_say_what_to_do() {
        let e = registry_error("r:5000", "unauthorized: authentication required");
        assert_eq!(e.code(), "Unauthorized");
        let e = registry_error(
            "r:5000",
            "Get \"https://r:5000/v2/\": x509: certificate signed by unknown authority",
        );
        assert!(
            e.to_string().contains("/etc/docker/certs.d/r:5000/ca.crt"),
            "{e}"
        );
        let e = registry_error(
            "r:5000",
            "dial tcp 127.0.0.1:5000: connect: connection refused",
        );
        assert!(e.to_string().contains("cannot be reached"), "{e}");
    }
}

/// The user's logins: the docker CLI's credential helpers and `config.json` first, the OS
/// keychain for logins made in Dockwright when no helper is configured.
#[derive(Debug, Clone)]
pub struct Logins {
    pub store: crate::credentials::CredentialStore,
    pub keychain: crate::keychain::Keychain,
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| EngineError::Other(format!("the keychain call failed: {e}")))?
}

impl Logins {
    pub fn new(env: &crate::Environment) -> Self {
        Self {
            store: crate::credentials::CredentialStore::from_env(env),
            keychain: crate::keychain::Keychain::new(),
        }
    }

    /// Checks the credentials with the daemon, then keeps them: in the credential helper the
    /// user configured for that registry, else in the OS keychain (never in a plain file).
    /// Wrong credentials are stored nowhere.
    pub async fn login(
        &self,
        engine: &Engine,
        registry: &str,
        username: &str,
        password: &str,
    ) -> Result<crate::credentials::LoggedIn> {
        use crate::credentials::{display_registry, Credential, LoggedIn, Source};
        let registry = registry.trim();
        let token = engine.check_login(registry, username, password).await?;
        let cred = match token {
            Some(t) => Credential::identity_token(username.trim(), t),
            None => Credential::password(username.trim(), password),
        };
        let source = match self.store.store(registry, &cred, false).await? {
            Source::None => {
                let (kc, r, c) = (self.keychain.clone(), registry.to_owned(), cred.clone());
                blocking(move || kc.store(&r, &c)).await?;
                Source::Keychain
            }
            other => other,
        };
        Ok(LoggedIn {
            registry: display_registry(registry),
            username: Some(cred.username),
            source,
        })
    }

    /// Forgets a login wherever it is kept.
    pub async fn logout(&self, registry: &str) -> Result<()> {
        let registry = registry.trim();
        if registry.is_empty() {
            return Err(EngineError::invalid("registry", "Choose a registry."));
        }
        let helper = self.store.erase(registry).await;
        let (kc, r) = (self.keychain.clone(), registry.to_owned());
        let keychain = blocking(move || kc.erase(&r)).await;
        // Either place may not hold it; only both failing is a failure.
        match (helper, keychain) {
            (Err(e), Err(_)) => Err(e),
            _ => Ok(()),
        }
    }

    /// Every registry the user is logged in to, from the docker CLI's stores and the keychain.
    pub async fn list(&self) -> Result<Vec<crate::credentials::LoggedIn>> {
        use crate::credentials::{LoggedIn, Source};
        let mut out = self.store.list().await?;
        let kc = self.keychain.clone();
        // A missing keychain must not hide the CLI's logins.
        let stored = blocking(move || kc.list()).await.unwrap_or_else(|e| {
            tracing::warn!("keychain unavailable: {e}");
            Vec::new()
        });
        for (registry, username) in stored {
            if !out.iter().any(|l| l.registry == registry) {
                out.push(LoggedIn {
                    registry,
                    username: Some(username),
                    source: Source::Keychain,
                });
            }
        }
        out.sort_by(|a, b| a.registry.cmp(&b.registry));
        Ok(out)
    }

    /// The credentials to send for `registry`, and only for it.
    pub async fn credentials_for(&self, registry: &str) -> Result<Option<DockerCredentials>> {
        let found = match self.store.get(registry).await? {
            Some(c) => Some(c),
            None => {
                let (kc, r) = (self.keychain.clone(), registry.to_owned());
                blocking(move || kc.get(&r)).await.unwrap_or(None)
            }
        };
        Ok(found.map(|c| crate::credentials::to_docker_credentials(registry, &c)))
    }
}
