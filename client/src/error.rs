//! The one error type of the client, with a variant per Confluent error code a caller may want to
//! react to.

use std::fmt;

use serde::Deserialize;

/// What went wrong talking to a registry.
///
/// Registry errors keep the server's message. Variants named after a Confluent error code are
/// matched on the code (not the HTTP status), so they work with every server version.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// 40401: the subject does not exist (or has no visible versions).
    #[error("subject not found: {message}")]
    SubjectNotFound {
        /// The server's message.
        message: String,
    },
    /// 40402: the subject has no such version.
    #[error("version not found: {message}")]
    VersionNotFound {
        /// The server's message.
        message: String,
    },
    /// 40403: no schema with that id or guid, or the schema is not registered under the subject.
    #[error("schema not found: {message}")]
    SchemaNotFound {
        /// The server's message.
        message: String,
    },
    /// 40404: the subject is already soft-deleted; a permanent delete is needed.
    #[error("subject soft-deleted: {message}")]
    SubjectSoftDeleted {
        /// The server's message.
        message: String,
    },
    /// 40405: a permanent delete was asked for a subject that was not soft-deleted first.
    #[error("subject not soft-deleted: {message}")]
    SubjectNotSoftDeleted {
        /// The server's message.
        message: String,
    },
    /// 40406: the version is already soft-deleted; a permanent delete is needed.
    #[error("version soft-deleted: {message}")]
    VersionSoftDeleted {
        /// The server's message.
        message: String,
    },
    /// 40407: a permanent delete was asked for a version that was not soft-deleted first.
    #[error("version not soft-deleted: {message}")]
    VersionNotSoftDeleted {
        /// The server's message.
        message: String,
    },
    /// 40408: the subject has no subject-level compatibility configuration.
    #[error("subject config not found: {message}")]
    SubjectConfigNotFound {
        /// The server's message.
        message: String,
    },
    /// 40409: the subject has no subject-level mode.
    #[error("subject mode not found: {message}")]
    SubjectModeNotFound {
        /// The server's message.
        message: String,
    },
    /// 409 / 40901: the schema is incompatible with an earlier version of the subject.
    #[error("incompatible schema: {message}")]
    Incompatible {
        /// The server's message.
        message: String,
        /// The individual incompatibilities, split out of the message's `details: [...]` list
        /// when it has one; otherwise the message alone.
        messages: Vec<String>,
    },
    /// 42201: the schema, its type or one of its references is invalid.
    #[error("invalid schema: {message}")]
    InvalidSchema {
        /// The server's message.
        message: String,
    },
    /// 42202: the version is not a valid version id.
    #[error("invalid version: {message}")]
    InvalidVersion {
        /// The server's message.
        message: String,
    },
    /// 42203: the compatibility level is not one the server knows.
    #[error("invalid compatibility level: {message}")]
    InvalidCompatibilityLevel {
        /// The server's message.
        message: String,
    },
    /// 42204: the mode is not one the server knows.
    #[error("invalid mode: {message}")]
    InvalidMode {
        /// The server's message.
        message: String,
    },
    /// 42205: the registry's mode (read-only, import) or configuration forbids the operation.
    #[error("operation not permitted: {message}")]
    OperationNotPermitted {
        /// The server's message.
        message: String,
    },
    /// 42206: the schema is referenced by another schema and cannot be deleted.
    #[error("reference exists: {message}")]
    ReferenceExists {
        /// The server's message.
        message: String,
    },
    /// 42208: the subject name is not valid.
    #[error("invalid subject: {message}")]
    InvalidSubject {
        /// The server's message.
        message: String,
    },
    /// 42209: the schema is larger than the server accepts.
    #[error("schema too large: {message}")]
    SchemaTooLarge {
        /// The server's message.
        message: String,
    },
    /// 42210: the rule set is invalid.
    #[error("invalid rule set: {message}")]
    InvalidRuleSet {
        /// The server's message.
        message: String,
    },
    /// 42211: the context still holds subjects.
    #[error("context not empty: {message}")]
    ContextNotEmpty {
        /// The server's message.
        message: String,
    },
    /// Any other 4xx answer (unknown route, unsupported media type, ...).
    #[error("HTTP {status}{}: {message}", code_suffix(*error_code))]
    Http {
        /// The HTTP status.
        status: u16,
        /// The Confluent error code, when the body carried one.
        error_code: Option<i32>,
        /// The server's message, or the raw body when it was not a Confluent error.
        message: String,
    },
    /// A 5xx answer, after the retries allowed by the configuration.
    #[error("server error HTTP {status}{}: {message}", code_suffix(*error_code))]
    Server {
        /// The HTTP status.
        status: u16,
        /// The Confluent error code (50001 store, 50002 timeout, ...), when the body carried one.
        error_code: Option<i32>,
        /// The server's message, or the raw body when it was not a Confluent error.
        message: String,
    },
    /// No answer: the connection failed, timed out, or the overall deadline passed.
    #[error("transport error ({kind}) for {url}: {message}")]
    Transport {
        /// What kind of failure it was.
        kind: TransportErrorKind,
        /// The URL that was being requested (without credentials).
        url: String,
        /// A description of the failure.
        message: String,
    },
    /// A success answer whose body is not what the API documents.
    #[error("unexpected response from {url}: {message}")]
    Decode {
        /// The URL that answered.
        url: String,
        /// What did not match.
        message: String,
    },
    /// An argument the client refuses to send (an empty subject, `.` or `..` as a path segment).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The client configuration is invalid.
    #[error("invalid client configuration: {0}")]
    Config(String),
}

