//! State every command can reach.

use std::sync::Mutex;

use dockwright_engine::{EngineStatus, Monitor};

pub struct AppState {
    pub monitor: Monitor,
    /// The last status the monitor reported (what a freshly loaded page asks for).
    pub status: Mutex<EngineStatus>,
    pub workspace: crate::workspace::Workspace,
    pub logins: dockwright_engine::registry::Logins,
}

impl AppState {
    pub fn status(&self) -> EngineStatus {
        match self.status.lock() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn set_status(&self, status: EngineStatus) {
        match self.status.lock() {
            Ok(mut s) => *s = status,
            Err(poisoned) => *poisoned.into_inner() = status,
        }
    }
}
