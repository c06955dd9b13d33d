//! Containers against a real daemon: lifecycle one by one and in bulk, rename, prune, inspect,
//! commit, logs (tail, follow, lines split at 16 KiB, a 10 MB line, a daemon restart), stats,
//! and terminals.

use std::collections::HashSet;
use std::time::Duration;

use dockwright_engine::container::exec::{write_input, Terminal, TerminalTarget};
use dockwright_engine::container::logs::{LogLine, LogOptions, LogStream, LogsEndReason, LogsVia};
use dockwright_engine::container::ops::ContainerAction;
use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;

use crate::support::{cancel_after, daemon, fixtures, unique};

async fn state(engine: &dockwright_engine::Engine, id: &str) -> String {
    engine.inspect_container(id).await.unwrap().state
}

/// A terminal running `command` (no arguments) in the container.
async fn shell(
    engine: &dockwright_engine::Engine,
    id: &str,
    command: &str,
    cols: u16,
    rows: u16,
) -> dockwright_engine::Result<Terminal> {
    let target = TerminalTarget::Exec {
        command: vec![command.into()],
    };
    engine.open_terminal(id, &target, cols, rows).await
}

#[tokio::test]
async fn lifecycle_one_by_one_and_in_bulk() {
    let Some(d) = daemon::shared() else { return };
    let docker = d.docker();
    let engine = d.engine().await;
    let scope = fixtures::Scope::new(&docker);
    let (a, _) = scope.create_container(&["sleep", "300"]).await;
    let (b, _) = scope.create_container(&["sleep", "300"]).await;
    let ids = vec![a.clone(), b.clone()];

    let r = engine
        .container_action_many(&ids, &ContainerAction::Start)
        .await
        .unwrap();
    assert_eq!(r.done.len(), 2, "{r:?}");
    assert_eq!(state(&engine, &a).await, "running");
    // Starting again is not an error.
    engine
        .container_action(&a, &ContainerAction::Start)
        .await
        .unwrap();

    engine
        .container_action(&a, &ContainerAction::Pause)
        .await
        .unwrap();
    assert_eq!(state(&engine, &a).await, "paused");
    let d1 = engine.inspect_container(&a).await.unwrap();
    assert!(d1.paused && d1.running);
    engine
        .container_action(&a, &ContainerAction::Unpause)
        .await
        .unwrap();

    // Kill with a named signal; a bad one is refused before any call.
    let e = engine
        .container_action(
            &a,
            &ContainerAction::Kill {
                signal: Some("SIGNOPE".into()),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "InvalidInput");
    assert_eq!(state(&engine, &a).await, "running");
    engine
        .container_action(
            &a,
            &ContainerAction::Kill {
                signal: Some("SIGKILL".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(state(&engine, &a).await, "exited");
    assert_eq!(
        engine.inspect_container(&a).await.unwrap().exit_code,
        Some(137)
    );

    // Restart brings it back; stop with a 1 s timeout (sleep ignores SIGTERM as PID 1).
    engine
        .container_action(&a, &ContainerAction::Restart { timeout: Some(1) })
        .await
        .unwrap();
    assert_eq!(state(&engine, &a).await, "running");

    // Bulk stop with one id that does not exist: the others are stopped, that one reports.
    let mut with_missing = ids.clone();
    with_missing.push("dw-no-such-container".into());
    let t0 = std::time::Instant::now();
    let r = engine
        .container_action_many(&with_missing, &ContainerAction::Stop { timeout: Some(1) })
        .await
        .unwrap();
    assert_eq!(r.done.len(), 2, "{r:?}");
    assert_eq!(r.failed.len(), 1);
    assert_eq!(r.failed[0].id, "dw-no-such-container");
    assert_eq!(r.failed[0].code, "NotFound");
    // In parallel: two 1 s timeouts take about 1 s, not 2.
    assert!(
        t0.elapsed() < Duration::from_millis(1900),
        "{:?}",
        t0.elapsed()
    );
    assert_eq!(state(&engine, &b).await, "exited");

    // Remove in bulk; a running one needs force.
    engine
        .container_action(&a, &ContainerAction::Start)
        .await
        .unwrap();
    let r = engine
        .container_action_many(
            &ids,
            &ContainerAction::Remove {
                force: false,
                volumes: true,
            },
        )
        .await
        .unwrap();
    assert_eq!(r.done, vec![b.clone()], "{r:?}");
    assert_eq!(r.failed[0].code, "Conflict", "{r:?}");
    let r = engine
        .container_action_many(
            std::slice::from_ref(&a),
            &ContainerAction::Remove {
                force: true,
                volumes: true,
            },
        )
        .await
        .unwrap();
    assert_eq!(r.done.len(), 1);
    assert_eq!(
        engine.inspect_container(&a).await.unwrap_err().code(),
        "NotFound"
    );
    scope.cleanup().await;
}

#[tokio::test]
async fn rename_prune_inspect_commit() {
    let Some(d) = daemon::shared() else { return };
    let docker = d.docker();
    let engine = d.engine().await;
    let scope = fixtures::Scope::new(&docker);
    let (a, a_name) = scope
        .create_container(&["sh", "-c", "echo hi > /made"])
        .await;
    let (_b, b_name) = scope.create_container(&["true"]).await;

    // A bad name and a taken one, both next to the name field.
    let e = engine.rename_container(&a, "no spaces").await.unwrap_err();
    assert!(
        matches!(&e, dockwright_engine::EngineError::InvalidInput { field, .. } if field == "name")
    );
    let e = engine.rename_container(&a, &b_name).await.unwrap_err();
    match &e {
        dockwright_engine::EngineError::InvalidInput { field, message } => {
            assert_eq!(field, "name");
            assert!(message.contains("already in use"), "{message}");
        }
        e => panic!("{e:?}"),
    }
    let new_name = unique("dw-renamed");
    engine.rename_container(&a, &new_name).await.unwrap();
    let details = engine.inspect_container(&a).await.unwrap();
    assert_eq!(details.name, new_name);
    assert_ne!(details.name, a_name);
    assert!(details
        .labels
        .iter()
        .any(|kv| kv.key == dockwright_engine::TEST_LABEL && kv.value == scope.id));
    assert!(details.raw.contains("\"Config\""));
    assert_eq!(details.started_at, None, "never started");

    // Run it, then commit what it made.
    scope.run_to_exit(&a).await;
    let details = engine.inspect_container(&a).await.unwrap();
    assert_eq!(details.exit_code, Some(0));
    assert!(details.finished_at.is_some());
    let tag = format!("{}:committed", unique("dw-commit"));
    let e = engine
        .commit_container(&a, "Not A Tag", None, None)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, dockwright_engine::EngineError::InvalidInput { field, .. } if field == "reference")
    );
    let image_id = engine
        .commit_container(&a, &tag, Some("made a file"), Some("Dockwright tests"))
        .await
        .unwrap();
    let img = engine.inspect_image(&tag).await.unwrap();
    assert_eq!(img.id, image_id);
    let hist = engine.image_history(&tag).await.unwrap();
    assert_eq!(hist[0].comment, "made a file");
    let _ = fixtures::remove_image(&docker, &tag).await;

    // Prune removes stopped containers (ours among them).
    let r = engine.prune_containers().await.unwrap();
    assert!(r.removed.contains(&a), "{r:?}");
    scope.cleanup().await;
}

async fn collect_logs(
    engine: &dockwright_engine::Engine,
    id: &str,
    opts: LogOptions,
) -> (Vec<LogLine>, LogsEndReason, usize) {
    collect_logs_via(engine, LogsVia::Socket, id, opts).await
}

/// Both ways a log is read: off the socket (local sockets, plain TCP), and through the API
/// client (TLS endpoints, named pipes).
const BOTH: [LogsVia; 2] = [LogsVia::Socket, LogsVia::Client];

async fn collect_logs_via(
    engine: &dockwright_engine::Engine,
    via: LogsVia,
    id: &str,
    opts: LogOptions,
) -> (Vec<LogLine>, LogsEndReason, usize) {
    let mut lines = Vec::new();
    let mut batches = 0;
    let end = engine
        .container_logs_via(via, id, &opts, &CancellationToken::new(), |b| {
            batches += 1;
            lines.extend(b);
        })
        .await
        .unwrap();
    assert_eq!(end.lines as usize, lines.len());
    (lines, end.reason, batches)
}

#[tokio::test]
async fn logs_tail_streams_long_lines_and_hostile_text() {
    let Some(d) = daemon::shared() else { return };
    let docker = d.docker();
    let engine = d.engine().await;
    let scope = fixtures::Scope::new(&docker);
    // 2000 numbered lines, one stderr line, a 40 000-byte line, hostile escapes, and a final
    // 10 MB line with no newline at all.
    let script = r#"
        i=1; while [ $i -le 2000 ]; do echo "line $i"; i=$((i+1)); done
        echo "to stderr" >&2
        head -c 40000 /dev/zero | tr '\0' 'x'; echo
        printf 'a\033]52;c;SGVsbG8=\007b <script>alert(1)</script>\n'
        head -c 10485760 /dev/zero | tr '\0' 'y'
    "#;
    let (id, _) = scope.create_container(&["sh", "-c", script]).await;
    scope.run_to_exit(&id).await;

    let mut lines = Vec::new();
    for via in BOTH {
        let (read, reason, batches) = collect_logs_via(
            &engine,
            via,
            &id,
            LogOptions {
                tail: None,
                follow: false,
                since: None,
            },
        )
        .await;
        lines = read;
        assert_eq!(reason, LogsEndReason::Ended, "{via:?}");
        assert_eq!(lines.len(), 2004, "{via:?}");
        // The daemon copies stdout and stderr separately: their order between them may vary.
        let out: Vec<&LogLine> = lines
            .iter()
            .filter(|l| l.stream == LogStream::Stdout)
            .collect();
        let err: Vec<&LogLine> = lines
            .iter()
            .filter(|l| l.stream == LogStream::Stderr)
            .collect();
        assert_eq!(err.len(), 1);
        assert_eq!(err[0].text, "to stderr");
        assert_eq!(out[0].text, "line 1");
        assert_eq!(out[1999].text, "line 2000");
        assert_eq!(
            out[2000].text,
            "x".repeat(40_000),
            "joined from 16 KiB pieces"
        );
        // Escapes reach the viewer as text; the viewer drops them (tested in the UI).
        assert!(out[2001].text.contains("<script>"));
        assert_eq!(out[2002].text.len(), 10 << 20, "the 10 MB line whole");
        assert!(lines.iter().all(|l| l.timestamp.is_some()));
        assert!(batches >= 1);

        // A tail counts the daemon's log entries, as `docker logs --tail` does: the last 3 here
        // are three pieces of the 10 MB line, sent as the one line they end.
        let (tail, _, _) = collect_logs_via(
            &engine,
            via,
            &id,
            LogOptions {
                tail: Some(3),
                follow: false,
                since: None,
            },
        )
        .await;
        assert_eq!(tail.len(), 1);
        assert!(tail[0].text.starts_with("yyy") && tail[0].text.len() <= 3 * 16384);
    }

    // Saving writes what `docker logs` prints.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.log");
    let n = engine
        .save_container_logs(&id, &path, false, &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(n, 2004);
    let text = std::fs::read_to_string(&path).unwrap();
    // The daemon's order, as read above (stdout and stderr may interleave differently per run).
    let saved: Vec<&str> = text.lines().collect();
    let read: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    assert!(saved == read, "the file holds the lines as read, in order");
    assert_eq!(
        text.len(),
        lines.iter().map(|l| l.text.len() + 1).sum::<usize>()
    );

    // A container that does not exist is an error, not an empty log.
    let e = engine
        .container_logs(
            "dw-no-such",
            &LogOptions::default(),
            &CancellationToken::new(),
            |_| {},
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "NotFound");
    scope.cleanup().await;
}

/// Plain TCP (`DOCKER_HOST=tcp://…` without TLS) is read off the socket too: the daemon's
/// unix socket is forwarded to a TCP port here, and the log read over it is the same, line for
/// line, as the one read over the unix socket.
#[tokio::test]
async fn logs_read_over_plain_tcp_are_the_same() {
    let Some(d) = daemon::shared() else { return };
    let Some(path) = d.host.strip_prefix("unix://") else {
        return; // the harness daemon listens on TCP already
    };
    let docker = d.docker();
    let scope = fixtures::Scope::new(&docker);
    let script = r#"
        i=1; while [ $i -le 3000 ]; do echo "line $i"; i=$((i+1)); done
        echo "to stderr" >&2
        head -c 40000 /dev/zero | tr '\0' 'x'; echo
        printf 'no newline'
    "#;
    let (id, _) = scope.create_container(&["sh", "-c", script]).await;
    scope.run_to_exit(&id).await;

    // Every connection to the port is copied both ways to and from the daemon's socket.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let socket = path.to_owned();
    let proxy = tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            let socket = socket.clone();
            tokio::spawn(async move {
                if let Ok(mut unix) = tokio::net::UnixStream::connect(&socket).await {
                    let _ = tokio::io::copy_bidirectional(&mut tcp, &mut unix).await;
                }
            });
        }
    });
    let over_tcp = dockwright_engine::Engine::connect(
        &dockwright_engine::connect::resolve(
            &dockwright_engine::Environment::for_host(&format!("tcp://127.0.0.1:{port}")),
            None,
        )
        .unwrap(),
    )
    .await
    .unwrap();
    let over_unix = d.engine().await;
    for tail in [None, Some(2)] {
        let opts = LogOptions {
            tail,
            follow: false,
            since: None,
        };
        let (tcp, reason, _) =
            collect_logs_via(&over_tcp, LogsVia::Socket, &id, opts.clone()).await;
        let (unix, _, _) = collect_logs_via(&over_unix, LogsVia::Socket, &id, opts).await;
        assert_eq!(reason, LogsEndReason::Ended);
        assert_eq!(tcp.len(), if tail.is_some() { 2 } else { 3003 });
        assert_eq!(tcp, unix, "tail {tail:?}");
    }
    proxy.abort();
    scope.cleanup().await;
}

