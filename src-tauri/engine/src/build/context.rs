//! Build contexts: walk a folder the way Docker's archiver does (`.dockerignore` with its exact
//! rules, links archived as links and never followed, special files skipped), summarise what would
//! be sent, and stream it to the daemon as a tar without holding it in memory.

use std::collections::BinaryHeap;
use std::fs::{self, File, Metadata};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde::Serialize;
use specta::Type;

use super::dockerignore::{go_clean, DockerIgnore};
use crate::error::{EngineError, Result};
use crate::tarstream::{self, ChannelWriter};

/// The name Docker uses when none is given.
pub const DEFAULT_DOCKERFILE: &str = "Dockerfile";
/// How many of the biggest entries a summary lists.
const BIGGEST: usize = 8;

/// A folder to build, resolved and checked: its `.dockerignore` read, the Dockerfile found.
#[derive(Debug, Clone)]
pub struct Context {
    pub root: PathBuf,
    pub ignore: DockerIgnore,
    /// The Dockerfile's path inside the context (`/`-separated), or `None` when it lies outside.
    pub dockerfile_in_context: Option<String>,
    /// The Dockerfile's real path on disk.
    pub dockerfile_path: PathBuf,
    /// Problems with `.dockerignore` lines that do not stop a build.
    pub warnings: Vec<String>,
}

/// One of the biggest things a context holds: a file, or a folder's total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SizedEntry {
    pub path: String,
    pub bytes: u64,
    pub is_dir: bool,
}

/// What a build would send, computed before sending it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ContextSummary {
    pub files: u64,
    pub dirs: u64,
    pub symlinks: u64,
    /// Bytes of file content.
    pub bytes: u64,
    /// The size of the tar stream the daemon will receive.
    pub tar_bytes: u64,
    /// Entries left out by `.dockerignore` (a left-out folder counts once).
    pub excluded: u64,
    /// The biggest top-level entries (folders with everything sent inside them).
    pub biggest: Vec<SizedEntry>,
    /// The biggest single files anywhere.
    pub biggest_files: Vec<SizedEntry>,
    /// Things the user should know: `.dockerignore` lines, links leaving the folder, skipped
    /// special files.
    pub warnings: Vec<String>,
    /// Files and folders that cannot be read (the build refuses to start while there are any).
    pub unreadable: Vec<String>,
    /// The Dockerfile's path in the context, or `None` when it lies outside (it is then sent under
    /// a generated name, as the docker CLI does).
    pub dockerfile: Option<String>,
}

/// Counting progress while a big folder is walked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ScanProgress {
    pub entries: u64,
    pub bytes: u64,
}

/// A cancel flag shared between a caller and a walk running on a blocking thread.
#[derive(Debug, Clone, Default)]
pub struct CancelFlag(Arc<AtomicBool>);

impl CancelFlag {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

fn invalid(field: &str, msg: impl Into<String>) -> EngineError {
    EngineError::invalid(field, msg)
}

impl Context {
    /// Resolves a context folder and a Dockerfile path (relative to the folder, or absolute and
    /// possibly outside it, like `docker build -f`), reads `.dockerignore`, and checks both exist.
    /// Nothing is sent anywhere.
    pub fn open(root: &Path, dockerfile: &str) -> Result<Self> {
        if root.as_os_str().is_empty() {
            return Err(invalid("context", "Choose a folder to build."));
        }
        let meta = fs::metadata(root).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => invalid(
                "context",
                format!("The folder {} does not exist.", root.display()),
            ),
            _ => invalid(
                "context",
                format!("The folder {} cannot be opened: {e}", root.display()),
            ),
        })?;
        if !meta.is_dir() {
            return Err(invalid(
                "context",
                format!(
                    "{} is a file; a build context is a folder (the Dockerfile can be any file).",
                    root.display()
                ),
            ));
        }
        let root = fs::canonicalize(root).map_err(|e| {
            invalid(
                "context",
                format!("The folder {} cannot be opened: {e}", root.display()),
            )
        })?;

