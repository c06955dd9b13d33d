//! The pieces shared by the two tars Dockwright writes from host files: the build context
//! (`build::context`) and a copy into a container (`container::files`). Both walk a folder on a
//! blocking thread and stream the tar to an HTTP body through a bounded channel, never holding it
//! in memory.

use std::ffi::OsString;
use std::fs::{self, Metadata};
use std::io::{self, Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::mpsc;

/// Tar bytes per message to the daemon: large enough to be cheap, small enough to bound memory.
pub(crate) const CHUNK: usize = 256 * 1024;
/// Chunks in flight between the walker thread and the request (bounds memory to ~4 MiB).
pub(crate) const CHANNEL_DEPTH: usize = 16;

/// The channel a [`ChannelWriter`] sends into; the receiver becomes the request body.
pub(crate) fn channel() -> (
    mpsc::Sender<io::Result<Bytes>>,
    mpsc::Receiver<io::Result<Bytes>>,
) {
    mpsc::channel(CHANNEL_DEPTH)
}

/// A blocking `Write` that hands the tar to the async side in [`CHUNK`]-sized messages.
pub(crate) struct ChannelWriter {
    buf: Vec<u8>,
    tx: mpsc::Sender<io::Result<Bytes>>,
    /// Counts the bytes handed over, when someone wants to know.
    sent: Option<Arc<AtomicU64>>,
    /// Set when the tar failed: nothing more is sent, not even the end-of-archive blocks the tar
    /// builder writes when dropped, so the daemon never sees a valid-looking short archive.
    poisoned: bool,
    /// What a write after [`ChannelWriter::poison`] fails with (e.g. "the copy failed").
    failed: &'static str,
}

impl ChannelWriter {
    /// A writer into `tx`; once poisoned, writes fail with `failed`.
    pub(crate) fn new(tx: mpsc::Sender<io::Result<Bytes>>, failed: &'static str) -> Self {
        Self {
            buf: Vec::with_capacity(CHUNK),
            tx,
            sent: None,
            poisoned: false,
            failed,
        }
    }

    /// Adds each chunk's length to `sent` once it has been handed over.
    pub(crate) fn counting(mut self, sent: Arc<AtomicU64>) -> Self {
        self.sent = Some(sent);
        self
    }

    /// Stops the writer for good and drops what it holds: nothing more reaches the channel.
    pub(crate) fn poison(&mut self) {
        self.poisoned = true;
        self.buf.clear();
    }

    /// Poisons the writer and ends the body with `err`, so the request is aborted.
    pub(crate) fn fail(&mut self, err: io::Error) {
        self.poison();
        let _ = self.tx.blocking_send(Err(err));
    }

    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        let n = chunk.len() as u64;
        self.tx
            .blocking_send(Ok(Bytes::from(chunk)))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the daemon stopped reading"))?;
        if let Some(sent) = &self.sent {
            sent.fetch_add(n, Ordering::Relaxed);
        }
        Ok(())
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.poisoned {
            return Err(io::Error::other(self.failed));
        }
        let n = (CHUNK - self.buf.len()).min(data.len());
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        if self.poisoned {
            return Err(io::Error::other(self.failed));
        }
        self.send()
    }
}

/// A file's bytes, exactly `left` of them: cut if it grew since its header was written, padded
/// with zeros if it shrank (the tar stays valid; `short` says so).
struct Exact<R> {
    inner: R,
    left: u64,
    short: bool,
}

impl<R: Read> Read for Exact<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Ok(0);
        }
        let want = (buf.len() as u64).min(self.left) as usize;
        let n = if self.short {
            0
        } else {
            self.inner.read(&mut buf[..want])?
        };
        let n = if n == 0 {
            self.short = true;
            buf[..want].fill(0);
            want
        } else {
            n
        };
        self.left -= n as u64;
        Ok(n)
    }
}

/// The header of a host entry: its permission bits and modification time, owned by root (as the
/// docker CLI sends everything). Where the host has no Unix modes, entries are `0o755`, or
/// `readonly_mode` for read-only ones.
#[cfg_attr(unix, allow(unused_variables))]
pub(crate) fn header_for(meta: &Metadata, readonly_mode: u32) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        h.set_mode(meta.mode() & 0o7777);
        h.set_mtime(meta.mtime().max(0) as u64);
    }
    #[cfg(not(unix))]
    {
        h.set_mode(if meta.permissions().readonly() {
            readonly_mode
        } else {
            0o755
        });
        h.set_mtime(
            meta.modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_secs())
                .unwrap_or(0),
        );
    }
    h.set_uid(0);
    h.set_gid(0);
    h
}

