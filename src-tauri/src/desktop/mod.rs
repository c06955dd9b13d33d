//! What makes Dockwright a desktop app: the tray (kept current from the engine's events), the
//! desktop notifications, closing to the tray, and showing the window from a second launch.

pub mod notify;
pub mod tray;

use std::sync::Mutex;

use dockwright_engine::container::ops::ContainerAction;
use dockwright_engine::{Change, ChangeScope, EngineStatus};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Emitter, Manager};

use crate::state::AppState;
use tray::{TrayCommand, TrayInput};

/// The window should show a place: sent to the page (the tray's "Show logs", "More…",
/// "Rebuild").
pub const EVENT_OPEN: &str = "app://open";

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, specta::Type)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum OpenRequest {
    /// A container's logs.
    Logs { id: String },
    /// The containers page.
    Containers,
    /// Build the last build again, on the build page.
    Rebuild,
}

/// The tray and the notification watch.
#[derive(Default)]
pub struct Desktop {
    tray: Mutex<Option<TrayIcon>>,
    input: Mutex<TrayInput>,
    watch: Mutex<notify::Watch>,
    refresh: tokio::sync::Notify,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// What a notification is about, each with its own switch in the settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    Build,
    Push,
    Died,
    Unhealthy,
}

/// Whether a notification of `kind` is shown: its switch is on and, for the outcome of something
/// the user started here, the window is not in front of them (where the page already tells it).
pub fn wanted(
    kind: NoticeKind,
    settings: &crate::settings::Notifications,
    window_focused: bool,
) -> bool {
    match kind {
        NoticeKind::Build => settings.build_finished && !window_focused,
        NoticeKind::Push => settings.push_finished && !window_focused,
        NoticeKind::Died => settings.container_died,
        NoticeKind::Unhealthy => settings.container_unhealthy,
    }
}

/// Shows a desktop notification when [`wanted`], its text made inert ([`notify::plain`] and
/// [`notify::inert`]: the body may hold a daemon's error message). Titles put the outcome
/// first ("Build failed: …"), so a cut never hides it. A desktop without a notification service only
/// logs it.
pub fn notify(app: &AppHandle, kind: NoticeKind, title: &str, body: &str) {
    let focused = main_window(app)
        .map(|w| w.is_visible().unwrap_or(false) && w.is_focused().unwrap_or(false))
        .unwrap_or(false);
    let settings = app.state::<AppState>().settings().notifications;
    if !wanted(kind, &settings, focused) {
        return;
    }
    let (title, body) = (notify::plain(title, 120), notify::inert(body, 300));
    tracing::info!(?kind, title, "notification");
    use tauri_plugin_notification::NotificationExt;
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        tracing::debug!("the notification could not be shown: {e}");
    }
}

fn main_window(app: &AppHandle) -> Option<tauri::WebviewWindow> {
    app.get_webview_window("main")
}

/// The window was asked for (a second launch can come before the setup made it).
static SHOW_ASKED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Brings the window to the front (from the tray or a second launch).
pub fn show_window(app: &AppHandle) {
    // Noted first: a window made after the check below is shown by `window_made`.
    SHOW_ASKED.store(true, std::sync::atomic::Ordering::SeqCst);
    if let Some(w) = main_window(app) {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
    // A second launch can come before the setup is done.
    if let Some(desktop) = app.try_state::<Desktop>() {
        desktop.refresh.notify_one();
    }
}

/// Called once the window is made: shows it if it was asked for while it was being made (a
/// second launch soon after a hidden start used to find no window and show nothing).
pub fn window_made(app: &AppHandle) {
    if SHOW_ASKED.load(std::sync::atomic::Ordering::SeqCst) {
        show_window(app);
    }
}

/// Creates the tray icon and starts keeping its menu current. A desktop without a tray just
/// goes without (logged).
pub fn setup(app: &AppHandle) {
    let desktop = app.state::<Desktop>();
    lock(&desktop.input).window_visible = main_window(app)
        .and_then(|w| w.is_visible().ok())
        .unwrap_or(false);
    let items = tray::menu(&lock(&desktop.input));
    let built = tray::build_menu(app, &items).and_then(|menu| {
        let mut b = TrayIconBuilder::with_id("main")
            .menu(&menu)
            .tooltip("Dockwright")
            .show_menu_on_left_click(true)
            .on_menu_event(|app, event| on_menu(app, event.id().as_ref()));
        if let Some(icon) = app.default_window_icon() {
            b = b.icon(icon.clone());
        }
        b.build(app)
    });
    match built {
        Ok(icon) => *lock(&desktop.tray) = Some(icon),
        Err(e) => tracing::warn!("no tray icon: {e}"),
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            app.state::<Desktop>().refresh.notified().await;
            // Bursts of events (a compose up, a prune) make one refresh.
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            refresh(&app).await;
        }
    });
}

