//! Running a build: check every input, stream the context, report the daemon's output, tag the
//! image only when the build succeeded, and cancel on the daemon when asked.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use bollard::query_parameters::{BuildImageOptions, TagImageOptions};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use specta::Type;
use tokio_util::sync::CancellationToken;

use super::context::{CancelFlag, Context, DEFAULT_DOCKERFILE};
use super::dockerfile;
use crate::connect::Engine;
use crate::error::{clean_daemon_message, EngineError, Result};
use crate::progress::{ProgressTracker, TransferProgress};
use crate::reference::{validate_tag, Reference};

/// How long a build may go without the daemon sending its response headers (it sends them when
/// the first step starts, after the whole context arrived).
const BUILD_HEADER_TIMEOUT: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct KeyValue {
    pub key: String,
    pub value: String,
}

/// Everything `docker build` takes that the form offers, apart from the folder.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase", default)]
pub struct BuildOptions {
    /// Relative to the folder, or absolute (may lie outside it, like `docker build -f`). Empty
    /// means `Dockerfile`.
    pub dockerfile: String,
    pub tags: Vec<String>,
    pub build_args: Vec<KeyValue>,
    /// A `FROM … AS name` stage to stop at.
    pub target: Option<String>,
    pub no_cache: bool,
    /// Always pull the base images (`--pull`).
    pub pull: bool,
    pub labels: Vec<KeyValue>,
}

