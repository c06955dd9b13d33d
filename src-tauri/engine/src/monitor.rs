//! Keeps one connection to the engine alive: connect, subscribe to events, notice the loss,
//! reconnect with backoff. Publishes the status, the current `Engine` and every change.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use serde::Serialize;
use specta::Type;
use tokio::sync::{mpsc, watch, Notify};
use tokio_util::sync::CancellationToken;

use crate::connect::{Endpoint, Engine, EngineInfo};
use crate::error::{EngineError, Result};
use crate::events::Change;

/// `{code, message}` of the last failure, as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StatusError {
    pub code: String,
    pub message: String,
}

impl From<&EngineError> for StatusError {
    fn from(e: &EngineError) -> Self {
        Self {
            code: e.code().to_owned(),
            message: e.to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(
    tag = "state",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum EngineStatus {
    /// Trying to reach `host` (absent when the address itself could not be worked out).
    Connecting {
        host: Option<String>,
    },
    Connected {
        info: EngineInfo,
    },
    /// Not connected; the next attempt is in `retry_in_ms`.
    Disconnected {
        host: Option<String>,
        error: StatusError,
        retry_in_ms: u32,
        attempt: u32,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MonitorEvent {
    Status(EngineStatus),
    Change(Change),
}

/// The delay before reconnect attempt `attempt` (0-based): 250 ms doubling up to 5 s.
pub fn backoff(attempt: u32) -> Duration {
    let ms = 250u64.saturating_mul(1u64 << attempt.min(5));
    Duration::from_millis(ms.min(5_000))
}

/// A running monitor. Dropping it does not stop it; call [`Monitor::stop`].
pub struct Monitor {
    engine: watch::Receiver<Option<Engine>>,
    wake: Arc<Notify>,
    cancel: CancellationToken,
}

impl Monitor {
    /// Starts the loop on the current tokio runtime. `resolve` is asked for the endpoint before
    /// every attempt, so a changed setting or environment takes effect on the next reconnect.
    pub fn start<R>(resolve: R) -> (Self, mpsc::UnboundedReceiver<MonitorEvent>)
    where
        R: Fn() -> Result<Endpoint> + Send + Sync + 'static,
    {
        let (engine_tx, engine_rx) = watch::channel(None);
        let (tx, rx) = mpsc::unbounded_channel();
        let wake = Arc::new(Notify::new());
        let cancel = CancellationToken::new();
        tokio::spawn(run(resolve, engine_tx, tx, wake.clone(), cancel.clone()));
        (
            Self {
                engine: engine_rx,
                wake,
                cancel,
            },
            rx,
        )
    }

    /// The engine, if connected now.
    pub fn engine(&self) -> Option<Engine> {
        self.engine.borrow().clone()
    }

    /// Like [`Monitor::engine`], but an error the UI can show when there is none.
    pub fn require(&self) -> Result<Engine> {
        self.engine().ok_or_else(|| EngineError::DaemonUnreachable {
            address: String::new(),
            message:
                "Not connected to a Docker engine. Dockwright reconnects by itself when it is back."
                    .to_owned(),
        })
    }

    /// Passes an operation's error through; when it says the daemon is gone, the monitor
    /// re-checks the connection at once instead of waiting for the event stream to end (a
    /// stopping daemon removes its socket long before it closes open streams).
    pub fn note(&self, e: EngineError) -> EngineError {
        if matches!(
            e,
            EngineError::DaemonUnreachable { .. } | EngineError::PermissionDenied { .. }
        ) {
            self.wake.notify_one();
        }
        e
    }

    /// Skips the current backoff wait: try again now. Also drops a live connection so a new
    /// endpoint (a changed setting) is picked up.
    pub fn reconnect_now(&self) {
        self.wake.notify_one();
    }

    pub fn stop(&self) {
        self.cancel.cancel();
    }
}

async fn run<R>(
    resolve: R,
    engine_tx: watch::Sender<Option<Engine>>,
    tx: mpsc::UnboundedSender<MonitorEvent>,
    wake: Arc<Notify>,
    cancel: CancellationToken,
) where
    R: Fn() -> Result<Endpoint> + Send + Sync + 'static,
{
    let mut attempt: u32 = 0;
    let send = |e: MonitorEvent| tx.send(e).is_ok();
    loop {
        let endpoint = resolve();
        let host = endpoint.as_ref().ok().map(|e| e.host.clone());
        if attempt == 0
            && !send(MonitorEvent::Status(EngineStatus::Connecting {
                host: host.clone(),
            }))
        {
            return;
        }
        let connected = match endpoint {
            Ok(ep) => {
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    r = Engine::connect(&ep) => r,
                }
            }
            Err(e) => Err(e),
        };
        let error = match connected {
            Ok(engine) => {
                attempt = 0;
                // Subscribe first, so nothing that happens after "connected" is missed.
                let mut changes = Box::pin(engine.changes());
                tracing::info!(host = %engine.info().host, version = %engine.info().server_version, "connected to the Docker engine");
                engine_tx.send_replace(Some(engine.clone()));
                if !send(MonitorEvent::Status(EngineStatus::Connected {
                    info: engine.info().clone(),
                })) {
                    return;
                }
                let lost = loop {
                    tokio::select! {
                        _ = cancel.cancelled() => { engine_tx.send_replace(None); return; }
                        _ = wake.notified() => break None,
                        item = changes.next() => match item {
                            Some(Ok(change)) => {
                                if !send(MonitorEvent::Change(change)) { return; }
                            }
                            Some(Err(e)) => break Some(e),
                            None => break Some(EngineError::DaemonUnreachable {
                                address: engine.info().host.clone(),
                                message: format!("Lost the connection to the Docker daemon at {}.", engine.info().host),
                            }),
                        }
                    }
                };
                engine_tx.send_replace(None);
                match lost {
                    // Asked to reconnect: go straight round.
                    None => {
                        send(MonitorEvent::Status(EngineStatus::Connecting {
                            host: host.clone(),
                        }));
                        continue;
                    }
                    Some(e) => {
                        tracing::warn!(error = %e, "lost the Docker engine");
                        e
                    }
                }
            }
            Err(e) => e,
        };
        let delay = backoff(attempt);
        if !send(MonitorEvent::Status(EngineStatus::Disconnected {
            host,
            error: StatusError::from(&error),
            retry_in_ms: u32::try_from(delay.as_millis()).unwrap_or(u32::MAX),
            attempt,
        })) {
            return;
        }
        attempt = attempt.saturating_add(1);
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = wake.notified() => { attempt = 0; }
            _ = tokio::time::sleep(delay) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_then_caps() {
        assert_eq!(backoff(0), Duration::from_millis(250));
        assert_eq!(backoff(1), Duration::from_millis(500));
        assert_eq!(backoff(3), Duration::from_secs(2));
        assert_eq!(backoff(5), Duration::from_secs(5));
        assert_eq!(backoff(40), Duration::from_secs(5));
    }

    #[tokio::test]
    async fn an_absent_daemon_reports_disconnected_then_retries() {
        let dir = tempfile::tempdir().unwrap();
        let sock = dir.path().join("d.sock");
        let host = format!("unix://{}", sock.display());
        let (m, mut rx) = Monitor::start(move || {
            crate::connect::resolve(&crate::Environment::for_host(&host), None)
        });
        let first = rx.recv().await.unwrap();
        assert!(matches!(
            first,
            MonitorEvent::Status(EngineStatus::Connecting { .. })
        ));
        let mut attempts = vec![];
        while attempts.len() < 2 {
            if let MonitorEvent::Status(EngineStatus::Disconnected { error, attempt, .. }) =
                rx.recv().await.unwrap()
            {
                assert_eq!(error.code, "DaemonUnreachable");
                attempts.push(attempt);
            }
        }
        assert_eq!(attempts, vec![0, 1]);
        assert!(m.engine().is_none());
        assert_eq!(m.require().unwrap_err().code(), "DaemonUnreachable");
        m.stop();
    }
}
