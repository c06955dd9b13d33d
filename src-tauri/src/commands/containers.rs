use dockwright_engine::container::ContainerSummary;
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

/// Containers, newest first; `all` includes stopped ones.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub async fn container_list(
    state: State<'_, AppState>,
    all: bool,
) -> IpcResult<Vec<ContainerSummary>> {
    let engine = state.monitor.require()?;
    Ok(engine
        .list_containers(all)
        .await
        .map_err(|e| state.monitor.note(e))?)
}