/// What a build reports while it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum BuildEvent {
    /// Context upload: bytes handed to the daemon so far, of about `total`.
    Context {
        sent: u64,
        total: u64,
    },
    /// Output text from the daemon (may hold ANSI colour codes; not trusted).
    Output {
        text: String,
    },
    /// Base image pull progress (`--pull`, or a base not present yet).
    Pull {
        progress: TransferProgress,
    },
    Warning {
        message: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct BuildResult {
    /// `sha256:…`
    pub image_id: String,
    /// The references applied, in Docker's familiar form.
    pub tags: Vec<String>,
    pub duration_ms: u64,
    pub warnings: Vec<String>,
}

/// Options checked against the Dockerfile and normalised, ready to send.
#[derive(Debug, Clone)]
pub struct CheckedBuild {
    pub context: Context,
    pub options: BuildOptions,
    pub tags: Vec<Reference>,
    pub build_args: HashMap<String, String>,
    pub labels: HashMap<String, String>,
}

fn is_arg_name(s: &str) -> bool {
    !s.is_empty()
        && !s
            .chars()
            .any(|c| c == '=' || c.is_whitespace() || c.is_control())
}

/// Checks every field before anything is sent: the folder and Dockerfile exist and can be read,
/// `.dockerignore` parses, each tag is a valid reference, build-arg and label names are names,
/// the target stage exists in the Dockerfile.
pub fn check(root: &Path, options: &BuildOptions) -> Result<CheckedBuild> {
    let context = Context::open(root, &options.dockerfile)?;
    let mut tags: Vec<Reference> = Vec::new();
    for t in &options.tags {
        let t = t.trim();
        if t.is_empty() {
            continue;
        }
        let r = validate_tag(t)?;
        if !tags.contains(&r) {
            tags.push(r);
        }
    }
    let mut build_args = HashMap::new();
    for kv in &options.build_args {
        let k = kv.key.trim();
        if k.is_empty() && kv.value.is_empty() {
            continue;
        }
        if !is_arg_name(k) {
            return Err(EngineError::invalid(
                "buildArgs",
                format!(
                    "“{k}” is not a build-arg name: it must be non-empty, without spaces or “=”."
                ),
            ));
        }
        build_args.insert(k.to_owned(), kv.value.clone());
    }
    let mut labels = HashMap::new();
    for kv in &options.labels {
        let k = kv.key.trim();
        if k.is_empty() && kv.value.is_empty() {
            continue;
        }
        if !is_arg_name(k) {
            return Err(EngineError::invalid(
                "labels",
                format!("“{k}” is not a label name: it must be non-empty, without spaces or “=”."),
            ));
        }
        labels.insert(k.to_owned(), kv.value.clone());
    }
    let target = options
        .target
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    if let Some(t) = target {
        let text = std::fs::read(&context.dockerfile_path).map_err(|e| {
            EngineError::invalid(
                "dockerfile",
                format!("{} cannot be read: {e}", context.dockerfile_path.display()),
            )
        })?;
        let info = dockerfile::parse(&String::from_utf8_lossy(&text));
        let names: Vec<String> = info.stages.iter().filter_map(|s| s.name.clone()).collect();
        if !names.iter().any(|n| n.eq_ignore_ascii_case(t)) {
            return Err(EngineError::invalid(
                "target",
                if names.is_empty() {
                    format!("The Dockerfile has no named stage, so there is no “{t}” to stop at.")
                } else {
                    format!(
                        "The Dockerfile has no stage “{t}” (its stages: {}).",
                        names.join(", ")
                    )
                },
            ));
        }
    }
    let mut options = options.clone();
    options.target = target.map(str::to_owned);
    if options.dockerfile.trim().is_empty() {
        options.dockerfile = DEFAULT_DOCKERFILE.to_owned();
    }
    Ok(CheckedBuild {
        context,
        options,
        tags,
        build_args,
        labels,
    })
}

impl Engine {
    /// Builds with the classic builder API (every engine has it). The context is streamed as it
    /// is walked. Tags are applied after the daemon reports success, so a failed or cancelled build
    /// tags nothing; intermediate containers are removed even on failure (`forcerm`). Cancelling
    /// `cancel` closes the request, which stops the build on the daemon.
    /// `expected_bytes` is the context's size from [`Context::summarise`] when the caller has it
    /// (for upload progress); it is not walked twice.
    pub async fn build(
        &self,
        build: &CheckedBuild,
        expected_bytes: Option<u64>,
        cancel: CancellationToken,
        mut on_event: impl FnMut(BuildEvent),
    ) -> Result<BuildResult> {
        let started = Instant::now();
        let o = &build.options;
        let flag = CancelFlag::new();
        let _stop_walk = StopOnDrop(flag.clone());
        let summary_total = expected_bytes.unwrap_or(0);
        let mut tar = build.context.stream(flag.clone());
        let sent = tar.sent.clone();
        let chunks = std::mem::replace(&mut tar.chunks, tokio::sync::mpsc::channel(1).1);
        let body = bollard::body_try_stream(tokio_stream_from(chunks));

        let opts = BuildImageOptions {
            dockerfile: tar.dockerfile_name.clone(),
            nocache: o.no_cache,
            pull: o.pull.then(|| "1".to_owned()),
            rm: true,
            forcerm: true,
            buildargs: (!build.build_args.is_empty()).then(|| build.build_args.clone()),
            labels: (!build.labels.is_empty()).then(|| build.labels.clone()),
            target: o.target.clone().unwrap_or_default(),
            ..Default::default()
        };
        let docker = self.docker.clone().with_timeout(BUILD_HEADER_TIMEOUT);
        let mut stream = docker.build_image(opts, None, Some(body));

        let mut warnings = build.context.warnings.clone();
        let mut image_id: Option<String> = None;
        let mut pull = ProgressTracker::new();
        let mut pulling = false;
        let mut last_pull = Instant::now();
        let mut ticker = tokio::time::interval(Duration::from_millis(150));
        let mut last_sent = u64::MAX;
        let mut upload_done = false;
        let failure: Option<EngineError> = loop {
            tokio::select! {
                _ = cancel.cancelled() => break Some(EngineError::Cancelled),
                _ = ticker.tick(), if !upload_done => {
                    let n = sent.load(Ordering::Relaxed);
                    if n != last_sent {
                        last_sent = n;
                        on_event(BuildEvent::Context { sent: n, total: summary_total.max(n) });
                    }
                }
                item = stream.next() => match item {
                    None => break None,
                    Some(Err(e)) => break Some(self.build_err(e)),
                    Some(Ok(info)) => {
                        if !upload_done {
                            upload_done = true;
                            let n = sent.load(Ordering::Relaxed);
                            on_event(BuildEvent::Context { sent: n, total: n });
                        }
                        if let Some(detail) = info.error_detail.and_then(|d| d.message) {
                            break Some(EngineError::Failed(clean_daemon_message(&detail)));
                        }
                        if let Some(text) = info.stream {
                            if !text.is_empty() {
                                on_event(BuildEvent::Output { text });
                            }
                        }
                        if let Some(status) = info.status.as_deref() {
                            let (cur, tot) = info
                                .progress_detail
                                .map(|p| (p.current, p.total))
                                .unwrap_or((None, None));
                            pull.update(info.id.as_deref(), Some(status), cur, tot);
                            pulling = true;
                            if last_pull.elapsed() >= Duration::from_millis(100) {
                                last_pull = Instant::now();
                                on_event(BuildEvent::Pull { progress: pull.snapshot() });
                            }
                        }
                        if let Some(id) = info.aux.and_then(|a| a.id) {
                            image_id = Some(id);
                        }
                    }
                }
            }
        };
        drop(stream);
        if pulling {
            on_event(BuildEvent::Pull {
                progress: pull.snapshot(),
            });
        }
        flag.cancel();
        // Joining the writer thread may wait for a file read: not on the async runtime.
        let report = tokio::task::spawn_blocking(move || tar.finish())
            .await
            .unwrap_or_else(|_| Err(EngineError::Other("the context writer failed".into())));
        if let Some(e) = failure {
            // The walk's own failure (an unreadable file) reaches the request as an aborted
            // upload; report the walk's reason, not the transport's.
            if let Err(walk) = &report {
                if *walk != EngineError::Cancelled && e != EngineError::Cancelled {
                    return Err(walk.clone());
                }
            }
            return Err(e);
        }
        let report = report?;
        warnings.extend(report.warnings);
        for w in &warnings {
            on_event(BuildEvent::Warning { message: w.clone() });
        }
        let image_id = image_id.ok_or_else(|| {
            EngineError::Failed(
                "The daemon ended the build without reporting an image; nothing was tagged.".into(),
            )
        })?;
        let mut applied: Vec<String> = Vec::new();
        for r in &build.tags {
            let res = self
                .docker
                .tag_image(
                    &image_id,
                    Some(TagImageOptions {
                        repo: Some(r.repository()),
                        tag: Some(r.tag.clone().unwrap_or_else(|| "latest".into())),
                    }),
                )
                .await;
            if let Err(e) = res {
                for t in &applied {
                    let _ = self
                        .docker
                        .remove_image(
                            t,
                            Some(bollard::query_parameters::RemoveImageOptions {
                                force: false,
                                noprune: true,
                                ..Default::default()
                            }),
                            None,
                        )
                        .await;
                }
                return Err(self.err(e));
            }
            let familiar = r.familiar();
            on_event(BuildEvent::Output {
                text: format!("Successfully tagged {familiar}\n"),
            });
            applied.push(familiar);
        }
        Ok(BuildResult {
            image_id,
            tags: applied,
            duration_ms: started.elapsed().as_millis() as u64,
            warnings,
        })
    }

    fn build_err(&self, e: bollard::errors::Error) -> EngineError {
        match self.err(e) {
            // The daemon refuses a build that cannot start (bad Dockerfile name, parse error)
            // with a plain HTTP error; say it as a build failure.
            EngineError::Api { message, .. } => EngineError::Failed(message),
            other => other,
        }
    }
}

struct StopOnDrop(CancelFlag);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

fn tokio_stream_from(
    mut rx: tokio::sync::mpsc::Receiver<std::io::Result<bytes::Bytes>>,
) -> impl futures_util::Stream<Item = std::io::Result<bytes::Bytes>> {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(dockerfile: &str) -> tempfile::TempDir {
        let d = tempfile::tempdir().expect("tmp");
        std::fs::write(d.path().join("Dockerfile"), dockerfile).expect("write");
        d
    }

    #[test]
    fn bad_tags_are_refused_before_anything_is_sent() {
        let d = folder("FROM scratch\n");
        for (tag, phrase) in [
            ("MyApp", "uppercase"),
            ("my app", "space"),
            ("app:", "tag"),
            ("app@", "digest"),
        ] {
            let o = BuildOptions {
                tags: vec![tag.into()],
                ..Default::default()
            };
            let e = check(d.path(), &o).expect_err(tag);
            assert_eq!(e.code(), "InvalidInput", "{tag}");
            assert!(e.to_string().to_lowercase().contains(phrase), "{tag}: {e}");
        }
    }

    #[test]
    fn the_target_must_be_a_stage() {
        let d = folder("FROM scratch AS base\nFROM base AS final\n");
        let mut o = BuildOptions {
            target: Some("tests".into()),
            ..Default::default()
        };
        let e = check(d.path(), &o).expect_err("no such stage");
        assert!(e.to_string().contains("its stages: base, final"), "{e}");
        o.target = Some("final".into());
        check(d.path(), &o).expect("a real stage");
    }

    #[test]
    fn arg_and_label_names_are_checked_and_blank_rows_ignored() {
        let d = folder("FROM scratch\n");
        let mut o = BuildOptions {
            build_args: vec![
                KeyValue {
                    key: "".into(),
                    value: "".into(),
                },
                KeyValue {
                    key: "A B".into(),
                    value: "1".into(),
                },
            ],
            ..Default::default()
        };
        let e = check(d.path(), &o).expect_err("space in name");
        assert_eq!(
            e,
            EngineError::invalid(
                "buildArgs",
                "“A B” is not a build-arg name: it must be non-empty, without spaces or “=”."
            )
        );
        o.build_args.pop();
        o.labels = vec![KeyValue {
            key: "=x".into(),
            value: "1".into(),
        }];
        assert!(check(d.path(), &o).is_err());
        o.labels.clear();
        let c = check(d.path(), &o).expect("ok");
        assert!(c.build_args.is_empty());
        assert_eq!(c.options.dockerfile, "Dockerfile");
    }
}
