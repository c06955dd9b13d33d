//! The tray menu as data: built from the engine status and the containers list (a pure function,
//! unit-tested), then turned into a native menu. Each clickable item's id is a [`TrayCommand`].

use dockwright_engine::container::ContainerSummary;
use dockwright_engine::EngineStatus;

/// How many running containers get their own submenu; the rest are behind "More…".
pub const MAX_RUNNING: usize = 8;
/// How many stopped containers "Start recent" offers.
pub const MAX_STOPPED: usize = 5;
/// Container names are cut to this many characters in the menu.
const MAX_LABEL: usize = 40;

/// What the tray shows, gathered from the app's state.
#[derive(Debug, Clone, Default)]
pub struct TrayInput {
    pub status: Option<EngineStatus>,
    /// Every container, as listed by the engine (newest first).
    pub containers: Vec<ContainerSummary>,
    /// The last build's tags or folder name, when there was one.
    pub last_build: Option<String>,
    pub window_visible: bool,
}

/// One entry of the menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrayItem {
    /// Greyed-out text.
    Label(String),
    Action {
        command: TrayCommand,
        text: String,
        enabled: bool,
    },
    Separator,
    Submenu {
        text: String,
        items: Vec<TrayItem>,
    },
}

/// What a click on a tray item does. Its menu id is [`TrayCommand::id`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrayCommand {
    Stop(String),
    Restart(String),
    Start(String),
    ShowLogs(String),
    /// `http://host:port/` of a published TCP port.
    OpenPort(String),
    /// The window on the containers page (for the containers past the first N).
    ShowContainers,
    Rebuild,
    ToggleWindow,
    Quit,
}

impl TrayCommand {
    pub fn id(&self) -> String {
        match self {
            Self::Stop(id) => format!("stop:{id}"),
            Self::Restart(id) => format!("restart:{id}"),
            Self::Start(id) => format!("start:{id}"),
            Self::ShowLogs(id) => format!("logs:{id}"),
            Self::OpenPort(url) => format!("open:{url}"),
            Self::ShowContainers => "containers".into(),
            Self::Rebuild => "rebuild".into(),
            Self::ToggleWindow => "window".into(),
            Self::Quit => "quit".into(),
        }
    }

    /// The command a menu id stands for; `None` for ids the tray did not make.
    pub fn parse(id: &str) -> Option<Self> {
        let (kind, arg) = id.split_once(':').unwrap_or((id, ""));
        let container = || is_container_id(arg).then(|| arg.to_owned());
        Some(match kind {
            "stop" => Self::Stop(container()?),
            "restart" => Self::Restart(container()?),
            "start" => Self::Start(container()?),
            "logs" => Self::ShowLogs(container()?),
            "open" => Self::OpenPort(port_url_checked(arg)?),
            "containers" if arg.is_empty() => Self::ShowContainers,
            "rebuild" if arg.is_empty() => Self::Rebuild,
            "window" if arg.is_empty() => Self::ToggleWindow,
            "quit" if arg.is_empty() => Self::Quit,
            _ => return None,
        })
    }
}

