//! The Tauri shell: plugins, managed state, the main window, and the bridge from the engine's
//! monitor to the UI's `engine://status` and `engine://changed` events.

mod channel;
pub mod commands;
pub mod desktop;
pub mod error;
mod logging;
pub mod settings;
pub mod state;
pub mod workspace;

use std::sync::Mutex;

use dockwright_engine::{connect, Change, EngineStatus, Environment, Monitor, MonitorEvent};
use tauri::{Emitter, Manager, WebviewUrl, WebviewWindowBuilder};

use crate::state::AppState;

/// Event names (namespaced; payload types are exported to the bindings).
pub const EVENT_STATUS: &str = "engine://status";
pub const EVENT_CHANGED: &str = "engine://changed";
/// Something is dragged over the window, or was dropped on it.
pub const EVENT_DROP: &str = "build://drop";

/// Drag and drop on the window. A build gets an opaque context id (the folder stays here); the
/// dropped paths are shown to the page too, for the Files tab's copy into a container.
#[derive(Debug, Clone, serde::Serialize, specta::Type)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum DropEvent {
    /// Files are being dragged over the window.
    Over,
    /// The drag left the window or was cancelled.
    Leave,
    /// A folder (or a file, whose folder is used with the file as the Dockerfile) was dropped.
    /// `paths`: everything dropped, for a page that copies them (a container's files).
    Opened {
        context: workspace::ContextRef,
        dockerfile: Option<String>,
        paths: Vec<String>,
    },
    /// What was dropped cannot be built (it may still be copied).
    Refused { message: String, paths: Vec<String> },
}

/// Where the generated TypeScript bindings live, relative to the repository root.
pub const BINDINGS_PATH: &str = "ui/src/lib/ipc/bindings.ts";

/// Every command the UI may call, with the types they use.
pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new()
        .commands(tauri_specta::collect_commands![
            commands::engine::engine_status,
            commands::engine::engine_reconnect,
            commands::containers::container_list,
            commands::containers::container_action,
            commands::containers::container_rename,
            commands::containers::container_prune,
            commands::containers::container_inspect,
            commands::containers::container_commit,
            commands::containers::container_stats,
            commands::containers::container_logs,
            commands::containers::container_logs_save,
            commands::containers::terminal_open,
            commands::containers::terminal_input,
            commands::containers::terminal_resize,
            commands::containers::container_run_check,
            commands::containers::container_run_parse,
            commands::containers::container_run,
            commands::containers::pick_folder,
            commands::containers::pick_file,
            commands::containers::container_files_list,
            commands::containers::container_copy_out,
            commands::containers::container_copy_in,
            commands::images::image_list,
            commands::images::image_inspect,
            commands::images::image_history,
            commands::images::image_remove,
            commands::images::image_prune,
            commands::images::image_search,
            commands::images::image_tag,
            commands::images::image_pull,
            commands::build::image_build,
            commands::build::context_open,
            commands::build::context_pick,
            commands::build::context_scan,
            commands::build::dockerfile_info,
            commands::build::build_history,
            commands::build::op_cancel,
            commands::cli::command_line,
            commands::registries::registry_list,
            commands::registries::registry_login,
            commands::registries::registry_logout,
            commands::registries::image_push,
            commands::settings::settings_get,
            commands::settings::settings_set,
            commands::desktop::port_open,
            commands::desktop::app_painted,
        ])
        .typ::<EngineStatus>()
        .typ::<Change>()
        .typ::<DropEvent>()
        .typ::<desktop::OpenRequest>()
        .constant("EVENT_STATUS", EVENT_STATUS)
        .constant("EVENT_CHANGED", EVENT_CHANGED)
        .constant("EVENT_DROP", EVENT_DROP)
        .constant("EVENT_OPEN", desktop::EVENT_OPEN)
        // Sizes and timestamps are i64 on the Rust side; they stay far below 2^53.
        .dangerously_cast_bigints_to_number()
        // Every type only goes one way (Rust to UI), so one shape per type.
        .disable_serde_phases()
}

/// Writes the bindings to `path`.
pub fn export_bindings(path: &std::path::Path) -> Result<(), String> {
    specta_builder()
        .export(
            specta_typescript::Typescript::default().header(
                "// Generated from the Rust types by `make bindings`. Do not edit.\n// @ts-nocheck",
            ),
            path,
        )
        .map_err(|e| e.to_string())
}

