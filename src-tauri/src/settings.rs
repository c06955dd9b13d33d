//! The app's settings: one typed, versioned struct owned by Rust, kept with tauri-plugin-store
//! (`settings.json` in the app data folder). Older layouts are migrated when read. Secrets never
//! go here (logins live in credential helpers or the OS keychain).

use dockwright_engine::EngineError;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use specta::Type;

/// The layout written now.
pub const VERSION: u32 = 2;
/// The store file and the key the settings live under.
pub const STORE_FILE: &str = "settings.json";
pub const STORE_KEY: &str = "settings";

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Notifications {
    pub build_finished: bool,
    pub push_finished: bool,
    /// A container that exits with a non-zero code the user did not cause.
    pub container_died: bool,
    pub container_unhealthy: bool,
}

impl Default for Notifications {
    fn default() -> Self {
        Self {
            build_finished: true,
            push_finished: true,
            container_died: true,
            container_unhealthy: true,
        }
    }
}

/// Every field is required over IPC; a stored file with fields missing (an older or newer
/// build) gets the defaults for them in [`migrate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub version: u32,
    /// Overrides `DOCKER_HOST` and docker contexts when set (`unix:///…`, `tcp://host:port`).
    pub engine_host: Option<String>,
    pub theme: Theme,
    /// Log lines loaded before following.
    pub log_tail_lines: u32,
    /// The log viewer's memory cap.
    pub log_buffer_mb: u32,
    /// Closing the window keeps the app in the tray.
    pub close_to_tray: bool,
    pub notifications: Notifications,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            version: VERSION,
            engine_host: None,
            theme: Theme::System,
            log_tail_lines: 1000,
            log_buffer_mb: 64,
            close_to_tray: false,
            notifications: Notifications::default(),
        }
    }
}

impl Settings {
    /// Checks every field; the engine endpoint is parsed as the engine would.
    pub fn validate(mut self) -> Result<Self, EngineError> {
        self.version = VERSION;
        self.engine_host = self
            .engine_host
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty());
        if let Some(h) = &self.engine_host {
            dockwright_engine::connect::parse_host(h, None, "engineHost")?;
        }
        if !(10..=1_000_000).contains(&self.log_tail_lines) {
            return Err(EngineError::invalid(
                "logTailLines",
                "Between 10 and 1,000,000 lines.",
            ));
        }
        if !(1..=4096).contains(&self.log_buffer_mb) {
            return Err(EngineError::invalid(
                "logBufferMb",
                "Between 1 and 4096 MB.",
            ));
        }
        Ok(self)
    }
}

/// Reads whatever a store holds (nothing, an older layout, the current one, or garbage) into
/// the current settings. Returns whether it changed, so the caller writes it back.
pub fn migrate(stored: Option<&Value>) -> (Settings, bool) {
    let Some(v) = stored else {
        return (Settings::default(), true);
    };
    let version = v.get("version").and_then(Value::as_u64).unwrap_or(1);
    let settings = match version {
        // Version 1 (the first layout): flat keys, a dark-mode flag, log lines as "logLines".
        1 => {
            let off = Notifications {
                build_finished: false,
                push_finished: false,
                container_died: false,
                container_unhealthy: false,
            };
            let defaults = Settings::default();
            Settings {
                engine_host: v
                    .get("dockerHost")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .filter(|h| !h.trim().is_empty()),
                theme: match v.get("darkMode").and_then(Value::as_bool) {
                    Some(true) => Theme::Dark,
                    Some(false) => Theme::Light,
                    None => Theme::System,
                },
                log_tail_lines: v
                    .get("logLines")
                    .and_then(Value::as_u64)
                    .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
                    .unwrap_or(defaults.log_tail_lines),
                close_to_tray: v
                    .get("minimizeToTray")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                notifications: match v.get("notify").and_then(Value::as_bool) {
                    Some(false) => off,
                    _ => Notifications::default(),
                },
                ..defaults
            }
        }
        _ => {
            // Field by field over the defaults, so a missing or unknown field costs nothing.
            let mut merged = serde_json::to_value(Settings::default()).unwrap_or_default();
            merge(&mut merged, v);
            serde_json::from_value::<Settings>(merged).unwrap_or_default()
        }
    };
    // Anything out of range falls back to the default for that field.
    let defaults = Settings::default();
    let mut s = settings;
    if s.clone().validate().is_err() {
        if s.engine_host
            .as_deref()
            .is_some_and(|h| dockwright_engine::connect::parse_host(h, None, "engineHost").is_err())
        {
            s.engine_host = None;
        }
        if !(10..=1_000_000).contains(&s.log_tail_lines) {
            s.log_tail_lines = defaults.log_tail_lines;
        }
        if !(1..=4096).contains(&s.log_buffer_mb) {
            s.log_buffer_mb = defaults.log_buffer_mb;
        }
    }
    s.version = VERSION;
    let changed = serde_json::to_value(&s).ok().as_ref() != Some(v);
    (s, changed)
}

