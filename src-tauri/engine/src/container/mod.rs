//! Containers: list, lifecycle, logs, stats, run, exec, files.

pub mod exec;
pub mod files;
mod log_wire;
pub mod logs;
pub mod ops;
pub mod run;
pub mod spec;
pub mod stats;

use bollard::models::PortSummaryTypeEnum;
use bollard::query_parameters::ListContainersOptions;
use serde::Serialize;
use specta::Type;

use crate::connect::Engine;
use crate::error::Result;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PortMapping {
    pub ip: Option<String>,
    pub private_port: u16,
    pub public_port: Option<u16>,
    /// `tcp`, `udp` or `sctp`.
    pub protocol: String,
}

impl PortMapping {
    /// The order ports are shown in: by container port, protocol, host port, then address.
    pub(crate) fn sort(ports: &mut [PortMapping]) {
        ports.sort_by(|a, b| {
            (a.private_port, &a.protocol, a.public_port, &a.ip).cmp(&(
                b.private_port,
                &b.protocol,
                b.public_port,
                &b.ip,
            ))
        });
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ContainerSummary {
    pub id: String,
    /// The primary name, without the leading `/`.
    pub name: String,
    pub image: String,
    pub image_id: String,
    pub command: String,
    /// `created`, `running`, `paused`, `restarting`, `removing`, `exited`, `dead`.
    pub state: String,
    /// The daemon's human status: "Up 3 minutes", "Exited (0) 2 hours ago".
    pub status: String,
    pub ports: Vec<PortMapping>,
    /// Unix seconds.
    pub created: i64,
    /// The compose project, when the container belongs to one.
    pub compose_project: Option<String>,
}

fn primary_name(names: &[String]) -> String {
    // Links add names like /other/alias; the primary one has a single slash.
    names
        .iter()
        .find(|n| n.matches('/').count() <= 1)
        .or_else(|| names.first())
        .map(|n| n.trim_start_matches('/').to_owned())
        .unwrap_or_default()
}

impl From<bollard::models::ContainerSummary> for ContainerSummary {
    fn from(c: bollard::models::ContainerSummary) -> Self {
        let mut ports: Vec<PortMapping> = c
            .ports
            .unwrap_or_default()
            .into_iter()
            .map(|p| PortMapping {
                ip: p.ip.filter(|s| !s.is_empty()),
                private_port: p.private_port,
                public_port: p.public_port,
                protocol: match p.typ {
                    Some(PortSummaryTypeEnum::UDP) => "udp",
                    Some(PortSummaryTypeEnum::SCTP) => "sctp",
                    _ => "tcp",
                }
                .to_owned(),
            })
            .collect();
        PortMapping::sort(&mut ports);
        ports.dedup();
        let labels = c.labels.unwrap_or_default();
        Self {
            id: c.id.unwrap_or_default(),
            name: primary_name(&c.names.unwrap_or_default()),
            image: c.image.unwrap_or_default(),
            image_id: c.image_id.unwrap_or_default(),
            command: c.command.unwrap_or_default(),
            state: c.state.map(|s| s.to_string()).unwrap_or_default(),
            status: c.status.unwrap_or_default(),
            ports,
            created: c.created.unwrap_or_default(),
            compose_project: labels.get("com.docker.compose.project").cloned(),
        }
    }
}

impl Engine {
    /// Lists containers, newest first. `all` includes stopped ones.
    pub async fn list_containers(&self, all: bool) -> Result<Vec<ContainerSummary>> {
        let list = self
            .docker
            .list_containers(Some(ListContainersOptions {
                all,
                ..Default::default()
            }))
            .await
            .map_err(|e| self.err(e))?;
        Ok(list.into_iter().map(ContainerSummary::from).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primary_name_skips_link_aliases() {
        let names = vec!["/app/db".to_owned(), "/db".to_owned()];
        assert_eq!(primary_name(&names), "db");
        assert_eq!(primary_name(&[]), "");
    }

    #[test]
    fn ports_are_sorted_and_deduplicated() {
        let p = |private_port, public_port| bollard::models::PortSummary {
            ip: Some("0.0.0.0".into()),
            private_port,
            public_port,
            typ: Some(PortSummaryTypeEnum::TCP),
        };
        let c = bollard::models::ContainerSummary {
            ports: Some(vec![
                p(443, Some(8443)),
                p(80, Some(8080)),
                p(80, Some(8080)),
            ]),
            ..Default::default()
        };
        let s = ContainerSummary::from(c);
        let got: Vec<_> = s.ports.iter().map(|p| p.private_port).collect();
        assert_eq!(got, vec![80, 443]);
    }
}
