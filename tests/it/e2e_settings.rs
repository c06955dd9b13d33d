//! The real app's Settings page: a bad engine endpoint is refused next to its field; another
//! endpoint reconnects to it at once (and back); the dark theme applies when saved.

use std::time::Duration;

use crate::e2e_live_list::{
    click, desktop, launch_connected, screenshot_dir, wait_for, Desktop, E2E,
};
use crate::support::daemon;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_change_the_endpoint_and_the_theme() {
    let _one = E2E.lock().await;
    let Some(d) = daemon::shared() else { return };
    let Some(Desktop { x, driver, app }) = desktop(d, &[]) else {
        return;
    };
    let client = launch_connected(&driver, &app).await;
    let host_field = |text: String| {
        let client = client.clone();
        async move {
            let el = wait_for(
                &client,
                "[data-testid=settings-engine-host]",
                Duration::from_secs(5),
            )
            .await;
            el.clear().await.unwrap();
            if !text.is_empty() {
                el.send_keys(&text).await.unwrap();
            }
        }
    };
    click(&client, "[data-testid=nav-settings]").await;

    host_field("htp://wrong".into()).await;
    click(&client, "[data-testid=settings-save]").await;
    wait_for(
        &client,
        "[data-testid=settings-error-engineHost]",
        Duration::from_secs(5),
    )
    .await;

    // Another endpoint (nobody there): the app switches to it at once and says so.
    let dir = tempfile::tempdir().unwrap();
    let nowhere = format!("unix://{}/none.sock", dir.path().display());
    host_field(nowhere).await;
    click(&client, "[data-testid=settings-save]").await;
    wait_for(
        &client,
        "[data-testid=engine-status][data-state=disconnected]",
        Duration::from_secs(10),
    )
    .await;
    // Back to the environment's engine.
    host_field(String::new()).await;
    click(&client, "[data-testid=settings-save]").await;
    wait_for(
        &client,
        "[data-testid=engine-status][data-state=connected]",
        Duration::from_secs(15),
    )
    .await;

    click(&client, "[data-testid=settings-theme] input[value=dark]").await;
    click(&client, "[data-testid=settings-save]").await;
    wait_for(&client, "html[data-theme=dark]", Duration::from_secs(5)).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    x.screenshot(&screenshot_dir().join("settings-dark.png"));
    client.close().await.unwrap();
}
