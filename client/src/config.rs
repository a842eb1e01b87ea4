//! Client configuration: where the registries are, how to authenticate, how long to wait and how
//! often to retry, and how much to cache.

use std::fmt;
use std::path::Path;
use std::time::Duration;

use url::Url;

use crate::{Error, Result};

/// Everything a [`RegistryClient`](crate::RegistryClient) needs to know.
///
/// `ClientConfig::new("http://localhost:8081")` gives a working client: three retries with
/// backoff, a 30 s request timeout, a one-minute overall deadline, caches on.
/// [`validate`](ClientConfig::validate) (also run by `RegistryClient::new`) rejects bad values
/// instead of silently replacing them. `Debug` never prints passwords, tokens, keys or header
/// values.
#[derive(Clone)]
#[non_exhaustive]
pub struct ClientConfig {
    /// Base URLs of the registry nodes (`http://` or `https://`, optionally with a path prefix and
    /// `user:password@` credentials). Requests go to the last one that worked; on a transport
    /// error or a retriable status the next one is tried.
    pub urls: Vec<String>,
    /// Explicit credentials. Cannot be combined with credentials in the URLs.
    pub auth: Auth,
    /// Trusted CA certificates and client certificate for `https://` URLs.
    pub tls: TlsConfig,
    /// Extra headers sent with every request (e.g. `target-sr-cluster`).
    pub headers: Vec<(String, String)>,
    /// How long one HTTP request may take, connection included.
    pub request_timeout: Duration,
    /// How long establishing a connection may take.
    pub connect_timeout: Duration,
    /// Retries and failover.
    pub retry: RetryConfig,
    /// Response caches.
    pub cache: CacheConfig,
    /// The largest response body accepted, in bytes: a bigger one is an error, not an allocation.
    pub max_response_bytes: usize,
}

impl ClientConfig {
    /// A configuration for one registry URL with every other setting at its default.
    pub fn new(url: impl Into<String>) -> Self {
        ClientConfig {
            urls: vec![url.into()],
            ..ClientConfig::default()
        }
    }

    /// A configuration for several registry URLs (failover in this order).
    pub fn with_urls<I, S>(urls: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        ClientConfig {
            urls: urls.into_iter().map(Into::into).collect(),
            ..ClientConfig::default()
        }
    }

