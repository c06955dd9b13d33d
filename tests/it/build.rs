//! Builds against a real daemon: success and tags, failures that tag nothing and leave nothing
//! behind, cancel, a daemon stopped mid-build, a Dockerfile outside the folder, and what reaches
//! the image compared with what the docker CLI sends for the same folder.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use bollard::query_parameters::{
    CreateContainerOptions, DownloadFromContainerOptions, ListContainersOptions,
    RemoveContainerOptions,
};
use dockwright_engine::build::run::{self, BuildEvent, BuildOptions, KeyValue};
use dockwright_engine::{Engine, EngineError};
use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;

use crate::support::{daemon, fixtures, have, missing, unique};

fn write(root: &Path, rel: &str, body: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, body).unwrap();
}

/// Runs a build to its end, collecting the output text.
async fn build(
    engine: &Engine,
    root: &Path,
    options: &BuildOptions,
) -> (Result<run::BuildResult, EngineError>, String) {
    let checked = match run::check(root, options) {
        Ok(c) => c,
        Err(e) => return (Err(e), String::new()),
    };
    let mut out = String::new();
    let r = engine
        .build(&checked, None, CancellationToken::new(), |ev| {
            if let BuildEvent::Output { text } = ev {
                out.push_str(&text);
            }
        })
        .await;
    (r, out)
}

async fn image_exists(docker: &bollard::Docker, reference: &str) -> bool {
    docker.inspect_image(reference).await.is_ok()
}

async fn remove_image(docker: &bollard::Docker, reference: &str) {
    let _ = fixtures::remove_image(docker, reference).await;
}

/// A folder whose build runs a step that echoes a unique marker and sleeps a minute; checked,
/// with the tag `<marker>:1`. The folder lives as long as the first value.
fn sleeping_build(
    base: &str,
    prefix: &str,
) -> (tempfile::TempDir, String, String, run::CheckedBuild) {
    let dir = tempfile::tempdir().unwrap();
    let marker = unique(prefix);
    write(
        dir.path(),
        "Dockerfile",
        format!("FROM {base}\nRUN echo {marker} && sleep 60\n").as_bytes(),
    );
    let tag = format!("{marker}:1");
    let checked = run::check(
        dir.path(),
        &BuildOptions {
            tags: vec![tag.clone()],
            ..Default::default()
        },
    )
    .unwrap();
    (dir, marker, tag, checked)
}

/// Starts a build and returns once its output shows `marker` (its `RUN` step is running).
async fn build_until(
    engine: &Engine,
    checked: run::CheckedBuild,
    marker: &str,
    cancel: CancellationToken,
) -> tokio::task::JoinHandle<Result<run::BuildResult, EngineError>> {
    let (seen_tx, mut seen_rx) = tokio::sync::mpsc::unbounded_channel();
    let engine = engine.clone();
    let marker = marker.to_owned();
    let task = tokio::spawn(async move {
        engine
            .build(&checked, None, cancel, |ev| {
                if let BuildEvent::Output { text } = ev {
                    if text.contains(&marker) {
                        let _ = seen_tx.send(());
                    }
                }
            })
            .await
    });
    tokio::time::timeout(Duration::from_secs(60), seen_rx.recv())
        .await
        .expect("the RUN step started");
    task
}

