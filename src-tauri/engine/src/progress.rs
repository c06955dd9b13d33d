//! Per-layer and overall progress of a pull or push, from the daemon's JSON message stream.

use serde::Serialize;
use specta::Type;

use crate::error::clean_daemon_message;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LayerProgress {
    /// The layer's short id as the daemon names it.
    pub id: String,
    /// "Waiting", "Downloading", "Extracting", "Pull complete", "Pushing", "Pushed"…
    pub status: String,
    /// Bytes of the current phase done, and its total (0 when unknown).
    pub current: u64,
    pub total: u64,
    /// Bytes of the layer's transfer (download or upload) done so far, capped at its size.
    pub transferred: u64,
    /// The layer's size once known.
    pub size: u64,
    pub done: bool,
}

/// A snapshot the UI draws: every layer, and the totals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TransferProgress {
    pub layers: Vec<LayerProgress>,
    /// Bytes transferred over all layers whose size is known, and their total size.
    pub current: u64,
    pub total: u64,
    pub layers_done: u32,
    /// The last message that is not about one layer ("Pulling from library/busybox", "Digest: …").
    pub status: Option<String>,
}

#[derive(Debug, Default)]
pub struct ProgressTracker {
    layers: Vec<LayerProgress>,
    status: Option<String>,
    /// The digest the daemon reported, if any.
    pub digest: Option<String>,
}

const DONE: &[&str] = &[
    "Pull complete",
    "Already exists",
    "Pushed",
    "Layer already exists",
    "Mounted from",
];
const TRANSFER: &[&str] = &["Downloading", "Pushing"];
const TRANSFERRED: &[&str] = &[
    "Verifying Checksum",
    "Download complete",
    "Extracting",
    "Pull complete",
    "Pushed",
];

impl ProgressTracker {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds one message of the stream.
    pub fn update(
        &mut self,
        id: Option<&str>,
        status: Option<&str>,
        current: Option<i64>,
        total: Option<i64>,
    ) {
        let status = clean_daemon_message(status.unwrap_or_default());
        for word in status.split_whitespace() {
            if word.starts_with("sha256:") && word.len() == 71 {
                self.digest = Some(word.trim_end_matches(',').to_owned());
            }
        }
        let layer_id = id.filter(|i| {
            !i.is_empty()
                && !status.starts_with("Pulling from")
                && !status.starts_with("Digest:")
                && !status.starts_with("Status:")
                && i.chars().all(|c| c.is_ascii_hexdigit())
        });
        let Some(id) = layer_id else {
            if !status.is_empty() && status != "the daemon gave no message" {
                self.status = Some(status);
            }
            return;
        };
        let i = match self.layers.iter().position(|l| l.id == id) {
            Some(i) => i,
            None => {
                self.layers.push(LayerProgress {
                    id: id.to_owned(),
                    status: String::new(),
                    current: 0,
                    total: 0,
                    transferred: 0,
                    size: 0,
                    done: false,
                });
                self.layers.len() - 1
            }
        };
        let l = &mut self.layers[i];
        let cur = current.unwrap_or(0).max(0) as u64;
        let tot = total.unwrap_or(0).max(0) as u64;
        l.current = cur;
        l.total = tot;
        let is = |list: &[&str]| list.iter().any(|s| status.starts_with(s));
        if is(TRANSFER) {
            if tot > 0 {
                l.size = tot;
            }
            l.transferred = if l.size > 0 { cur.min(l.size) } else { cur };
        } else if is(TRANSFERRED) {
            if l.size == 0 && status.starts_with("Extracting") && tot > 0 {
                l.size = tot;
            }
            l.transferred = l.size;
        }
        if is(DONE) {
            l.done = true;
            l.transferred = l.size;
        }
        l.status = status;
    }

    pub fn snapshot(&self) -> TransferProgress {
        let sized = self.layers.iter().filter(|l| l.size > 0);
        TransferProgress {
            layers: self.layers.clone(),
            current: sized.clone().map(|l| l.transferred).sum(),
            total: sized.map(|l| l.size).sum(),
            layers_done: self.layers.iter().filter(|l| l.done).count() as u32,
            status: self.status.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pull_adds_up() {
        let mut t = ProgressTracker::new();
        t.update(Some("latest"), Some("Pulling from library/app"), None, None);
        t.update(Some("aaaaaaaaaaaa"), Some("Pulling fs layer"), None, None);
        t.update(Some("bbbbbbbbbbbb"), Some("Already exists"), None, None);
        t.update(
            Some("aaaaaaaaaaaa"),
            Some("Downloading"),
            Some(300),
            Some(1000),
        );
        let s = t.snapshot();
        assert_eq!((s.current, s.total, s.layers_done), (300, 1000, 1));
        assert_eq!(s.status.as_deref(), Some("Pulling from library/app"));
        t.update(Some("aaaaaaaaaaaa"), Some("Download complete"), None, None);
        t.update(
            Some("aaaaaaaaaaaa"),
            Some("Extracting"),
            Some(10),
            Some(1000),
        );
        assert_eq!(t.snapshot().current, 1000);
        t.update(Some("aaaaaaaaaaaa"), Some("Pull complete"), None, None);
        let digest = format!("sha256:{}", "c".repeat(64));
        t.update(None, Some(&format!("Digest: {digest}")), None, None);
        let s = t.snapshot();
        assert_eq!((s.current, s.total, s.layers_done), (1000, 1000, 2));
        assert_eq!(t.digest.as_deref(), Some(digest.as_str()));
    }

    #[test]
    fn a_push_adds_up_and_hostile_text_is_cleaned() {
        let mut t = ProgressTracker::new();
        t.update(
            None,
            Some("The push refers to repository [localhost:5000/x]"),
            None,
            None,
        );
        t.update(Some("cccccccccccc"), Some("Pushing"), Some(50), Some(100));
        t.update(Some("cccccccccccc"), Some("Pushing"), Some(150), Some(100));
        assert_eq!(t.snapshot().current, 100, "capped at the layer size");
        t.update(Some("cccccccccccc"), Some("Pushed\u{1b}[2J"), None, None);
        let s = t.snapshot();
        assert_eq!(s.layers_done, 1);
        assert_eq!(s.layers[0].status, "Pushed[2J");
    }
}
