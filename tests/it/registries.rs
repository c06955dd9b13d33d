//! Logging in and pushing through the daemon to a local registry with htpasswd auth: right and
//! wrong passwords, a registry that is down, push with progress and digest, pull back with the
//! same credentials, a push without credentials, a push cut by a daemon restart.

use std::time::Duration;

use bollard::auth::DockerCredentials;
use dockwright_engine::reference::Reference;
use dockwright_engine::registry::server_address;
use tokio_util::sync::CancellationToken;

use crate::support::{daemon, fixtures, registry::Registry, unique};

fn creds(registry: &str, user: &str, pass: &str) -> DockerCredentials {
    DockerCredentials {
        username: Some(user.into()),
        password: Some(pass.into()),
        serveraddress: Some(server_address(registry)),
        ..Default::default()
    }
}

#[tokio::test]
async fn login_push_and_pull_back_with_a_password_registry() {
    let Some(d) = daemon::shared() else { return };
    let Some(reg) = Registry::start(Some(("alice", "s3cret-pass"))) else {
        return;
    };
    let docker = d.docker();
    let base = fixtures::busybox(&docker).await;
    let engine = d.engine().await;
    let host = reg.address.clone();

    // Login: right, wrong, and a registry that is down.
    engine
        .check_login(&host, "alice", "s3cret-pass")
        .await
        .unwrap();
    let e = engine
        .check_login(&host, "alice", "wrong-password")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "Unauthorized", "{e}");
    assert!(
        !e.to_string().contains("wrong-password"),
        "no password in messages"
    );
    let down = format!("127.0.0.1:{}", crate::support::free_port());
    let e = engine.check_login(&down, "alice", "x").await.unwrap_err();
    assert!(e.to_string().contains("cannot be reached"), "{e}");
    for (r, u, p) in [
        ("", "a", "b"),
        (host.as_str(), " ", "b"),
        (host.as_str(), "a", ""),
    ] {
        assert_eq!(
            engine.check_login(r, u, p).await.unwrap_err().code(),
            "InvalidInput"
        );
    }

    // Push with progress and a digest.
    let reference = format!("{host}/team/{}:1", unique("push"));
    let id = fixtures::image_with_blob(&engine, base, &reference, 3_000_000).await;
    let r = Reference::parse(&reference).unwrap();
    let e = engine
        .push_image(&r, None, CancellationToken::new(), |_| {})
        .await
        .unwrap_err();
    assert_eq!(e.code(), "Unauthorized", "a push without credentials: {e}");
    let mut snapshots = Vec::new();
    let pushed = engine
        .push_image(
            &r,
            Some(creds(&host, "alice", "s3cret-pass")),
            CancellationToken::new(),
            |p| snapshots.push(p),
        )
        .await
        .unwrap();
    let digest = pushed.digest.clone().unwrap();
    let last = snapshots.last().unwrap();
    assert!(last.layers.len() >= 2, "{last:?}");
    assert_eq!(last.layers_done as usize, last.layers.len(), "{last:?}");
    assert!(last.total >= 3_000_000, "{last:?}");

    // Remove it locally, pull it back with the same credentials: the same digest.
    fixtures::remove_image(&docker, &id).await.unwrap();
    let e = engine
        .pull_image(&r, None, CancellationToken::new(), |_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(e.code(), "Unauthorized" | "Failed" | "NotFound"),
        "a pull without credentials fails: {e}"
    );
    let pulled = engine
        .pull_image(
            &r,
            Some(creds(&host, "alice", "s3cret-pass")),
            CancellationToken::new(),
            |_| {},
        )
        .await
        .unwrap();
    assert_eq!(pulled.digest.as_deref(), Some(digest.as_str()));
    let i = engine.inspect_image(&reference).await.unwrap();
    assert_eq!(i.id, id);
}

