//! The HTTP surface: one dispatcher over Confluent's routes.
//!
//! Routing is done on the raw path, one percent-decoded segment at a time, because subjects may
//! contain `/` (sent as `%2F`), and because Confluent's answers for unknown routes (404), wrong
//! methods (405) and foreign media types (415) must come back in its error body.

use std::borrow::Cow;
use std::sync::Arc;

use axum::body::to_bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use percent_encoding::percent_decode_str;
use serde_json::{json, Value};

use crate::error::{ApiError, CONTENT_TYPE};
use crate::model::RegisterSchemaRequest;
use crate::registry::Registry;
use crate::store::{AnyStore, VersionRecord};

/// What every request handler shares.
pub struct AppState {
    /// The rules over the store.
    pub registry: Registry<AnyStore>,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
}

/// The axum router serving the whole API.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new().fallback(dispatch).with_state(state)
}

/// The query string, decoded.
struct Query(Vec<(String, String)>);

fn decode_component(text: &str) -> String {
    percent_decode_str(&text.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

impl Query {
    fn parse(raw: Option<&str>) -> Query {
        let pairs = raw
            .unwrap_or("")
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (decode_component(k), decode_component(v))
            })
            .collect();
        Query(pairs)
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// A boolean flag: true only for `true` in any case.
    fn flag(&self, key: &str) -> bool {
        self.get(key)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// `deletedOnly`, also under the name the Python client sends (`deleted_only`).
    fn deleted_only(&self) -> bool {
        self.flag("deletedOnly") || self.flag("deleted_only")
    }

    /// An integer parameter; a value that is not an `int` makes the route not match (404).
    fn int(&self, key: &str) -> Result<Option<i32>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => parse_int(v).map(Some).ok_or_else(ApiError::route_not_found),
        }
    }
}

/// Parses an `int` the way the JVM does for path and query parameters.
fn parse_int(text: &str) -> Option<i32> {
    let digits = text.strip_prefix('+').unwrap_or(text);
    if digits.is_empty() || digits.starts_with('+') {
        return None;
    }
    text.parse::<i32>().ok()
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, CONTENT_TYPE)],
        body.to_string(),
    )
        .into_response()
}

fn ok(body: Value) -> Result<Response, ApiError> {
    Ok(json_response(StatusCode::OK, &body))
}

