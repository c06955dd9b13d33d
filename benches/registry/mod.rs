//! Push and pull of a 100 MB image to and from a loopback registry: Dockwright's engine against
//! `docker push` / `docker pull` on the same daemon, alternating. Every push goes to a fresh
//! registry so nothing is already there; every pull starts with the image removed.

use std::time::Instant;

use dockwright_engine::reference::Reference;
use tokio_util::sync::CancellationToken;

use super::{entry, median, Entry};
use crate::support::registry::Registry;
use crate::support::{daemon, fixtures, unique};

const ROUNDS: usize = 3;
const SIZE: usize = 100_000_000;

fn cli(host: &str, args: &[&str]) -> f64 {
    let t = Instant::now();
    let out = std::process::Command::new("docker")
        .args(args)
        .env("DOCKER_HOST", host)
        .env_remove("DOCKER_CONTEXT")
        .output()
        .expect("docker CLI");
    assert!(
        out.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    t.elapsed().as_secs_f64()
}

async fn rmi(docker: &bollard::Docker, r: &str) {
    let _ = fixtures::remove_image(docker, r).await;
}

pub async fn run(d: &daemon::TestDaemon) -> Vec<Entry> {
    let docker = d.docker();
    let base = fixtures::busybox(&docker).await;
    let engine = d.engine().await;
    let local = format!("dw-bench/{}:1", unique("push"));
    eprintln!("bench: building a 100 MB image…");
    let id = fixtures::image_with_blob(&engine, base, &local, SIZE).await;
    let (mut push_ours, mut push_cli, mut pull_ours, mut pull_cli) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        for ours in [true, false] {
            let reg = Registry::start(None).expect("a registry");
            let target = format!("{}/bench/app:1", reg.address);
            docker
                .tag_image(
                    &id,
                    Some(bollard::query_parameters::TagImageOptions {
                        repo: Some(format!("{}/bench/app", reg.address)),
                        tag: Some("1".into()),
                    }),
                )
                .await
                .unwrap();
            let r = Reference::parse(&target).unwrap();
            let t = Instant::now();
            if ours {
                engine
                    .push_image(&r, None, CancellationToken::new(), |_| {})
                    .await
                    .unwrap();
                push_ours.push(t.elapsed().as_secs_f64());
            } else {
                push_cli.push(cli(&d.host, &["push", "-q", &target]));
            }
            // Pull it back: ours and the CLI's, each from an image that is not there.
            for pull_ours_first in [true, false] {
                // Every tag and the 100 MB layer gone: the pull must fetch it.
                rmi(&docker, &id).await;
                assert!(docker.inspect_image(&id).await.is_err());
                let t = Instant::now();
                if pull_ours_first == ours {
                    engine
                        .pull_image(&r, None, CancellationToken::new(), |_| {})
                        .await
                        .unwrap();
                    pull_ours.push(t.elapsed().as_secs_f64());
                } else {
                    pull_cli.push(cli(&d.host, &["pull", "-q", &target]));
                }
            }
        }
        eprintln!(
            "bench: round {round}: push {:.2} s vs CLI {:.2} s; pull {:.2} s vs CLI {:.2} s",
            push_ours[round],
            push_cli[round],
            pull_ours[2 * round],
            pull_cli[2 * round]
        );
    }
    rmi(&docker, &id).await;
    vec![
        entry(
            "push_100mb",
            "s",
            median(push_ours),
            "docker push (same daemon, fresh loopback registry each)",
            median(push_cli),
            "ratio <= 1.1",
        ),
        entry(
            "pull_100mb",
            "s",
            median(pull_ours),
            "docker pull (same daemon, image removed before each)",
            median(pull_cli),
            "ratio <= 1.1",
        ),
    ]
}
