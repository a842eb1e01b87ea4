//! HTTP: URL building, authentication, timeouts, retries with backoff, failover between URLs.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use base64::Engine as _;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;
use tokio::time::Instant;
use url::Url;

use crate::config::{ClientConfig, Credentials, RetryConfig};
use crate::error::TransportErrorKind;
use crate::{Error, Result};

/// The content type of request bodies, the one Confluent's clients send.
pub(crate) const CONTENT_TYPE_V1: &str = "application/vnd.schemaregistry.v1+json";
const ACCEPT_ALL: &str =
    "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json";

/// One request to the API, independent of the registry URL it will be sent to.
#[derive(Debug, Clone)]
pub(crate) struct ApiRequest {
    pub(crate) method: Method,
    /// Path segments, each sent as exactly one percent-encoded segment.
    pub(crate) segments: Vec<String>,
    pub(crate) query: Vec<(&'static str, String)>,
    pub(crate) body: Option<Vec<u8>>,
}

impl ApiRequest {
    pub(crate) fn new(method: Method, segments: Vec<String>) -> Self {
        ApiRequest {
            method,
            segments,
            query: Vec::new(),
            body: None,
        }
    }

    pub(crate) fn get(segments: Vec<String>) -> Self {
        ApiRequest::new(Method::GET, segments)
    }

    /// Adds a query parameter.
    pub(crate) fn query(mut self, name: &'static str, value: impl ToString) -> Self {
        self.query.push((name, value.to_string()));
        self
    }

    /// Adds a boolean query parameter only when it is true (false is the server's default).
    pub(crate) fn flag(self, name: &'static str, on: bool) -> Self {
        if on {
            self.query(name, "true")
        } else {
            self
        }
    }

    /// Adds a query parameter when it has a value.
    pub(crate) fn opt(self, name: &'static str, value: Option<impl ToString>) -> Self {
        match value {
            Some(value) => self.query(name, value),
            None => self,
        }
    }

    pub(crate) fn json_body(mut self, body: &impl serde::Serialize) -> Result<Self> {
        self.body = Some(
            serde_json::to_vec(body)
                .map_err(|e| Error::InvalidArgument(format!("cannot serialize the body: {e}")))?,
        );
        Ok(self)
    }

    /// The full URL of this request on a registry whose base URL is `base`.
    pub(crate) fn url(&self, base: &Url) -> Result<Url> {
        let mut url = base.clone();
        {
            let mut path = url
                .path_segments_mut()
                .map_err(|()| Error::Config(format!("registry URL {base} cannot have a path")))?;
            path.pop_if_empty();
            for segment in &self.segments {
                // `extend` silently drops "." and ".."; `segment()` refuses them before we get here.
                path.push(segment);
            }
        }
        if !self.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &self.query {
                pairs.append_pair(name, value);
            }
        }
        Ok(url)
    }
}

/// Checks a caller-supplied path segment (subject, context, guid) before it goes into a URL.
///
/// Every character is allowed and percent-encoded, except that a segment cannot be empty, `.` or
/// `..`: URL normalisation would remove those from the path and change the route.
pub(crate) fn segment(what: &str, value: &str) -> Result<String> {
    if value.is_empty() || value == "." || value == ".." {
        return Err(Error::InvalidArgument(format!(
            "{what} {value:?} cannot be sent as a URL path segment"
        )));
    }
    Ok(value.to_owned())
}

/// A successful answer.
#[derive(Debug)]
pub(crate) struct ApiResponse {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
    /// The URL that answered, without credentials.
    pub(crate) url: String,
}

impl ApiResponse {
    pub(crate) fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| Error::Decode {
            url: self.url.clone(),
            message: format!("HTTP {}: {e}", self.status),
        })
    }

    pub(crate) fn text(self) -> Result<String> {
        String::from_utf8(self.body).map_err(|e| Error::Decode {
            url: self.url,
            message: format!("the body is not UTF-8: {e}"),
        })
    }
}

struct Endpoint {
    base: Url,
    headers: HeaderMap,
}

/// Sends requests to the configured registries.
pub(crate) struct Transport {
    http: reqwest::Client,
    endpoints: Vec<Endpoint>,
    /// The endpoint that answered last: requests start there (sticky failover).
    current: AtomicUsize,
    retry: RetryConfig,
    request_timeout: Duration,
    max_response_bytes: usize,
}

