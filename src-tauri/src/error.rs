//! What crosses IPC when a command fails: `{code, message}`.

use dockwright_engine::EngineError;
use serde::Serialize;
use specta::Type;

#[derive(Debug, Clone, Serialize, Type, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct IpcError {
    /// `DaemonUnreachable`, `PermissionDenied`, `InvalidInput`, `Tls`, `NotFound`, `Conflict`,
    /// `Unauthorized`, `Cancelled`, `Api`, `Other`.
    pub code: String,
    pub message: String,
    /// For `InvalidInput`: the field the message is about.
    pub field: Option<String>,
}

impl From<EngineError> for IpcError {
    fn from(e: EngineError) -> Self {
        let field = match &e {
            EngineError::InvalidInput { field, .. } => Some(field.clone()),
            _ => None,
        };
        Self {
            code: e.code().to_owned(),
            message: e.to_string(),
            field,
        }
    }
}

pub type IpcResult<T> = Result<T, IpcError>;
