fn main() {
    // App commands are on an allow-list: each gets an `allow-<command>` permission that the
    // capabilities in tauri.conf.json grant per window.
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(dockwright_commands::COMMANDS)),
    )
    .expect("tauri-build failed");
}

#[path = "src/commands/names.rs"]
mod dockwright_commands;
