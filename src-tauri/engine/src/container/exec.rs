//! Terminals: a command run inside a running container (`docker exec -it`), or the container's
//! own TTY (`docker attach`). Closing one ends the exec (its TTY closes), never the container.

use std::pin::Pin;

use bollard::container::LogOutput;
use bollard::exec::{CreateExecOptions, ResizeExecOptions, StartExecOptions, StartExecResults};
use bollard::query_parameters::{
    AttachContainerOptions, InspectContainerOptions, ResizeContainerTTYOptions,
};
use futures_util::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use specta::Type;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::connect::Engine;
use crate::error::{EngineError, Result};

/// What a terminal connects to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum TerminalTarget {
    /// A new process in the container: `["sh"]`, `["bash"]`, or a typed command.
    Exec { command: Vec<String> },
    /// The container's main process, through its TTY.
    Attach,
}

/// An open terminal: bytes out, bytes in, and what to resize.
pub struct Terminal {
    pub output: Pin<Box<dyn Stream<Item = Result<Vec<u8>>> + Send>>,
    pub input: Pin<Box<dyn AsyncWrite + Send>>,
    /// The exec's id, or None for an attach.
    pub exec_id: Option<String>,
    pub container: String,
    /// A value of `DOCKWRIGHT_TERMINAL` in the exec's environment, unique to it: how
    /// [`Engine::close_terminal`] finds its processes inside the container.
    pub tag: String,
}

/// The environment variable that marks a terminal's processes.
pub const TERMINAL_TAG_VAR: &str = "DOCKWRIGHT_TERMINAL";

fn new_tag() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{}-{nanos:x}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// Turns chunks of bytes into text without breaking a character cut between two chunks.
#[derive(Default)]
pub struct Utf8Chunker {
    carry: Vec<u8>,
}

impl Utf8Chunker {
    pub fn push(&mut self, bytes: &[u8]) -> String {
        self.carry.extend_from_slice(bytes);
        let valid_up_to = match std::str::from_utf8(&self.carry) {
            Ok(_) => self.carry.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            // Truly invalid bytes: replaced, not kept forever.
            Err(_) => self.carry.len(),
        };
        let rest = self.carry.split_off(valid_up_to);
        let text = String::from_utf8_lossy(&self.carry).into_owned();
        self.carry = rest;
        text
    }
}

impl Engine {
    /// Opens a terminal of `cols`×`rows`. An exec needs the container running; an attach needs
    /// it started with a TTY (`-t`).
    pub async fn open_terminal(
        &self,
        id: &str,
        target: &TerminalTarget,
        cols: u16,
        rows: u16,
    ) -> Result<Terminal> {
        let c = self
            .docker
            .inspect_container(id, None::<InspectContainerOptions>)
            .await
            .map_err(|e| self.err(e))?;
        let state = c.state.unwrap_or_default();
        let name = c
            .name
            .unwrap_or_default()
            .trim_start_matches('/')
            .to_owned();
        if !state.running.unwrap_or(false) {
            return Err(EngineError::Conflict(format!(
                "{name} is not running: start it first."
            )));
        }
        if state.paused.unwrap_or(false) {
            return Err(EngineError::Conflict(format!(
                "{name} is paused: unpause it first."
            )));
        }
        let container = c.id.unwrap_or_else(|| id.to_owned());
        match target {
            TerminalTarget::Exec { command } => {
                let command: Vec<String> = command
                    .iter()
                    .map(|w| w.to_owned())
                    .filter(|w| !w.is_empty())
                    .collect();
                if command.is_empty() {
                    return Err(EngineError::invalid("command", "Type a command to run."));
                }
                let tag = new_tag();
                let exec = self
                    .docker
                    .create_exec(
                        &container,
                        CreateExecOptions::<String> {
                            attach_stdin: Some(true),
                            attach_stdout: Some(true),
                            attach_stderr: Some(true),
                            tty: Some(true),
                            cmd: Some(command),
                            env: Some(vec![
                                "TERM=xterm-256color".to_owned(),
                                format!("{TERMINAL_TAG_VAR}={tag}"),
                            ]),
                            ..Default::default()
                        },
                    )
                    .await
                    .map_err(|e| self.err(e))?;
                let started = self
                    .docker
                    .start_exec(
                        &exec.id,
                        Some(StartExecOptions {
                            detach: false,
                            tty: true,
                            output_capacity: Some(64 * 1024),
                        }),
                    )
                    .await
                    .map_err(|e| self.err(e))?;
                let StartExecResults::Attached { output, input } = started else {
                    return Err(EngineError::Other("The exec started detached.".into()));
                };
                // The size can only be set once the exec runs.
                let _ = self
                    .resize_terminal(&container, Some(&exec.id), cols, rows)
                    .await;
                Ok(Terminal {
                    output: self.byte_stream(output),
                    input,
                    exec_id: Some(exec.id),
                    container,
                    tag,
                })
            }
            TerminalTarget::Attach => {
                let tty = c.config.as_ref().and_then(|c| c.tty).unwrap_or(false);
                if !tty {
                    return Err(EngineError::Conflict(format!(
                        "{name} has no terminal (it was not started with -t): open a shell in it instead."
                    )));
                }
                let r = self
                    .docker
                    .attach_container(
                        &container,
                        Some(AttachContainerOptions {
                            stdin: true,
                            stdout: true,
                            stderr: true,
                            stream: true,
                            logs: false,
                            detach_keys: None,
                        }),
                    )
                    .await
                    .map_err(|e| self.err(e))?;
                let _ = self.resize_terminal(&container, None, cols, rows).await;
                Ok(Terminal {
                    output: self.byte_stream(r.output),
                    input: r.input,
                    exec_id: None,
                    container,
                    tag: String::new(),
                })
            }
        }
    }

