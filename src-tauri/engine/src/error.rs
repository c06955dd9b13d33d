//! `EngineError`: every failure the engine reports, each with a stable `code()` the UI branches on.

use std::error::Error as StdError;
use std::io;

pub type Result<T, E = EngineError> = std::result::Result<T, E>;

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum EngineError {
    /// Nothing answers at the address: no socket, connection refused, a timeout.
    #[error("{message}")]
    DaemonUnreachable { address: String, message: String },
    /// The socket is there but this user may not open it.
    #[error("Permission denied opening {address}. {hint}")]
    PermissionDenied { address: String, hint: String },
    /// A value the user gave (or the environment holds) is not valid; nothing was sent.
    #[error("{field}: {message}")]
    InvalidInput { field: String, message: String },
    /// TLS was asked for but cannot be set up or the handshake failed. Never falls back to HTTP.
    #[error("TLS problem with {address}: {message}")]
    Tls { address: String, message: String },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unauthorized(String),
    /// A run needs an image that is not on the engine: the UI offers to pull it.
    #[error("{0}")]
    ImageNotLocal(String),
    #[error("Cancelled")]
    Cancelled,
    /// An operation the daemon accepted and then reported as failed in its stream (a build step,
    /// a pull): HTTP 200 followed by an error detail.
    #[error("{0}")]
    Failed(String),
    /// The daemon answered with an error we do not classify further.
    #[error("Docker Engine error ({status}): {message}")]
    Api { status: u16, message: String },
    #[error("{0}")]
    Other(String),
}