/// Appends a folder entry named `path` with header `h`.
pub(crate) fn append_dir<W: Write>(
    tar: &mut tar::Builder<W>,
    h: &mut tar::Header,
    path: impl AsRef<Path>,
) -> io::Result<()> {
    h.set_entry_type(tar::EntryType::Directory);
    h.set_size(0);
    tar.append_data(h, path, io::empty())
}

/// Appends a link entry named `path`, pointing at `target` verbatim.
pub(crate) fn append_symlink<W: Write>(
    tar: &mut tar::Builder<W>,
    h: &mut tar::Header,
    path: impl AsRef<Path>,
    target: &Path,
) -> io::Result<()> {
    h.set_entry_type(tar::EntryType::Symlink);
    h.set_size(0);
    tar.append_link(h, path, target)
}

/// Appends a regular file of exactly `len` bytes read from `file` (cut if it grew since `len`
/// was taken, padded with zeros if it shrank). Returns whether it came up short.
pub(crate) fn append_file<W: Write>(
    tar: &mut tar::Builder<W>,
    h: &mut tar::Header,
    path: impl AsRef<Path>,
    file: impl Read,
    len: u64,
) -> io::Result<bool> {
    h.set_entry_type(tar::EntryType::Regular);
    h.set_size(len);
    let mut body = Exact {
        inner: file,
        left: len,
        short: false,
    };
    tar.append_data(h, path, &mut body)?;
    Ok(body.short)
}

/// A folder's entry names, sorted byte-wise (as Go's `filepath.Walk` does).
pub(crate) fn sorted_names(dir: &Path) -> io::Result<Vec<OsString>> {
    let mut names = fs::read_dir(dir)?
        .map(|item| item.map(|i| i.file_name()))
        .collect::<io::Result<Vec<OsString>>>()?;
    names.sort_by(|a, b| a.as_encoded_bytes().cmp(b.as_encoded_bytes()));
    Ok(names)
}

/// What a special file is, with its article ("a named pipe (FIFO)").
#[cfg(unix)]
pub(crate) fn special_kind(meta: &Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let ft = meta.file_type();
    if ft.is_fifo() {
        "a named pipe (FIFO)"
    } else if ft.is_socket() {
        "a socket"
    } else if ft.is_block_device() || ft.is_char_device() {
        "a device"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
pub(crate) fn special_kind(_meta: &Metadata) -> &'static str {
    "a special file"
}

/// The first few of `paths`, and how many more there are: `a, b, c and 2 more`.
pub(crate) fn first_few(paths: &[String]) -> String {
    let shown: Vec<&str> = paths.iter().take(5).map(String::as_str).collect();
    let more = if paths.len() > shown.len() {
        format!(" and {} more", paths.len() - shown.len())
    } else {
        String::new()
    };
    format!("{}{more}", shown.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_cuts_a_grown_file_and_pads_a_shrunk_one() {
        let mut tar = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        assert!(!append_file(&mut tar, &mut h, "long", &b"abcdef"[..], 3).expect("append"));
        let mut h = tar::Header::new_gnu();
        assert!(append_file(&mut tar, &mut h, "short", &b"ab"[..], 4).expect("append"));
        let bytes = tar.into_inner().expect("tar");
        let mut ar = tar::Archive::new(&bytes[..]);
        let bodies: Vec<Vec<u8>> = ar
            .entries()
            .expect("entries")
            .map(|e| {
                let mut v = Vec::new();
                e.expect("entry").read_to_end(&mut v).expect("read");
                v
            })
            .collect();
        assert_eq!(bodies, [b"abc".to_vec(), b"ab\0\0".to_vec()]);
    }

    #[test]
    fn first_few_names_five_and_counts_the_rest() {
        let paths: Vec<String> = (1..=7).map(|i| format!("f{i}")).collect();
        assert_eq!(first_few(&paths[..2]), "f1, f2");
        assert_eq!(first_few(&paths), "f1, f2, f3, f4, f5 and 2 more");
    }
}
