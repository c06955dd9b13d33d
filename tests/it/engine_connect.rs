//! Connecting: ping and version on a real daemon, and the four ways it can fail, each with its
//! own clear message and no panic.

use dockwright_engine::connect::resolve;
use dockwright_engine::{Engine, Environment};

use crate::support::daemon;

fn env_host(host: &str) -> Environment {
    Environment::for_host(host)
}

#[tokio::test]
async fn connects_pings_and_reads_the_version() {
    let Some(d) = daemon::shared() else { return };
    let engine = Engine::connect(&d.endpoint()).await.unwrap();
    let info = engine.info();
    assert_eq!(info.host, d.host);
    assert!(!info.server_version.is_empty());
    assert!(info.api_version.starts_with("1."), "{info:?}");
    assert_eq!(info.os, "linux");
    engine.ping().await.unwrap();
}

#[tokio::test]
async fn a_daemon_that_is_absent_is_unreachable_with_its_address() {
    let dir = tempfile::tempdir().unwrap();
    let host = format!("unix://{}/docker.sock", dir.path().display());
    let err = Engine::connect(&resolve(&env_host(&host), None).unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "DaemonUnreachable");
    let msg = err.to_string();
    assert!(
        msg.contains(&format!("{}/docker.sock", dir.path().display())),
        "{msg}"
    );

    // A socket file nobody listens on: connection refused, a different message.
    let sock = dir.path().join("stale.sock");
    drop(std::os::unix::net::UnixListener::bind(&sock).unwrap());
    let err =
        Engine::connect(&resolve(&env_host(&format!("unix://{}", sock.display())), None).unwrap())
            .await
            .unwrap_err();
    assert_eq!(err.code(), "DaemonUnreachable");
    assert!(err.to_string().contains("refused"), "{err}");
    assert_ne!(err.to_string(), msg);
}

/// Run as another user by `a_socket_we_may_not_open_is_permission_denied`.
#[tokio::test]
#[ignore = "helper, run by another test as an unprivileged user"]
async fn probe_connect() {
    let Ok(host) = std::env::var("DW_PROBE_HOST") else {
        return;
    };
    let r = Engine::connect(&resolve(&env_host(&host), None).unwrap()).await;
    match r {
        Ok(_) => println!("PROBE code=Connected"),
        Err(e) => println!("PROBE code={} message={e}", e.code()),
    }
}

#[tokio::test]
async fn a_socket_we_may_not_open_is_permission_denied() {
    let dir = tempfile::Builder::new()
        .prefix("dw-perm")
        .tempdir()
        .unwrap();
    let sock = dir.path().join("docker.sock");
    let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&sock, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let host = format!("unix://{}", sock.display());

    // Root ignores file modes: then probe as `nobody`.
    let lines =
        crate::support::probe_as_nobody("engine_connect::probe_connect", ("DW_PROBE_HOST", &host));
    let line = &lines[0];
    assert!(line.contains("code=PermissionDenied"), "{line}");
    assert!(line.contains("Permission denied opening"), "{line}");
    assert!(line.contains(&host), "{line}");
}

#[tokio::test]
async fn four_faults_four_distinct_messages() {
    let dir = tempfile::tempdir().unwrap();
    let absent = Engine::connect(
        &resolve(
            &env_host(&format!("unix://{}/none.sock", dir.path().display())),
            None,
        )
        .unwrap(),
    )
    .await
    .unwrap_err();
    let malformed = resolve(&env_host("tcp//localhost:2375"), None).unwrap_err();
    let tls = resolve(
        &Environment {
            docker_host: Some("tcp://127.0.0.1:2376".into()),
            docker_tls_verify: Some("1".into()),
            docker_cert_path: Some(dir.path().to_path_buf()),
            ..Default::default()
        },
        None,
    )
    .unwrap_err();
    assert_eq!(absent.code(), "DaemonUnreachable");
    assert_eq!(malformed.code(), "InvalidInput");
    assert!(
        malformed.to_string().starts_with("DOCKER_HOST: "),
        "{malformed}"
    );
    assert_eq!(tls.code(), "Tls");
    // No plain-HTTP fallback: TLS asked for with no certificates never becomes a connection.
    assert!(tls.to_string().contains("never falls back to plain HTTP"));
    let msgs = [absent.to_string(), malformed.to_string(), tls.to_string()];
    for (i, a) in msgs.iter().enumerate() {
        for b in &msgs[i + 1..] {
            assert_ne!(a, b);
        }
    }
}

/// A TLS endpoint must never be spoken to in plain HTTP: against a plain-HTTP daemon port the
/// TLS handshake fails and we say so, instead of falling back.
#[tokio::test]
async fn tls_to_a_plain_http_server_fails_as_tls() {
    // A tiny plain-HTTP server that answers anything with a Docker-like 200.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut s, _)) = listener.accept().await {
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf).await;
            let _ = s
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK")
                .await;
        }
    });
    let dir = tempfile::tempdir().unwrap();
    write_self_signed(dir.path());
    let ep = resolve(
        &Environment {
            docker_host: Some(format!("tcp://127.0.0.1:{port}")),
            docker_tls_verify: Some("1".into()),
            docker_cert_path: Some(dir.path().to_path_buf()),
            ..Default::default()
        },
        None,
    )
    .unwrap();
    let err = Engine::connect(&ep).await.unwrap_err();
    server.abort();
    assert!(
        matches!(err.code(), "Tls" | "DaemonUnreachable"),
        "a plain HTTP answer must not count as connected: {err}"
    );
}

fn write_self_signed(dir: &std::path::Path) {
    let ok = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
        ])
        .arg("-keyout")
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "openssl is needed to make a test certificate");
    std::fs::copy(dir.join("cert.pem"), dir.join("ca.pem")).unwrap();
}
