//! tracing to stderr and to a daily rolling file in the app's log folder.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::{fmt, layer::SubscriberExt, util::SubscriberInitExt, EnvFilter};

/// Installs the subscriber. Keep the guard alive for the app's lifetime so the file is flushed.
pub fn init(log_dir: Option<&Path>) -> Option<WorkerGuard> {
    let filter = EnvFilter::try_from_env("DOCKWRIGHT_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,tao=warn,wry=warn"));
    let stderr = fmt::layer().with_writer(std::io::stderr).with_target(false);
    let (file, guard) = match log_dir.and_then(|d| std::fs::create_dir_all(d).ok().map(|_| d)) {
        Some(dir) => {
            let appender = tracing_appender::rolling::Builder::new()
                .rotation(tracing_appender::rolling::Rotation::DAILY)
                .filename_prefix("dockwright")
                .filename_suffix("log")
                .max_log_files(7)
                .build(dir)
                .ok();
            match appender {
                Some(a) => {
                    let (w, g) = tracing_appender::non_blocking(a);
                    (Some(fmt::layer().with_ansi(false).with_writer(w)), Some(g))
                }
                None => (None, None),
            }
        }
        None => (None, None),
    };
    // A second init (tests) is not an error worth failing over.
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(stderr)
        .with(file)
        .try_init();
    guard
}