fn text_response(text: String) -> Result<Response, ApiError> {
    Ok((StatusCode::OK, [(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response())
}

/// Applies `offset` and `limit` (a limit of zero or less means no limit).
fn page<T>(items: Vec<T>, query: &Query, default_limit: Option<usize>) -> Result<Vec<T>, ApiError> {
    let offset = query.int("offset")?.unwrap_or(0);
    let limit = query.int("limit")?.unwrap_or(-1);
    if offset < 0 {
        return Err(ApiError::new(500, "Internal Server Error"));
    }
    let offset = usize::try_from(offset).unwrap_or(0);
    let limit = match (
        usize::try_from(limit).ok().filter(|l| *l > 0),
        default_limit,
    ) {
        (Some(l), Some(max)) if l <= max => l,
        (Some(_), Some(max)) | (None, Some(max)) => max,
        (Some(l), None) => l,
        (None, None) => usize::MAX,
    };
    Ok(items.into_iter().skip(offset).take(limit).collect())
}

/// Reads the body: 415 for a media type the API does not consume, 413 above the limit.
struct RequestBody {
    bytes: bytes::Bytes,
    content_type_ok: bool,
}

impl RequestBody {
    /// The body as JSON: 415 for a foreign media type, 400 for malformed JSON, and 422 with
    /// `null_message` (Confluent's "must not be null") for an empty or `null` body.
    fn json(&self, null_message: &str) -> Result<Value, ApiError> {
        if !self.content_type_ok {
            return Err(ApiError::unsupported_media_type());
        }
        let text = String::from_utf8_lossy(&self.bytes);
        if text.trim().is_empty() {
            return Err(ApiError::new(422, null_message));
        }
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| ApiError::bad_request(format!("Malformed JSON: {e}")))?;
        if value.is_null() {
            return Err(ApiError::new(422, null_message));
        }
        Ok(value)
    }
}

fn content_type_ok(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return true;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    matches!(
        essence.as_str(),
        "application/vnd.schemaregistry.v1+json"
            | "application/vnd.schemaregistry+json"
            | "application/json"
            | "application/octet-stream"
            | ""
    )
}

async fn dispatch(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let (method, uri, headers) = (parts.method, parts.uri, parts.headers);
    let bytes = match to_bytes(body, state.max_body_bytes).await {
        Ok(bytes) => bytes,
        Err(_) => return ApiError::payload_too_large().into_response(),
    };
    let body = RequestBody {
        bytes,
        content_type_ok: content_type_ok(&headers),
    };
    // Segments are borrowed from the path unless they hold percent-escapes.
    let segments: Vec<Cow<'_, str>> = uri
        .path()
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode_str(s).decode_utf8_lossy())
        .collect();
    let query = Query::parse(uri.query());
    let Some(media_type) = negotiate(&headers) else {
        return ApiError::new(406, "HTTP 406 Not Acceptable").into_response();
    };
    // HEAD is GET without the body (hyper leaves the body out).
    let routed = if method == Method::HEAD {
        Method::GET
    } else {
        method.clone()
    };
    let routed = if routed == Method::GET {
        route(&state, &routed, segments, &query, &body).await
    } else {
        // A change, once started, runs to its end even if the client goes away: a dropped
        // request must not stop a write between its statements, with locks and an open
        // transaction left behind.
        let segments: Vec<Cow<'static, str>> = segments
            .into_iter()
            .map(|s| Cow::Owned(s.into_owned()))
            .collect();
        let state = state.clone();
        let task =
            tokio::spawn(async move { route(&state, &routed, segments, &query, &body).await });
        match task.await {
            Ok(result) => result,
            Err(error) => Err(crate::registry::internal(error)),
        }
    };
    let mut response = match routed {
        Ok(response) => response,
        Err(error) => error.into_response(),
    };
    if response.status().is_success() && media_type != CONTENT_TYPE {
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    }
    tracing::debug!(%method, path = uri.path(), status = response.status().as_u16(), "request");
    response
}

/// The response media types, in the server's order of preference with their quality.
const PRODUCED: [(&str, f32); 3] = [
    (CONTENT_TYPE, 1.0),
    ("application/vnd.schemaregistry+json", 0.9),
    ("application/json", 0.5),
];

/// The media type to answer with, from the `Accept` header; `None` when nothing acceptable is
/// produced (406). No header, or one that fails to parse, accepts the default.
fn negotiate(headers: &HeaderMap) -> Option<&'static str> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(CONTENT_TYPE);
    };
    if accept.trim().is_empty() {
        return Some(CONTENT_TYPE);
    }
    let ranges: Vec<(String, f32)> = accept
        .split(',')
        .map(|range| {
            let mut parts = range.split(';');
            let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            (media, q)
        })
        .collect();
    let quality = |produced: &str| {
        let (kind, _) = produced.split_once('/').unwrap_or((produced, ""));
        ranges
            .iter()
            .filter(|(media, _)| {
                media == produced
                    || media == "*/*"
                    || media == "*"
                    || media.strip_suffix("/*") == Some(kind)
            })
            .map(|(_, q)| *q)
            .fold(0.0f32, f32::max)
    };
    PRODUCED
        .iter()
        .map(|(media, qs)| (*media, quality(media) * qs))
        .filter(|(_, score)| *score > 0.0)
        .fold(
            None,
            |best: Option<(&'static str, f32)>, (media, score)| match best {
                Some((_, s)) if s >= score => best,
                _ => Some((media, score)),
            },
        )
        .map(|(media, _)| media)
}

