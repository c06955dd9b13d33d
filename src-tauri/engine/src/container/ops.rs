//! Container lifecycle: start, stop, restart, kill, pause, unpause, remove (one or many), rename,
//! prune, inspect, commit.

use std::collections::HashMap;

use bollard::query_parameters::{
    CommitContainerOptions, InspectContainerOptions, KillContainerOptions, PruneContainersOptions,
    RemoveContainerOptions, RenameContainerOptions, RestartContainerOptions, StartContainerOptions,
    StopContainerOptions,
};
use futures_util::stream::{self, StreamExt};
use serde::{Deserialize, Serialize};
use specta::Type;

use super::PortMapping;
use crate::build::run::KeyValue;
use crate::connect::Engine;
use crate::error::{EngineError, Result};
use crate::reference::validate_tag;

/// One action the containers page offers, for one container or many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ContainerAction {
    Start,
    /// `timeout`: seconds before the daemon kills; None = the container's own (10 s by default).
    Stop {
        timeout: Option<u32>,
    },
    Restart {
        timeout: Option<u32>,
    },
    /// `signal`: `SIGKILL` when None.
    Kill {
        signal: Option<String>,
    },
    Pause,
    Unpause,
    /// `volumes`: also its anonymous volumes (`docker rm -v`).
    Remove {
        force: bool,
        volumes: bool,
    },
}

impl ContainerAction {
    /// Checks the action's own values before anything is sent.
    pub fn validate(&self) -> Result<()> {
        match self {
            Self::Stop { timeout: Some(t) } | Self::Restart { timeout: Some(t) } if *t > 3600 => {
                Err(EngineError::invalid(
                    "timeout",
                    "A stop timeout is at most 3600 seconds.",
                ))
            }
            Self::Kill { signal: Some(s) } => validate_signal(s),
            _ => Ok(()),
        }
    }

    /// The verb a person reads in a report: "stopped".
    pub fn past(&self) -> &'static str {
        match self {
            Self::Start => "started",
            Self::Stop { .. } => "stopped",
            Self::Restart { .. } => "restarted",
            Self::Kill { .. } => "killed",
            Self::Pause => "paused",
            Self::Unpause => "unpaused",
            Self::Remove { .. } => "removed",
        }
    }
}