/// Containers (any state) whose command mentions `marker`: a build's leftovers.
async fn containers_mentioning(docker: &bollard::Docker, marker: &str) -> Vec<String> {
    docker
        .list_containers(Some(ListContainersOptions {
            all: true,
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.command.as_deref().unwrap_or_default().contains(marker))
        .map(|c| c.id.unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn a_build_streams_output_and_applies_every_tag_with_labels_and_args() {
    let Some(d) = daemon::shared() else { return };
    let docker = d.docker();
    let base = fixtures::busybox(&docker).await;
    let engine = d.engine().await;
    let dir = tempfile::tempdir().unwrap();
    let name = unique("dw-build");
    write(
        dir.path(),
        "Dockerfile",
        format!(
            "ARG GREETING=hello\nFROM {base} AS base\nARG GREETING\nCOPY . /app/\nRUN echo \"$GREETING from the build\" > /app/greeting\nFROM base AS final\nLABEL stage=final\n"
        )
        .as_bytes(),
    );
    write(dir.path(), "src/main.txt", b"main");
    let tags = vec![format!("{name}:1"), format!("localhost:5000/{name}:latest")];
    let options = BuildOptions {
        tags: tags.clone(),
        build_args: vec![KeyValue {
            key: "GREETING".into(),
            value: "bonjour".into(),
        }],
        labels: vec![KeyValue {
            key: "dev.dockwright.test".into(),
            value: name.clone(),
        }],
        target: Some("base".into()),
        ..Default::default()
    };
    let (r, out) = build(&engine, dir.path(), &options).await;
    let r = r.unwrap_or_else(|e| panic!("build failed: {e}\n{out}"));
    assert!(out.contains("Step 1/"), "{out}");
    assert!(r.image_id.starts_with("sha256:"));
    assert_eq!(r.tags, tags);
    for t in &tags {
        let i = docker.inspect_image(t).await.unwrap();
        assert_eq!(i.id.as_deref(), Some(r.image_id.as_str()));
        let labels = i.config.unwrap().labels.unwrap();
        assert_eq!(labels.get("dev.dockwright.test"), Some(&name));
        // The target stopped before the final stage's label.
        assert_eq!(labels.get("stage"), None);
    }
    // The build arg reached the RUN step.
    let files = image_files(&docker, &r.image_id, "/app").await;
    assert_eq!(files["app/greeting"], "file bonjour from the build\n");
    assert_eq!(files["app/src/main.txt"], "file main");
    for t in &tags {
        remove_image(&docker, t).await;
    }
}

#[tokio::test]
async fn failures_tag_nothing_and_leave_no_container_behind() {
    let Some(d) = daemon::shared() else { return };
    let docker = d.docker();
    let base = fixtures::busybox(&docker).await;
    let engine = d.engine().await;
    let tag = format!("{}:1", unique("dw-fail"));
    let options = BuildOptions {
        tags: vec![tag.clone()],
        ..Default::default()
    };

    // A failing RUN.
    let dir = tempfile::tempdir().unwrap();
    let marker = unique("marker");
    write(
        dir.path(),
        "Dockerfile",
        format!("FROM {base}\nRUN echo {marker} && exit 3\n").as_bytes(),
    );
    let (r, out) = build(&engine, dir.path(), &options).await;
    let e = r.expect_err("a failing RUN fails the build");
    assert_eq!(e.code(), "Failed", "{e}");
    assert!(e.to_string().contains("non-zero code: 3"), "{e}");
    assert!(
        out.contains(&marker),
        "the step's output is streamed: {out}"
    );
    assert!(
        !image_exists(&docker, &tag).await,
        "no tag on a failed build"
    );
    assert_eq!(
        containers_mentioning(&docker, &marker).await,
        Vec::<String>::new()
    );

    // A Dockerfile syntax error: the daemon's message, with the line.
    write(dir.path(), "Dockerfile", b"FROM scratch\nFORM oops\n");
    let (r, _) = build(&engine, dir.path(), &options).await;
    let e = r.expect_err("syntax error");
    assert_eq!(e.code(), "Failed");
    assert!(
        e.to_string().to_lowercase().contains("unknown instruction"),
        "{e}"
    );
    assert!(!image_exists(&docker, &tag).await);

    // Inputs refused before anything is sent.
    std::fs::remove_file(dir.path().join("Dockerfile")).unwrap();
    let (r, _) = build(&engine, dir.path(), &options).await;
    let e = r.expect_err("no Dockerfile");
    assert_eq!(e.code(), "InvalidInput");
    assert!(e.to_string().contains("There is no Dockerfile"), "{e}");
    write(dir.path(), "Dockerfile", b"FROM scratch\n");
    for bad in ["Upper:1", "has space", "app:", "app@", "a:b:c"] {
        let o = BuildOptions {
            tags: vec![bad.into()],
            ..Default::default()
        };
        let (r, _) = build(&engine, dir.path(), &o).await;
        assert_eq!(r.expect_err(bad).code(), "InvalidInput", "{bad}");
    }
}

#[tokio::test]
async fn a_dockerfile_outside_the_folder_builds_like_docker_build_f() {
    let Some(d) = daemon::shared() else { return };
    let docker = d.docker();
    fixtures::busybox(&docker).await;
    let engine = d.engine().await;
    let dir = tempfile::tempdir().unwrap();
    let other = tempfile::tempdir().unwrap();
    write(dir.path(), "a.txt", b"A");
    let df = other.path().join("ci.Dockerfile");
    std::fs::write(&df, "FROM scratch\nCOPY . /ctx/\n").unwrap();
    let options = BuildOptions {
        dockerfile: df.display().to_string(),
        ..Default::default()
    };
    let (r, out) = build(&engine, dir.path(), &options).await;
    let r = r.unwrap_or_else(|e| panic!("{e}\n{out}"));
    let files = image_files(&docker, &r.image_id, "/ctx").await;
    assert_eq!(files.get("ctx/a.txt").map(String::as_str), Some("file A"));
    assert!(
        !files.keys().any(|k| k.contains(".dockerfile.")),
        "the generated Dockerfile name stays out of the image: {files:?}"
    );
    remove_image(&docker, &r.image_id).await;
}

#[tokio::test]
async fn cancel_stops_the_build_on_the_daemon_and_leaves_nothing() {
    let Some(d) = daemon::shared() else { return };
    let docker = d.docker();
    let base = fixtures::busybox(&docker).await;
    let engine = d.engine().await;
    let (_dir, marker, tag, checked) = sleeping_build(base, "cancel");
    let cancel = CancellationToken::new();
    let task = build_until(&engine, checked, &marker, cancel.clone()).await;
    let t = Instant::now();
    cancel.cancel();
    let r = tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .expect("cancel returns promptly")
        .unwrap();
    assert_eq!(r.expect_err("cancelled"), EngineError::Cancelled);
    eprintln!("build cancel returned after {:?}", t.elapsed());
    // The daemon stops the step and removes its container.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let left = containers_mentioning(&docker, &marker).await;
        if left.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "build container still there 20 s after cancel: {left:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    eprintln!("build container gone {:?} after cancel", t.elapsed());
    assert!(!image_exists(&docker, &tag).await);
}

#[tokio::test]
async fn a_daemon_stopped_mid_build_is_a_failure_and_tags_nothing() {
    let Some(own) = daemon::PrivateDaemon::start_isolated("build-stop") else {
        return;
    };
    let docker = daemon::connect(&own.host());
    let base = fixtures::busybox(&docker).await;
    let engine = own.engine().await;
    let (_dir, marker, tag, checked) = sleeping_build(base, "stop");
    let task = build_until(&engine, checked, &marker, CancellationToken::new()).await;
    own.stop();
    let r = tokio::time::timeout(Duration::from_secs(60), task)
        .await
        .expect("the build ends when the daemon goes")
        .unwrap();
    let e = r.expect_err("never a success");
    assert_ne!(e.code(), "Cancelled");
    eprintln!("daemon stopped mid-build: {} — {e}", e.code());
    own.run().unwrap();
    let docker = daemon::connect(&own.host());
    assert!(!image_exists(&docker, &tag).await);
    own.stop();
}

/// A 100,000-file folder: counting reports progress, and cancel ends it within a second.
#[tokio::test]
async fn a_huge_folder_counts_with_progress_and_cancels_quickly() {
    use dockwright_engine::build::context::{CancelFlag, Context};
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", b"FROM scratch\n");
    let t = Instant::now();
    for i in 0..100 {
        let sub = dir.path().join(format!("d{i:03}"));
        std::fs::create_dir(&sub).unwrap();
        for j in 0..1000 {
            std::fs::write(sub.join(format!("f{j:04}")), b"x").unwrap();
        }
    }
    eprintln!("created 100,000 files in {:?}", t.elapsed());
    let ctx = Context::open(dir.path(), "").unwrap();
    let flag = CancelFlag::new();
    let (tx, rx) = std::sync::mpsc::channel();
    let worker = {
        let flag = flag.clone();
        std::thread::spawn(move || {
            let t = Instant::now();
            let r = ctx.summarise(&flag, |p| {
                let _ = tx.send(p.entries);
            });
            (r, t.elapsed())
        })
    };
    let first = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("progress while counting");
    let cancelled_at = Instant::now();
    flag.cancel();
    let (r, _) = worker.join().unwrap();
    let stop = cancelled_at.elapsed();
    match r {
        Err(EngineError::Cancelled) => {
            assert!(first < 100_001);
            assert!(stop < Duration::from_secs(1), "cancel took {stop:?}");
        }
        // A fast disk may finish before the cancel lands; then the count must be whole.
        Ok(s) => assert_eq!(s.files, 100_001),
        Err(e) => panic!("{e}"),
    }
    // And a full count.
    let ctx = Context::open(dir.path(), "").unwrap();
    let t = Instant::now();
    let s = ctx.summarise(&CancelFlag::new(), |_| {}).unwrap();
    eprintln!("counted 100,000 files in {:?}", t.elapsed());
    assert_eq!((s.files, s.dirs), (100_001, 100));
}

// ---------------------------------------------------------------------------------------------
// Context parity with the docker CLI

/// The files under `path` in an image, as {relative path: "file <content>" | "link <target>" |
/// "dir"} with the mode for executables, read through a created (never started) container.
async fn image_files(
    docker: &bollard::Docker,
    image: &str,
    path: &str,
) -> BTreeMap<String, String> {
    let name = unique("dw-export");
    let c = docker
        .create_container(
            Some(CreateContainerOptions {
                name: Some(name.clone()),
                ..Default::default()
            }),
            bollard::models::ContainerCreateBody {
                image: Some(image.to_owned()),
                cmd: Some(vec!["/nothing".into()]),
                labels: Some(std::collections::HashMap::from([(
                    dockwright_engine::TEST_LABEL.to_owned(),
                    name.clone(),
                )])),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let mut bytes = Vec::new();
    let mut s = docker.download_from_container(
        &c.id,
        Some(DownloadFromContainerOptions {
            path: path.to_owned(),
        }),
    );
    while let Some(chunk) = s.next().await {
        bytes.extend_from_slice(&chunk.unwrap());
    }
    docker
        .remove_container(
            &c.id,
            Some(RemoveContainerOptions {
                force: true,
                ..Default::default()
            }),
        )
        .await
        .unwrap();
    let mut out = BTreeMap::new();
    let mut ar = tar::Archive::new(&bytes[..]);
    for e in ar.entries().unwrap() {
        let mut e = e.unwrap();
        let p = e
            .path()
            .unwrap()
            .to_string_lossy()
            .trim_end_matches('/')
            .to_owned();
        let mode = e.header().mode().unwrap() & 0o111;
        let v = match e.header().entry_type() {
            tar::EntryType::Directory => "dir".to_owned(),
            tar::EntryType::Symlink => {
                format!("link {}", e.link_name().unwrap().unwrap().display())
            }
            _ => {
                let mut b = Vec::new();
                std::io::Read::read_to_end(&mut e, &mut b).unwrap();
                format!("file {}", String::from_utf8_lossy(&b))
            }
        };
        out.insert(p, if mode != 0 { format!("{v} +x") } else { v });
    }
    out
}

/// A folder with the awkward things real projects hold.
fn tricky_tree(root: &Path, outside: &Path) {
    for (rel, body) in [
        ("Dockerfile", "FROM scratch\nCOPY . /ctx/\n"),
        ("README.md", "readme"),
        ("README.dev.md", "dev readme"),
        ("notes.md", "notes"),
        ("important.log", "keep me"),
        ("debug.log", "noise"),
        ("src/main.rs", "fn main() {}"),
        ("src/lib/util.rs", "pub fn f() {}"),
        ("src/lib/tmp.tmp", "tmp"),
        ("src/keep.tmp", "kept"),
        ("src/deep/er/x.log", "deep log"),
        ("build/out.bin", "binary"),
        ("docs/README.md", "docs readme"),
        ("docs/guide.md", "guide"),
        ("node_modules/pkg/index.js", "js"),
        ("web/node_modules/pkg/index.js", "js2"),
        ("a.txt", "a"),
        ("b.txt", "b"),
        ("c.txt", "c"),
        ("fooxbar", "foo?bar"),
        ("#hash", "hash"),
        ("with space/file name.txt", "spaces"),
        ("ünïcödé/ファイル.txt", "unicode"),
        ("sub/x/keep", "keep"),
        ("sub/x/drop", "drop"),
        ("sub/y", "y"),
        ("dot/x", "dot x"),
        (".git/HEAD", "ref: refs/heads/main"),
        (".env", "SECRET=1"),
    ] {
        write(root, rel, body.as_bytes());
    }
    let long = format!("{}/{}.txt", "l".repeat(90), "n".repeat(120));
    write(root, &long, b"long name");
    std::fs::create_dir_all(root.join("empty/dir")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::{symlink, PermissionsExt};
        std::fs::write(outside.join("secret"), "OUTSIDE SECRET").unwrap();
        symlink(outside.join("secret"), root.join("link-out")).unwrap();
        symlink("src/main.rs", root.join("link-in")).unwrap();
        symlink("../../a.txt", root.join("src/lib/link-up")).unwrap();
        symlink("nowhere", root.join("dangling")).unwrap();
        std::fs::write(root.join("run.sh"), "#!/bin/sh\necho hi\n").unwrap();
        std::fs::set_permissions(root.join("run.sh"), std::fs::Permissions::from_mode(0o755))
            .unwrap();
    }
}

const IGNORE_FILES: &[(&str, &str)] = &[
    ("none", ""),
    (
        "star-with-exceptions",
        "*\n!src\nsrc/**/*.tmp\n!src/keep.tmp\n",
    ),
    (
        "logs-and-comments",
        "# comment\n**/*.log\n!important.log\n\n   build/   \n/docs\n!/docs/README.md\n",
    ),
    (
        "classes-and-escapes",
        "[ab].txt\nfoo?bar\n\\#hash\nwith space\n",
    ),
    (
        "node-and-vcs",
        "node_modules\n**/node_modules\n.git\n.env\n*.md\n!README*.md\n",
    ),
    ("always-sent", "Dockerfile\n.dockerignore\n"),
    ("bom-crlf", "\u{feff}sub/**\r\n!sub/x/keep\r\n"),
    ("outside-and-dots", "../outside\n./dot/./x\nlink-*\n"),
    ("exclude-everything", "**\n"),
];

/// For each tricky `.dockerignore`, the files that reach an image built `FROM scratch` +
/// `COPY . /ctx/` are the same from Dockwright and from `DOCKER_BUILDKIT=0 docker build`.
#[tokio::test]
async fn the_daemon_receives_the_same_files_as_from_the_docker_cli() {
    let Some(d) = daemon::shared() else { return };
    if !have("docker") {
        missing::<()>("the docker CLI is needed for the context parity test");
        return;
    }
    let docker = d.docker();
    let engine = d.engine().await;
    for (name, ignore) in IGNORE_FILES {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        tricky_tree(dir.path(), outside.path());
        if !ignore.is_empty() {
            write(dir.path(), ".dockerignore", ignore.as_bytes());
        }
        // Dockwright.
        let (r, out) = build(&engine, dir.path(), &BuildOptions::default()).await;
        let ours = r.unwrap_or_else(|e| panic!("{name}: {e}\n{out}")).image_id;
        // The docker CLI, classic builder, same daemon.
        let cli_tag = format!("{}:cli", unique("dw-parity"));
        let o = std::process::Command::new("docker")
            .args(["build", "-q", "-t", &cli_tag])
            .arg(dir.path())
            .env("DOCKER_HOST", &d.host)
            .env("DOCKER_BUILDKIT", "0")
            .env_remove("DOCKER_CONTEXT")
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{name}: docker build failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let theirs = image_files(&docker, &cli_tag, "/ctx").await;
        let mine = image_files(&docker, &ours, "/ctx").await;
        assert!(
            !mine.values().any(|v| v.contains("OUTSIDE SECRET")),
            "{name}: a link's target leaked into the context"
        );
        if mine != theirs {
            let only_mine: Vec<_> = mine
                .iter()
                .filter(|(k, v)| theirs.get(*k) != Some(v))
                .collect();
            let only_theirs: Vec<_> = theirs
                .iter()
                .filter(|(k, v)| mine.get(*k) != Some(v))
                .collect();
            panic!("{name}: contexts differ\nonly Dockwright: {only_mine:#?}\nonly docker CLI: {only_theirs:#?}");
        }
        eprintln!("{name}: {} entries, identical", mine.len());
        remove_image(&docker, &cli_tag).await;
        remove_image(&docker, &ours).await;
    }
}

/// Run as `nobody` by `unreadable_files_are_named_and_stop_the_build`.
#[test]
#[ignore = "helper, run by another test as an unprivileged user"]
fn probe_unreadable() {
    use dockwright_engine::build::context::{CancelFlag, Context};
    let Ok(dir) = std::env::var("DW_PROBE_DIR") else {
        return;
    };
    let ctx = Context::open(Path::new(&dir), "").unwrap();
    let s = ctx.summarise(&CancelFlag::new(), |_| {}).unwrap();
    println!("PROBE unreadable={}", s.unreadable.join("|"));
    let mut stream = ctx.stream(CancelFlag::new());
    while stream.chunks.blocking_recv().is_some() {}
    match stream.finish() {
        Ok(_) => println!("PROBE stream=ok"),
        Err(e) => println!("PROBE stream={} {e}", e.code()),
    }
}

#[test]
fn unreadable_files_are_named_and_stop_the_build() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::Builder::new()
        .prefix("dw-unread")
        .tempdir()
        .unwrap();
    let root = dir.path();
    write(root, "Dockerfile", b"FROM scratch\n");
    write(root, "ok.txt", b"fine");
    write(root, "secret/key.pem", b"private");
    write(root, "locked/inner.txt", b"x");
    std::fs::set_permissions(
        root.join("secret/key.pem"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    std::fs::set_permissions(root.join("locked"), std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o755)).unwrap();
    let lines = crate::support::probe_as_nobody(
        "build::probe_unreadable",
        ("DW_PROBE_DIR", root.to_str().unwrap()),
    );
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(
        lines[0],
        "PROBE unreadable=locked/ (permission denied)|secret/key.pem (permission denied)"
    );
    assert!(
        lines[1].starts_with("PROBE stream=InvalidInput"),
        "{}",
        lines[1]
    );
    assert!(
        lines[1].contains("Cannot read locked/ (permission denied), secret/key.pem"),
        "{}",
        lines[1]
    );
    std::fs::set_permissions(root.join("locked"), std::fs::Permissions::from_mode(0o755)).unwrap();
}
