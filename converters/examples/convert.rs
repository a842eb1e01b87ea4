//! Converts one record with any converter, configured as a Kafka Connect worker configures it:
//! a JSON request on stdin, a JSON answer on stdout. Other languages' clients (the interop tests)
//! use it to check that what they write, a converter reads, and the other way round.
//!
//! The request names the converter (`avro`, `protobuf`, `json_schema`, a class name, …), its
//! own properties (`schema.registry.url`, `use.latest.version`, …), the topic, and either the
//! base64 bytes of a record to read (`decode`) or a Connect schema and value to write
//! (`encode`, in the JSON converter's `{"schema", "payload"}` envelope):
//!
//! ```text
//! {"converter": "avro", "properties": {"schema.registry.url": "http://127.0.0.1:8081"},
//!  "topic": "orders", "decode": "AAAAAAE..."}
//! → {"schema": {"type": "struct", ...}, "payload": {...}}
//!
//! {"converter": "avro", "properties": {...}, "topic": "orders",
//!  "encode": {"schema": {...}, "payload": {...}}}
//! → {"bytes": "AAAAAAE..."}
//! ```
//!
//! A null record is `null` both ways. Errors go to stderr with exit code 1.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Deserialize;
use serde_json::Value as Json;
use std::collections::HashMap;
use std::io::Read;
use std::process::ExitCode;
use strata_converters::{Converter, ConverterConfig, ConverterKind, JsonConverter};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Request {
    converter: String,
    #[serde(default)]
    properties: HashMap<String, String>,
    #[serde(default)]
    is_key: bool,
    topic: String,
    #[serde(default)]
    decode: Option<Option<String>>,
    #[serde(default)]
    encode: Option<Json>,
}

fn main() -> ExitCode {
    match run() {
        Ok(answer) => {
            println!("{answer}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<String, Box<dyn std::error::Error>> {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input)?;
    let request: Request = serde_json::from_str(&input)?;
    let kind = ConverterKind::from_name(&request.converter)
        .ok_or_else(|| format!("unknown converter {:?}", request.converter))?;
    let converter =
        ConverterConfig::from_properties(kind, &request.properties, request.is_key)?.build()?;
    // Connect data in and out as the JSON converter's envelope.
    let envelope = JsonConverter::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    match (request.decode, request.encode) {
        (Some(bytes), None) => {
            let bytes = bytes.map(|b| STANDARD.decode(b)).transpose()?;
            let data =
                runtime.block_on(converter.to_connect_async(&request.topic, bytes.as_deref()))?;
            let json = envelope.from_connect(&request.topic, data.schema.as_ref(), &data.value)?;
            Ok(match json {
                Some(json) => String::from_utf8(json)?,
                None => "null".to_owned(),
            })
        }
        (None, Some(data)) => {
            let data = envelope.to_connect(&request.topic, Some(data.to_string().as_bytes()))?;
            let bytes = runtime.block_on(converter.from_connect_async(
                &request.topic,
                data.schema.as_ref(),
                &data.value,
            ))?;
            let bytes = bytes.map(|b| Json::from(STANDARD.encode(b)));
            Ok(serde_json::json!({ "bytes": bytes }).to_string())
        }
        _ => Err("the request needs exactly one of \"decode\" and \"encode\"".into()),
    }
}
