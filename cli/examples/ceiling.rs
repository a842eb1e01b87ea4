//! The throughput ceiling for `bench/run.sh`: a bare HTTP server on the same stack as `strata serve`
//! (tokio, hyper through axum) that answers every request with the same pre-loaded bytes. What the
//! registry loses against it is the cost of being a registry.
//!
//! `cargo run --release -p strata-cli --example ceiling -- 127.0.0.1:9000 body.json`

use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::Router;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(addr), Some(body_file)) = (args.next(), args.next()) else {
        eprintln!("usage: ceiling ADDR BODY_FILE");
        std::process::exit(2);
    };
    let body = Bytes::from(std::fs::read(body_file)?);
    let app = Router::new().fallback(move || {
        let body = body.clone();
        async move {
            (
                [(CONTENT_TYPE, "application/vnd.schemaregistry.v1+json")],
                body,
            )
        }
    });
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(listener, app).await
}
