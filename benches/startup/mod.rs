//! Cold start: the release build launched with a fresh home until the page reports its first
//! painted containers list (the `first paint` log line, sent after two animation frames), with
//! the engine holding the bench's 1,000 containers. Median of 5 launches; one more after
//! dropping the kernel's page cache (root only) is reported as the disk-cold start. The peer is
//! `docker ps -a` listing the same containers. Then idle CPU with the window hidden (`--hidden`,
//! as a login item starts it) over 10 s.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use super::support::app::{launch, Home};
use super::support::display::Xvfb;
use super::support::{daemon, is_root};
use super::{entry, median, tree_cpu_ticks, Entry};

fn app() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_dockwright"))
}

/// Launch → `first paint`, in ms.
fn one_start(x: &Xvfb, host: &str) -> f64 {
    let home = Home::new();
    let mut a = launch(&app(), &x.display, host, &home, &[], &[]);
    let (at, _) = a.wait_line("first paint", Duration::from_secs(60));
    let ms = at.duration_since(a.started).as_secs_f64() * 1000.0;
    a.stop();
    ms
}

fn drop_caches() -> bool {
    Command::new("sync").status().is_ok()
        && std::fs::write("/proc/sys/vm/drop_caches", "3\n").is_ok()
}

pub fn run(d: &daemon::TestDaemon) -> Vec<Entry> {
    let x = Xvfb::start().expect("Xvfb");
    // Warm-up (fonts, shader caches of the machine, not of the app's fresh home).
    one_start(&x, &d.host);
    let starts: Vec<f64> = (0..5).map(|_| one_start(&x, &d.host)).collect();
    eprintln!("bench: cold starts {starts:?} ms");
    let cli: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            let out = Command::new("docker")
                .args(["ps", "-a"])
                .env("DOCKER_HOST", &d.host)
                .output()
                .unwrap();
            assert!(out.status.success());
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    let mut out = vec![entry(
        "cold_start_to_painted_list",
        "ms, launch of the release build (fresh settings) → 1,000 containers painted (median of 5)",
        median(starts),
        "`docker ps -a`, same daemon (text, no window)",
        median(cli),
        "ours <= 1000 ms",
    )];
    if is_root() && drop_caches() {
        let disk_cold = one_start(&x, &d.host);
        eprintln!("bench: start after dropping the page cache: {disk_cold:.0} ms");
        out.push(entry(
            "cold_start_disk_cold",
            "ms, the same after dropping the kernel's page cache (one launch)",
            disk_cold,
            "the warm-cache median",
            out[0].ours,
            "—",
        ));
    }

    // Idle with the window hidden.
    let home = Home::new();
    let mut a = launch(&app(), &x.display, &d.host, &home, &["--hidden"], &[]);
    a.wait_line("connected to the Docker engine", Duration::from_secs(30));
    std::thread::sleep(Duration::from_secs(5));
    let pid = a.child.id();
    let t0 = tree_cpu_ticks(pid);
    let t = Instant::now();
    std::thread::sleep(Duration::from_secs(10));
    let hidden =
        tree_cpu_ticks(pid).saturating_sub(t0) as f64 / 100.0 / t.elapsed().as_secs_f64() * 100.0;
    a.stop();
    out.push(entry(
        "idle_cpu_hidden_10s",
        "% of one core over 10 s, window hidden in the tray, 1,000 containers",
        hidden,
        "—",
        0.0,
        "~0",
    ));
    out
}
