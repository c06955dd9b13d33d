use dockwright_engine::image::{
    HistoryEntry, ImageDetails, ImageSummary, PruneReport, PullResult, RemoveReport, SearchHit,
};
use dockwright_engine::progress::TransferProgress;
use dockwright_engine::reference::{validate_tag, Reference};
use dockwright_engine::EngineError;
use tauri::ipc::Channel;
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

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub async fn image_inspect(
    state: State<'_, AppState>,
    reference: String,
) -> IpcResult<ImageDetails> {
    let engine = state.monitor.require()?;
    Ok(engine
        .inspect_image(&reference)
        .await
        .map_err(|e| state.monitor.note(e))?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub async fn image_history(
    state: State<'_, AppState>,
    reference: String,
) -> IpcResult<Vec<HistoryEntry>> {
    let engine = state.monitor.require()?;
    Ok(engine
        .image_history(&reference)
        .await
        .map_err(|e| state.monitor.note(e))?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub async fn image_remove(
    state: State<'_, AppState>,
    reference: String,
    force: bool,
) -> IpcResult<RemoveReport> {
    let engine = state.monitor.require()?;
    Ok(engine
        .remove_image(&reference, force)
        .await
        .map_err(|e| state.monitor.note(e))?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub async fn image_prune(state: State<'_, AppState>, all: bool) -> IpcResult<PruneReport> {
    let engine = state.monitor.require()?;
    Ok(engine
        .prune_images(all)
        .await
        .map_err(|e| state.monitor.note(e))?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub async fn image_search(
    state: State<'_, AppState>,
    term: String,
    limit: u32,
) -> IpcResult<Vec<SearchHit>> {
    let engine = state.monitor.require()?;
    Ok(engine
        .search_images(&term, limit)
        .await
        .map_err(|e| state.monitor.note(e))?)
}

/// Adds a reference to an image; returns it in Docker's familiar form.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub async fn image_tag(
    state: State<'_, AppState>,
    source: String,
    target: String,
) -> IpcResult<String> {
    let target = validate_tag(&target)?;
    let engine = state.monitor.require()?;
    engine
        .tag_image(&source, &target)
        .await
        .map_err(|e| state.monitor.note(e))?;
    Ok(target.familiar())
}

/// Pulls with progress on `on_progress`; cancellable as `op`.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state, on_progress))]
pub async fn image_pull(
    state: State<'_, AppState>,
    op: String,
    reference: String,
    on_progress: Channel<TransferProgress>,
) -> IpcResult<PullResult> {
    let reference = Reference::parse(reference.trim())
        .map_err(|e| EngineError::invalid("reference", e.to_string()))?;
    let engine = state.monitor.require()?;
    let guard = state.workspace.begin(&op)?;
    // Only the credentials of the image's own registry.
    let credentials = state.logins.credentials_for(reference.registry()).await?;
    Ok(engine
        .pull_image(&reference, credentials, guard.token.clone(), |p| {
            let _ = on_progress.send(p);
        })
        .await
        .map_err(|e| state.monitor.note(e))?)
}
