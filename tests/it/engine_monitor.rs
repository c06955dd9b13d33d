//! The monitor against a daemon that stops and starts again: the status flips, the engine comes
//! back by itself, and a re-list has no duplicate rows.

use std::collections::HashSet;
use std::time::Duration;

use dockwright_engine::{EngineStatus, Monitor, MonitorEvent};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::support::daemon::{self, PrivateDaemon};
use crate::support::fixtures;

async fn wait_status(
    rx: &mut UnboundedReceiver<MonitorEvent>,
    within: Duration,
    want: fn(&EngineStatus) -> bool,
) -> EngineStatus {
    tokio::time::timeout(within, async {
        loop {
            if let Some(MonitorEvent::Status(s)) = rx.recv().await {
                if want(&s) {
                    return s;
                }
            }
        }
    })
    .await
    .expect("status within time")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recovers_after_the_daemon_restarts() {
    // Needs a daemon we may stop: a second private one, never the user's.
    if daemon::shared().is_none() {
        return;
    }
    let Some(d) = PrivateDaemon::start_isolated("restart") else {
        return;
    };
    let host = d.host();
    let docker = daemon::connect(&host);
    let scope = fixtures::Scope::new(&docker);
    let (id, _) = scope.create_container(&["true"]).await;

    let h = host.clone();
    let (monitor, mut rx) = Monitor::start(move || {
        dockwright_engine::connect::resolve(&dockwright_engine::Environment::for_host(&h), None)
    });
    wait_status(&mut rx, Duration::from_secs(10), |s| {
        matches!(s, EngineStatus::Connected { .. })
    })
    .await;
    let before = monitor
        .engine()
        .unwrap()
        .list_containers(true)
        .await
        .unwrap();
    assert_eq!(before.iter().filter(|c| c.id == id).count(), 1);

    // A container that ignores SIGTERM keeps the stopping daemon (and its event stream) alive
    // for its 10 s stop timeout, long after the socket is gone. An operation that fails in that
    // window must flip the status at once.
    let (slow, _) = scope.create_container(&["sleep", "300"]).await;
    scope.start(&slow).await;
    let engine = monitor.engine().unwrap();
    d.begin_stop();
    let stopping = std::time::Instant::now();
    while d.socket.exists() {
        assert!(
            stopping.elapsed() < Duration::from_secs(5),
            "socket still there"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let err = engine.list_containers(true).await.unwrap_err();
    assert_eq!(monitor.note(err).code(), "DaemonUnreachable");
    let down = wait_status(&mut rx, Duration::from_secs(3), |s| {
        matches!(s, EngineStatus::Disconnected { .. })
    })
    .await;
    assert!(
        stopping.elapsed() < Duration::from_secs(5),
        "noticed only after {:?}",
        stopping.elapsed()
    );
    d.stop();
    if let EngineStatus::Disconnected { error, .. } = down {
        assert_eq!(error.code, "DaemonUnreachable");
    }
    assert!(monitor.engine().is_none());
    assert_eq!(monitor.require().unwrap_err().code(), "DaemonUnreachable");

    d.run().unwrap();
    wait_status(&mut rx, Duration::from_secs(15), |s| {
        matches!(s, EngineStatus::Connected { .. })
    })
    .await;
    let after = monitor
        .engine()
        .unwrap()
        .list_containers(true)
        .await
        .unwrap();
    let ids: Vec<&str> = after.iter().map(|c| c.id.as_str()).collect();
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(ids.len(), unique.len(), "duplicate rows after reconnect");
    assert_eq!(after.iter().filter(|c| c.id == id).count(), 1);

    // Events flow again on the new connection.
    let (id2, _) = scope.create_container(&["true"]).await;
    tokio::time::timeout(Duration::from_secs(2), async {
        loop {
            if let Some(MonitorEvent::Change(c)) = rx.recv().await {
                if c.id == id2 {
                    return;
                }
            }
        }
    })
    .await
    .expect("a change after reconnect");
    monitor.stop();
    scope.cleanup().await;
}