/// A container with a TTY logs raw lines (no stream frames) ending in CRLF: read both ways,
/// they come as the lines the program wrote, with their timestamps.
#[tokio::test]
async fn logs_of_a_tty_container_are_whole_lines() {
    let Some(d) = daemon::shared() else { return };
    let docker = d.docker();
    let engine = d.engine().await;
    let scope = fixtures::Scope::new(&docker);
    // First a line of 40,000 bytes: the daemon logs it as pieces, each with a timestamp.
    let script = "head -c 40000 /dev/zero | tr '\\0' x; echo; \
                  i=1; while [ $i -le 500 ]; do echo \"tty $i\"; i=$((i+1)); done; \
                  printf 'no newline'";
    let (id, _) = scope.create_tty_container(&["sh", "-c", script]).await;
    scope.run_to_exit(&id).await;
    let long = "x".repeat(40_000);
    let want: Vec<String> = std::iter::once(long.clone())
        .chain((1..=500).map(|i| format!("tty {i}")))
        .chain(["no newline".to_owned()])
        .collect();
    for via in BOTH {
        for (tail, from) in [(None, 0), (Some(3), 499)] {
            let (lines, reason, _) = collect_logs_via(
                &engine,
                via,
                &id,
                LogOptions {
                    tail,
                    follow: false,
                    since: None,
                },
            )
            .await;
            assert_eq!(reason, LogsEndReason::Ended, "{via:?}");
            let mut texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
            // Through the API client a TTY's stream is split at newlines only: the long line's
            // later pieces keep their timestamps in its text (see `Frames`). Off the socket it
            // is whole.
            if via == LogsVia::Client && from == 0 {
                assert!(texts[0].starts_with(&long[..16_000]), "{via:?}");
                texts[0] = &long;
            }
            assert_eq!(texts, want[from..], "{via:?} tail {tail:?}");
            assert!(lines
                .iter()
                .all(|l| l.timestamp.is_some() && l.stream == LogStream::Stdout));
        }
    }
    scope.cleanup().await;
}

