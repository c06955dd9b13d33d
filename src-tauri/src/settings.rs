//! The app's settings: one typed, versioned struct owned by Rust, kept with tauri-plugin-store
//! (`settings.json` in the app data folder). Older layouts are migrated when read. Secrets never
//! go here (logins live in credential helpers or the OS keychain).

use dockwright_engine::EngineError;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use specta::Type;

/// The layout written now.
pub const VERSION: u32 = 3;
/// How many build folders "recent" keeps, and how many run presets can be saved.
pub const MAX_RECENT_CONTEXTS: usize = 10;
pub const MAX_RUN_PRESETS: usize = 50;
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

/// A saved `docker run` line under a name, offered by the Run dialog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RunPreset {
    pub name: String,
    pub line: String,
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
    /// Folders built lately, newest first (kept by the app at each build).
    pub recent_contexts: Vec<String>,
    pub run_presets: Vec<RunPreset>,
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
            recent_contexts: Vec::new(),
            run_presets: Vec::new(),
        }
    }
}

/// `next` where it differs from `base`, else `current`.
fn pick<T: PartialEq + Clone>(current: &T, base: &T, next: &T) -> T {
    if next != base { next } else { current }.clone()
}

/// `current` with what `next` removed from `base` taken out and what it added put at the end.
fn merge_list<T: PartialEq + Clone>(current: &[T], base: &[T], next: &[T]) -> Vec<T> {
    let mut out: Vec<T> = current
        .iter()
        .filter(|x| !base.contains(x) || next.contains(x))
        .cloned()
        .collect();
    for x in next {
        if !base.contains(x) && !out.contains(x) {
            out.push(x.clone());
        }
    }
    out
}

impl Settings {
    /// `next`, made by the page from `base`, applied to `current` (the settings now): only what
    /// the page changed is taken, so whatever changed since it read `base` (a build's recent
    /// folder, the theme toggled from the palette) is kept. Lists merge item by item.
    pub fn rebased(current: &Settings, base: &Settings, next: Settings) -> Settings {
        let (c, b, n) = (current, base, &next);
        Settings {
            version: n.version,
            engine_host: pick(&c.engine_host, &b.engine_host, &n.engine_host),
            theme: pick(&c.theme, &b.theme, &n.theme),
            log_tail_lines: pick(&c.log_tail_lines, &b.log_tail_lines, &n.log_tail_lines),
            log_buffer_mb: pick(&c.log_buffer_mb, &b.log_buffer_mb, &n.log_buffer_mb),
            close_to_tray: pick(&c.close_to_tray, &b.close_to_tray, &n.close_to_tray),
            notifications: Notifications {
                build_finished: pick(
                    &c.notifications.build_finished,
                    &b.notifications.build_finished,
                    &n.notifications.build_finished,
                ),
                push_finished: pick(
                    &c.notifications.push_finished,
                    &b.notifications.push_finished,
                    &n.notifications.push_finished,
                ),
                container_died: pick(
                    &c.notifications.container_died,
                    &b.notifications.container_died,
                    &n.notifications.container_died,
                ),
                container_unhealthy: pick(
                    &c.notifications.container_unhealthy,
                    &b.notifications.container_unhealthy,
                    &n.notifications.container_unhealthy,
                ),
            },
            recent_contexts: merge_list(&c.recent_contexts, &b.recent_contexts, &n.recent_contexts),
            run_presets: merge_list(&c.run_presets, &b.run_presets, &n.run_presets),
        }
    }

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
        self.recent_contexts.retain(|p| !p.trim().is_empty());
        let mut seen = std::collections::HashSet::new();
        self.recent_contexts.retain(|p| seen.insert(p.clone()));
        self.recent_contexts.truncate(MAX_RECENT_CONTEXTS);
        if self.run_presets.len() > MAX_RUN_PRESETS {
            return Err(EngineError::invalid(
                "runPresets",
                format!("At most {MAX_RUN_PRESETS} run presets can be saved."),
            ));
        }
        let mut names = std::collections::HashSet::new();
        for p in &mut self.run_presets {
            p.name = p.name.trim().to_owned();
            p.line = p.line.trim().to_owned();
            if p.name.is_empty() || p.name.chars().count() > 60 {
                return Err(EngineError::invalid(
                    "runPresets",
                    "A preset needs a name of 1 to 60 characters.",
                ));
            }
            if !names.insert(p.name.to_lowercase()) {
                return Err(EngineError::invalid(
                    "runPresets",
                    format!("There is already a preset named “{}”.", p.name),
                ));
            }
            // Only the line's shape: a bind folder that is gone later must not block saving the
            // other settings (the Run dialog checks the rest when the preset is used).
            match dockwright_engine::container::spec::parse_line(&p.line) {
                Ok(spec) => p.line = without_secrets(&p.line, spec),
                Err(e) => {
                    return Err(EngineError::invalid(
                        "runPresets",
                        format!(
                            "The preset “{}” is not a valid docker run line: {e}",
                            p.name
                        ),
                    ))
                }
            }
        }
        Ok(self)
    }

    /// Puts `path` first in the recent build folders.
    pub fn remember_context(&mut self, path: &str) {
        self.recent_contexts.retain(|p| p != path);
        self.recent_contexts.insert(0, path.to_owned());
        self.recent_contexts.truncate(MAX_RECENT_CONTEXTS);
    }
}

