//! Settings: read and write the one typed struct; applying the engine endpoint reconnects.

use tauri::{AppHandle, State};
use tauri_plugin_store::StoreExt;

use crate::error::IpcResult;
use crate::settings::{Settings, STORE_FILE, STORE_KEY};
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub fn settings_get(state: State<'_, AppState>) -> Settings {
    state.settings()
}

/// Validates, saves and applies the settings; returns them as stored. With `base` (the
/// settings the page changed) only what differs from it is applied over the settings now, so a
/// change made meanwhile (a build's recent folder) is not lost.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub fn settings_set(
    app: AppHandle,
    state: State<'_, AppState>,
    settings: Settings,
    base: Option<Settings>,
) -> IpcResult<Settings> {
    let (settings, endpoint_changed) = state.with_settings(|current| {
        let settings = match &base {
            Some(base) => Settings::rebased(current, base, settings),
            None => settings,
        }
        .validate()?;
        store(&app, &settings)?;
        let changed = current.engine_host != settings.engine_host;
        *current = settings.clone();
        Ok::<_, dockwright_engine::EngineError>((settings, changed))
    })?;
    if endpoint_changed {
        state.monitor.reconnect_now();
    }
    Ok(settings)
}

/// Puts a built folder first in the recent ones and saves (a failure to save is only logged).
pub(crate) fn remember_context(app: &AppHandle, state: &AppState, path: &std::path::Path) {
    state.with_settings(|s| {
        s.remember_context(&path.display().to_string());
        if let Err(e) = store(app, s) {
            tracing::warn!("{e}");
        }
    });
}

fn store(app: &AppHandle, settings: &Settings) -> Result<(), dockwright_engine::EngineError> {
    let store = app.store(STORE_FILE).map_err(|e| {
        dockwright_engine::EngineError::Other(format!("The settings cannot be opened: {e}"))
    })?;
    store.set(
        STORE_KEY,
        serde_json::to_value(settings).unwrap_or_default(),
    );
    store.save().map_err(|e| {
        dockwright_engine::EngineError::Other(format!("The settings cannot be saved: {e}"))
    })
}
