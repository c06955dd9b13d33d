use dockwright_engine::image::ImageSummary;
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

/// Images, newest first.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub async fn image_list(state: State<'_, AppState>) -> IpcResult<Vec<ImageSummary>> {
    let engine = state.monitor.require()?;
    Ok(engine
        .list_images()
        .await
        .map_err(|e| state.monitor.note(e))?)
}
