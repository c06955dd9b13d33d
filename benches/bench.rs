//! Dockwright's benchmarks, run by `make bench` against the harness daemon. Each entry is
//! measured next to its peer in the same run and written to `target/bench/results.json` as
//! `{name, unit, ours, peer, peer_value, ratio}` (ratio = ours / peer).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde::Serialize;

use support::{daemon, display::Xvfb, fixtures};

#[path = "build_context/mod.rs"]
mod build_context;
#[path = "logs/mod.rs"]
mod logs;
#[path = "registry/mod.rs"]
mod registry;
#[path = "startup/mod.rs"]
mod startup;
#[path = "stats/mod.rs"]
mod stats;

#[derive(Serialize)]
struct Entry {
    name: String,
    unit: String,
    ours: f64,
    peer: String,
    peer_value: f64,
    ratio: f64,
    goal: String,
}

fn entry(name: &str, unit: &str, ours: f64, peer: &str, peer_value: f64, goal: &str) -> Entry {
    let ratio = if peer_value > 0.0 {
        ours / peer_value
    } else {
        f64::NAN
    };
    Entry {
        name: name.into(),
        unit: unit.into(),
        ours: round(ours),
        peer: peer.into(),
        peer_value: round(peer_value),
        ratio: round(ratio),
        goal: goal.into(),
    }
}

fn round(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

const CONTAINERS: usize = 1000;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // `cargo bench` passes `--bench`; nothing else to parse.
    let d = daemon::shared().expect("a daemon to benchmark against");
    let docker = d.docker();
    fixtures::busybox(&docker).await;
    // `DOCKWRIGHT_BENCH=build,list` runs some; all by default.
    let only = std::env::var("DOCKWRIGHT_BENCH").unwrap_or_default();
    let want = |name: &str| only.is_empty() || only.split(',').any(|o| o.trim() == name);
    let mut results = Vec::new();

    if want("list") || want("idle") || want("startup") {
        let scope = fixtures::Scope::new(&docker);
        eprintln!("bench: creating {CONTAINERS} containers…");
        let t = Instant::now();
        let names: Vec<_> = futures_util::stream::iter(0..CONTAINERS)
            .map(|_| scope.create_container(&["true"]))
            .buffer_unordered(8)
            .collect()
            .await;
        assert_eq!(names.len(), CONTAINERS);
        eprintln!("bench: created in {:.1} s", t.elapsed().as_secs_f64());
        if want("list") {
            results.push(list_containers(d).await);
        }
        if want("idle") {
            let (mem, cpu) = app_idle(d);
            results.push(mem);
            results.push(cpu);
        }
        if want("startup") {
            results.extend(startup::run(d));
        }
        eprintln!("bench: removing the containers…");
        scope.cleanup().await;
    }
    if want("build") {
        results.extend(build_context::run(d).await);
    }
    if want("registry") {
        results.extend(registry::run(d).await);
    }
    if want("logs") {
        results.extend(logs::run(d).await);
    }
    if want("stats") {
        results.extend(stats::run(d).await);
    }

    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    std::fs::create_dir_all(&dir).unwrap();
    // Later issues add entries: keep those of other benchmarks already in the file.
    let path = dir.join("results.json");
    let mut all: Vec<serde_json::Value> = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    for e in &results {
        all.retain(|v| v.get("name").and_then(|n| n.as_str()) != Some(&e.name));
        all.push(serde_json::to_value(e).unwrap());
    }
    std::fs::write(&path, serde_json::to_string_pretty(&all).unwrap()).unwrap();
    println!("\n| benchmark | unit | Dockwright | peer | peer value | ratio | goal |");
    println!("|---|---|---|---|---|---|---|");
    for e in &results {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            e.name, e.unit, e.ours, e.peer, e.peer_value, e.ratio, e.goal
        );
    }
    println!("\nwritten to {}", path.display());
}

/// Listing 1,000 containers: the engine (bollard + typed mapping) vs the raw Engine API call
/// (one HTTP request on the socket, body read and parsed as JSON), alternating, 30 rounds.
async fn list_containers(d: &daemon::TestDaemon) -> Entry {
    let engine = d.engine().await;
    let socket = d
        .host
        .strip_prefix("unix://")
        .expect("a unix socket")
        .to_owned();
    // Warm up both paths.
    for _ in 0..3 {
        assert!(engine.list_containers(true).await.unwrap().len() >= CONTAINERS);
        assert!(raw_list(&socket).await >= CONTAINERS);
    }
    let (mut ours, mut peer) = (Vec::new(), Vec::new());
    for _ in 0..30 {
        let t = Instant::now();
        let n = engine.list_containers(true).await.unwrap().len();
        ours.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let m = raw_list(&socket).await;
        peer.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(n, m);
    }
    entry(
        "list_1000_containers",
        "ms (median of 30)",
        median(ours),
        "raw Engine API GET /containers/json?all=1 + JSON parse",
        median(peer),
        "<= 1.3",
    )
}