fn code_suffix(code: Option<i32>) -> String {
    code.map(|c| format!(" (error code {c})"))
        .unwrap_or_default()
}

/// The kind of a [`Error::Transport`] failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The connection could not be established (refused, DNS, TLS handshake).
    Connect,
    /// The request or the overall deadline timed out.
    Timeout,
    /// Anything else: the connection dropped, the body could not be read, ...
    Other,
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportErrorKind::Connect => "connect",
            TransportErrorKind::Timeout => "timeout",
            TransportErrorKind::Other => "other",
        })
    }
}

/// The result type of the client.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The Confluent error code of a registry error, if there is one.
    pub fn error_code(&self) -> Option<i32> {
        Some(match self {
            Error::SubjectNotFound { .. } => 40401,
            Error::VersionNotFound { .. } => 40402,
            Error::SchemaNotFound { .. } => 40403,
            Error::SubjectSoftDeleted { .. } => 40404,
            Error::SubjectNotSoftDeleted { .. } => 40405,
            Error::VersionSoftDeleted { .. } => 40406,
            Error::VersionNotSoftDeleted { .. } => 40407,
            Error::SubjectConfigNotFound { .. } => 40408,
            Error::SubjectModeNotFound { .. } => 40409,
            Error::Incompatible { .. } => 40901,
            Error::InvalidSchema { .. } => 42201,
            Error::InvalidVersion { .. } => 42202,
            Error::InvalidCompatibilityLevel { .. } => 42203,
            Error::InvalidMode { .. } => 42204,
            Error::OperationNotPermitted { .. } => 42205,
            Error::ReferenceExists { .. } => 42206,
            Error::InvalidSubject { .. } => 42208,
            Error::SchemaTooLarge { .. } => 42209,
            Error::InvalidRuleSet { .. } => 42210,
            Error::ContextNotEmpty { .. } => 42211,
            Error::Http { error_code, .. } | Error::Server { error_code, .. } => {
                return *error_code
            }
            Error::Transport { .. }
            | Error::Decode { .. }
            | Error::InvalidArgument(_)
            | Error::Config(_) => return None,
        })
    }

    /// Whether the error says that something does not exist (any HTTP 404 answer).
    pub fn is_not_found(&self) -> bool {
        match self {
            Error::SubjectNotFound { .. }
            | Error::VersionNotFound { .. }
            | Error::SchemaNotFound { .. }
            | Error::SubjectConfigNotFound { .. }
            | Error::SubjectModeNotFound { .. } => true,
            Error::Http { status, .. } => *status == 404,
            _ => false,
        }
    }

    /// Builds the error for a non-success answer from its HTTP status and body.
    pub(crate) fn from_response(status: u16, body: &[u8]) -> Error {
        #[derive(Deserialize)]
        struct ErrorBody {
            error_code: Option<i32>,
            message: Option<String>,
        }
        let (error_code, message) = match serde_json::from_slice::<ErrorBody>(body) {
            Ok(parsed) => (
                parsed.error_code,
                parsed.message.unwrap_or_else(|| body_text(body)),
            ),
            Err(_) => (None, body_text(body)),
        };
        if status >= 500 {
            return Error::Server {
                status,
                error_code,
                message,
            };
        }
        match error_code {
            Some(40401) => Error::SubjectNotFound { message },
            Some(40402) => Error::VersionNotFound { message },
            Some(40403) => Error::SchemaNotFound { message },
            Some(40404) => Error::SubjectSoftDeleted { message },
            Some(40405) => Error::SubjectNotSoftDeleted { message },
            Some(40406) => Error::VersionSoftDeleted { message },
            Some(40407) => Error::VersionNotSoftDeleted { message },
            Some(40408) => Error::SubjectConfigNotFound { message },
            Some(40409) => Error::SubjectModeNotFound { message },
            // Servers before 8.0.4 / 8.2 answer an incompatible registration with code 409.
            Some(40901) | Some(409) if status == 409 => Error::Incompatible {
                messages: incompatibility_messages(&message),
                message,
            },
            Some(42201) => Error::InvalidSchema { message },
            Some(42202) => Error::InvalidVersion { message },
            Some(42203) => Error::InvalidCompatibilityLevel { message },
            Some(42204) => Error::InvalidMode { message },
            Some(42205) => Error::OperationNotPermitted { message },
            Some(42206) => Error::ReferenceExists { message },
            Some(42208) => Error::InvalidSubject { message },
            Some(42209) => Error::SchemaTooLarge { message },
            Some(42210) => Error::InvalidRuleSet { message },
            Some(42211) => Error::ContextNotEmpty { message },
            _ => Error::Http {
                status,
                error_code,
                message,
            },
        }
    }
}