fn is_container_id(s: &str) -> bool {
    (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Only `http://<address>:<port>/` URLs built by [`port_url`] are opened.
pub fn port_url_checked(url: &str) -> Option<String> {
    let rest = url.strip_prefix("http://")?.strip_suffix('/')?;
    let (host, port) = rest.rsplit_once(':')?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.parse::<std::net::IpAddr>()
        .ok()
        .map(|_| ())
        .or_else(|| (host == "localhost").then_some(()))?;
    port.parse::<u16>().ok().filter(|p| *p != 0)?;
    Some(url.to_owned())
}

/// The address to open for a published port: a wildcard binding is opened on localhost.
pub fn port_url(ip: Option<&str>, port: u16) -> String {
    match ip {
        None | Some("0.0.0.0") | Some("::") | Some("") => format!("http://localhost:{port}/"),
        Some(ip) if ip.contains(':') => format!("http://[{ip}]:{port}/"),
        Some(ip) => format!("http://{ip}:{port}/"),
    }
}

/// A daemon string made safe for a menu label: no control characters, at most [`MAX_LABEL`]
/// characters, and `&` doubled (a single one would mark a mnemonic).
pub fn label(s: &str) -> String {
    let clean: String = s
        .chars()
        .filter(|c| !super::notify::is_invisible(*c))
        .collect();
    let mut cut: String = clean.chars().take(MAX_LABEL).collect();
    if clean.chars().count() > MAX_LABEL {
        cut.push('…');
    }
    cut.replace('&', "&&")
}

/// The engine line at the top of the menu.
fn status_line(status: Option<&EngineStatus>) -> String {
    match status {
        Some(EngineStatus::Connected { info }) => {
            format!("Engine {} — connected", label(&info.server_version))
        }
        Some(EngineStatus::Disconnected { .. }) => "Engine not reachable — retrying".into(),
        Some(EngineStatus::Connecting { .. }) | None => "Connecting to the engine…".into(),
    }
}

fn container_menu(c: &ContainerSummary) -> TrayItem {
    let mut items = vec![
        TrayItem::Action {
            command: TrayCommand::ShowLogs(c.id.clone()),
            text: "Show logs".into(),
            enabled: true,
        },
        TrayItem::Action {
            command: TrayCommand::Stop(c.id.clone()),
            text: "Stop".into(),
            enabled: true,
        },
        TrayItem::Action {
            command: TrayCommand::Restart(c.id.clone()),
            text: "Restart".into(),
            enabled: true,
        },
    ];
    let mut seen = std::collections::HashSet::new();
    let ports: Vec<TrayItem> = c
        .ports
        .iter()
        .filter(|p| p.protocol == "tcp")
        .filter_map(|p| Some((p.ip.as_deref(), p.public_port?)))
        .map(|(ip, port)| port_url(ip, port))
        .filter(|url| seen.insert(url.clone()))
        .map(|url| TrayItem::Action {
            text: format!("Open {}", url.trim_end_matches('/')),
            command: TrayCommand::OpenPort(url),
            enabled: true,
        })
        .collect();
    if !ports.is_empty() {
        items.push(TrayItem::Separator);
        items.extend(ports);
    }
    let mut text = label(&c.name);
    if c.state == "paused" {
        text.push_str(" (paused)");
    }
    TrayItem::Submenu { text, items }
}

/// The whole menu for `input`.
pub fn menu(input: &TrayInput) -> Vec<TrayItem> {
    let connected = matches!(input.status, Some(EngineStatus::Connected { .. }));
    let mut m = vec![TrayItem::Label(status_line(input.status.as_ref()))];
    m.push(TrayItem::Separator);
    if connected {
        let running: Vec<&ContainerSummary> = input
            .containers
            .iter()
            .filter(|c| matches!(c.state.as_str(), "running" | "paused" | "restarting"))
            .collect();
        if running.is_empty() {
            m.push(TrayItem::Label("No running containers".into()));
        } else {
            m.push(TrayItem::Label(match running.len() {
                1 => "1 running container".into(),
                n => format!("{n} running containers"),
            }));
            m.extend(running.iter().take(MAX_RUNNING).map(|c| container_menu(c)));
            if running.len() > MAX_RUNNING {
                m.push(TrayItem::Action {
                    command: TrayCommand::ShowContainers,
                    text: format!("More… ({} more)", running.len() - MAX_RUNNING),
                    enabled: true,
                });
            }
        }
        let stopped: Vec<TrayItem> = input
            .containers
            .iter()
            .filter(|c| matches!(c.state.as_str(), "exited" | "created"))
            .take(MAX_STOPPED)
            .map(|c| TrayItem::Action {
                command: TrayCommand::Start(c.id.clone()),
                text: label(&c.name),
                enabled: true,
            })
            .collect();
        if !stopped.is_empty() {
            m.push(TrayItem::Submenu {
                text: "Start a stopped container".into(),
                items: stopped,
            });
        }
        m.push(TrayItem::Separator);
    }
    m.push(TrayItem::Action {
        command: TrayCommand::Rebuild,
        text: match &input.last_build {
            Some(b) => format!("Rebuild {}", label(b)),
            None => "Rebuild the last build".into(),
        },
        enabled: connected && input.last_build.is_some(),
    });
    m.push(TrayItem::Separator);
    m.push(TrayItem::Action {
        command: TrayCommand::ToggleWindow,
        text: if input.window_visible {
            "Hide Dockwright".into()
        } else {
            "Show Dockwright".into()
        },
        enabled: true,
    });
    m.push(TrayItem::Action {
        command: TrayCommand::Quit,
        text: "Quit Dockwright".into(),
        enabled: true,
    });
    m
}

/// The tooltip: how many containers run.
pub fn tooltip(input: &TrayInput) -> String {
    match input.status {
        Some(EngineStatus::Connected { .. }) => {
            let n = input
                .containers
                .iter()
                .filter(|c| c.state == "running")
                .count();
            format!("Dockwright — {n} running")
        }
        _ => "Dockwright — engine not connected".into(),
    }
}

/// Builds the native menu for `items`.
pub fn build_menu<R: tauri::Runtime, M: tauri::Manager<R>>(
    app: &M,
    items: &[TrayItem],
) -> tauri::Result<tauri::menu::Menu<R>> {
    let natives = items
        .iter()
        .map(|i| native(app, i))
        .collect::<tauri::Result<Vec<_>>>()?;
    let refs: Vec<&dyn tauri::menu::IsMenuItem<R>> = natives.iter().map(|b| b.as_ref()).collect();
    tauri::menu::Menu::with_items(app, &refs)
}

fn native<R: tauri::Runtime, M: tauri::Manager<R>>(
    app: &M,
    item: &TrayItem,
) -> tauri::Result<Box<dyn tauri::menu::IsMenuItem<R>>> {
    use tauri::menu::{MenuItem, PredefinedMenuItem, Submenu};
    Ok(match item {
        TrayItem::Label(text) => Box::new(MenuItem::new(app, text, false, None::<&str>)?),
        TrayItem::Action {
            command,
            text,
            enabled,
        } => Box::new(MenuItem::with_id(
            app,
            command.id(),
            text,
            *enabled,
            None::<&str>,
        )?),
        TrayItem::Separator => Box::new(PredefinedMenuItem::separator(app)?),
        TrayItem::Submenu { text, items } => {
            let natives = items
                .iter()
                .map(|i| native(app, i))
                .collect::<tauri::Result<Vec<_>>>()?;
            let refs: Vec<&dyn tauri::menu::IsMenuItem<R>> =
                natives.iter().map(|b| b.as_ref()).collect();
            Box::new(Submenu::with_items(app, text, true, &refs)?)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use dockwright_engine::container::PortMapping;

    fn container(n: usize, state: &str) -> ContainerSummary {
        ContainerSummary {
            id: format!("{n:064x}"),
            name: format!("c{n}"),
            image: "busybox".into(),
            image_id: String::new(),
            command: String::new(),
            state: state.into(),
            status: String::new(),
            ports: vec![],
            created: 0,
            compose_project: None,
        }
    }

    fn connected() -> Option<EngineStatus> {
        Some(EngineStatus::Connected {
            info: dockwright_engine::EngineInfo {
                host: "unix:///run/docker.sock".into(),
                source: dockwright_engine::EndpointSource::Default,
                server_version: "20.10.24".into(),
                api_version: "1.41".into(),
                os: "linux".into(),
                arch: "x86_64".into(),
                kernel_version: String::new(),
                platform: String::new(),
            },
        })
    }

    fn commands(items: &[TrayItem]) -> Vec<String> {
        let mut out = vec![];
        for i in items {
            match i {
                TrayItem::Action { command, .. } => out.push(command.id()),
                TrayItem::Submenu { items, .. } => out.extend(commands(items)),
                _ => {}
            }
        }
        out
    }

    fn submenus(items: &[TrayItem]) -> Vec<&str> {
        items
            .iter()
            .filter_map(|i| match i {
                TrayItem::Submenu { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn running_containers_first_n_then_more() {
        let mut containers: Vec<_> = (0..11).map(|n| container(n, "running")).collect();
        containers.push(container(20, "exited"));
        containers.push(container(21, "created"));
        let m = menu(&TrayInput {
            status: connected(),
            containers,
            last_build: Some("web:latest".into()),
            window_visible: true,
        });
        assert_eq!(m[0], TrayItem::Label("Engine 20.10.24 — connected".into()));
        assert!(m.contains(&TrayItem::Label("11 running containers".into())));
        let subs = submenus(&m);
        assert_eq!(subs.len(), MAX_RUNNING + 1, "{subs:?}");
        assert_eq!(subs[0], "c0");
        assert_eq!(subs[MAX_RUNNING - 1], "c7");
        assert_eq!(subs[MAX_RUNNING], "Start a stopped container");
        let ids = commands(&m);
        assert!(ids.contains(&"containers".to_owned()), "More… is there");
        assert!(m
            .iter()
            .any(|i| matches!(i, TrayItem::Action { text, .. } if text == "More… (3 more)")));
        // Each shown running container has logs, stop and restart; the 9th has none.
        let c0 = format!("{:064x}", 0);
        for kind in ["logs", "stop", "restart"] {
            assert!(ids.contains(&format!("{kind}:{c0}")));
        }
        assert!(!ids.iter().any(|i| i.ends_with(&format!("{:064x}", 8))));
        // Both stopped ones can be started; none of the running ones.
        assert!(ids.contains(&format!("start:{:064x}", 20)));
        assert!(ids.contains(&format!("start:{:064x}", 21)));
        assert_eq!(ids.iter().filter(|i| i.starts_with("start:")).count(), 2);
        assert!(m.iter().any(|i| matches!(i,
            TrayItem::Action { command: TrayCommand::Rebuild, text, enabled: true } if text == "Rebuild web:latest")));
        assert!(m.iter().any(|i| matches!(i,
            TrayItem::Action { command: TrayCommand::ToggleWindow, text, .. } if text == "Hide Dockwright")));
        assert_eq!(
            commands(&m).last().map(String::as_str),
            Some("quit"),
            "Quit is last"
        );
    }

    #[test]
    fn published_tcp_ports_open_once_each() {
        let mut c = container(1, "running");
        c.ports = vec![
            PortMapping {
                ip: Some("0.0.0.0".into()),
                private_port: 80,
                public_port: Some(8080),
                protocol: "tcp".into(),
            },
            PortMapping {
                ip: Some("::".into()),
                private_port: 80,
                public_port: Some(8080),
                protocol: "tcp".into(),
            },
            PortMapping {
                ip: Some("127.0.0.1".into()),
                private_port: 443,
                public_port: Some(8443),
                protocol: "tcp".into(),
            },
            PortMapping {
                ip: None,
                private_port: 53,
                public_port: Some(5353),
                protocol: "udp".into(),
            },
            PortMapping {
                ip: None,
                private_port: 9000,
                public_port: None,
                protocol: "tcp".into(),
            },
        ];
        let m = menu(&TrayInput {
            status: connected(),
            containers: vec![c],
            ..Default::default()
        });
        let opens: Vec<String> = commands(&m)
            .into_iter()
            .filter(|i| i.starts_with("open:"))
            .collect();
        assert_eq!(
            opens,
            ["open:http://localhost:8080/", "open:http://127.0.0.1:8443/"]
        );
        for id in &opens {
            assert_eq!(
                TrayCommand::parse(id).map(|c| c.id()).as_deref(),
                Some(id.as_str())
            );
        }
    }

    #[test]
    fn disconnected_shows_no_containers_and_no_rebuild() {
        let m = menu(&TrayInput {
            status: Some(EngineStatus::Disconnected {
                host: None,
                error: dockwright_engine::monitor::StatusError {
                    code: "DaemonUnreachable".into(),
                    message: "down".into(),
                },
                retry_in_ms: 1000,
                attempt: 3,
            }),
            containers: vec![container(1, "running")],
            last_build: Some("x".into()),
            window_visible: false,
        });
        assert_eq!(
            m[0],
            TrayItem::Label("Engine not reachable — retrying".into())
        );
        assert!(submenus(&m).is_empty());
        assert!(m.iter().any(|i| matches!(
            i,
            TrayItem::Action {
                command: TrayCommand::Rebuild,
                enabled: false,
                ..
            }
        )));
        assert!(m.iter().any(|i| matches!(i,
            TrayItem::Action { command: TrayCommand::ToggleWindow, text, .. } if text == "Show Dockwright")));
        let none = menu(&TrayInput {
            status: connected(),
            ..Default::default()
        });
        assert!(none.contains(&TrayItem::Label("No running containers".into())));
    }

    #[test]
    fn hostile_names_are_inert_labels() {
        let mut c = container(1, "running");
        c.name = "a&b\u{1b}[31m\nc_".to_owned() + &"x".repeat(60);
        let m = menu(&TrayInput {
            status: connected(),
            containers: vec![c],
            ..Default::default()
        });
        let sub = submenus(&m)[0];
        assert!(sub.starts_with("a&&b[31mc_x"), "{sub}");
        assert!(!sub.chars().any(char::is_control));
        assert!(sub.ends_with('…'));
        assert_eq!(
            sub.chars().count(),
            MAX_LABEL + 2,
            "cut at the limit, & doubled"
        );
    }

    #[test]
    fn ids_round_trip_and_foreign_ids_are_refused() {
        let id = "ab".repeat(32);
        for c in [
            TrayCommand::Stop(id.clone()),
            TrayCommand::Restart(id.clone()),
            TrayCommand::Start(id.clone()),
            TrayCommand::ShowLogs(id.clone()),
            TrayCommand::OpenPort("http://[::1]:80/".into()),
            TrayCommand::ShowContainers,
            TrayCommand::Rebuild,
            TrayCommand::ToggleWindow,
            TrayCommand::Quit,
        ] {
            assert_eq!(TrayCommand::parse(&c.id()), Some(c));
        }
        for bad in [
            "stop:",
            "stop:../x",
            "stop:zz",
            "open:file:///etc/passwd",
            "open:http://evil.example:80/",
            "open:http://localhost:0/",
            "open:javascript:alert(1)",
            "quit:now",
            "",
            "nothing",
        ] {
            assert_eq!(TrayCommand::parse(bad), None, "{bad}");
        }
    }
}