async fn raw_list(socket: &str) -> usize {
    use http_body_util::{BodyExt, Empty};
    use hyper::body::Bytes;
    let stream = tokio::net::UnixStream::connect(socket).await.unwrap();
    let (mut send, conn) = hyper::client::conn::http1::handshake::<_, Empty<Bytes>>(
        hyper_util::rt::TokioIo::new(stream),
    )
    .await
    .unwrap();
    tokio::spawn(conn);
    let req = hyper::Request::get("/containers/json?all=1")
        .header("Host", "docker")
        .body(Empty::new())
        .unwrap();
    let res = send.send_request(req).await.unwrap();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    v.as_array().map(|a| a.len()).unwrap_or(0)
}

/// The app with 1,000 containers listed vs a bare Tauri window: PSS of the process and its
/// WebKit children after settling, then CPU over 10 s of idling.
fn app_idle(d: &daemon::TestDaemon) -> (Entry, Entry) {
    let app = PathBuf::from(env!("CARGO_BIN_EXE_dockwright"));
    let Some(bare) = option_env!("CARGO_BIN_EXE_bare_window") else {
        panic!("build the bench with --features dockwright/bench (make bench does)");
    };
    let bare = PathBuf::from(bare);
    let x = Xvfb::start().expect("Xvfb");
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    std::fs::create_dir_all(&out).unwrap();

    let (app_pss, app_cpu) = measure_idle(&app, &x, &d.host, &out.join("app-1000.png"));
    let (bare_pss, bare_cpu) = measure_idle(&bare, &x, &d.host, &out.join("bare.png"));
    (
        entry(
            "idle_memory_1000_containers",
            "MiB PSS (app + WebKit processes)",
            app_pss,
            "bare Tauri window",
            bare_pss,
            "<= 1.25",
        ),
        entry(
            "idle_cpu_10s",
            "% of one core over 10 s",
            app_cpu,
            "bare Tauri window",
            bare_cpu,
            "~0",
        ),
    )
}

fn measure_idle(bin: &Path, x: &Xvfb, host: &str, shot: &Path) -> (f64, f64) {
    let home = tempfile::tempdir().unwrap();
    let runtime = home.path().join("runtime");
    std::fs::create_dir_all(&runtime).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
    let mut child: Child = Command::new(bin)
        .env("DISPLAY", &x.display)
        .env("DOCKER_HOST", host)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
        .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
        .env("DOCKWRIGHT_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    // Settle: the list loads and paints within a second or two; give it 8.
    std::thread::sleep(Duration::from_secs(8));
    x.screenshot(shot);
    let pss = tree_pss_kib(pid) as f64 / 1024.0;
    let t0 = tree_cpu_ticks(pid);
    let start = Instant::now();
    std::thread::sleep(Duration::from_secs(10));
    let ticks = tree_cpu_ticks(pid).saturating_sub(t0) as f64;
    let secs = start.elapsed().as_secs_f64();
    let cpu = ticks / 100.0 / secs * 100.0; // CLK_TCK is 100 on Linux
    support::terminate(pid, Duration::from_secs(5));
    let _ = child.wait();
    eprintln!(
        "bench: {}: {pss:.1} MiB PSS, {cpu:.2}% CPU idle (screenshot {})",
        bin.display(),
        shot.display()
    );
    (pss, cpu)
}

fn tree(pid: u32) -> Vec<u32> {
    let mut all = vec![pid];
    let mut i = 0;
    let procs: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|p| {
            let stat = std::fs::read_to_string(format!("/proc/{p}/stat")).ok()?;
            let after = stat.rsplit_once(") ")?.1;
            let ppid = after.split_whitespace().nth(1)?.parse().ok()?;
            Some((p, ppid))
        })
        .collect();
    while i < all.len() {
        let parent = all[i];
        all.extend(
            procs
                .iter()
                .filter(|(_, pp)| *pp == parent)
                .map(|(p, _)| *p),
        );
        i += 1;
    }
    all
}

fn tree_pss_kib(pid: u32) -> u64 {
    tree(pid)
        .into_iter()
        .filter_map(|p| std::fs::read_to_string(format!("/proc/{p}/smaps_rollup")).ok())
        .map(|t| {
            t.lines()
                .find(|l| l.starts_with("Pss:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
                .unwrap_or(0)
        })
        .sum()
}

fn tree_cpu_ticks(pid: u32) -> u64 {
    tree(pid)
        .into_iter()
        .filter_map(|p| std::fs::read_to_string(format!("/proc/{p}/stat")).ok())
        .map(|s| {
            let after = s.rsplit_once(") ").map(|x| x.1).unwrap_or("");
            let f: Vec<&str> = after.split_whitespace().collect();
            // utime and stime are fields 14 and 15 of /proc/pid/stat (11 and 12 after the name).
            f.get(11).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
                + f.get(12).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
        })
        .sum()
}