/// Off the socket, a tail comes as one first batch while the container runs on (the viewer's
/// first screen is the tail's end, not its first few hundred lines). The batch goes once the
/// whole tail is in, or when the daemon pauses (a log shorter than the tail): on a busy machine
/// it may pause mid-tail, so one of three tries must show it.
#[tokio::test]
async fn logs_a_tail_comes_whole_in_the_first_batch() {
    let Some(d) = daemon::shared() else { return };
    let docker = d.docker();
    let engine = d.engine().await;
    let scope = fixtures::Scope::new(&docker);
    let script = "i=1; while [ $i -le 3000 ]; do echo \"l $i\"; i=$((i+1)); done; sleep 300";
    let (id, _) = scope.create_container(&["sh", "-c", script]).await;
    scope.start(&id).await;
    let last = LogOptions {
        tail: Some(1),
        follow: false,
        since: None,
    };
    for _ in 0..100 {
        let (l, _, _) = collect_logs(&engine, &id, last.clone()).await;
        if l.last().is_some_and(|l| l.text == "l 3000") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut sizes = Vec::new();
    for _ in 0..3 {
        let cancel = CancellationToken::new();
        let mut first: Option<Vec<LogLine>> = None;
        let opts = LogOptions {
            tail: Some(1000),
            follow: true,
            since: None,
        };
        engine
            .container_logs(&id, &opts, &cancel, |b| {
                if first.is_none() {
                    first = Some(b);
                    cancel.cancel();
                }
            })
            .await
            .unwrap();
        let first = first.expect("a first batch");
        assert_eq!(first[0].text, "l 2001");
        sizes.push(first.len());
        if first.len() == 1000 {
            assert_eq!(first[999].text, "l 3000");
            break;
        }
    }
    assert_eq!(sizes.last(), Some(&1000), "first batches: {sizes:?}");
    scope.cleanup().await;
}

/// The daemon refuses the logs of a container whose log driver keeps none: its own words come
/// back as the error, both ways.
#[tokio::test]
async fn logs_the_daemon_refuses_are_a_clear_error() {
    let Some(d) = daemon::shared() else { return };
    let docker = d.docker();
    let engine = d.engine().await;
    let scope = fixtures::Scope::new(&docker);
    let body = bollard::models::ContainerCreateBody {
        image: Some(fixtures::busybox(&docker).await.to_owned()),
        cmd: Some(vec!["true".into()]),
        labels: Some(scope.labels()),
        host_config: Some(bollard::models::HostConfig {
            network_mode: Some("none".into()),
            log_config: Some(bollard::models::HostConfigLogConfig {
                typ: Some("none".into()),
                config: None,
            }),
            ..Default::default()
        }),
        ..Default::default()
    };
    let id = docker
        .create_container(
            Some(bollard::query_parameters::CreateContainerOptions {
                name: Some(unique("dw-nolog")),
                ..Default::default()
            }),
            body,
        )
        .await
        .unwrap()
        .id;
    for via in BOTH {
        let e = engine
            .container_logs_via(
                via,
                &id,
                &LogOptions::default(),
                &CancellationToken::new(),
                |_| panic!("no lines"),
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), "Api", "{via:?}: {e}");
        assert!(
            e.to_string().contains("does not support reading"),
            "{via:?}: {e}"
        );
    }
    scope.cleanup().await;
}