/// `SIGTERM`, `TERM`, `15`: what the daemon accepts. Anything else is refused here.
pub fn validate_signal(s: &str) -> Result<()> {
    let s = s.trim();
    let name = s.strip_prefix("SIG").unwrap_or(s);
    const NAMES: &[&str] = &[
        "ABRT", "ALRM", "BUS", "CHLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT", "KILL",
        "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP",
        "TSTP", "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ",
    ];
    let realtime = |n: &str| {
        n == "RTMIN"
            || n == "RTMAX"
            || n.strip_prefix("RTMIN+")
                .or_else(|| n.strip_prefix("RTMAX-"))
                .and_then(|k| k.parse::<u32>().ok())
                .is_some_and(|k| (1..=15).contains(&k))
    };
    let ok = match name.parse::<u32>() {
        Ok(n) => (1..=64).contains(&n),
        Err(_) => NAMES.contains(&name) || realtime(name),
    };
    if ok {
        Ok(())
    } else {
        Err(EngineError::invalid(
            "signal",
            format!("{s:?} is not a signal: use a name like SIGTERM or SIGKILL, or a number."),
        ))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ActionFailure {
    pub id: String,
    pub code: String,
    pub message: String,
}

/// What a bulk action did: never an error as a whole, each container reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ActionReport {
    pub done: Vec<String>,
    pub failed: Vec<ActionFailure>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ContainerPruneReport {
    /// Ids of the removed containers.
    pub removed: Vec<String>,
    /// Bytes.
    pub space_reclaimed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MountInfo {
    /// `bind`, `volume`, `tmpfs`, …
    pub kind: String,
    pub source: String,
    pub target: String,
    pub read_only: bool,
    /// The volume's name, for a volume.
    pub name: Option<String>,
}

/// `docker container inspect`, the parts the summary shows, plus the raw JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ContainerDetails {
    pub id: String,
    pub name: String,
    pub image: String,
    pub image_id: String,
    pub state: String,
    pub running: bool,
    pub paused: bool,
    pub exit_code: Option<i64>,
    pub error: Option<String>,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub created_at: String,
    pub command: Vec<String>,
    pub entrypoint: Vec<String>,
    pub workdir: String,
    pub tty: bool,
    pub ports: Vec<PortMapping>,
    pub mounts: Vec<MountInfo>,
    pub env: Vec<String>,
    pub labels: Vec<KeyValue>,
    pub restart_policy: String,
    pub networks: Vec<String>,
    pub ip_address: Option<String>,
    /// `healthy`, `unhealthy`, `starting`; None without a health check.
    pub health: Option<String>,
    /// The daemon's inspect JSON, pretty-printed.
    pub raw: String,
}

/// The daemon's "zero" time for a container that never started or finished.
fn real_time(t: Option<String>) -> Option<String> {
    t.filter(|t| !t.is_empty() && !t.starts_with("0001-01-01"))
}

/// How many daemon calls a bulk action makes at once.
const BULK_PARALLEL: usize = 8;

impl Engine {
    /// Runs one action on one container.
    pub async fn container_action(&self, id: &str, action: &ContainerAction) -> Result<()> {
        action.validate()?;
        let d = &self.docker;
        let r = match action {
            ContainerAction::Start => d.start_container(id, None::<StartContainerOptions>).await,
            ContainerAction::Stop { timeout } => {
                d.stop_container(
                    id,
                    Some(StopContainerOptions {
                        t: timeout.map(|t| t as i32),
                        signal: None,
                    }),
                )
                .await
            }
            ContainerAction::Restart { timeout } => {
                d.restart_container(
                    id,
                    Some(RestartContainerOptions {
                        t: timeout.map(|t| t as i32),
                        signal: None,
                    }),
                )
                .await
            }
            ContainerAction::Kill { signal } => {
                d.kill_container(
                    id,
                    Some(KillContainerOptions {
                        signal: signal
                            .as_deref()
                            .map(str::trim)
                            .unwrap_or("SIGKILL")
                            .to_owned(),
                    }),
                )
                .await
            }
            ContainerAction::Pause => d.pause_container(id).await,
            ContainerAction::Unpause => d.unpause_container(id).await,
            ContainerAction::Remove { force, volumes } => {
                d.remove_container(
                    id,
                    Some(RemoveContainerOptions {
                        v: *volumes,
                        force: *force,
                        link: false,
                    }),
                )
                .await
            }
        };
        match r {
            Ok(()) => Ok(()),
            // Starting a running container or stopping a stopped one: the daemon says 304.
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 304, ..
            }) => Ok(()),
            Err(e) => Err(self.err(e)),
        }
    }

    /// The same action on many containers, a few at a time; each one reports.
    pub async fn container_action_many(
        &self,
        ids: &[String],
        action: &ContainerAction,
    ) -> Result<ActionReport> {
        action.validate()?;
        let results: Vec<(String, Result<()>)> = stream::iter(ids.iter().cloned())
            .map(|id| async move {
                let r = self.container_action(&id, action).await;
                (id, r)
            })
            .buffered(BULK_PARALLEL)
            .collect()
            .await;
        let mut report = ActionReport::default();
        for (id, r) in results {
            match r {
                Ok(()) => report.done.push(id),
                Err(e) => report.failed.push(ActionFailure {
                    code: e.code().to_owned(),
                    message: e.to_string(),
                    id,
                }),
            }
        }
        Ok(report)
    }

    /// Renames a container; the new name is checked first.
    pub async fn rename_container(&self, id: &str, name: &str) -> Result<()> {
        let name = validate_container_name(name)?;
        self.docker
            .rename_container(
                id,
                RenameContainerOptions {
                    name: name.to_owned(),
                },
            )
            .await
            .map_err(|e| match self.err(e) {
                EngineError::Conflict(m) => EngineError::invalid("name", m),
                e => e,
            })
    }

    /// Removes every stopped container (`docker container prune`).
    pub async fn prune_containers(&self) -> Result<ContainerPruneReport> {
        let r = self
            .docker
            .prune_containers(None::<PruneContainersOptions>)
            .await
            .map_err(|e| self.err(e))?;
        Ok(ContainerPruneReport {
            removed: r.containers_deleted.unwrap_or_default(),
            space_reclaimed: r.space_reclaimed.unwrap_or(0).max(0) as u64,
        })
    }

    pub async fn inspect_container(&self, id: &str) -> Result<ContainerDetails> {
        let c = self
            .docker
            .inspect_container(id, None::<InspectContainerOptions>)
            .await
            .map_err(|e| self.err(e))?;
        let raw = serde_json::to_string_pretty(&c).unwrap_or_default();
        let state = c.state.unwrap_or_default();
        let config = c.config.unwrap_or_default();
        let host = c.host_config.unwrap_or_default();
        let net = c.network_settings.unwrap_or_default();
        let mut ports: Vec<PortMapping> = Vec::new();
        for (key, bindings) in net.ports.unwrap_or_default() {
            let (port, proto) = key.split_once('/').unwrap_or((key.as_str(), "tcp"));
            let Ok(private_port) = port.parse::<u16>() else {
                continue;
            };
            let bindings = bindings.unwrap_or_default();
            if bindings.is_empty() {
                ports.push(PortMapping {
                    ip: None,
                    private_port,
                    public_port: None,
                    protocol: proto.to_owned(),
                });
            }
            for b in bindings {
                ports.push(PortMapping {
                    ip: b.host_ip.filter(|s| !s.is_empty()),
                    private_port,
                    public_port: b.host_port.and_then(|p| p.parse().ok()),
                    protocol: proto.to_owned(),
                });
            }
        }
        PortMapping::sort(&mut ports);
        let mut labels: Vec<KeyValue> = config
            .labels
            .unwrap_or_default()
            .into_iter()
            .map(|(key, value)| KeyValue { key, value })
            .collect();
        labels.sort_by(|a, b| a.key.cmp(&b.key));
        let networks_map = net.networks.unwrap_or_default();
        let mut networks: Vec<String> = networks_map.keys().cloned().collect();
        networks.sort();
        let ip_address = networks_map
            .values()
            .filter_map(|n| n.ip_address.clone())
            .find(|ip| !ip.is_empty());
        let restart = host.restart_policy.unwrap_or_default();
        let restart_policy = match (
            restart.name.map(|n| n.to_string()),
            restart.maximum_retry_count,
        ) {
            (Some(n), Some(max)) if n == "on-failure" && max > 0 => format!("on-failure:{max}"),
            (Some(n), _) if !n.is_empty() => n,
            _ => "no".to_owned(),
        };
        Ok(ContainerDetails {
            id: c.id.unwrap_or_default(),
            name: c
                .name
                .unwrap_or_default()
                .trim_start_matches('/')
                .to_owned(),
            image: config.image.unwrap_or_default(),
            image_id: c.image.unwrap_or_default(),
            state: state.status.map(|s| s.to_string()).unwrap_or_default(),
            running: state.running.unwrap_or(false),
            paused: state.paused.unwrap_or(false),
            exit_code: state.exit_code,
            error: state.error.filter(|e| !e.is_empty()),
            started_at: real_time(state.started_at),
            finished_at: real_time(state.finished_at),
            created_at: c.created.unwrap_or_default(),
            command: config.cmd.unwrap_or_default(),
            entrypoint: config.entrypoint.unwrap_or_default(),
            workdir: config.working_dir.unwrap_or_default(),
            tty: config.tty.unwrap_or(false),
            ports,
            mounts: c
                .mounts
                .unwrap_or_default()
                .into_iter()
                .map(|m| MountInfo {
                    kind: m.typ.map(|t| t.to_string()).unwrap_or_default(),
                    source: m.source.unwrap_or_default(),
                    target: m.destination.unwrap_or_default(),
                    read_only: !m.rw.unwrap_or(true),
                    name: m.name.filter(|n| !n.is_empty()),
                })
                .collect(),
            env: config.env.unwrap_or_default(),
            labels,
            restart_policy,
            networks,
            ip_address,
            health: state
                .health
                .and_then(|h| h.status)
                .map(|s| s.to_string())
                .filter(|s| !s.is_empty() && s != "none"),
            raw,
        })
    }

    /// Commits a container's filesystem to a new image `reference` (`repo[:tag]`); returns the
    /// image id. The container is paused while it is copied, as `docker commit` does.
    pub async fn commit_container(
        &self,
        id: &str,
        reference: &str,
        message: Option<&str>,
        author: Option<&str>,
    ) -> Result<String> {
        let target = validate_tag(reference).map_err(|e| match e {
            EngineError::InvalidInput { message, .. } => EngineError::invalid("reference", message),
            e => e,
        })?;
        let repo = target.repository();
        let tag = target.tag.clone().unwrap_or_else(|| "latest".into());
        let nonempty = |s: Option<&str>| {
            s.map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let r = self
            .docker
            .commit_container(
                CommitContainerOptions {
                    container: Some(id.to_owned()),
                    repo: Some(repo),
                    tag: Some(tag),
                    comment: nonempty(message),
                    author: nonempty(author),
                    pause: true,
                    changes: None,
                },
                bollard::models::ContainerConfig::default(),
            )
            .await
            .map_err(|e| self.err(e))?;
        Ok(r.id)
    }
}

/// Docker's rule for container names: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`. Returns the trimmed name
/// without a leading `/`.
pub fn validate_container_name(name: &str) -> Result<&str> {
    let n = name.trim();
    let n = n.strip_prefix('/').unwrap_or(n);
    if n.is_empty() {
        return Err(EngineError::invalid("name", "Type a name."));
    }
    let mut chars = n.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
    if !first_ok || !rest_ok || n.len() < 2 {
        return Err(EngineError::invalid(
            "name",
            format!(
                "{n:?} is not a container name: at least 2 characters, letters, digits, _ . or -, \
                 starting with a letter or digit."
            ),
        ));
    }
    Ok(n)
}

/// The labels of a map as sorted rows.
pub fn label_rows(map: HashMap<String, String>) -> Vec<KeyValue> {
    let mut v: Vec<KeyValue> = map
        .into_iter()
        .map(|(key, value)| KeyValue { key, value })
        .collect();
    v.sort_by(|a, b| a.key.cmp(&b.key));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_docker_rule() {
        assert_eq!(validate_container_name(" /web-1 ").unwrap(), "web-1");
        for bad in ["", "a", "-x", "has space", "ünï", "a/b"] {
            let e = validate_container_name(bad).unwrap_err();
            assert_eq!(e.code(), "InvalidInput", "{bad}");
        }
    }

    #[test]
    fn signals_are_checked() {
        for ok in ["SIGTERM", "TERM", "9", "SIGRTMIN+3"] {
            validate_signal(ok).unwrap();
        }
        for bad in ["", "0", "99", "sigterm; rm", "SIGVERYLONGNAME"] {
            assert!(validate_signal(bad).is_err(), "{bad}");
        }
        let e = ContainerAction::Stop {
            timeout: Some(100_000),
        }
        .validate()
        .unwrap_err();
        assert!(e.to_string().contains("3600"), "{e}");
    }

    #[test]
    fn actions_cross_ipc_tagged() {
        let a: ContainerAction =
            serde_json::from_str(r#"{"kind":"remove","force":true,"volumes":false}"#).unwrap();
        assert_eq!(
            a,
            ContainerAction::Remove {
                force: true,
                volumes: false
            }
        );
        assert_eq!(a.past(), "removed");
    }
}