    fn byte_stream(
        &self,
        s: impl Stream<Item = std::result::Result<LogOutput, bollard::errors::Error>> + Send + 'static,
    ) -> Pin<Box<dyn Stream<Item = Result<Vec<u8>>> + Send>> {
        let engine = self.clone();
        Box::pin(s.map(move |r| r.map(bytes_of).map_err(|e| engine.err(e))))
    }

    /// Resizes an exec's TTY, or the container's own when `exec_id` is None.
    pub async fn resize_terminal(
        &self,
        container: &str,
        exec_id: Option<&str>,
        cols: u16,
        rows: u16,
    ) -> Result<()> {
        if cols == 0 || rows == 0 {
            return Err(EngineError::invalid(
                "size",
                "A terminal has at least 1×1 cells.",
            ));
        }
        match exec_id {
            Some(exec) => self
                .docker
                .resize_exec(
                    exec,
                    ResizeExecOptions {
                        height: rows,
                        width: cols,
                    },
                )
                .await
                .map_err(|e| self.err(e)),
            None => self
                .docker
                .resize_container_tty(
                    container,
                    ResizeContainerTTYOptions {
                        h: i32::from(rows),
                        w: i32::from(cols),
                    },
                )
                .await
                .map_err(|e| self.err(e)),
        }
    }

    /// Ends a terminal's exec when the user closes it. Docker keeps an exec running after its
    /// client goes, so its processes (found by their [`TERMINAL_TAG_VAR`]) get a hangup, as a
    /// closed terminal window would give them. This needs `sh` and `grep` in the container; a
    /// container without them keeps the process (the container is never touched either way).
    /// True when the exec ended.
    pub async fn close_terminal(&self, container: &str, exec_id: &str, tag: &str) -> bool {
        if matches!(self.exec_exit_code(exec_id).await, Ok(Some(_)) | Err(_)) {
            return true;
        }
        if tag.is_empty() || !tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return false;
        }
        let script = format!(
            "for p in /proc/[0-9]*; do grep -qa '{TERMINAL_TAG_VAR}={tag}' \"$p/environ\" 2>/dev/null && kill -HUP \"${{p#/proc/}}\" 2>/dev/null; done; true"
        );
        let killer = self
            .docker
            .create_exec(
                container,
                CreateExecOptions::<String> {
                    attach_stdout: Some(true),
                    attach_stderr: Some(true),
                    cmd: Some(vec!["sh".into(), "-c".into(), script]),
                    ..Default::default()
                },
            )
            .await;
        if let Ok(k) = killer {
            if let Ok(StartExecResults::Attached { mut output, .. }) =
                self.docker.start_exec(&k.id, None).await
            {
                let _ = tokio::time::timeout(std::time::Duration::from_secs(5), async {
                    while output.next().await.is_some() {}
                })
                .await;
            }
        }
        for _ in 0..20 {
            if !matches!(self.exec_exit_code(exec_id).await, Ok(None)) {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        false
    }

    /// The exit code of a finished exec (None while it runs).
    pub async fn exec_exit_code(&self, exec_id: &str) -> Result<Option<i64>> {
        let r = self
            .docker
            .inspect_exec(exec_id)
            .await
            .map_err(|e| self.err(e))?;
        Ok(if r.running.unwrap_or(false) {
            None
        } else {
            r.exit_code
        })
    }
}

fn bytes_of(o: LogOutput) -> Vec<u8> {
    o.into_bytes().to_vec()
}

/// Writes what the user typed to a terminal's input.
pub async fn write_input(input: &mut Pin<Box<dyn AsyncWrite + Send>>, data: &[u8]) -> Result<()> {
    input
        .write_all(data)
        .await
        .map_err(|e| EngineError::Failed(format!("The terminal closed: {e}")))?;
    input
        .flush()
        .await
        .map_err(|e| EngineError::Failed(format!("The terminal closed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_cut_between_chunks_are_kept_whole() {
        let mut c = Utf8Chunker::default();
        let s = "é€😀".as_bytes();
        let mut out = String::new();
        for b in s {
            out.push_str(&c.push(std::slice::from_ref(b)));
        }
        assert_eq!(out, "é€😀");
        assert_eq!(c.push(&[0xff, b'a']), "\u{fffd}a");
    }
}
