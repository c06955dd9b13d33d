//! Which engine events deserve a desktop notification: a container that dies with a non-zero
//! code nobody asked for (a crash, or the kernel's OOM killer), or one that turns unhealthy.
//!
//! "Nobody asked for" is read off the daemon's own events: a stop, restart, kill or forced
//! remove (from this app, the CLI or anything else) sends the container a signal first, and the
//! daemon reports that as a `kill` event just before the `die`. A `die` without a recent `kill`
//! is the container's own doing. An `oom` event before the `die` makes it a crash even if the
//! exit code is 137 like a kill's.

use std::collections::{HashMap, VecDeque};

use dockwright_engine::{Change, ChangeScope};

/// A `kill` this long before a `die` explains it (a stop's timeout is at most an hour; the
/// default is 10 s).
const KILL_EXPLAINS_NS: i64 = 3_600 * 1_000_000_000;
/// How many recent events are remembered to drop the replays after a reconnect.
const SEEN: usize = 512;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    Died {
        id: String,
        name: String,
        exit_code: i64,
        oom: bool,
    },
    Unhealthy {
        id: String,
        name: String,
    },
}

impl Notice {
    /// Title and body, the daemon's strings made inert.
    pub fn text(&self) -> (String, String) {
        match self {
            Self::Died {
                name,
                exit_code,
                oom,
                ..
            } => (
                format!("{} stopped unexpectedly", clean(name)),
                if *oom {
                    format!("It ran out of memory and was killed (exit code {exit_code}).")
                } else {
                    format!("It exited with code {exit_code}.")
                },
            ),
            Self::Unhealthy { name, .. } => (
                format!("{} is unhealthy", clean(name)),
                "Its health check is failing.".into(),
            ),
        }
    }

    pub fn container_id(&self) -> &str {
        match self {
            Self::Died { id, .. } | Self::Unhealthy { id, .. } => id,
        }
    }
}

/// No control characters, at most 60 characters.
fn clean(s: &str) -> String {
    let t: String = s.chars().filter(|c| !c.is_control()).take(60).collect();
    if t.is_empty() {
        "A container".into()
    } else {
        t
    }
}

/// Follows the container events and decides.
#[derive(Debug, Default)]
pub struct Watch {
    /// The time of the last `kill` (or `oom`) per container.
    killed: HashMap<String, i64>,
    oom: HashMap<String, i64>,
    seen: VecDeque<(String, String, i64)>,
}

