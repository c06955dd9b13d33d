//! A container's files against a real daemon: copy a host folder in (nested files, links, a
//! 5 MB file, a FIFO that is skipped), list folders (kinds, sizes, link targets, through a
//! link, on a stopped container), copy back out byte for byte, one file out, overwrite refused
//! then allowed, and the errors a user meets (missing path, missing container, a file where a
//! folder is needed, bad input).

use std::path::Path;
use std::time::{Duration, Instant};

use bollard::query_parameters::StopContainerOptions;
use dockwright_engine::container::files::{check_source, FileKind, Listing};
use tokio_util::sync::CancellationToken;

use crate::support::{cancel_after, daemon, fixtures};

/// Deterministic, incompressible bytes.
fn noise(len: usize) -> Vec<u8> {
    let mut x: u32 = 0x9e37_79b9;
    let mut v = Vec::with_capacity(len + 4);
    while v.len() < len {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        v.extend_from_slice(&x.to_le_bytes());
    }
    v.truncate(len);
    v
}

const BIG: usize = 5 * 1024 * 1024;

/// `site/` with nested files, an empty folder, a link to a file, a link to a folder, a 5 MB
/// file and a FIFO.
fn host_site(root: &Path) -> std::path::PathBuf {
    let site = root.join("site");
    std::fs::create_dir_all(site.join("nested/deep")).unwrap();
    std::fs::create_dir(site.join("empty")).unwrap();
    std::fs::write(site.join("index.html"), b"<h1>hello</h1>\n").unwrap();
    std::fs::write(site.join("nested/deep/file.txt"), b"deep down\n").unwrap();
    std::fs::write(site.join("big.bin"), noise(BIG)).unwrap();
    std::os::unix::fs::symlink("index.html", site.join("latest")).unwrap();
    std::os::unix::fs::symlink("nested", site.join("docs")).unwrap();
    let fifo = std::process::Command::new("mkfifo")
        .arg(site.join("pipe"))
        .status()
        .unwrap();
    assert!(fifo.success());
    site
}

fn entry<'a>(l: &'a Listing, name: &str) -> &'a dockwright_engine::container::files::FileEntry {
    l.entries
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("{name} not in {l:?}"))
}