    /// Checks every setting, saying which one is wrong.
    pub fn validate(&self) -> Result<()> {
        self.endpoints().map(|_| ())?;
        if self.request_timeout.is_zero() {
            return Err(Error::Config(
                "request_timeout must be more than zero".into(),
            ));
        }
        if self.connect_timeout.is_zero() {
            return Err(Error::Config(
                "connect_timeout must be more than zero".into(),
            ));
        }
        self.retry.validate()?;
        self.cache.validate()?;
        self.tls.validate()?;
        if self.max_response_bytes == 0 {
            return Err(Error::Config(
                "max_response_bytes must be more than zero".into(),
            ));
        }
        for (name, value) in &self.headers {
            reqwest::header::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::Config(format!("invalid header name {name:?}")))?;
            reqwest::header::HeaderValue::from_str(value)
                .map_err(|_| Error::Config(format!("invalid value for header {name:?}")))?;
        }
        match &self.auth {
            Auth::None => {}
            Auth::Basic { username, .. } => {
                if username.is_empty() {
                    return Err(Error::Config("basic auth needs a username".into()));
                }
            }
            Auth::Bearer { token, .. } => {
                if token.is_empty() {
                    return Err(Error::Config("bearer auth needs a token".into()));
                }
            }
        }
        Ok(())
    }

    /// The parsed URLs, credentials taken out of them, with the credentials each one uses.
    pub(crate) fn endpoints(&self) -> Result<Vec<(Url, Option<Credentials>)>> {
        if self.urls.is_empty() {
            return Err(Error::Config("at least one registry URL is needed".into()));
        }
        let mut endpoints = Vec::with_capacity(self.urls.len());
        for raw in &self.urls {
            let shown = redact_url(raw);
            let mut url = Url::parse(raw.trim())
                .map_err(|e| Error::Config(format!("invalid registry URL {shown}: {e}")))?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err(Error::Config(format!(
                    "registry URL {shown} must be http:// or https://"
                )));
            }
            if url.cannot_be_a_base() || url.host_str().is_none() {
                return Err(Error::Config(format!("registry URL {shown} has no host")));
            }
            if url.query().is_some() || url.fragment().is_some() {
                return Err(Error::Config(format!(
                    "registry URL {shown} must not have a query or fragment"
                )));
            }
            let from_url = if url.username().is_empty() && url.password().is_none() {
                None
            } else {
                let username = percent_decode(url.username());
                let password = url.password().map(percent_decode).unwrap_or_default();
                // Setting these cannot fail on a URL that has a host.
                let _ = url.set_username("");
                let _ = url.set_password(None);
                Some(Credentials::Basic { username, password })
            };
            let credentials = match (&self.auth, from_url) {
                (Auth::None, from_url) => from_url,
                (_, Some(_)) => {
                    return Err(Error::Config(format!(
                        "registry URL {shown} has credentials and explicit auth is also set: \
                         use one or the other"
                    )))
                }
                (Auth::Basic { username, password }, None) => Some(Credentials::Basic {
                    username: username.clone(),
                    password: password.clone(),
                }),
                (
                    Auth::Bearer {
                        token,
                        logical_cluster,
                        identity_pool_id,
                    },
                    None,
                ) => Some(Credentials::Bearer {
                    token: token.clone(),
                    logical_cluster: logical_cluster.clone(),
                    identity_pool_id: identity_pool_id.clone(),
                }),
            };
            endpoints.push((url, credentials));
        }
        Ok(endpoints)
    }
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            urls: Vec::new(),
            auth: Auth::None,
            tls: TlsConfig::default(),
            headers: Vec::new(),
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: RetryConfig::default(),
            cache: CacheConfig::default(),
            max_response_bytes: 64 * 1024 * 1024,
        }
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let urls: Vec<String> = self.urls.iter().map(|u| redact_url(u)).collect();
        let headers: Vec<String> = self
            .headers
            .iter()
            .map(|(name, _)| format!("{name}: <redacted>"))
            .collect();
        f.debug_struct("ClientConfig")
            .field("urls", &urls)
            .field("auth", &self.auth)
            .field("tls", &self.tls)
            .field("headers", &headers)
            .field("request_timeout", &self.request_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry", &self.retry)
            .field("cache", &self.cache)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

/// Explicit credentials sent with every request.
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum Auth {
    /// No credentials, unless the URLs carry `user:password@`.
    #[default]
    None,
    /// HTTP basic auth (`Authorization: Basic ...`).
    Basic {
        /// The user name (an API key on Confluent Cloud).
        username: String,
        /// The password (an API secret on Confluent Cloud).
        password: String,
    },
    /// A static bearer token (`Authorization: Bearer ...`).
    Bearer {
        /// The token.
        token: String,
        /// Sent as `target-sr-cluster`, which Confluent Cloud requires with bearer tokens.
        logical_cluster: Option<String>,
        /// Sent as `Confluent-Identity-Pool-Id`.
        identity_pool_id: Option<String>,
    },
}

impl Auth {
    /// Basic auth with these credentials.
    pub fn basic(username: impl Into<String>, password: impl Into<String>) -> Self {
        Auth::Basic {
            username: username.into(),
            password: password.into(),
        }
    }

    /// A bearer token with no logical cluster or identity pool.
    pub fn bearer(token: impl Into<String>) -> Self {
        Auth::Bearer {
            token: token.into(),
            logical_cluster: None,
            identity_pool_id: None,
        }
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::None => f.write_str("None"),
            Auth::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
            Auth::Bearer {
                logical_cluster,
                identity_pool_id,
                ..
            } => f
                .debug_struct("Bearer")
                .field("token", &"<redacted>")
                .field("logical_cluster", logical_cluster)
                .field("identity_pool_id", identity_pool_id)
                .finish(),
        }
    }
}