pub fn run() {
    let _ = commands::desktop::STARTED.set(std::time::Instant::now());
    let specta = specta_builder();
    // `--hidden`: start in the tray (for a login item).
    let hidden = std::env::args().skip(1).any(|a| a == "--hidden");
    tauri::Builder::default()
        // First, so a second launch hands over before anything else starts.
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            if argv.iter().skip(1).any(|a| a == "--hidden") {
                tracing::info!("launched again with --hidden: the running instance stays as is");
                return;
            }
            tracing::info!("launched again: showing the running instance's window");
            desktop::show_window(app);
        }))
        .plugin(
            tauri_plugin_window_state::Builder::default()
                // Size, position and maximized; never come back hidden.
                .with_state_flags(
                    tauri_plugin_window_state::StateFlags::all()
                        - tauri_plugin_window_state::StateFlags::VISIBLE,
                )
                .build(),
        )
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_store::Builder::default().build())
        .invoke_handler(specta.invoke_handler())
        .channel_interceptor(channel::deliver)
        .setup(move |app| {
            let log_guard = logging::init(app.path().app_log_dir().ok().as_deref());
            if let Some(g) = log_guard {
                app.manage(Mutex::new(Some(g)));
            }
            specta.mount_events(app);

            let settings = std::sync::Arc::new(Mutex::new(load_settings(app.handle())));
            let for_monitor = settings.clone();
            let (monitor, mut rx) = tauri::async_runtime::block_on(async {
                Monitor::start(move || {
                    let host = for_monitor
                        .lock()
                        .map(|s| s.engine_host.clone())
                        .unwrap_or_default();
                    connect::resolve(&Environment::from_process(), host.as_deref())
                })
            });
            let workspace = workspace::Workspace::default();
            if let Ok(dir) = app.path().app_data_dir() {
                workspace.load_history(dir.join("build-history.json"));
            }
            app.manage(AppState {
                logins: dockwright_engine::registry::Logins::new(&Environment::from_process()),
                monitor,
                status: Mutex::new(EngineStatus::Connecting { host: None }),
                workspace,
                settings,
            });
            app.manage(desktop::Desktop::default());

            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                while let Some(event) = rx.recv().await {
                    match event {
                        MonitorEvent::Status(status) => {
                            handle.state::<AppState>().set_status(status.clone());
                            desktop::on_status(&handle, &status);
                            let _ = handle.emit(EVENT_STATUS, status);
                        }
                        MonitorEvent::Change(change) => {
                            desktop::on_change(&handle, &change);
                            if change.affects_lists() {
                                let _ = handle.emit(EVENT_CHANGED, change);
                            }
                        }
                    }
                }
            });

            WebviewWindowBuilder::new(app, "main", WebviewUrl::default())
                .title("Dockwright")
                .inner_size(1200.0, 760.0)
                .min_inner_size(720.0, 480.0)
                .visible(!hidden)
                .build()?
                .on_window_event({
                    let handle = app.handle().clone();
                    move |event| match event {
                        tauri::WindowEvent::DragDrop(drop) => on_drag_drop(&handle, drop),
                        tauri::WindowEvent::CloseRequested { api, .. } => {
                            desktop::on_close_requested(&handle, api)
                        }
                        _ => {}
                    }
                });
            desktop::window_made(app.handle());
            desktop::setup(app.handle());
            quit_on_sigterm(app.handle());
            Ok(())
        })
        .build(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("Dockwright could not start: {e}");
            std::process::exit(1);
        })
        .run(|_app, _event| {
            // macOS: a click on the Dock icon of an app whose window is hidden shows it.
            #[cfg(target_os = "macos")]
            if let tauri::RunEvent::Reopen {
                has_visible_windows: false,
                ..
            } = _event
            {
                desktop::show_window(_app);
            }
        });
}

/// A SIGTERM (a logout, `systemctl`, `kill`) quits as the tray's Quit does: the window's size
/// and position are saved and running operations end, instead of dying mid-way.
fn quit_on_sigterm(app: &tauri::AppHandle) {
    #[cfg(unix)]
    {
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            use tokio::signal::unix::{signal, SignalKind};
            let Ok(mut term) = signal(SignalKind::terminate()) else {
                return;
            };
            if term.recv().await.is_some() {
                tracing::info!("SIGTERM: quitting");
                app.exit(0);
            }
            // A second one while the first is still quitting: at once, as without a handler.
            if term.recv().await.is_some() {
                std::process::exit(143);
            }
        });
    }
    #[cfg(not(unix))]
    let _ = app;
}

/// The stored settings, migrated to the current layout (and written back when that changed).
fn load_settings(app: &tauri::AppHandle) -> settings::Settings {
    use tauri_plugin_store::StoreExt;
    let Ok(store) = app.store(settings::STORE_FILE) else {
        return settings::Settings::default();
    };
    let (s, changed) = settings::migrate(store.get(settings::STORE_KEY).as_ref());
    if changed {
        store.set(
            settings::STORE_KEY,
            serde_json::to_value(&s).unwrap_or_default(),
        );
        if let Err(e) = store.save() {
            tracing::warn!("could not save the migrated settings: {e}");
        }
    }
    s
}