impl Transport {
    pub(crate) fn new(config: &ClientConfig) -> Result<Self> {
        config.validate()?;
        let mut default_headers = HeaderMap::new();
        default_headers.insert(ACCEPT, HeaderValue::from_static(ACCEPT_ALL));
        // Responses are read ignoring unknown fields, so newer fields are welcome.
        default_headers.insert(
            "confluent-accept-unknown-properties",
            HeaderValue::from_static("true"),
        );
        for (name, value) in &config.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::Config(format!("invalid header name {name:?}")))?;
            let mut value = HeaderValue::from_str(value)
                .map_err(|_| Error::Config(format!("invalid value for header {name}")))?;
            value.set_sensitive(true);
            default_headers.append(name, value);
        }
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .user_agent(concat!("strata-client/", env!("CARGO_PKG_VERSION")))
            .default_headers(default_headers)
            .connect_timeout(config.connect_timeout)
            .tls_built_in_root_certs(config.tls.use_built_in_roots);
        if let Some(pem) = &config.tls.ca_certificates_pem {
            let certificates = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| Error::Config(format!("invalid CA certificate PEM: {e}")))?;
            if certificates.is_empty() {
                return Err(Error::Config(
                    "the CA certificate PEM holds no certificate".into(),
                ));
            }
            for certificate in certificates {
                builder = builder.add_root_certificate(certificate);
            }
        }
        if let (Some(cert), Some(key)) = (
            &config.tls.client_certificate_pem,
            &config.tls.client_key_pem,
        ) {
            let mut pem = cert.clone();
            pem.push(b'\n');
            pem.extend_from_slice(key);
            let identity = reqwest::Identity::from_pem(&pem).map_err(|e| {
                Error::Config(format!("invalid client certificate or key PEM: {e}"))
            })?;
            builder = builder.identity(identity);
        }
        let http = builder
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        let endpoints = config
            .endpoints()?
            .into_iter()
            .map(|(base, credentials)| {
                Ok(Endpoint {
                    base,
                    headers: auth_headers(credentials.as_ref())?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Transport {
            http,
            endpoints,
            current: AtomicUsize::new(0),
            retry: config.retry.clone(),
            request_timeout: config.request_timeout,
            max_response_bytes: config.max_response_bytes,
        })
    }

    /// Sends a request, retrying and failing over as configured. Answers with a 2xx status are
    /// `Ok`; every other outcome is the matching [`Error`].
    pub(crate) async fn execute(&self, request: &ApiRequest) -> Result<ApiResponse> {
        let deadline = self.retry.deadline.map(|d| Instant::now() + d);
        let count = self.endpoints.len();
        let mut last_error: Option<Error> = None;
        let mut round: u32 = 0;
        // The longest `Retry-After` a registry asked for in the current round.
        let mut asked_wait: Option<Duration> = None;
        loop {
            let first = self.current.load(Ordering::Relaxed) % count.max(1);
            for offset in 0..count {
                let index = (first + offset) % count;
                let Some(endpoint) = self.endpoints.get(index) else {
                    continue;
                };
                let mut timeout = self.request_timeout;
                if let Some(deadline) = deadline {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(deadline_error(last_error, endpoint, request));
                    }
                    timeout = timeout.min(left);
                }
                match self.send_once(endpoint, request, timeout).await {
                    Outcome::Done(result) => {
                        self.current.store(index, Ordering::Relaxed);
                        return result;
                    }
                    Outcome::Retry(error, retry_after) => {
                        tracing::debug!(%error, url = %endpoint.base, "retriable registry failure");
                        last_error = Some(error);
                        asked_wait = asked_wait.max(retry_after);
                    }
                }
            }
            if round >= self.retry.max_retries {
                break;
            }
            let wait = backoff(&self.retry, round, &mut rand::rng()).max(
                asked_wait
                    .take()
                    .unwrap_or_default()
                    .min(self.retry.max_wait),
            );
            if let Some(deadline) = deadline {
                if Instant::now() + wait >= deadline {
                    break;
                }
            }
            tokio::time::sleep(wait).await;
            round += 1;
        }
        Err(last_error.unwrap_or_else(|| Error::Config("no registry URL".into())))
    }

    async fn send_once(
        &self,
        endpoint: &Endpoint,
        request: &ApiRequest,
        timeout: Duration,
    ) -> Outcome {
        let url = match request.url(&endpoint.base) {
            Ok(url) => url,
            Err(error) => return Outcome::Done(Err(error)),
        };
        let shown = url.to_string();
        let mut builder = self
            .http
            .request(request.method.clone(), url)
            .headers(endpoint.headers.clone())
            .timeout(timeout);
        if let Some(body) = &request.body {
            builder = builder
                .header(CONTENT_TYPE, CONTENT_TYPE_V1)
                .body(body.clone());
        }
        let mut response = match builder.send().await {
            Ok(response) => response,
            Err(error) => return Outcome::Retry(transport_error(&shown, &error), None),
        };
        let status = response.status().as_u16();
        let retry_after = retry_after(response.headers());
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > self.max_response_bytes {
                        return Outcome::Done(Err(Error::Decode {
                            url: shown,
                            message: format!(
                                "the response is larger than {} bytes",
                                self.max_response_bytes
                            ),
                        }));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(error) => return Outcome::Retry(transport_error(&shown, &error), None),
            }
        }
        if (200..300).contains(&status) {
            return Outcome::Done(Ok(ApiResponse {
                status,
                body,
                url: shown,
            }));
        }
        let error = Error::from_response(status, &body);
        if is_retriable_status(status) {
            Outcome::Retry(error, retry_after)
        } else {
            Outcome::Done(Err(error))
        }
    }
}