/// The credentials of one endpoint, resolved from the URL or from [`Auth`].
#[derive(Clone)]
pub(crate) enum Credentials {
    Basic {
        username: String,
        password: String,
    },
    Bearer {
        token: String,
        logical_cluster: Option<String>,
        identity_pool_id: Option<String>,
    },
}

/// TLS settings for `https://` registries, as PEM data.
#[derive(Clone)]
#[non_exhaustive]
pub struct TlsConfig {
    /// Extra trusted CA certificates (one or more PEM certificates).
    pub ca_certificates_pem: Option<Vec<u8>>,
    /// Whether the built-in Web PKI roots are trusted too. Turn off to trust only
    /// `ca_certificates_pem`.
    pub use_built_in_roots: bool,
    /// The client certificate chain (PEM), for registries that require mutual TLS.
    pub client_certificate_pem: Option<Vec<u8>>,
    /// The client certificate's private key (PEM, PKCS#8, PKCS#1 or SEC1).
    pub client_key_pem: Option<Vec<u8>>,
}

impl Default for TlsConfig {
    fn default() -> Self {
        TlsConfig {
            ca_certificates_pem: None,
            use_built_in_roots: true,
            client_certificate_pem: None,
            client_key_pem: None,
        }
    }
}

impl TlsConfig {
    /// Reads the CA bundle, client certificate and client key from PEM files.
    pub fn from_pem_files(
        ca_certificates: Option<&Path>,
        client_certificate: Option<&Path>,
        client_key: Option<&Path>,
    ) -> Result<Self> {
        let read = |path: Option<&Path>| -> Result<Option<Vec<u8>>> {
            path.map(|p| {
                std::fs::read(p)
                    .map_err(|e| Error::Config(format!("cannot read {}: {e}", p.display())))
            })
            .transpose()
        };
        Ok(TlsConfig {
            ca_certificates_pem: read(ca_certificates)?,
            client_certificate_pem: read(client_certificate)?,
            client_key_pem: read(client_key)?,
            ..TlsConfig::default()
        })
    }

    fn validate(&self) -> Result<()> {
        match (&self.client_certificate_pem, &self.client_key_pem) {
            (Some(_), None) => Err(Error::Config(
                "a client certificate needs its private key".into(),
            )),
            (None, Some(_)) => Err(Error::Config("a client key needs its certificate".into())),
            _ => {
                if !self.use_built_in_roots && self.ca_certificates_pem.is_none() {
                    return Err(Error::Config(
                        "built-in roots are off and no CA certificate is given: nothing would \
                         be trusted"
                            .into(),
                    ));
                }
                Ok(())
            }
        }
    }
}

impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConfig")
            .field(
                "ca_certificates_pem",
                &self.ca_certificates_pem.as_ref().map(|p| p.len()),
            )
            .field("use_built_in_roots", &self.use_built_in_roots)
            .field(
                "client_certificate_pem",
                &self.client_certificate_pem.as_ref().map(|p| p.len()),
            )
            .field(
                "client_key_pem",
                &self.client_key_pem.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// When and how often requests are retried.
///
/// Only failures that can get better are retried: transport errors (no answer) and HTTP 408,
/// 429 and 5xx. Each round tries every URL once; between rounds the client sleeps a random time
/// between zero and `min(max_wait, initial_wait * 2^round)` ("full jitter"), or longer when a
/// registry sent `Retry-After` (never more than `max_wait`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryConfig {
    /// Rounds after the first one. 0 disables retries (failover still happens within a round).
    pub max_retries: u32,
    /// The backoff ceiling of the first retry.
    pub initial_wait: Duration,
    /// The largest backoff ceiling.
    pub max_wait: Duration,
    /// The overall time a call may take, retries included. `None`: bounded only by the retries.
    pub deadline: Option<Duration>,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            max_retries: 3,
            initial_wait: Duration::from_millis(1000),
            max_wait: Duration::from_secs(20),
            deadline: Some(Duration::from_secs(60)),
        }
    }
}