        let given = if dockerfile.trim().is_empty() {
            DEFAULT_DOCKERFILE
        } else {
            dockerfile
        };
        let mut candidate = root.join(given);
        // The docker CLI also accepts a lower-case `dockerfile` when `Dockerfile` is absent.
        if given == DEFAULT_DOCKERFILE && !candidate.exists() && root.join("dockerfile").exists() {
            candidate = root.join("dockerfile");
        }
        let dockerfile_path = match fs::canonicalize(&candidate) {
            Ok(p) => p,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(invalid(
                    "dockerfile",
                    if given == DEFAULT_DOCKERFILE {
                        format!(
                            "There is no Dockerfile in {}. Add one, or choose another file as the Dockerfile.",
                            root.display()
                        )
                    } else {
                        format!("The Dockerfile {} does not exist.", candidate.display())
                    },
                ))
            }
            Err(e) => {
                return Err(invalid(
                    "dockerfile",
                    format!("The Dockerfile {} cannot be read: {e}", candidate.display()),
                ))
            }
        };
        if !dockerfile_path.is_file() {
            return Err(invalid(
                "dockerfile",
                format!("{} is not a file.", dockerfile_path.display()),
            ));
        }
        File::open(&dockerfile_path).map_err(|e| {
            invalid(
                "dockerfile",
                format!(
                    "The Dockerfile {} cannot be read: {e}",
                    dockerfile_path.display()
                ),
            )
        })?;
        let dockerfile_in_context = dockerfile_path
            .strip_prefix(&root)
            .ok()
            .map(|rel| slash_path(rel.as_os_str()));

        let ignore_path = root.join(".dockerignore");
        let mut ignore = match fs::read(&ignore_path) {
            Ok(bytes) => DockerIgnore::parse(&String::from_utf8_lossy(&bytes))?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => DockerIgnore::default(),
            Err(e) => {
                return Err(invalid(
                    ".dockerignore",
                    format!("{} cannot be read: {e}", ignore_path.display()),
                ))
            }
        };
        let warnings = ignore
            .warnings
            .iter()
            .map(|w| format!(".dockerignore line {}: {}", w.line, w.message))
            .collect();
        let mut always = vec![".dockerignore"];
        if let Some(df) = &dockerfile_in_context {
            always.push(df);
        }
        ignore.always_send(&always);
        Ok(Self {
            root,
            ignore,
            dockerfile_in_context,
            dockerfile_path,
            warnings,
        })
    }

    /// Walks the folder and says what a build would send. `progress` is called every few
    /// thousand entries; `cancel` stops the walk within one entry.
    pub fn summarise(
        &self,
        cancel: &CancelFlag,
        mut progress: impl FnMut(ScanProgress),
    ) -> Result<ContextSummary> {
        let mut s = ContextSummary {
            dockerfile: self.dockerfile_in_context.clone(),
            warnings: self.warnings.clone(),
            tar_bytes: 1024,
            ..Default::default()
        };
        let mut top: Vec<(String, u64, bool)> = Vec::new();
        let mut files: BinaryHeap<std::cmp::Reverse<(u64, String)>> = BinaryHeap::new();
        let mut last = Instant::now();
        let mut seen = 0u64;
        walk(self, cancel, &mut |ev| {
            match ev {
                Visit::Entry(e) => {
                    seen += 1;
                    s.tar_bytes += header_bytes(&e.rel);
                    let size = match e.kind {
                        Kind::File => {
                            s.files += 1;
                            let n = e.meta.len();
                            s.bytes += n;
                            s.tar_bytes += n.div_ceil(512) * 512;
                            files.push(std::cmp::Reverse((n, e.rel.clone())));
                            if files.len() > BIGGEST {
                                files.pop();
                            }
                            n
                        }
                        Kind::Dir => {
                            s.dirs += 1;
                            0
                        }
                        Kind::Symlink(_) => {
                            s.symlinks += 1;
                            0
                        }
                    };
                    let first = e.rel.split('/').next().unwrap_or_default();
                    // A top-level entry's contents arrive right after it (depth first).
                    match top.last_mut() {
                        Some(t) if t.0 == first => t.1 += size,
                        _ => top.push((first.to_owned(), size, matches!(e.kind, Kind::Dir))),
                    }
                }
                Visit::Excluded => s.excluded += 1,
                Visit::Warning(w) => s.warnings.push(w),
                Visit::Unreadable(p) => s.unreadable.push(p),
            }
            if last.elapsed() >= Duration::from_millis(100) {
                last = Instant::now();
                progress(ScanProgress {
                    entries: seen,
                    bytes: s.bytes,
                });
            }
            Ok(())
        })?;
        if self.dockerfile_in_context.is_none() {
            let n = fs::metadata(&self.dockerfile_path)
                .map(|m| m.len())
                .unwrap_or(0);
            s.files += 1;
            s.bytes += n;
            s.tar_bytes += 512 + n.div_ceil(512) * 512;
        }
        top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        s.biggest = top
            .into_iter()
            .take(BIGGEST)
            .map(|(path, bytes, is_dir)| SizedEntry {
                path,
                bytes,
                is_dir,
            })
            .collect();
        let mut biggest_files: Vec<_> = files.into_iter().map(|r| r.0).collect();
        biggest_files.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        s.biggest_files = biggest_files
            .into_iter()
            .map(|(bytes, path)| SizedEntry {
                path,
                bytes,
                is_dir: false,
            })
            .collect();
        progress(ScanProgress {
            entries: seen,
            bytes: s.bytes,
        });
        Ok(s)
    }

    /// Starts writing the context as a tar on a blocking thread. The returned receiver yields
    /// chunks for the request body; dropping it stops the walk. `sent` counts the bytes handed to
    /// the request. The name to give the daemon as the Dockerfile is returned with it.
    pub fn stream(&self, cancel: CancelFlag) -> TarStream {
        let (tx, rx) = tarstream::channel();
        let sent = Arc::new(AtomicU64::new(0));
        let outside_name = self.dockerfile_in_context.is_none().then(|| {
            let mut seed = [0u8; 10];
            fill_random(&mut seed);
            format!(".dockerfile.{}", hex::encode(seed))
        });
        let dockerfile_name = match (&self.dockerfile_in_context, &outside_name) {
            (Some(rel), _) => rel.clone(),
            (None, Some(name)) => name.clone(),
            (None, None) => DEFAULT_DOCKERFILE.to_owned(),
        };
        let ctx = self.clone();
        let counter = sent.clone();
        let handle = std::thread::Builder::new()
            .name("build-context".into())
            .spawn(move || {
                let writer =
                    ChannelWriter::new(tx.clone(), "the build context failed").counting(counter);
                let result = write_tar(&ctx, &cancel, writer, outside_name.as_deref());
                if let Err(e) = &result {
                    // Tell the request the body failed, so the daemon sees an aborted upload
                    // rather than a short, valid-looking tar.
                    let _ = tx.blocking_send(Err(io::Error::other(e.to_string())));
                }
                result
            });
        TarStream {
            chunks: rx,
            sent,
            dockerfile_name,
            writer: handle.ok(),
        }
    }
}