#[tokio::test]
async fn copy_in_list_and_copy_out() {
    let Some(d) = daemon::shared() else { return };
    let docker = d.docker();
    let engine = d.engine().await;
    let scope = fixtures::Scope::new(&docker);
    let (id, name) = scope.create_container(&["sleep", "60"]).await;
    scope.start(&id).await;
    let cancel = CancellationToken::new();

    let tmp = tempfile::tempdir().unwrap();
    let site = host_site(tmp.path());

    // In.
    let r = engine
        .copy_to_container(&id, &site, "/", &cancel)
        .await
        .unwrap();
    assert_eq!(r.target, "/site");
    assert_eq!((r.files, r.dirs, r.links), (3, 4, 2), "{r:?}");
    assert_eq!(r.bytes, (BIG + 15 + 10) as u64);
    assert_eq!(r.skipped.len(), 1, "{r:?}");
    assert!(r.skipped[0].starts_with("site/pipe: "), "{r:?}");
    assert!(r.skipped[0].contains("named pipe"), "{r:?}");

    // List `/` (timed: the daemon sends the whole filesystem as a tar; only headers are read).
    let started = Instant::now();
    let root = engine.list_files(&name, "/").await.unwrap();
    let took = started.elapsed();
    eprintln!(
        "list_files(\"/\") of the busybox container: {} entries in {:?}",
        root.entries.len(),
        took
    );
    assert_eq!(root.path, "/");
    assert!(!root.truncated);
    assert_eq!(entry(&root, "site").kind, FileKind::Dir);
    assert_eq!(entry(&root, "site").path, "/site");
    assert_eq!(entry(&root, "bin").kind, FileKind::Dir);
    assert_eq!(entry(&root, ".dockerenv").kind, FileKind::File);
    let first_file = root
        .entries
        .iter()
        .position(|e| e.kind != FileKind::Dir)
        .unwrap_or(root.entries.len());
    assert!(
        root.entries[first_file..]
            .iter()
            .all(|e| e.kind != FileKind::Dir),
        "folders come first: {root:?}"
    );

    // List the copied folder: kinds, sizes, modes, link targets; dirs first, then by name.
    let l = engine.list_files(&id, "/site/").await.unwrap();
    assert_eq!(l.path, "/site");
    let names: Vec<&str> = l.entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        ["empty", "nested", "big.bin", "docs", "index.html", "latest"]
    );
    let big = entry(&l, "big.bin");
    assert_eq!((big.kind, big.size), (FileKind::File, BIG as u64));
    assert_eq!(big.path, "/site/big.bin");
    assert_eq!(big.mode & 0o777, 0o644);
    assert!(big.modified > 1_600_000_000, "{big:?}");
    let latest = entry(&l, "latest");
    assert_eq!(latest.kind, FileKind::Symlink);
    assert_eq!(latest.link_target.as_deref(), Some("index.html"));
    assert_eq!(entry(&l, "docs").link_target.as_deref(), Some("nested"));
    assert_eq!(entry(&l, "index.html").size, 15);

    // Through a link to a folder; a link to a file is not a folder.
    let docs = engine.list_files(&id, "/site/docs").await.unwrap();
    assert_eq!(docs.path, "/site/docs");
    assert_eq!(entry(&docs, "deep").path, "/site/docs/deep");
    let e = engine.list_files(&id, "/site/latest").await.unwrap_err();
    assert_eq!(e.code(), "InvalidInput", "{e}");
    assert!(e.to_string().contains("not a folder"), "{e}");
    // busybox's applets are links.
    let bin = engine.list_files(&id, "/bin").await.unwrap();
    assert_eq!(entry(&bin, "sh").link_target.as_deref(), Some("busybox"));
    assert!(entry(&bin, "busybox").size > 500_000);

    // Out, byte for byte, links as links.
    let out = tempfile::tempdir().unwrap();
    let r = engine
        .copy_from_container(&id, "/site", out.path(), false, &cancel)
        .await
        .unwrap();
    assert_eq!(r.target, out.path().join("site").display().to_string());
    assert_eq!((r.files, r.dirs, r.links), (3, 4, 2), "{r:?}");
    assert!(r.skipped.is_empty(), "{r:?}");
    let back = out.path().join("site");
    for f in ["index.html", "nested/deep/file.txt", "big.bin"] {
        assert_eq!(
            std::fs::read(back.join(f)).unwrap(),
            std::fs::read(site.join(f)).unwrap(),
            "{f}"
        );
    }
    assert!(back.join("empty").is_dir());
    assert_eq!(
        std::fs::read_link(back.join("latest")).unwrap(),
        Path::new("index.html")
    );
    assert_eq!(
        std::fs::read_link(back.join("docs")).unwrap(),
        Path::new("nested")
    );
    assert!(std::fs::symlink_metadata(back.join("pipe")).is_err());

    // One file out; again is refused before anything is written; then allowed.
    let one = tempfile::tempdir().unwrap();
    let r = engine
        .copy_from_container(&id, "/site/index.html", one.path(), false, &cancel)
        .await
        .unwrap();
    assert_eq!((r.files, r.bytes), (1, 15));
    let copied = one.path().join("index.html");
    assert_eq!(std::fs::read(&copied).unwrap(), b"<h1>hello</h1>\n");
    std::fs::write(&copied, b"changed on the host").unwrap();
    let e = engine
        .copy_from_container(&id, "/site/index.html", one.path(), false, &cancel)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "Conflict", "{e}");
    assert!(e.to_string().contains("already exists"), "{e}");
    assert_eq!(std::fs::read(&copied).unwrap(), b"changed on the host");
    engine
        .copy_from_container(&id, "/site/index.html", one.path(), true, &cancel)
        .await
        .unwrap();
    assert_eq!(std::fs::read(&copied).unwrap(), b"<h1>hello</h1>\n");

    // A folder out again with overwrite merges into the folder there.
    std::fs::write(back.join("index.html"), b"stale").unwrap();
    std::fs::write(back.join("host-only.txt"), b"mine").unwrap();
    engine
        .copy_from_container(&id, "/site", out.path(), true, &cancel)
        .await
        .unwrap();
    assert_eq!(
        std::fs::read(back.join("index.html")).unwrap(),
        b"<h1>hello</h1>\n"
    );
    assert_eq!(std::fs::read(back.join("host-only.txt")).unwrap(), b"mine");

    // A stopped container lists and copies out too.
    docker
        .stop_container(
            &id,
            Some(StopContainerOptions {
                t: Some(0),
                ..Default::default()
            }),
        )
        .await
        .unwrap();
    let running = docker
        .inspect_container(&id, None)
        .await
        .unwrap()
        .state
        .and_then(|s| s.running);
    assert_eq!(running, Some(false));
    let l = engine.list_files(&id, "/site/nested/deep").await.unwrap();
    assert_eq!(entry(&l, "file.txt").size, 10);
    let stopped_out = tempfile::tempdir().unwrap();
    engine
        .copy_from_container(&id, "/site/nested", stopped_out.path(), false, &cancel)
        .await
        .unwrap();
    assert_eq!(
        std::fs::read(stopped_out.path().join("nested/deep/file.txt")).unwrap(),
        b"deep down\n"
    );

    scope.cleanup().await;
}