impl Watch {
    /// Takes one change; returns what to tell the user, if anything.
    pub fn on_change(&mut self, c: &Change) -> Option<Notice> {
        if c.scope != ChangeScope::Container {
            return None;
        }
        // After a reconnect the daemon replays the last seconds: an event seen once is skipped.
        let key = (c.id.clone(), c.action.clone(), c.time_nano);
        if self.seen.contains(&key) {
            return None;
        }
        if self.seen.len() == SEEN {
            self.seen.pop_front();
        }
        self.seen.push_back(key);

        let name = || {
            c.name
                .clone()
                .unwrap_or_else(|| c.id.chars().take(12).collect())
        };
        match c.action.as_str() {
            "kill" => {
                self.killed.insert(c.id.clone(), c.time_nano);
                None
            }
            "oom" => {
                self.oom.insert(c.id.clone(), c.time_nano);
                None
            }
            "die" => {
                let killed = self.killed.remove(&c.id);
                let oom = self.oom.remove(&c.id).is_some();
                let code = c.exit_code.unwrap_or(0);
                let asked = killed.is_some_and(|t| c.time_nano - t <= KILL_EXPLAINS_NS);
                (code != 0 && (oom || !asked)).then(|| Notice::Died {
                    id: c.id.clone(),
                    name: name(),
                    exit_code: code,
                    oom,
                })
            }
            "destroy" => {
                self.killed.remove(&c.id);
                self.oom.remove(&c.id);
                None
            }
            a if a.starts_with("health_status") && a.ends_with("unhealthy") => {
                Some(Notice::Unhealthy {
                    id: c.id.clone(),
                    name: name(),
                })
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000_000;

    fn ev(action: &str, id: &str, t: i64, code: Option<i64>) -> Change {
        Change {
            scope: ChangeScope::Container,
            action: action.into(),
            id: id.into(),
            name: Some(format!("name-{id}")),
            exit_code: code,
            time_nano: t * S,
        }
    }

    #[test]
    fn a_crash_is_told_a_stop_or_kill_is_not() {
        let mut w = Watch::default();
        // Exits on its own with 3: a crash.
        assert_eq!(
            w.on_change(&ev("die", "a", 10, Some(3))),
            Some(Notice::Died {
                id: "a".into(),
                name: "name-a".into(),
                exit_code: 3,
                oom: false
            })
        );
        // Exits on its own with 0: done, not a crash.
        assert_eq!(w.on_change(&ev("die", "b", 11, Some(0))), None);
        // `docker stop` (SIGTERM, then 143) and `docker kill` (137): asked for.
        assert_eq!(w.on_change(&ev("kill", "c", 20, None)), None);
        assert_eq!(w.on_change(&ev("die", "c", 21, Some(143))), None);
        assert_eq!(w.on_change(&ev("kill", "d", 30, None)), None);
        assert_eq!(w.on_change(&ev("kill", "d", 40, None)), None);
        assert_eq!(w.on_change(&ev("die", "d", 40, Some(137))), None);
        // A kill explains one die only: the same container crashing later is told.
        assert_eq!(w.on_change(&ev("start", "d", 50, None)), None);
        assert!(matches!(
            w.on_change(&ev("die", "d", 60, Some(1))),
            Some(Notice::Died { exit_code: 1, .. })
        ));
        // A kill of another container explains nothing here.
        assert_eq!(w.on_change(&ev("kill", "e", 70, None)), None);
        assert!(w.on_change(&ev("die", "f", 71, Some(2))).is_some());
        // A kill long before (a stale one) does not explain a die an hour and more later.
        assert_eq!(w.on_change(&ev("kill", "g", 100, None)), None);
        assert!(w.on_change(&ev("die", "g", 100 + 3_601, Some(1))).is_some());
    }

    #[test]
    fn out_of_memory_is_a_crash_even_with_a_kill_code() {
        let mut w = Watch::default();
        assert_eq!(w.on_change(&ev("oom", "a", 1, None)), None);
        assert_eq!(w.on_change(&ev("kill", "a", 1, None)), None);
        let n = w.on_change(&ev("die", "a", 1, Some(137))).expect("told");
        assert!(matches!(n, Notice::Died { oom: true, .. }));
        assert!(n.text().1.contains("out of memory"));
    }

    #[test]
    fn unhealthy_is_told_healthy_is_not_and_replays_are_dropped() {
        let mut w = Watch::default();
        assert_eq!(
            w.on_change(&ev("health_status: healthy", "a", 1, None)),
            None
        );
        let e = ev("health_status: unhealthy", "a", 2, None);
        assert!(matches!(w.on_change(&e), Some(Notice::Unhealthy { .. })));
        assert_eq!(w.on_change(&e), None, "the replay after a reconnect");
        let crash = ev("die", "b", 3, Some(1));
        assert!(w.on_change(&crash).is_some());
        assert_eq!(w.on_change(&crash), None);
        // Images and other scopes are never told.
        let mut img = ev("die", "c", 4, Some(1));
        img.scope = ChangeScope::Image;
        assert_eq!(w.on_change(&img), None);
    }

    #[test]
    fn texts_are_inert_and_named() {
        let n = Notice::Died {
            id: "x".into(),
            name: "web\u{1b}]52;c;AAA\u{7}\n".into(),
            exit_code: 2,
            oom: false,
        };
        let (title, body) = n.text();
        assert_eq!(title, "web]52;c;AAA stopped unexpectedly");
        assert_eq!(body, "It exited with code 2.");
        let mut w = Watch::default();
        let mut e = ev("die", "0123456789abcdef", 1, Some(1));
        e.name = None;
        let n = w.on_change(&e).expect("told");
        assert!(n.text().0.starts_with("0123456789ab stopped"));
    }
}