/// The context on its way to the daemon.
pub struct TarStream {
    pub chunks: tokio::sync::mpsc::Receiver<io::Result<Bytes>>,
    pub sent: Arc<AtomicU64>,
    /// What to pass the daemon as the Dockerfile (a generated name when it lies outside).
    pub dockerfile_name: String,
    writer: Option<std::thread::JoinHandle<Result<TarReport>>>,
}

impl TarStream {
    /// Waits for the writer thread and returns what it reported (call after the body is done).
    pub fn finish(self) -> Result<TarReport> {
        drop(self.chunks);
        match self.writer {
            Some(h) => h
                .join()
                .unwrap_or_else(|_| Err(EngineError::Other("the context writer failed".into()))),
            None => Err(EngineError::Other(
                "could not start a thread to send the build context".into(),
            )),
        }
    }
}

/// What the tar writer met on its way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TarReport {
    pub entries: u64,
    pub warnings: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// The walk

enum Kind {
    File,
    Dir,
    Symlink(PathBuf),
}

struct Entry {
    rel: String,
    abs: PathBuf,
    meta: Metadata,
    kind: Kind,
}

// An entry is visited once and consumed at once: boxing it would only add an allocation.
#[allow(clippy::large_enum_variant)]
enum Visit {
    Entry(Entry),
    Excluded,
    Warning(String),
    Unreadable(String),
}