#[tokio::test]
async fn a_push_cut_by_a_daemon_restart_is_a_failure() {
    let Some(own) = daemon::PrivateDaemon::start_isolated("push-stop") else {
        return;
    };
    let Some(reg) = Registry::start(None) else {
        return;
    };
    let docker = daemon::connect(&own.host());
    let base = fixtures::busybox(&docker).await;
    let engine = own.engine().await;
    let reference = format!("{}/cut/{}:1", reg.address, unique("push"));
    fixtures::image_with_blob(&engine, base, &reference, 200_000_000).await;
    let r = Reference::parse(&reference).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let task = {
        let engine = engine.clone();
        tokio::spawn(async move {
            engine
                .push_image(&r, None, CancellationToken::new(), move |p| {
                    if p.current > 0 {
                        let _ = tx.send(());
                    }
                })
                .await
        })
    };
    tokio::time::timeout(Duration::from_secs(60), rx.recv())
        .await
        .expect("the push started");
    own.stop();
    let result = tokio::time::timeout(Duration::from_secs(60), task)
        .await
        .expect("the push ends when the daemon goes")
        .unwrap();
    let e = result.expect_err("never reported as a success");
    eprintln!("push cut by a daemon stop: {} — {e}", e.code());
}

/// Login through `Logins`: right credentials go to the OS keychain (no helper configured) and
/// are sent for that registry only; wrong ones are stored nowhere; logout forgets them; a
/// configured credential helper is used instead of the keychain.
#[tokio::test]
async fn logins_go_to_the_keychain_or_the_users_helper_and_wrong_ones_nowhere() {
    use dockwright_engine::credentials::{CredentialStore, Source};
    use dockwright_engine::keychain::Keychain;
    use dockwright_engine::registry::Logins;
    let Some(d) = daemon::shared() else { return };
    let Some(()) = crate::support::secrets::secret_service() else {
        return;
    };
    let Some(reg) = Registry::start(Some(("bob", "right-horse-battery"))) else {
        return;
    };
    let engine = d.engine().await;
    let config = tempfile::tempdir().unwrap();
    let logins = Logins {
        store: CredentialStore::with_config_dir(config.path().to_path_buf()),
        keychain: Keychain::with_service(&unique("dev.dockwright.test")),
    };
    let host = reg.address.clone();

    let e = logins
        .login(&engine, &host, "bob", "wrong-horse")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "Unauthorized");
    assert!(logins.keychain.get(&host).unwrap().is_none());
    assert!(
        !config.path().join("config.json").exists()
            || !std::fs::read_to_string(config.path().join("config.json"))
                .unwrap()
                .contains("wrong")
    );

    let l = logins
        .login(&engine, &host, "bob", "right-horse-battery")
        .await
        .unwrap();
    assert_eq!(l.source, Source::Keychain);
    assert_eq!(l.username.as_deref(), Some("bob"));
    let file = std::fs::read_to_string(config.path().join("config.json")).unwrap_or_default();
    assert!(
        !file.contains("right-horse") && !file.contains("Ym9i"),
        "no secret in config.json: {file}"
    );
    let listed = logins.list().await.unwrap();
    assert!(
        listed
            .iter()
            .any(|x| x.registry == host && x.source == Source::Keychain),
        "{listed:?}"
    );
    let c = logins
        .credentials_for(&host)
        .await
        .unwrap()
        .expect("credentials for it");
    assert_eq!(c.username.as_deref(), Some("bob"));
    // Another registry gets nothing of this login.
    assert!(logins
        .credentials_for("other.example:5000")
        .await
        .unwrap()
        .is_none());
    assert!(logins.credentials_for("docker.io").await.unwrap().is_none());

    logins.logout(&host).await.unwrap();
    assert!(logins.credentials_for(&host).await.unwrap().is_none());
    assert!(!logins
        .list()
        .await
        .unwrap()
        .iter()
        .any(|x| x.registry == host));

    // With a credential helper configured, the login goes there.
    let bin = tempfile::tempdir().unwrap();
    let state = bin.path().join("state");
    let helper = bin.path().join("docker-credential-dwtest");
    std::fs::write(
        &helper,
        format!(
            "#!/bin/sh\ncase \"$1\" in\n store) cat > {s} ;;\n get) if [ -s {s} ]; then cat {s}; else echo 'credentials not found in native keychain'; exit 1; fi ;;\n erase) : > {s} ;;\n list) echo '{{}}' ;;\nesac\n",
            s = state.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(
        config.path().join("config.json"),
        r#"{"credsStore":"dwtest","auths":{}}"#,
    )
    .unwrap();
    let logins = Logins {
        store: CredentialStore::with_config_dir(config.path().to_path_buf())
            .helper_search_path(bin.path().as_os_str().to_owned()),
        keychain: logins.keychain.clone(),
    };
    let l = logins
        .login(&engine, &host, "bob", "right-horse-battery")
        .await
        .unwrap();
    assert_eq!(
        l.source,
        Source::Helper {
            name: "dwtest".into()
        }
    );
    assert!(std::fs::read_to_string(&state)
        .unwrap()
        .contains("\"Username\":\"bob\""));
    assert!(
        logins.keychain.get(&host).unwrap().is_none(),
        "not also in the keychain"
    );
    let c = logins.credentials_for(&host).await.unwrap().unwrap();
    assert_eq!(c.password.as_deref(), Some("right-horse-battery"));

    // A helper that is missing is a clear error, and nothing is stored.
    std::fs::write(
        config.path().join("config.json"),
        r#"{"credsStore":"not-installed-xyz"}"#,
    )
    .unwrap();
    let e = logins
        .login(&engine, &host, "bob", "right-horse-battery")
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("docker-credential-not-installed-xyz"),
        "{e}"
    );
}

