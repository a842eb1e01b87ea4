//! The one error type of the server and its single mapping to Confluent's error body.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::store::StoreError;

/// The media type of every response body.
pub const CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";

/// An error a request ends with: Confluent's `error_code` and message.
///
/// The HTTP status is derived from the code, as Confluent does: `40401` → 404, `42201` → 422,
/// `50001` → 500; a three-digit code is the status itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    /// Confluent's error code.
    pub code: u32,
    /// The message, in Confluent's words.
    pub message: String,
}

impl ApiError {
    /// An error with an explicit code and message.
    pub fn new(code: u32, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
        }
    }

    /// The HTTP status for this error's code.
    pub fn status(&self) -> StatusCode {
        let status = if self.code >= 1000 {
            self.code / 100
        } else {
            self.code
        };
        u16::try_from(status)
            .ok()
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// 404 for a route that does not exist.
    pub fn route_not_found() -> Self {
        ApiError::new(404, "HTTP 404 Not Found")
    }

    /// 405 for a route that exists with other methods.
    pub fn method_not_allowed() -> Self {
        ApiError::new(405, "HTTP 405 Method Not Allowed")
    }

    /// 415 for a request body in a media type the API does not consume.
    pub fn unsupported_media_type() -> Self {
        ApiError::new(415, "HTTP 415 Unsupported Media Type")
    }

    /// 413 for a request body above the configured limit.
    pub fn payload_too_large() -> Self {
        ApiError::new(413, "HTTP 413 Payload Too Large")
    }

    /// 400 for a body that is not valid JSON or has the wrong shape.
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(400, message)
    }

    /// 40401.
    pub fn subject_not_found(subject: &str) -> Self {
        ApiError::new(40401, format!("Subject '{subject}' not found."))
    }

    /// 40402.
    pub fn version_not_found(version: i32) -> Self {
        ApiError::new(40402, format!("Version {version} not found."))
    }

    /// 40403 without an id.
    pub fn schema_not_found() -> Self {
        ApiError::new(40403, "Schema not found")
    }

    /// 40403 for an id.
    pub fn schema_id_not_found(id: impl std::fmt::Display) -> Self {
        ApiError::new(40403, format!("Schema {id} not found"))
    }

    /// 42201.
    pub fn invalid_schema(message: impl Into<String>) -> Self {
        ApiError::new(42201, message)
    }

    /// 42202.
    pub fn invalid_version(version: &str) -> Self {
        ApiError::new(
            42202,
            format!(
                "The specified version '{version}' is not a valid version id. Allowed values are \
                 between [1, 2^31-1] and the string \"latest\""
            ),
        )
    }

    /// 42203.
    pub fn invalid_compatibility_level() -> Self {
        ApiError::new(
            42203,
            "Invalid compatibility level. Valid values are none, backward, forward, full, \
             backward_transitive, forward_transitive, and full_transitive",
        )
    }

    /// 42204.
    pub fn invalid_mode() -> Self {
        ApiError::new(
            42204,
            "Invalid mode. Valid values are READWRITE, READONLY, and IMPORT.",
        )
    }

    /// 42205.
    pub fn operation_not_permitted(message: impl Into<String>) -> Self {
        ApiError::new(42205, message)
    }

    /// 42208.
    pub fn invalid_subject(subject: &str) -> Self {
        ApiError::new(
            42208,
            format!("The specified subject '{subject}' is not a valid."),
        )
    }

    /// 50001 (50002 for a timeout), with the detail logged rather than returned.
    pub fn store(error: &StoreError) -> Self {
        tracing::error!(%error, "storage failure");
        match error {
            StoreError::Timeout(_) => ApiError::new(50002, "Operation timed out"),
            _ => ApiError::new(50001, "Error in the backend data store"),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        ApiError::store(&error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error_code": self.code, "message": self.message});
        (
            self.status(),
            [(header::CONTENT_TYPE, CONTENT_TYPE)],
            body.to_string(),
        )
            .into_response()
    }
}