#[tokio::test]
async fn logs_follow_until_the_container_stops_or_cancel() {
    let Some(d) = daemon::shared() else { return };
    let docker = d.docker();
    let engine = d.engine().await;
    let scope = fixtures::Scope::new(&docker);
    let (id, _) = scope
        .create_container(&["sh", "-c", "echo first; sleep 1; echo second; sleep 1"])
        .await;
    scope.start(&id).await;
    // The second read starts after the container stopped: it ends after the lines.
    for via in BOTH {
        let (lines, reason, _) = collect_logs_via(
            &engine,
            via,
            &id,
            LogOptions {
                tail: Some(100),
                follow: true,
                since: None,
            },
        )
        .await;
        assert_eq!(reason, LogsEndReason::Stopped, "{via:?}");
        let texts: Vec<_> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["first", "second"], "{via:?}");
    }
    let (tail, _, _) = collect_logs(
        &engine,
        &id,
        LogOptions {
            tail: Some(1),
            follow: false,
            since: None,
        },
    )
    .await;
    assert_eq!(tail.len(), 1);
    assert_eq!(tail[0].text, "second");

    // Cancel ends a follow at once.
    let (id2, _) = scope.create_container(&["sleep", "300"]).await;
    scope.start(&id2).await;
    for via in BOTH {
        let cancel = cancel_after(Duration::from_millis(300));
        let t0 = std::time::Instant::now();
        let end = engine
            .container_logs_via(
                via,
                &id2,
                &LogOptions {
                    tail: Some(10),
                    follow: true,
                    since: None,
                },
                &cancel,
                |_| {},
            )
            .await
            .unwrap();
        assert_eq!(end.reason, LogsEndReason::Cancelled, "{via:?}");
        assert!(t0.elapsed() < Duration::from_secs(2), "{via:?}");
    }
    scope.cleanup().await;
}

