//! The logs endpoint read straight off a local socket, without an HTTP client library.
//!
//! A log comes from the daemon as one HTTP chunk and one stream frame per line. Through hyper
//! each of those is a body frame of its own, passed between tasks, and a reader that waits on
//! the socket is woken for every line the daemon writes. Reading the socket a little later
//! instead lets lines gather in it, so one read takes a few hundred of them. Measured on a
//! 300,000-line log (2 cores, Engine 20.10): hyper on its own thread 2.4–2.8 s wall, 1.0–1.1 s
//! of CPU (dockerd 3.3–3.7 s); this reader with a 0.5 ms pause after each read 1.7–1.8 s wall,
//! 0.35 s of CPU (dockerd 2.9–3.1 s: its writes no longer wake a reader every line).
//!
//! The pieces here are pure (bytes in, bytes out) and bounded against a hostile daemon: the
//! response head, the chunked transfer coding, and the stream's frames.

use std::io::{Read, Write};
use std::time::Duration;

use super::logs::{split_timestamp, LogStream};

/// The pause after each read that returned data (lines gather in the socket meanwhile). A
/// longer one lets the socket fill up (a local socket holds only a few hundred small writes)
/// and the daemon then waits.
pub(crate) const READ_GAP: Duration = Duration::from_micros(500);
/// The response head may be at most this long.
const MAX_HEAD: usize = 64 << 10;
/// A chunk-size or trailer line may be at most this long.
const MAX_LINE: usize = 4 << 10;
/// A stream frame may be at most this long (the daemon's are at most 16 KiB and a timestamp).
pub(crate) const MAX_FRAME: usize = 64 << 20;
/// An error response's body is read up to this much.
pub(crate) const MAX_ERROR_BODY: usize = 1 << 20;

/// A connection the logs can be read from: a local socket or plain TCP.
pub(crate) trait Conn: Read + Write + Send {
    fn set_read_timeout(&self, d: Option<Duration>) -> std::io::Result<()>;
    fn set_nonblocking(&self, on: bool) -> std::io::Result<()>;
}

#[cfg(unix)]
impl Conn for std::os::unix::net::UnixStream {
    fn set_read_timeout(&self, d: Option<Duration>) -> std::io::Result<()> {
        std::os::unix::net::UnixStream::set_read_timeout(self, d)
    }
    fn set_nonblocking(&self, on: bool) -> std::io::Result<()> {
        std::os::unix::net::UnixStream::set_nonblocking(self, on)
    }
}

impl Conn for std::net::TcpStream {
    fn set_read_timeout(&self, d: Option<Duration>) -> std::io::Result<()> {
        std::net::TcpStream::set_read_timeout(self, d)
    }
    fn set_nonblocking(&self, on: bool) -> std::io::Result<()> {
        std::net::TcpStream::set_nonblocking(self, on)
    }
}

/// How the body of a response is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyKind {
    Chunked,
    Length(u64),
    /// Until the connection closes.
    Close,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Head {
    pub status: u16,
    pub body: BodyKind,
}

/// The response head, once `buf` holds all of it: the head and how many bytes it took.
pub(crate) fn parse_head(buf: &[u8]) -> Result<Option<(Head, usize)>, String> {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return if buf.len() > MAX_HEAD {
            Err("the daemon's response head is too long".into())
        } else {
            Ok(None)
        };
    };
    if end > MAX_HEAD {
        return Err("the daemon's response head is too long".into());
    }
    let text = std::str::from_utf8(&buf[..end])
        .map_err(|_| "the daemon's response head is not text".to_string())?;
    let mut lines = text.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.splitn(3, ' ');
    let (proto, code) = (parts.next().unwrap_or_default(), parts.next());
    let status = match (proto.starts_with("HTTP/1."), code) {
        (true, Some(c)) if c.len() == 3 => c.parse::<u16>().ok(),
        _ => None,
    }
    .filter(|s| (200..600).contains(s))
    .ok_or_else(|| format!("the daemon answered {:?}", cut(status_line)))?;
    let mut body = BodyKind::Close;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            return Err(format!("bad header line {:?}", cut(line)));
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("transfer-encoding") {
            if value
                .rsplit(',')
                .next()
                .is_some_and(|c| c.trim().eq_ignore_ascii_case("chunked"))
            {
                body = BodyKind::Chunked;
            }
        } else if name.eq_ignore_ascii_case("content-length") && body != BodyKind::Chunked {
            body = BodyKind::Length(
                value
                    .parse()
                    .map_err(|_| format!("bad Content-Length {:?}", cut(value)))?,
            );
        }
    }
    Ok(Some((Head { status, body }, end + 4)))
}

