//! What the app keeps between commands: build contexts (folders the user dropped, picked or
//! typed, known to the UI only by an opaque id), running operations (cancellable by id), and the
//! build history (persisted as JSON in the app's data folder).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use dockwright_engine::build::run::BuildOptions;
use dockwright_engine::EngineError;
use serde::{Deserialize, Serialize};
use specta::Type;
use tokio_util::sync::CancellationToken;

/// How many builds the history keeps.
const HISTORY_LEN: usize = 50;

/// A build context as the UI sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ContextRef {
    /// Opaque; names the folder in later commands.
    pub id: String,
    /// The folder's name.
    pub name: String,
    /// The full path, for display only.
    pub display: String,
    /// Files that look like Dockerfiles (the folder and two levels down), `/`-separated.
    pub dockerfiles: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum BuildOutcome {
    Succeeded,
    Failed,
    Cancelled,
}

/// One build, with the settings to run it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct BuildRecord {
    pub context: ContextRefLite,
    pub options: BuildOptions,
    /// Unix milliseconds.
    pub started_at: i64,
    pub duration_ms: u64,
    pub outcome: BuildOutcome,
    pub image_id: Option<String>,
    pub tags: Vec<String>,
    pub error: Option<String>,
}

/// A context as stored in the history: its id is issued again at each start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ContextRefLite {
    pub id: String,
    pub name: String,
    pub display: String,
}

/// On disk, the history holds the real path; the id is re-issued when it is loaded.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredRecord {
    path: PathBuf,
    #[serde(flatten)]
    record: BuildRecord,
}

#[derive(Debug, Serialize, Deserialize)]
struct StoredHistory {
    version: u32,
    builds: Vec<StoredRecord>,
}

#[derive(Default)]
pub struct Workspace {
    contexts: Mutex<HashMap<String, PathBuf>>,
    ops: Mutex<HashMap<String, CancellationToken>>,
    history: Mutex<Vec<StoredRecord>>,
    history_file: Mutex<Option<PathBuf>>,
    /// Held across snapshot, write and rename, so saves never interleave or land out of order.
    saving: Mutex<()>,
    /// Open terminals by operation id: where their input goes.
    terminals: Mutex<HashMap<String, tokio::sync::mpsc::Sender<TerminalInput>>>,
}

/// What the UI sends to an open terminal.
#[derive(Debug)]
pub enum TerminalInput {
    Data(Vec<u8>),
    Resize(u16, u16),
}

/// Unregisters a terminal when its command ends.
pub struct TerminalGuard<'a> {
    ws: &'a Workspace,
    id: String,
}

impl Drop for TerminalGuard<'_> {
    fn drop(&mut self) {
        lock(&self.ws.terminals).remove(&self.id);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Removes an operation from the registry when it ends, however it ends.
pub struct OpGuard<'a> {
    ws: &'a Workspace,
    id: String,
    pub token: CancellationToken,
}

impl Drop for OpGuard<'_> {
    fn drop(&mut self) {
        lock(&self.ws.ops).remove(&self.id);
    }
}

impl Workspace {
    /// Registers a folder (or a file's folder, with the file as the Dockerfile) and returns the
    /// reference the UI uses. The same folder keeps its id.
    pub fn open(&self, path: &Path) -> Result<(ContextRef, Option<String>), EngineError> {
        if path.as_os_str().is_empty() {
            return Err(EngineError::invalid("context", "Type or choose a folder."));
        }
        let meta = std::fs::metadata(path).map_err(|e| {
            EngineError::invalid(
                "context",
                match e.kind() {
                    std::io::ErrorKind::NotFound => {
                        format!("{} does not exist.", path.display())
                    }
                    _ => format!("{} cannot be opened: {e}", path.display()),
                },
            )
        })?;
        let (dir, dockerfile) = if meta.is_dir() {
            (path.to_path_buf(), None)
        } else {
            let parent = path.parent().unwrap_or(Path::new("/")).to_path_buf();
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (parent, Some(name))
        };
        let dir = std::fs::canonicalize(&dir).map_err(|e| {
            EngineError::invalid(
                "context",
                format!("{} cannot be opened: {e}", dir.display()),
            )
        })?;
        Ok((self.register(&dir), dockerfile))
    }

    fn register(&self, dir: &Path) -> ContextRef {
        let (id, name, display) = self.issue_id(dir);
        // The folder is read outside the lock.
        ContextRef {
            id,
            name,
            display,
            dockerfiles: find_dockerfiles(dir),
        }
    }