/// The daemon restarts while a follow runs: the follow ends as `DaemonLost`, and going on from
/// the last timestamp sends no line twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_follow_survives_a_daemon_restart_without_duplicates() {
    let Some(own) = daemon::PrivateDaemon::start_isolated("logs-restart") else {
        return;
    };
    let docker = daemon::connect(&own.host());
    let engine = own.engine().await;
    let scope = fixtures::Scope::new(&docker);
    let (id, _) = scope
        .create_container(&[
            "sh",
            "-c",
            "i=0; while true; do i=$((i+1)); echo n$i; sleep 0.01; done",
        ])
        .await;
    scope.start(&id).await;
    let mut seen: Vec<LogLine> = Vec::new();
    let follow = LogOptions {
        tail: None,
        follow: true,
        since: None,
    };
    let cancel = CancellationToken::new();
    let engine2 = engine.clone();
    let id2 = id.clone();
    let follow_task = tokio::spawn(async move {
        let mut got = Vec::new();
        let end = engine2
            .container_logs(&id2, &follow, &cancel, |b| got.extend(b))
            .await;
        (got, end)
    });
    tokio::time::sleep(Duration::from_millis(800)).await;
    own.stop();
    let (got, end) = tokio::time::timeout(Duration::from_secs(30), follow_task)
        .await
        .expect("the follow ends when the daemon goes")
        .unwrap();
    let end = end.unwrap();
    assert!(
        matches!(
            end.reason,
            LogsEndReason::DaemonLost | LogsEndReason::Stopped
        ),
        "{end:?}"
    );
    assert!(!got.is_empty());
    seen.extend(got);
    own.run().unwrap();
    let engine = own.engine().await;
    // Go on from the last timestamp.
    let (more, _, _) = collect_logs(
        &engine,
        &id,
        LogOptions {
            tail: None,
            follow: false,
            since: end.last_timestamp.clone(),
        },
    )
    .await;
    seen.extend(more);
    let texts: Vec<&str> = seen.iter().map(|l| l.text.as_str()).collect();
    let unique: HashSet<&str> = texts.iter().copied().collect();
    assert_eq!(unique.len(), texts.len(), "no line twice");
    let (all, _, _) = collect_logs(&engine, &id, LogOptions::default()).await;
    assert_eq!(all.len(), texts.len(), "no line lost");
    scope.cleanup().await;
    own.stop();
}

