//! The daemon's `/events` stream as typed changes.

use bollard::models::{EventMessage, EventMessageTypeEnum};
use bollard::query_parameters::EventsOptions;
use futures_util::{Stream, StreamExt};
use serde::Serialize;
use specta::Type;
use std::collections::HashMap;

use crate::connect::Engine;
use crate::error::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum ChangeScope {
    Container,
    Image,
    Volume,
    Network,
}

/// One thing that changed on the engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    pub scope: ChangeScope,
    /// The daemon's action: `create`, `start`, `die`, `destroy`, `tag`, `delete`,
    /// `health_status: healthy`, …
    pub action: String,
    /// Container or image id (or name, for volumes and networks).
    pub id: String,
    /// The `name` attribute, when the daemon gives one.
    pub name: Option<String>,
    /// Exit code of a `die`.
    pub exit_code: Option<i64>,
    /// The signal number of a `kill`.
    pub signal: Option<i64>,
    /// Unix time in nanoseconds.
    pub time_nano: i64,
}

impl Change {
    /// Whether the containers or images list must be refreshed after this change.
    /// Exec and attach chatter does not change a list.
    pub fn affects_lists(&self) -> bool {
        let a = self.action.as_str();
        !(a.starts_with("exec_")
            || a == "attach"
            || a == "detach"
            || a == "resize"
            || a == "top"
            || a == "archive-path"
            || a == "extract-to-dir"
            || a == "export"
            || a == "copy")
    }
}

/// Turns one daemon message into a `Change`, or `None` for scopes the app does not show.
pub fn to_change(m: EventMessage) -> Option<Change> {
    let scope = match m.typ? {
        EventMessageTypeEnum::CONTAINER => ChangeScope::Container,
        EventMessageTypeEnum::IMAGE => ChangeScope::Image,
        EventMessageTypeEnum::VOLUME => ChangeScope::Volume,
        EventMessageTypeEnum::NETWORK => ChangeScope::Network,
        _ => return None,
    };
    let actor = m.actor.unwrap_or_default();
    let attrs: HashMap<String, String> = actor.attributes.unwrap_or_default();
    Some(Change {
        scope,
        action: m.action.unwrap_or_default(),
        id: actor.id.unwrap_or_default(),
        name: attrs.get("name").cloned(),
        exit_code: attrs.get("exitCode").and_then(|c| c.parse().ok()),
        signal: attrs.get("signal").and_then(|c| c.parse().ok()),
        time_nano: m
            .time_nano
            .or_else(|| m.time.map(|t| t.saturating_mul(1_000_000_000)))
            .unwrap_or_default(),
    })
}

/// How far back [`Engine::changes`] asks the daemon to replay.
pub const REPLAY_SECS: u64 = 2;

impl Engine {
    /// Subscribes to the daemon's events. The stream is lazy (the request goes out when it is
    /// first polled), so it asks the daemon to replay the last [`REPLAY_SECS`] seconds too:
    /// nothing done between this call and the first poll is missed. A replayed change only
    /// causes a harmless extra refresh. The stream ends (or errs) when the connection is lost.
    pub fn changes(&self) -> impl Stream<Item = Result<Change>> + Send + 'static {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        self.changes_since(now.saturating_sub(REPLAY_SECS))
    }

    /// Subscribes to the daemon's events from `since` (unix seconds) on, replaying what the
    /// daemon still holds from before now.
    pub fn changes_since(&self, since: u64) -> impl Stream<Item = Result<Change>> + Send + 'static {
        let filters = HashMap::from([(
            "type".to_owned(),
            vec![
                "container".to_owned(),
                "image".to_owned(),
                "volume".to_owned(),
                "network".to_owned(),
            ],
        )]);
        let engine = self.clone();
        self.docker
            .events(Some(EventsOptions {
                since: Some(since.to_string()),
                filters: Some(filters),
                ..Default::default()
            }))
            .filter_map(move |item| {
                let out = match item {
                    Ok(m) => to_change(m).map(Ok),
                    Err(e) => Some(Err(engine.err(e))),
                };
                std::future::ready(out)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard::models::EventActor;

    #[test]
    fn container_die_carries_exit_code_and_name() {
        let m = EventMessage {
            typ: Some(EventMessageTypeEnum::CONTAINER),
            action: Some("die".into()),
            actor: Some(EventActor {
                id: Some("abc".into()),
                attributes: Some(HashMap::from([
                    ("name".into(), "web".into()),
                    ("exitCode".into(), "137".into()),
                    ("signal".into(), "not a number".into()),
                ])),
            }),
            time: Some(2),
            ..Default::default()
        };
        let c = to_change(m).unwrap();
        assert_eq!(c.scope, ChangeScope::Container);
        assert_eq!(c.exit_code, Some(137));
        assert_eq!(c.signal, None);
        assert_eq!(c.name.as_deref(), Some("web"));
        assert_eq!(c.time_nano, 2_000_000_000);
        assert!(c.affects_lists());
    }

    #[test]
    fn exec_chatter_does_not_touch_lists_and_daemon_events_are_dropped() {
        let exec = to_change(EventMessage {
            typ: Some(EventMessageTypeEnum::CONTAINER),
            action: Some("exec_start: sh".into()),
            ..Default::default()
        })
        .unwrap();
        assert!(!exec.affects_lists());
        assert!(to_change(EventMessage {
            typ: Some(EventMessageTypeEnum::DAEMON),
            action: Some("reload".into()),
            ..Default::default()
        })
        .is_none());
    }
}
