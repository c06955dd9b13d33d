//! The real app's command palette: Ctrl+K opens it, "stop <name>" finds a running container's
//! Stop, Enter stops it on the daemon; the sidebar's button opens it too and Escape closes it.

use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};

use crate::e2e_live_list::{
    click, desktop, launch_connected, screenshot_dir, text_of, wait_for, Desktop, E2E,
};
use crate::support::{daemon, fixtures};

const PALETTE: &str = "[data-testid=palette]";

/// Whether `css` shows up within `within` (no panic: the caller decides).
async fn shows(client: &Client, css: &str, within: Duration) -> bool {
    client
        .wait()
        .at_most(within)
        .every(Duration::from_millis(20))
        .for_element(Locator::Css(css))
        .await
        .is_ok()
}

/// Waits until `css` is gone from the page.
async fn gone(client: &Client, css: &str, within: Duration) {
    let start = Instant::now();
    while client.find(Locator::Css(css)).await.is_ok() {
        assert!(
            start.elapsed() < within,
            "`{css}` still shown after {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Presses Ctrl+K: a chord through the actions API (Control held while K goes down and up); if
/// the driver does not deliver it, the same chord typed into the containers' filter field (the
/// WebDriver modifier stays down until the NULL key).
async fn press_ctrl_k(client: &Client) {
    let chord = KeyActions::new("keyboard".into())
        .then(KeyAction::Down {
            value: Key::Control.into(),
        })
        .then(KeyAction::Down { value: 'k' })
        .then(KeyAction::Up { value: 'k' })
        .then(KeyAction::Up {
            value: Key::Control.into(),
        });
    match client.perform_actions(chord).await {
        Ok(()) => {
            let _ = client.release_actions().await;
            if shows(client, PALETTE, Duration::from_secs(3)).await {
                return;
            }
            eprintln!("e2e: the Ctrl+K chord (actions) opened nothing; typing it into a field");
        }
        Err(e) => eprintln!("e2e: perform_actions failed ({e}); typing Ctrl+K into a field"),
    }
    let field = wait_for(
        client,
        "[data-testid=container-filter]",
        Duration::from_secs(5),
    )
    .await;
    field.click().await.unwrap();
    field
        .send_keys(&format!("{}k{}", Key::Control, Key::Null))
        .await
        .unwrap();
}

async fn is_running(docker: &bollard::Docker, id: &str) -> Option<bool> {
    docker
        .inspect_container(id, None)
        .await
        .unwrap()
        .state
        .and_then(|s| s.running)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_palette_stops_a_container() {
    let _one = E2E.lock().await;
    let Some(d) = daemon::shared() else { return };
    let Some(Desktop { x, driver, app }) = desktop(d, &[]) else {
        return;
    };
    let docker = d.docker();
    let scope = fixtures::Scope::new(&docker);
    let shots = screenshot_dir();
    let (id, name) = scope.create_container(&["sleep", "300"]).await;
    scope.start(&id).await;
    assert_eq!(is_running(&docker, &id).await, Some(true));

    let client = launch_connected(&driver, &app).await;
    wait_for(
        &client,
        &format!("[data-testid=container-row][data-name=\"{name}\"][data-state=running]"),
        Duration::from_secs(10),
    )
    .await;

    // Ctrl+K: the palette, its field focused.
    press_ctrl_k(&client).await;
    wait_for(&client, PALETTE, Duration::from_secs(5)).await;
    let input = wait_for(
        &client,
        "[data-testid=palette-input]",
        Duration::from_secs(5),
    )
    .await;
    let focused = client
        .execute(
            "return document.activeElement && document.activeElement.dataset.testid",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        focused.as_str(),
        Some("palette-input"),
        "the palette's field has the focus"
    );

    // "stop <name>": that container's Stop comes first, selected.
    input.send_keys(&format!("stop {name}")).await.unwrap();
    let stop_row =
        format!("[data-testid=palette-item][data-id=\"container:stop:{id}\"][aria-selected=true]");
    wait_for(&client, &stop_row, Duration::from_secs(5)).await;
    let first = client
        .execute(
            "const e = document.querySelector('[data-testid=palette-item]'); return e && e.dataset.id;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        first.as_str(),
        Some(format!("container:stop:{id}").as_str()),
        "Stop {name} is the first row"
    );
    let row_text = text_of(&client, &stop_row).await;
    assert!(row_text.contains(&format!("Stop {name}")), "{row_text:?}");
    // Drawn, not collapsed: the row is fully inside the list's visible box.
    let seen = client
        .execute(
            "const r = document.querySelector(arguments[0]).getBoundingClientRect(); \
             const l = document.querySelector('[data-testid=palette] [role=listbox]').getBoundingClientRect(); \
             return r.height >= 20 && r.top >= l.top && r.bottom <= l.bottom;",
            vec![serde_json::json!(stop_row)],
        )
        .await
        .unwrap();
    assert_eq!(seen.as_bool(), Some(true), "the row is visible in the list");
    tokio::time::sleep(Duration::from_millis(500)).await;
    x.screenshot(&shots.join("palette.png"));

    // Enter runs it: the palette closes, the container stops on the daemon (through the
    // Containers page's own Stop; a confirmation, if one is asked, is confirmed).
    input.send_keys(&Key::Enter).await.unwrap();
    gone(&client, PALETTE, Duration::from_secs(5)).await;
    let start = Instant::now();
    while is_running(&docker, &id).await != Some(false) {
        if let Ok(confirm) = client
            .find(Locator::Css("[data-testid=action-confirm]"))
            .await
        {
            let _ = confirm.click().await;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{name} still runs after the palette's Stop"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!(
        "e2e: stopped through the palette after {} ms",
        start.elapsed().as_millis()
    );
    // The list says so, and the container's detail is open.
    wait_for(
        &client,
        &format!("[data-testid=container-row][data-name=\"{name}\"][data-state=exited]"),
        Duration::from_secs(10),
    )
    .await;
    wait_for(
        &client,
        &format!("[data-testid=container-detail][data-name=\"{name}\"]"),
        Duration::from_secs(5),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    x.screenshot(&shots.join("palette-stopped.png"));

    // The sidebar's button opens it too; Escape closes it.
    click(&client, "[data-testid=palette-open]").await;
    let input = wait_for(
        &client,
        "[data-testid=palette-input]",
        Duration::from_secs(5),
    )
    .await;
    input.send_keys(&Key::Escape).await.unwrap();
    gone(&client, PALETTE, Duration::from_secs(5)).await;

    client.close().await.unwrap();
    scope.cleanup().await;
}
