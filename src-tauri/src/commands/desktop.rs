//! The desktop around the page: opening a published port in the browser, and the page telling
//! when it first painted (logged, for the cold-start benchmark and for slow-start reports).

use std::sync::OnceLock;

use tauri::AppHandle;

use crate::error::IpcResult;

/// When the process started (set first thing in `run`).
pub(crate) static STARTED: OnceLock<std::time::Instant> = OnceLock::new();

/// Opens `http://<address>:<port>/` of a published port in the default browser. Nothing else
/// is opened.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(app))]
pub fn port_open(app: AppHandle, url: String) -> IpcResult<()> {
    let Some(url) = crate::desktop::tray::port_url_checked(&url) else {
        return Err(dockwright_engine::EngineError::invalid(
            "url",
            "Only a published port's http://address:port/ can be opened.",
        )
        .into());
    };
    use tauri_plugin_opener::OpenerExt;
    app.opener().open_url(&url, None::<&str>).map_err(|e| {
        dockwright_engine::EngineError::Other(format!("The browser could not be opened: {e}"))
            .into()
    })
}

/// The page painted `what` (once, at start: "containers").
#[tauri::command]
#[specta::specta]
pub fn app_painted(what: String) {
    let ms = STARTED
        .get()
        .map(|t| t.elapsed().as_millis())
        .unwrap_or_default();
    let what: String = what
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(32)
        .collect();
    tracing::info!(what, ms, "first paint");
}
