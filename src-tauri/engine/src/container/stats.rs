//! Live resource use from the daemon's stats stream: CPU, memory, network and block I/O, computed
//! the way `docker stats` computes them.

use std::collections::HashMap;
use std::time::Duration;

use bollard::models::ContainerStatsResponse;
use bollard::query_parameters::StatsOptions;
use futures_util::stream::{SelectAll, StreamExt};
use serde::Serialize;
use specta::Type;
use tokio_util::sync::CancellationToken;

use crate::connect::Engine;
use crate::error::{EngineError, Result};

/// One reading of one container. Network and block I/O are cumulative byte counters; the UI
/// turns consecutive samples into rates.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StatsSample {
    pub id: String,
    /// Milliseconds since the epoch, from the daemon's reading.
    pub at: i64,
    /// 100 = one full core. Always finite.
    #[specta(type = u32)]
    pub cpu_percent: f64,
    /// Used memory without the page cache, as `docker stats` shows it.
    pub memory_bytes: u64,
    pub memory_limit: u64,
    pub net_rx: u64,
    pub net_tx: u64,
    pub block_read: u64,
    pub block_write: u64,
    pub pids: u64,
}

/// `docker stats`' CPU %: the container's share of the host's CPU time between two readings,
/// times the number of CPUs.
fn cpu_percent(s: &ContainerStatsResponse) -> f64 {
    let (Some(cpu), Some(pre)) = (&s.cpu_stats, &s.precpu_stats) else {
        return 0.0;
    };
    let total = |c: &bollard::models::ContainerCpuStats| {
        c.cpu_usage
            .as_ref()
            .and_then(|u| u.total_usage)
            .unwrap_or(0)
    };
    let cpu_delta = total(cpu).saturating_sub(total(pre)) as f64;
    let sys_delta = cpu
        .system_cpu_usage
        .unwrap_or(0)
        .saturating_sub(pre.system_cpu_usage.unwrap_or(0)) as f64;
    let cpus = cpu
        .online_cpus
        .filter(|n| *n > 0)
        .map(f64::from)
        .or_else(|| {
            cpu.cpu_usage
                .as_ref()
                .and_then(|u| u.percpu_usage.as_ref())
                .map(|v| v.len() as f64)
        })
        .unwrap_or(1.0);
    let pct = cpu_delta / sys_delta * cpus * 100.0;
    if sys_delta > 0.0 && cpu_delta > 0.0 && pct.is_finite() {
        pct
    } else {
        0.0
    }
}

/// Usage minus the inactive page cache (cgroup v2 `inactive_file`, v1 `total_inactive_file`).
fn memory_used(s: &ContainerStatsResponse) -> u64 {
    let Some(m) = &s.memory_stats else {
        return 0;
    };
    let usage = m.usage.unwrap_or(0);
    let cache = m
        .stats
        .as_ref()
        .and_then(|st| {
            st.get("total_inactive_file")
                .or_else(|| st.get("inactive_file"))
                .copied()
        })
        .unwrap_or(0);
    if cache < usage {
        usage - cache
    } else {
        usage
    }
}

pub fn sample(s: &ContainerStatsResponse) -> StatsSample {
    let (rx, tx) = s
        .networks
        .as_ref()
        .map(|n| {
            n.values().fold((0u64, 0u64), |(r, t), v| {
                (
                    r.saturating_add(v.rx_bytes.unwrap_or(0)),
                    t.saturating_add(v.tx_bytes.unwrap_or(0)),
                )
            })
        })
        .unwrap_or((0, 0));
    let (br, bw) = s
        .blkio_stats
        .as_ref()
        .and_then(|b| b.io_service_bytes_recursive.as_ref())
        .map(|v| {
            v.iter().fold((0u64, 0u64), |(r, w), e| {
                let n = e.value.unwrap_or(0);
                match e.op.as_deref().map(str::to_ascii_lowercase).as_deref() {
                    Some("read") => (r.saturating_add(n), w),
                    Some("write") => (r, w.saturating_add(n)),
                    _ => (r, w),
                }
            })
        })
        .unwrap_or((0, 0));
    let at = s
        .read
        .as_ref()
        .and_then(|d| serde_json::to_value(d).ok())
        .and_then(|v| v.as_str().and_then(rfc3339_millis))
        .unwrap_or(0);
    StatsSample {
        id: s.id.clone().unwrap_or_default(),
        at,
        cpu_percent: cpu_percent(s),
        memory_bytes: memory_used(s),
        memory_limit: s.memory_stats.as_ref().and_then(|m| m.limit).unwrap_or(0),
        net_rx: rx,
        net_tx: tx,
        block_read: br,
        block_write: bw,
        pids: s.pids_stats.as_ref().and_then(|p| p.current).unwrap_or(0),
    }
}

