//! Container logs: the tail, then follow, as whole lines in batches.
//!
//! The daemon always sends timestamps here (the viewer shows or hides them; a reconnect uses the
//! last one to go on without duplicates). A log line longer than 16 KiB reaches the daemon's log
//! driver in pieces, each sent as its own frame with its own timestamp and without a newline:
//! [`LineAssembler`] joins them back into the line the program wrote.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use bollard::container::LogOutput;
use bollard::query_parameters::LogsOptions;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use specta::Type;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::log_wire::{
    error_message, parse_head, BodyKind, Conn, Dechunk, Frames, Head, MAX_ERROR_BODY, READ_GAP,
};
use crate::connect::{Engine, Transport};

use crate::error::{EngineError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum LogStream {
    Stdout,
    Stderr,
}

/// One log line, whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LogLine {
    pub stream: LogStream,
    /// RFC 3339 with nanoseconds, UTC, as the daemon wrote it.
    pub timestamp: Option<String>,
    pub text: String,
}

/// A batch of lines as it crosses to the page: the texts joined by `\n` (a line never holds
/// one), the timestamps likewise (empty where there is none), and which lines are stderr.
/// Three strings parse far faster in the page than one object per line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LogBatch {
    pub text: String,
    pub timestamps: String,
    /// Indices (into the batch) of the stderr lines.
    pub stderr: Vec<u32>,
}

