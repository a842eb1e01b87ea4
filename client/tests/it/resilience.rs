//! Retries, failover, timeouts, deadlines, auth headers and caching, over real HTTP against
//! small servers that misbehave on purpose.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use strata_client::{
    Auth, CacheConfig, ClientConfig, Error, RegisterSchemaRequest, RegistryClient, SchemaId,
    SchemaType, TransportErrorKind,
};

use crate::support::{dead_url, fast_config, serve, Counter};

fn schema_body() -> Response {
    Json(json!({"schema": "\"string\""})).into_response()
}

fn error_body(status: u16, code: i32) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        Json(json!({"error_code": code, "message": format!("failure {code}")})),
    )
        .into_response()
}

/// A server whose `GET /schemas/ids/{id}` answers `respond(n)` to its n-th request (from 0).
async fn counting_server(
    respond: impl Fn(usize) -> Response + Clone + Send + Sync + 'static,
) -> (String, Counter) {
    let counter = Counter::default();
    let hits = counter.clone();
    let router = Router::new().route(
        "/schemas/ids/{id}",
        get(move || {
            let respond = respond.clone();
            let n = hits.hit();
            async move { respond(n) }
        }),
    );
    (serve(router).await, counter)
}

fn client(config: ClientConfig) -> RegistryClient {
    RegistryClient::new(config).unwrap()
}

#[tokio::test]
async fn two_503_then_200_is_retried_to_success() {
    let (url, counter) = counting_server(|n| {
        if n < 2 {
            error_body(503, 50003)
        } else {
            schema_body()
        }
    })
    .await;
    let schema = client(fast_config([url]))
        .get_schema_by_id(SchemaId(1))
        .await;
    assert_eq!(schema.unwrap().schema, "\"string\"");
    assert_eq!(counter.get(), 3);
}

#[tokio::test]
async fn retriable_statuses_408_and_429_are_retried() {
    for status in [408, 429, 500, 502, 504] {
        let (url, counter) = counting_server(move |n| {
            if n == 0 {
                error_body(status, status.into())
            } else {
                schema_body()
            }
        })
        .await;
        client(fast_config([url]))
            .get_schema_by_id(SchemaId(1))
            .await
            .unwrap();
        assert_eq!(counter.get(), 2, "status {status}");
    }
}