fn on_drag_drop(handle: &tauri::AppHandle, event: &tauri::DragDropEvent) {
    let payload = match event {
        tauri::DragDropEvent::Enter { .. } | tauri::DragDropEvent::Over { .. } => DropEvent::Over,
        tauri::DragDropEvent::Leave => DropEvent::Leave,
        tauri::DragDropEvent::Drop { paths, .. } => match paths.first() {
            None => DropEvent::Leave,
            Some(path) => {
                // Reading the folder may be slow (a network share): not on the event loop.
                let handle = handle.clone();
                let path = path.clone();
                let paths: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                tauri::async_runtime::spawn_blocking(move || {
                    let payload = match handle.state::<AppState>().workspace.open(&path) {
                        Ok((context, dockerfile)) => DropEvent::Opened {
                            context,
                            dockerfile,
                            paths,
                        },
                        Err(e) => DropEvent::Refused {
                            message: e.to_string(),
                            paths,
                        },
                    };
                    let _ = handle.emit(EVENT_DROP, payload);
                });
                return;
            }
        },
        _ => return,
    };
    let _ = handle.emit(EVENT_DROP, payload);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo_root() -> std::path::PathBuf {
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    /// The committed bindings must equal what the Rust types generate now.
    /// `UPDATE_BINDINGS=1 cargo test --lib bindings` rewrites them.
    #[test]
    fn bindings_are_current() {
        let committed_path = repo_root().join(BINDINGS_PATH);
        let dir = tempfile::tempdir().expect("tempdir");
        let fresh_path = dir.path().join("bindings.ts");
        export_bindings(&fresh_path).expect("export bindings");
        let fresh = std::fs::read_to_string(&fresh_path).expect("read fresh bindings");
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&committed_path, &fresh).expect("write bindings");
            return;
        }
        let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
        assert!(
            committed == fresh,
            "{BINDINGS_PATH} is out of date with the Rust types: run `make bindings` and commit it"
        );
    }

    /// The CSP allows nothing remote and no eval; the one window may listen to events and call
    /// exactly the app's own commands (no plugin's JavaScript API: the plugins are used from
    /// Rust).
    #[test]
    fn csp_and_capabilities_are_strict() {
        let conf: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(repo_root().join("tauri.conf.json")).expect("read"),
        )
        .expect("json");
        let security = &conf["app"]["security"];
        let csp = security["csp"].as_object().expect("a CSP object");
        for (directive, value) in csp {
            let v = value.as_str().expect("string");
            for word in v.split_whitespace() {
                assert!(
                    !word.contains("unsafe-eval") && word != "*" && !word.starts_with("https:"),
                    "{directive}: {word}"
                );
                if word.starts_with("http:") {
                    assert_eq!(word, "http://ipc.localhost", "{directive}");
                }
            }
        }
        // Exactly this policy: any source added (a CDN, a remote font, eval) fails here first.
        // Svelte's transitions insert <style> elements, hence style-src-elem's 'unsafe-inline';
        // scripts only ever come from the bundle.
        let expected = serde_json::json!({
            "default-src": "'self'",
            "script-src": "'self'",
            "style-src": "'self'",
            "style-src-elem": "'self' 'unsafe-inline'",
            "style-src-attr": "'unsafe-inline'",
            "img-src": "'self' data:",
            "font-src": "'self' data:",
            "connect-src": "ipc: http://ipc.localhost",
            "object-src": "'none'",
            "base-uri": "'none'",
            "form-action": "'none'",
            "frame-ancestors": "'none'"
        });
        assert_eq!(&security["csp"], &expected);
        assert_eq!(
            security["dangerousDisableAssetCspModification"],
            serde_json::Value::Null
        );
        assert_eq!(security["freezePrototype"], true);
        let caps = security["capabilities"].as_array().expect("capabilities");
        assert_eq!(caps.len(), 1);
        assert_eq!(caps[0]["windows"], serde_json::json!(["main"]));
        let mut granted: Vec<String> = caps[0]["permissions"]
            .as_array()
            .expect("permissions")
            .iter()
            .map(|p| p.as_str().expect("a name").to_owned())
            .collect();
        granted.sort();
        let mut expected: Vec<String> = commands::names::COMMANDS
            .iter()
            .map(|c| format!("allow-{}", c.replace('_', "-")))
            .chain([
                "core:event:allow-listen".into(),
                "core:event:allow-unlisten".into(),
            ])
            .collect();
        expected.sort();
        assert_eq!(granted, expected);
    }

    /// The allow-list the build script turns into permissions names exactly the commands the
    /// bindings call.
    #[test]
    fn allow_list_matches_the_handlers() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("b.ts");
        export_bindings(&path).expect("export");
        let text = std::fs::read_to_string(path).expect("read");
        // Each command is `__TAURI_INVOKE<T>("name", …)` or `__TAURI_INVOKE("name")`.
        let invoked: Vec<&str> = text
            .split("__TAURI_INVOKE")
            .skip(1)
            .filter(|s| s.starts_with('<') || s.starts_with('('))
            .filter_map(|s| s.split_once("(\"")?.1.split('"').next())
            .collect();
        let mut a = invoked.clone();
        a.sort_unstable();
        let mut b = commands::names::COMMANDS.to_vec();
        b.sort_unstable();
        assert_eq!(a, b);
    }
}