    /// The id of a folder (the same folder keeps its id), its name and display path.
    fn issue_id(&self, dir: &Path) -> (String, String, String) {
        let id = {
            let mut map = lock(&self.contexts);
            match map.iter().find(|(_, p)| p.as_path() == dir) {
                Some((id, _)) => id.clone(),
                None => {
                    let id = format!("ctx-{}", map.len() + 1);
                    map.insert(id.clone(), dir.to_path_buf());
                    id
                }
            }
        };
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| dir.display().to_string());
        (id, name, dir.display().to_string())
    }

    pub fn context_path(&self, id: &str) -> Result<PathBuf, EngineError> {
        lock(&self.contexts).get(id).cloned().ok_or_else(|| {
            EngineError::invalid(
                "context",
                "That folder is no longer known; drop or choose it again.",
            )
        })
    }

    /// Name and display path of a known context (without reading the folder).
    pub fn context_lite(&self, id: &str) -> Result<ContextRefLite, EngineError> {
        let path = self.context_path(id)?;
        let (id, name, display) = self.issue_id(&path);
        Ok(ContextRefLite { id, name, display })
    }

    /// Starts an operation the UI named `id` (unique while it runs).
    pub fn begin(&self, id: &str) -> Result<OpGuard<'_>, EngineError> {
        if id.is_empty() || id.len() > 100 {
            return Err(EngineError::invalid("op", "An operation needs a short id."));
        }
        let mut ops = lock(&self.ops);
        if ops.contains_key(id) {
            return Err(EngineError::Conflict(format!(
                "An operation named {id} is already running."
            )));
        }
        let token = CancellationToken::new();
        ops.insert(id.to_owned(), token.clone());
        Ok(OpGuard {
            ws: self,
            id: id.to_owned(),
            token,
        })
    }

    /// Cancels a running operation; false when there is none by that id (it already ended).
    /// Makes a terminal reachable by its operation id while the guard lives.
    pub fn register_terminal(
        &self,
        id: &str,
        tx: tokio::sync::mpsc::Sender<TerminalInput>,
    ) -> TerminalGuard<'_> {
        lock(&self.terminals).insert(id.to_owned(), tx);
        TerminalGuard {
            ws: self,
            id: id.to_owned(),
        }
    }

    /// Sends input to an open terminal; NotFound when it has ended.
    pub async fn terminal_send(&self, id: &str, msg: TerminalInput) -> Result<(), EngineError> {
        let tx = lock(&self.terminals).get(id).cloned();
        let Some(tx) = tx else {
            return Err(EngineError::NotFound("This terminal has closed.".into()));
        };
        tx.send(msg)
            .await
            .map_err(|_| EngineError::NotFound("This terminal has closed.".into()))
    }

    pub fn cancel(&self, id: &str) -> bool {
        match lock(&self.ops).get(id) {
            Some(t) => {
                t.cancel();
                true
            }
            None => false,
        }
    }

    /// Loads the history from `file` (a missing or unreadable file is an empty history).
    pub fn load_history(&self, file: PathBuf) {
        let mut builds: Vec<StoredRecord> = std::fs::read(&file)
            .ok()
            .and_then(|b| serde_json::from_slice::<StoredHistory>(&b).ok())
            .map(|h| h.builds)
            .unwrap_or_default();
        for b in &mut builds {
            // Ids only: the folders are not read at start.
            let (id, name, display) = self.issue_id(&b.path);
            b.record.context = ContextRefLite { id, name, display };
        }
        *lock(&self.history) = builds;
        *lock(&self.history_file) = Some(file);
    }

    pub fn history(&self) -> Vec<BuildRecord> {
        lock(&self.history)
            .iter()
            .map(|s| s.record.clone())
            .collect()
    }

    /// Adds a build at the front and saves the history.
    pub fn record(&self, path: &Path, record: BuildRecord) {
        let _saving = lock(&self.saving);
        let snapshot = {
            let mut h = lock(&self.history);
            h.insert(
                0,
                StoredRecord {
                    path: path.to_path_buf(),
                    record,
                },
            );
            h.truncate(HISTORY_LEN);
            StoredHistory {
                version: 1,
                builds: h.clone(),
            }
        };
        let file = lock(&self.history_file).clone();
        if let Some(file) = file {
            if let Some(dir) = file.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            let tmp = file.with_extension("json.tmp");
            let written = serde_json::to_vec_pretty(&snapshot)
                .map_err(std::io::Error::other)
                .and_then(|bytes| std::fs::write(&tmp, bytes))
                .and_then(|()| std::fs::rename(&tmp, &file));
            if let Err(e) = written {
                tracing::warn!(
                    "could not save the build history to {}: {e}",
                    file.display()
                );
            }
        }
    }
}

