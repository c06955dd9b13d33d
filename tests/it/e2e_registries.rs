//! The real app logs in to a password registry from the Registries page: a wrong password is
//! refused in the dialog, the right one lands in the OS keychain and the registry is listed.

use std::time::Duration;

use crate::e2e_live_list::{
    click, desktop, launch_connected, screenshot_dir, wait_for, Desktop, E2E,
};
use crate::support::daemon;
use crate::support::registry::Registry;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logging_in_from_the_registries_page() {
    let _one = E2E.lock().await;
    let Some(d) = daemon::shared() else { return };
    let Some(()) = crate::support::secrets::secret_service() else {
        return;
    };
    let Some(reg) = Registry::start(Some(("dana", "e2e-secret-pw"))) else {
        return;
    };
    let config = tempfile::tempdir().unwrap();
    let Some(Desktop { x, driver, app }) = desktop(
        d,
        &[
            ("DOCKER_CONFIG", config.path().display().to_string()),
            (
                "DBUS_SESSION_BUS_ADDRESS",
                std::env::var("DBUS_SESSION_BUS_ADDRESS").unwrap_or_default(),
            ),
        ],
    ) else {
        return;
    };
    let client = launch_connected(&driver, &app).await;
    click(&client, "[data-testid=nav-registries]").await;
    click(&client, "[data-testid=login-open]").await;
    let field = |css: &'static str, text: String| {
        let client = client.clone();
        async move {
            let el = wait_for(&client, css, Duration::from_secs(5)).await;
            el.clear().await.unwrap();
            el.send_keys(&text).await.unwrap();
        }
    };
    field("[data-testid=login-registry]", reg.address.clone()).await;
    field("[data-testid=login-username]", "dana".into()).await;
    field("[data-testid=login-password]", "not-the-password".into()).await;
    click(&client, "[data-testid=login-submit]").await;
    wait_for(
        &client,
        "[data-testid=login-error][data-code=Unauthorized]",
        Duration::from_secs(15),
    )
    .await;
    x.screenshot(&screenshot_dir().join("login-refused.png"));

    field("[data-testid=login-password]", "e2e-secret-pw".into()).await;
    click(&client, "[data-testid=login-submit]").await;
    let row = wait_for(
        &client,
        &format!(
            "[data-testid=registry-row][data-registry=\"{}\"]",
            reg.address
        ),
        Duration::from_secs(15),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    x.screenshot(&screenshot_dir().join("registries.png"));
    let text = client
        .execute(
            "return arguments[0].textContent",
            vec![serde_json::to_value(&row).unwrap()],
        )
        .await
        .unwrap();
    let text = text.as_str().unwrap_or_default().to_owned();
    assert!(text.contains("dana"), "{text}");
    assert!(text.to_lowercase().contains("keychain"), "{text}");
    // Nothing of the password in the docker config folder.
    for e in std::fs::read_dir(config.path()).unwrap().flatten() {
        let body = std::fs::read_to_string(e.path()).unwrap_or_default();
        assert!(!body.contains("e2e-secret-pw"), "{}", e.path().display());
    }
    client.close().await.unwrap();
    dockwright_engine::keychain::Keychain::new()
        .erase(&reg.address)
        .unwrap();
}
