//! The real app builds a folder typed into the Build page: the form, the context summary, the
//! streamed output, the result, the tag on the daemon; then the image's detail on the Images page.

use std::time::{Duration, Instant};

use fantoccini::Locator;

use crate::e2e_live_list::{
    click, desktop, launch_connected, screenshot_dir, wait_for, Desktop, E2E,
};
use crate::support::daemon;
use crate::support::{fixtures, unique};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_typed_on_the_build_page_builds_and_is_tagged() {
    let _one = E2E.lock().await;
    let Some(d) = daemon::shared() else { return };
    let Some(Desktop { x, driver, app }) = desktop(d, &[]) else {
        return;
    };
    let docker = d.docker();
    let base = fixtures::busybox(&docker).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!(
            "ARG GREETING=hello\nFROM {base} AS build\nARG GREETING\nRUN echo \"$GREETING from the e2e build\"\nCOPY . /app/\n"
        ),
    )
    .unwrap();
    std::fs::write(dir.path().join("app.txt"), "app").unwrap();
    std::fs::write(dir.path().join(".dockerignore"), "*.log\n").unwrap();
    std::fs::write(dir.path().join("debug.log"), "noise").unwrap();
    let tag = format!("{}:e2e", unique("dw-e2e"));

    let client = launch_connected(&driver, &app).await;
    click(&client, "[data-testid=nav-build]").await;
    let path = wait_for(&client, "[data-testid=build-path]", Duration::from_secs(5)).await;
    path.send_keys(&dir.path().display().to_string())
        .await
        .unwrap();
    click(&client, "[data-testid=build-open]").await;
    // The summary counts what .dockerignore keeps: Dockerfile, .dockerignore, app.txt.
    wait_for(
        &client,
        "[data-testid=build-summary][data-files=\"3\"]",
        Duration::from_secs(10),
    )
    .await;
    let tag_input = wait_for(&client, "[data-testid=build-tag-0]", Duration::from_secs(5)).await;
    tag_input.send_keys(&tag).await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    x.screenshot(&screenshot_dir().join("build-form.png"));

    let started = Instant::now();
    click(&client, "[data-testid=build-start]").await;
    let result = wait_for(
        &client,
        "[data-testid=build-result]",
        Duration::from_secs(60),
    )
    .await;
    eprintln!(
        "e2e: build finished in the window after {:?}",
        started.elapsed()
    );
    let image_id = result
        .attr("data-image-id")
        .await
        .unwrap()
        .expect("image id");
    let output = client
        .find(Locator::Css("[data-testid=build-output]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(output.contains("hello from the e2e build"), "{output}");
    let inspected = docker.inspect_image(&tag).await.expect("the tag exists");
    assert_eq!(inspected.id.as_deref(), Some(image_id.as_str()));
    tokio::time::sleep(Duration::from_millis(300)).await;
    x.screenshot(&screenshot_dir().join("build-done.png"));

    // The image's detail on the Images page.
    click(&client, "[data-testid=nav-images]").await;
    let row = wait_for(
        &client,
        &format!("[data-testid=image-row][data-ref=\"{tag}\"]"),
        Duration::from_secs(5),
    )
    .await;
    row.click().await.unwrap();
    wait_for(
        &client,
        "[data-testid=image-detail]",
        Duration::from_secs(5),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    x.screenshot(&screenshot_dir().join("image-detail.png"));
    client.close().await.unwrap();
    let _ = fixtures::remove_image(&docker, &tag).await;
}
