//! Which engine events deserve a desktop notification: a container that dies with a non-zero
//! code nobody asked for (a crash, or the kernel's OOM killer), or one that turns unhealthy.
//!
//! "Nobody asked for" is read off the daemon's own events: a stop, restart, kill or forced
//! remove (from this app, the CLI or anything else) sends the container a signal first, and the
//! daemon reports that as a `kill` event (with the signal's number) just before the `die`. A
//! `die` is explained by a `kill` since the container last started whose signal asks to end, or
//! whose signal is the one the exit code says ended it (128 + n: an image's own stop signal such
//! as httpd's `WINCH`). A `kill -s HUP` to reload, after which the container crashes on its own,
//! explains nothing. An `oom` event just before the `die` makes it a crash even if the exit code
//! is 137 like a kill's.
//!
//! A container told about stays quiet for [`QUIET_NS`] (per kind of notice): one caught in a
//! restart loop is told once, not at every restart.

use std::collections::{HashMap, VecDeque};

use dockwright_engine::{Change, ChangeScope};

/// A `kill` this long before a `die` explains it (a stop's timeout is at most an hour; the
/// default is 10 s).
const KILL_EXPLAINS_NS: i64 = 3_600 * 1_000_000_000;
/// An `oom` this long before a `die` explains it. The OOM killer can also end one process of a
/// container that goes on running; such an `oom` says nothing about a stop minutes later.
const OOM_EXPLAINS_NS: i64 = 5 * 1_000_000_000;
/// After a notice about a container, the next one about it waits this long (restart loops).
pub const QUIET_NS: i64 = 300 * 1_000_000_000;
/// How many recent events are remembered to drop the replays after a reconnect.
const SEEN: usize = 512;

/// Signals that ask a container to end: `INT`, `QUIT` (some images' stop signal), `KILL`,
/// `TERM`, and `PWR` / `RTMIN+3` (the stop signals of images running systemd or an init).
fn stops(signal: Option<i64>) -> bool {
    match signal {
        // A daemon that does not say which signal: count it as a stop (never a false alarm).
        None => true,
        Some(s) => matches!(s, 2 | 3 | 9 | 15 | 30 | 37),
    }
}

/// Whether `c` is an invisible format character: bidirectional overrides and isolates,
/// zero-width characters, the soft hyphen, tag characters. With the control characters, these
/// are what a hostile name uses to look like something else.
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}' | '\u{E0000}'..='\u{E007F}')
}

/// Text made fit for a notification's title: no control or invisible characters, at most
/// `max` characters (cut with "…").
pub fn plain(s: &str, max: usize) -> String {
    let clean: Vec<char> = s.chars().filter(|c| !is_invisible(*c)).collect();
    let mut out: String = clean.iter().take(max).collect();
    if clean.len() > max {
        out.push('…');
    }
    out
}

/// Text made fit for a notification's body: [`plain`], and on Linux `&`, `<` and `>` escaped
/// (notification servers read the body as markup; the title is plain text).
pub fn inert(s: &str, max: usize) -> String {
    let mut out = plain(s, max);
    if cfg!(target_os = "linux") {
        out = out
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
    }
    out
}

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

/// No control or invisible characters, at most 60 characters.
fn clean(s: &str) -> String {
    let t: String = s.chars().filter(|c| !is_invisible(*c)).take(60).collect();
    if t.is_empty() {
        "A container".into()
    } else {
        t
    }
}

