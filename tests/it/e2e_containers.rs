//! The real app's containers: a pasted `docker run` line runs a container; its logs show hostile
//! text inertly; the stats and inspect tabs fill; a bulk stop stops two at once; a terminal
//! runs a command.

use std::time::Duration;

use fantoccini::{Client, Locator};

use crate::e2e_live_list::{
    click, desktop, launch_connected, screenshot_dir, text_of, wait_for, Desktop, E2E,
};
use crate::support::{daemon, fixtures, unique};

async fn until(
    client: &Client,
    what: &str,
    within: Duration,
    mut ok: impl FnMut(&str) -> bool,
    css: &str,
) -> String {
    let start = std::time::Instant::now();
    loop {
        let t = text_of(client, css).await;
        if ok(&t) {
            return t;
        }
        assert!(start.elapsed() < within, "{what}: {css} shows {t:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_watch_and_stop_containers_in_the_window() {
    let _one = E2E.lock().await;
    let Some(d) = daemon::shared() else { return };
    let Some(Desktop { x, driver, app }) = desktop(d, &[]) else {
        return;
    };
    let docker = d.docker();
    let scope = fixtures::Scope::new(&docker);
    let image = fixtures::busybox(&docker).await;
    let shots = screenshot_dir();

    // A container made outside the app, logging colours and hostile escapes.
    let script = r#"echo hello from the log; printf '\033[31mred words\033[0m\n'; printf 'a\033]52;c;SGVsbG8=\007b <img src=x onerror=alert(1)> done\n' >&2; sleep 300"#;
    let (id, logger) = scope.create_container(&["sh", "-c", script]).await;
    scope.start(&id).await;

    let client = launch_connected(&driver, &app).await;

    // Run a second one from a pasted line.
    let runner = unique("dw-e2e-run");
    click(&client, "[data-testid=run-container]").await;
    let paste = wait_for(&client, "[data-testid=run-paste]", Duration::from_secs(5)).await;
    paste
        .send_keys(&format!(
            "docker run -d --name {runner} --network none -l {}={} {image} sleep 300",
            dockwright_engine::TEST_LABEL,
            scope.id
        ))
        .await
        .unwrap();
    click(&client, "[data-testid=run-paste-fill]").await;
    let line = until(
        &client,
        "the docker run line",
        Duration::from_secs(5),
        |t| t.contains(&runner),
        "[data-testid=run-line]",
    )
    .await;
    assert!(line.contains("--network none"), "{line}");
    tokio::time::sleep(Duration::from_millis(400)).await;
    x.screenshot(&shots.join("run-dialog.png"));
    click(&client, "[data-testid=run-submit]").await;
    wait_for(
        &client,
        &format!("[data-testid=container-row][data-name=\"{runner}\"][data-state=running]"),
        Duration::from_secs(15),
    )
    .await;

    // A detached run closes its dialog once the start is through (it watches for an exit at
    // once first).
    let start = std::time::Instant::now();
    while client
        .find(Locator::Css(
            "[data-testid=run-running], [data-testid=run-submit]",
        ))
        .await
        .is_ok()
    {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the run dialog stays open"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // The logger's logs: text and colours, escapes dropped, HTML inert.
    tokio::time::sleep(Duration::from_millis(300)).await;
    x.screenshot(&shots.join("containers-after-run.png"));
    click(&client, &format!("[data-testid=container-row-{logger}]")).await;
    wait_for(
        &client,
        "[data-testid=container-detail]",
        Duration::from_secs(5),
    )
    .await;
    click(&client, "[data-testid=tab-logs]").await;
    let logs = until(
        &client,
        "the log lines",
        Duration::from_secs(10),
        // stdout and stderr lines may arrive in either order.
        |t| t.contains("done") && t.contains("hello from the log") && t.contains("red words"),
        "[data-testid=log-lines]",
    )
    .await;
    assert!(logs.contains("hello from the log"), "{logs}");
    assert!(
        logs.contains("red words") && !logs.contains("[31m"),
        "{logs}"
    );
    assert!(
        logs.contains("<img src=x onerror=alert(1)>"),
        "shown as text: {logs}"
    );
    assert!(
        !logs.contains("]52;"),
        "the clipboard escape is dropped: {logs}"
    );
    let imgs = client
        .execute(
            "return document.querySelectorAll('[data-testid=log-lines] img, [data-testid=log-lines] a').length",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(imgs.as_u64(), Some(0));
    let stderr = client
        .find_all(Locator::Css("[data-testid=log-line][data-stream=stderr]"))
        .await
        .unwrap();
    assert_eq!(stderr.len(), 1, "the stderr line is marked");
    tokio::time::sleep(Duration::from_millis(300)).await;
    x.screenshot(&shots.join("container-logs.png"));

    // Stats and inspect.
    click(&client, "[data-testid=tab-stats]").await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    x.screenshot(&shots.join("container-stats.png"));
    click(&client, "[data-testid=tab-inspect]").await;
    let raw = until(
        &client,
        "the inspect JSON",
        Duration::from_secs(5),
        |t| t.contains("\"Config\""),
        "[data-testid=container-inspect]",
    )
    .await;
    assert!(raw.contains(&id), "the raw JSON names the container");

    // A terminal: a shell in the logger, a command's answer on screen.
    click(&client, "[data-testid=tab-terminal]").await;
    click(&client, "[data-testid=terminal-connect]").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    x.screenshot(&shots.join("container-terminal.png"));
    until(
        &client,
        "the terminal connects",
        Duration::from_secs(10),
        |t| t.contains("Connected"),
        "[data-testid=terminal-status]",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    client
        .execute(
            "document.querySelector('[data-testid=terminal-screen] textarea').focus()",
            vec![],
        )
        .await
        .unwrap();
    client
        .active_element()
        .await
        .unwrap()
        .send_keys("echo $((6*7)) answers\u{E007}")
        .await
        .unwrap();
    until(
        &client,
        "the shell's answer",
        Duration::from_secs(10),
        |t| t.contains("42 answers"),
        "[data-testid=terminal-screen]",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    x.screenshot(&shots.join("container-terminal.png"));
    // Closing the tab ends the shell, not the container.
    click(&client, "[data-testid=tab-files]").await;
    wait_for(
        &client,
        "[data-testid=file-row-bin]",
        Duration::from_secs(10),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    x.screenshot(&shots.join("container-files.png"));

    // The list's CPU column fills for running containers.
    until(
        &client,
        "the CPU column",
        Duration::from_secs(10),
        |t| t.contains('%'),
        &format!("[data-testid=stats-cpu-{runner}]"),
    )
    .await;

    // Bulk: tick both, stop them at once (with a short timeout).
    click(&client, &format!("[data-testid=container-select-{logger}]")).await;
    click(&client, &format!("[data-testid=container-select-{runner}]")).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    x.screenshot(&shots.join("containers-bulk.png"));
    click(&client, "[data-testid=bulk-stop]").await;
    if let Ok(t) = client
        .find(Locator::Css("[data-testid=action-timeout]"))
        .await
    {
        t.clear().await.unwrap();
        t.send_keys("1").await.unwrap();
    }
    click(&client, "[data-testid=action-confirm]").await;
    for name in [&logger, &runner] {
        wait_for(
            &client,
            &format!("[data-testid=container-row][data-name=\"{name}\"][data-state=exited]"),
            Duration::from_secs(15),
        )
        .await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    x.screenshot(&shots.join("containers-stopped.png"));
    client.close().await.unwrap();
    scope.cleanup().await;
}
