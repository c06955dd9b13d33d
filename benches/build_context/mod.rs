//! Building a 500 MB context of 20,000 files with a trivial Dockerfile: Dockwright's engine
//! (walk + tar streamed to the classic builder API) against `DOCKER_BUILDKIT=0 docker build` on
//! the same daemon, alternating, and the growth of our peak memory while it runs.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use dockwright_engine::build::run::{self, BuildOptions};
use tokio_util::sync::CancellationToken;

use super::{entry, median, Entry};
use crate::support::daemon;

const FILES: usize = 20_000;
/// Bytes of file content (500 MB); the sizes vary around the mean.
const TOTAL: u64 = 500_000_000;
const ROUNDS: usize = 3;

/// The context, made once and kept in `target/bench/context-500m` (deterministic content).
fn make_context() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench/context-500mb");
    let stamp = dir.join(".complete");
    if stamp.exists() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("Dockerfile"),
        "FROM scratch\nLABEL dev.dockwright.bench=context\n",
    )
    .unwrap();
    std::fs::write(dir.join(".dockerignore"), ".complete\n").unwrap();
    // Sizes around the mean (1 KiB .. 2×mean), deterministic, summing to about 500 MB.
    let mean = TOTAL / FILES as u64;
    let mut x: u64 = 0x9E3779B97F4A7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut buf = vec![0u8; (3 * mean) as usize];
    for b in buf.chunks_mut(8) {
        let v = next().to_le_bytes();
        b.copy_from_slice(&v[..b.len()]);
    }
    for i in 0..FILES {
        let sub = dir.join(format!("d{:03}", i / 100));
        if i % 100 == 0 {
            std::fs::create_dir_all(&sub).unwrap();
        }
        let size = 1024 + next() % (2 * mean - 2048);
        let start = (next() % mean) as usize;
        let end = start + size as usize;
        std::fs::write(sub.join(format!("f{i:05}.bin")), &buf[start..end]).unwrap();
    }
    std::fs::write(&stamp, "").unwrap();
    dir
}

fn status_kib(pid: &str, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Runs `docker build` and returns (seconds, peak RSS KiB sampled every 20 ms).
fn cli_build(dir: &Path, host: &str) -> (f64, u64) {
    let t = Instant::now();
    let mut child = std::process::Command::new("docker")
        .args(["build", "-q"])
        .arg(dir)
        .env("DOCKER_HOST", host)
        .env("DOCKER_BUILDKIT", "0")
        .env_remove("DOCKER_CONTEXT")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("docker CLI");
    let pid = child.id().to_string();
    let mut peak = 0;
    loop {
        peak = peak.max(status_kib(&pid, "VmHWM:"));
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "docker build failed");
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    (t.elapsed().as_secs_f64(), peak)
}

pub async fn run(d: &daemon::TestDaemon) -> Vec<Entry> {
    eprintln!("bench: preparing a {FILES}-file, 500 MB context…");
    let dir = make_context();
    let engine = d.engine().await;
    let options = BuildOptions::default();
    let checked = run::check(&dir, &options).unwrap();
    let summary = checked
        .context
        .summarise(&Default::default(), |_| {})
        .unwrap();
    eprintln!(
        "bench: context {} files, {:.1} MB",
        summary.files,
        summary.bytes as f64 / 1e6
    );
    // Warm the page cache and the daemon's first-build costs for both.
    let _ = cli_build(&dir, &d.host);
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    let mut cli_peak = Vec::new();
    // Our peak RSS over all rounds, against the RSS before the first: the growth a build costs
    // the backend (clear_refs resets the kernel's high-water mark to the current RSS).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = status_kib("self", "VmRSS:");
    for round in 0..ROUNDS {
        let t = Instant::now();
        let r = engine
            .build(
                &checked,
                Some(summary.tar_bytes),
                CancellationToken::new(),
                |_| {},
            )
            .await
            .unwrap();
        let secs = t.elapsed().as_secs_f64();
        ours.push(secs);
        let (cli_secs, cli_kib) = cli_build(&dir, &d.host);
        theirs.push(cli_secs);
        cli_peak.push(cli_kib as f64 / 1024.0);
        eprintln!(
            "bench: round {round}: Dockwright {secs:.2} s (image {}), docker CLI {cli_secs:.2} s",
            &r.image_id[7..19]
        );
    }
    let growth = status_kib("self", "VmHWM:").saturating_sub(before) as f64 / 1024.0;
    vec![
        entry(
            "build_500mb_20k_files",
            "s",
            median(ours),
            "DOCKER_BUILDKIT=0 docker build (same daemon, same run)",
            median(theirs),
            "ratio <= 1.0",
        ),
        entry(
            "build_peak_memory_growth",
            "MiB",
            growth,
            "docker CLI peak RSS during the same build (max of the rounds)",
            cli_peak.iter().cloned().fold(0.0, f64::max),
            "ours <= 50 MiB",
        ),
    ]
}