/// Words of an env variable's name (split at `_`, `-` and `.`) that mark its value a secret.
const SECRET_WORDS: [&str; 14] = [
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PASSPHRASE",
    "PWD",
    "SECRET",
    "SECRETS",
    "TOKEN",
    "APIKEY",
    "KEY",
    "CREDENTIAL",
    "CREDENTIALS",
    "AUTH",
    "PRIVATE",
];

/// Whether an env variable named `key` likely holds a secret (`DB_PASSWORD`, `API_TOKEN`,
/// `AWS_SECRET_ACCESS_KEY`, …). Not the ones that name where a secret is
/// (`POSTGRES_PASSWORD_FILE`, `SSH_KEY_PATH`), public keys, or the shell's `PWD`.
pub fn is_secret_name(key: &str) -> bool {
    let k = key.to_ascii_uppercase();
    let words: Vec<&str> = k.split(['_', '-', '.']).filter(|w| !w.is_empty()).collect();
    let names_a_place = matches!(
        words.last(),
        Some(&("FILE" | "PATH" | "DIR" | "URL" | "URI" | "HOST" | "PORT"))
    );
    k != "PWD"
        && !names_a_place
        && !words.contains(&"PUBLIC")
        && words.iter().any(|w| SECRET_WORDS.contains(w))
}