/// The longest raw body kept in an error message.
const MAX_BODY_IN_ERROR: usize = 1024;

fn body_text(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.len() <= MAX_BODY_IN_ERROR {
        return text.to_owned();
    }
    let mut end = MAX_BODY_IN_ERROR;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

/// Splits the `details: [{...}, {...}]` list of a Confluent 409 message into its elements.
///
/// The server renders the list with Java's `List.toString`, so elements are joined by `", "`;
/// every element Confluent produces is a `{...}` object, which is what makes the split reliable.
/// A message that does not have that shape is returned whole.
pub(crate) fn incompatibility_messages(message: &str) -> Vec<String> {
    let Some(start) = message.find("details: [") else {
        return vec![message.to_owned()];
    };
    let list = &message[start + "details: [".len()..];
    let Some(list) = list.strip_suffix(']') else {
        return vec![message.to_owned()];
    };
    if list.is_empty() {
        return Vec::new();
    }
    if !(list.starts_with('{') && list.ends_with('}')) {
        return vec![list.to_owned()];
    }
    // A description containing "}, {" would be split too; Confluent's messages do not have one.
    let parts: Vec<&str> = list.split("}, {").collect();
    let last = parts.len() - 1;
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            let mut element = String::with_capacity(part.len() + 2);
            if i > 0 {
                element.push('{');
            }
            element.push_str(part);
            if i < last {
                element.push('}');
            }
            element
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(code: i32, message: &str) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({"error_code": code, "message": message})).unwrap()
    }

    #[test]
    fn every_confluent_code_maps_to_its_variant_and_back() {
        let table: &[(u16, i32)] = &[
            (404, 40401),
            (404, 40402),
            (404, 40403),
            (404, 40404),
            (404, 40405),
            (404, 40406),
            (404, 40407),
            (404, 40408),
            (404, 40409),
            (409, 40901),
            (422, 42201),
            (422, 42202),
            (422, 42203),
            (422, 42204),
            (422, 42205),
            (422, 42206),
            (422, 42208),
            (422, 42209),
            (422, 42210),
            (422, 42211),
        ];
        for &(status, code) in table {
            let error = Error::from_response(status, &body(code, "the message"));
            assert!(
                !matches!(error, Error::Http { .. } | Error::Server { .. }),
                "{code} fell through to {error:?}"
            );
            assert_eq!(error.error_code(), Some(code), "{error:?}");
            assert!(error.to_string().contains("the message"), "{error}");
        }
    }

    #[test]
    fn specific_variants_keep_the_message() {
        let error = Error::from_response(404, &body(40401, "Subject 'x' not found."));
        match error {
            Error::SubjectNotFound { message } => assert_eq!(message, "Subject 'x' not found."),
            other => panic!("unexpected {other:?}"),
        }
        assert!(Error::from_response(404, &body(40403, "Schema 7 not found")).is_not_found());
        assert!(!Error::from_response(422, &body(42201, "bad")).is_not_found());
    }

    #[test]
    fn legacy_409_code_is_incompatible() {
        let message = r#"Schema being registered is incompatible with an earlier schema for subject "s", details: [{errorType:'NAME_MISMATCH', description:'x, y', additionalInfo:'R'}, {oldSchemaVersion: 1}, {validateFields: 'false', compatibility: 'BACKWARD'}]"#;
        match Error::from_response(409, &body(409, message)) {
            Error::Incompatible {
                message: kept,
                messages,
            } => {
                assert_eq!(kept, message);
                assert_eq!(
                    messages,
                    vec![
                        "{errorType:'NAME_MISMATCH', description:'x, y', additionalInfo:'R'}",
                        "{oldSchemaVersion: 1}",
                        "{validateFields: 'false', compatibility: 'BACKWARD'}",
                    ]
                );
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn incompatibility_messages_edge_cases() {
        assert_eq!(incompatibility_messages("plain"), vec!["plain"]);
        assert_eq!(
            incompatibility_messages("x, details: []"),
            Vec::<String>::new()
        );
        assert_eq!(
            incompatibility_messages("x, details: [{only: 1}]"),
            vec!["{only: 1}"]
        );
        assert_eq!(
            incompatibility_messages("x, details: [free text]"),
            vec!["free text"]
        );
        assert_eq!(
            incompatibility_messages("x, details: [{a}, {b}"),
            vec!["x, details: [{a}, {b}"]
        );
    }

    #[test]
    fn other_statuses_are_http_or_server() {
        match Error::from_response(405, &body(405, "HTTP 405 Method Not Allowed")) {
            Error::Http {
                status: 405,
                error_code: Some(405),
                ..
            } => {}
            other => panic!("unexpected {other:?}"),
        }
        // A code the server sends with a 5xx status is a server error whatever the code.
        match Error::from_response(500, &body(50001, "store")) {
            Error::Server {
                status: 500,
                error_code: Some(50001),
                message,
            } => assert_eq!(message, "store"),
            other => panic!("unexpected {other:?}"),
        }
        // 409 with an association code is not an incompatibility.
        assert!(matches!(
            Error::from_response(409, &body(40904, "association")),
            Error::Http { .. }
        ));
    }

    #[test]
    fn non_json_bodies_are_kept_and_bounded() {
        match Error::from_response(502, b"<html>Bad gateway</html>") {
            Error::Server {
                error_code: None,
                message,
                ..
            } => assert_eq!(message, "<html>Bad gateway</html>"),
            other => panic!("unexpected {other:?}"),
        }
        let long = "é".repeat(5000);
        match Error::from_response(400, long.as_bytes()) {
            Error::Http { message, .. } => {
                assert!(message.len() <= MAX_BODY_IN_ERROR + 3);
                assert!(message.ends_with("..."));
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
