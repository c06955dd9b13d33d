//! The app's commands, listed once: the build script turns them into the app manifest
//! (`allow-<name>` permissions) and `commands::tests` checks the list matches the handlers.

pub const COMMANDS: &[&str] = &[
    "engine_status",
    "engine_reconnect",
    "container_list",
    "image_list",
    "image_inspect",
    "image_history",
    "image_remove",
    "image_prune",
    "image_search",
    "image_tag",
    "image_pull",
    "image_build",
    "context_open",
    "context_pick",
    "context_scan",
    "dockerfile_info",
    "build_history",
    "op_cancel",
    "command_line",
    "registry_list",
    "registry_login",
    "registry_logout",
    "image_push",
];