enum Outcome {
    /// A final answer: success or an error that retrying cannot fix.
    Done(Result<ApiResponse>),
    /// A failure that another attempt (or another URL) may not have, with the wait the server
    /// asked for (`Retry-After`), if any.
    Retry(Error, Option<Duration>),
}

fn deadline_error(last: Option<Error>, endpoint: &Endpoint, request: &ApiRequest) -> Error {
    last.unwrap_or_else(|| Error::Transport {
        kind: TransportErrorKind::Timeout,
        url: request
            .url(&endpoint.base)
            .map(|u| u.to_string())
            .unwrap_or_else(|_| endpoint.base.to_string()),
        message: "the overall deadline passed".into(),
    })
}

fn auth_headers(credentials: Option<&Credentials>) -> Result<HeaderMap> {
    let mut headers = HeaderMap::new();
    let sensitive = |value: String| -> Result<HeaderValue> {
        let mut value = HeaderValue::from_str(&value)
            .map_err(|_| Error::Config("credentials contain invalid header characters".into()))?;
        value.set_sensitive(true);
        Ok(value)
    };
    match credentials {
        None => {}
        Some(Credentials::Basic { username, password }) => {
            let encoded =
                base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
            headers.insert(AUTHORIZATION, sensitive(format!("Basic {encoded}"))?);
        }
        Some(Credentials::Bearer {
            token,
            logical_cluster,
            identity_pool_id,
        }) => {
            headers.insert(AUTHORIZATION, sensitive(format!("Bearer {token}"))?);
            if let Some(cluster) = logical_cluster {
                headers.insert("target-sr-cluster", sensitive(cluster.clone())?);
            }
            if let Some(pool) = identity_pool_id {
                headers.insert("confluent-identity-pool-id", sensitive(pool.clone())?);
            }
        }
    }
    Ok(headers)
}

/// The wait a `Retry-After: <seconds>` header asks for. The HTTP-date form is ignored: clocks
/// differ, and the backoff applies anyway.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds: u64 = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds))
}

fn transport_error(url: &str, error: &reqwest::Error) -> Error {
    let kind = if error.is_timeout() {
        TransportErrorKind::Timeout
    } else if error.is_connect() {
        TransportErrorKind::Connect
    } else {
        TransportErrorKind::Other
    };
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    Error::Transport {
        kind,
        url: url.to_owned(),
        message,
    }
}

/// Whether an answer with this status may be different on another attempt: 408 (request
/// timeout), 429 (too many requests) and every 5xx. Other 4xx answers never change.
pub(crate) fn is_retriable_status(status: u16) -> bool {
    status == 408 || status == 429 || (500..600).contains(&status)
}

/// The backoff ceiling before retry round `round + 1`: `initial_wait * 2^round`, at most
/// `max_wait`.
pub(crate) fn backoff_ceiling(retry: &RetryConfig, round: u32) -> Duration {
    let factor = 1u32.checked_shl(round.min(31)).unwrap_or(u32::MAX);
    retry
        .initial_wait
        .checked_mul(factor)
        .unwrap_or(retry.max_wait)
        .min(retry.max_wait)
}