impl RetryConfig {
    /// The largest accepted `max_retries`.
    pub const MAX_RETRIES: u32 = 100;

    /// A policy with no retries.
    pub fn none() -> Self {
        RetryConfig {
            max_retries: 0,
            ..RetryConfig::default()
        }
    }

    fn validate(&self) -> Result<()> {
        if self.max_retries > Self::MAX_RETRIES {
            return Err(Error::Config(format!(
                "max_retries {} is more than {}",
                self.max_retries,
                Self::MAX_RETRIES
            )));
        }
        if self.initial_wait > self.max_wait {
            return Err(Error::Config(format!(
                "retry initial_wait {:?} is longer than max_wait {:?}",
                self.initial_wait, self.max_wait
            )));
        }
        if self.deadline.is_some_and(|d| d.is_zero()) {
            return Err(Error::Config(
                "retry deadline must be more than zero".into(),
            ));
        }
        Ok(())
    }
}

/// Response caches. Ids never change meaning, so `id → schema` has no expiry; "latest version"
/// answers do, since a new version can be registered by anyone at any time.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheConfig {
    /// Whether anything is cached. Off: every call is a request.
    pub enabled: bool,
    /// Memory budget of each cache, in (approximate) bytes of schema text.
    pub max_bytes_per_cache: u64,
    /// How long a `latest` answer is reused.
    pub latest_ttl: Duration,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig {
            enabled: true,
            max_bytes_per_cache: 32 * 1024 * 1024,
            latest_ttl: Duration::from_secs(60),
        }
    }
}

impl CacheConfig {
    /// No caching at all.
    pub fn disabled() -> Self {
        CacheConfig {
            enabled: false,
            ..CacheConfig::default()
        }
    }

