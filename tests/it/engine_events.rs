//! The daemon's event stream as typed changes: a container the test creates, starts, stops and
//! removes is seen at each step, within a second.

use std::time::Duration;

use dockwright_engine::ChangeScope;
use futures_util::StreamExt;

use crate::support::{daemon, fixtures};

async fn next<S>(changes: &mut S, id: &str, action: &str) -> dockwright_engine::Change
where
    S: futures_util::Stream<Item = dockwright_engine::Result<dockwright_engine::Change>> + Unpin,
{
    tokio::time::timeout(Duration::from_secs(1), async {
        loop {
            let c = changes
                .next()
                .await
                .expect("stream open")
                .expect("no error");
            if c.id == id && c.action == action {
                return c;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no `{action}` event within 1 s"))
}

#[tokio::test]
async fn sees_a_containers_life_within_a_second() {
    let Some(d) = daemon::shared() else { return };
    let docker = d.docker();
    let scope = fixtures::Scope::new(&docker);
    fixtures::busybox(&docker).await;
    let engine = d.engine().await;
    // Subscribed, not yet polled: what happens next must still be seen.
    let mut changes = Box::pin(engine.changes());

    let (id, name) = scope.create_container(&["sleep", "30"]).await;
    let created = next(&mut changes, &id, "create").await;
    assert_eq!(created.scope, ChangeScope::Container);
    assert_eq!(created.name.as_deref(), Some(name.as_str()));
    scope.start(&id).await;
    next(&mut changes, &id, "start").await;
    docker
        .kill_container(&id, None::<bollard::query_parameters::KillContainerOptions>)
        .await
        .unwrap();
    let died = next(&mut changes, &id, "die").await;
    assert_eq!(died.exit_code, Some(137));
    scope.cleanup().await;
    next(&mut changes, &id, "destroy").await;
}
