//! A container's files through the archive API (`/containers/{id}/archive`): list one folder,
//! copy a file or folder out to the host, copy a host file or folder in. Works on running and
//! stopped containers alike.
//!
//! Everything the daemon sends is hostile: archives coming out are unpacked by
//! [`extract_safely`], which never writes outside the destination and never follows a link.
//! Archives going in are walked by our own code: links are stored as links, special files are
//! skipped, and the tar is streamed, never held in memory.
//!
//! ## Listing and its limits
//!
//! The Engine API has no "list a folder" call. [`Engine::list_files`] asks for the folder as a
//! tar and reads only its headers, keeping the folder's direct children. The daemon still sends
//! the whole subtree, file contents included, so a folder with big files or many descendants
//! costs what they weigh: the scan stops after [`LIST_MAX_ENTRIES`] entries or
//! [`LIST_TIME_BUDGET`], whichever comes first, and then sets `truncated` (children that sort
//! after the cut are missing). The daemon walks folders in lexical order, depth first.

use std::collections::HashSet;
use std::ffi::OsString;
use std::fs::{self, File, Metadata};
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bollard::query_parameters::{
    ContainerArchiveInfoOptions, DownloadFromContainerOptions, UploadToContainerOptions,
};
use bytes::{Buf, Bytes};
use futures_util::{Stream, StreamExt};
use serde::Serialize;
use specta::Type;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::connect::Engine;
use crate::error::{EngineError, Result};
use crate::tarstream::{self, ChannelWriter};

/// A listing stops after scanning this many tar entries (the folder's whole subtree counts).
pub const LIST_MAX_ENTRIES: usize = 20_000;
/// A listing stops after this long, counted from the first request.
pub const LIST_TIME_BUDGET: Duration = Duration::from_secs(5);
/// How long an upload may take before the daemon's answer (the body is streamed before it).
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(6 * 3600);
/// Messages in flight between the network and the blocking side (bounds memory).
const CHANNEL_DEPTH: usize = 16;
/// At most this many `skipped` lines are kept; the rest are counted in one last line.
const MAX_SKIPPED: usize = 1000;