/// A registry with a self-signed certificate: refused (with what to do) until the engine
/// trusts it through `certs.d`; then login, push, remove, pull back give the same digest.
#[tokio::test]
async fn a_tls_registry_is_refused_until_trusted_then_round_trips() {
    let Some(d) = daemon::shared() else { return };
    if !crate::support::is_root() {
        crate::support::missing::<()>(
            "trusting a test certificate needs root (/etc/docker/certs.d)",
        );
        return;
    }
    let Some(ip) = Registry::non_loopback_ip() else {
        crate::support::missing::<()>("no non-loopback IPv4 address for a TLS registry");
        return;
    };
    let Some(reg) = Registry::start_tls(Some(("carol", "tls-pass-123")), &ip) else {
        return;
    };
    let docker = d.docker();
    let base = fixtures::busybox(&docker).await;
    let engine = d.engine().await;
    let host = reg.address.clone();

    let e = engine
        .check_login(&host, "carol", "tls-pass-123")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("does not trust"), "{e}");
    assert!(e.to_string().contains("certs.d"), "{e}");

    reg.trust();
    engine
        .check_login(&host, "carol", "tls-pass-123")
        .await
        .unwrap();
    let reference = format!("{host}/secure/{}:1", unique("tls"));
    let id = fixtures::image_with_blob(&engine, base, &reference, 1_000_000).await;
    let r = Reference::parse(&reference).unwrap();
    let pushed = engine
        .push_image(
            &r,
            Some(creds(&host, "carol", "tls-pass-123")),
            CancellationToken::new(),
            |_| {},
        )
        .await
        .unwrap();
    fixtures::remove_image(&docker, &id).await.unwrap();
    let pulled = engine
        .pull_image(
            &r,
            Some(creds(&host, "carol", "tls-pass-123")),
            CancellationToken::new(),
            |_| {},
        )
        .await
        .unwrap();
    assert_eq!(pulled.digest, pushed.digest);
    assert_eq!(engine.inspect_image(&reference).await.unwrap().id, id);
}

/// Cancelling a push mid-way returns at once as Cancelled, never as a success.
#[tokio::test]
async fn a_push_can_be_cancelled_mid_way() {
    let Some(d) = daemon::shared() else { return };
    let Some(reg) = Registry::start(None) else {
        return;
    };
    let docker = d.docker();
    let base = fixtures::busybox(&docker).await;
    let engine = d.engine().await;
    let reference = format!("{}/cancel/{}:1", reg.address, unique("push"));
    let id = fixtures::image_with_blob(&engine, base, &reference, 150_000_000).await;
    let r = Reference::parse(&reference).unwrap();
    let cancel = CancellationToken::new();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let task = {
        let engine = engine.clone();
        let cancel = cancel.clone();
        tokio::spawn(async move {
            engine
                .push_image(&r, None, cancel, move |p| {
                    if p.current > 0 {
                        let _ = tx.send(());
                    }
                })
                .await
        })
    };
    tokio::time::timeout(Duration::from_secs(60), rx.recv())
        .await
        .expect("the push started");
    let t = std::time::Instant::now();
    cancel.cancel();
    let r = tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("cancel returns promptly")
        .unwrap();
    assert_eq!(r.unwrap_err(), dockwright_engine::EngineError::Cancelled);
    eprintln!("push cancel returned after {:?}", t.elapsed());
    fixtures::remove_image(&docker, &id).await.unwrap();
}
