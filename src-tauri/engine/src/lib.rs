//! Dockwright's core: every Docker operation as a plain async fn or a `Stream`, with typed errors.
//!
//! This crate knows nothing of Tauri. It is tested in `tests/` against a real daemon.

pub mod build;
pub mod cmdline;
pub mod connect;
pub mod container;
pub mod credentials;
pub mod error;
pub mod events;
pub mod image;
pub mod keychain;
pub mod monitor;
pub mod progress;
pub mod reference;
pub mod registry;
mod tarstream;

pub use connect::{Endpoint, EndpointSource, Engine, EngineInfo, Environment, Transport};
pub use error::{EngineError, Result};
pub use events::{Change, ChangeScope};
pub use monitor::{EngineStatus, Monitor, MonitorEvent};

/// The label every object Dockwright's own tests and benchmarks create carries.
pub const TEST_LABEL: &str = "dev.dockwright.test";
