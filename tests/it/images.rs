//! Image operations against a real daemon and a local registry: inspect, history, tag, remove
//! (refused while a container uses it), prune, pull with progress, search without the Hub.

use std::time::Duration;

use bollard::query_parameters::PushImageOptions;
use dockwright_engine::reference::{validate_tag, Reference};
use dockwright_engine::EngineError;
use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;

use crate::support::{daemon, fixtures, registry::Registry, unique};

async fn rmi(docker: &bollard::Docker, r: &str) {
    let _ = fixtures::remove_image(docker, r).await;
}

#[tokio::test]
async fn inspect_history_tag_and_remove() {
    let Some(d) = daemon::shared() else { return };
    let docker = d.docker();
    let base = fixtures::busybox(&docker).await;
    let engine = d.engine().await;

    let details = engine.inspect_image(base).await.unwrap();
    assert!(details.id.starts_with("sha256:"));
    assert!(details.repo_tags.iter().any(|t| t == base));
    assert_eq!(details.cmd, ["sh"]);
    assert!(details.layers >= 1);
    assert!(
        details.raw.contains("\"RootFS\""),
        "raw JSON keeps the API's keys"
    );

    let history = engine.image_history(base).await.unwrap();
    assert!(
        history.iter().any(|h| h.created_by.contains("COPY")),
        "{history:?}"
    );
    assert!(
        history.iter().any(|h| h.size > 500_000),
        "the busybox layer is big"
    );

    let name = unique("dw-tag");
    let target = validate_tag(&format!("{name}:v1")).unwrap();
    engine.tag_image(base, &target).await.unwrap();
    let tagged = engine.inspect_image(&format!("{name}:v1")).await.unwrap();
    assert_eq!(tagged.id, details.id);

    // A container uses the image: removal by id is refused, naming the way out.
    let scope = fixtures::Scope::new(&docker);
    scope.create_container(&["true"]).await;
    let e = engine.remove_image(&details.id, false).await.unwrap_err();
    assert_eq!(e.code(), "Conflict", "{e}");
    assert!(e.to_string().contains("force"), "{e}");
    scope.cleanup().await;

    // Removing the extra tag untags only.
    let r = engine
        .remove_image(&format!("{name}:v1"), false)
        .await
        .unwrap();
    assert_eq!(r.untagged, [format!("{name}:v1")]);
    assert!(r.deleted.is_empty());
    let e = engine
        .inspect_image(&format!("{name}:v1"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "NotFound");
    assert!(e.to_string().contains("There is no image"), "{e}");

    for bad in ["", "a b", "x?y=1", "../../containers/json"] {
        assert_eq!(
            engine.inspect_image(bad).await.unwrap_err().code(),
            "InvalidInput",
            "{bad:?}"
        );
    }
}

#[tokio::test]
async fn prune_removes_dangling_images_and_reports_the_space() {
    let Some(d) = daemon::shared() else { return };
    let docker = d.docker();
    fixtures::busybox(&docker).await;
    let engine = d.engine().await;
    // A dangling image: built, then its only tag moved away.
    let dir = tempfile::tempdir().unwrap();
    let marker = unique("dangling");
    std::fs::write(dir.path().join("Dockerfile"), "FROM scratch\nCOPY blob /\n").unwrap();
    std::fs::write(dir.path().join("blob"), marker.repeat(10_000)).unwrap();
    let checked = dockwright_engine::build::run::check(
        dir.path(),
        &dockwright_engine::build::run::BuildOptions::default(),
    )
    .unwrap();
    let built = engine
        .build(&checked, None, CancellationToken::new(), |_| {})
        .await
        .unwrap();
    let listed = engine.list_images().await.unwrap();
    assert!(listed
        .iter()
        .any(|i| i.id == built.image_id && i.dangling()));
    let report = engine.prune_images(false).await.unwrap();
    assert!(report.deleted.contains(&built.image_id), "{report:?}");
    assert!(report.space_reclaimed >= marker.len() as u64 * 10_000);
    assert!(engine.inspect_image(&built.image_id).await.is_err());
}

#[tokio::test]
async fn pull_from_a_registry_with_progress_and_digest() {
    let Some(d) = daemon::shared() else { return };
    let Some(reg) = Registry::start(None) else {
        return;
    };
    let docker = d.docker();
    let base = fixtures::busybox(&docker).await;
    let engine = d.engine().await;
    let name = format!("{}/dw/{}", reg.address, unique("pull"));
    let reference = format!("{name}:1");
    // An image of its own (two layers, one of them unique), so the pull has layers to fetch.
    let built_id = fixtures::image_with_blob(&engine, base, &reference, 1_000_000).await;
    let mut push = docker.push_image(
        &name,
        Some(PushImageOptions {
            tag: Some("1".into()),
            ..Default::default()
        }),
        None,
    );
    while let Some(item) = push.next().await {
        let info = item.unwrap();
        assert!(info.error_detail.is_none(), "{info:?}");
    }
    rmi(&docker, &built_id).await;
    assert!(engine.inspect_image(&reference).await.is_err());

    let mut snapshots = Vec::new();
    let r = engine
        .pull_image(
            &Reference::parse(&reference).unwrap(),
            None,
            CancellationToken::new(),
            |p| snapshots.push(p),
        )
        .await
        .unwrap();
    assert_eq!(r.reference, reference);
    let digest = r.digest.expect("a digest");
    assert!(digest.starts_with("sha256:") && digest.len() == 71);
    let last = snapshots.last().expect("progress reported");
    assert!(!last.layers.is_empty());
    assert_eq!(last.layers_done as usize, last.layers.len(), "{last:?}");
    assert!(last.total > 0 && last.current == last.total, "{last:?}");
    assert!(r
        .status
        .unwrap_or_default()
        .contains("Downloaded newer image"));
    let i = engine.inspect_image(&reference).await.unwrap();
    assert!(i.repo_digests.iter().any(|d| d.ends_with(&digest)));

    // Pulling again: up to date.
    let r = engine
        .pull_image(
            &Reference::parse(&reference).unwrap(),
            None,
            CancellationToken::new(),
            |_| {},
        )
        .await
        .unwrap();
    assert!(r.status.unwrap_or_default().contains("up to date"));

    // A tag the registry does not have: a clear failure, nothing pulled.
    let missing = Reference::parse(&format!("{name}:nope")).unwrap();
    let e = engine
        .pull_image(&missing, None, CancellationToken::new(), |_| {})
        .await
        .unwrap_err();
    assert!(matches!(e.code(), "NotFound" | "Failed"), "{e}");
    assert!(e.to_string().contains("nope"), "{e}");
    rmi(&docker, &reference).await;
}

#[tokio::test]
async fn pull_cancel_and_an_unreachable_registry() {
    let Some(d) = daemon::shared() else { return };
    let engine = d.engine().await;
    // Nothing listens on this port: the daemon reports it; it is never a success.
    let port = crate::support::free_port();
    let r = Reference::parse(&format!("127.0.0.1:{port}/nothing/here:1")).unwrap();
    let e = engine
        .pull_image(&r, None, CancellationToken::new(), |_| {})
        .await
        .unwrap_err();
    assert!(e.to_string().contains("connection refused"), "{e}");

    let cancel = CancellationToken::new();
    cancel.cancel();
    let e = engine
        .pull_image(&r, None, cancel, |_| {})
        .await
        .unwrap_err();
    assert_eq!(e, EngineError::Cancelled);
}

#[tokio::test]
async fn search_without_the_hub_is_a_clear_message() {
    let Some(d) = daemon::shared() else { return };
    let engine = d.engine().await;
    let e = engine.search_images("", 10).await.unwrap_err();
    assert_eq!(e.code(), "InvalidInput");
    // This machine has no route to Docker Hub; with one, results come back.
    match tokio::time::timeout(Duration::from_secs(60), engine.search_images("busybox", 5))
        .await
        .expect("search answers")
    {
        Ok(hits) => assert!(hits.iter().any(|h| h.name.contains("busybox"))),
        Err(e) => {
            assert_eq!(e.code(), "Failed", "{e}");
            assert!(
                e.to_string().starts_with("Docker Hub cannot be reached"),
                "{e}"
            );
        }
    }
}
