//! Thin commands: parse, call the engine, map the error. Named `<domain>_<verb>`.

pub mod build;
pub mod cli;
pub mod containers;
pub mod desktop;
pub mod engine;
pub mod images;
pub mod names;
pub mod registries;
pub mod settings;

/// What an OS file dialog asks for.
pub(crate) enum Pick {
    Folder,
    File,
    /// A place to save, the name filled in.
    SaveAs(String),
}

/// Shows an OS file dialog titled `title` and waits for the answer; `None` when the user closed
/// it (or the choice is not a local path).
pub(crate) async fn pick_path(
    app: &tauri::AppHandle,
    title: impl Into<String>,
    what: Pick,
) -> Option<std::path::PathBuf> {
    use tauri_plugin_dialog::DialogExt;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let done = move |f| {
        let _ = tx.send(f);
    };
    let dialog = app.dialog().file().set_title(title);
    match what {
        Pick::Folder => dialog.pick_folder(done),
        Pick::File => dialog.pick_file(done),
        Pick::SaveAs(name) => dialog.set_file_name(name).save_file(done),
    }
    rx.await.ok().flatten().and_then(|f| f.into_path().ok())
}