#[tokio::test]
async fn stats_of_running_containers() {
    let Some(d) = daemon::shared() else { return };
    let docker = d.docker();
    let engine = d.engine().await;
    let scope = fixtures::Scope::new(&docker);
    // One busy, one idle.
    let (busy, _) = scope
        .create_container(&["sh", "-c", "while true; do :; done"])
        .await;
    let (idle, _) = scope.create_container(&["sleep", "300"]).await;
    scope.start(&busy).await;
    scope.start(&idle).await;
    let cancel = CancellationToken::new();
    let mut batches: Vec<Vec<dockwright_engine::container::stats::StatsSample>> = Vec::new();
    let c = cancel.clone();
    engine
        .container_stats(&[busy.clone(), idle.clone()], &cancel, |s| {
            batches.push(s);
            if batches.len() >= 3 {
                c.cancel();
            }
        })
        .await
        .unwrap();
    let last = batches.last().unwrap();
    let get = |id: &str| last.iter().find(|s| s.id == id).unwrap().clone();
    let (b, i) = (get(&busy), get(&idle));
    assert!(b.cpu_percent > 20.0, "a busy loop uses a core: {b:?}");
    assert!(i.cpu_percent < 5.0, "{i:?}");
    assert!(b.memory_bytes > 0 && b.memory_limit >= b.memory_bytes);
    assert!(b.pids >= 1);
    assert!(b.at > 1_600_000_000_000, "a real time: {}", b.at);
    engine
        .container_action_many(&[busy, idle], &ContainerAction::Kill { signal: None })
        .await
        .unwrap();
    scope.cleanup().await;
}

#[tokio::test]
async fn a_terminal_runs_a_shell_and_closing_it_leaves_the_container_running() {
    let Some(d) = daemon::shared() else { return };
    let docker = d.docker();
    let engine = d.engine().await;
    let scope = fixtures::Scope::new(&docker);
    let (id, _) = scope.create_container(&["sleep", "300"]).await;

    // Not running yet: a clear refusal.
    let e = shell(&engine, &id, "sh", 80, 24).await.err().unwrap();
    assert_eq!(e.code(), "Conflict");
    assert!(e.to_string().contains("not running"), "{e}");
    scope.start(&id).await;

    let mut t = shell(&engine, &id, "sh", 100, 30).await.unwrap();
    write_input(&mut t.input, b"stty size; echo $((6*7))\n")
        .await
        .unwrap();
    let mut text = String::new();
    let read = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(Ok(b)) = t.output.next().await {
            text.push_str(&String::from_utf8_lossy(&b));
            if text.contains("42") && text.contains("30 100") {
                break;
            }
        }
    })
    .await;
    assert!(read.is_ok(), "output so far: {text:?}");
    // Resize, then exit with a code.
    engine
        .resize_terminal(&t.container, t.exec_id.as_deref(), 120, 40)
        .await
        .unwrap();
    write_input(&mut t.input, b"stty size; exit 3\n")
        .await
        .unwrap();
    let mut rest = String::new();
    while let Some(Ok(b)) = t.output.next().await {
        rest.push_str(&String::from_utf8_lossy(&b));
    }
    assert!(rest.contains("40 120"), "{rest:?}");
    let exec = t.exec_id.clone().unwrap();
    assert_eq!(engine.exec_exit_code(&exec).await.unwrap(), Some(3));

    // A shell closed from our side (the tab) ends; the container runs on.
    let t2 = shell(&engine, &id, "sh", 80, 24).await.unwrap();
    let exec2 = t2.exec_id.clone().unwrap();
    let tag = t2.tag.clone();
    drop(t2);
    // Docker itself keeps an exec running when its client goes…
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(engine.exec_exit_code(&exec2).await.unwrap(), None);
    // …so closing hangs it up.
    assert!(engine.close_terminal(&id, &exec2, &tag).await);
    assert!(engine.exec_exit_code(&exec2).await.unwrap().is_some());
    assert_eq!(state(&engine, &id).await, "running");

    // A command that does not exist says so.
    let mut t3 = shell(&engine, &id, "bash", 80, 24).await;
    if let Ok(t3) = t3.as_mut() {
        let mut out = String::new();
        while let Some(Ok(b)) = t3.output.next().await {
            out.push_str(&String::from_utf8_lossy(&b));
        }
        let code = engine
            .exec_exit_code(t3.exec_id.as_deref().unwrap())
            .await
            .unwrap();
        assert!(matches!(code, Some(126) | Some(127)), "{code:?} {out}");
    }
    // No TTY: attach is refused with the way out.
    let e = engine
        .open_terminal(&id, &TerminalTarget::Attach, 80, 24)
        .await
        .err()
        .unwrap();
    assert!(e.to_string().contains("shell"), "{e}");
    scope.cleanup().await;
}

mod run {
    use super::*;
    use dockwright_engine::container::run::RunOutcome;
    use dockwright_engine::container::spec::{parse_line, RunSpec, VolumeSpec};
    use dockwright_engine::EngineError;

    fn field_of(e: &EngineError) -> &str {
        match e {
            EngineError::InvalidInput { field, .. } => field,
            _ => "",
        }
    }

    async fn labelled(docker: &bollard::Docker, scope: &fixtures::Scope) -> usize {
        let filters = std::collections::HashMap::from([(
            "label".to_owned(),
            vec![format!("{}={}", dockwright_engine::TEST_LABEL, scope.id)],
        )]);
        docker
            .list_containers(Some(bollard::query_parameters::ListContainersOptions {
                all: true,
                filters: Some(filters),
                ..Default::default()
            }))
            .await
            .unwrap()
            .len()
    }