fn slash_path(p: &std::ffi::OsStr) -> String {
    let s = p.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        s.into_owned()
    } else {
        s.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

/// The walk of moby's `TarWithOptions`: entries in lexical order, the root itself not sent, a
/// folder left out and not walked unless an exception line could match inside it, what is inside
/// a folder matched with the folder's results (`MatchesUsingParentResults`).
fn walk(
    ctx: &Context,
    cancel: &CancelFlag,
    visit: &mut dyn FnMut(Visit) -> Result<()>,
) -> Result<()> {
    walk_dir(ctx, cancel, &ctx.root, "", None, visit)
}

fn walk_dir(
    ctx: &Context,
    cancel: &CancelFlag,
    dir: &Path,
    rel_dir: &str,
    parent: Option<&[bool]>,
    visit: &mut dyn FnMut(Visit) -> Result<()>,
) -> Result<()> {
    let shown = |rel: &str| {
        if rel.is_empty() {
            ".".to_owned()
        } else {
            rel.to_owned()
        }
    };
    let names = match tarstream::sorted_names(dir) {
        Ok(n) => n,
        Err(e) => {
            return visit(Visit::Unreadable(format!(
                "{}/ ({})",
                shown(rel_dir),
                io_reason(&e)
            )))
        }
    };
    for name in names {
        if cancel.is_cancelled() {
            return Err(EngineError::Cancelled);
        }
        let abs = dir.join(&name);
        let name_s = slash_path(&name);
        let rel = if rel_dir.is_empty() {
            name_s
        } else {
            format!("{rel_dir}/{name_s}")
        };
        let meta = match fs::symlink_metadata(&abs) {
            Ok(m) => m,
            Err(e) => {
                visit(Visit::Unreadable(format!("{rel} ({})", io_reason(&e))))?;
                continue;
            }
        };
        let (excluded, info) = ctx.ignore.matches_with_parent(&rel, parent);
        let ft = meta.file_type();
        if excluded {
            if ft.is_dir() && ctx.ignore.walk_excluded_dir(&rel) {
                walk_dir(ctx, cancel, &abs, &rel, Some(&info), visit)?;
            } else {
                visit(Visit::Excluded)?;
            }
            continue;
        }
        if ft.is_symlink() {
            let target = match fs::read_link(&abs) {
                Ok(t) => t,
                Err(e) => {
                    visit(Visit::Unreadable(format!("{rel} ({})", io_reason(&e))))?;
                    continue;
                }
            };
            if link_leaves(&rel, &target) {
                visit(Visit::Warning(format!(
                    "{rel} is a link to {} outside the folder: the link is sent, not what it points to.",
                    target.display()
                )))?;
            }
            visit(Visit::Entry(Entry {
                rel,
                abs,
                meta,
                kind: Kind::Symlink(target),
            }))?;
        } else if ft.is_dir() {
            visit(Visit::Entry(Entry {
                rel: rel.clone(),
                abs: abs.clone(),
                meta,
                kind: Kind::Dir,
            }))?;
            walk_dir(ctx, cancel, &abs, &rel, Some(&info), visit)?;
        } else if ft.is_file() {
            if let Err(e) = File::open(&abs) {
                visit(Visit::Unreadable(format!("{rel} ({})", io_reason(&e))))?;
                continue;
            }
            visit(Visit::Entry(Entry {
                rel,
                abs,
                meta,
                kind: Kind::File,
            }))?;
        } else {
            visit(Visit::Warning(format!(
                "{rel} is {} and is not sent.",
                tarstream::special_kind(&meta)
            )))?;
        }
    }
    Ok(())
}

fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        io::ErrorKind::NotFound => "it disappeared while the folder was read".into(),
        _ => e.to_string(),
    }
}

/// Whether a link at `rel` with `target` points outside the context.
fn link_leaves(rel: &str, target: &Path) -> bool {
    if target.is_absolute() {
        return true;
    }
    let parent = rel.rsplit_once('/').map(|(p, _)| p).unwrap_or("");
    let joined = if parent.is_empty() {
        slash_path(target.as_os_str())
    } else {
        format!("{parent}/{}", slash_path(target.as_os_str()))
    };
    let clean = go_clean(&joined);
    clean == ".." || clean.starts_with("../")
}

/// Tar header bytes for a path (a GNU long-name record when it does not fit in 100 bytes).
fn header_bytes(rel: &str) -> u64 {
    let name = rel.len() + 1;
    if name > 100 {
        512 + 512 + (name as u64).div_ceil(512) * 512
    } else {
        512
    }
}

