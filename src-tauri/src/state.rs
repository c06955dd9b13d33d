//! State every command can reach.

use std::sync::Mutex;

use dockwright_engine::{EngineStatus, Monitor};

pub struct AppState {
    pub monitor: Monitor,
    /// The last status the monitor reported (what a freshly loaded page asks for).
    pub status: Mutex<EngineStatus>,
    pub workspace: crate::workspace::Workspace,
    pub logins: dockwright_engine::registry::Logins,
    /// Shared with the monitor, which reads the engine endpoint override from it.
    pub settings: std::sync::Arc<Mutex<crate::settings::Settings>>,
}

impl AppState {
    pub fn status(&self) -> EngineStatus {
        match self.status.lock() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn settings(&self) -> crate::settings::Settings {
        match self.settings.lock() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Reads, changes and saves the settings under one lock: two writers in the app (a save
    /// from the page, a build remembering its folder) never interleave. The page itself reads
    /// the lists fresh just before it saves; a build finishing between that read and the save
    /// can still lose its recent-folder entry.
    pub fn with_settings<R>(&self, f: impl FnOnce(&mut crate::settings::Settings) -> R) -> R {
        match self.settings.lock() {
            Ok(mut s) => f(&mut s),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }

    pub fn set_status(&self, status: EngineStatus) {
        match self.status.lock() {
            Ok(mut s) => *s = status,
            Err(poisoned) => *poisoned.into_inner() = status,
        }
    }
}
