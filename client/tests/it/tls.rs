//! TLS: a private CA, a server that requires a client certificate, and the client's PEM settings.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::routing::get;
use axum::{Json, Router};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde_json::json;
use strata_client::{ClientConfig, Error, RegistryClient, TlsConfig};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

use crate::support::fast_config;

const CA: &[u8] = include_bytes!("tls/ca.pem");
const SERVER_CERT: &[u8] = include_bytes!("tls/server.pem");
const SERVER_KEY: &[u8] = include_bytes!("tls/server.key");
const CLIENT_CERT: &[u8] = include_bytes!("tls/client.pem");
const CLIENT_KEY: &[u8] = include_bytes!("tls/client.key");

/// A TCP listener that completes a TLS handshake before handing a connection to axum;
/// connections whose handshake fails are dropped.
struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, address)) = self.tcp.accept().await else {
                continue;
            };
            if let Ok(tls) = self.acceptor.accept(stream).await {
                return (tls, address);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

/// An HTTPS server with the test CA's server certificate that requires a client certificate
/// signed by the same CA.
async fn mutual_tls_server() -> String {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for certificate in CertificateDer::pem_slice_iter(CA) {
        roots.add(certificate.unwrap()).unwrap();
    }
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            CertificateDer::pem_slice_iter(SERVER_CERT)
                .map(Result::unwrap)
                .collect(),
            PrivateKeyDer::from_pem_slice(SERVER_KEY).unwrap(),
        )
        .unwrap();
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = tcp.local_addr().unwrap();
    let listener = TlsListener {
        tcp,
        acceptor: TlsAcceptor::from(Arc::new(config)),
    };
    let router = Router::new().route("/", get(|| async { Json(json!({})) }));
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    format!("https://{address}")
}

fn tls_config(url: &str, tls: TlsConfig) -> ClientConfig {
    let mut config = fast_config([url]);
    config.retry.max_retries = 0;
    config.tls = tls;
    config
}

fn private_ca_with_client_certificate() -> TlsConfig {
    let mut tls = TlsConfig::default();
    tls.ca_certificates_pem = Some(CA.to_vec());
    tls.use_built_in_roots = false;
    tls.client_certificate_pem = Some(CLIENT_CERT.to_vec());
    tls.client_key_pem = Some(CLIENT_KEY.to_vec());
    tls
}

#[tokio::test]
async fn mutual_tls_with_a_private_ca_works() {
    let url = mutual_tls_server().await;
    let client =
        RegistryClient::new(tls_config(&url, private_ca_with_client_certificate())).unwrap();
    client.ping().await.unwrap();
}

#[tokio::test]
async fn pem_files_are_read_from_disk() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/tls");
    let mut tls = TlsConfig::from_pem_files(
        Some(&dir.join("ca.pem")),
        Some(&dir.join("client.pem")),
        Some(&dir.join("client.key")),
    )
    .unwrap();
    tls.use_built_in_roots = false;
    let url = mutual_tls_server().await;
    RegistryClient::new(tls_config(&url, tls))
        .unwrap()
        .ping()
        .await
        .unwrap();
    assert!(matches!(
        TlsConfig::from_pem_files(Some(&dir.join("missing.pem")), None, None),
        Err(Error::Config(_))
    ));
}

#[tokio::test]
async fn a_server_signed_by_an_unknown_ca_is_refused() {
    let url = mutual_tls_server().await;
    let mut tls = private_ca_with_client_certificate();
    tls.ca_certificates_pem = None;
    tls.use_built_in_roots = true;
    match RegistryClient::new(tls_config(&url, tls))
        .unwrap()
        .ping()
        .await
    {
        Err(Error::Transport { .. }) => {}
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn no_client_certificate_is_refused_by_the_server() {
    let url = mutual_tls_server().await;
    let mut tls = private_ca_with_client_certificate();
    tls.client_certificate_pem = None;
    tls.client_key_pem = None;
    match RegistryClient::new(tls_config(&url, tls))
        .unwrap()
        .ping()
        .await
    {
        Err(Error::Transport { .. }) => {}
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn invalid_pem_is_a_configuration_error() {
    let mut no_ca = TlsConfig::default();
    no_ca.ca_certificates_pem = Some(b"not a certificate".to_vec());
    let mut bad_key = private_ca_with_client_certificate();
    bad_key.client_key_pem =
        Some(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".to_vec());
    let mut key_only = TlsConfig::default();
    key_only.client_key_pem = Some(CLIENT_KEY.to_vec());
    for (what, tls) in [("ca", no_ca), ("key", bad_key), ("key only", key_only)] {
        match RegistryClient::new(tls_config("https://127.0.0.1:1", tls)) {
            Err(Error::Config(message)) => assert!(!message.contains("AAAA"), "{message}"),
            other => panic!("{what}: unexpected {other:?}"),
        }
    }
}