// ---------------------------------------------------------------------------------------------
// The tar

fn write_tar(
    ctx: &Context,
    cancel: &CancelFlag,
    writer: ChannelWriter,
    outside_dockerfile: Option<&str>,
) -> Result<TarReport> {
    let mut tar = tar::Builder::new(writer);
    tar.mode(tar::HeaderMode::Complete);
    match write_entries(ctx, cancel, &mut tar, outside_dockerfile) {
        Ok(report) => {
            let io_err =
                |e: io::Error| EngineError::Other(format!("Sending the build context failed: {e}"));
            let mut writer = tar.into_inner().map_err(io_err)?;
            writer.flush().map_err(io_err)?;
            Ok(report)
        }
        Err(e) => {
            tar.get_mut().poison();
            Err(e)
        }
    }
}

fn write_entries(
    ctx: &Context,
    cancel: &CancelFlag,
    tar: &mut tar::Builder<ChannelWriter>,
    outside_dockerfile: Option<&str>,
) -> Result<TarReport> {
    let mut report = TarReport::default();
    let io_err = |e: io::Error| {
        if e.kind() == io::ErrorKind::BrokenPipe {
            EngineError::Cancelled
        } else {
            EngineError::Other(format!("Sending the build context failed: {e}"))
        }
    };
    let mut dockerignore_seen = false;
    let mut unreadable: Vec<String> = Vec::new();
    walk(ctx, cancel, &mut |v| {
        let e = match v {
            Visit::Entry(e) => e,
            Visit::Warning(w) => {
                report.warnings.push(w);
                return Ok(());
            }
            Visit::Unreadable(p) => {
                unreadable.push(p);
                return Ok(());
            }
            Visit::Excluded => return Ok(()),
        };
        report.entries += 1;
        // What the docker CLI does on Windows: everything readable and executable.
        let mut h = tarstream::header_for(&e.meta, 0o755);
        match &e.kind {
            Kind::Dir => {
                tarstream::append_dir(tar, &mut h, format!("{}/", e.rel)).map_err(io_err)?;
            }
            Kind::Symlink(_) if outside_dockerfile.is_some() && e.rel == ".dockerignore" => {
                // The docker CLI replaces the entry whatever its type: a link's content is empty.
                dockerignore_seen = true;
                let text = format!("\n{}\n", outside_dockerfile.unwrap_or_default());
                let mut h = generated_header(text.len());
                tar.append_data(&mut h, &e.rel, text.as_bytes())
                    .map_err(io_err)?;
            }
            Kind::Symlink(target) => {
                tarstream::append_symlink(tar, &mut h, &e.rel, target).map_err(io_err)?;
            }
            Kind::File => {
                if outside_dockerfile.is_some() && e.rel == ".dockerignore" {
                    dockerignore_seen = true;
                    // As the docker CLI does: the generated Dockerfile name is added to
                    // `.dockerignore`, so the daemon drops it before `COPY . …`.
                    let mut text = fs::read(&e.abs).map_err(|err| {
                        EngineError::Other(format!("{} cannot be read: {err}", e.rel))
                    })?;
                    text.push(b'\n');
                    text.extend_from_slice(outside_dockerfile.unwrap_or_default().as_bytes());
                    text.push(b'\n');
                    h.set_entry_type(tar::EntryType::Regular);
                    h.set_size(text.len() as u64);
                    tar.append_data(&mut h, &e.rel, &text[..]).map_err(io_err)?;
                    return Ok(());
                }
                let file = match File::open(&e.abs) {
                    Ok(f) => f,
                    Err(err) => {
                        unreadable.push(format!("{} ({})", e.rel, io_reason(&err)));
                        return Ok(());
                    }
                };
                let short = tarstream::append_file(tar, &mut h, &e.rel, file, e.meta.len())
                    .map_err(io_err)?;
                if short {
                    report
                        .warnings
                        .push(format!("{} got shorter while it was sent.", e.rel));
                }
            }
        }
        Ok(())
    })?;
    if !unreadable.is_empty() {
        return Err(unreadable_error(&unreadable));
    }
    if let Some(name) = outside_dockerfile {
        let bytes = fs::read(&ctx.dockerfile_path).map_err(|e| {
            invalid(
                "dockerfile",
                format!("{} cannot be read: {e}", ctx.dockerfile_path.display()),
            )
        })?;
        let mut h = generated_header(bytes.len());
        tar.append_data(&mut h, name, &bytes[..]).map_err(io_err)?;
        if !dockerignore_seen {
            // What the docker CLI writes when the folder has no `.dockerignore`.
            let text = format!(".dockerignore\n{name}\n");
            let mut h = generated_header(text.len());
            tar.append_data(&mut h, ".dockerignore", text.as_bytes())
                .map_err(io_err)?;
        }
    }
    Ok(report)
}

