//! Registries: logins (checked by the engine, kept in the user's credential helper or the OS
//! keychain) and pushes. Passwords pass through here and are never logged or kept.

use dockwright_engine::credentials::LoggedIn;
use dockwright_engine::progress::TransferProgress;
use dockwright_engine::reference::validate_tag;
use dockwright_engine::registry::PushResult;
use tauri::ipc::Channel;
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

/// The registries the user is logged in to (the docker CLI's and Dockwright's).
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub async fn registry_list(state: State<'_, AppState>) -> IpcResult<Vec<LoggedIn>> {
    Ok(state.logins.list().await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state, password))]
pub async fn registry_login(
    state: State<'_, AppState>,
    registry: String,
    username: String,
    password: String,
) -> IpcResult<LoggedIn> {
    let engine = state.monitor.require()?;
    Ok(state
        .logins
        .login(&engine, &registry, &username, &password)
        .await
        .map_err(|e| state.monitor.note(e))?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub async fn registry_logout(state: State<'_, AppState>, registry: String) -> IpcResult<()> {
    Ok(state.logins.logout(&registry).await?)
}

/// Pushes a local tag with progress on `on_progress`; cancellable as `op`. Only the
/// credentials of the tag's own registry are sent.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(app, state, on_progress))]
pub async fn image_push(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    op: String,
    reference: String,
    on_progress: Channel<TransferProgress>,
) -> IpcResult<PushResult> {
    let guard = state.workspace.begin(&op)?;
    let reference = validate_tag(&reference).map_err(|e| match e {
        dockwright_engine::EngineError::InvalidInput { message, .. } => {
            dockwright_engine::EngineError::invalid("reference", message)
        }
        other => other,
    })?;
    let engine = state.monitor.require()?;
    let credentials = state.logins.credentials_for(reference.registry()).await?;
    let result = engine
        .push_image(&reference, credentials, guard.token.clone(), |p| {
            let _ = on_progress.send(p);
        })
        .await;
    let kind = crate::desktop::NoticeKind::Push;
    match &result {
        Ok(_) => crate::desktop::notify(&app, kind, &format!("Push done: {reference}"), ""),
        Err(dockwright_engine::EngineError::Cancelled) => {}
        Err(e) => crate::desktop::notify(
            &app,
            kind,
            &format!("Push failed: {reference}"),
            &e.to_string(),
        ),
    }
    Ok(result.map_err(|e| state.monitor.note(e))?)
}