    /// Runs `s` in the test's scope, risks not accepted, output ignored, never cancelled.
    async fn run(
        engine: &dockwright_engine::Engine,
        scope: &fixtures::Scope,
        s: &RunSpec,
    ) -> dockwright_engine::Result<RunOutcome> {
        let cancel = CancellationToken::new();
        engine
            .run_container(s, false, scope.labels(), &cancel, |_| {})
            .await
    }

    fn spec(image: &str, command: &[&str]) -> RunSpec {
        RunSpec {
            image: image.to_owned(),
            detach: true,
            command: command.iter().map(|s| s.to_string()).collect(),
            ..RunSpec::default()
        }
    }

    #[tokio::test]
    async fn bad_input_is_refused_before_anything_is_created() {
        let Some(d) = daemon::shared() else { return };
        let docker = d.docker();
        let engine = d.engine().await;
        let scope = fixtures::Scope::new(&docker);
        let image = fixtures::busybox(&docker).await;
        let mut cases: Vec<(RunSpec, &str)> = Vec::new();
        for (p, _) in [
            ("99999:80", ""),
            ("0:80", ""),
            ("abc:80", ""),
            ("1:2:3:4", ""),
            ("80/xyz", ""),
        ] {
            let mut s = spec(image, &["true"]);
            s.ports = vec!["8080:80".into(), p.into()];
            cases.push((s, "ports[1]"));
        }
        let mut s = spec(image, &["true"]);
        s.volumes = vec![VolumeSpec {
            source: "/definitely/not/here".into(),
            target: "/data".into(),
            read_only: false,
        }];
        cases.push((s, "volumes[0].source"));
        let mut s = spec(image, &["true"]);
        s.name = Some("bad name!".into());
        cases.push((s, "name"));
        for (s, want) in &cases {
            let e = run(&engine, &scope, s).await.unwrap_err();
            assert_eq!(field_of(&e), *want, "{s:?}: {e}");
        }
        // What a pasted line gets wrong is said at once too.
        let e = parse_line(&format!("docker run -e JUSTKEY {image}")).unwrap_err();
        assert_eq!(field_of(&e), "env", "{e}");
        let e = parse_line(&format!("docker run --restart sometimes {image}")).unwrap_err();
        assert_eq!(field_of(&e), "restart", "{e}");
        assert_eq!(labelled(&docker, &scope).await, 0, "nothing was created");

        // Risky options need a yes.
        let mut s = spec(image, &["true"]);
        s.privileged = true;
        let e = run(&engine, &scope, &s).await.unwrap_err();
        assert_eq!(field_of(&e), "risks", "{e}");
        assert_eq!(labelled(&docker, &scope).await, 0);

        // An image that is not local: the UI offers a pull.
        let e = run(&engine, &scope, &spec("dockwright-test/not-here:1", &[]))
            .await
            .unwrap_err();
        assert_eq!(e.code(), "ImageNotLocal", "{e}");
        scope.cleanup().await;
    }