/// Files in `dir` (and two levels below, skipping hidden folders and dependency caches) whose
/// name says Dockerfile or Containerfile.
fn find_dockerfiles(dir: &Path) -> Vec<String> {
    fn looks(name: &str) -> bool {
        let n = name.to_ascii_lowercase();
        n == "dockerfile"
            || n == "containerfile"
            || n.starts_with("dockerfile.")
            || n.ends_with(".dockerfile")
            || n.ends_with(".containerfile")
    }
    fn visit(dir: &Path, rel: &str, depth: u32, out: &mut Vec<String>) {
        let Ok(read) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<_> = read.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            if out.len() >= 50 {
                return;
            }
            let name = e.file_name().to_string_lossy().into_owned();
            let Ok(ft) = e.file_type() else { continue };
            let path = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            if ft.is_file() && looks(&name) {
                out.push(path);
            } else if ft.is_dir()
                && depth < 2
                && !name.starts_with('.')
                && !["node_modules", "target", "vendor", "dist", "build"].contains(&name.as_str())
            {
                visit(&e.path(), &path, depth + 1, out);
            }
        }
    }
    let mut out = Vec::new();
    visit(dir, "", 0, &mut out);
    // The default first.
    out.sort_by_key(|p| (p != "Dockerfile", p.matches('/').count(), p.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_file_opens_its_folder_with_the_file_as_dockerfile() {
        let d = tempfile::tempdir().expect("tmp");
        std::fs::write(d.path().join("Dockerfile"), "FROM scratch").expect("w");
        std::fs::create_dir_all(d.path().join("docker")).expect("mkdir");
        std::fs::write(d.path().join("docker/prod.Dockerfile"), "FROM scratch").expect("w");
        std::fs::create_dir_all(d.path().join("node_modules/x")).expect("mkdir");
        std::fs::write(d.path().join("node_modules/x/Dockerfile"), "").expect("w");
        let ws = Workspace::default();
        let (a, df) = ws.open(d.path()).expect("open dir");
        assert_eq!(df, None);
        assert_eq!(a.dockerfiles, ["Dockerfile", "docker/prod.Dockerfile"]);
        let (b, df) = ws
            .open(&d.path().join("docker/prod.Dockerfile"))
            .expect("open file");
        assert_eq!(df.as_deref(), Some("prod.Dockerfile"));
        assert_ne!(a.id, b.id);
        let (c, _) = ws.open(d.path()).expect("again");
        assert_eq!(a.id, c.id, "the same folder keeps its id");
        assert!(ws.open(&d.path().join("nope")).is_err());
        assert!(ws.context_path("ctx-99").is_err());
    }

    #[test]
    fn operations_are_unique_and_cancellable_until_they_end() {
        let ws = Workspace::default();
        let g = ws.begin("build-1").expect("begin");
        assert!(ws.begin("build-1").is_err());
        assert!(ws.cancel("build-1"));
        assert!(g.token.is_cancelled());
        drop(g);
        assert!(!ws.cancel("build-1"));
        ws.begin("build-1").expect("free again");
    }

    #[test]
    fn history_survives_a_restart_with_fresh_ids() {
        let d = tempfile::tempdir().expect("tmp");
        let file = d.path().join("data/build-history.json");
        let ws = Workspace::default();
        ws.load_history(file.clone());
        let (c, _) = ws.open(d.path()).expect("open");
        let rec = BuildRecord {
            context: ContextRefLite {
                id: c.id.clone(),
                name: c.name.clone(),
                display: c.display.clone(),
            },
            options: BuildOptions {
                tags: vec!["app:1".into()],
                ..Default::default()
            },
            started_at: 1,
            duration_ms: 2,
            outcome: BuildOutcome::Succeeded,
            image_id: Some("sha256:x".into()),
            tags: vec!["app:1".into()],
            error: None,
        };
        ws.record(&PathBuf::from(&c.display), rec.clone());
        let again = Workspace::default();
        again.load_history(file);
        let h = again.history();
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].options, rec.options);
        assert_eq!(
            again.context_path(&h[0].context.id).expect("registered"),
            PathBuf::from(&c.display)
        );
    }
}
