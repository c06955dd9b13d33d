//! The app's commands, listed once: the build script turns them into the app manifest
//! (`allow-<name>` permissions) and `commands::tests` checks the list matches the handlers.

pub const COMMANDS: &[&str] = &[
    "engine_status",
    "engine_reconnect",
    "container_list",
    "image_list",
];