    #[tokio::test]
    async fn failures_at_create_or_start_leave_nothing_behind() {
        let Some(d) = daemon::shared() else { return };
        let docker = d.docker();
        let engine = d.engine().await;
        let scope = fixtures::Scope::new(&docker);
        let image = fixtures::busybox(&docker).await;

        // A name in use: said next to the name.
        let (_, taken) = scope.create_container(&["true"]).await;
        let mut s = spec(image, &["sleep", "30"]);
        s.name = Some(taken);
        let e = run(&engine, &scope, &s).await.unwrap_err();
        assert_eq!(field_of(&e), "name", "{e}");
        assert_eq!(labelled(&docker, &scope).await, 1, "only the first one");

        // A host port already in use, and a named volume this run would have made: the created
        // container and the new volume are both removed.
        let listener = std::net::TcpListener::bind("0.0.0.0:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let volume = unique("dw-vol");
        let mut s = spec(image, &["sleep", "30"]);
        s.ports = vec!["9".into(), format!("{port}:80")];
        s.volumes = vec![VolumeSpec {
            source: volume.clone(),
            target: "/data".into(),
            read_only: false,
        }];
        let e = run(&engine, &scope, &s).await.unwrap_err();
        assert_eq!(field_of(&e), "ports[1]", "{e}");
        assert!(e.to_string().contains(&port.to_string()), "{e}");
        assert_eq!(
            labelled(&docker, &scope).await,
            1,
            "no orphan created container"
        );
        assert!(
            docker.inspect_volume(&volume).await.is_err(),
            "the new volume went too"
        );
        drop(listener);
        scope.cleanup().await;
    }

    #[tokio::test]
    async fn detached_attached_and_exit_at_once() {
        let Some(d) = daemon::shared() else { return };
        let docker = d.docker();
        let engine = d.engine().await;
        let scope = fixtures::Scope::new(&docker);
        let image = fixtures::busybox(&docker).await;
        let cancel = CancellationToken::new();

        // Detached and running: published port, env, a named volume made on demand, labels.
        let volume = unique("dw-vol");
        let mut s = spec(image, &["sh", "-c", "echo $GREETING > /data/x; sleep 60"]);
        s.name = Some(unique("dw-run"));
        s.env = vec![dockwright_engine::build::run::KeyValue {
            key: "GREETING".into(),
            value: "hello world".into(),
        }];
        s.volumes = vec![VolumeSpec {
            source: volume.clone(),
            target: "/data".into(),
            read_only: false,
        }];
        s.ports = vec!["127.0.0.1::80".into()];
        let out = run(&engine, &scope, &s).await.unwrap();
        assert_eq!(out.exited, None);
        assert_eq!(out.name, s.name.clone().unwrap());
        let details = engine.inspect_container(&out.id).await.unwrap();
        assert!(details.running);
        assert!(details.env.iter().any(|e| e == "GREETING=hello world"));
        assert!(details
            .ports
            .iter()
            .any(|p| p.private_port == 80 && p.public_port.is_some()));
        assert!(details
            .mounts
            .iter()
            .any(|m| m.name.as_deref() == Some(volume.as_str())));
        engine
            .container_action(
                &out.id,
                &ContainerAction::Remove {
                    force: true,
                    volumes: false,
                },
            )
            .await
            .unwrap();
        let _ = docker
            .remove_volume(
                &volume,
                None::<bollard::query_parameters::RemoveVolumeOptions>,
            )
            .await;

        // Exits at once (with --rm, so it is gone right after): code and last lines.
        let mut s = spec(
            image,
            &[
                "sh",
                "-c",
                "echo starting; echo 'config missing' >&2; exit 3",
            ],
        );
        s.remove = true;
        let out = run(&engine, &scope, &s).await.unwrap();
        let exited = out.exited.expect("reported as exited");
        assert_eq!(exited.code, 3);
        assert!(
            exited.last_lines.contains(&"config missing".to_owned()),
            "{exited:?}"
        );
        assert!(
            exited.last_lines.contains(&"starting".to_owned()),
            "{exited:?}"
        );

        // Attached: the output streams, the run ends with the container.
        let mut s = spec(
            image,
            &[
                "sh",
                "-c",
                "for i in 1 2 3; do echo out $i; sleep 0.2; done; exit 0",
            ],
        );
        s.detach = false;
        s.remove = true;
        let mut got = Vec::new();
        let out = engine
            .run_container(&s, false, scope.labels(), &cancel, |lines| {
                got.extend(lines)
            })
            .await
            .unwrap();
        assert_eq!(out.exited.map(|e| e.code), Some(0));
        let texts: Vec<_> = got.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["out 1", "out 2", "out 3"]);

        // Attached and stopped from the app.
        let mut s = spec(image, &["sleep", "300"]);
        s.detach = false;
        let stop = cancel_after(Duration::from_millis(500));
        let out = engine
            .run_container(&s, false, scope.labels(), &stop, |_| {})
            .await
            .unwrap();
        assert!(out.exited.is_some());
        assert_eq!(state(&engine, &out.id).await, "exited");
        scope.cleanup().await;
    }
}

/// The daemon stops while a terminal is open: the terminal ends (no hang), and says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminal_ends_clearly_when_the_daemon_stops() {
    let Some(own) = daemon::PrivateDaemon::start_isolated("term-stop") else {
        return;
    };
    let docker = daemon::connect(&own.host());
    let engine = own.engine().await;
    let scope = fixtures::Scope::new(&docker);
    let (id, _) = scope.create_container(&["sleep", "300"]).await;
    scope.start(&id).await;
    let mut t = shell(&engine, &id, "sh", 80, 24).await.unwrap();
    write_input(&mut t.input, b"echo ready\n").await.unwrap();
    let mut seen = String::new();
    while !seen.contains("ready\r\n") {
        match tokio::time::timeout(Duration::from_secs(10), t.output.next()).await {
            Ok(Some(Ok(b))) => seen.push_str(&String::from_utf8_lossy(&b)),
            other => panic!("no output: {other:?} {seen:?}"),
        }
    }
    let stopper = tokio::task::spawn_blocking(move || {
        own.stop();
        own
    });
    // The output ends (None or an error) instead of hanging.
    let end = tokio::time::timeout(Duration::from_secs(40), async {
        loop {
            match t.output.next().await {
                Some(Ok(_)) => continue,
                other => return other.map(|r| r.map(|_| ())),
            }
        }
    })
    .await
    .expect("the terminal ends when the daemon stops");
    if let Some(Err(e)) = &end {
        assert!(!e.to_string().is_empty());
    }
    let own = stopper.await.unwrap();
    // Writing to it now fails clearly.
    let w = write_input(&mut t.input, b"echo gone\n").await;
    assert!(w.is_err() || end.is_none());
    drop(own);
}
