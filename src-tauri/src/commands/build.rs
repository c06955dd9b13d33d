//! Build contexts and builds.

use dockwright_engine::build::context::{CancelFlag, Context, ContextSummary, ScanProgress};
use dockwright_engine::build::dockerfile::{self, DockerfileInfo};
use dockwright_engine::build::run::{self, BuildEvent, BuildOptions, BuildResult};
use dockwright_engine::EngineError;
use serde::Deserialize;
use specta::Type;
use tauri::ipc::Channel;
use tauri::State;

use super::{pick_path, Pick};
use crate::error::IpcResult;
use crate::state::AppState;
use crate::workspace::{BuildOutcome, BuildRecord, ContextRef};

/// A folder (or a Dockerfile, whose folder is used) typed by the user.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub fn context_open(state: State<'_, AppState>, path: String) -> IpcResult<OpenedContext> {
    let (context, dockerfile) = state.workspace.open(std::path::Path::new(path.trim()))?;
    Ok(OpenedContext {
        context,
        dockerfile,
    })
}

#[derive(Debug, Clone, serde::Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct OpenedContext {
    pub context: ContextRef,
    /// Set when a file was given: use it as the Dockerfile.
    pub dockerfile: Option<String>,
}

/// The OS folder picker; `None` when the user closed it.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn context_pick(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
) -> IpcResult<Option<OpenedContext>> {
    let Some(path) = pick_path(&app, "Choose a folder to build", Pick::Folder).await else {
        return Ok(None);
    };
    let (context, dockerfile) = state.workspace.open(&path)?;
    Ok(Some(OpenedContext {
        context,
        dockerfile,
    }))
}

/// Walks the folder as a build would and says what would be sent. Cancellable as `op`.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state, on_progress))]
pub async fn context_scan(
    state: State<'_, AppState>,
    op: String,
    context_id: String,
    dockerfile: String,
    on_progress: Channel<ScanProgress>,
) -> IpcResult<ContextSummary> {
    let guard = state.workspace.begin(&op)?;
    let path = state.workspace.context_path(&context_id)?;
    let flag = CancelFlag::new();
    let walk_flag = flag.clone();
    let token = guard.token.clone();
    let watcher = AbortOnDrop(tokio::spawn(async move {
        token.cancelled().await;
        flag.cancel();
    }));
    let result = tokio::task::spawn_blocking(move || {
        let ctx = Context::open(&path, &dockerfile)?;
        ctx.summarise(&walk_flag, |p| {
            let _ = on_progress.send(p);
        })
    })
    .await
    .map_err(|e| EngineError::Other(format!("the folder scan failed: {e}")))?;
    drop(watcher);
    Ok(result?)
}

/// Stops a helper task however the command ends.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The build args and stages the form offers for a Dockerfile of the context.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub fn dockerfile_info(
    state: State<'_, AppState>,
    context_id: String,
    dockerfile: String,
) -> IpcResult<DockerfileInfo> {
    let path = state.workspace.context_path(&context_id)?;
    let ctx = Context::open(&path, &dockerfile)?;
    let bytes = std::fs::read(&ctx.dockerfile_path).map_err(|e| {
        EngineError::invalid(
            "dockerfile",
            format!("{} cannot be read: {e}", ctx.dockerfile_path.display()),
        )
    })?;
    Ok(dockerfile::parse(&String::from_utf8_lossy(&bytes)))
}

#[derive(Debug, Clone, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct BuildRequest {
    pub context_id: String,
    pub options: BuildOptions,
    /// The scan's `tarBytes`, for upload progress.
    pub expected_bytes: Option<u64>,
}

/// Builds, streaming events on `on_event`; cancellable as `op`. Recorded in the history.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(app, state, on_event, request), fields(context = %request.context_id))]
pub async fn image_build(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    op: String,
    request: BuildRequest,
    on_event: Channel<BuildEvent>,
) -> IpcResult<BuildResult> {
    // Registered first, so a cancel that arrives while the inputs are checked is not lost.
    let guard = state.workspace.begin(&op)?;
    let path = state.workspace.context_path(&request.context_id)?;
    let context = state.workspace.context_lite(&request.context_id)?;
    let checked = run::check(&path, &request.options)?;
    let engine = state.monitor.require()?;
    if guard.token.is_cancelled() {
        return Err(EngineError::Cancelled.into());
    }
    super::settings::remember_context(&app, &state, &path);
    let started_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    let t0 = std::time::Instant::now();
    let result = engine
        .build(
            &checked,
            request.expected_bytes,
            guard.token.clone(),
            |ev| {
                let _ = on_event.send(ev);
            },
        )
        .await;
    let (outcome, error) = match &result {
        Ok(_) => (BuildOutcome::Succeeded, None),
        Err(EngineError::Cancelled) => (BuildOutcome::Cancelled, None),
        Err(e) => (BuildOutcome::Failed, Some(e.to_string())),
    };
    let what = result
        .as_ref()
        .ok()
        .and_then(|r| r.tags.first().cloned())
        .unwrap_or_else(|| context.name.clone());
    match &outcome {
        BuildOutcome::Succeeded => crate::desktop::notify(
            &app,
            crate::desktop::NoticeKind::Build,
            &format!("Build done: {what}"),
            &format!("In {:.1} s.", t0.elapsed().as_secs_f64()),
        ),
        BuildOutcome::Failed => crate::desktop::notify(
            &app,
            crate::desktop::NoticeKind::Build,
            &format!("Build failed: {what}"),
            error.as_deref().unwrap_or_default(),
        ),
        BuildOutcome::Cancelled => {}
    }
    state.workspace.record(
        &path,
        BuildRecord {
            context,
            options: request.options.clone(),
            started_at,
            duration_ms: t0.elapsed().as_millis() as u64,
            outcome,
            image_id: result.as_ref().ok().map(|r| r.image_id.clone()),
            tags: result.as_ref().map(|r| r.tags.clone()).unwrap_or_default(),
            error,
        },
    );
    crate::desktop::refresh_tray(&app);
    Ok(result.map_err(|e| state.monitor.note(e))?)
}

/// Past builds, newest first.
#[tauri::command]
#[specta::specta]
pub fn build_history(state: State<'_, AppState>) -> Vec<BuildRecord> {
    state.workspace.history()
}

/// Cancels a running scan, build or pull by the id the UI gave it.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub fn op_cancel(state: State<'_, AppState>, op: String) -> bool {
    state.workspace.cancel(&op)
}