/// `2024-05-01T10:00:00.123456789Z` → milliseconds since the epoch.
fn rfc3339_millis(ts: &str) -> Option<i64> {
    let secs = super::logs::unix_seconds(ts)?;
    let frac = ts
        .get(19..)
        .and_then(|r| r.strip_prefix('.'))
        .map(|r| r.trim_end_matches(|c: char| !c.is_ascii_digit()))
        .map(|d| {
            let d = &d[..d.len().min(3)];
            format!("{d:0<3}").parse::<i64>().unwrap_or(0)
        })
        .unwrap_or(0);
    Some(secs * 1000 + frac)
}

/// How often the samples of all containers go out together.
pub const STATS_INTERVAL: Duration = Duration::from_millis(1000);

impl Engine {
    /// Streams stats for `ids` until `cancel` fires or every stream ended (their containers
    /// stopped), sending the latest sample of each container once per [`STATS_INTERVAL`].
    pub async fn container_stats(
        &self,
        ids: &[String],
        cancel: &CancellationToken,
        mut on_samples: impl FnMut(Vec<StatsSample>),
    ) -> Result<()> {
        if ids.len() > 500 {
            return Err(EngineError::invalid(
                "ids",
                "Stats follow at most 500 containers at once.",
            ));
        }
        let mut all: SelectAll<_> = SelectAll::new();
        for id in ids {
            let id = id.clone();
            let s = self
                .docker
                .stats(
                    &id,
                    Some(StatsOptions {
                        stream: true,
                        one_shot: false,
                    }),
                )
                .map(move |r| (id.clone(), r));
            all.push(Box::pin(s));
        }
        let mut latest: HashMap<String, StatsSample> = HashMap::new();
        let mut tick = tokio::time::interval(STATS_INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                biased;
                _ = cancel.cancelled() => return Ok(()),
                item = all.next(), if !all.is_empty() => match item {
                    Some((id, Ok(s))) => {
                        let mut sample = sample(&s);
                        // The stream names the container by its full id; keep the caller's.
                        sample.id = id.clone();
                        latest.insert(id, sample);
                    }
                    // One container went away or stopped: the others go on.
                    Some((_, Err(e))) => {
                        let e = self.err(e);
                        if matches!(e, EngineError::DaemonUnreachable { .. }) {
                            return Err(e);
                        }
                    }
                    None => {}
                },
                _ = tick.tick() => {
                    if !latest.is_empty() {
                        let mut v: Vec<StatsSample> = latest.drain().map(|(_, s)| s).collect();
                        v.sort_by(|a, b| a.id.cmp(&b.id));
                        on_samples(v);
                    } else if all.is_empty() {
                        return Ok(());
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard::models::{ContainerCpuStats, ContainerCpuUsage, ContainerMemoryStats};

    fn cpu(total: u64, system: u64) -> ContainerCpuStats {
        ContainerCpuStats {
            cpu_usage: Some(ContainerCpuUsage {
                total_usage: Some(total),
                ..Default::default()
            }),
            system_cpu_usage: Some(system),
            online_cpus: Some(2),
            ..Default::default()
        }
    }

    #[test]
    fn cpu_percent_as_docker_stats() {
        let s = ContainerStatsResponse {
            cpu_stats: Some(cpu(1_500, 20_000)),
            precpu_stats: Some(cpu(1_000, 10_000)),
            ..Default::default()
        };
        // 500 of 10 000 host ticks on 2 CPUs = 10 %.
        assert!((cpu_percent(&s) - 10.0).abs() < 1e-9);
        // The first reading has no previous one.
        let first = ContainerStatsResponse {
            cpu_stats: Some(cpu(1_500, 20_000)),
            precpu_stats: Some(ContainerCpuStats::default()),
            ..Default::default()
        };
        assert!(cpu_percent(&first) >= 0.0);
    }

    #[test]
    fn memory_leaves_out_the_page_cache() {
        let s = ContainerStatsResponse {
            memory_stats: Some(ContainerMemoryStats {
                usage: Some(10_000),
                limit: Some(100_000),
                stats: Some(HashMap::from([("inactive_file".to_owned(), 4_000)])),
                ..Default::default()
            }),
            ..Default::default()
        };
        let x = sample(&s);
        assert_eq!(x.memory_bytes, 6_000);
        assert_eq!(x.memory_limit, 100_000);
    }

    #[test]
    fn timestamps_to_millis() {
        assert_eq!(
            rfc3339_millis("1970-01-01T00:00:01.250000000Z"),
            Some(1_250)
        );
        assert_eq!(rfc3339_millis("1970-01-01T00:00:02Z"), Some(2_000));
    }
}