/// A random wait in `[0, ceiling]` ("full jitter"), so that clients failing together do not
/// retry together.
pub(crate) fn backoff(retry: &RetryConfig, round: u32, rng: &mut impl rand::Rng) -> Duration {
    let ceiling = backoff_ceiling(retry, round);
    let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(rng.random_range(0..=millis))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(url: &str) -> Url {
        Url::parse(url).unwrap()
    }

    fn subject_versions(subject: &str) -> ApiRequest {
        ApiRequest::get(vec![
            "subjects".into(),
            segment("subject", subject).unwrap(),
            "versions".into(),
        ])
    }

    #[test]
    fn hostile_subjects_are_single_encoded_segments() {
        let table = [
            ("plain", "/subjects/plain/versions"),
            ("a/b", "/subjects/a%2Fb/versions"),
            ("100%", "/subjects/100%25/versions"),
            ("what?", "/subjects/what%3F/versions"),
            ("x#y", "/subjects/x%23y/versions"),
            ("with space", "/subjects/with%20space/versions"),
            (
                "ünïcødé-値",
                "/subjects/%C3%BCn%C3%AFc%C3%B8d%C3%A9-%E5%80%A4/versions",
            ),
            ("..%2F..", "/subjects/..%252F../versions"),
            (":.ctx:orders", "/subjects/:.ctx:orders/versions"),
            ("back\\slash", "/subjects/back%5Cslash/versions"),
            ("...", "/subjects/.../versions"),
        ];
        for (subject, path) in table {
            let url = subject_versions(subject)
                .url(&base("http://registry:8081"))
                .unwrap();
            assert_eq!(url.path(), path, "subject {subject:?}");
            assert_eq!(url.query(), None);
            // Decoding the segment gives the subject back.
            let segments: Vec<&str> = url.path_segments().unwrap().collect();
            assert_eq!(segments.len(), 3, "{subject:?} became {segments:?}");
        }
    }

    #[test]
    fn dot_segments_and_empty_subjects_are_refused() {
        for subject in ["", ".", ".."] {
            assert!(matches!(
                segment("subject", subject),
                Err(Error::InvalidArgument(_))
            ));
        }
    }

    #[test]
    fn base_url_prefixes_are_kept() {
        for (base_url, expected) in [
            ("http://h:1", "http://h:1/subjects/s/versions"),
            ("http://h:1/", "http://h:1/subjects/s/versions"),
            ("http://h/registry", "http://h/registry/subjects/s/versions"),
            (
                "http://h/registry/",
                "http://h/registry/subjects/s/versions",
            ),
        ] {
            let url = subject_versions("s").url(&base(base_url)).unwrap();
            assert_eq!(url.as_str(), expected);
        }
    }

    #[test]
    fn query_values_are_encoded() {
        let url = ApiRequest::get(vec!["schemas".into(), "ids".into(), "3".into()])
            .opt("subject", Some("a&b=c d+é"))
            .flag("deleted", false)
            .flag("fetchMaxId", true)
            .url(&base("http://h"))
            .unwrap();
        assert_eq!(
            url.query(),
            Some("subject=a%26b%3Dc+d%2B%C3%A9&fetchMaxId=true")
        );
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(pairs[0], ("subject".into(), "a&b=c d+é".into()));
    }

    #[test]
    fn only_what_can_get_better_is_retried() {
        for status in [408, 429, 500, 502, 503, 504, 599] {
            assert!(is_retriable_status(status), "{status}");
        }
        for status in [200, 204, 400, 401, 403, 404, 405, 409, 415, 422] {
            assert!(!is_retriable_status(status), "{status}");
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_maximum() {
        let retry = RetryConfig {
            max_retries: 10,
            initial_wait: Duration::from_millis(100),
            max_wait: Duration::from_millis(1000),
            deadline: None,
        };
        let ceilings: Vec<u128> = (0..6)
            .map(|round| backoff_ceiling(&retry, round).as_millis())
            .collect();
        assert_eq!(ceilings, vec![100, 200, 400, 800, 1000, 1000]);
        // Huge rounds do not overflow.
        assert_eq!(
            backoff_ceiling(&retry, u32::MAX),
            Duration::from_millis(1000)
        );
    }

    #[test]
    fn backoff_is_full_jitter_within_the_ceiling() {
        let retry = RetryConfig {
            max_retries: 3,
            initial_wait: Duration::from_millis(400),
            max_wait: Duration::from_secs(20),
            deadline: None,
        };
        let mut rng = rand::rng();
        let waits: Vec<Duration> = (0..200).map(|_| backoff(&retry, 1, &mut rng)).collect();
        assert!(waits.iter().all(|w| *w <= Duration::from_millis(800)));
        // Full jitter: waits spread over the whole range, not clustered at the ceiling.
        assert!(waits.iter().any(|w| *w < Duration::from_millis(400)));
        assert!(waits.iter().any(|w| *w >= Duration::from_millis(400)));
    }

    #[test]
    fn retry_after_seconds_are_read() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(
            reqwest::header::RETRY_AFTER,
            HeaderValue::from_static(" 3 "),
        );
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3)));
        headers.insert(
            reqwest::header::RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers), None);
        headers.insert(reqwest::header::RETRY_AFTER, HeaderValue::from_static("-1"));
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn credentials_become_headers() {
        let basic = auth_headers(Some(&Credentials::Basic {
            username: "user".into(),
            password: "p:ss".into(),
        }))
        .unwrap();
        assert_eq!(basic[AUTHORIZATION], "Basic dXNlcjpwOnNz");
        let bearer = auth_headers(Some(&Credentials::Bearer {
            token: "tok".into(),
            logical_cluster: Some("lsrc-1".into()),
            identity_pool_id: Some("pool-2".into()),
        }))
        .unwrap();
        assert_eq!(bearer[AUTHORIZATION], "Bearer tok");
        assert_eq!(bearer["target-sr-cluster"], "lsrc-1");
        assert_eq!(bearer["confluent-identity-pool-id"], "pool-2");
        assert!(auth_headers(None).unwrap().is_empty());
    }
}