/// Overlays `top` on `base`, object by object; values of the wrong type keep the base.
fn merge(base: &mut Value, top: &Value) {
    match (base, top) {
        (Value::Object(b), Value::Object(t)) => {
            for (k, tv) in t {
                if let Some(bv) = b.get_mut(k) {
                    merge(bv, tv);
                }
            }
        }
        (b @ Value::Null, t) => *b = t.clone(),
        (b, t) if std::mem::discriminant(b) == std::mem::discriminant(t) => *b = t.clone(),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nothing_stored_gives_the_defaults() {
        let (s, changed) = migrate(None);
        assert_eq!(s, Settings::default());
        assert!(changed);
    }

    #[test]
    fn version_1_is_migrated_field_by_field() {
        let v1 = json!({
            "dockerHost": "tcp://10.0.0.5:2375",
            "darkMode": true,
            "logLines": 5000,
            "minimizeToTray": true,
            "notify": false
        });
        let (s, changed) = migrate(Some(&v1));
        assert!(changed);
        assert_eq!(s.version, VERSION);
        assert_eq!(s.engine_host.as_deref(), Some("tcp://10.0.0.5:2375"));
        assert_eq!(s.theme, Theme::Dark);
        assert_eq!(s.log_tail_lines, 5000);
        assert!(s.close_to_tray);
        assert!(!s.notifications.build_finished && !s.notifications.container_died);
        assert_eq!(s.log_buffer_mb, 64, "new fields get their defaults");
        // Migrating what it wrote changes nothing.
        let (again, changed) = migrate(Some(&serde_json::to_value(&s).unwrap()));
        assert_eq!(again, s);
        assert!(!changed);
    }

    #[test]
    fn bad_values_fall_back_field_by_field() {
        let v =
            json!({"version": 2, "engineHost": "ftp://nope", "logTailLines": 0, "theme": "dark"});
        let (s, _) = migrate(Some(&v));
        assert_eq!(s.engine_host, None);
        assert_eq!(s.log_tail_lines, 1000);
        assert_eq!(s.theme, Theme::Dark);
        let (s, _) = migrate(Some(&json!("garbage")));
        assert_eq!(s, Settings::default());
        // Missing and wrongly typed fields keep their defaults; the others are kept.
        let (s, _) = migrate(Some(
            &json!({"version": 2, "closeToTray": true, "logBufferMb": "lots", "notifications": {"pushFinished": false}}),
        ));
        assert!(s.close_to_tray);
        assert_eq!(s.log_buffer_mb, 64);
        assert!(!s.notifications.push_finished && s.notifications.build_finished);
    }

    #[test]
    fn validation_names_the_field() {
        let e = Settings {
            engine_host: Some("htp://x".into()),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.code(), "InvalidInput");
        assert!(matches!(e, EngineError::InvalidInput { ref field, .. } if field == "engineHost"));
        let ok = Settings {
            engine_host: Some("  unix:///run/docker.sock ".into()),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(ok.engine_host.as_deref(), Some("unix:///run/docker.sock"));
        assert!(Settings {
            log_buffer_mb: 0,
            ..Default::default()
        }
        .validate()
        .is_err());
    }
}