impl EngineError {
    /// The stable code that crosses IPC next to the message.
    pub fn code(&self) -> &'static str {
        match self {
            Self::DaemonUnreachable { .. } => "DaemonUnreachable",
            Self::PermissionDenied { .. } => "PermissionDenied",
            Self::InvalidInput { .. } => "InvalidInput",
            Self::Tls { .. } => "Tls",
            Self::NotFound(_) => "NotFound",
            Self::Conflict(_) => "Conflict",
            Self::Unauthorized(_) => "Unauthorized",
            Self::ImageNotLocal(_) => "ImageNotLocal",
            Self::Cancelled => "Cancelled",
            Self::Failed(_) => "Failed",
            Self::Api { .. } => "Api",
            Self::Other(_) => "Other",
        }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidInput {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Classifies a bollard error from a request to the daemon at `address`.
    pub fn from_bollard(err: bollard::errors::Error, address: &str) -> Self {
        use bollard::errors::Error as B;
        match err {
            B::DockerResponseServerError {
                status_code,
                message,
            } => {
                let message = clean_daemon_message(&message);
                match status_code {
                    404 => Self::NotFound(message),
                    409 => Self::Conflict(message),
                    401 | 403 => Self::Unauthorized(message),
                    status => Self::Api { status, message },
                }
            }
            // The daemon accepted the request and then reported a failure in its stream (a build
            // step, a pull): HTTP 200, then `{"error": …}`.
            B::DockerStreamError { error } => Self::Failed(clean_daemon_message(&error)),
            B::SocketNotFoundError(path) => Self::no_socket(&path),
            B::RequestTimeoutError => Self::DaemonUnreachable {
                address: address.to_owned(),
                message: format!(
                    "The Docker daemon at {address} did not answer in time. It may be overloaded or stuck."
                ),
            },
            B::CertPathError { path } => Self::Tls {
                address: address.to_owned(),
                message: format!("cannot read the certificate file {}", path.display()),
            },
            B::CertParseError { path } => Self::Tls {
                address: address.to_owned(),
                message: format!("cannot parse the certificate file {}", path.display()),
            },
            other => Self::from_transport(&other, address),
        }
    }

    /// Looks through the source chain for the I/O or TLS failure underneath a transport error.
    fn from_transport(err: &(dyn StdError + 'static), address: &str) -> Self {
        let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
        let mut text = err.to_string();
        while let Some(e) = cur {
            if let Some(io) = e.downcast_ref::<io::Error>() {
                if let Some(inner) = io.get_ref() {
                    let inner_text = inner.to_string();
                    if looks_like_tls(&inner_text) {
                        return Self::Tls {
                            address: address.to_owned(),
                            message: inner_text,
                        };
                    }
                }
                return Self::from_io(io, address);
            }
            let t = e.to_string();
            if looks_like_tls(&t) {
                return Self::Tls {
                    address: address.to_owned(),
                    message: t,
                };
            }
            text = t;
            cur = e.source();
        }
        Self::DaemonUnreachable {
            address: address.to_owned(),
            message: format!("Cannot talk to the Docker daemon at {address}: {text}"),
        }
    }

    pub fn from_io(io: &io::Error, address: &str) -> Self {
        match io.kind() {
            io::ErrorKind::PermissionDenied => Self::permission_denied(address),
            io::ErrorKind::NotFound => Self::no_socket(address),
            io::ErrorKind::ConnectionRefused => Self::DaemonUnreachable {
                address: address.to_owned(),
                message: format!(
                    "Connection refused at {address}: the Docker daemon is not running there. Start Docker and Dockwright reconnects by itself."
                ),
            },
            _ => Self::DaemonUnreachable {
                address: address.to_owned(),
                message: format!("Cannot talk to the Docker daemon at {address}: {io}"),
            },
        }
    }

    pub fn no_socket(address: &str) -> Self {
        let path = address.trim_start_matches("unix://");
        Self::DaemonUnreachable {
            address: address.to_owned(),
            message: format!(
                "No Docker socket at {path}: the Docker daemon is not running (or listens elsewhere; set DOCKER_HOST or a docker context). Dockwright reconnects by itself when it starts."
            ),
        }
    }

    pub fn permission_denied(address: &str) -> Self {
        Self::PermissionDenied {
            address: address.to_owned(),
            hint: if cfg!(target_os = "linux") {
                "Add your user to the docker group (sudo usermod -aG docker $USER), then log out and in again.".to_owned()
            } else {
                "Check that your user may use the Docker socket.".to_owned()
            },
        }
    }
}

fn looks_like_tls(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    t.contains("certificate") || t.contains("tls") || t.contains("handshake") || t.contains("ssl")
}

/// Daemon messages are hostile text: strip control characters and bound the length.
pub fn clean_daemon_message(message: &str) -> String {
    let mut out: String = message
        .trim()
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .take(2000)
        .collect();
    if out.is_empty() {
        out = "the daemon gave no message".to_owned();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_map_to_codes() {
        let e = |status_code| {
            EngineError::from_bollard(
                bollard::errors::Error::DockerResponseServerError {
                    status_code,
                    message: "no such container: x\u{1b}[31m".into(),
                },
                "unix:///s",
            )
        };
        assert_eq!(e(404).code(), "NotFound");
        assert_eq!(e(409).code(), "Conflict");
        assert_eq!(e(401).code(), "Unauthorized");
        assert_eq!(e(500).code(), "Api");
        assert!(!e(404).to_string().contains('\u{1b}'));
    }

    #[test]
    fn io_kinds_give_distinct_messages() {
        let a = "unix:///run/x.sock";
        let refused = EngineError::from_io(&io::Error::from(io::ErrorKind::ConnectionRefused), a);
        let denied = EngineError::from_io(&io::Error::from(io::ErrorKind::PermissionDenied), a);
        let missing = EngineError::from_io(&io::Error::from(io::ErrorKind::NotFound), a);
        assert_eq!(refused.code(), "DaemonUnreachable");
        assert_eq!(denied.code(), "PermissionDenied");
        assert_eq!(missing.code(), "DaemonUnreachable");
        assert!(refused.to_string().contains("refused"));
        assert!(missing
            .to_string()
            .contains("No Docker socket at /run/x.sock"));
        assert_ne!(refused.to_string(), missing.to_string());
    }
}