/// Re-reads the containers and rebuilds the tray menu.
async fn refresh(app: &AppHandle) {
    let state = app.state::<AppState>();
    // Engine down: nothing to list. A list that failed with the engine up keeps the last one
    // (rather than claiming nothing runs).
    let containers = match state.monitor.require().ok() {
        Some(engine) => match engine.list_containers(true).await {
            Ok(list) => Some(list),
            Err(e) => {
                tracing::debug!("the tray keeps its last list: {e}");
                None
            }
        },
        None => Some(Vec::new()),
    };
    let last_build = state.workspace.history().first().map(|b| {
        b.tags
            .first()
            .cloned()
            .unwrap_or_else(|| b.context.name.clone())
    });
    let window_visible = main_window(app)
        .and_then(|w| w.is_visible().ok())
        .unwrap_or(false);
    let desktop = app.state::<Desktop>();
    let input = {
        let mut input = lock(&desktop.input);
        if let Some(containers) = containers {
            input.containers = containers;
        }
        input.last_build = last_build;
        input.window_visible = window_visible;
        input.clone()
    };
    let Some(icon) = lock(&desktop.tray).clone() else {
        return;
    };
    match tray::build_menu(app, &tray::menu(&input)) {
        Ok(menu) => {
            let running = input
                .containers
                .iter()
                .filter(|c| c.state == "running")
                .count();
            tracing::debug!(running, "tray menu rebuilt");
            let _ = icon.set_menu(Some(menu));
            let _ = icon.set_tooltip(Some(tray::tooltip(&input)));
        }
        Err(e) => tracing::warn!("the tray menu could not be rebuilt: {e}"),
    }
}

/// Something the tray shows changed (the last build).
pub fn refresh_tray(app: &AppHandle) {
    app.state::<Desktop>().refresh.notify_one();
}

/// The engine's status changed.
pub fn on_status(app: &AppHandle, status: &EngineStatus) {
    let desktop = app.state::<Desktop>();
    lock(&desktop.input).status = Some(status.clone());
    desktop.refresh.notify_one();
}

/// One engine event: maybe a notification, maybe a new tray menu.
pub fn on_change(app: &AppHandle, change: &Change) {
    let desktop = app.state::<Desktop>();
    if let Some(notice) = lock(&desktop.watch).on_change(change) {
        let kind = match notice {
            notify::Notice::Died { .. } => NoticeKind::Died,
            notify::Notice::Unhealthy { .. } => NoticeKind::Unhealthy,
        };
        let (title, body) = notice.text();
        notify(app, kind, &title, &body);
    }
    if change.scope == ChangeScope::Container && change.affects_lists() {
        desktop.refresh.notify_one();
    }
}

/// The window's close button: hides to the tray when the setting says so (and there is a tray).
pub fn on_close_requested(app: &AppHandle, api: &tauri::CloseRequestApi) {
    let has_tray = lock(&app.state::<Desktop>().tray).is_some();
    if has_tray && app.state::<AppState>().settings().close_to_tray {
        api.prevent_close();
        if let Some(w) = main_window(app) {
            let _ = w.hide();
        }
        app.state::<Desktop>().refresh.notify_one();
    }
}

fn on_menu(app: &AppHandle, id: &str) {
    let Some(command) = TrayCommand::parse(id) else {
        return;
    };
    tracing::info!(id, "tray");
    match command {
        TrayCommand::Quit => app.exit(0),
        TrayCommand::ToggleWindow => {
            let visible = main_window(app)
                .and_then(|w| w.is_visible().ok())
                .unwrap_or(false);
            if visible {
                if let Some(w) = main_window(app) {
                    let _ = w.hide();
                }
                app.state::<Desktop>().refresh.notify_one();
            } else {
                show_window(app);
            }
        }
        TrayCommand::ShowLogs(id) => open(app, OpenRequest::Logs { id }),
        TrayCommand::ShowContainers => open(app, OpenRequest::Containers),
        TrayCommand::Rebuild => open(app, OpenRequest::Rebuild),
        TrayCommand::OpenPort(url) => {
            use tauri_plugin_opener::OpenerExt;
            if let Err(e) = app.opener().open_url(&url, None::<&str>) {
                tracing::warn!("could not open {url}: {e}");
            }
        }
        TrayCommand::Stop(id) => act(app, id, ContainerAction::Stop { timeout: None }),
        TrayCommand::Restart(id) => act(app, id, ContainerAction::Restart { timeout: None }),
        TrayCommand::Start(id) => act(app, id, ContainerAction::Start),
    }
}

fn open(app: &AppHandle, request: OpenRequest) {
    show_window(app);
    let _ = app.emit(EVENT_OPEN, request);
}

/// Runs a container action from the tray; a failure is told as a notification.
fn act(app: &AppHandle, id: String, action: ContainerAction) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let result = match state.monitor.require() {
            Ok(engine) => engine.container_action(&id, &action).await,
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            tracing::warn!(id, "tray action failed: {e}");
            use tauri_plugin_notification::NotificationExt;
            let _ = app
                .notification()
                .builder()
                .title("Dockwright")
                .body(notify::inert(&e.to_string(), 300))
                .show();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Notifications;

    #[test]
    fn outcomes_are_told_only_when_away_and_switched_on() {
        let on = Notifications::default();
        assert!(wanted(NoticeKind::Build, &on, false));
        assert!(!wanted(NoticeKind::Build, &on, true), "the page tells it");
        assert!(wanted(NoticeKind::Push, &on, false));
        assert!(
            wanted(NoticeKind::Died, &on, true),
            "a crash is told even in front"
        );
        let off = Notifications {
            build_finished: false,
            push_finished: false,
            container_died: false,
            container_unhealthy: true,
        };
        assert!(!wanted(NoticeKind::Build, &off, false));
        assert!(!wanted(NoticeKind::Push, &off, false));
        assert!(!wanted(NoticeKind::Died, &off, false));
        assert!(wanted(NoticeKind::Unhealthy, &off, false));
    }
}
