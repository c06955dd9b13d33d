use dockwright_engine::EngineStatus;
use tauri::State;

use crate::state::AppState;

/// The engine's connection status right now (then follow `engine://status`).
#[tauri::command]
#[specta::specta]
pub fn engine_status(state: State<'_, AppState>) -> EngineStatus {
    state.status()
}

/// Try to connect again now instead of waiting for the next backoff step.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub fn engine_reconnect(state: State<'_, AppState>) {
    state.monitor.reconnect_now();
}
