//! Listing containers and images on a real daemon.

use crate::support::{daemon, fixtures};

#[tokio::test]
async fn lists_a_created_container_with_its_fields() {
    let Some(d) = daemon::shared() else { return };
    let docker = d.docker();
    let scope = fixtures::Scope::new(&docker);
    let (id, name) = scope.create_container(&["sleep", "30"]).await;
    let engine = d.engine().await;

    let all = engine.list_containers(true).await.unwrap();
    let c = all
        .iter()
        .find(|c| c.id == id)
        .expect("created container listed");
    assert_eq!(c.name, name);
    assert_eq!(c.image, fixtures::BUSYBOX);
    assert_eq!(c.state, "created");
    assert!(c.created > 0);
    // Not running: absent from the running-only list.
    let running = engine.list_containers(false).await.unwrap();
    assert!(running.iter().all(|c| c.id != id));

    scope.start(&id).await;
    let running = engine.list_containers(false).await.unwrap();
    let c = running
        .iter()
        .find(|c| c.id == id)
        .expect("started container listed");
    assert_eq!(c.state, "running");
    assert!(c.status.starts_with("Up"), "{}", c.status);
    scope.cleanup().await;
    assert!(engine
        .list_containers(true)
        .await
        .unwrap()
        .iter()
        .all(|c| c.id != id));
}

#[tokio::test]
async fn lists_images_with_tags_and_sizes() {
    let Some(d) = daemon::shared() else { return };
    let docker = d.docker();
    fixtures::busybox(&docker).await;
    let images = d.engine().await.list_images().await.unwrap();
    let bb = images
        .iter()
        .find(|i| i.repo_tags.iter().any(|t| t == fixtures::BUSYBOX))
        .expect("fixture image listed");
    assert!(bb.id.starts_with("sha256:"));
    // The static busybox binary alone is over a megabyte.
    assert!(bb.size > 1_000_000, "{}", bb.size);
    assert!(!bb.dangling());
    // Newest first.
    assert!(images.windows(2).all(|w| w[0].created >= w[1].created));
}