/// A header for a file Dockwright adds to the context (as the docker CLI adds them).
fn generated_header(len: usize) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_mode(0o600);
    h.set_entry_type(tar::EntryType::Regular);
    h.set_size(len as u64);
    h.set_mtime(0);
    h.set_uid(0);
    h.set_gid(0);
    h
}

/// The error for files the build cannot read, naming them (the first few).
pub fn unreadable_error(paths: &[String]) -> EngineError {
    invalid(
        "context",
        format!(
            "Cannot read {}. Fix the permissions or add them to .dockerignore.",
            tarstream::first_few(paths)
        ),
    )
}

/// Random bytes for the generated Dockerfile name, without a dependency: the standard library's
/// randomly seeded hasher.
fn fill_random(out: &mut [u8]) {
    use std::hash::{BuildHasher, Hasher};
    for chunk in out.chunks_mut(8) {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        );
        let v = h.finish().to_le_bytes();
        chunk.copy_from_slice(&v[..chunk.len()]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::io::Read;

    fn ctx(dir: &Path) -> Context {
        Context::open(dir, "").expect("open")
    }

    fn write(root: &Path, rel: &str, body: &str) {
        let p = root.join(rel);
        fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        fs::write(p, body).expect("write");
    }

    /// Reads the whole stream back into {path: (kind, bytes or link target)}.
    fn tar_of(c: &Context) -> (BTreeMap<String, String>, String) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("rt");
        let mut s = c.stream(CancelFlag::new());
        let mut data = Vec::new();
        rt.block_on(async {
            while let Some(chunk) = s.chunks.recv().await {
                data.extend_from_slice(&chunk.expect("chunk"));
            }
        });
        let name = s.dockerfile_name.clone();
        s.finish().expect("tar written");
        let mut out = BTreeMap::new();
        let mut ar = tar::Archive::new(&data[..]);
        for e in ar.entries().expect("entries") {
            let mut e = e.expect("entry");
            let path = e.path().expect("path").to_string_lossy().into_owned();
            let v = match e.header().entry_type() {
                tar::EntryType::Directory => "dir".to_owned(),
                tar::EntryType::Symlink => format!(
                    "-> {}",
                    e.link_name().expect("link").expect("target").display()
                ),
                _ => {
                    let mut s = String::new();
                    e.read_to_string(&mut s).expect("read");
                    s
                }
            };
            assert_eq!(e.header().uid().expect("uid"), 0);
            out.insert(path.trim_end_matches('/').to_owned(), v);
        }
        (out, name)
    }

    #[test]
    fn sends_what_dockerignore_keeps_and_always_the_dockerfile() {
        let d = tempfile::tempdir().expect("tmp");
        let r = d.path();
        write(r, "Dockerfile", "FROM scratch\n");
        write(r, ".dockerignore", "*\n!src\nsrc/*.log\nDockerfile\n");
        write(r, "src/main.rs", "fn main(){}");
        write(r, "src/debug.log", "noise");
        write(r, "target/big", "x");
        let c = ctx(r);
        let (files, name) = tar_of(&c);
        assert_eq!(name, "Dockerfile");
        let keys: Vec<&str> = files.keys().map(String::as_str).collect();
        assert_eq!(keys, [".dockerignore", "Dockerfile", "src", "src/main.rs"]);
        let s = c.summarise(&CancelFlag::new(), |_| {}).expect("summary");
        assert_eq!((s.files, s.dirs), (3, 1));
        assert_eq!(s.excluded, 2);
    }

    #[test]
    fn an_excluded_folder_is_walked_only_for_a_matching_exception() {
        let d = tempfile::tempdir().expect("tmp");
        let r = d.path();
        write(r, "Dockerfile", "FROM scratch\n");
        // `**/keep` cannot rescue files inside `a` (Docker skips the folder), `!b/keep` can.
        write(r, ".dockerignore", "a\nb\n!**/keep\n!b/keep\n");
        write(r, "a/keep", "1");
        write(r, "b/keep", "2");
        write(r, "b/other", "3");
        let (files, _) = tar_of(&ctx(r));
        assert!(files.contains_key("b/keep"), "{files:?}");
        assert!(!files.contains_key("a/keep"), "{files:?}");
        assert!(!files.contains_key("b/other"), "{files:?}");
        assert!(
            !files.contains_key("b"),
            "the excluded folder itself is not sent"
        );
    }

    #[cfg(unix)]
    #[test]
    fn links_are_sent_as_links_and_never_followed() {
        let d = tempfile::tempdir().expect("tmp");
        let outside = tempfile::tempdir().expect("tmp");
        let secret = outside.path().join("secret.txt");
        fs::write(&secret, "TOP SECRET").expect("write");
        let r = d.path();
        write(r, "Dockerfile", "FROM scratch\n");
        std::os::unix::fs::symlink(&secret, r.join("leak")).expect("link");
        std::os::unix::fs::symlink("loop2", r.join("loop1")).expect("link");
        std::os::unix::fs::symlink("loop1", r.join("loop2")).expect("link");
        std::os::unix::fs::symlink(outside.path(), r.join("dirlink")).expect("link");
        let c = ctx(r);
        let (files, _) = tar_of(&c);
        assert_eq!(files["leak"], format!("-> {}", secret.display()));
        assert_eq!(files["loop1"], "-> loop2");
        assert!(!files.values().any(|v| v.contains("TOP SECRET")));
        assert!(!files.keys().any(|k| k.starts_with("dirlink/")));
        let s = c.summarise(&CancelFlag::new(), |_| {}).expect("summary");
        assert_eq!(s.symlinks, 4);
        assert!(
            s.warnings.iter().any(|w| w.starts_with("leak is a link")),
            "{:?}",
            s.warnings
        );
        assert!(!s.warnings.iter().any(|w| w.starts_with("loop1")));
    }

    #[cfg(unix)]
    #[test]
    fn fifos_and_sockets_are_skipped_with_a_warning() {
        let d = tempfile::tempdir().expect("tmp");
        let r = d.path();
        write(r, "Dockerfile", "FROM scratch\n");
        let status = std::process::Command::new("mkfifo")
            .arg(r.join("pipe"))
            .status()
            .expect("mkfifo");
        assert!(status.success());
        let _sock = std::os::unix::net::UnixListener::bind(r.join("sock")).expect("bind");
        let c = ctx(r);
        let (files, _) = tar_of(&c);
        assert_eq!(files.keys().collect::<Vec<_>>(), ["Dockerfile"]);
        let s = c.summarise(&CancelFlag::new(), |_| {}).expect("summary");
        assert!(s
            .warnings
            .iter()
            .any(|w| w == "pipe is a named pipe (FIFO) and is not sent."));
        assert!(s
            .warnings
            .iter()
            .any(|w| w == "sock is a socket and is not sent."));
    }

    #[test]
    fn a_dockerfile_outside_the_folder_is_sent_under_a_generated_name() {
        let d = tempfile::tempdir().expect("tmp");
        let other = tempfile::tempdir().expect("tmp");
        let r = d.path();
        write(r, "app.txt", "hi");
        write(r, ".dockerignore", "*.log");
        let df = other.path().join("build.Dockerfile");
        fs::write(&df, "FROM scratch\nCOPY . /\n").expect("write");
        let c = Context::open(r, df.to_str().expect("utf8")).expect("open");
        assert_eq!(c.dockerfile_in_context, None);
        let (files, name) = tar_of(&c);
        assert!(name.starts_with(".dockerfile.") && name.len() == ".dockerfile.".len() + 20);
        assert_eq!(files[&name], "FROM scratch\nCOPY . /\n");
        assert_eq!(files[".dockerignore"], format!("*.log\n{name}\n"));
    }

    #[test]
    fn missing_and_wrong_inputs_are_named() {
        let d = tempfile::tempdir().expect("tmp");
        let r = d.path();
        let e = Context::open(r, "").expect_err("no Dockerfile");
        assert!(e.to_string().contains("There is no Dockerfile in"), "{e}");
        let e = Context::open(&r.join("nope"), "").expect_err("no folder");
        assert!(e.to_string().contains("does not exist"), "{e}");
        write(r, "file", "x");
        let e = Context::open(&r.join("file"), "").expect_err("a file");
        assert!(e.to_string().contains("is a file"), "{e}");
        let e = Context::open(r, "other.Dockerfile").expect_err("missing -f");
        assert!(
            e.to_string().contains("other.Dockerfile does not exist"),
            "{e}"
        );
        write(r, "Dockerfile", "FROM scratch");
        write(r, ".dockerignore", "[");
        let e = Context::open(r, "").expect_err("bad ignore");
        assert!(e.to_string().contains("line 1"), "{e}");
    }

    #[test]
    fn long_names_survive_and_the_size_estimate_is_exact() {
        let d = tempfile::tempdir().expect("tmp");
        let r = d.path();
        write(r, "Dockerfile", "FROM scratch\n");
        let deep = format!("{}/{}", "d".repeat(120), "f".repeat(150));
        write(r, &deep, "deep");
        write(r, "empty", "");
        let c = ctx(r);
        let (files, _) = tar_of(&c);
        assert_eq!(files[&deep], "deep");
        let s = c.summarise(&CancelFlag::new(), |_| {}).expect("summary");
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("rt");
        let mut st = c.stream(CancelFlag::new());
        let total = rt.block_on(async {
            let mut n = 0;
            while let Some(ch) = st.chunks.recv().await {
                n += ch.expect("chunk").len() as u64;
            }
            n
        });
        // The tar crate pads the end to a 10 KiB record; the estimate is the minimum size.
        assert!(
            total >= s.tar_bytes && total - s.tar_bytes < 10240,
            "{total} vs {}",
            s.tar_bytes
        );
        assert_eq!(st.sent.load(Ordering::Relaxed), total);
    }

    #[test]
    fn cancel_stops_a_walk() {
        let d = tempfile::tempdir().expect("tmp");
        let r = d.path();
        write(r, "Dockerfile", "FROM scratch\n");
        for i in 0..50 {
            write(r, &format!("f{i}"), "x");
        }
        let c = ctx(r);
        let flag = CancelFlag::new();
        flag.cancel();
        let e = c.summarise(&flag, |_| {}).expect_err("cancelled");
        assert_eq!(e, EngineError::Cancelled);
    }

    #[test]
    fn a_walk_that_fails_mid_stream_never_ends_like_a_valid_tar() {
        let d = tempfile::tempdir().expect("tmp");
        let r = d.path();
        write(r, "Dockerfile", "FROM scratch\n");
        for i in 0..40 {
            fs::write(r.join(format!("f{i:02}")), vec![1u8; 300 * 1024]).expect("write");
        }
        let flag = CancelFlag::new();
        let mut s = ctx(r).stream(flag.clone());
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("rt");
        let (bytes, failed) = rt.block_on(async {
            let mut bytes = Vec::new();
            let mut failed = false;
            while let Some(chunk) = s.chunks.recv().await {
                match chunk {
                    Ok(c) => {
                        bytes.extend_from_slice(&c);
                        flag.cancel();
                    }
                    Err(_) => failed = true,
                }
            }
            (bytes, failed)
        });
        assert!(
            failed,
            "the body ends with an error, so the request is aborted"
        );
        assert!(!bytes.is_empty());
        assert!(
            bytes.len() < 1024 || bytes[bytes.len() - 1024..].iter().any(|b| *b != 0),
            "no end-of-archive blocks after a failure"
        );
        assert_eq!(s.finish().expect_err("cancelled"), EngineError::Cancelled);
    }

    #[test]
    fn dropping_the_receiver_stops_the_writer() {
        let d = tempfile::tempdir().expect("tmp");
        let r = d.path();
        write(r, "Dockerfile", "FROM scratch\n");
        fs::write(r.join("big"), vec![7u8; 8 * 1024 * 1024]).expect("write");
        let s = ctx(r).stream(CancelFlag::new());
        let err = s.finish().expect_err("the reader went away");
        assert_eq!(err, EngineError::Cancelled);
    }
}