#[tokio::test]
async fn a_404_is_answered_after_exactly_one_request() {
    let (url, counter) = counting_server(|_| error_body(404, 40403)).await;
    let result = client(fast_config([url]))
        .get_schema_by_id(SchemaId(7))
        .await;
    match result {
        Err(Error::SchemaNotFound { message }) => assert_eq!(message, "failure 40403"),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(counter.get(), 1);
}

#[tokio::test]
async fn client_errors_are_never_retried() {
    for (status, code) in [
        (400, 400),
        (401, 401),
        (403, 403),
        (409, 40901),
        (422, 42201),
    ] {
        let (url, counter) = counting_server(move |_| error_body(status, code)).await;
        let error = client(fast_config([url]))
            .get_schema_by_id(SchemaId(1))
            .await
            .unwrap_err();
        assert_eq!(error.error_code(), Some(code));
        assert_eq!(counter.get(), 1, "status {status}");
    }
}

#[tokio::test]
async fn exhausted_retries_return_the_server_error() {
    let (url, counter) = counting_server(|_| error_body(503, 50003)).await;
    let mut config = fast_config([url]);
    config.retry.max_retries = 2;
    match client(config).get_schema_by_id(SchemaId(1)).await {
        Err(Error::Server {
            status: 503,
            error_code: Some(50003),
            message,
        }) => assert_eq!(message, "failure 50003"),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(counter.get(), 3);
}

#[tokio::test]
async fn a_dead_first_url_fails_over_to_the_second() {
    let (live, counter) = counting_server(|_| schema_body()).await;
    let mut config = fast_config([dead_url().await, live]);
    config.retry.max_retries = 0;
    let client = client(config);
    client.get_schema_by_id(SchemaId(1)).await.unwrap();
    client.get_schema_by_id(SchemaId(2)).await.unwrap();
    assert_eq!(counter.get(), 2);
}

#[tokio::test]
async fn failover_sticks_to_the_url_that_works() {
    let (failing, failures) = counting_server(|_| error_body(503, 50004)).await;
    let (working, successes) = counting_server(|_| schema_body()).await;
    let mut config = fast_config([failing, working]);
    config.cache = CacheConfig::disabled();
    let client = client(config);
    for id in 1..=5 {
        client.get_schema_by_id(SchemaId(id)).await.unwrap();
    }
    assert_eq!(
        failures.get(),
        1,
        "the failing URL is tried once, then avoided"
    );
    assert_eq!(successes.get(), 5);
}

#[tokio::test]
async fn all_urls_dead_is_a_connect_error() {
    let mut config = fast_config([dead_url().await, dead_url().await]);
    config.retry.max_retries = 1;
    match client(config).get_schema_by_id(SchemaId(1)).await {
        Err(Error::Transport {
            kind: TransportErrorKind::Connect,
            url,
            ..
        }) => assert!(url.contains("/schemas/ids/1"), "{url}"),
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn a_slow_answer_is_a_timeout_error() {
    let router = Router::new().route(
        "/schemas/ids/{id}",
        get(|| async {
            tokio::time::sleep(Duration::from_secs(3)).await;
            schema_body()
        }),
    );
    let mut config = fast_config([serve(router).await]);
    config.request_timeout = Duration::from_millis(200);
    config.retry.max_retries = 0;
    let started = Instant::now();
    match client(config).get_schema_by_id(SchemaId(1)).await {
        Err(Error::Transport {
            kind: TransportErrorKind::Timeout,
            ..
        }) => {}
        other => panic!("unexpected {other:?}"),
    }
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn the_overall_deadline_bounds_retries() {
    let (url, counter) = counting_server(|_| error_body(503, 50002)).await;
    let mut config = fast_config([url]);
    config.retry.max_retries = 50;
    config.retry.initial_wait = Duration::from_millis(100);
    config.retry.max_wait = Duration::from_millis(100);
    config.retry.deadline = Some(Duration::from_millis(400));
    let started = Instant::now();
    let error = client(config)
        .get_schema_by_id(SchemaId(1))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Server { status: 503, .. }),
        "{error:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(counter.get() < 50, "{} requests", counter.get());
}

/// A server that records the headers of every request.
async fn recording_server() -> (String, Arc<Mutex<Vec<HeaderMap>>>) {
    let seen: Arc<Mutex<Vec<HeaderMap>>> = Arc::default();
    let record = seen.clone();
    let record_post = seen.clone();
    let router = Router::new()
        .route(
            "/schemas/ids/{id}",
            get(move |headers: HeaderMap| {
                record.lock().unwrap().push(headers);
                async { schema_body() }
            }),
        )
        .route(
            "/subjects/{subject}/versions",
            post(move |headers: HeaderMap| {
                record_post.lock().unwrap().push(headers);
                async { Json(json!({"id": 1})) }
            }),
        );
    (serve(router).await, seen)
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).map(|v| v.to_str().unwrap().to_owned())
}

#[tokio::test]
async fn basic_auth_from_the_url_is_sent() {
    let (url, seen) = recording_server().await;
    let with_credentials = url.replace("http://", "http://al%40ice:s3cret@");
    client(fast_config([with_credentials]))
        .get_schema_by_id(SchemaId(1))
        .await
        .unwrap();
    let headers = seen.lock().unwrap();
    // base64("al@ice:s3cret")
    assert_eq!(
        header(&headers[0], "authorization").as_deref(),
        Some("Basic YWxAaWNlOnMzY3JldA==")
    );
}

#[tokio::test]
async fn explicit_basic_and_bearer_auth_are_sent() {
    let (url, seen) = recording_server().await;
    let mut basic = fast_config([url.clone()]);
    basic.auth = Auth::basic("user", "pass");
    client(basic).get_schema_by_id(SchemaId(1)).await.unwrap();

    let mut bearer = fast_config([url]);
    bearer.auth = Auth::Bearer {
        token: "tok".into(),
        logical_cluster: Some("lsrc-9".into()),
        identity_pool_id: None,
    };
    bearer.headers = vec![("X-Extra".into(), "yes".into())];
    client(bearer).get_schema_by_id(SchemaId(1)).await.unwrap();

    let headers = seen.lock().unwrap();
    assert_eq!(
        header(&headers[0], "authorization").as_deref(),
        Some("Basic dXNlcjpwYXNz")
    );
    assert_eq!(
        header(&headers[1], "authorization").as_deref(),
        Some("Bearer tok")
    );
    assert_eq!(
        header(&headers[1], "target-sr-cluster").as_deref(),
        Some("lsrc-9")
    );
    assert_eq!(header(&headers[1], "x-extra").as_deref(), Some("yes"));
    assert!(header(&headers[1], "accept")
        .unwrap()
        .starts_with("application/vnd.schemaregistry.v1+json"));
}

#[tokio::test]
async fn bodies_are_sent_with_the_registry_content_type() {
    let (url, seen) = recording_server().await;
    let response = client(fast_config([url]))
        .register_schema(
            "s",
            &RegisterSchemaRequest::new(SchemaType::Avro, "\"int\""),
            false,
        )
        .await
        .unwrap();
    assert_eq!(response.id, SchemaId(1));
    assert_eq!(response.version, None, "a pre-7.5 answer has no version");
    let headers = seen.lock().unwrap();
    assert_eq!(
        header(&headers[0], "content-type").as_deref(),
        Some("application/vnd.schemaregistry.v1+json")
    );
}

#[tokio::test]
async fn concurrent_misses_share_one_request_and_hits_make_none() {
    let counter = Counter::default();
    let hits = counter.clone();
    let router = Router::new().route(
        "/schemas/ids/{id}",
        get(move || {
            hits.hit();
            async {
                tokio::time::sleep(Duration::from_millis(100)).await;
                schema_body()
            }
        }),
    );
    let client = client(fast_config([serve(router).await]));
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.get_schema_by_id(SchemaId(5)).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    client.get_schema_by_id(SchemaId(5)).await.unwrap();
    assert_eq!(counter.get(), 1);
    client.get_schema_by_id(SchemaId(6)).await.unwrap();
    assert_eq!(counter.get(), 2);
}

#[tokio::test]
async fn without_caches_every_call_is_a_request() {
    let (url, counter) = counting_server(|_| schema_body()).await;
    let mut config = fast_config([url]);
    config.cache = CacheConfig::disabled();
    let client = client(config);
    for _ in 0..3 {
        client.get_schema_by_id(SchemaId(1)).await.unwrap();
    }
    assert_eq!(counter.get(), 3);
}

#[tokio::test]
async fn failures_are_not_cached() {
    let (url, counter) = counting_server(|n| match n {
        0 => error_body(503, 50001),
        1 => error_body(404, 40403),
        _ => schema_body(),
    })
    .await;
    let mut config = fast_config([url]);
    config.retry.max_retries = 0;
    let client = client(config);
    assert!(matches!(
        client.get_schema_by_id(SchemaId(1)).await,
        Err(Error::Server { .. })
    ));
    assert!(matches!(
        client.get_schema_by_id(SchemaId(1)).await,
        Err(Error::SchemaNotFound { .. })
    ));
    client.get_schema_by_id(SchemaId(1)).await.unwrap();
    client.get_schema_by_id(SchemaId(1)).await.unwrap();
    assert_eq!(counter.get(), 3);
}

#[tokio::test]
async fn latest_is_cached_for_its_ttl_only() {
    let counter = Counter::default();
    let hits = counter.clone();
    let router =
        Router::new().route(
            "/subjects/{subject}/versions/{version}",
            get(move || {
                let n = hits.hit();
                async move {
                    Json(json!({"subject": "s", "version": n + 1, "id": 1, "schema": "\"int\""}))
                }
            }),
        );
    let mut config = fast_config([serve(router).await]);
    config.cache.latest_ttl = Duration::from_millis(200);
    let client = client(config);
    assert_eq!(client.get_latest_version("s").await.unwrap().version, 1);
    assert_eq!(client.get_latest_version("s").await.unwrap().version, 1);
    assert_eq!(counter.get(), 1);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(client.get_latest_version("s").await.unwrap().version, 2);
    assert_eq!(counter.get(), 2);
}

#[tokio::test]
async fn oversized_and_malformed_answers_are_decode_errors() {
    let router = Router::new()
        .route("/schemas/ids/1", get(|| async { "x".repeat(10_000) }))
        .route("/schemas/ids/2", get(|| async { "not json" }));
    let mut config = fast_config([serve(router).await]);
    config.max_response_bytes = 1000;
    let client = client(config);
    for id in [1, 2] {
        match client.get_schema_by_id(SchemaId(id)).await {
            Err(Error::Decode { .. }) => {}
            other => panic!("id {id}: unexpected {other:?}"),
        }
    }
}

#[tokio::test]
async fn hostile_subjects_arrive_intact() {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let record = seen.clone();
    let router = Router::new().route(
        "/subjects/{subject}/versions",
        get(
            move |axum::extract::Path(subject): axum::extract::Path<String>| {
                record.lock().unwrap().push(subject);
                async { Json(json!([1])) }
            },
        ),
    );
    let client = client(fast_config([serve(router).await]));
    let subjects = [
        "a/b/c",
        "100%",
        "%2F",
        "what?x=1",
        "x#y",
        "with space",
        "plus+sign",
        "ünïcødé-値-🙂",
        ":.ctx:orders-value",
        "...",
        "back\\slash",
    ];
    for subject in subjects {
        let versions = client
            .list_versions(subject, &Default::default())
            .await
            .unwrap();
        assert_eq!(versions, vec![1]);
    }
    assert_eq!(*seen.lock().unwrap(), subjects);
    for refused in ["", ".", ".."] {
        assert!(matches!(
            client.list_versions(refused, &Default::default()).await,
            Err(Error::InvalidArgument(_))
        ));
    }
}

#[tokio::test]
async fn register_and_delete_forget_what_they_change() {
    let latest_hits = Counter::default();
    let version_hits = Counter::default();
    let (latest, version) = (latest_hits.clone(), version_hits.clone());
    let router = Router::new()
        .route(
            "/subjects/{subject}/versions/latest",
            get(move || {
                let n = latest.hit();
                async move {
                    Json(json!({"subject": "s", "version": n + 1, "id": 1, "schema": "\"int\""}))
                }
            }),
        )
        .route(
            "/subjects/{subject}/versions/1",
            get(move || {
                version.hit();
                async { Json(json!({"subject": "s", "version": 1, "id": 1, "schema": "\"int\""})) }
            })
            .delete(|| async { Json(json!(1)) }),
        )
        .route(
            "/subjects/{subject}/versions",
            post(|| async { Json(json!({"id": 2, "version": 2})) }),
        );
    let client = client(fast_config([serve(router).await]));
    let one = client.get_version("s", 1.into(), false).await.unwrap();
    assert_eq!(one.version, 1);
    assert_eq!(client.get_latest_version("s").await.unwrap().version, 1);
    assert_eq!(client.get_latest_version("s").await.unwrap().version, 1);
    assert_eq!(latest_hits.get(), 1);

    // A registration forgets `latest` of that subject only.
    client
        .register_schema(
            "s",
            &RegisterSchemaRequest::new(SchemaType::Avro, "\"long\""),
            false,
        )
        .await
        .unwrap();
    assert_eq!(client.get_latest_version("s").await.unwrap().version, 2);
    assert_eq!(latest_hits.get(), 2);
    client.get_version("s", 1.into(), false).await.unwrap();
    assert_eq!(
        version_hits.get(),
        1,
        "numbered versions survive a registration"
    );

    // A delete forgets the subject's versions too.
    client.delete_version("s", 1.into(), false).await.unwrap();
    client.get_version("s", 1.into(), false).await.unwrap();
    assert_eq!(version_hits.get(), 2);
    assert_eq!(client.get_latest_version("s").await.unwrap().version, 3);
}

#[tokio::test]
async fn retry_after_is_honoured_up_to_max_wait() {
    let (url, counter) = counting_server(|n| {
        if n == 0 {
            let mut response = error_body(429, 429);
            response
                .headers_mut()
                .insert("retry-after", "1".parse().unwrap());
            response
        } else {
            schema_body()
        }
    })
    .await;
    let mut config = fast_config([url]);
    config.retry.max_wait = Duration::from_millis(300);
    let started = Instant::now();
    client(config).get_schema_by_id(SchemaId(1)).await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(counter.get(), 2);
    // One second asked, capped at the 300 ms maximum: more than the 5 ms backoff, less than 1 s.
    assert!(
        elapsed >= Duration::from_millis(290) && elapsed < Duration::from_millis(900),
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn errors_never_show_url_credentials() {
    let dead = dead_url().await.replace("http://", "http://user:hunter2@");
    let mut config = fast_config([dead]);
    config.retry.max_retries = 0;
    let error = client(config)
        .get_schema_by_id(SchemaId(1))
        .await
        .unwrap_err();
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
}