#[tokio::test]
async fn errors_name_what_is_wrong() {
    let Some(d) = daemon::shared() else { return };
    let docker = d.docker();
    let engine = d.engine().await;
    let scope = fixtures::Scope::new(&docker);
    let (id, _) = scope.create_container(&["sleep", "60"]).await;
    scope.start(&id).await;
    let cancel = CancellationToken::new();
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("note.txt");
    std::fs::write(&file, b"note").unwrap();

    // The fixture's own `/` (busybox and its links, nothing copied in), timed.
    let started = Instant::now();
    let root = engine.list_files(&id, "/").await.unwrap();
    eprintln!(
        "list_files(\"/\") of a fresh busybox container: {} entries in {:?}",
        root.entries.len(),
        started.elapsed()
    );
    assert!(!root.truncated);

    // A path that does not exist, in and out.
    let e = engine.list_files(&id, "/nope").await.unwrap_err();
    assert_eq!(e.code(), "NotFound", "{e}");
    assert!(
        e.to_string().contains("There is no /nope in container"),
        "{e}"
    );
    let e = engine
        .copy_from_container(&id, "/nope/x", tmp.path(), false, &cancel)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "NotFound", "{e}");
    let e = engine
        .copy_to_container(&id, &file, "/nope", &cancel)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "NotFound", "{e}");

    // A container that does not exist.
    let ghost = crate::support::unique("dw-ghost");
    let e = engine.list_files(&ghost, "/").await.unwrap_err();
    assert_eq!(e.code(), "NotFound", "{e}");
    assert!(e.to_string().contains("There is no container"), "{e}");
    let e = engine
        .copy_from_container(&ghost, "/etc", tmp.path(), false, &cancel)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "NotFound", "{e}");

    // Copying into a file is refused with the reason, and nothing lands.
    let e = engine
        .copy_to_container(&id, &file, "/etc/hostname", &cancel)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "InvalidInput", "{e}");
    assert!(e.to_string().starts_with("path: "), "{e}");
    assert!(e.to_string().contains("not a folder"), "{e}");
    let e = engine.list_files(&id, "/etc/hostname").await.unwrap_err();
    assert_eq!(e.code(), "InvalidInput", "{e}");

    // Bad input is refused before any call.
    for (path, field) in [("", "path"), ("etc", "path")] {
        let e = engine.list_files(&id, path).await.unwrap_err();
        assert_eq!(e.code(), "InvalidInput", "{path:?}");
        assert!(e.to_string().starts_with(&format!("{field}: ")), "{e}");
    }
    let e = engine
        .copy_from_container(&id, "/etc", &tmp.path().join("missing"), false, &cancel)
        .await
        .unwrap_err();
    assert!(e.to_string().starts_with("destination: "), "{e}");
    let e = engine
        .copy_from_container(&id, "/etc", &file, false, &cancel)
        .await
        .unwrap_err();
    assert!(e.to_string().starts_with("destination: "), "{e}");
    let e = engine
        .copy_to_container(&id, &tmp.path().join("missing"), "/", &cancel)
        .await
        .unwrap_err();
    assert!(e.to_string().starts_with("source: "), "{e}");
    let e = engine
        .copy_to_container(&id, &file, "relative", &cancel)
        .await
        .unwrap_err();
    assert!(e.to_string().starts_with("path: "), "{e}");
    let e = engine
        .copy_to_container("../images/json", &file, "/", &cancel)
        .await
        .unwrap_err();
    assert!(e.to_string().starts_with("container: "), "{e}");

    // A single file in, then listed.
    let r = engine
        .copy_to_container(&id, &file, "/etc", &cancel)
        .await
        .unwrap();
    assert_eq!((r.files, r.target.as_str()), (1, "/etc/note.txt"));
    let etc = engine.list_files(&id, "/etc").await.unwrap();
    assert_eq!(entry(&etc, "note.txt").size, 4);

    scope.cleanup().await;
}