/// A preset's line as stored: the settings file is plain text, so the values of env variables
/// named like secrets are emptied (the Run dialog shows the empty rows to fill in). A line with
/// none is kept as typed.
fn without_secrets(line: &str, mut spec: dockwright_engine::container::spec::RunSpec) -> String {
    if !spec
        .env
        .iter()
        .any(|kv| is_secret_name(&kv.key) && !kv.value.is_empty())
    {
        return line.to_owned();
    }
    for kv in &mut spec.env {
        if is_secret_name(&kv.key) {
            kv.value.clear();
        }
    }
    spec.to_line()
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
            let defaults = serde_json::to_value(Settings::default()).unwrap_or_default();
            let mut merged = defaults.clone();
            merge(&mut merged, v);
            // The lists item by item: one broken entry costs that entry, not the settings.
            if let Some(Value::Array(items)) = merged.get_mut("runPresets") {
                items.retain(|i| serde_json::from_value::<RunPreset>(i.clone()).is_ok());
            }
            if let Some(Value::Array(items)) = merged.get_mut("recentContexts") {
                items.retain(Value::is_string);
            }
            // A value of the right JSON type can still be wrong (an unknown theme, a count
            // below zero): each field is tried alone over the defaults, and one that does not
            // fit keeps its default instead of costing all the others theirs.
            if let (Value::Object(m), Value::Object(d)) = (&mut merged, &defaults) {
                for (k, dv) in d {
                    let Some(mv) = m.get(k) else { continue };
                    if mv == dv {
                        continue;
                    }
                    let mut probe = d.clone();
                    probe.insert(k.clone(), mv.clone());
                    if serde_json::from_value::<Settings>(Value::Object(probe)).is_err() {
                        m.insert(k.clone(), dv.clone());
                    }
                }
            }
            serde_json::from_value::<Settings>(merged).unwrap_or_default()
        }
    };
    // Anything out of range falls back to the default for that field.
    let defaults = Settings::default();
    let mut s = settings;
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
    // Presets whose line no longer parses (or whose name is taken) are dropped, the others
    // kept. Bind sources that went away are not checked here: the Run dialog tells.
    let mut kept: Vec<RunPreset> = Vec::new();
    for mut p in std::mem::take(&mut s.run_presets) {
        p.name = p.name.trim().to_owned();
        p.line = p.line.trim().to_owned();
        let name_ok = !p.name.trim().is_empty()
            && p.name.trim().chars().count() <= 60
            && !kept
                .iter()
                .any(|k| k.name.to_lowercase() == p.name.to_lowercase());
        if !name_ok {
            continue;
        }
        if let Ok(spec) = dockwright_engine::container::spec::parse_line(&p.line) {
            kept.push(RunPreset {
                line: without_secrets(&p.line, spec),
                ..p
            });
        }
    }
    kept.truncate(MAX_RUN_PRESETS);
    s.run_presets = kept;
    s.recent_contexts.truncate(MAX_RECENT_CONTEXTS);
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
    fn version_2_gains_the_new_fields_and_keeps_the_rest() {
        let v2 = json!({
            "version": 2, "engineHost": null, "theme": "light", "logTailLines": 200,
            "logBufferMb": 32, "closeToTray": true,
            "notifications": {"buildFinished": false, "pushFinished": true,
                              "containerDied": true, "containerUnhealthy": false}
        });
        let (s, changed) = migrate(Some(&v2));
        assert!(changed);
        assert_eq!(s.version, 3);
        assert_eq!(s.theme, Theme::Light);
        assert_eq!((s.log_tail_lines, s.log_buffer_mb), (200, 32));
        assert!(s.close_to_tray && !s.notifications.build_finished);
        assert!(!s.notifications.container_unhealthy);
        assert!(s.recent_contexts.is_empty() && s.run_presets.is_empty());
        // A v3 file with one broken preset keeps the good one.
        let v3 = json!({"version": 3, "runPresets": [
            {"name": "web", "line": "docker run -d -p 8080:80 nginx"},
            {"name": "bad", "line": "docker ps -a"}
        ], "recentContexts": ["/a", "/b"]});
        let (s, _) = migrate(Some(&v3));
        assert_eq!(s.run_presets.len(), 1);
        assert_eq!(s.run_presets[0].name, "web");
        assert_eq!(s.recent_contexts, ["/a", "/b"]);
        // Entries of the wrong shape cost themselves only, not the other settings.
        let v3 = json!({"version": 3, "theme": "dark", "runPresets": [
            {"name": 7, "line": "docker run redis"},
            {"name": "x".repeat(61), "line": "docker run redis"},
            "docker run redis",
            {"name": "web", "line": "docker run -d nginx"}
        ], "recentContexts": ["/a", 3, null, "/b"]});
        let (s, changed) = migrate(Some(&v3));
        assert!(changed);
        assert_eq!(s.theme, Theme::Dark);
        let names: Vec<&str> = s.run_presets.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["web"]);
        assert_eq!(s.recent_contexts, ["/a", "/b"]);
    }

    #[test]
    fn presets_keep_no_secret_values() {
        let stored = Settings {
            run_presets: vec![RunPreset {
                name: "db".into(),
                line: "docker run -d -e POSTGRES_PASSWORD=hunter2 -e PGDATA=/data \\
                       -e api_token=abc postgres"
                    .into(),
            }],
            ..Default::default()
        }
        .validate()
        .unwrap();
        let line = &stored.run_presets[0].line;
        assert!(!line.contains("hunter2") && !line.contains("abc"), "{line}");
        let spec = dockwright_engine::container::spec::parse_line(line).unwrap();
        let env: Vec<(&str, &str)> = spec
            .env
            .iter()
            .map(|kv| (kv.key.as_str(), kv.value.as_str()))
            .collect();
        assert_eq!(
            env,
            [
                ("POSTGRES_PASSWORD", ""),
                ("PGDATA", "/data"),
                ("api_token", "")
            ]
        );
        assert_eq!(spec.image, "postgres");
        // A line without secrets is kept as typed; a stored file with one is cleaned on load.
        let plain = "docker run  -e MODE=prod nginx";
        let s = Settings {
            run_presets: vec![RunPreset {
                name: "p".into(),
                line: plain.into(),
            }],
            ..Default::default()
        };
        assert_eq!(s.validate().unwrap().run_presets[0].line, plain);
        let v3 = json!({"version": 3, "runPresets": [
            {"name": "db", "line": "docker run -e DB_PASS=x1y2 postgres"}]});
        let (s, changed) = migrate(Some(&v3));
        assert!(changed && !s.run_presets[0].line.contains("x1y2"));
        for name in [
            "AWS_SECRET_ACCESS_KEY",
            "db_password",
            "GITHUB_TOKEN",
            "API-KEY",
            "DB_PWD",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "PATH",
            "PWD",
            "POSTGRES_PASSWORD_FILE",
            "SSL_KEY_PATH",
            "PUBLIC_KEY",
            "AUTHOR",
            "KEYCLOAK_URL",
            "BYPASS_PROXY",
            "MONKEY",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    /// A save made from settings read earlier keeps what changed meanwhile: the recent folder a
    /// build added, the theme toggled elsewhere; what the save changed wins.
    #[test]
    fn a_save_keeps_what_changed_since_its_page_read_the_settings() {
        let preset = |n: &str| RunPreset {
            name: n.into(),
            line: format!("docker run {n}"),
        };
        let base = Settings {
            recent_contexts: vec!["/a".into(), "/b".into()],
            run_presets: vec![preset("web"), preset("db")],
            ..Settings::default()
        };
        // Meanwhile: a build of /c, the theme toggled, a preset saved by the run dialog.
        let mut current = base.clone();
        current.remember_context("/c");
        current.theme = Theme::Dark;
        current.run_presets.push(preset("cache"));
        // The page: the tail changed, /a forgotten, the db preset deleted, a new one.
        let mut next = base.clone();
        next.log_tail_lines = 5000;
        next.recent_contexts.retain(|p| p != "/a");
        next.run_presets.retain(|p| p.name != "db");
        next.run_presets.push(preset("api"));
        let got = Settings::rebased(&current, &base, next.clone());
        assert_eq!(got.log_tail_lines, 5000);
        assert_eq!(got.theme, Theme::Dark);
        assert_eq!(got.recent_contexts, ["/c", "/b"]);
        let names: Vec<&str> = got.run_presets.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["web", "cache", "api"]);
        // A field both changed: the save's value.
        let mut both = base.clone();
        both.theme = Theme::Light;
        assert_eq!(Settings::rebased(&current, &base, both).theme, Theme::Light);
        // Nothing changed meanwhile: the save as it is.
        assert_eq!(Settings::rebased(&base, &base, next.clone()), next);
    }

    #[test]
    fn presets_and_recent_folders_are_checked() {
        let preset = |name: &str, line: &str| RunPreset {
            name: name.into(),
            line: line.into(),
        };
        let with = |p: Vec<RunPreset>| {
            Settings {
                run_presets: p,
                ..Default::default()
            }
            .validate()
        };
        assert!(with(vec![preset(" web ", " docker run nginx ")]).is_ok());
        for bad in [
            vec![preset("", "docker run nginx")],
            vec![preset("a", "docker ps -a")],
            vec![
                preset("a", "docker run nginx"),
                preset("A", "docker run redis"),
            ],
        ] {
            let e = with(bad).unwrap_err();
            assert!(
                matches!(e, EngineError::InvalidInput { ref field, .. } if field == "runPresets")
            );
        }
        let mut s = Settings::default();
        for i in 0..12 {
            s.remember_context(&format!("/p{i}"));
        }
        s.remember_context("/p5");
        assert_eq!(s.recent_contexts.len(), MAX_RECENT_CONTEXTS);
        assert_eq!(s.recent_contexts[0], "/p5");
        assert_eq!(s.recent_contexts[1], "/p11");
        assert_eq!(s.recent_contexts.iter().filter(|p| *p == "/p5").count(), 1);
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
        // The right JSON type with a value that does not fit costs that field only.
        let (s, changed) = migrate(Some(&json!({
            "version": 3, "closeToTray": true, "theme": "purple", "logTailLines": -5,
            "logBufferMb": 1.5, "engineHost": "tcp://10.0.0.5:2375"
        })));
        assert!(changed);
        assert!(s.close_to_tray);
        assert_eq!(s.engine_host.as_deref(), Some("tcp://10.0.0.5:2375"));
        assert_eq!(s.theme, Settings::default().theme);
        assert_eq!(s.log_tail_lines, 1000);
        assert_eq!(s.log_buffer_mb, 64);
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