/// Go's `os.FileMode` bits, as the daemon's path stat gives them.
const GO_MODE_DIR: u32 = 1 << 31;
const GO_MODE_SYMLINK: u32 = 1 << 27;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    File,
    Dir,
    Symlink,
    /// A device, named pipe or socket.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FileEntry {
    pub name: String,
    /// Absolute, in the container.
    pub path: String,
    pub kind: FileKind,
    /// Bytes of content (files); 0 for folders, links and others.
    pub size: u64,
    /// Permission bits (`0o7777`).
    pub mode: u32,
    /// Unix seconds.
    pub modified: i64,
    /// Where a link points, verbatim.
    pub link_target: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Listing {
    /// The folder listed (absolute, normalised).
    pub path: String,
    /// Folders first, then by name.
    pub entries: Vec<FileEntry>,
    /// The scan stopped early ([`LIST_MAX_ENTRIES`] or [`LIST_TIME_BUDGET`]): entries may be
    /// missing.
    pub truncated: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CopyReport {
    pub files: u64,
    pub dirs: u64,
    pub links: u64,
    /// Bytes of file content written.
    pub bytes: u64,
    /// Entries not written, each `path: why`.
    pub skipped: Vec<String>,
    /// Where the copy landed (a host path or a container path).
    pub target: String,
}

impl CopyReport {
    fn skip(&mut self, path: &str, why: &str) {
        if self.skipped.len() < MAX_SKIPPED {
            self.skipped.push(format!("{path}: {why}"));
        } else if self.skipped.len() == MAX_SKIPPED {
            self.skipped
                .push("…: more entries were skipped and are not listed".to_owned());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Inputs

/// A container name or id: it goes into a URL path, so only the characters a name can hold pass.
fn container_ref(id: &str) -> Result<&str> {
    let id = id.trim();
    let id = id.strip_prefix('/').unwrap_or(id);
    if id.is_empty() {
        return Err(EngineError::invalid("container", "Choose a container."));
    }
    let ok = id.starts_with(|c: char| c.is_ascii_alphanumeric())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
    if !ok {
        return Err(EngineError::invalid(
            "container",
            format!("“{}” is not a container name or id.", id.escape_debug()),
        ));
    }
    Ok(id)
}

/// An absolute container path, normalised (`.`, `..` and repeated slashes resolved lexically).
fn container_path(path: &str) -> Result<String> {
    if path.is_empty() {
        return Err(EngineError::invalid(
            "path",
            "Choose a path in the container.",
        ));
    }
    if !path.starts_with('/') {
        return Err(EngineError::invalid(
            "path",
            format!(
                "“{}” must start with / (paths in a container are absolute).",
                path.escape_debug()
            ),
        ));
    }
    if path.contains('\0') {
        return Err(EngineError::invalid(
            "path",
            "A path cannot contain a NUL character.",
        ));
    }
    let mut parts: Vec<&str> = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    Ok(format!("/{}", parts.join("/")))
}

fn join_container(dir: &str, name: &str) -> String {
    if dir == "/" {
        format!("/{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// A path that makes the daemon resolve a final link (`/lib` → `/lib/`).
fn through_link(path: &str) -> String {
    if path == "/" {
        path.to_owned()
    } else {
        format!("{path}/")
    }
}

fn host_dir(field: &str, dir: &Path, what: &str) -> Result<()> {
    if dir.as_os_str().is_empty() {
        return Err(EngineError::invalid(field, format!("Choose {what}.")));
    }
    match fs::metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(EngineError::invalid(
            field,
            format!("{} is not a folder.", dir.display()),
        )),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(EngineError::invalid(
            field,
            format!("The folder {} does not exist.", dir.display()),
        )),
        Err(e) => Err(EngineError::invalid(
            field,
            format!("{} cannot be opened: {}", dir.display(), io_reason(&e)),
        )),
    }
}

fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        io::ErrorKind::NotFound => "it disappeared while it was read".into(),
        _ => e.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// The daemon side

/// What the daemon says about one path (the archive HEAD's `X-Docker-Container-Path-Stat`).
#[derive(Debug, Clone)]
struct PathStat {
    mode: u32,
    link_target: String,
}

impl PathStat {
    fn is_dir(&self) -> bool {
        self.mode & GO_MODE_DIR != 0
    }
    fn is_link(&self) -> bool {
        self.mode & GO_MODE_SYMLINK != 0
    }
}

impl Engine {
    async fn stat_path(&self, id: &str, path: &str, shown: &str) -> Result<PathStat> {
        match self
            .docker
            .get_container_archive_info(
                id,
                Some(ContainerArchiveInfoOptions {
                    path: path.to_owned(),
                }),
            )
            .await
        {
            Ok(s) => Ok(PathStat {
                mode: s.file_mode,
                link_target: s.link_target,
            }),
            Err(e) => Err(self.archive_err(e, id, shown).await),
        }
    }

    /// Maps an archive API error; a 404 says whether the container or the path is missing
    /// (HEAD answers carry no message).
    async fn archive_err(&self, e: bollard::errors::Error, id: &str, path: &str) -> EngineError {
        match self.err(e) {
            EngineError::NotFound(_) => match self.docker.inspect_container(id, None).await {
                Err(bollard::errors::Error::DockerResponseServerError {
                    status_code: 404, ..
                }) => EngineError::NotFound(format!(
                    "There is no container {id} on this engine. It may have been removed."
                )),
                _ => EngineError::NotFound(format!("There is no {path} in container {id}.")),
            },
            // A read-only root filesystem: nothing to log in to.
            EngineError::Unauthorized(m) => EngineError::Failed(m),
            other => other,
        }
    }

    /// Resolves `path` to a folder: itself, or through a link. Returns the path to ask the
    /// archive API for.
    async fn folder(&self, id: &str, path: &str) -> Result<String> {
        let st = self.stat_path(id, path, path).await?;
        if st.is_dir() {
            return Ok(path.to_owned());
        }
        if st.is_link() {
            let target = st.link_target.clone();
            let resolved = through_link(path);
            return match self.stat_path(id, &resolved, path).await {
                Ok(s) if s.is_dir() => Ok(resolved),
                Ok(_) | Err(EngineError::Api { .. }) => Err(EngineError::invalid(
                    "path",
                    format!("{path} is a link to {target}, which is not a folder."),
                )),
                Err(EngineError::NotFound(_)) => Err(EngineError::NotFound(format!(
                    "{path} is a link to {target}, which does not exist in container {id}."
                ))),
                Err(e) => Err(e),
            };
        }
        Err(EngineError::invalid(
            "path",
            format!("{path} is a file in container {id}, not a folder."),
        ))
    }
}

enum Msg {
    Data(Bytes),
    End,
    Fail(io::Error),
}

/// A blocking `Read` over the chunks the async side receives. A channel closed without
/// [`Msg::End`] is an error, never a clean end of file, so a cut download never looks complete.
struct ChannelReader {
    rx: mpsc::Receiver<Msg>,
    cur: Bytes,
    ended: bool,
}

impl ChannelReader {
    fn new(rx: mpsc::Receiver<Msg>) -> Self {
        Self {
            rx,
            cur: Bytes::new(),
            ended: false,
        }
    }
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        while self.cur.is_empty() {
            if self.ended {
                return Ok(0);
            }
            match self.rx.blocking_recv() {
                Some(Msg::Data(b)) => self.cur = b,
                Some(Msg::End) => self.ended = true,
                Some(Msg::Fail(e)) => return Err(e),
                None => {
                    return Err(io::Error::new(
                        io::ErrorKind::BrokenPipe,
                        "the transfer stopped",
                    ))
                }
            }
        }
        let n = buf.len().min(self.cur.len());
        buf[..n].copy_from_slice(&self.cur[..n]);
        self.cur.advance(n);
        Ok(n)
    }
}

#[derive(Debug)]
enum PumpEnd {
    /// The whole body was handed over.
    Done,
    /// The reading side stopped first.
    Stopped,
    Cancelled,
    Deadline,
    Failed(bollard::errors::Error),
}

/// Moves a download into the channel until it ends, the reader stops, `cancel` fires or
/// `deadline` passes.
async fn pump(
    stream: impl Stream<Item = std::result::Result<Bytes, bollard::errors::Error>>,
    tx: mpsc::Sender<Msg>,
    cancel: &CancellationToken,
    deadline: Option<tokio::time::Instant>,
) -> PumpEnd {
    let mut stream = std::pin::pin!(stream);
    let deadline_hit = async {
        match deadline {
            Some(d) => tokio::time::sleep_until(d).await,
            None => std::future::pending().await,
        }
    };
    let mut deadline_hit = std::pin::pin!(deadline_hit);
    // Not `Interrupted`: readers retry on that kind.
    let stop = |why: &str| {
        let kind = if why == "cancelled" {
            io::ErrorKind::Other
        } else {
            io::ErrorKind::TimedOut
        };
        io::Error::new(kind, why.to_owned())
    };
    loop {
        let (msg, end) = tokio::select! {
            biased;
            _ = cancel.cancelled() => (Msg::Fail(stop("cancelled")), Some(PumpEnd::Cancelled)),
            _ = &mut deadline_hit => (Msg::Fail(stop("time budget reached")), Some(PumpEnd::Deadline)),
            _ = tx.closed() => return PumpEnd::Stopped,
            item = stream.next() => match item {
                None => (Msg::End, Some(PumpEnd::Done)),
                Some(Ok(b)) => (Msg::Data(b), None),
                Some(Err(e)) => {
                    let text = e.to_string();
                    (Msg::Fail(io::Error::other(text)), Some(PumpEnd::Failed(e)))
                }
            },
        };
        let sent = tokio::select! {
            biased;
            _ = cancel.cancelled(), if end.is_none() => {
                let _ = tx.try_send(Msg::Fail(stop("cancelled")));
                return PumpEnd::Cancelled;
            }
            _ = &mut deadline_hit, if end.is_none() => {
                let _ = tx.try_send(Msg::Fail(stop("time budget reached")));
                return PumpEnd::Deadline;
            }
            r = tx.send(msg) => r,
        };
        match (sent, end) {
            (_, Some(end)) => return end,
            (Err(_), None) => return PumpEnd::Stopped,
            (Ok(()), None) => {}
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Listing

struct Scan {
    entries: Vec<FileEntry>,
    truncated: bool,
    error: Option<io::Error>,
}

fn components(raw: &[u8]) -> Vec<&[u8]> {
    raw.split(|b| *b == b'/')
        .filter(|c| !c.is_empty() && *c != b".")
        .collect()
}

fn lossy(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw).into_owned()
}

/// Reads tar headers only, keeping the direct children of the archive's first entry.
fn scan_listing<R: Read>(reader: R, base: &str, deadline: Instant) -> Scan {
    let mut out = Scan {
        entries: Vec::new(),
        truncated: false,
        error: None,
    };
    let mut archive = tar::Archive::new(reader);
    let entries = match archive.entries() {
        Ok(e) => e,
        Err(e) => {
            out.error = Some(e);
            return out;
        }
    };
    let mut root: Option<Vec<Vec<u8>>> = None;
    // Sizes of the files seen, for hard links (bounded by LIST_MAX_ENTRIES).
    let mut sizes: std::collections::HashMap<Vec<u8>, u64> = std::collections::HashMap::new();
    for (scanned, entry) in entries.enumerate() {
        if scanned >= LIST_MAX_ENTRIES || Instant::now() >= deadline {
            out.truncated = true;
            break;
        }
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                out.error = Some(e);
                break;
            }
        };
        let path = entry.path_bytes().into_owned();
        let comps = components(&path);
        let h = entry.header();
        let ty = h.entry_type();
        if ty.is_pax_global_extensions() {
            continue;
        }
        let size = entry.size();
        if ty.is_file() || ty.is_contiguous() || ty.is_gnu_sparse() {
            sizes.insert(comps.join(&b'/'), size);
        }
        let Some(root) = root.as_ref() else {
            root = Some(comps.iter().map(|c| c.to_vec()).collect());
            continue;
        };
        if comps.len() != root.len() + 1 || comps[..root.len()] != root[..] {
            continue;
        }
        let name = lossy(comps[root.len()]);
        let (kind, size, link_target) = if ty.is_dir() {
            (FileKind::Dir, 0, None)
        } else if ty.is_symlink() {
            let target = entry.link_name_bytes().map(|t| lossy(&t));
            (FileKind::Symlink, 0, target)
        } else if ty.is_hard_link() {
            let target = entry.link_name_bytes().map(|t| components(&t).join(&b'/'));
            let size = target.and_then(|t| sizes.get(&t).copied()).unwrap_or(0);
            (FileKind::File, size, None)
        } else if ty.is_file() || ty.is_contiguous() || ty.is_gnu_sparse() {
            (FileKind::File, size, None)
        } else {
            (FileKind::Other, 0, None)
        };
        out.entries.push(FileEntry {
            path: join_container(base, &name),
            name,
            kind,
            size,
            mode: h.mode().unwrap_or(0) & 0o7777,
            modified: h.mtime().map(|t| t as i64).unwrap_or(0),
            link_target,
        });
    }
    out
}

impl Engine {
    /// Lists one folder of a container (running or stopped) through the archive API: reads only
    /// the tar headers of the folder's stream and keeps its direct children. A link to a folder
    /// is listed through the link. The scan stops and sets `truncated` after
    /// [`LIST_MAX_ENTRIES`] entries or [`LIST_TIME_BUDGET`] (see the module docs).
    pub async fn list_files(&self, id: &str, path: &str) -> Result<Listing> {
        let id = container_ref(id)?;
        let path = container_path(path)?;
        let started = Instant::now();
        let fetch = self.folder(id, &path).await?;
        let deadline = started + LIST_TIME_BUDGET;
        let stream = self
            .docker
            .download_from_container(id, Some(DownloadFromContainerOptions { path: fetch }));
        let (tx, rx) = mpsc::channel(CHANNEL_DEPTH);
        let base = path.clone();
        let scan = tokio::task::spawn_blocking(move || {
            scan_listing(ChannelReader::new(rx), &base, deadline)
        });
        let never = CancellationToken::new();
        // A little grace so the scan itself notices the budget first when data flows.
        let hard_stop = tokio::time::Instant::from_std(deadline + Duration::from_millis(200));
        let end = pump(stream, tx, &never, Some(hard_stop)).await;
        let scan = scan
            .await
            .map_err(|_| EngineError::Other("the listing task failed".into()))?;
        if let PumpEnd::Failed(e) = end {
            return Err(self.archive_err(e, id, &path).await);
        }
        let truncated = scan.truncated || matches!(end, PumpEnd::Deadline);
        if let Some(e) = scan.error {
            if !truncated {
                return Err(EngineError::Failed(format!(
                    "Reading {path} from container {id} failed: {e}"
                )));
            }
        }
        let mut entries = scan.entries;
        entries.sort_by(|a, b| {
            (b.kind == FileKind::Dir)
                .cmp(&(a.kind == FileKind::Dir))
                .then_with(|| a.name.cmp(&b.name))
        });
        Ok(Listing {
            path,
            entries,
            truncated,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Copying out

impl Engine {
    /// Copies `container_path` (a file, folder or link; links are copied as links) out into the
    /// existing host folder `dest_dir`, as `dest_dir/<basename>`. Refuses (`Conflict`, before
    /// writing anything) when that exists, unless `overwrite`: then files and links there are
    /// replaced (a link is removed, never written through) and folders are merged. The archive
    /// is unpacked by [`extract_safely`]'s rules while it streams. Cancelling leaves what was
    /// written so far.
    pub async fn copy_from_container(
        &self,
        id: &str,
        container_path: &str,
        dest_dir: &Path,
        overwrite: bool,
        cancel: &CancellationToken,
    ) -> Result<CopyReport> {
        let id = container_ref(id)?;
        let path = self::container_path(container_path)?;
        let Some(basename) = path.rsplit('/').next().filter(|b| !b.is_empty()) else {
            return Err(EngineError::invalid(
                "path",
                "Choose a file or folder inside the container, not the whole filesystem.",
            ));
        };
        let basename = basename.to_owned();
        host_dir("destination", dest_dir, "a folder to copy into")?;
        #[cfg(windows)]
        if basename.contains(['\\', ':']) || basename.ends_with(['.', ' ']) {
            return Err(EngineError::invalid(
                "path",
                format!("“{basename}” cannot be a file name on Windows."),
            ));
        }
        let st = self.stat_path(id, &path, &path).await?;
        let target = dest_dir.join(&basename);
        match fs::symlink_metadata(&target) {
            Ok(_) if !overwrite => {
                return Err(EngineError::Conflict(format!(
                    "{} already exists. Choose another folder, or allow overwriting.",
                    target.display()
                )))
            }
            Ok(m) if m.is_dir() && !st.is_dir() => {
                return Err(EngineError::Conflict(format!(
                    "{} is a folder; it is not replaced by a file. Remove it first or choose another folder.",
                    target.display()
                )))
            }
            // A file or link there is replaced when its entry arrives (a link is removed, never
            // written through), so a failed download leaves it in place until then.
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(EngineError::invalid(
                    "destination",
                    format!("{} cannot be checked: {}", target.display(), io_reason(&e)),
                ))
            }
        }

        let stream = self.docker.download_from_container(
            id,
            Some(DownloadFromContainerOptions { path: path.clone() }),
        );
        let (tx, rx) = mpsc::channel(CHANNEL_DEPTH);
        let dest = dest_dir.to_path_buf();
        let only = basename.clone().into_bytes();
        let work = tokio::task::spawn_blocking(move || {
            let mut report = CopyReport::default();
            let r = extract_into(ChannelReader::new(rx), &dest, Some(&only), &mut report);
            (report, r)
        });
        let end = pump(stream, tx, cancel, None).await;
        let (mut report, result) = work
            .await
            .map_err(|_| EngineError::Other("the copy task failed".into()))?;
        match end {
            PumpEnd::Failed(e) => return Err(self.archive_err(e, id, &path).await),
            PumpEnd::Cancelled => return Err(EngineError::Cancelled),
            _ => {}
        }
        result?;
        report.target = target.display().to_string();
        Ok(report)
    }
}

/// The safe extractor: unpacks a tar stream into the existing folder `dest`, reading it once.
///
/// - Never writes outside `dest`: entries with absolute paths, `..` components or Windows
///   prefixes are skipped (and reported).
/// - Never follows a link: an entry whose parent path holds a link (even one pointing inside
///   `dest`) is skipped; a link or file already at an entry's path is removed first and the new
///   file created afresh, so nothing is written through an existing link or hard link.
/// - Links in the archive are created as links with their target verbatim (on Unix; skipped
///   elsewhere). Hard links only to files extracted earlier in this run.
/// - Devices, FIFOs and other special entries are skipped. Modes keep their `rwx` bits;
///   setuid, setgid and sticky are dropped. File times are kept.
///
/// Every skipped entry lands in `report.skipped` as `path: why`; extraction goes on. A damaged
/// archive or a failed write is an error.
pub fn extract_safely<R: Read>(archive: R, dest: &Path, report: &mut CopyReport) -> Result<()> {
    host_dir("destination", dest, "a folder to extract into")?;
    extract_into(archive, dest, None, report)
}

/// The printable form of an entry name (control characters shown as `?`).
fn shown(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw)
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// An archive path made safe to join to the destination: its normal components, or why not.
/// `Ok(empty)` is the archive's root (`./`).
fn sanitize(raw: &[u8]) -> std::result::Result<Vec<OsString>, &'static str> {
    if raw.is_empty() {
        return Err("the entry has no name");
    }
    if raw.contains(&0) {
        return Err("the name holds a NUL byte");
    }
    if raw[0] == b'/' || raw[0] == b'\\' {
        return Err("absolute paths are not extracted");
    }
    let mut out = Vec::new();
    for (i, c) in raw.split(|b| *b == b'/').enumerate() {
        if c.is_empty() || c == b"." {
            continue;
        }
        if c == b".." {
            return Err("it leaves the destination (..)");
        }
        if i == 0 && c.len() >= 2 && c[0].is_ascii_alphabetic() && c[1] == b':' {
            return Err("Windows drive prefixes are not extracted");
        }
        if cfg!(windows) && (c.contains(&b'\\') || c.contains(&b':')) {
            return Err("the name is not valid on Windows");
        }
        let os = os_from_bytes(c).ok_or("the name is not valid UTF-8")?;
        let mut parts = Path::new(&os).components();
        match (parts.next(), parts.next()) {
            (Some(Component::Normal(n)), None) if n == os.as_os_str() => {}
            _ => return Err("the name is not a plain file name"),
        }
        out.push(os);
    }
    Ok(out)
}

#[cfg(unix)]
fn os_from_bytes(b: &[u8]) -> Option<OsString> {
    use std::os::unix::ffi::OsStrExt;
    Some(std::ffi::OsStr::from_bytes(b).to_os_string())
}

#[cfg(not(unix))]
fn os_from_bytes(b: &[u8]) -> Option<OsString> {
    std::str::from_utf8(b).ok().map(OsString::from)
}

/// What is at `path` now, without following a link.
fn existing(path: &Path) -> io::Result<Option<Metadata>> {
    match fs::symlink_metadata(path) {
        Ok(m) => Ok(Some(m)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Makes sure every parent of `parts` under `dest` is a real folder (creating missing ones),
/// or says why not. Never passes through a link.
fn prepare_parents(dest: &Path, parts: &[OsString]) -> std::result::Result<(), String> {
    let mut p = dest.to_path_buf();
    for part in &parts[..parts.len().saturating_sub(1)] {
        p.push(part);
        match existing(&p) {
            Ok(Some(m)) if m.file_type().is_symlink() => {
                return Err(format!(
                    "it passes through the link {}, which is never followed",
                    p.strip_prefix(dest).unwrap_or(&p).display()
                ))
            }
            Ok(Some(m)) if m.is_dir() => {}
            Ok(Some(_)) => {
                return Err(format!(
                    "{} is not a folder",
                    p.strip_prefix(dest).unwrap_or(&p).display()
                ))
            }
            Ok(None) => fs::create_dir(&p).map_err(|e| {
                format!(
                    "{} cannot be created: {}",
                    p.strip_prefix(dest).unwrap_or(&p).display(),
                    io_reason(&e)
                )
            })?,
            Err(e) => return Err(io_reason(&e)),
        }
    }
    Ok(())
}

/// Clears the way for a new entry at `path`: a file or link there is removed (never followed),
/// a folder stays and is an error for anything but a folder.
fn clear_for(path: &Path, want_dir: bool) -> std::result::Result<bool, String> {
    match existing(path).map_err(|e| io_reason(&e))? {
        None => Ok(false),
        Some(m) if m.is_dir() => {
            if want_dir {
                Ok(true)
            } else {
                Err("a folder is already there".to_owned())
            }
        }
        Some(_) => fs::remove_file(path)
            .map(|_| false)
            .map_err(|e| format!("what is there cannot be replaced: {}", io_reason(&e))),
    }
}

fn fail_write(path: &Path, e: io::Error) -> EngineError {
    EngineError::Failed(format!("Writing {} failed: {e}", path.display()))
}

fn damaged(e: io::Error) -> EngineError {
    EngineError::Failed(format!("The archive is damaged or ended early: {e}"))
}

fn extract_into<R: Read>(
    archive: R,
    dest: &Path,
    only_under: Option<&[u8]>,
    report: &mut CopyReport,
) -> Result<()> {
    let mut archive = tar::Archive::new(archive);
    let mut extracted: HashSet<Vec<OsString>> = HashSet::new();
    let mut dir_modes: Vec<(PathBuf, u32)> = Vec::new();
    let result = (|| {
        for entry in archive.entries().map_err(damaged)? {
            let mut entry = entry.map_err(damaged)?;
            let raw = entry.path_bytes().into_owned();
            let name = shown(&raw);
            let parts = match sanitize(&raw) {
                Ok(p) => p,
                Err(why) => {
                    report.skip(&name, why);
                    continue;
                }
            };
            let ty = entry.header().entry_type();
            if ty.is_pax_global_extensions() {
                continue;
            }
            if parts.is_empty() {
                if !ty.is_dir() {
                    report.skip(&name, "only a folder can be the archive's root");
                }
                continue;
            }
            if let Some(only) = only_under {
                if os_from_bytes(only).as_ref() != Some(&parts[0]) {
                    report.skip(&name, "it lies outside the path that was asked for");
                    continue;
                }
            }
            if let Err(why) = prepare_parents(dest, &parts) {
                report.skip(&name, &why);
                continue;
            }
            let path = parts.iter().fold(dest.to_path_buf(), |p, c| p.join(c));
            let mode = entry.header().mode().unwrap_or(0o644) & 0o777;
            let mtime = entry.header().mtime().ok();

            if ty.is_dir() {
                match clear_for(&path, true) {
                    Ok(true) => {}
                    Ok(false) => {
                        if let Err(e) = create_private_dir(&path) {
                            report.skip(&name, &io_reason(&e));
                            continue;
                        }
                        dir_modes.push((path, mode));
                    }
                    Err(why) => {
                        report.skip(&name, &why);
                        continue;
                    }
                }
                extracted.remove(&parts);
                report.dirs += 1;
            } else if ty.is_file() || ty.is_contiguous() || ty.is_gnu_sparse() {
                if let Err(why) = clear_for(&path, false) {
                    report.skip(&name, &why);
                    continue;
                }
                let mut file = match create_new_file(&path) {
                    Ok(f) => f,
                    Err(e) => {
                        report.skip(&name, &io_reason(&e));
                        continue;
                    }
                };
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let n = entry.read(&mut buf).map_err(damaged)?;
                    if n == 0 {
                        break;
                    }
                    file.write_all(&buf[..n])
                        .map_err(|e| fail_write(&path, e))?;
                    report.bytes += n as u64;
                }
                finish_file(&file, mode, mtime);
                extracted.insert(parts);
                report.files += 1;
            } else if ty.is_symlink() {
                let Some(target) = entry.link_name_bytes().map(|t| t.into_owned()) else {
                    report.skip(&name, "the link has no target");
                    continue;
                };
                if target.is_empty() || target.contains(&0) {
                    report.skip(&name, "the link has no valid target");
                    continue;
                }
                if let Err(why) = clear_for(&path, false) {
                    report.skip(&name, &why);
                    continue;
                }
                extracted.remove(&parts);
                match make_symlink(&target, &path) {
                    Ok(()) => report.links += 1,
                    Err(why) => report.skip(&name, &why),
                }
            } else if ty.is_hard_link() {
                let target = entry.link_name_bytes().map(|t| t.into_owned());
                let Some(to) = target.as_deref().and_then(|t| sanitize(t).ok()) else {
                    report.skip(&name, "a hard link to a path outside the destination");
                    continue;
                };
                let source = to.iter().fold(dest.to_path_buf(), |p, c| p.join(c));
                let is_file = existing(&source)
                    .ok()
                    .flatten()
                    .is_some_and(|m| m.file_type().is_file());
                if !extracted.contains(&to) || !is_file {
                    report.skip(
                        &name,
                        "a hard link to a file not extracted before it in this copy",
                    );
                    continue;
                }
                if to == parts {
                    // A link to itself: the file is already there.
                    report.files += 1;
                    continue;
                }
                if let Err(why) = clear_for(&path, false) {
                    report.skip(&name, &why);
                    continue;
                }
                if fs::hard_link(&source, &path).is_err() {
                    if let Err(e) = copy_regular(&source, &path) {
                        report.skip(&name, &io_reason(&e));
                        continue;
                    }
                }
                extracted.insert(parts);
                report.files += 1;
            } else if ty.is_character_special() || ty.is_block_special() {
                report.skip(&name, "devices are not copied");
            } else if ty.is_fifo() {
                report.skip(&name, "named pipes (FIFOs) are not copied");
            } else {
                report.skip(&name, "this kind of entry is not copied");
            }
        }
        Ok(())
    })();
    // Folders get their own modes last (deepest first), so a read-only folder could still be
    // filled; only folders this run created, and only while they still are folders.
    for (dir, mode) in dir_modes.iter().rev() {
        if existing(dir).ok().flatten().is_some_and(|m| m.is_dir()) {
            set_dir_mode(dir, *mode);
        }
    }
    result
}

#[cfg(unix)]
fn create_private_dir(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new().mode(0o700).create(path)
}

#[cfg(not(unix))]
fn create_private_dir(path: &Path) -> io::Result<()> {
    fs::create_dir(path)
}

#[cfg(unix)]
fn set_dir_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let _ = fs::set_permissions(path, fs::Permissions::from_mode(mode));
}

#[cfg(not(unix))]
fn set_dir_mode(_path: &Path, _mode: u32) {}

/// A new file: fails if anything appeared at `path` (never opens through a link).
fn create_new_file(path: &Path) -> io::Result<File> {
    let mut o = fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

fn finish_file(file: &File, mode: u32, mtime: Option<u64>) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = file.set_permissions(fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    {
        if mode & 0o222 == 0 {
            if let Ok(m) = file.metadata() {
                let mut p = m.permissions();
                p.set_readonly(true);
                let _ = file.set_permissions(p);
            }
        }
    }
    if let Some(t) = mtime {
        let _ = file.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(t));
    }
}

/// Copies a regular file (the hard-link fallback), without following a link at either end.
fn copy_regular(from: &Path, to: &Path) -> io::Result<()> {
    let meta = fs::symlink_metadata(from)?;
    if !meta.file_type().is_file() {
        return Err(io::Error::other("the link's source is no longer a file"));
    }
    let mut src = File::open(from)?;
    let mut dst = create_new_file(to)?;
    io::copy(&mut src, &mut dst)?;
    dst.set_permissions(meta.permissions())?;
    Ok(())
}

#[cfg(unix)]
fn make_symlink(target: &[u8], path: &Path) -> std::result::Result<(), String> {
    use std::os::unix::ffi::OsStrExt;
    std::os::unix::fs::symlink(std::ffi::OsStr::from_bytes(target), path).map_err(|e| io_reason(&e))
}

#[cfg(not(unix))]
fn make_symlink(_target: &[u8], _path: &Path) -> std::result::Result<(), String> {
    Err("links are not created on this system".to_owned())
}

// ---------------------------------------------------------------------------------------------
// Copying in

enum HostKind {
    File,
    Dir,
    Link(PathBuf),
}

struct HostEntry {
    /// The name in the tar (rooted at the copied path's name).
    rel: PathBuf,
    abs: PathBuf,
    meta: Metadata,
    kind: HostKind,
}

// An entry is visited once and consumed at once: boxing it would only add an allocation.
#[allow(clippy::large_enum_variant)]
enum HostVisit {
    Entry(HostEntry),
    Special { rel: String, what: &'static str },
    Unreadable(String),
}

/// Walks `abs` (named `rel` in the tar) in lexical order, links never followed. `check_files`
/// opens each file to find unreadable ones before anything is sent.
fn walk_host(
    abs: &Path,
    rel: &Path,
    stop: &AtomicBool,
    check_files: bool,
    visit: &mut dyn FnMut(HostVisit) -> Result<()>,
) -> Result<()> {
    if stop.load(Ordering::Relaxed) {
        return Err(EngineError::Cancelled);
    }
    let shown_rel = rel.display().to_string();
    let unreadable = |slash: &str, e: io::Error| {
        HostVisit::Unreadable(format!("{shown_rel}{slash} ({})", io_reason(&e)))
    };
    let entry = |meta, kind| {
        HostVisit::Entry(HostEntry {
            rel: rel.to_path_buf(),
            abs: abs.to_path_buf(),
            meta,
            kind,
        })
    };
    let meta = match fs::symlink_metadata(abs) {
        Ok(m) => m,
        Err(e) => return visit(unreadable("", e)),
    };
    let ft = meta.file_type();
    if ft.is_symlink() {
        match fs::read_link(abs) {
            Ok(target) => visit(entry(meta, HostKind::Link(target))),
            Err(e) => visit(unreadable("", e)),
        }
    } else if ft.is_dir() {
        let names = match tarstream::sorted_names(abs) {
            Ok(n) => n,
            Err(e) => return visit(unreadable("/", e)),
        };
        visit(entry(meta, HostKind::Dir))?;
        for name in names {
            walk_host(&abs.join(&name), &rel.join(&name), stop, check_files, visit)?;
        }
        Ok(())
    } else if ft.is_file() {
        if check_files {
            if let Err(e) = File::open(abs) {
                return visit(unreadable("", e));
            }
        }
        visit(entry(meta, HostKind::File))
    } else {
        visit(HostVisit::Special {
            rel: shown_rel,
            what: tarstream::special_kind(&meta),
        })
    }
}

fn unreadable_error(paths: &[String]) -> EngineError {
    EngineError::invalid(
        "source",
        format!(
            "Cannot read {}. Fix the permissions, or copy a folder without them. Nothing was copied.",
            tarstream::first_few(paths)
        ),
    )
}

/// Writes the tar of `source` (named `name`) into `writer`, counting into `report`.
fn write_upload(
    source: &Path,
    name: &Path,
    stop: &AtomicBool,
    writer: ChannelWriter,
    report: &mut CopyReport,
) -> Result<()> {
    let mut tar = tar::Builder::new(writer);
    let io_err = |e: io::Error| {
        if e.kind() == io::ErrorKind::BrokenPipe {
            EngineError::Cancelled
        } else {
            EngineError::Failed(format!("Sending the files failed: {e}"))
        }
    };
    let walked = walk_host(source, name, stop, false, &mut |v| {
        let e = match v {
            HostVisit::Entry(e) => e,
            HostVisit::Special { rel, what } => {
                report.skip(&rel, &format!("{what} is not copied"));
                return Ok(());
            }
            HostVisit::Unreadable(p) => {
                return Err(EngineError::Failed(format!(
                    "Cannot read {p}; the copy stopped part way."
                )))
            }
        };
        let mut h = tarstream::header_for(&e.meta, 0o555);
        match &e.kind {
            HostKind::Dir => {
                tarstream::append_dir(&mut tar, &mut h, &e.rel).map_err(io_err)?;
                report.dirs += 1;
            }
            HostKind::Link(target) => {
                tarstream::append_symlink(&mut tar, &mut h, &e.rel, target).map_err(io_err)?;
                report.links += 1;
            }
            HostKind::File => {
                let file = File::open(&e.abs).map_err(|err| {
                    EngineError::Failed(format!(
                        "Cannot read {} ({}); the copy stopped part way.",
                        e.rel.display(),
                        io_reason(&err)
                    ))
                })?;
                let len = e.meta.len();
                let short =
                    tarstream::append_file(&mut tar, &mut h, &e.rel, file, len).map_err(io_err)?;
                if short {
                    report.skip(
                        &e.rel.display().to_string(),
                        "it got shorter while it was copied; the rest was filled with zeros",
                    );
                }
                report.files += 1;
                report.bytes += len;
            }
        }
        Ok(())
    });
    match walked {
        Ok(()) => {
            let mut w = tar.into_inner().map_err(io_err)?;
            w.flush().map_err(io_err)
        }
        Err(e) => {
            tar.get_mut().fail(io::Error::other("the copy stopped"));
            Err(e)
        }
    }
}

/// The name a host path is copied as, after checking it exists and is a file, folder or link.
fn source_name(host_path: &Path) -> Result<PathBuf> {
    if host_path.as_os_str().is_empty() {
        return Err(EngineError::invalid(
            "source",
            "Choose a file or folder to copy.",
        ));
    }
    let meta = fs::symlink_metadata(host_path).map_err(|e| {
        EngineError::invalid(
            "source",
            if e.kind() == io::ErrorKind::NotFound {
                format!("{} does not exist.", host_path.display())
            } else {
                format!("{} cannot be read: {}", host_path.display(), io_reason(&e))
            },
        )
    })?;
    let ft = meta.file_type();
    if !(ft.is_file() || ft.is_dir() || ft.is_symlink()) {
        return Err(EngineError::invalid(
            "source",
            format!(
                "{} is {}; only files, folders and links can be copied.",
                host_path.display(),
                tarstream::special_kind(&meta)
            ),
        ));
    }
    match host_path.file_name() {
        Some(n) => Ok(PathBuf::from(n)),
        None => fs::canonicalize(host_path)
            .ok()
            .and_then(|p| p.file_name().map(PathBuf::from))
            .ok_or_else(|| {
                EngineError::invalid(
                    "source",
                    format!(
                        "{} has no name to copy as; choose a folder inside it.",
                        host_path.display()
                    ),
                )
            }),
    }
}

fn scan_source(host_path: &Path, stop: &AtomicBool) -> Result<CopyReport> {
    let name = source_name(host_path)?;
    let mut report = CopyReport::default();
    let mut unreadable = Vec::new();
    walk_host(host_path, &name, stop, true, &mut |v| {
        match v {
            HostVisit::Entry(e) => match e.kind {
                HostKind::File => {
                    report.files += 1;
                    report.bytes += e.meta.len();
                }
                HostKind::Dir => report.dirs += 1,
                HostKind::Link(_) => report.links += 1,
            },
            HostVisit::Special { rel, what } => report.skip(&rel, &format!("{what} is not copied")),
            HostVisit::Unreadable(p) => unreadable.push(p),
        }
        Ok(())
    })?;
    if !unreadable.is_empty() {
        return Err(unreadable_error(&unreadable));
    }
    report.target = name.display().to_string();
    Ok(report)
}

/// What [`Engine::copy_to_container`] would send, without sending anything: counts, the
/// entries it skips, and `target` set to the name it is copied as. Unreadable files and folders
/// are an `InvalidInput` (field `source`) naming them, as the copy itself reports them.
pub fn check_source(host_path: &Path) -> Result<CopyReport> {
    scan_source(host_path, &AtomicBool::new(false))
}

impl Engine {
    /// Copies a host file or folder into the container folder `container_dir` (which must exist
    /// and be a folder, or a link to one: `NotFound` / `InvalidInput` otherwise), as
    /// `container_dir/<name>`. The tar is streamed as the folder is walked, never held in memory.
    /// Links inside are stored as links, never followed (so is `host_path` itself when it is a
    /// link); FIFOs, sockets and devices are skipped and reported. The folder is walked once
    /// before sending: unreadable files are an `InvalidInput` naming them, and nothing is sent.
    /// Existing files in the container are replaced; a folder is never replaced by a file or
    /// the other way round (the daemon refuses).
    pub async fn copy_to_container(
        &self,
        id: &str,
        host_path: &Path,
        container_dir: &str,
        cancel: &CancellationToken,
    ) -> Result<CopyReport> {
        let id = container_ref(id)?;
        let dir = container_path(container_dir)?;
        let name = source_name(host_path)?;
        // Walk once first: unreadable files stop the copy before anything is sent.
        let stop = Arc::new(AtomicBool::new(false));
        let (source, walk_stop) = (host_path.to_path_buf(), stop.clone());
        let scan = tokio::task::spawn_blocking(move || scan_source(&source, &walk_stop));
        tokio::select! {
            biased;
            _ = cancel.cancelled() => {
                stop.store(true, Ordering::Relaxed);
                return Err(EngineError::Cancelled);
            }
            r = scan => r.map_err(|_| EngineError::Other("the copy task failed".into()))??,
        };
        self.folder(id, &dir).await?;

        let (tx, mut rx) = tarstream::channel();
        let (source, tar_name, writer_stop) = (host_path.to_path_buf(), name.clone(), stop.clone());
        let writer = tokio::task::spawn_blocking(move || {
            let mut report = CopyReport::default();
            let w = ChannelWriter::new(tx, "the copy failed");
            let r = write_upload(&source, &tar_name, &writer_stop, w, &mut report);
            (report, r)
        });
        let body =
            bollard::body_try_stream(futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx)));
        let docker = self.docker.clone().with_timeout(UPLOAD_TIMEOUT);
        let upload = docker.upload_to_container(
            id,
            Some(UploadToContainerOptions {
                path: dir.clone(),
                no_overwrite_dir_non_dir: Some("true".to_owned()),
                copy_uidgid: None,
            }),
            body,
        );
        let sent = tokio::select! {
            biased;
            _ = cancel.cancelled() => None,
            r = upload => Some(r),
        };
        // The request is gone either way: the writer sees a closed channel and stops.
        stop.store(true, Ordering::Relaxed);
        let (mut report, written) = writer
            .await
            .map_err(|_| EngineError::Other("the copy task failed".into()))?;
        let Some(sent) = sent else {
            return Err(EngineError::Cancelled);
        };
        if let Err(e) = sent {
            // The walk's own failure reaches the request as an aborted upload: report the walk's
            // reason, not the transport's.
            if let Err(w) = written {
                if w != EngineError::Cancelled {
                    return Err(w);
                }
            }
            return Err(self.archive_err(e, id, &dir).await);
        }
        written?;
        report.target = join_container(&dir, &name.to_string_lossy());
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One raw tar entry with the name and link name written straight into the header, so
    /// names `tar::Builder` refuses (`..`, absolute) can be built.
    fn raw(
        b: &mut tar::Builder<Vec<u8>>,
        name: &[u8],
        ty: tar::EntryType,
        data: &[u8],
        link: Option<&[u8]>,
        mode: u32,
    ) {
        let mut h = tar::Header::new_gnu();
        {
            let old = h.as_old_mut();
            old.name[..name.len()].copy_from_slice(name);
            if let Some(l) = link {
                old.linkname[..l.len()].copy_from_slice(l);
            }
        }
        h.set_entry_type(ty);
        h.set_size(data.len() as u64);
        h.set_mode(mode);
        h.set_mtime(1_600_000_000);
        h.set_cksum();
        b.append(&h, data).unwrap();
    }

    fn file(b: &mut tar::Builder<Vec<u8>>, name: &str, data: &[u8]) {
        raw(
            b,
            name.as_bytes(),
            tar::EntryType::Regular,
            data,
            None,
            0o644,
        );
    }

    fn dir(b: &mut tar::Builder<Vec<u8>>, name: &str) {
        raw(
            b,
            name.as_bytes(),
            tar::EntryType::Directory,
            b"",
            None,
            0o755,
        );
    }

    fn link(b: &mut tar::Builder<Vec<u8>>, name: &str, target: &str) {
        raw(
            b,
            name.as_bytes(),
            tar::EntryType::Symlink,
            b"",
            Some(target.as_bytes()),
            0o777,
        );
    }

    fn extract(b: tar::Builder<Vec<u8>>, dest: &Path) -> CopyReport {
        let bytes = b.into_inner().unwrap();
        let mut report = CopyReport::default();
        extract_safely(&bytes[..], dest, &mut report).unwrap();
        report
    }

    fn skipped_has(r: &CopyReport, path: &str, why: &str) -> bool {
        r.skipped
            .iter()
            .any(|s| s.starts_with(&format!("{path}: ")) && s.contains(why))
    }

    #[test]
    fn dot_dot_escape_is_skipped_and_the_rest_extracted() {
        let root = tempfile::tempdir().unwrap();
        let dest = root.path().join("dest");
        fs::create_dir(&dest).unwrap();
        let mut b = tar::Builder::new(Vec::new());
        file(&mut b, "../escaped.txt", b"evil");
        file(&mut b, "a/../../escaped2.txt", b"evil");
        file(&mut b, "ok.txt", b"fine");
        let r = extract(b, &dest);
        assert!(!root.path().join("escaped.txt").exists());
        assert!(!root.path().join("escaped2.txt").exists());
        assert_eq!(fs::read(dest.join("ok.txt")).unwrap(), b"fine");
        assert!(skipped_has(&r, "../escaped.txt", ".."), "{r:?}");
        assert!(skipped_has(&r, "a/../../escaped2.txt", ".."), "{r:?}");
        assert_eq!(r.files, 1);
        assert_eq!(r.skipped.len(), 2);
    }

    #[test]
    fn absolute_and_drive_paths_are_skipped() {
        let root = tempfile::tempdir().unwrap();
        let outside = root.path().join("abs.txt");
        let dest = root.path().join("dest");
        fs::create_dir(&dest).unwrap();
        let mut b = tar::Builder::new(Vec::new());
        file(&mut b, outside.to_str().unwrap(), b"evil");
        file(&mut b, "C:/windows.txt", b"evil");
        file(&mut b, "\\server\\share.txt", b"evil");
        let r = extract(b, &dest);
        assert!(!outside.exists());
        assert_eq!(fs::read_dir(&dest).unwrap().count(), 0);
        assert!(
            skipped_has(&r, outside.to_str().unwrap(), "absolute"),
            "{r:?}"
        );
        assert!(skipped_has(&r, "C:/windows.txt", "drive"), "{r:?}");
        assert!(skipped_has(&r, "\\server\\share.txt", "absolute"), "{r:?}");
        assert_eq!(r.files, 0);
    }

    #[cfg(unix)]
    #[test]
    fn file_through_an_escaping_symlink_is_skipped() {
        let root = tempfile::tempdir().unwrap();
        let outside = root.path().join("outside");
        fs::create_dir(&outside).unwrap();
        let dest = root.path().join("dest");
        fs::create_dir(&dest).unwrap();
        let mut b = tar::Builder::new(Vec::new());
        link(&mut b, "link", outside.to_str().unwrap());
        file(&mut b, "link/evil", b"evil");
        let r = extract(b, &dest);
        // The link itself is created, verbatim: it is never written through.
        assert_eq!(fs::read_link(dest.join("link")).unwrap(), outside);
        assert!(!outside.join("evil").exists());
        assert_eq!(fs::read_dir(&outside).unwrap().count(), 0);
        assert!(skipped_has(&r, "link/evil", "link"), "{r:?}");
        assert_eq!((r.links, r.files), (1, 0));
    }

    #[cfg(unix)]
    #[test]
    fn file_through_a_symlink_inside_dest_is_still_skipped() {
        let dest = tempfile::tempdir().unwrap();
        let dest = dest.path();
        let mut b = tar::Builder::new(Vec::new());
        dir(&mut b, "real/");
        link(&mut b, "alias", "real");
        file(&mut b, "alias/through.txt", b"x");
        let r = extract(b, dest);
        assert!(dest.join("real").is_dir());
        assert_eq!(
            fs::read_link(dest.join("alias")).unwrap(),
            Path::new("real")
        );
        assert!(!dest.join("real/through.txt").exists());
        assert!(skipped_has(&r, "alias/through.txt", "link"), "{r:?}");
        assert_eq!((r.dirs, r.links, r.files), (1, 1, 0));
    }

    #[test]
    fn hard_links_only_to_files_extracted_before() {
        let root = tempfile::tempdir().unwrap();
        let secret = root.path().join("secret.txt");
        fs::write(&secret, b"secret").unwrap();
        let dest = root.path().join("dest");
        fs::create_dir(&dest).unwrap();
        // A file already in dest that the archive did not write.
        fs::write(dest.join("preexisting.txt"), b"mine").unwrap();
        let mut b = tar::Builder::new(Vec::new());
        let hard = tar::EntryType::Link;
        raw(
            &mut b,
            b"to-outside",
            hard,
            b"",
            Some(secret.to_str().unwrap().as_bytes()),
            0o644,
        );
        raw(
            &mut b,
            b"to-parent",
            hard,
            b"",
            Some(b"../secret.txt"),
            0o644,
        );
        raw(&mut b, b"to-missing", hard, b"", Some(b"nope.txt"), 0o644);
        raw(
            &mut b,
            b"to-preexisting",
            hard,
            b"",
            Some(b"preexisting.txt"),
            0o644,
        );
        file(&mut b, "orig.txt", b"hello");
        raw(&mut b, b"good", hard, b"", Some(b"orig.txt"), 0o644);
        let r = extract(b, &dest);
        for n in ["to-outside", "to-parent", "to-missing", "to-preexisting"] {
            assert!(!dest.join(n).exists(), "{n}");
            assert!(skipped_has(&r, n, "hard link"), "{n}: {r:?}");
        }
        assert_eq!(fs::read(dest.join("good")).unwrap(), b"hello");
        assert_eq!(fs::read(&secret).unwrap(), b"secret");
        assert_eq!(r.files, 2);
        assert_eq!(r.skipped.len(), 4);
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_fifos_are_skipped() {
        let dest = tempfile::tempdir().unwrap();
        let dest = dest.path();
        let mut b = tar::Builder::new(Vec::new());
        raw(&mut b, b"null", tar::EntryType::Char, b"", None, 0o666);
        raw(&mut b, b"disk", tar::EntryType::Block, b"", None, 0o660);
        raw(&mut b, b"pipe", tar::EntryType::Fifo, b"", None, 0o644);
        file(&mut b, "after.txt", b"ok");
        let r = extract(b, dest);
        for n in ["null", "disk", "pipe"] {
            assert!(fs::symlink_metadata(dest.join(n)).is_err(), "{n}");
        }
        assert!(skipped_has(&r, "null", "devices"), "{r:?}");
        assert!(skipped_has(&r, "disk", "devices"), "{r:?}");
        assert!(skipped_has(&r, "pipe", "FIFO"), "{r:?}");
        assert_eq!(fs::read(dest.join("after.txt")).unwrap(), b"ok");
        assert_eq!(r.files, 1);
    }

    #[cfg(unix)]
    #[test]
    fn setuid_setgid_and_sticky_are_stripped() {
        use std::os::unix::fs::PermissionsExt;
        let dest = tempfile::tempdir().unwrap();
        let dest = dest.path();
        let mut b = tar::Builder::new(Vec::new());
        raw(
            &mut b,
            b"suid",
            tar::EntryType::Regular,
            b"#!",
            None,
            0o4755,
        );
        raw(
            &mut b,
            b"sgid",
            tar::EntryType::Regular,
            b"#!",
            None,
            0o2750,
        );
        raw(
            &mut b,
            b"sticky/",
            tar::EntryType::Directory,
            b"",
            None,
            0o1777,
        );
        let r = extract(b, dest);
        let mode = |n: &str| fs::metadata(dest.join(n)).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode("suid"), 0o755);
        assert_eq!(mode("sgid"), 0o750);
        assert_eq!(mode("sticky"), 0o777);
        assert!(r.skipped.is_empty(), "{r:?}");
        assert_eq!((r.files, r.dirs), (2, 1));
    }

    #[test]
    fn nested_folder_is_extracted_byte_exact() {
        let dest = tempfile::tempdir().unwrap();
        let dest = dest.path();
        let big: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let long = format!("site/{}/deep.txt", "n".repeat(120));
        let mut b = tar::Builder::new(Vec::new());
        dir(&mut b, "site/");
        file(&mut b, "site/index.html", b"<h1>hi</h1>");
        dir(&mut b, "site/assets/");
        file(&mut b, "site/assets/big.bin", &big);
        file(&mut b, "site/assets/empty", b"");
        // A long name goes through a GNU long-name record.
        let mut h = tar::Header::new_gnu();
        h.set_size(4);
        h.set_mode(0o600);
        b.append_data(&mut h, &long, &b"deep"[..]).unwrap();
        #[cfg(unix)]
        link(&mut b, "site/latest", "index.html");
        let r = extract(b, dest);
        assert_eq!(
            fs::read(dest.join("site/index.html")).unwrap(),
            b"<h1>hi</h1>"
        );
        assert_eq!(fs::read(dest.join("site/assets/big.bin")).unwrap(), big);
        assert_eq!(fs::read(dest.join("site/assets/empty")).unwrap(), b"");
        assert_eq!(fs::read(dest.join(&long)).unwrap(), b"deep");
        assert_eq!(r.bytes, 11 + big.len() as u64 + 4);
        assert_eq!(r.files, 4);
        assert_eq!(r.dirs, 2);
        assert!(r.skipped.is_empty(), "{r:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(r.links, 1);
            assert_eq!(
                fs::read_link(dest.join("site/latest")).unwrap(),
                Path::new("index.html")
            );
            let m = fs::metadata(dest.join("site/index.html")).unwrap();
            assert_eq!(m.permissions().mode() & 0o777, 0o644);
            assert_eq!(
                m.modified().unwrap(),
                SystemTime::UNIX_EPOCH + Duration::from_secs(1_600_000_000)
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn an_existing_symlink_at_the_final_path_is_replaced_not_written_through() {
        let root = tempfile::tempdir().unwrap();
        let victim = root.path().join("victim.txt");
        fs::write(&victim, b"precious").unwrap();
        let dest = root.path().join("dest");
        fs::create_dir(&dest).unwrap();
        std::os::unix::fs::symlink(&victim, dest.join("config")).unwrap();
        let mut b = tar::Builder::new(Vec::new());
        file(&mut b, "config", b"new content");
        let r = extract(b, &dest);
        assert_eq!(fs::read(&victim).unwrap(), b"precious");
        let m = fs::symlink_metadata(dest.join("config")).unwrap();
        assert!(m.file_type().is_file());
        assert_eq!(fs::read(dest.join("config")).unwrap(), b"new content");
        assert!(r.skipped.is_empty(), "{r:?}");
        assert_eq!(r.files, 1);
    }

    #[cfg(unix)]
    #[test]
    fn an_archive_symlink_then_file_of_the_same_name_does_not_write_through() {
        let root = tempfile::tempdir().unwrap();
        let victim = root.path().join("victim.txt");
        fs::write(&victim, b"precious").unwrap();
        let dest = root.path().join("dest");
        fs::create_dir(&dest).unwrap();
        let mut b = tar::Builder::new(Vec::new());
        link(&mut b, "x", victim.to_str().unwrap());
        file(&mut b, "x", b"overwritten?");
        let r = extract(b, &dest);
        assert_eq!(fs::read(&victim).unwrap(), b"precious");
        assert!(fs::symlink_metadata(dest.join("x"))
            .unwrap()
            .file_type()
            .is_file());
        assert_eq!((r.links, r.files), (1, 1));
    }

    #[test]
    fn a_file_never_replaces_a_folder() {
        let dest = tempfile::tempdir().unwrap();
        let dest = dest.path();
        let mut b = tar::Builder::new(Vec::new());
        dir(&mut b, "d/");
        file(&mut b, "d/keep.txt", b"keep");
        file(&mut b, "d", b"file over folder");
        let r = extract(b, dest);
        assert_eq!(fs::read(dest.join("d/keep.txt")).unwrap(), b"keep");
        assert!(skipped_has(&r, "d", "folder is already there"), "{r:?}");
    }

    #[test]
    fn only_under_keeps_to_the_asked_path() {
        let dest = tempfile::tempdir().unwrap();
        let dest = dest.path();
        let mut b = tar::Builder::new(Vec::new());
        dir(&mut b, "data/");
        file(&mut b, "data/a.txt", b"a");
        file(&mut b, "sibling.txt", b"not asked for");
        let bytes = b.into_inner().unwrap();
        let mut r = CopyReport::default();
        extract_into(&bytes[..], dest, Some(b"data"), &mut r).unwrap();
        assert_eq!(fs::read(dest.join("data/a.txt")).unwrap(), b"a");
        assert!(!dest.join("sibling.txt").exists());
        assert!(skipped_has(&r, "sibling.txt", "outside"), "{r:?}");
    }

    #[test]
    fn a_cut_archive_is_an_error_not_a_short_success() {
        let dest = tempfile::tempdir().unwrap();
        let mut b = tar::Builder::new(Vec::new());
        file(&mut b, "big", &[7u8; 10_000]);
        let bytes = b.into_inner().unwrap();
        let mut r = CopyReport::default();
        let e = extract_safely(&bytes[..3000], dest.path(), &mut r).unwrap_err();
        assert_eq!(e.code(), "Failed", "{e}");
    }

    #[test]
    fn extract_needs_an_existing_folder() {
        let root = tempfile::tempdir().unwrap();
        let mut r = CopyReport::default();
        let e = extract_safely(&b""[..], &root.path().join("missing"), &mut r).unwrap_err();
        assert_eq!(e.code(), "InvalidInput");
    }

    #[test]
    fn container_paths_and_refs_are_checked() {
        assert_eq!(container_path("/").unwrap(), "/");
        assert_eq!(container_path("/a//b/./c/").unwrap(), "/a/b/c");
        assert_eq!(container_path("/a/../../b").unwrap(), "/b");
        for bad in ["", "relative/x", "./x"] {
            let e = container_path(bad).unwrap_err();
            assert_eq!(e.code(), "InvalidInput", "{bad}");
            assert!(e.to_string().starts_with("path: "), "{e}");
        }
        assert!(container_path("etc")
            .unwrap_err()
            .to_string()
            .contains("must start with /"));
        assert_eq!(container_ref("/web-1").unwrap(), "web-1");
        for bad in ["", "../images/json", "a b", "x?y", "-x"] {
            assert_eq!(
                container_ref(bad).unwrap_err().code(),
                "InvalidInput",
                "{bad}"
            );
        }
    }

    #[test]
    fn listing_keeps_direct_children_only() {
        let mut b = tar::Builder::new(Vec::new());
        dir(&mut b, "data/");
        file(&mut b, "data/a.txt", b"abc");
        raw(
            &mut b,
            b"data/hard",
            tar::EntryType::Link,
            b"",
            Some(b"data/a.txt"),
            0o644,
        );
        link(&mut b, "data/lnk", "/etc/passwd");
        dir(&mut b, "data/sub/");
        file(&mut b, "data/sub/deep.txt", b"deep");
        raw(&mut b, b"data/fifo", tar::EntryType::Fifo, b"", None, 0o644);
        let bytes = b.into_inner().unwrap();
        let far = Instant::now() + Duration::from_secs(60);
        let s = scan_listing(&bytes[..], "/data", far);
        assert!(s.error.is_none() && !s.truncated);
        let names: Vec<(&str, FileKind, u64)> = s
            .entries
            .iter()
            .map(|e| (e.name.as_str(), e.kind, e.size))
            .collect();
        assert_eq!(
            names,
            [
                ("a.txt", FileKind::File, 3),
                ("hard", FileKind::File, 3),
                ("lnk", FileKind::Symlink, 0),
                ("sub", FileKind::Dir, 0),
                ("fifo", FileKind::Other, 0),
            ]
        );
        let lnk = &s.entries[2];
        assert_eq!(lnk.path, "/data/lnk");
        assert_eq!(lnk.link_target.as_deref(), Some("/etc/passwd"));
        assert_eq!(lnk.modified, 1_600_000_000);

        // The archive of `/` names its entries absolutely.
        let mut b = tar::Builder::new(Vec::new());
        raw(&mut b, b"/", tar::EntryType::Directory, b"", None, 0o755);
        raw(
            &mut b,
            b"/bin/",
            tar::EntryType::Directory,
            b"",
            None,
            0o755,
        );
        raw(
            &mut b,
            b"/bin/sh",
            tar::EntryType::Symlink,
            b"",
            Some(b"busybox"),
            0o777,
        );
        raw(
            &mut b,
            b"/.dockerenv",
            tar::EntryType::Regular,
            b"",
            None,
            0o755,
        );
        let bytes = b.into_inner().unwrap();
        let s = scan_listing(&bytes[..], "/", far);
        let paths: Vec<&str> = s.entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["/bin", "/.dockerenv"]);
    }

    #[tokio::test]
    async fn a_stalled_download_stops_at_the_deadline_and_the_reader_sees_an_error() {
        let (tx, rx) = mpsc::channel(CHANNEL_DEPTH);
        let first = futures_util::stream::iter([Ok(Bytes::from_static(b"partial"))]);
        let stalled = first.chain(futures_util::stream::pending());
        let reader = tokio::task::spawn_blocking(move || {
            let mut r = ChannelReader::new(rx);
            let mut all = Vec::new();
            let e = r.read_to_end(&mut all).unwrap_err();
            (all, e.kind())
        });
        let never = CancellationToken::new();
        let deadline = tokio::time::Instant::now() + Duration::from_millis(100);
        let end = pump(stalled, tx, &never, Some(deadline)).await;
        assert!(matches!(end, PumpEnd::Deadline), "{end:?}");
        let (all, kind) = reader.await.unwrap();
        assert_eq!(all, b"partial");
        assert_eq!(kind, io::ErrorKind::TimedOut);
    }

    #[tokio::test]
    async fn cancelling_a_download_is_an_error_for_the_reader() {
        let (tx, rx) = mpsc::channel(CHANNEL_DEPTH);
        let stalled = futures_util::stream::pending();
        let reader = tokio::task::spawn_blocking(move || {
            let mut all = Vec::new();
            ChannelReader::new(rx).read_to_end(&mut all).is_err()
        });
        let cancel = CancellationToken::new();
        let c = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            c.cancel();
        });
        let end = pump(stalled, tx, &cancel, None).await;
        assert!(matches!(end, PumpEnd::Cancelled), "{end:?}");
        assert!(reader.await.unwrap());
    }

    #[test]
    fn a_channel_dropped_without_end_is_not_a_clean_eof() {
        let (tx, rx) = mpsc::channel(4);
        tx.try_send(Msg::Data(Bytes::from_static(b"abc"))).unwrap();
        drop(tx);
        let mut all = Vec::new();
        let e = ChannelReader::new(rx).read_to_end(&mut all).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::BrokenPipe);
        assert_eq!(all, b"abc");
    }

    #[test]
    fn listing_past_its_deadline_is_truncated() {
        let mut b = tar::Builder::new(Vec::new());
        dir(&mut b, "d/");
        file(&mut b, "d/a", b"");
        let bytes = b.into_inner().unwrap();
        let s = scan_listing(&bytes[..], "/d", Instant::now());
        assert!(s.truncated);
        assert!(s.entries.is_empty());
    }

    #[test]
    fn listing_stops_at_the_entry_limit() {
        let mut b = tar::Builder::new(Vec::new());
        dir(&mut b, "big/");
        for i in 0..(LIST_MAX_ENTRIES + 10) {
            file(&mut b, &format!("big/{i}"), b"");
        }
        let bytes = b.into_inner().unwrap();
        let s = scan_listing(&bytes[..], "/big", Instant::now() + Duration::from_secs(60));
        assert!(s.truncated);
        assert_eq!(s.entries.len(), LIST_MAX_ENTRIES - 1);
    }
}