/// Follows the container events and decides.
#[derive(Debug, Default)]
pub struct Watch {
    /// The `kill`s (time, signal) since each container last started, and its last `oom`.
    kills: HashMap<String, Vec<(i64, Option<i64>)>>,
    oom: HashMap<String, i64>,
    /// When each container was last told about, per kind (a crash, unhealthy).
    told: HashMap<(String, bool), i64>,
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
        let notice = match c.action.as_str() {
            "kill" => {
                let kills = self.kills.entry(c.id.clone()).or_default();
                if kills.len() == 8 {
                    kills.remove(0);
                }
                kills.push((c.time_nano, c.signal));
                None
            }
            "start" => {
                // What came before this run explains nothing of how it ends.
                self.kills.remove(&c.id);
                self.oom.remove(&c.id);
                None
            }
            "oom" => {
                self.oom.insert(c.id.clone(), c.time_nano);
                None
            }
            "die" => {
                let kills = self.kills.remove(&c.id).unwrap_or_default();
                let oom = self
                    .oom
                    .remove(&c.id)
                    .is_some_and(|t| c.time_nano - t <= OOM_EXPLAINS_NS);
                let code = c.exit_code.unwrap_or(0);
                let asked = kills.iter().any(|&(t, signal)| {
                    c.time_nano - t <= KILL_EXPLAINS_NS
                        && (stops(signal) || signal.is_some_and(|n| code == 128 + n))
                });
                (code != 0 && (oom || !asked)).then(|| Notice::Died {
                    id: c.id.clone(),
                    name: name(),
                    exit_code: code,
                    oom,
                })
            }
            "destroy" => {
                self.kills.remove(&c.id);
                self.oom.remove(&c.id);
                self.told.retain(|(id, _), _| id != &c.id);
                None
            }
            a if a.starts_with("health_status") && a.ends_with("unhealthy") => {
                Some(Notice::Unhealthy {
                    id: c.id.clone(),
                    name: name(),
                })
            }
            _ => None,
        }?;
        let key = (c.id.clone(), matches!(notice, Notice::Died { .. }));
        if let Some(&t) = self.told.get(&key) {
            if c.time_nano - t < QUIET_NS {
                return None;
            }
        }
        self.told.insert(key, c.time_nano);
        Some(notice)
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
            signal: None,
            time_nano: t * S,
        }
    }

    fn kill(id: &str, t: i64, signal: Option<i64>) -> Change {
        Change {
            signal,
            ..ev("kill", id, t, None)
        }
    }

    #[test]
    fn only_a_signal_that_asks_to_end_explains_a_die() {
        let mut w = Watch::default();
        // `docker kill -s HUP` to reload, then the container dies on its own: a crash.
        assert_eq!(w.on_change(&kill("a", 1, Some(1))), None);
        assert!(w.on_change(&ev("die", "a", 2, Some(4))).is_some());
        assert_eq!(w.on_change(&kill("b", 1, Some(10))), None);
        assert!(w.on_change(&ev("die", "b", 2, Some(1))).is_some());
        // TERM, KILL, INT, QUIT (a stop signal), and a kill that names no signal: asked for.
        for (id, sig) in [
            ("c", Some(15)),
            ("d", Some(9)),
            ("e", Some(2)),
            ("f", Some(3)),
            ("g", None),
        ] {
            assert_eq!(w.on_change(&kill(id, 1, sig)), None);
            assert_eq!(w.on_change(&ev("die", id, 2, Some(137))), None, "{id}");
        }
    }

    #[test]
    fn an_images_own_stop_signal_explains_the_exit_it_causes() {
        let mut w = Watch::default();
        // httpd's STOPSIGNAL is WINCH (28): `docker stop` kills it with 128 + 28.
        assert_eq!(w.on_change(&kill("a", 1, Some(28))), None);
        assert_eq!(w.on_change(&ev("die", "a", 2, Some(156))), None);
        // A USR1 that ended a process without a handler (138): the user's doing.
        assert_eq!(w.on_change(&kill("b", 1, Some(10))), None);
        assert_eq!(w.on_change(&ev("die", "b", 2, Some(138))), None);
        // A stop that came to nothing, then a start: a crash later in that run is told.
        assert_eq!(w.on_change(&kill("c", 1, Some(15))), None);
        assert_eq!(w.on_change(&ev("start", "c", 2, None)), None);
        assert!(w.on_change(&ev("die", "c", 100, Some(1))).is_some());
    }

    #[test]
    fn an_old_oom_does_not_make_a_later_stop_a_crash() {
        let mut w = Watch::default();
        // The OOM killer ends a child; the container runs on; minutes later the user stops it.
        assert_eq!(w.on_change(&ev("oom", "a", 1, None)), None);
        assert_eq!(w.on_change(&kill("a", 200, Some(15))), None);
        assert_eq!(w.on_change(&ev("die", "a", 201, Some(137))), None);
    }

    #[test]
    fn a_restart_loop_is_told_once_in_a_while() {
        let mut w = Watch::default();
        assert!(w.on_change(&ev("die", "a", 10, Some(1))).is_some());
        for t in [11, 13, 17, 25, 41, 100, 200, 300] {
            assert_eq!(w.on_change(&ev("start", "a", t, None)), None);
            assert_eq!(w.on_change(&ev("die", "a", t, Some(1))), None, "at {t}");
        }
        // Its health is another kind of notice; other containers are told.
        assert!(w
            .on_change(&ev("health_status: unhealthy", "a", 301, None))
            .is_some());
        assert_eq!(
            w.on_change(&ev("health_status: unhealthy", "a", 302, None)),
            None
        );
        assert!(w.on_change(&ev("die", "b", 301, Some(1))).is_some());
        // Five minutes after the last notice, told again.
        assert!(w.on_change(&ev("die", "a", 10 + 300, Some(1))).is_some());
        // Removed and created again under the same id (never, in practice): told afresh.
        assert_eq!(w.on_change(&ev("destroy", "b", 302, None)), None);
        assert!(w.on_change(&ev("die", "b", 303, Some(1))).is_some());
    }

    #[test]
    fn notification_text_is_inert() {
        // Bidi overrides, zero-width and control characters go; markup is escaped on Linux.
        let t = inert("a\u{202E}b\u{200B}c\u{1b}[31m<b>x</b> & y\u{2066}", 100);
        if cfg!(target_os = "linux") {
            assert_eq!(t, "abc[31m&lt;b&gt;x&lt;/b&gt; &amp; y");
        } else {
            assert_eq!(t, "abc[31m<b>x</b> & y");
        }
        assert_eq!(inert(&"é".repeat(300), 200).chars().count(), 201);
        assert!(inert(&"é".repeat(300), 200).ends_with('…'));
        assert_eq!(inert("short", 200), "short");
        // Titles are plain text everywhere: nothing escaped, only stripped and cut.
        assert_eq!(plain("R&D <b>\u{202E}", 200), "R&D <b>");
        assert_eq!(plain("Build failed: a-very-long-tag", 13), "Build failed:…");
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
