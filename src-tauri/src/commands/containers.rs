use dockwright_engine::container::exec::{write_input, TerminalTarget, Utf8Chunker};
use dockwright_engine::container::files::{CopyReport, Listing};
use dockwright_engine::container::logs::{LogBatch, LogLine, LogOptions, LogsEnd};
use dockwright_engine::container::ops::{
    ActionReport, ContainerAction, ContainerDetails, ContainerPruneReport,
};
use dockwright_engine::container::run::{RunCheck, RunOutcome};
use dockwright_engine::container::spec::{parse_line, RunSpec};
use dockwright_engine::container::stats::StatsSample;
use dockwright_engine::container::ContainerSummary;
use dockwright_engine::EngineError;
use futures_util::StreamExt;
use serde::Serialize;
use specta::Type;
use tauri::ipc::Channel;
use tauri::{AppHandle, State};

use super::{pick_path, Pick};
use crate::error::IpcResult;
use crate::state::AppState;
use crate::workspace::TerminalInput;

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

/// One action on each container; per-container failures are in the report.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub async fn container_action(
    state: State<'_, AppState>,
    ids: Vec<String>,
    action: ContainerAction,
) -> IpcResult<ActionReport> {
    let engine = state.monitor.require()?;
    let report = engine.container_action_many(&ids, &action).await?;
    if let Some(f) = report.failed.iter().find(|f| f.code == "DaemonUnreachable") {
        state.monitor.note(EngineError::DaemonUnreachable {
            address: String::new(),
            message: f.message.clone(),
        });
    }
    Ok(report)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub async fn container_rename(
    state: State<'_, AppState>,
    id: String,
    name: String,
) -> IpcResult<()> {
    let engine = state.monitor.require()?;
    Ok(engine
        .rename_container(&id, &name)
        .await
        .map_err(|e| state.monitor.note(e))?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub async fn container_prune(state: State<'_, AppState>) -> IpcResult<ContainerPruneReport> {
    let engine = state.monitor.require()?;
    Ok(engine
        .prune_containers()
        .await
        .map_err(|e| state.monitor.note(e))?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub async fn container_inspect(
    state: State<'_, AppState>,
    id: String,
) -> IpcResult<ContainerDetails> {
    let engine = state.monitor.require()?;
    Ok(engine
        .inspect_container(&id)
        .await
        .map_err(|e| state.monitor.note(e))?)
}

/// Commits a container to a new image; returns the image id.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub async fn container_commit(
    state: State<'_, AppState>,
    id: String,
    reference: String,
    message: Option<String>,
    author: Option<String>,
) -> IpcResult<String> {
    let engine = state.monitor.require()?;
    Ok(engine
        .commit_container(&id, &reference, message.as_deref(), author.as_deref())
        .await
        .map_err(|e| state.monitor.note(e))?)
}

/// Live stats of `ids` until `op_cancel(op)`, one batch a second.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state, on_samples))]
pub async fn container_stats(
    state: State<'_, AppState>,
    op: String,
    ids: Vec<String>,
    on_samples: Channel<Vec<StatsSample>>,
) -> IpcResult<()> {
    let engine = state.monitor.require()?;
    let guard = state.workspace.begin(&op)?;
    Ok(engine
        .container_stats(&ids, &guard.token, |s| {
            let _ = on_samples.send(s);
        })
        .await
        .map_err(|e| state.monitor.note(e))?)
}

/// A container's logs in batches of whole lines, until they end or `op_cancel(op)`.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state, on_batch))]
pub async fn container_logs(
    state: State<'_, AppState>,
    op: String,
    id: String,
    options: LogOptions,
    on_batch: Channel<LogBatch>,
) -> IpcResult<LogsEnd> {
    let engine = state.monitor.require()?;
    let guard = state.workspace.begin(&op)?;
    Ok(engine
        .container_logs(&id, &options, &guard.token, |lines| {
            let _ = on_batch.send(LogBatch::from(lines));
        })
        .await
        .map_err(|e| state.monitor.note(e))?)
}

/// Asks where to save, then writes the container's whole log there. None when cancelled.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(app, state))]
pub async fn container_logs_save(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
    timestamps: bool,
) -> IpcResult<Option<String>> {
    let engine = state.monitor.require()?;
    let name = engine
        .inspect_container(&id)
        .await
        .map_err(|e| state.monitor.note(e))?
        .name;
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let save_as = Pick::SaveAs(format!("{safe}.log"));
    let Some(path) = pick_path(&app, "Save the log", save_as).await else {
        return Ok(None);
    };
    let token = tokio_util::sync::CancellationToken::new();
    engine
        .save_container_logs(&id, &path, timestamps, &token)
        .await
        .map_err(|e| state.monitor.note(e))?;
    Ok(Some(path.display().to_string()))
}

/// How a terminal ended.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TerminalEnd {
    /// The exec's exit code (None for an attach, or when closed by the user).
    pub exit_code: Option<i64>,
    /// Closed from the app (the tab), not by the process.
    pub closed: bool,
}

/// Opens a terminal in a running container and streams its output as text until the process
/// ends or `op_cancel(op)` closes it. Input and resizes go through `terminal_input` and
/// `terminal_resize` with the same `op`.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state, on_output))]
pub async fn terminal_open(
    state: State<'_, AppState>,
    op: String,
    id: String,
    target: TerminalTarget,
    cols: u16,
    rows: u16,
    on_output: Channel<String>,
) -> IpcResult<TerminalEnd> {
    let engine = state.monitor.require()?;
    let guard = state.workspace.begin(&op)?;
    let term = engine
        .open_terminal(&id, &target, cols, rows)
        .await
        .map_err(|e| state.monitor.note(e))?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<TerminalInput>(256);
    let _registered = state.workspace.register_terminal(&op, tx);
    let mut output = term.output;
    let mut input = term.input;
    let mut text = Utf8Chunker::default();
    let mut closed = false;
    loop {
        tokio::select! {
            biased;
            _ = guard.token.cancelled() => { closed = true; break; }
            msg = rx.recv() => match msg {
                Some(TerminalInput::Data(bytes)) => {
                    if let Err(e) = write_input(&mut input, &bytes).await {
                        tracing::debug!("terminal input: {e}");
                    }
                }
                Some(TerminalInput::Resize(c, r)) => {
                    let _ = engine
                        .resize_terminal(&term.container, term.exec_id.as_deref(), c, r)
                        .await;
                }
                None => {}
            },
            chunk = output.next() => match chunk {
                Some(Ok(bytes)) => {
                    let s = text.push(&bytes);
                    if !s.is_empty() {
                        let _ = on_output.send(s);
                    }
                }
                Some(Err(e)) => return Err(state.monitor.note(e).into()),
                None => break,
            }
        }
    }
    // Dropping the connection closes the exec's TTY: the shell gets a hangup, the container
    // goes on.
    drop(input);
    drop(output);
    let exit_code = match (&term.exec_id, closed) {
        (Some(exec), false) => engine.exec_exit_code(exec).await.ok().flatten(),
        (Some(exec), true) => {
            if !engine
                .close_terminal(&term.container, exec, &term.tag)
                .await
            {
                tracing::warn!("the exec {exec} goes on after its terminal closed");
            }
            None
        }
        _ => None,
    };
    Ok(TerminalEnd { exit_code, closed })
}

/// Sends typed text (or pasted text) to an open terminal.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state, data))]
pub async fn terminal_input(state: State<'_, AppState>, op: String, data: String) -> IpcResult<()> {
    state
        .workspace
        .terminal_send(&op, TerminalInput::Data(data.into_bytes()))
        .await?;
    Ok(())
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub async fn terminal_resize(
    state: State<'_, AppState>,
    op: String,
    cols: u16,
    rows: u16,
) -> IpcResult<()> {
    if cols == 0 || rows == 0 || cols > 1000 || rows > 1000 {
        return Err(EngineError::invalid("size", "A terminal is 1–1000 cells each way.").into());
    }
    state
        .workspace
        .terminal_send(&op, TerminalInput::Resize(cols, rows))
        .await?;
    Ok(())
}

/// Validates a run spec and prints its `docker run` line; nothing is sent to the engine.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(spec))]
pub fn container_run_check(spec: RunSpec) -> IpcResult<RunCheck> {
    Ok(dockwright_engine::container::run::check(&spec)?)
}

/// A pasted `docker run …` line, as a spec for the form.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(line))]
pub fn container_run_parse(line: String) -> IpcResult<RunSpec> {
    Ok(parse_line(&line)?)
}

/// Creates and starts a container; an attached run streams its output and ends with the
/// container (`op_cancel(op)` stops it).
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state, spec, on_output))]
pub async fn container_run(
    state: State<'_, AppState>,
    op: String,
    spec: RunSpec,
    accept_risks: bool,
    on_output: Channel<Vec<LogLine>>,
) -> IpcResult<RunOutcome> {
    let engine = state.monitor.require()?;
    let guard = state.workspace.begin(&op)?;
    Ok(engine
        .run_container(
            &spec,
            accept_risks,
            Default::default(),
            &guard.token,
            |lines| {
                let _ = on_output.send(lines);
            },
        )
        .await
        .map_err(|e| state.monitor.note(e))?)
}

/// The OS folder picker (a bind mount's source); None when closed.
#[tauri::command]
#[specta::specta]
pub async fn pick_folder(app: AppHandle, title: String) -> IpcResult<Option<String>> {
    let picked = pick_path(&app, title, Pick::Folder).await;
    Ok(picked.map(|p| p.display().to_string()))
}

/// The OS file picker (an env file); None when closed.
#[tauri::command]
#[specta::specta]
pub async fn pick_file(app: AppHandle, title: String) -> IpcResult<Option<String>> {
    let picked = pick_path(&app, title, Pick::File).await;
    Ok(picked.map(|p| p.display().to_string()))
}

/// One folder of a container's filesystem.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub async fn container_files_list(
    state: State<'_, AppState>,
    id: String,
    path: String,
) -> IpcResult<Listing> {
    let engine = state.monitor.require()?;
    Ok(engine
        .list_files(&id, &path)
        .await
        .map_err(|e| state.monitor.note(e))?)
}

/// Copies a container's file or folder into the host folder `destination`.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub async fn container_copy_out(
    state: State<'_, AppState>,
    op: String,
    id: String,
    path: String,
    destination: String,
    overwrite: bool,
) -> IpcResult<CopyReport> {
    let engine = state.monitor.require()?;
    let guard = state.workspace.begin(&op)?;
    Ok(engine
        .copy_from_container(
            &id,
            &path,
            std::path::Path::new(&destination),
            overwrite,
            &guard.token,
        )
        .await
        .map_err(|e| state.monitor.note(e))?)
}

/// Copies a host file or folder into the container folder `container_dir`.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub async fn container_copy_in(
    state: State<'_, AppState>,
    op: String,
    id: String,
    host_path: String,
    container_dir: String,
) -> IpcResult<CopyReport> {
    let engine = state.monitor.require()?;
    let guard = state.workspace.begin(&op)?;
    Ok(engine
        .copy_to_container(
            &id,
            std::path::Path::new(&host_path),
            &container_dir,
            &guard.token,
        )
        .await
        .map_err(|e| state.monitor.note(e))?)
}