/// The context of a `/contexts/{ctx}/...` URL, as `.ctx`.
fn context_segment(raw: &str) -> Result<String, ApiError> {
    if raw.contains(':') {
        return Err(ApiError::bad_request("Context name cannot contain a colon"));
    }
    Ok(if raw.starts_with('.') {
        raw.to_owned()
    } else {
        format!(".{raw}")
    })
}

fn methods(method: &Method, allowed: &[Method]) -> Result<(), ApiError> {
    if allowed.contains(method) {
        Ok(())
    } else {
        Err(ApiError::method_not_allowed())
    }
}

fn versions_json(list: Vec<i32>) -> Value {
    json!(list)
}

fn subject_versions_json(list: &[VersionRecord]) -> Value {
    Value::Array(
        list.iter()
            .map(|v| json!({"subject": v.subject, "version": v.version}))
            .collect(),
    )
}

async fn route(
    state: &AppState,
    method: &Method,
    mut segments: Vec<Cow<'_, str>>,
    query: &Query,
    body: &RequestBody,
) -> Result<Response, ApiError> {
    let registry = &state.registry;
    let mut context: Option<String> = None;
    if segments.len() >= 3 && segments[0] == "contexts" {
        context = Some(context_segment(&segments[1])?);
        segments.drain(..2);
    }
    let qualify = |subject: &str| match &context {
        Some(c) => format!(":{c}:{subject}"),
        None => subject.to_owned(),
    };
    let context_subject = context.as_ref().map(|c| format!(":{c}:"));
    let segs: Vec<&str> = segments.iter().map(AsRef::as_ref).collect();
    match segs.as_slice() {
        [] => {
            methods(method, &[Method::GET, Method::POST])?;
            if method == Method::POST && !body.bytes.iter().all(u8::is_ascii_whitespace) {
                let value = body.json("body must not be null")?;
                let map = crate::model::object(&value, "String>")
                    .map_err(|_| ApiError::bad_request("Cannot deserialize value of type `String>` from Array value (token `JsonToken.START_ARRAY`)"))?;
                for v in map.values() {
                    crate::model::string_field(Some(v))?;
                }
            }
            ok(json!({}))
        }
        ["subjects"] => {
            methods(method, &[Method::GET])?;
            let prefix = context_subject
                .clone()
                .or_else(|| query.get("subjectPrefix").map(str::to_owned));
            let subjects = registry
                .list_subjects(
                    prefix.as_deref(),
                    query.flag("deleted"),
                    query.deleted_only(),
                )
                .await?;
            ok(json!(page(subjects, query, None)?))
        }
        ["subjects", subject] => {
            methods(method, &[Method::POST, Method::DELETE])?;
            let subject = qualify(subject);
            if method == Method::POST {
                let value =
                    body.json("lookUpSchemaUnderSubject.arg4 must not be null (was null)")?;
                let request = RegisterSchemaRequest::from_json(&value)?;
                ok(registry
                    .lookup(
                        &subject,
                        &request,
                        query.flag("normalize"),
                        query.flag("deleted"),
                    )
                    .await?)
            } else {
                let versions = registry
                    .delete_subject(&subject, query.flag("permanent"))
                    .await?;
                ok(versions_json(versions))
            }
        }
        ["subjects", subject, "versions"] => {
            methods(method, &[Method::GET, Method::POST])?;
            let subject = qualify(subject);
            if method == Method::GET {
                let versions = registry
                    .list_versions(&subject, query.flag("deleted"), query.deleted_only())
                    .await?;
                ok(json!(page(versions, query, None)?))
            } else {
                let value = body.json("register.arg5 must not be null (was null)")?;
                let request = RegisterSchemaRequest::from_json(&value)?;
                ok(registry
                    .register(&subject, request, query.flag("normalize"))
                    .await?)
            }
        }
        ["subjects", subject, "versions", version] => {
            methods(method, &[Method::GET, Method::DELETE])?;
            let subject = qualify(subject);
            if method == Method::GET {
                ok(registry
                    .get_version(&subject, version, query.flag("deleted"))
                    .await?)
            } else {
                let deleted = registry
                    .delete_version(&subject, version, query.flag("permanent"))
                    .await?;
                ok(json!(deleted))
            }
        }
        ["subjects", subject, "versions", version, "schema"] => {
            methods(method, &[Method::GET])?;
            let text = registry
                .get_version_text(
                    &qualify(subject),
                    version,
                    query.flag("deleted"),
                    query.get("format"),
                )
                .await?;
            text_response(text)
        }
        ["subjects", subject, "versions", version, "referencedby"] => {
            methods(method, &[Method::GET])?;
            let ids = registry
                .referenced_by(&qualify(subject), version, query.flag("deleted"))
                .await?;
            ok(json!(page(ids, query, Some(1000))?))
        }
        ["subjects", subject, "versions", version, "tags"] => {
            methods(method, &[Method::POST])?;
            let value = body.json("modifyTags.arg4 must not be null (was null)")?;
            let request = crate::tags::TagSchemaRequest::from_json(&value)?;
            ok(registry
                .modify_tags(&qualify(subject), version, &request)
                .await?)
        }
        ["subjects", subject, "metadata"] => {
            methods(method, &[Method::GET])?;
            let keys = query.all("key");
            let values = query.all("value");
            let pairs: Vec<(String, String)> = keys.into_iter().zip(values).collect();
            ok(registry
                .latest_with_metadata(&qualify(subject), &pairs, query.flag("deleted"))
                .await?)
        }
        ["schemas"] => {
            methods(method, &[Method::GET])?;
            let prefix = context_subject
                .clone()
                .or_else(|| query.get("subjectPrefix").map(str::to_owned));
            let list = registry
                .list_schemas(
                    prefix.as_deref(),
                    query.flag("deleted"),
                    query.flag("latestOnly"),
                    query.flag("aliases"),
                    query.get("ruleType"),
                )
                .await?;
            ok(Value::Array(page(list, query, Some(1000))?))
        }
        ["schemas", "types"] => {
            methods(method, &[Method::GET])?;
            ok(json!(["JSON", "PROTOBUF", "AVRO"]))
        }
        ["schemas", "ids", id, rest @ ..] if rest.len() <= 1 => {
            methods(method, &[Method::GET])?;
            let id = parse_int(id).ok_or_else(ApiError::route_not_found)?;
            let subject = query
                .get("subject")
                .map(str::to_owned)
                .or(context_subject.clone());
            let subject = subject.as_deref();
            match rest {
                [] => {
                    let body = registry
                        .schema_by_id(id, subject, query.get("format"), query.flag("fetchMaxId"))
                        .await?;
                    Ok(
                        (StatusCode::OK, [(header::CONTENT_TYPE, CONTENT_TYPE)], body)
                            .into_response(),
                    )
                }
                ["schema"] => text_response(
                    registry
                        .schema_text_by_id(id, subject, query.get("format"))
                        .await?,
                ),
                ["subjects"] => {
                    let usages = registry
                        .id_usages(id, subject, query.flag("deleted"))
                        .await?;
                    let mut subjects: Vec<String> = Vec::new();
                    for u in usages {
                        if !subjects.iter().any(|s| **s == *u.subject) {
                            subjects.push(u.subject.to_string());
                        }
                    }
                    ok(json!(page(subjects, query, None)?))
                }
                ["versions"] => {
                    let usages = registry
                        .id_usages(id, subject, query.flag("deleted"))
                        .await?;
                    ok(subject_versions_json(&page(usages, query, None)?))
                }
                _ => Err(ApiError::route_not_found()),
            }
        }
        ["schemas", "guids", guid] => {
            methods(method, &[Method::GET])?;
            ok(registry.schema_by_guid(guid).await?)
        }
        ["schemas", "guids", guid, "ids"] => {
            methods(method, &[Method::GET])?;
            ok(registry.ids_by_guid(guid).await?)
        }
        ["config"] | ["config", _] => {
            methods(method, &[Method::GET, Method::PUT, Method::DELETE])?;
            let subject = match segs.as_slice() {
                ["config", s] => Some(qualify(s)),
                _ => context_subject.clone(),
            };
            let subject = subject.as_deref();
            match *method {
                Method::GET => ok(registry
                    .get_config(subject, query.flag("defaultToGlobal"))
                    .await?),
                Method::PUT => {
                    let null = if subject.is_some() {
                        "updateSubjectLevelConfig.arg2 must not be null (was null)"
                    } else {
                        "updateTopLevelConfig.arg1 must not be null (was null)"
                    };
                    let value = body.json(null)?;
                    ok(registry.put_config(subject, &value).await?)
                }
                _ => ok(registry.delete_config(subject).await?),
            }
        }
        ["mode"] | ["mode", _] => {
            let subject = match segs.as_slice() {
                ["mode", s] => Some(qualify(s)),
                _ => context_subject.clone(),
            };
            if subject.is_none() {
                methods(method, &[Method::GET, Method::PUT])?;
            } else {
                methods(method, &[Method::GET, Method::PUT, Method::DELETE])?;
            }
            let subject = subject.as_deref();
            match (method.clone(), subject) {
                (Method::GET, s) => ok(registry.get_mode(s, query.flag("defaultToGlobal")).await?),
                (Method::PUT, s) => {
                    let value = body.json("updateMode.arg2 must not be null (was null)")?;
                    ok(registry.put_mode(s, &value, query.flag("force")).await?)
                }
                (_, Some(s)) => ok(registry.delete_mode(s).await?),
                (_, None) => Err(ApiError::method_not_allowed()),
            }
        }
        ["compatibility", "subjects", subject, "versions", rest @ ..] if rest.len() <= 1 => {
            methods(method, &[Method::POST])?;
            let version = rest.first().copied();
            let value = body.json(if version.is_some() {
                "testCompatibilityBySubjectName.arg4 must not be null (was null)"
            } else {
                "testCompatibilityForSubject.arg3 must not be null (was null)"
            })?;
            let request = RegisterSchemaRequest::from_json(&value)?;
            ok(registry
                .test_compatibility(
                    &qualify(subject),
                    version,
                    &request,
                    query.flag("normalize"),
                    query.flag("verbose"),
                )
                .await?)
        }
        ["contexts"] if context.is_none() => {
            methods(method, &[Method::GET])?;
            let contexts = registry.contexts().await?;
            ok(json!(page(contexts, query, None)?))
        }
        ["contexts", ctx] if context.is_none() => {
            methods(method, &[Method::DELETE])?;
            registry.delete_context(&context_segment(ctx)?).await?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        ["v1", "metadata", "id"] => {
            methods(method, &[Method::GET])?;
            ok(json!({"scope": {"path": [], "clusters": {
                "kafka-cluster": "strata", "schema-registry-cluster": "schema-registry"}}}))
        }
        ["v1", "metadata", "version"] => {
            methods(method, &[Method::GET])?;
            ok(json!({"version": env!("CARGO_PKG_VERSION"), "commitId": "strata"}))
        }
        _ => Err(ApiError::route_not_found()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn negotiates_like_confluent() {
        assert_eq!(negotiate(&HeaderMap::new()), Some(CONTENT_TYPE));
        // Java's HttpURLConnection default.
        assert_eq!(
            negotiate(&accept(
                "text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2"
            )),
            Some(CONTENT_TYPE)
        );
        // Python's client.
        assert_eq!(
            negotiate(&accept(
                "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, \
                 application/json"
            )),
            Some(CONTENT_TYPE)
        );
        assert_eq!(
            negotiate(&accept("application/json")),
            Some("application/json")
        );
        assert_eq!(negotiate(&accept("text/html")), None);
        assert_eq!(negotiate(&accept("application/json;q=0")), None);
    }

    #[test]
    fn ints_parse_as_the_jvm_does() {
        assert_eq!(parse_int("+1"), Some(1));
        assert_eq!(parse_int("-3"), Some(-3));
        for bad in ["1.0", " 1", "", "+", "++1", "2147483648", "abc"] {
            assert_eq!(parse_int(bad), None, "{bad}");
        }
    }
}
