//! Stats of 20 running containers: the CPU the app (and its WebKit processes) uses over 20 s
//! while the containers page shows their CPU and memory, against the `docker stats` CLI
//! following the same 20 containers (run on its own, after the app has closed).

use std::time::{Duration, Instant};

use futures_util::StreamExt;

use super::logs::{desk, out_dir, wait_for, write_settings};
use super::{entry, tree_cpu_ticks, Entry};
use crate::support::{daemon, fixtures};

const CONTAINERS: usize = 20;
const WINDOW: Duration = Duration::from_secs(20);

/// % of one core the process tree of `pid` used over `WINDOW`.
async fn cpu_over_window(pid: u32) -> f64 {
    let t0 = tree_cpu_ticks(pid);
    let start = Instant::now();
    tokio::time::sleep(WINDOW).await;
    let ticks = tree_cpu_ticks(pid).saturating_sub(t0) as f64;
    ticks / 100.0 / start.elapsed().as_secs_f64() * 100.0 // CLK_TCK is 100 on Linux
}

pub async fn run(d: &daemon::TestDaemon) -> Vec<Entry> {
    let docker = d.docker();
    let scope = fixtures::Scope::new(&docker);
    eprintln!("bench: stats: starting {CONTAINERS} containers…");
    let made: Vec<(String, String)> = futures_util::stream::iter(0..CONTAINERS)
        .map(|_| async {
            let (id, name) = scope.create_container(&["sleep", "3600"]).await;
            scope.start(&id).await;
            (id, name)
        })
        .buffer_unordered(4)
        .collect()
        .await;

    let desk = desk(d);
    write_settings(desk.data.path(), 1000, 64);
    let s = desk.open().await;
    // Every row shows its CPU and memory.
    for (_, name) in &made {
        wait_for(
            &s.client,
            &format!("[data-testid=\"stats-cpu-{name}\"]"),
            Duration::from_secs(30),
        )
        .await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    desk.x.screenshot(&out_dir().join("stats-20.png"));
    let ours = cpu_over_window(s.pid).await;
    // The cells still there at the end.
    let shown = s
        .js(
            "return [...document.querySelectorAll('[data-testid^=stats-cpu-]')].length",
            vec![],
        )
        .await;
    eprintln!(
        "bench: stats: the app with {shown} CPU cells: {ours:.2}% of one core over {WINDOW:?}"
    );
    s.close().await;
    drop(desk);

    // The docker CLI following the same containers (its output thrown away).
    let mut cli = std::process::Command::new("docker")
        .args(["-H", &d.host, "stats"])
        .args(made.iter().map(|(id, _)| id.as_str()))
        .env_remove("DOCKER_CONTEXT")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("docker CLI");
    tokio::time::sleep(Duration::from_secs(3)).await;
    let peer = cpu_over_window(cli.id()).await;
    crate::support::terminate(cli.id(), Duration::from_secs(5));
    let _ = cli.wait();
    eprintln!("bench: stats: docker stats: {peer:.2}% of one core over {WINDOW:?}");

    scope.cleanup().await;
    vec![entry(
        "stats_20_containers_cpu",
        "% of one core over 20 s (app + WebKit processes, containers page)",
        ours,
        "docker stats (CLI, streaming the same 20)",
        peer,
        "ours <= 5%",
    )]
}