impl From<Vec<LogLine>> for LogBatch {
    fn from(lines: Vec<LogLine>) -> Self {
        let mut b = LogBatch {
            text: String::with_capacity(lines.iter().map(|l| l.text.len() + 1).sum()),
            timestamps: String::with_capacity(lines.len() * 31),
            stderr: Vec::new(),
        };
        for (i, l) in lines.into_iter().enumerate() {
            if i > 0 {
                b.text.push('\n');
                b.timestamps.push('\n');
            }
            b.text.push_str(&l.text);
            if let Some(ts) = &l.timestamp {
                b.timestamps.push_str(ts);
            }
            if l.stream == LogStream::Stderr {
                b.stderr.push(i as u32);
            }
        }
        b
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LogOptions {
    /// Lines from the end to send first; None = all.
    pub tail: Option<u32>,
    pub follow: bool,
    /// Only lines after this timestamp (the last one seen), to go on after a reconnect.
    #[serde(default)]
    pub since: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum LogsEndReason {
    /// Everything was sent (not following).
    Ended,
    /// The container stopped; a follow ends with it.
    Stopped,
    /// The container was removed.
    Removed,
    Cancelled,
    /// The connection to the daemon broke; the viewer may go on from the last timestamp.
    DaemonLost,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LogsEnd {
    pub reason: LogsEndReason,
    /// Lines sent.
    pub lines: u64,
    /// The last timestamp sent (for a reconnect's `since`).
    pub last_timestamp: Option<String>,
}

/// A line longer than this (with no newline) is cut and sent as several lines.
pub const MAX_LINE_BYTES: usize = 32 << 20;

/// How long batches gather lines before they are sent.
pub const BATCH_INTERVAL: Duration = Duration::from_millis(50);
/// A batch is sent early when it holds this many lines or bytes of text. Each message to the
/// page has a fixed cost (a script call and a fetch in the webview), so a backlog goes in few,
/// big batches; a follow's batches stay small (the interval sends them first).
pub const BATCH_LINES: usize = 32_768;
pub const BATCH_BYTES: usize = 4 << 20;
/// The first batch is sent early at this many lines, so the first screen does not wait.
/// Read off the socket it goes sooner: as soon as the daemon pauses for [`FIRST_QUIET`] (the
/// tail was sent), so a tail of up to this many lines is drawn whole from the start.
pub const FIRST_BATCH_LINES: usize = 4096;
/// Off the socket, the first batch goes once no more lines came for this long.
const FIRST_QUIET: Duration = Duration::from_millis(4);
/// A partial line (no newline yet) is shown after this long without more of it.
const PARTIAL_FLUSH: Duration = Duration::from_millis(300);

#[derive(Default)]
struct Pending {
    timestamp: Option<String>,
    bytes: Vec<u8>,
}

/// Joins the daemon's frames into lines, per stream, and drops what a reconnect already sent.
#[derive(Default)]
pub struct LineAssembler {
    pending: [Pending; 2],
    /// Lines at or before this timestamp were already sent.
    after: Option<String>,
    /// The frames carry no timestamps (an attach): nothing is taken off their start.
    raw: bool,
}

/// `2024-05-01T10:00:00.123456789Z ` at the start of a frame: the timestamp and the rest.
pub(super) fn split_timestamp(frame: &[u8]) -> (Option<&str>, &[u8]) {
    // The daemon's fixed format is 30 bytes; other offsets are accepted up to a space.
    let head = &frame[..frame.len().min(40)];
    if head.len() > 20 && head[4] == b'-' && head[10] == b'T' {
        if let Some(sp) = head.iter().position(|&b| b == b' ') {
            if let Ok(ts) = std::str::from_utf8(&frame[..sp]) {
                return (Some(ts), &frame[sp + 1..]);
            }
        }
    }
    (None, frame)
}

impl LineAssembler {
    pub fn new(after: Option<String>) -> Self {
        Self {
            pending: Default::default(),
            after: after.filter(|s| !s.is_empty()),
            raw: false,
        }
    }

    /// For output without timestamps (an attached run): a line that starts like one stays whole.
    pub fn raw() -> Self {
        Self {
            raw: true,
            ..Self::default()
        }
    }

    fn index(stream: LogStream) -> usize {
        match stream {
            LogStream::Stdout => 0,
            LogStream::Stderr => 1,
        }
    }

    /// Takes one frame (`timestamp SP payload`); pushes every line it completes onto `out`.
    pub fn push(&mut self, stream: LogStream, frame: &[u8], out: &mut Vec<LogLine>) {
        let (ts, body) = if self.raw {
            (None, frame)
        } else {
            split_timestamp(frame)
        };
        let p = &mut self.pending[Self::index(stream)];
        if p.bytes.is_empty() && p.timestamp.is_none() {
            p.timestamp = ts.map(str::to_owned);
        }
        let mut rest = body;
        while let Some(nl) = rest.iter().position(|&b| b == b'\n') {
            p.bytes.extend_from_slice(&rest[..nl]);
            rest = &rest[nl + 1..];
            let line = std::mem::take(&mut p.bytes);
            let timestamp = p.timestamp.take().or_else(|| ts.map(str::to_owned));
            Self::emit(&self.after, stream, timestamp, line, out);
            p.timestamp = ts.map(str::to_owned);
        }
        if rest.is_empty() {
            if p.bytes.is_empty() {
                p.timestamp = None;
            }
            return;
        }
        p.bytes.extend_from_slice(rest);
        while p.bytes.len() >= MAX_LINE_BYTES {
            let tail = p.bytes.split_off(MAX_LINE_BYTES);
            let line = std::mem::replace(&mut p.bytes, tail);
            Self::emit(&self.after, stream, p.timestamp.clone(), line, out);
        }
    }

    /// Whether a partial line waits for the rest of it.
    pub fn has_partial(&self) -> bool {
        self.pending.iter().any(|p| !p.bytes.is_empty())
    }

    /// Sends what is left of unfinished lines (the stream ended, or they waited long enough).
    pub fn flush(&mut self, out: &mut Vec<LogLine>) {
        for (i, stream) in [LogStream::Stdout, LogStream::Stderr]
            .into_iter()
            .enumerate()
        {
            let p = std::mem::take(&mut self.pending[i]);
            if !p.bytes.is_empty() {
                Self::emit(&self.after, stream, p.timestamp, p.bytes, out);
            }
        }
    }

    fn emit(
        after: &Option<String>,
        stream: LogStream,
        timestamp: Option<String>,
        mut bytes: Vec<u8>,
        out: &mut Vec<LogLine>,
    ) {
        if let (Some(after), Some(ts)) = (after, &timestamp) {
            // Same-format RFC 3339 UTC timestamps order as strings.
            if ts.as_str() <= after.as_str() {
                return;
            }
        }
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
        let text = match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        };
        out.push(LogLine {
            stream,
            timestamp,
            text,
        });
    }
}

/// Whole seconds of an RFC 3339 timestamp, for the API's `since` (which takes seconds).
pub(crate) fn unix_seconds(ts: &str) -> Option<i64> {
    // YYYY-MM-DDTHH:MM:SS…Z: days from civil (Howard Hinnant's algorithm), UTC only.
    let b = ts.as_bytes();
    if b.len() < 20 || !ts.ends_with('Z') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| ts.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

fn frame_parts(item: LogOutput) -> Option<(LogStream, bytes::Bytes)> {
    match item {
        LogOutput::StdOut { message } | LogOutput::Console { message } => {
            Some((LogStream::Stdout, message))
        }
        LogOutput::StdErr { message } => Some((LogStream::Stderr, message)),
        LogOutput::StdIn { .. } => None,
    }
}

/// Whose log is read: the container's full id, and whether it has a TTY (its log then comes
/// as raw lines, not in frames).
struct LogTarget {
    id: String,
    tty: bool,
}

/// How long a TCP connection to the daemon may take to open.
const TCP_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where a log can be read straight off the socket: a local socket or plain TCP.
enum Socket {
    #[cfg(unix)]
    Unix(std::path::PathBuf),
    Tcp(String),
}

fn socket_of(t: &Transport) -> Option<Socket> {
    match t {
        #[cfg(unix)]
        Transport::Unix { path } => Some(Socket::Unix(path.clone())),
        Transport::Tcp { address, tls: None } => Some(Socket::Tcp(address.clone())),
        _ => None,
    }
}

impl Socket {
    fn open(&self) -> std::io::Result<(Box<dyn Conn>, &str)> {
        Ok(match self {
            #[cfg(unix)]
            Socket::Unix(p) => (
                Box::new(std::os::unix::net::UnixStream::connect(p)?),
                "docker",
            ),
            Socket::Tcp(a) => {
                use std::net::ToSocketAddrs;
                let mut last = None;
                let mut conn = None;
                for addr in a.as_str().to_socket_addrs()? {
                    match std::net::TcpStream::connect_timeout(&addr, TCP_CONNECT_TIMEOUT) {
                        Ok(s) => {
                            conn = Some(s);
                            break;
                        }
                        Err(e) => last = Some(e),
                    }
                }
                let s = conn.ok_or_else(|| {
                    last.unwrap_or_else(|| std::io::Error::other("no address to connect to"))
                })?;
                s.set_nodelay(true)?;
                (Box::new(s), a.as_str())
            }
        })
    }
}

/// The logs read off the socket (see [`log_wire`](super::log_wire)), on the calling thread:
/// whole lines in batches to `tx` until the logs end, the container stops (following), the
/// daemon goes away, `cancel` fires or `tx`'s receiver is gone. Returns why it ended, the lines
/// sent and the last timestamp sent. `host` names the daemon in errors.
fn read_logs_from_socket(
    socket: Socket,
    host: &str,
    path: &str,
    target: &LogTarget,
    opts: &LogOptions,
    cancel: &CancellationToken,
    tx: tokio::sync::mpsc::Sender<Vec<LogLine>>,
) -> Result<ReadEnd> {
    use std::io::ErrorKind as K;
    let mut out = Outbox::new(opts);
    let lost = |out: Outbox| Ok(out.end(LogsEndReason::DaemonLost));
    let bad = |e: String| EngineError::Failed(format!("Reading the logs from {host} failed: {e}"));
    // A body that breaks off midway ends like a lost connection: the lines read so far are
    // sent, and the viewer may go on from the last one.
    let broken = |e: String| {
        tracing::warn!("the log stream from {host} broke off: {e}");
        LogsEndReason::DaemonLost
    };
    let Ok((mut conn, host_header)) = socket.open() else {
        return lost(out);
    };
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: Dockwright\r\n\r\n");
    if conn.write_all(request.as_bytes()).is_err() {
        return lost(out);
    }
    let mut input = vec![0u8; 256 << 10];
    let mut pending_head = Vec::new();
    let mut head: Option<Head> = None;
    let mut dechunk = Dechunk::default();
    let mut frames = Frames::new(target.tty);
    let mut asm = LineAssembler::new(opts.since.clone());
    let mut last_frame = std::time::Instant::now();
    let mut next_tick = last_frame + BATCH_INTERVAL;
    // Reads wait at most until the next batch is due, so batches go on time (and cancel is seen).
    // While lines wait to be the first batch the socket does not block instead, and the batch
    // goes once it stayed empty for `FIRST_QUIET` (a socket's own timeout counts in the
    // kernel's ticks, up to 10 ms).
    let mut nonblocking = None;
    let mut timeout = None;
    let mut quiet_since: Option<std::time::Instant> = None;
    let reason = 'read: loop {
        if cancel.is_cancelled() || tx.is_closed() {
            break LogsEndReason::Cancelled;
        }
        let first_waits = out.sent == 0 && !out.batch.is_empty();
        if nonblocking != Some(first_waits) {
            if conn.set_nonblocking(first_waits).is_err() {
                break LogsEndReason::DaemonLost;
            }
            nonblocking = Some(first_waits);
        }
        if !first_waits {
            // A read waits no longer than the next batch is due.
            let left = next_tick.saturating_duration_since(std::time::Instant::now());
            let wait = Some(left.max(Duration::from_millis(1)));
            if wait != timeout {
                if conn.set_read_timeout(wait).is_err() {
                    break LogsEndReason::DaemonLost;
                }
                timeout = wait;
            }
        }
        let got = match conn.read(&mut input) {
            Ok(n) => Some(n),
            Err(e) if matches!(e.kind(), K::WouldBlock | K::TimedOut) => {
                if first_waits {
                    let since = *quiet_since.get_or_insert_with(std::time::Instant::now);
                    if since.elapsed() < FIRST_QUIET {
                        std::thread::sleep(READ_GAP);
                        continue;
                    }
                }
                None
            }
            Err(e) if e.kind() == K::Interrupted => continue,
            Err(_) => break LogsEndReason::DaemonLost,
        };
        quiet_since = None;
        if let Some(n) = got {
            let mut data = &input[..n];
            let after_head: Vec<u8>;
            if head.is_none() {
                pending_head.extend_from_slice(data);
                match parse_head(&pending_head).map_err(bad)? {
                    Some((h, used)) => {
                        head = Some(h);
                        after_head = pending_head.split_off(used);
                        pending_head = Vec::new();
                        data = &after_head;
                    }
                    None if n == 0 => break LogsEndReason::DaemonLost,
                    None => continue,
                }
            }
            let Some(h) = head.as_mut() else { continue };
            let mut ended = false;
            match &mut h.body {
                BodyKind::Chunked => {
                    if let Err(e) = frames.feed_chunked(&mut dechunk, data) {
                        break broken(e);
                    }
                    ended = dechunk.done();
                }
                BodyKind::Length(left) => {
                    let take = (*left).min(data.len() as u64) as usize;
                    frames.buf.extend_from_slice(&data[..take]);
                    *left -= take as u64;
                    ended = *left == 0;
                }
                BodyKind::Close => frames.buf.extend_from_slice(data),
            }
            if n == 0 && !ended {
                // The connection closed: the end only where the body runs to the close.
                if h.body != BodyKind::Close && h.status < 300 {
                    break LogsEndReason::DaemonLost;
                }
                ended = true;
            }
            if h.status >= 300 {
                if ended || frames.buf.len() >= MAX_ERROR_BODY {
                    let e = bollard::errors::Error::DockerResponseServerError {
                        status_code: h.status,
                        message: error_message(&frames.buf),
                    };
                    match EngineError::from_bollard(e, host) {
                        EngineError::NotFound(_) => break LogsEndReason::Removed,
                        e => return Err(e),
                    }
                }
                continue;
            }
            if !frames.buf.is_empty() {
                let drained = frames.drain(|s, b| {
                    out.frame(b.len());
                    asm.push(s, b, &mut out.batch);
                });
                if let Err(e) = drained {
                    break broken(e);
                }
                last_frame = std::time::Instant::now();
            }
            if out.full() {
                if let Some(b) = out.take() {
                    if tx.blocking_send(b).is_err() {
                        break 'read LogsEndReason::Cancelled;
                    }
                }
            }
            if ended {
                break if opts.follow {
                    LogsEndReason::Stopped
                } else {
                    LogsEndReason::Ended
                };
            }
            // Lines gather in the socket meanwhile: the next read takes many at once.
            std::thread::sleep(READ_GAP);
        }
        let now = std::time::Instant::now();
        if now >= next_tick || (got.is_none() && first_waits) {
            next_tick = now + BATCH_INTERVAL;
            if let Some(b) = out.due(&mut asm, now - last_frame) {
                if tx.blocking_send(b).is_err() {
                    break LogsEndReason::Cancelled;
                }
            }
        }
    };
    if reason != LogsEndReason::Cancelled {
        frames.finish(|s, b| asm.push(s, b, &mut out.batch));
    }
    if let Some(b) = out.last(&mut asm, reason) {
        let _ = tx.blocking_send(b);
    }
    Ok(out.end(reason))
}

/// `s` as one segment of a request path: every byte but the unreserved ones percent-encoded.
fn path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The API's `since` (whole seconds) for these options; 0 for none.
fn since_param(opts: &LogOptions) -> i32 {
    opts.since
        .as_deref()
        .and_then(unix_seconds)
        .map(|s| s.clamp(0, i32::MAX as i64) as i32)
        .unwrap_or(0)
}

/// The tail asked of the daemon: none after a `since` (everything after it).
fn tail_of(opts: &LogOptions) -> Option<u32> {
    opts.tail.filter(|_| opts.since.is_none())
}

/// The API's `tail` for these options.
fn tail_param(opts: &LogOptions) -> String {
    tail_of(opts).map_or_else(|| "all".to_owned(), |n| n.to_string())
}

/// How a log is read (see [`log_wire`](super::log_wire)): off the socket where the endpoint is
/// a local socket or plain TCP, else (TLS, named pipes) through the API client.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogsVia {
    Socket,
    Client,
}

/// How a read ended: why, the lines sent, and the last timestamp sent.
type ReadEnd = (LogsEndReason, u64, Option<String>);

/// Lines gathered for the next batch, and what was sent.
struct Outbox {
    batch: Vec<LogLine>,
    /// Bytes of frames since the last batch went (an estimate of its text).
    bytes: usize,
    /// Frames (the daemon's log entries) read in all.
    frames: u64,
    /// The entries the daemon's tail holds at most (None: the whole log, or since a time).
    tail: Option<u64>,
    sent: u64,
    last_ts: Option<String>,
}

impl Outbox {
    fn new(opts: &LogOptions) -> Self {
        Self {
            batch: Vec::new(),
            bytes: 0,
            frames: 0,
            tail: tail_of(opts).map(u64::from),
            sent: 0,
            last_ts: opts.since.clone(),
        }
    }

    /// A frame of `len` bytes was read.
    fn frame(&mut self, len: usize) {
        self.bytes += len;
        self.frames += 1;
    }

    /// The batch should go now: the first as soon as it fills a screen or two, or once the
    /// whole tail is in (the daemon sends at most that many entries before the new ones: no
    /// wait for it to pause).
    fn full(&self) -> bool {
        if self.sent == 0 {
            self.batch.len() >= FIRST_BATCH_LINES
                || self.tail.is_some_and(|t| self.frames >= t)
                || self.bytes >= BATCH_BYTES
        } else {
            self.batch.len() >= BATCH_LINES || self.bytes >= BATCH_BYTES
        }
    }

    /// The batch to send (None when empty); its lines and last timestamp count as sent.
    fn take(&mut self) -> Option<Vec<LogLine>> {
        self.bytes = 0;
        if self.batch.is_empty() {
            return None;
        }
        if let Some(ts) = self.batch.iter().rev().find_map(|l| l.timestamp.clone()) {
            self.last_ts = Some(ts);
        }
        self.sent += self.batch.len() as u64;
        Some(std::mem::take(&mut self.batch))
    }

    /// At a batch tick: a partial line that waited `PARTIAL_FLUSH` since the last frame joins
    /// the batch; the batch to send.
    fn due(&mut self, asm: &mut LineAssembler, since_frame: Duration) -> Option<Vec<LogLine>> {
        if asm.has_partial() && since_frame >= PARTIAL_FLUSH {
            asm.flush(&mut self.batch);
        }
        self.take()
    }

    /// When the read ends: unfinished lines join the last batch, unless it was cancelled.
    fn last(&mut self, asm: &mut LineAssembler, reason: LogsEndReason) -> Option<Vec<LogLine>> {
        if reason != LogsEndReason::Cancelled {
            asm.flush(&mut self.batch);
        }
        self.take()
    }

    fn end(self, reason: LogsEndReason) -> ReadEnd {
        (reason, self.sent, self.last_ts)
    }
}

impl Engine {
    fn logs_request(
        &self,
        id: &str,
        opts: &LogOptions,
        timestamps: bool,
    ) -> impl futures_util::Stream<Item = std::result::Result<LogOutput, bollard::errors::Error>>
    {
        self.docker.logs(
            id,
            Some(LogsOptions {
                follow: opts.follow,
                stdout: true,
                stderr: true,
                since: since_param(opts),
                until: 0,
                timestamps,
                tail: tail_param(opts),
            }),
        )
    }

    /// Sends a container's logs as whole lines, in batches (every [`BATCH_INTERVAL`] or
    /// [`BATCH_LINES`] lines), until the logs end, the container stops (when following), the
    /// daemon goes away, or `cancel` fires.
    pub async fn container_logs(
        &self,
        id: &str,
        opts: &LogOptions,
        cancel: &CancellationToken,
        on_batch: impl FnMut(Vec<LogLine>),
    ) -> Result<LogsEnd> {
        self.container_logs_via(LogsVia::Socket, id, opts, cancel, on_batch)
            .await
    }

    /// [`Engine::container_logs`], read as `via` says where the endpoint allows it (tests read
    /// through the API client too, which TLS endpoints and named pipes use).
    #[doc(hidden)]
    pub async fn container_logs_via(
        &self,
        via: LogsVia,
        id: &str,
        opts: &LogOptions,
        cancel: &CancellationToken,
        mut on_batch: impl FnMut(Vec<LogLine>),
    ) -> Result<LogsEnd> {
        if id.trim().is_empty() {
            return Err(EngineError::invalid("id", "No container given."));
        }
        if let Some(s) = &opts.since {
            if unix_seconds(s).is_none() {
                return Err(EngineError::invalid(
                    "since",
                    format!("{s:?} is not an RFC 3339 UTC timestamp."),
                ));
            }
        }
        // A missing container is an error up front, not an empty log.
        let c = self
            .docker
            .inspect_container(
                id,
                None::<bollard::query_parameters::InspectContainerOptions>,
            )
            .await
            .map_err(|e| self.err(e))?;
        // The full id from the daemon goes into the request path (never the typed text).
        let target = LogTarget {
            id: c
                .id
                .filter(|i| i.len() == 64 && i.bytes().all(|b| b.is_ascii_hexdigit()))
                .unwrap_or_else(|| path_segment(id)),
            tty: c.config.and_then(|c| c.tty).unwrap_or(false),
        };
        let (reason, sent, last_ts) = self
            .read_on_own_thread(via, target, opts, cancel, &mut on_batch)
            .await?;
        let reason = match reason {
            LogsEndReason::Stopped => {
                match self
                    .docker
                    .inspect_container(
                        id,
                        None::<bollard::query_parameters::InspectContainerOptions>,
                    )
                    .await
                {
                    Ok(_) => LogsEndReason::Stopped,
                    Err(e) => match self.err(e) {
                        EngineError::NotFound(_) => LogsEndReason::Removed,
                        _ => LogsEndReason::DaemonLost,
                    },
                }
            }
            r => r,
        };
        Ok(LogsEnd {
            reason,
            lines: sent,
            last_timestamp: last_ts,
        })
    }

    /// Reads the log stream on a thread of its own and hands the batches to `on_batch` here.
    /// Off the socket (see [`log_wire`](super::log_wire)) where the endpoint allows it; else
    /// through a client and a current-thread runtime of its own, so hyper's connection task
    /// and the reader share a thread (on the shared runtime every frame, one per line, crossed
    /// between worker threads).
    async fn read_on_own_thread(
        &self,
        via: LogsVia,
        target: LogTarget,
        opts: &LogOptions,
        cancel: &CancellationToken,
        on_batch: &mut impl FnMut(Vec<LogLine>),
    ) -> Result<ReadEnd> {
        let socket = match via {
            LogsVia::Socket => socket_of(&self.endpoint.transport),
            LogsVia::Client => None,
        };
        let own = match socket {
            Some(_) => None,
            None => Some(self.own_client()?),
        };
        let path = format!(
            "/v{}.{}/containers/{}/logs?stdout=1&stderr=1&timestamps=1&follow={}&since={}&tail={}",
            self.docker.client_version().major_version,
            self.docker.client_version().minor_version,
            target.id,
            opts.follow as u8,
            since_param(opts),
            tail_param(opts),
        );
        let host = self.info().host.clone();
        // A few batches in flight: the reader goes on while the last one is sent, and a
        // slow receiver holds the reader back (memory stays bounded).
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<LogLine>>(4);
        let (done_tx, done_rx) = tokio::sync::oneshot::channel();
        let (opts, cancel) = (opts.clone(), cancel.clone());
        std::thread::Builder::new()
            .name("dw-logs".into())
            .spawn(move || {
                let r = match (socket, own) {
                    (Some(s), _) => {
                        read_logs_from_socket(s, &host, &path, &target, &opts, &cancel, tx)
                    }
                    (None, Some(own)) => match tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    {
                        Ok(rt) => rt.block_on(own.read_logs(&target.id, &opts, &cancel, tx)),
                        Err(e) => Err(EngineError::Failed(format!(
                            "Could not start reading the logs: {e}"
                        ))),
                    },
                    (None, None) => unreachable!("a socket or a client"),
                };
                let _ = done_tx.send(r);
            })
            .map_err(|e| EngineError::Failed(format!("Could not start reading the logs: {e}")))?;
        while let Some(batch) = rx.recv().await {
            on_batch(batch);
        }
        done_rx
            .await
            .map_err(|_| EngineError::Failed("The log reader stopped unexpectedly.".into()))?
    }

    /// The stream through the API client: whole lines in batches to `tx` until the logs end,
    /// the container stops (following), the daemon goes away, `cancel` fires or `tx`'s
    /// receiver is gone. Returns why it ended, the lines sent and the last timestamp sent.
    async fn read_logs(
        &self,
        id: &str,
        opts: &LogOptions,
        cancel: &CancellationToken,
        tx: tokio::sync::mpsc::Sender<Vec<LogLine>>,
    ) -> Result<ReadEnd> {
        let mut stream = Box::pin(self.logs_request(id, opts, true));
        let mut asm = LineAssembler::new(opts.since.clone());
        let mut out = Outbox::new(opts);
        let mut tick = tokio::time::interval(BATCH_INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_frame = Instant::now();
        // Made once: the loop runs once per frame.
        let cancelled = cancel.cancelled();
        let closed = tx.closed();
        tokio::pin!(cancelled, closed);
        let reason = loop {
            tokio::select! {
                biased;
                _ = &mut cancelled => break LogsEndReason::Cancelled,
                _ = &mut closed => break LogsEndReason::Cancelled,
                item = stream.next() => match item {
                    None => break if opts.follow { LogsEndReason::Stopped } else { LogsEndReason::Ended },
                    Some(Ok(item)) => {
                        if let Some((s, bytes)) = frame_parts(item) {
                            out.frame(bytes.len());
                            asm.push(s, &bytes, &mut out.batch);
                            last_frame = Instant::now();
                        }
                        if out.full() {
                            if let Some(b) = out.take() {
                                if tx.send(b).await.is_err() {
                                    break LogsEndReason::Cancelled;
                                }
                            }
                        }
                    }
                    Some(Err(e)) => {
                        let e = self.err(e);
                        match e {
                            EngineError::DaemonUnreachable { .. } | EngineError::Other(_) => {
                                break LogsEndReason::DaemonLost
                            }
                            EngineError::NotFound(_) => break LogsEndReason::Removed,
                            e => return Err(e),
                        }
                    }
                },
                _ = tick.tick() => {
                    if let Some(b) = out.due(&mut asm, last_frame.elapsed()) {
                        if tx.send(b).await.is_err() {
                            break LogsEndReason::Cancelled;
                        }
                    }
                }
            }
        };
        if let Some(b) = out.last(&mut asm, reason) {
            let _ = tx.send(b).await;
        }
        Ok(out.end(reason))
    }

    /// Writes a container's whole log to `path` as the CLI shows it (`docker logs [-t]`), stdout
    /// and stderr interleaved; streamed, never held in memory. Returns the lines written.
    pub async fn save_container_logs(
        &self,
        id: &str,
        path: &Path,
        timestamps: bool,
        cancel: &CancellationToken,
    ) -> Result<u64> {
        let file = std::fs::File::create(path).map_err(|e| {
            EngineError::invalid("path", format!("Cannot write {}: {e}", path.display()))
        })?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        let opts = LogOptions {
            tail: None,
            follow: false,
            since: None,
        };
        let mut written = 0u64;
        let mut io_err: Option<std::io::Error> = None;
        let end = self
            .container_logs(id, &opts, cancel, |lines| {
                for l in lines {
                    if io_err.is_some() {
                        return;
                    }
                    let r = if timestamps {
                        writeln!(out, "{} {}", l.timestamp.as_deref().unwrap_or(""), l.text)
                    } else {
                        writeln!(out, "{}", l.text)
                    };
                    match r {
                        Ok(()) => written += 1,
                        Err(e) => io_err = Some(e),
                    }
                }
            })
            .await;
        let flushed = out.flush();
        let fail = |e: std::io::Error| {
            let _ = std::fs::remove_file(path);
            EngineError::Failed(format!("Writing {} failed: {e}", path.display()))
        };
        if let Some(e) = io_err {
            return Err(fail(e));
        }
        flushed.map_err(fail)?;
        match end {
            Ok(end) if end.reason == LogsEndReason::Cancelled => {
                let _ = std::fs::remove_file(path);
                Err(EngineError::Cancelled)
            }
            Ok(end) if end.reason == LogsEndReason::DaemonLost => {
                let _ = std::fs::remove_file(path);
                Err(EngineError::Failed(
                    "The connection to Docker broke while the log was written.".into(),
                ))
            }
            Ok(_) => Ok(written),
            Err(e) => {
                let _ = std::fs::remove_file(path);
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TS1: &str = "2024-05-01T10:00:00.000000001Z";
    const TS2: &str = "2024-05-01T10:00:00.000000002Z";

    fn frame(ts: &str, body: &str) -> Vec<u8> {
        format!("{ts} {body}").into_bytes()
    }

    fn texts(lines: &[LogLine]) -> Vec<&str> {
        lines.iter().map(|l| l.text.as_str()).collect()
    }

    #[test]
    fn a_typed_id_is_one_path_segment() {
        assert_eq!(path_segment("web-1.a_b~"), "web-1.a_b~");
        assert_eq!(path_segment("a/../b?x=1 #"), "a%2F..%2Fb%3Fx%3D1%20%23");
        assert_eq!(path_segment("é\r\n"), "%C3%A9%0D%0A");
    }

    /// One multiplexed frame holding `ts text\n`.
    fn mux(kind: u8, ts: &str, text: &str) -> Vec<u8> {
        super::super::log_wire::tests::frame(kind, format!("{ts} {text}\n").as_bytes())
    }

    fn chunk(data: &[u8]) -> Vec<u8> {
        let mut c = format!("{:x}\r\n", data.len()).into_bytes();
        c.extend_from_slice(data);
        c.extend_from_slice(b"\r\n");
        c
    }

    /// Serves `pieces` (written with a pause between them) to one connection on a socket of its
    /// own, then closes it; reads the logs from it. The protocol's edges a real daemon does not
    /// show on demand: a head split across reads, a body cut off, error bodies.
    #[cfg(unix)]
    fn serve_and_read(pieces: Vec<Vec<u8>>) -> (Result<ReadEnd>, Vec<LogLine>) {
        serve(pieces, true)
    }

    /// [`serve_and_read`]; with `close` false the connection stays open until the reader goes.
    #[cfg(unix)]
    fn serve(pieces: Vec<Vec<u8>>, close: bool) -> (Result<ReadEnd>, Vec<LogLine>) {
        let gap = Duration::from_millis(5);
        let (r, batches) = serve_with(pieces, close, gap, &LogOptions::default());
        (r, batches.into_iter().flatten().collect())
    }

    /// [`serve`] with `gap` between the pieces and these options; the batches as sent.
    #[cfg(unix)]
    fn serve_with(
        pieces: Vec<Vec<u8>>,
        close: bool,
        gap: Duration,
        opts: &LogOptions,
    ) -> (Result<ReadEnd>, Vec<Vec<LogLine>>) {
        use std::io::Read as _;
        let dir = tempfile::tempdir().unwrap();
        let sock = dir.path().join("d.sock");
        let listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
        let server = std::thread::spawn(move || {
            let (mut c, _) = listener.accept().unwrap();
            let mut req = [0u8; 4096];
            let n = c.read(&mut req).unwrap();
            assert!(req[..n].starts_with(b"GET /v1.41/containers/abc/logs?"));
            for p in pieces {
                c.write_all(&p).unwrap();
                std::thread::sleep(gap);
            }
            if !close {
                // Until the reader hangs up.
                let _ = c.read(&mut req);
            }
        });
        let (tx, mut rx) = tokio::sync::mpsc::channel(1024);
        let target = LogTarget {
            id: "abc".into(),
            tty: false,
        };
        let r = read_logs_from_socket(
            Socket::Unix(sock),
            "unix:///test",
            "/v1.41/containers/abc/logs?stdout=1",
            &target,
            opts,
            &CancellationToken::new(),
            tx,
        );
        server.join().unwrap();
        let mut batches = Vec::new();
        while let Ok(b) = rx.try_recv() {
            batches.push(b);
        }
        (r, batches)
    }

    /// A follow's tail goes as soon as it is all in: the daemon sends at most `tail` entries
    /// before the new ones, so the first batch does not wait for it to pause (a container that
    /// writes fast never lets it).
    #[cfg(unix)]
    #[test]
    fn a_whole_tail_goes_at_once() {
        let head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        let line = |i: usize| chunk(&mux(1, TS1, &format!("line {i}")));
        let mut first = head;
        (1..=3).for_each(|i| first.extend(line(i)));
        // Then a new line every millisecond: never the pause a tail shorter than asked for
        // waits for.
        let mut pieces = vec![first];
        pieces.extend((4..=150).map(line));
        pieces.push(b"0\r\n\r\n".to_vec());
        let opts = LogOptions {
            tail: Some(3),
            follow: true,
            ..LogOptions::default()
        };
        let (r, batches) = serve_with(pieces, true, Duration::from_millis(1), &opts);
        assert_eq!(r.unwrap().1, 150);
        let first = texts(&batches[0]);
        assert_eq!(first[..3], ["line 1", "line 2", "line 3"]);
        // The 50 ms batch tick would have gathered dozens of the new lines with it.
        assert!(first.len() < 20, "{} lines in the first batch", first.len());
    }

    #[cfg(unix)]
    #[test]
    fn the_socket_reader_ends_by_the_body_not_by_the_read() {
        let head = b"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
        let (a, b) = (mux(1, TS1, "one"), mux(3, TS2, "Error grabbing logs: x"));
        // The head in two reads, a frame split across chunks, then the last chunk.
        let mut body = chunk(&a[..5]);
        body.extend(chunk(&a[5..]));
        body.extend(chunk(&b));
        let pieces = vec![
            head[..20].to_vec(),
            head[20..].to_vec(),
            body,
            b"0\r\n\r\n".to_vec(),
        ];
        let (r, lines) = serve_and_read(pieces);
        let (reason, sent, last) = r.unwrap();
        assert_eq!(reason, LogsEndReason::Ended);
        assert_eq!((sent, last.as_deref()), (2, Some(TS2)));
        assert_eq!(texts(&lines), ["one", "Error grabbing logs: x"]);
        assert_eq!(lines[1].stream, LogStream::Stderr);

        // Cut off before the last chunk: the lines read are kept, and it ends as a lost daemon.
        let (r, lines) = serve_and_read(vec![head.to_vec(), chunk(&a)]);
        assert_eq!(r.unwrap().0, LogsEndReason::DaemonLost);
        assert_eq!(texts(&lines), ["one"]);

        // A chunk that is not one: the same, nothing made up.
        let (r, lines) = serve_and_read(vec![head.to_vec(), chunk(&a), b"zz\r\n".to_vec()]);
        assert_eq!(r.unwrap().0, LogsEndReason::DaemonLost);
        assert_eq!(texts(&lines), ["one"]);

        // Content-Length bodies end at their length, even with the connection left open.
        let mut ok = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", a.len()).into_bytes();
        ok.extend(&a);
        let (r, lines) = serve(vec![ok], false);
        assert_eq!(r.unwrap().0, LogsEndReason::Ended);
        assert_eq!(texts(&lines), ["one"]);
    }

    #[cfg(unix)]
    #[test]
    fn the_socket_reader_gives_the_daemons_errors() {
        let gone = br#"{"message":"No such container: abc"}"#;
        let mut r404 = format!(
            "HTTP/1.1 404 Not Found\r\nContent-Length: {}\r\n\r\n",
            gone.len()
        )
        .into_bytes();
        r404.extend(gone);
        let (r, _) = serve_and_read(vec![r404]);
        assert_eq!(r.unwrap().0, LogsEndReason::Removed);

        let mut r500 =
            b"HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        r500.extend(chunk(b"{\"message\":\"disk \\u001b[31mfull\"}"));
        r500.extend(b"0\r\n\r\n");
        let e = serve_and_read(vec![r500]).0.unwrap_err();
        assert_eq!(e.code(), "Api");
        assert!(
            e.to_string().contains("disk") && !e.to_string().contains('\u{1b}'),
            "{e}"
        );

        let e = serve_and_read(vec![b"SSH-2.0-OpenSSH_9.2\r\n\r\n".to_vec()])
            .0
            .unwrap_err();
        assert!(e.to_string().contains("SSH-2.0"), "{e}");
    }

    #[test]
    fn whole_frames_are_lines() {
        let mut a = LineAssembler::new(None);
        let mut out = Vec::new();
        a.push(LogStream::Stdout, &frame(TS1, "hello\r\n"), &mut out);
        a.push(LogStream::Stderr, &frame(TS2, "oops\n"), &mut out);
        assert_eq!(texts(&out), ["hello", "oops"]);
        assert_eq!(out[0].timestamp.as_deref(), Some(TS1));
        assert_eq!(out[1].stream, LogStream::Stderr);
        assert!(!a.has_partial());
    }

    #[test]
    fn pieces_split_at_16k_are_joined_with_the_first_timestamp() {
        let long = "x".repeat(40_000);
        let mut a = LineAssembler::new(None);
        let mut out = Vec::new();
        let (p1, rest) = long.split_at(16_384);
        let (p2, p3) = rest.split_at(16_384);
        a.push(LogStream::Stdout, &frame(TS1, p1), &mut out);
        // A stderr line in between does not break the stdout one.
        a.push(LogStream::Stderr, &frame(TS1, "err\n"), &mut out);
        a.push(LogStream::Stdout, &frame(TS2, p2), &mut out);
        assert_eq!(texts(&out), ["err"]);
        assert!(a.has_partial());
        a.push(LogStream::Stdout, &frame(TS2, &format!("{p3}\n")), &mut out);
        assert_eq!(out.len(), 2);
        assert_eq!(out[1].text, long);
        assert_eq!(out[1].timestamp.as_deref(), Some(TS1));
    }

    #[test]
    fn a_line_with_no_newline_comes_out_on_flush() {
        let mut a = LineAssembler::new(None);
        let mut out = Vec::new();
        a.push(LogStream::Stdout, &frame(TS1, "prompt> "), &mut out);
        assert!(out.is_empty());
        a.flush(&mut out);
        assert_eq!(texts(&out), ["prompt> "]);
        assert!(!a.has_partial());
    }

    #[test]
    fn lines_already_seen_are_dropped_after_a_reconnect() {
        let mut a = LineAssembler::new(Some(TS1.to_owned()));
        let mut out = Vec::new();
        a.push(LogStream::Stdout, &frame(TS1, "old\n"), &mut out);
        a.push(LogStream::Stdout, &frame(TS2, "new\n"), &mut out);
        assert_eq!(texts(&out), ["new"]);
    }

    #[test]
    fn invalid_utf8_is_replaced_not_lost() {
        let mut a = LineAssembler::new(None);
        let mut out = Vec::new();
        let mut f = format!("{TS1} a").into_bytes();
        f.extend_from_slice(&[0xff, b'b', b'\n']);
        a.push(LogStream::Stdout, &f, &mut out);
        assert_eq!(out[0].text, "a\u{fffd}b");
    }

    #[test]
    fn frames_without_timestamps_still_work() {
        let mut a = LineAssembler::new(None);
        let mut out = Vec::new();
        a.push(LogStream::Stdout, b"one\ntwo\n", &mut out);
        assert_eq!(texts(&out), ["one", "two"]);
        assert_eq!(out[0].timestamp, None);
    }

    #[test]
    fn batches_cross_as_three_strings() {
        let lines = vec![
            LogLine {
                stream: LogStream::Stdout,
                timestamp: Some(TS1.into()),
                text: "a\r b".into(),
            },
            LogLine {
                stream: LogStream::Stderr,
                timestamp: None,
                text: String::new(),
            },
            LogLine {
                stream: LogStream::Stdout,
                timestamp: Some(TS2.into()),
                text: "c".into(),
            },
        ];
        let b = LogBatch::from(lines);
        assert_eq!(b.text, "a\r b\n\nc");
        assert_eq!(b.timestamps, format!("{TS1}\n\n{TS2}"));
        assert_eq!(b.stderr, vec![1]);
        assert_eq!(b.text.split('\n').count(), 3);
    }

    #[test]
    fn raw_output_keeps_what_looks_like_a_timestamp() {
        let mut a = LineAssembler::raw();
        let mut out = Vec::new();
        a.push(LogStream::Stdout, &frame(TS1, "x\n"), &mut out);
        assert_eq!(out[0].text, format!("{TS1} x"));
    }

    #[test]
    fn unix_seconds_of_timestamps() {
        assert_eq!(unix_seconds("1970-01-01T00:00:00.000000000Z"), Some(0));
        assert_eq!(
            unix_seconds("2024-05-01T10:00:00.123456789Z"),
            Some(1_714_557_600)
        );
        assert_eq!(unix_seconds("2000-03-01T00:00:01Z"), Some(951_868_801));
        assert_eq!(unix_seconds("yesterday"), None);
    }

    proptest! {
        /// However the daemon cuts the text into frames, the lines come out as written.
        #[test]
        fn any_framing_gives_the_same_lines(
            lines in proptest::collection::vec("[a-z \u{e9}\u{1F600}]{0,40}", 1..20),
            cuts in proptest::collection::vec(1usize..50, 1..40),
        ) {
            let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
            let bytes = text.as_bytes();
            let mut a = LineAssembler::new(None);
            let mut out = Vec::new();
            let mut at = 0;
            let mut i = 0;
            while at < bytes.len() {
                let n = cuts[i % cuts.len()].min(bytes.len() - at);
                let mut f = format!("{TS1} ").into_bytes();
                f.extend_from_slice(&bytes[at..at + n]);
                a.push(LogStream::Stdout, &f, &mut out);
                at += n;
                i += 1;
            }
            a.flush(&mut out);
            let got: Vec<String> = out.into_iter().map(|l| l.text).collect();
            prop_assert_eq!(got, lines);
        }
    }
}