fn cut(s: &str) -> String {
    s.chars().take(80).filter(|c| !c.is_control()).collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ChunkState {
    /// Reading a chunk-size line.
    Size,
    Data(u64),
    /// The CRLF after a chunk's data.
    DataEnd,
    /// After the last chunk: trailer lines up to an empty one.
    Trailer,
    Done,
}

/// Decodes the chunked transfer coding, fed in pieces of any size.
#[derive(Debug)]
pub(crate) struct Dechunk {
    state: ChunkState,
    line: Vec<u8>,
}

impl Default for Dechunk {
    fn default() -> Self {
        Self {
            state: ChunkState::Size,
            line: Vec::new(),
        }
    }
}

impl Dechunk {
    /// True once the last chunk and the trailers were read.
    pub fn done(&self) -> bool {
        self.state == ChunkState::Done
    }

    /// Appends the body bytes in `input` to `out`, noting in `ends` (if given) where in `out`
    /// each chunk's data ended. Bytes after the end are ignored.
    pub fn feed(
        &mut self,
        mut input: &[u8],
        out: &mut Vec<u8>,
        mut ends: Option<&mut Vec<usize>>,
    ) -> Result<(), String> {
        while !input.is_empty() {
            match self.state {
                ChunkState::Done => return Ok(()),
                ChunkState::Data(left) => {
                    let n = (left.min(input.len() as u64)) as usize;
                    out.extend_from_slice(&input[..n]);
                    input = &input[n..];
                    self.state = if left == n as u64 {
                        if let Some(e) = ends.as_deref_mut() {
                            e.push(out.len());
                        }
                        ChunkState::DataEnd
                    } else {
                        ChunkState::Data(left - n as u64)
                    };
                }
                ChunkState::Size | ChunkState::DataEnd | ChunkState::Trailer => {
                    let Some(nl) = input.iter().position(|&b| b == b'\n') else {
                        self.take_line_part(input)?;
                        return Ok(());
                    };
                    self.take_line_part(&input[..nl])?;
                    input = &input[nl + 1..];
                    let mut line = std::mem::take(&mut self.line);
                    if line.last() == Some(&b'\r') {
                        line.pop();
                    }
                    self.state = self.after_line(&line)?;
                }
            }
        }
        Ok(())
    }

    fn take_line_part(&mut self, part: &[u8]) -> Result<(), String> {
        if self.line.len() + part.len() > MAX_LINE {
            return Err("a chunk header from the daemon is too long".into());
        }
        self.line.extend_from_slice(part);
        Ok(())
    }

    fn after_line(&self, line: &[u8]) -> Result<ChunkState, String> {
        Ok(match self.state {
            ChunkState::Size => {
                let size = line.split(|&b| b == b';').next().unwrap_or_default();
                let size = std::str::from_utf8(size)
                    .ok()
                    .map(str::trim)
                    .filter(|s| !s.is_empty() && s.len() <= 16)
                    .and_then(|s| u64::from_str_radix(s, 16).ok())
                    .ok_or("a chunk size from the daemon is not a number")?;
                if size == 0 {
                    ChunkState::Trailer
                } else {
                    ChunkState::Data(size)
                }
            }
            ChunkState::DataEnd if line.is_empty() => ChunkState::Size,
            ChunkState::DataEnd => return Err("a chunk from the daemon is longer than said".into()),
            ChunkState::Trailer if line.is_empty() => ChunkState::Done,
            ChunkState::Trailer => ChunkState::Trailer,
            s => s,
        })
    }
}

/// Splits the log stream into frames: `[stream, 0, 0, 0, size (u32 BE)]` + payload when the
/// container has no TTY. A TTY's stream has no frames: the daemon writes each log entry as one
/// HTTP chunk, so its frames end at chunk ends (where the body is chunked) and at newlines. An
/// entry is one line or, for a line longer than 16 KiB, one piece of it with a timestamp of its
/// own: split at newlines only, those timestamps would stay in the line's text.
#[derive(Debug)]
pub(crate) struct Frames {
    /// Body bytes not yet split.
    pub buf: Vec<u8>,
    /// Where in `buf` the chunks ended (a TTY's only, ascending).
    ends: Vec<usize>,
    tty: bool,
}

impl Frames {
    pub fn new(tty: bool) -> Self {
        Self {
            buf: Vec::new(),
            ends: Vec::new(),
            tty,
        }
    }

    /// Takes chunked body bytes (a TTY's chunk ends are frame ends).
    pub fn feed_chunked(&mut self, dechunk: &mut Dechunk, data: &[u8]) -> Result<(), String> {
        let ends = self.tty.then_some(&mut self.ends);
        dechunk.feed(data, &mut self.buf, ends)
    }

    /// Calls `f` with each whole frame in `buf` and keeps the rest for later.
    pub fn drain(&mut self, mut f: impl FnMut(LogStream, &[u8])) -> Result<(), String> {
        let mut pos = 0;
        let buf = &self.buf;
        let mut ends = self.ends.iter().copied().peekable();
        let r = loop {
            let rest = &buf[pos..];
            if self.tty {
                while ends.next_if(|&e| e <= pos).is_some() {}
                // A chunk end counts where the piece before it starts with a timestamp: one of
                // the daemon's entries. A body chunked some other way (a proxy between) is
                // split at newlines only, never inside a timestamp.
                let at_end = ends
                    .peek()
                    .map(|&e| e - pos)
                    .filter(|&e| split_timestamp(&rest[..e]).0.is_some());
                let upto = at_end.unwrap_or(rest.len());
                let at_nl = rest[..upto]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map(|nl| nl + 1);
                let len = at_nl.or(at_end);
                match len {
                    Some(n) => {
                        f(LogStream::Stdout, &rest[..n]);
                        pos += n;
                    }
                    None if rest.len() >= MAX_FRAME => {
                        f(LogStream::Stdout, rest);
                        pos = buf.len();
                    }
                    None => break Ok(()),
                }
                continue;
            }
            if rest.len() < 8 {
                break Ok(());
            }
            let size = u32::from_be_bytes([rest[4], rest[5], rest[6], rest[7]]) as usize;
            if size > MAX_FRAME {
                break Err(format!(
                    "a log frame from the daemon claims {size} bytes (at most {MAX_FRAME})"
                ));
            }
            if rest.len() < 8 + size {
                break Ok(());
            }
            match rest[0] {
                0 => {}
                // 3 is the daemon's own error ("Error grabbing logs: …").
                2 | 3 => f(LogStream::Stderr, &rest[8..8 + size]),
                _ => f(LogStream::Stdout, &rest[8..8 + size]),
            }
            pos += 8 + size;
        };
        self.buf.drain(..pos);
        self.ends.retain(|&e| e > pos);
        self.ends.iter_mut().for_each(|e| *e -= pos);
        r
    }

    /// What is left when the stream ends: a TTY's last line without a newline.
    pub fn finish(&mut self, mut f: impl FnMut(LogStream, &[u8])) {
        if self.tty && !self.buf.is_empty() {
            f(LogStream::Stdout, &self.buf);
        }
        self.buf.clear();
        self.ends.clear();
    }
}

/// The `message` of an error response's JSON body (or the body itself, cut).
pub(crate) fn error_message(body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct E {
        message: String,
    }
    match serde_json::from_slice::<E>(body) {
        Ok(e) => e.message,
        Err(_) => String::from_utf8_lossy(&body[..body.len().min(512)])
            .trim()
            .to_owned(),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    fn head(s: &str) -> Result<Option<(Head, usize)>, String> {
        parse_head(s.as_bytes())
    }

    #[test]
    fn heads_parse_or_fail_clearly() {
        let ok = "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\nTransfer-Encoding: chunked\r\n\r\nabc";
        let (h, n) = head(ok).unwrap().unwrap();
        assert_eq!(
            h,
            Head {
                status: 200,
                body: BodyKind::Chunked
            }
        );
        assert_eq!(&ok[n..], "abc", "the body starts after the head");
        let (h, _) = head("HTTP/1.1 404 Not Found\r\ncontent-length: 42\r\n\r\n")
            .unwrap()
            .unwrap();
        assert_eq!(
            h,
            Head {
                status: 404,
                body: BodyKind::Length(42)
            }
        );
        let (h, _) = head("HTTP/1.0 200 OK\r\n\r\n").unwrap().unwrap();
        assert_eq!(h.body, BodyKind::Close);
        // Chunked wins over a Content-Length, whichever comes first.
        let (h, _) = head(
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(h.body, BodyKind::Chunked);
        assert_eq!(head("HTTP/1.1 200 OK\r\nServer: x\r\n").unwrap(), None);
        for bad in [
            "SSH-2.0-OpenSSH\r\n\r\n",
            "HTTP/1.1 2000 OK\r\n\r\n",
            "HTTP/1.1 abc OK\r\n\r\n",
            "HTTP/1.1 101 Switching\r\n\r\n",
            "HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        ] {
            assert!(head(bad).is_err(), "{bad:?}");
        }
        let long = format!("HTTP/1.1 200 OK\r\nX: {}", "a".repeat(MAX_HEAD));
        assert!(head(&long).is_err());
        let err = head("\u{1b}]52;c;AAAA\u{7} 200\r\n\r\n").unwrap_err();
        assert!(!err.contains('\u{1b}'), "{err:?}");
    }

    /// A small deterministic generator (xorshift), so failures reproduce.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n.max(1)
        }
    }

    /// Feeds `wire` in random pieces.
    fn pieces<'a>(rng: &mut Rng, wire: &'a [u8]) -> Vec<&'a [u8]> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < wire.len() {
            let n = (1 + rng.below(40) as usize).min(wire.len() - i);
            out.push(&wire[i..i + n]);
            i += n;
        }
        out
    }

    #[test]
    fn chunked_bodies_decode_whatever_the_read_sizes() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..300 {
            let mut body = Vec::new();
            let mut wire = Vec::new();
            for _ in 0..rng.below(12) {
                let chunk: Vec<u8> = (0..1 + rng.below(70)).map(|_| rng.next() as u8).collect();
                let ext = if rng.below(4) == 0 { ";name=val" } else { "" };
                let size = if rng.below(2) == 0 {
                    format!("{:x}", chunk.len())
                } else {
                    format!("{:X}", chunk.len())
                };
                wire.extend_from_slice(format!("{size}{ext}\r\n").as_bytes());
                wire.extend_from_slice(&chunk);
                wire.extend_from_slice(b"\r\n");
                body.extend_from_slice(&chunk);
            }
            wire.extend_from_slice(b"0\r\n");
            if rng.below(3) == 0 {
                wire.extend_from_slice(b"X-Trailer: 1\r\n");
            }
            wire.extend_from_slice(b"\r\nAFTER THE END");
            let mut d = Dechunk::default();
            let mut out = Vec::new();
            for p in pieces(&mut rng, &wire) {
                assert!(!d.done() || p.iter().all(|b| b"AFTER THE END".contains(b)));
                d.feed(p, &mut out, None).unwrap();
            }
            assert!(d.done());
            assert_eq!(out, body);
        }
    }

    #[test]
    fn bad_chunks_are_errors() {
        for bad in [
            &b"zz\r\nab\r\n"[..],
            b"\r\n",
            b"3\r\nabcd\r\n",
            b"11111111111111111\r\n",
        ] {
            let mut d = Dechunk::default();
            assert!(d.feed(bad, &mut Vec::new(), None).is_err(), "{bad:?}");
        }
        let mut d = Dechunk::default();
        assert!(d
            .feed(&vec![b'1'; MAX_LINE + 1], &mut Vec::new(), None)
            .is_err());
        // A cut stream is not done.
        let mut d = Dechunk::default();
        d.feed(b"5\r\nab", &mut Vec::new(), None).unwrap();
        assert!(!d.done());
    }

    /// One multiplexed frame: `[kind, 0, 0, 0, size (u32 BE)]` + `payload`.
    pub(in crate::container) fn frame(kind: u8, payload: &[u8]) -> Vec<u8> {
        let mut f = vec![kind, 0, 0, 0];
        f.extend_from_slice(&(payload.len() as u32).to_be_bytes());
        f.extend_from_slice(payload);
        f
    }

    #[test]
    fn frames_split_whatever_the_read_sizes() {
        let mut rng = Rng(7);
        for _ in 0..200 {
            let mut want = Vec::new();
            let mut wire = Vec::new();
            for _ in 0..rng.below(20) {
                let kind = rng.below(4) as u8;
                let p: Vec<u8> = (0..rng.below(50)).map(|_| rng.next() as u8).collect();
                wire.extend(frame(kind, &p));
                match kind {
                    0 => {}
                    2 | 3 => want.push((LogStream::Stderr, p)),
                    _ => want.push((LogStream::Stdout, p)),
                }
            }
            let mut fr = Frames::new(false);
            let mut got = Vec::new();
            for p in pieces(&mut rng, &wire) {
                fr.buf.extend_from_slice(p);
                fr.drain(|s, b| got.push((s, b.to_vec()))).unwrap();
            }
            assert!(fr.buf.is_empty());
            assert_eq!(got, want);
        }
    }

    #[test]
    fn tty_streams_split_at_newlines_and_keep_the_last_part() {
        let mut fr = Frames::new(true);
        let mut got = Vec::new();
        for p in [
            &b"2024-01-01T00:00:00Z one\r\n2024"[..],
            b"-01-01T00:00:01Z two\r\n",
            b"tail",
        ] {
            fr.buf.extend_from_slice(p);
            fr.drain(|s, b| got.push((s, b.to_vec()))).unwrap();
        }
        fr.finish(|s, b| got.push((s, b.to_vec())));
        let texts: Vec<&[u8]> = got.iter().map(|(_, b)| b.as_slice()).collect();
        assert_eq!(
            texts,
            [
                &b"2024-01-01T00:00:00Z one\r\n"[..],
                b"2024-01-01T00:00:01Z two\r\n",
                b"tail"
            ]
        );
        assert!(got.iter().all(|(s, _)| *s == LogStream::Stdout));
    }

    /// A TTY's log entries come one per chunk: a line longer than 16 KiB as pieces without a
    /// newline, each with a timestamp of its own. The frames are the entries, whatever the read
    /// sizes; a chunk with several lines (not what the daemon sends) still splits at newlines.
    #[test]
    fn tty_frames_end_at_chunk_ends_and_newlines() {
        let mut rng = Rng(11);
        for _ in 0..200 {
            let mut want: Vec<Vec<u8>> = Vec::new();
            let mut wire = Vec::new();
            for i in 0..rng.below(12) {
                let ts = format!("2024-01-01T00:00:{:02}.000000000Z ", i % 60);
                let text: Vec<u8> = (0..rng.below(40))
                    .map(|_| b'a' + rng.below(26) as u8)
                    .collect();
                let mut entries = vec![[ts.as_bytes(), &text].concat()];
                match rng.below(3) {
                    // A whole line.
                    0 => entries[0].extend_from_slice(b"\r\n"),
                    // A piece of a long line: no newline.
                    1 => {}
                    // Two lines in one chunk.
                    _ => {
                        entries[0].push(b'\n');
                        entries.push(format!("{ts}second\n").into_bytes());
                    }
                }
                let chunk = entries.concat();
                wire.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                wire.extend_from_slice(&chunk);
                wire.extend_from_slice(b"\r\n");
                want.extend(entries);
            }
            wire.extend_from_slice(b"0\r\n\r\n");
            let (mut d, mut fr, mut got) = (Dechunk::default(), Frames::new(true), Vec::new());
            for p in pieces(&mut rng, &wire) {
                fr.feed_chunked(&mut d, p).unwrap();
                fr.drain(|_, b| got.push(b.to_vec())).unwrap();
            }
            fr.finish(|_, b| got.push(b.to_vec()));
            assert!(d.done());
            assert_eq!(got, want);
        }
    }

    /// A body chunked some other way than one entry per chunk (a proxy between): a chunk end
    /// inside a timestamp or inside a line's text does not end a frame there.
    #[test]
    fn tty_frames_of_a_rechunked_body_split_at_newlines() {
        let body = b"2024-01-01T00:00:00.000000000Z one\r\n2024-01-01T00:00:01.000000000Z two\r\n";
        for cut in 1..body.len() {
            let mut wire = Vec::new();
            for part in [&body[..cut], &body[cut..]] {
                wire.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
                wire.extend_from_slice(part);
                wire.extend_from_slice(b"\r\n");
            }
            wire.extend_from_slice(b"0\r\n\r\n");
            let (mut d, mut fr, mut got) = (Dechunk::default(), Frames::new(true), Vec::new());
            // The chunks in separate reads, as a proxy would send them.
            let split = wire.len() / 2;
            for p in [&wire[..split], &wire[split..]] {
                fr.feed_chunked(&mut d, p).unwrap();
                fr.drain(|_, b| got.push(b.to_vec())).unwrap();
            }
            fr.finish(|_, b| got.push(b.to_vec()));
            let mut lines = Vec::new();
            let mut asm = super::super::logs::LineAssembler::new(None);
            for f in &got {
                asm.push(LogStream::Stdout, f, &mut lines);
            }
            let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
            assert_eq!(texts, ["one", "two"], "cut at {cut}: {got:?}");
        }
    }

    #[test]
    fn a_frame_larger_than_allowed_is_an_error() {
        let mut fr = Frames::new(false);
        fr.buf
            .extend_from_slice(&[1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
        let err = fr.drain(|_, _| panic!("no frame")).unwrap_err();
        assert!(err.contains("4294967295"), "{err}");
    }

    #[test]
    fn error_bodies_give_their_message() {
        assert_eq!(
            error_message(br#"{"message":"No such container: x"}"#),
            "No such container: x"
        );
        assert_eq!(error_message(b"  plain text\n"), "plain text");
    }
}
