//! The real app (debug binary, UI embedded) under Xvfb through tauri-driver + WebKitWebDriver:
//! a container created by the test shows up in the list without a reload, and goes away again;
//! the list and a log follow come back after the daemon restarts.

use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

use crate::support::daemon::{self, PrivateDaemon};
use crate::support::display::{app_binary, TauriDriver, Xvfb};
use crate::support::fixtures;

/// One app window at a time: the timing assertions should not compete for the two cores.
pub static E2E: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub async fn launch(driver: &TauriDriver, app: &std::path::Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), "wry".into());
    caps.insert(
        "tauri:options".into(),
        serde_json::json!({ "application": app.display().to_string() }),
    );
    // tauri-driver starts WebKitWebDriver per session; on a loaded 2-core machine the first
    // connection can fail before it listens. Try again before calling it a failure.
    let mut last = None;
    for attempt in 0..3 {
        match ClientBuilder::new(HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&driver.url)
            .await
        {
            Ok(c) => return c,
            Err(e) => {
                eprintln!("e2e: session attempt {attempt} failed: {e}");
                last = Some(e);
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        }
    }
    panic!("the app does not start under tauri-driver: {last:?}");
}

/// The app's desktop for one test: a display, tauri-driver with the app pointed at `d`
/// (plus `env`), and the app binary; `None` (skip or fail) when one is missing.
pub struct Desktop {
    pub x: Xvfb,
    pub driver: TauriDriver,
    pub app: std::path::PathBuf,
}

pub fn desktop(d: &daemon::TestDaemon, env: &[(&str, String)]) -> Option<Desktop> {
    let app = app_binary()?;
    let x = Xvfb::start()?;
    let mut all = vec![("DOCKER_HOST", d.host.clone())];
    all.extend(env.iter().cloned());
    let driver = TauriDriver::start(&x.display, &all)?;
    Some(Desktop { x, driver, app })
}

/// Starts the app and waits until it shows the engine as connected.
pub async fn launch_connected(driver: &TauriDriver, app: &std::path::Path) -> Client {
    let client = launch(driver, app).await;
    wait_for(
        &client,
        "[data-testid=engine-status][data-state=connected]",
        Duration::from_secs(20),
    )
    .await;
    client
}

