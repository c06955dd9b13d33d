//! Logins Dockwright keeps itself when the user has no credential helper: in the OS keychain
//! (Keychain on macOS, Credential Manager on Windows, the Secret Service on Linux). Never in a
//! settings file, never in logs. The calls block (D-Bus, XPC): run them off the async runtime.

use serde::{Deserialize, Serialize};

use crate::credentials::{auth_key, display_registry, Credential};
use crate::error::{EngineError, Result};

/// The keychain service name of every entry.
pub const SERVICE: &str = "dev.dockwright.registry";
/// The entry that lists the registries stored (names only, no secrets).
const INDEX: &str = "_registries";

#[derive(Serialize, Deserialize)]
struct Stored {
    username: String,
    secret: String,
    identity_token: bool,
}

#[derive(Debug, Clone)]
pub struct Keychain {
    service: String,
}

impl Default for Keychain {
    fn default() -> Self {
        Self::new()
    }
}

fn unavailable(e: keyring::Error) -> EngineError {
    match e {
        keyring::Error::NoStorageAccess(_) | keyring::Error::PlatformFailure(_) => {
            EngineError::Failed(format!(
                "The OS keychain cannot be used ({e}). {}",
                if cfg!(target_os = "linux") {
                    "On Linux a Secret Service (GNOME Keyring or KWallet) must be running and unlocked; or configure a Docker credential helper (credsStore in ~/.docker/config.json)."
                } else {
                    "Unlock it, or configure a Docker credential helper."
                }
            ))
        }
        other => EngineError::Failed(format!("The OS keychain failed: {other}")),
    }
}

impl Keychain {
    pub fn new() -> Self {
        Self {
            service: SERVICE.to_owned(),
        }
    }

    /// A separate service name (tests).
    pub fn with_service(service: &str) -> Self {
        Self {
            service: service.to_owned(),
        }
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, account).map_err(unavailable)
    }

    fn index(&self) -> Result<Vec<String>> {
        match self.entry(INDEX)?.get_password() {
            Ok(text) => Ok(serde_json::from_str(&text).unwrap_or_default()),
            Err(keyring::Error::NoEntry) => Ok(Vec::new()),
            Err(e) => Err(unavailable(e)),
        }
    }

    fn set_index(&self, list: &[String]) -> Result<()> {
        let text = serde_json::to_string(list).unwrap_or_else(|_| "[]".into());
        self.entry(INDEX)?.set_password(&text).map_err(unavailable)
    }

    pub fn store(&self, registry: &str, cred: &Credential) -> Result<()> {
        let key = auth_key(registry);
        let stored = Stored {
            username: cred.username.clone(),
            secret: cred.secret.clone(),
            identity_token: cred.identity_token,
        };
        let text = serde_json::to_string(&stored)
            .map_err(|e| EngineError::Other(format!("cannot encode the login: {e}")))?;
        self.entry(&key)?.set_password(&text).map_err(unavailable)?;
        let mut index = self.index()?;
        if !index.contains(&key) {
            index.push(key);
            self.set_index(&index)?;
        }
        Ok(())
    }

    pub fn get(&self, registry: &str) -> Result<Option<Credential>> {
        match self.entry(&auth_key(registry))?.get_password() {
            Ok(text) => {
                let s: Stored = serde_json::from_str(&text).map_err(|_| {
                    EngineError::Failed(format!(
                        "The keychain entry for {} is not Dockwright's; log in again.",
                        display_registry(registry)
                    ))
                })?;
                Ok(Some(Credential {
                    username: s.username,
                    secret: s.secret,
                    identity_token: s.identity_token,
                }))
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    pub fn erase(&self, registry: &str) -> Result<()> {
        let key = auth_key(registry);
        match self.entry(&key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => {}
            Err(e) => return Err(unavailable(e)),
        }
        let mut index = self.index()?;
        if index.contains(&key) {
            index.retain(|k| *k != key);
            self.set_index(&index)?;
        }
        Ok(())
    }

    /// The registries stored here, as shown to people, with their user names.
    pub fn list(&self) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        for key in self.index()? {
            if let Some(c) = self.get(&key)? {
                out.push((display_registry(&key), c.username));
            }
        }
        Ok(out)
    }
}