    fn validate(&self) -> Result<()> {
        if self.enabled && self.max_bytes_per_cache == 0 {
            return Err(Error::Config(
                "max_bytes_per_cache is zero: use CacheConfig::disabled() to turn caching off"
                    .into(),
            ));
        }
        Ok(())
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A URL with its password (if any) replaced, for logs and errors.
pub(crate) fn redact_url(raw: &str) -> String {
    match Url::parse(raw.trim()) {
        Ok(mut url) => {
            if url.password().is_some() {
                let _ = url.set_password(Some("redacted"));
            }
            url.to_string()
        }
        // An unparsable URL may still hold a secret: show only what precedes any '@'.
        Err(_) => match raw.rfind('@') {
            Some(at) => format!("<redacted>@{}", &raw[at + 1..]),
            None => raw.to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_every_secret() {
        let mut config = ClientConfig::with_urls([
            "https://alice:s3cr3t-url@registry.example:8081",
            "http://user:pa%40ss@[::1",
        ]);
        config.auth = Auth::Bearer {
            token: "tok-3n-secret".into(),
            logical_cluster: Some("lsrc-1".into()),
            identity_pool_id: None,
        };
        config.headers = vec![("X-Api-Key".into(), "header-secret".into())];
        config.tls.client_key_pem = Some(b"-----BEGIN PRIVATE KEY-----keysecret".to_vec());
        let shown = format!("{config:?}");
        for secret in [
            "s3cr3t-url",
            "pa%40ss",
            "tok-3n-secret",
            "header-secret",
            "keysecret",
        ] {
            assert!(!shown.contains(secret), "{secret} leaked in {shown}");
        }
        assert!(shown.contains("alice"), "{shown}");
        assert!(shown.contains("X-Api-Key"), "{shown}");
        assert!(shown.contains("lsrc-1"), "{shown}");

        let basic = format!("{:?}", Auth::basic("bob", "hunter2"));
        assert!(
            basic.contains("bob") && !basic.contains("hunter2"),
            "{basic}"
        );
    }

    #[test]
    fn defaults_are_valid_and_sane() {
        let config = ClientConfig::new("http://localhost:8081");
        config.validate().unwrap();
        assert_eq!(config.retry.max_retries, 3);
        assert!(config.cache.enabled);
        assert!(config.request_timeout > Duration::ZERO);
    }

    #[test]
    fn validation_rejects_bad_values_loudly() {
        let bad: Vec<(&str, ClientConfig)> = vec![
            ("no url", ClientConfig::default()),
            ("unparsable", ClientConfig::new("not a url")),
            ("scheme", ClientConfig::new("ftp://host")),
            ("query", ClientConfig::new("http://host/?x=1")),
            ("fragment", ClientConfig::new("http://host/#x")),
            ("timeout", {
                let mut c = ClientConfig::new("http://host");
                c.request_timeout = Duration::ZERO;
                c
            }),
            ("waits", {
                let mut c = ClientConfig::new("http://host");
                c.retry.initial_wait = Duration::from_secs(30);
                c
            }),
            ("retries", {
                let mut c = ClientConfig::new("http://host");
                c.retry.max_retries = 1000;
                c
            }),
            ("deadline", {
                let mut c = ClientConfig::new("http://host");
                c.retry.deadline = Some(Duration::ZERO);
                c
            }),
            ("cert without key", {
                let mut c = ClientConfig::new("https://host");
                c.tls.client_certificate_pem = Some(b"x".to_vec());
                c
            }),
            ("no roots", {
                let mut c = ClientConfig::new("https://host");
                c.tls.use_built_in_roots = false;
                c
            }),
            ("both credentials", {
                let mut c = ClientConfig::new("http://u:p@host");
                c.auth = Auth::basic("v", "q");
                c
            }),
            ("empty token", {
                let mut c = ClientConfig::new("http://host");
                c.auth = Auth::bearer("");
                c
            }),
            ("header", {
                let mut c = ClientConfig::new("http://host");
                c.headers = vec![("bad header".into(), "v".into())];
                c
            }),
            ("zero cache", {
                let mut c = ClientConfig::new("http://host");
                c.cache.max_bytes_per_cache = 0;
                c
            }),
        ];
        for (what, config) in bad {
            match config.validate() {
                Err(Error::Config(_)) => {}
                other => panic!("{what}: expected a config error, got {other:?}"),
            }
        }
    }

    #[test]
    fn url_credentials_are_taken_out_of_the_url() {
        let config =
            ClientConfig::with_urls(["http://us%3Aer:p%40ss@host:8081/prefix", "http://other"]);
        let endpoints = config.endpoints().unwrap();
        assert_eq!(endpoints[0].0.as_str(), "http://host:8081/prefix");
        match &endpoints[0].1 {
            Some(Credentials::Basic { username, password }) => {
                assert_eq!(username, "us:er");
                assert_eq!(password, "p@ss");
            }
            _ => panic!("expected basic credentials"),
        }
        assert!(endpoints[1].1.is_none());
    }

    #[test]
    fn explicit_auth_applies_to_every_url() {
        let mut config = ClientConfig::with_urls(["http://a", "http://b"]);
        config.auth = Auth::bearer("t");
        let endpoints = config.endpoints().unwrap();
        assert!(endpoints
            .iter()
            .all(|(_, c)| matches!(c, Some(Credentials::Bearer { token, .. }) if token == "t")));
    }

    #[test]
    fn percent_decoding_is_lenient() {
        assert_eq!(percent_decode("a%20b"), "a b");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%C3%A9"), "é");
    }
}