pub fn screenshot_dir() -> std::path::PathBuf {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/e2e-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub use crate::support::display::wait_for;

/// Waits (up to 10 s) for the element `css` and clicks it.
pub async fn click(client: &Client, css: &str) {
    wait_for(client, css, Duration::from_secs(10))
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// The text of the first element `css`, or "" when there is none.
pub async fn text_of(client: &Client, css: &str) -> String {
    let v = client
        .execute(
            "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;",
            vec![serde_json::json!(css)],
        )
        .await
        .unwrap();
    v.as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_container_created_outside_shows_up_live() {
    let _one = E2E.lock().await;
    let Some(d) = daemon::shared() else { return };
    let Some(Desktop { x, driver, app }) = desktop(d, &[]) else {
        return;
    };
    let docker = d.docker();
    let scope = fixtures::Scope::new(&docker);
    fixtures::busybox(&docker).await;

    let client = launch_connected(&driver, &app).await;
    // The list has loaded (rows or the empty state).
    wait_for(
        &client,
        "[data-testid=container-row], [data-testid=empty]",
        Duration::from_secs(10),
    )
    .await;

    let (id, name) = scope.create_container(&["sleep", "300"]).await;
    let created = Instant::now();
    let row_css = format!("[data-testid=container-row][data-name=\"{name}\"]");
    wait_for(&client, &row_css, Duration::from_secs(5)).await;
    let seen_after = created.elapsed();
    eprintln!(
        "e2e: created container shown after {} ms",
        seen_after.as_millis()
    );
    assert!(
        seen_after < Duration::from_secs(1),
        "took {seen_after:?}, want under 1 s"
    );

    scope.start(&id).await;
    wait_for(
        &client,
        &format!("[data-testid=container-row][data-name=\"{name}\"][data-state=running]"),
        Duration::from_secs(2),
    )
    .await;
    eprintln!("e2e: running state shown");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let path = screenshot_dir().join("containers-live.png");
    let png = x.screenshot(&path);
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    eprintln!("e2e: screenshot at {}", path.display());

    // Removed outside the app: the row goes away.
    scope.cleanup().await;
    let start = Instant::now();
    while client.find(Locator::Css(&row_css)).await.is_ok() {
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "removed container still listed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // The images page lists the fixture.
    click(&client, "[data-testid=nav-images]").await;
    wait_for(
        &client,
        "[data-testid=image-row][data-ref=\"dockwright-test/busybox:latest\"]",
        Duration::from_secs(5),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    x.screenshot(&screenshot_dir().join("images.png"));
    client.close().await.unwrap();
}

async fn count(client: &Client, css: &str) -> usize {
    client
        .find_all(Locator::Css(css))
        .await
        .map(|v| v.len())
        .unwrap_or(0)
}

/// The daemon stops and starts again while the app runs: the badge and the page say so, the
/// list comes back by itself, with each container once.
/// The app's desktop pointed at a daemon of its own, which the test may stop and start again.
struct Restartable {
    d: PrivateDaemon,
    x: Xvfb,
    driver: TauriDriver,
    app: std::path::PathBuf,
}

fn restartable(name: &str) -> Option<Restartable> {
    daemon::shared()?;
    let app = app_binary()?;
    let d = PrivateDaemon::start_isolated(name)?;
    let x = Xvfb::start()?;
    let driver = TauriDriver::start(&x.display, &[("DOCKER_HOST", d.host())])?;
    Some(Restartable { d, x, driver, app })
}

/// Sets a container's restart policy.
async fn set_restart(
    docker: &bollard::Docker,
    id: &str,
    policy: bollard::models::RestartPolicyNameEnum,
) {
    docker
        .update_container(
            id,
            bollard::models::ContainerUpdateBody {
                restart_policy: Some(bollard::models::RestartPolicy {
                    name: Some(policy),
                    maximum_retry_count: None,
                }),
                ..Default::default()
            },
        )
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_recovers_when_the_daemon_restarts() {
    let _one = E2E.lock().await;
    let Some(Restartable { d, x, driver, app }) = restartable("e2e-restart") else {
        return;
    };
    let docker = daemon::connect(&d.host());
    let scope = fixtures::Scope::new(&docker);
    for _ in 0..3 {
        scope.create_container(&["true"]).await;
    }
    let client = launch(&driver, &app).await;
    let rows = "[data-testid=container-row]";
    wait_for(
        &client,
        "[data-testid=engine-status][data-state=connected]",
        Duration::from_secs(20),
    )
    .await;
    wait_for(&client, rows, Duration::from_secs(5)).await;
    assert_eq!(count(&client, rows).await, 3);

    d.stop();
    wait_for(
        &client,
        "[data-testid=engine-status][data-state=disconnected]",
        Duration::from_secs(5),
    )
    .await;
    wait_for(
        &client,
        "[data-testid=engine-unreachable]",
        Duration::from_secs(2),
    )
    .await;
    assert_eq!(
        count(&client, rows).await,
        0,
        "no stale rows while the engine is down"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    x.screenshot(&screenshot_dir().join("engine-down.png"));

    d.run().unwrap();
    wait_for(
        &client,
        "[data-testid=engine-status][data-state=connected]",
        Duration::from_secs(15),
    )
    .await;
    wait_for(&client, rows, Duration::from_secs(5)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        count(&client, rows).await,
        3,
        "each container once after the reconnect"
    );
    client.close().await.unwrap();
    scope.cleanup().await;
}

/// The drawn log lines' numbers (`line N`), top to bottom.
async fn drawn_numbers(client: &Client) -> Vec<u64> {
    let v = client
        .execute(
            "return [...document.querySelectorAll('[data-testid=log-line] .text')].map(e => e.textContent)",
            vec![],
        )
        .await
        .unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t.as_str()?.trim().strip_prefix("line ")?.parse().ok())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_follow_goes_on_after_the_daemon_restarts_with_no_line_twice() {
    let _one = E2E.lock().await;
    let Some(Restartable { d, x, driver, app }) = restartable("e2e-logs-restart") else {
        return;
    };
    let docker = daemon::connect(&d.host());
    let scope = fixtures::Scope::new(&docker);
    // Numbered lines, 10 a second; the count lives in the container's own filesystem, so the
    // run the daemon starts again (restart policy) goes on numbering where the last stopped.
    let script = "trap 'exit 0' TERM; n=$(cat /n 2>/dev/null || echo 0); \
                  while true; do n=$((n+1)); echo $n > /n; echo \"line $n\"; sleep 0.1; done";
    let (id, name) = scope.create_container(&["sh", "-c", script]).await;
    set_restart(&docker, &id, bollard::models::RestartPolicyNameEnum::ALWAYS).await;
    scope.start(&id).await;

    let client = launch_connected(&driver, &app).await;
    click(&client, &format!("[data-testid=container-row-{name}]")).await;
    click(&client, "[data-testid=tab-logs]").await;
    let start = Instant::now();
    while drawn_numbers(&client).await.last().copied().unwrap_or(0) < 5 {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "no lines followed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    d.stop();
    wait_for(
        &client,
        "[data-testid=engine-status][data-state=disconnected]",
        Duration::from_secs(10),
    )
    .await;
    // The lines stay on screen, with a clear end.
    wait_for(&client, "[data-testid=log-end]", Duration::from_secs(5)).await;
    let before = *drawn_numbers(&client).await.last().expect("lines kept");
    tokio::time::sleep(Duration::from_millis(300)).await;
    x.screenshot(&screenshot_dir().join("logs-engine-down.png"));

    d.run().unwrap();
    wait_for(
        &client,
        "[data-testid=engine-status][data-state=connected]",
        Duration::from_secs(20),
    )
    .await;
    wait_for(
        &client,
        "[data-testid=log-resumed]",
        Duration::from_secs(20),
    )
    .await;
    let start = Instant::now();
    while drawn_numbers(&client).await.last().copied().unwrap_or(0) < before + 10 {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the follow did not go on after {before}: {:?}",
            drawn_numbers(&client).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    x.screenshot(&screenshot_dir().join("logs-resumed.png"));

    // Stop it: the follow ends, and the viewer then holds exactly the daemon's log.
    set_restart(&docker, &id, bollard::models::RestartPolicyNameEnum::NO).await;
    docker
        .stop_container(
            &id,
            Some(bollard::query_parameters::StopContainerOptions {
                t: Some(5),
                ..Default::default()
            }),
        )
        .await
        .unwrap();
    wait_for(
        &client,
        "[data-testid=log-end][data-reason=stopped]",
        Duration::from_secs(15),
    )
    .await;
    let mut logs = docker.logs(
        &id,
        Some(bollard::query_parameters::LogsOptions {
            stdout: true,
            stderr: true,
            tail: "all".into(),
            ..Default::default()
        }),
    );
    let mut daemon_lines = Vec::new();
    while let Some(item) = futures_util::StreamExt::next(&mut logs).await {
        let text = item.unwrap().to_string();
        daemon_lines.extend(text.lines().map(str::to_owned));
    }
    let received: u64 = client
        .execute(
            "return Number(document.querySelector('[data-testid=log-lines]').dataset.received)",
            vec![],
        )
        .await
        .unwrap()
        .as_u64()
        .unwrap();
    assert_eq!(
        received,
        daemon_lines.len() as u64,
        "every line of the daemon's log once, none twice"
    );
    let drawn = drawn_numbers(&client).await;
    assert!(
        drawn.windows(2).all(|w| w[0] < w[1]),
        "no line twice on screen: {drawn:?}"
    );
    assert_eq!(
        drawn.last().map(|n| format!("line {n}")).as_deref(),
        daemon_lines.last().map(|s| s.trim()),
        "the last line is the daemon's last"
    );
    client.close().await.unwrap();
    scope.cleanup().await;
}