/// Run as `nobody` by `unreadable_files_are_named_before_sending`.
#[test]
#[ignore = "helper, run by another test as an unprivileged user"]
fn probe_unreadable_upload() {
    let Ok(dir) = std::env::var("DW_FILES_PROBE_DIR") else {
        return;
    };
    match check_source(Path::new(&dir)) {
        Ok(r) => println!("PROBE ok {r:?}"),
        Err(e) => println!("PROBE {} {e}", e.code()),
    }
}

/// Root reads every file, so the check runs as `nobody`: unreadable files and folders are named
/// and stop the copy in before anything is sent (`copy_to_container` runs the same check first).
#[test]
fn unreadable_files_are_named_before_sending() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::Builder::new()
        .prefix("dw-files-unread")
        .tempdir()
        .unwrap();
    let up = tmp.path().join("up");
    std::fs::create_dir_all(up.join("locked")).unwrap();
    std::fs::write(up.join("ok.txt"), b"fine").unwrap();
    std::fs::write(up.join("secret.txt"), b"private").unwrap();
    std::fs::write(up.join("locked/inner.txt"), b"x").unwrap();
    let mode = |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m));
    mode(&up.join("secret.txt"), 0o000).unwrap();
    mode(&up.join("locked"), 0o000).unwrap();
    mode(tmp.path(), 0o755).unwrap();

    let ok = check_source(&up.join("ok.txt")).unwrap();
    assert_eq!((ok.files, ok.bytes, ok.target.as_str()), (1, 4, "ok.txt"));

    let lines = crate::support::probe_as_nobody(
        "containers_files::probe_unreadable_upload",
        ("DW_FILES_PROBE_DIR", up.to_str().unwrap()),
    );
    let line = &lines[0];
    mode(&up.join("locked"), 0o755).unwrap();
    assert!(
        line.starts_with("PROBE InvalidInput source: Cannot read"),
        "{line}"
    );
    assert!(line.contains("up/locked/ (permission denied)"), "{line}");
    assert!(line.contains("up/secret.txt (permission denied)"), "{line}");
    assert!(!line.contains("ok.txt"), "{line}");
}

/// Cancelling stops a copy either way, promptly, whatever point it has reached.
#[tokio::test]
async fn cancelling_stops_a_copy() {
    let Some(d) = daemon::shared() else { return };
    let docker = d.docker();
    let engine = d.engine().await;
    let scope = fixtures::Scope::new(&docker);
    let (id, _) = scope.create_container(&["sleep", "60"]).await;
    scope.start(&id).await;
    let tmp = tempfile::tempdir().unwrap();
    let big = tmp.path().join("big.bin");
    std::fs::write(&big, noise(64 * 1024 * 1024)).unwrap();

    let done = CancellationToken::new();
    done.cancel();
    let e = engine
        .copy_to_container(&id, &big, "/", &done)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "Cancelled");

    // Mid-way: the result is Cancelled, or Ok when the copy won the race; never a hang.
    let cancel = cancel_after(Duration::from_millis(30));
    let r = tokio::time::timeout(
        Duration::from_secs(60),
        engine.copy_to_container(&id, &big, "/", &cancel),
    )
    .await
    .expect("a cancelled upload returns");
    assert!(
        r.as_ref().is_ok() || r.as_ref().unwrap_err().code() == "Cancelled",
        "{r:?}"
    );

    // Out: the whole file in place, then a download cancelled mid-way.
    engine
        .copy_to_container(&id, &big, "/", &CancellationToken::new())
        .await
        .unwrap();
    let out = tempfile::tempdir().unwrap();
    let cancel = cancel_after(Duration::from_millis(30));
    let r = tokio::time::timeout(
        Duration::from_secs(60),
        engine.copy_from_container(&id, "/big.bin", out.path(), false, &cancel),
    )
    .await
    .expect("a cancelled download returns");
    match r {
        Ok(r) => assert_eq!(r.bytes, 64 * 1024 * 1024),
        Err(e) => assert_eq!(e.code(), "Cancelled", "{e}"),
    }
    let e = engine
        .copy_from_container(
            &id,
            "/big.bin",
            tempfile::tempdir().unwrap().path(),
            false,
            &done,
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "Cancelled");

    scope.cleanup().await;
}
