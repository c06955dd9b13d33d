//! The `docker …` line behind each operation, for the UI to show and copy.

use dockwright_engine::build::run::BuildOptions;
use dockwright_engine::cmdline;
use dockwright_engine::container::ops::ContainerAction;
use serde::Deserialize;
use specta::Type;
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

#[derive(Debug, Clone, Deserialize, Type)]
#[serde(tag = "op", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum DockerCommand {
    Build {
        context_id: String,
        options: BuildOptions,
    },
    Pull {
        reference: String,
    },
    RemoveImage {
        reference: String,
        force: bool,
    },
    PruneImages {
        all: bool,
    },
    Push {
        reference: String,
    },
    Login {
        registry: String,
        username: String,
    },
    Logout {
        registry: String,
    },
    Search {
        term: String,
    },
    History {
        reference: String,
    },
    InspectImage {
        reference: String,
    },
    Tag {
        source: String,
        target: String,
    },
    ListImages {
        all: bool,
    },
    ContainerAction {
        names: Vec<String>,
        action: ContainerAction,
    },
    RenameContainer {
        name: String,
        new_name: String,
    },
    PruneContainers,
    Commit {
        container: String,
        reference: String,
        message: Option<String>,
        author: Option<String>,
    },
    Logs {
        container: String,
        tail: Option<u32>,
        timestamps: bool,
    },
    Exec {
        container: String,
        command: Vec<String>,
    },
    InspectContainer {
        name: String,
    },
    /// `docker cp from to`, each side a host path or `container:path`.
    Cp {
        from: String,
        to: String,
    },
}

#[tauri::command]
#[specta::specta]
pub fn command_line(state: State<'_, AppState>, command: DockerCommand) -> IpcResult<String> {
    use DockerCommand as C;
    Ok(match command {
        C::Build {
            context_id,
            options,
        } => cmdline::build(&state.workspace.context_path(&context_id)?, &options),
        C::Pull { reference } => cmdline::pull(&reference),
        C::RemoveImage { reference, force } => cmdline::remove_image(&reference, force),
        C::PruneImages { all } => cmdline::prune_images(all),
        C::Search { term } => cmdline::search(&term),
        C::History { reference } => cmdline::history(&reference),
        C::InspectImage { reference } => cmdline::inspect_image(&reference),
        C::Tag { source, target } => cmdline::tag(&source, &target),
        C::ListImages { all } => cmdline::list_images(all),
        C::Push { reference } => cmdline::push(&reference),
        C::Login { registry, username } => cmdline::login(&registry, &username),
        C::Logout { registry } => cmdline::logout(&registry),
        C::ContainerAction { names, action } => cmdline::container_action(&names, &action),
        C::RenameContainer { name, new_name } => cmdline::rename_container(&name, &new_name),
        C::PruneContainers => cmdline::prune_containers(),
        C::Commit {
            container,
            reference,
            message,
            author,
        } => cmdline::commit(
            &container,
            &reference,
            message.as_deref(),
            author.as_deref(),
        ),
        C::Logs {
            container,
            tail,
            timestamps,
        } => cmdline::logs(&container, tail, timestamps, true),
        C::Exec { container, command } => cmdline::exec(&container, &command),
        C::InspectContainer { name } => cmdline::inspect_container(&name),
        C::Cp { from, to } => cmdline::cp(&from, &to),
    })
}
