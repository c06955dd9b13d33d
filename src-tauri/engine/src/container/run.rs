//! `docker run`: checked, created, started — or nothing left behind.
//!
//! Order of work: validate the spec (no API call on bad input); refuse risky options unless the
//! user accepted them; make sure the image is local (else [`EngineError::ImageNotLocal`], the UI
//! offers a pull); note which named volumes exist; create; attach to the output and wait for
//! the exit *before* starting (a `--rm` container may be gone before anyone could look); start.
//! A failed start removes the container and the volumes this run created. A detached container
//! that exits within [`EXIT_GRACE`] is reported with its exit code and last lines.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::Duration;

use bollard::query_parameters::{
    AttachContainerOptions, CreateContainerOptions, RemoveContainerOptions, StartContainerOptions,
    StopContainerOptions, WaitContainerOptions,
};
use futures_util::StreamExt;
use serde::Serialize;
use specta::Type;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::logs::{LineAssembler, LogLine, LogStream, BATCH_INTERVAL, BATCH_LINES};
use super::spec::{home_dir, parse_port, Risk, RunSpec, VolumeKind};
use crate::connect::Engine;
use crate::error::{EngineError, Result};

/// How long a detached run watches for an exit at once.
pub const EXIT_GRACE: Duration = Duration::from_millis(800);
/// Lines kept to show with an exit code.
const LAST_LINES: usize = 40;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RunCheck {
    /// The exact `docker run …` line.
    pub line: String,
    pub risks: Vec<Risk>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Exited {
    pub code: i64,
    pub last_lines: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RunOutcome {
    pub id: String,
    pub name: String,
    /// Set when the container already exited: an attached run that finished, or a detached
    /// one that exited at once.
    pub exited: Option<Exited>,
}

/// Validates and prints; nothing is sent to the daemon.
pub fn check(spec: &RunSpec) -> Result<RunCheck> {
    spec.validate()?;
    Ok(RunCheck {
        line: spec.to_line(),
        risks: spec.risks(home_dir().as_deref()),
    })
}

/// A start failure the user can act on, put next to the field that caused it.
fn start_error(spec: &RunSpec, e: EngineError) -> EngineError {
    let msg = e.to_string();
    if msg.contains("port is already allocated") || msg.contains("address already in use") {
        // "Bind for 0.0.0.0:8080 failed: port is already allocated", "listen tcp4 0.0.0.0:8080:
        // bind: address already in use": the number after a colon is the host port.
        let numbers: Vec<u16> = msg
            .split(':')
            .skip(1)
            .filter_map(|part| {
                let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
                digits.parse::<u16>().ok()
            })
            .collect();
        let row_of = |p: u16| {
            spec.ports.iter().position(|s| {
                parse_port(s).is_ok_and(|b| {
                    b.host_start
                        .is_some_and(|lo| lo <= p && p <= b.host_end.unwrap_or(lo))
                })
            })
        };
        let found = numbers.iter().find_map(|&p| row_of(p).map(|i| (p, i)));
        let port = found.map(|(p, _)| p);
        let field = found
            .map(|(_, i)| format!("ports[{i}]"))
            .unwrap_or_else(|| "ports".to_owned());
        let which = port.map(|p| format!("Port {p}")).unwrap_or("A port".into());
        return EngineError::invalid(
            field,
            format!("{which} is already in use on this computer: choose another host port."),
        );
    }
    e
}

impl Engine {
    /// Creates and starts a container from `spec`; see the module notes for the order of work.
    /// Attached runs (not detached, no TTY) stream their output through `on_output` and return
    /// when the container exits; `cancel` stops the container.
    pub async fn run_container(
        &self,
        spec: &RunSpec,
        accept_risks: bool,
        extra_labels: HashMap<String, String>,
        cancel: &CancellationToken,
        mut on_output: impl FnMut(Vec<LogLine>),
    ) -> Result<RunOutcome> {
        let checked = check(spec)?;
        if !checked.risks.is_empty() && !accept_risks {
            return Err(EngineError::invalid(
                "risks",
                format!(
                    "Confirm first: {}",
                    checked
                        .risks
                        .iter()
                        .map(|r| r.message.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
            ));
        }
        match self
            .docker
            .inspect_image(spec.image.trim())
            .await
            .map_err(|e| self.err(e))
        {
            Ok(_) => {}
            Err(EngineError::NotFound(_)) => {
                return Err(EngineError::ImageNotLocal(format!(
                    "{} is not on this engine: pull it first.",
                    spec.image.trim()
                )))
            }
            Err(e) => return Err(e),
        }
        // Named volumes the daemon will create for this run, to remove if it fails.
        let mut new_volumes: HashSet<String> = HashSet::new();
        for v in &spec.volumes {
            if v.kind() == VolumeKind::Named && self.docker.inspect_volume(&v.source).await.is_err()
            {
                new_volumes.insert(v.source.clone());
            }
        }
        let (body, name) = spec.to_create(extra_labels)?;
        let created = self
            .docker
            .create_container(
                Some(CreateContainerOptions {
                    name: name.clone(),
                    platform: String::new(),
                }),
                body,
            )
            .await
            .map_err(|e| match self.err(e) {
                EngineError::Conflict(m) => EngineError::invalid("name", m),
                e => e,
            });
        let id = match created {
            Ok(r) => r.id,
            Err(e) => {
                self.remove_volumes(&new_volumes).await;
                return Err(e);
            }
        };
        let attached = !spec.detach && !spec.tty;
        let watch_output = !spec.tty;
        let output = if watch_output {
            self.docker
                .attach_container(
                    &id,
                    Some(AttachContainerOptions {
                        stdin: false,
                        stdout: true,
                        stderr: true,
                        stream: true,
                        logs: false,
                        detach_keys: None,
                    }),
                )
                .await
                .ok()
                .map(|a| a.output)
        } else {
            None
        };
        let mut wait = Box::pin(
            self.docker
                .wait_container(
                    &id,
                    Some(WaitContainerOptions {
                        condition: "next-exit".to_owned(),
                    }),
                )
                .into_future(),
        );
        if let Err(e) = self
            .docker
            .start_container(&id, None::<StartContainerOptions>)
            .await
            .map_err(|e| self.err(e))
        {
            let _ = self
                .docker
                .remove_container(
                    &id,
                    Some(RemoveContainerOptions {
                        force: true,
                        v: true,
                        link: false,
                    }),
                )
                .await;
            self.remove_volumes(&new_volumes).await;
            return Err(start_error(spec, e));
        }
        let name = name.unwrap_or_else(|| id.chars().take(12).collect());
        let mut out = OutputWatch::new(output);
        let deadline = (!attached).then(|| Instant::now() + EXIT_GRACE);
        let mut tick = tokio::time::interval(BATCH_INTERVAL);
        let code: Option<i64> = loop {
            tokio::select! {
                biased;
                _ = cancel.cancelled() => {
                    let _ = self
                        .docker
                        .stop_container(&id, Some(StopContainerOptions { t: Some(3), signal: None }))
                        .await;
                    // The exit follows the stop.
                    let code = tokio::time::timeout(Duration::from_secs(10), &mut wait)
                        .await
                        .ok()
                        .and_then(|(r, _)| r.map(wait_code));
                    break code;
                }
                (r, _) = &mut wait => break r.map(wait_code),
                more = out.next(), if out.open() => {
                    if !more {
                        continue;
                    }
                    if attached && out.batch.len() >= BATCH_LINES {
                        on_output(std::mem::take(&mut out.batch));
                    }
                }
                _ = tick.tick() => {
                    if attached && !out.batch.is_empty() {
                        on_output(std::mem::take(&mut out.batch));
                    }
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        return Ok(RunOutcome { id, name, exited: None });
                    }
                }
            }
        };
        // The rest of the output after the exit.
        out.drain(Duration::from_millis(300)).await;
        if attached && !out.batch.is_empty() {
            on_output(std::mem::take(&mut out.batch));
        }
        Ok(RunOutcome {
            id,
            name,
            exited: Some(Exited {
                code: code.unwrap_or(-1),
                last_lines: out.last.into_iter().collect(),
            }),
        })
    }

    async fn remove_volumes(&self, names: &HashSet<String>) {
        for v in names {
            let _ = self
                .docker
                .remove_volume(v, None::<bollard::query_parameters::RemoveVolumeOptions>)
                .await;
        }
    }
}

fn wait_code(
    r: std::result::Result<bollard::models::ContainerWaitResponse, bollard::errors::Error>,
) -> i64 {
    match r {
        Ok(w) => w.status_code,
        // bollard reports a non-zero exit as an error carrying the code.
        Err(bollard::errors::Error::DockerContainerWaitError { code, .. }) => code,
        Err(_) => -1,
    }
}

type OutputStream = std::pin::Pin<
    Box<
        dyn futures_util::Stream<
                Item = std::result::Result<bollard::container::LogOutput, bollard::errors::Error>,
            > + Send,
    >,
>;

/// A run's output: whole lines for the live view, and the last few for an exit report.
struct OutputWatch {
    stream: Option<OutputStream>,
    asm: LineAssembler,
    batch: Vec<LogLine>,
    last: VecDeque<String>,
}

impl OutputWatch {
    fn new(stream: Option<OutputStream>) -> Self {
        Self {
            stream,
            asm: LineAssembler::raw(),
            batch: Vec::new(),
            last: VecDeque::new(),
        }
    }

    fn open(&self) -> bool {
        self.stream.is_some()
    }

    fn keep(&mut self, from: usize) {
        for l in &self.batch[from..] {
            if self.last.len() == LAST_LINES {
                self.last.pop_front();
            }
            self.last.push_back(l.text.clone());
        }
    }

    /// Reads one frame; false when the output ended.
    async fn next(&mut self) -> bool {
        let Some(s) = self.stream.as_mut() else {
            return false;
        };
        let from = self.batch.len();
        let more = match s.next().await {
            Some(Ok(o)) => {
                let (stream, bytes) = match o {
                    bollard::container::LogOutput::StdErr { message } => {
                        (LogStream::Stderr, message)
                    }
                    bollard::container::LogOutput::StdOut { message }
                    | bollard::container::LogOutput::Console { message } => {
                        (LogStream::Stdout, message)
                    }
                    bollard::container::LogOutput::StdIn { .. } => return true,
                };
                self.asm.push(stream, &bytes, &mut self.batch);
                true
            }
            _ => {
                self.stream = None;
                self.asm.flush(&mut self.batch);
                false
            }
        };
        self.keep(from);
        more
    }

    /// Reads what is left, for at most `limit`.
    async fn drain(&mut self, limit: Duration) {
        let _ = tokio::time::timeout(limit, async { while self.next().await {} }).await;
        let from = self.batch.len();
        self.asm.flush(&mut self.batch);
        self.keep(from);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_port_in_use_is_put_next_to_its_row() {
        let spec = RunSpec {
            image: "busybox".into(),
            ports: vec!["9000:80".into(), "8080:80".into()],
            ..RunSpec::default()
        };
        let e = start_error(
            &spec,
            EngineError::Api {
                status: 500,
                message: "driver failed programming external connectivity on endpoint x: \
                          Bind for 0.0.0.0:8080 failed: port is already allocated"
                    .into(),
            },
        );
        match e {
            EngineError::InvalidInput { field, message } => {
                assert_eq!(field, "ports[1]");
                assert!(message.contains("8080"), "{message}");
            }
            e => panic!("{e:?}"),
        }
    }
}
