//! The plain serializers against a registry: serde values through Avro and JSON Schema,
//! prost-generated and dynamic messages through Protobuf.

use crate::registry;
use serde::{Deserialize, Serialize};
use strata_client::RegistryClient;
use strata_converters::serdes::{
    AvroDeserializer, AvroSerializer, JsonSchemaDeserializer, JsonSchemaSerializer,
    ProtobufDeserializer, ProtobufSerializer, SerdeConfig,
};

#[derive(Serialize, Deserialize, PartialEq, Debug, Clone)]
struct User {
    id: i64,
    name: String,
    email: Option<String>,
}

const AVRO_USER: &str = r#"{"type":"record","name":"User","namespace":"com.example","fields":[
    {"name":"id","type":"long"},{"name":"name","type":"string"},
    {"name":"email","type":["null","string"],"default":null}]}"#;

#[tokio::test]
async fn avro_serde_round_trip_and_warm_path() {
    let registry = registry::start().await;
    let client = RegistryClient::from_url(&registry.url).unwrap();
    let serializer =
        AvroSerializer::new(client.clone(), AVRO_USER, SerdeConfig::default()).unwrap();
    let deserializer = AvroDeserializer::<User>::new(client);
    for user in [
        User {
            id: 1,
            name: "Ann".into(),
            email: None,
        },
        User {
            id: -7,
            name: "Bob".into(),
            email: Some("b@example.com".into()),
        },
    ] {
        let bytes = serializer.serialize("users", &user).await.unwrap();
        assert_eq!(&bytes[..5], &[0, 0, 0, 0, 1]);
        assert_eq!(deserializer.deserialize(&bytes).await.unwrap(), user);
    }
    // One registration, one fetch by id: everything else came from the caches.
    assert_eq!(registry.requests(), 2);
}

#[tokio::test]
async fn json_schema_serializer_validates() {
    let registry = registry::start_real().await;
    let client = RegistryClient::from_url(&registry.url).unwrap();
    let schema = r#"{"type":"object","title":"User","properties":{"id":{"type":"integer","minimum":0},"name":{"type":"string"},"email":{"type":["null","string"]}},"required":["id","name"]}"#;
    let serializer = JsonSchemaSerializer::new(client, schema, SerdeConfig::default()).unwrap();
    let user = User {
        id: 3,
        name: "Cy".into(),
        email: None,
    };
    let bytes = serializer.serialize("users", &user).await.unwrap();
    assert_eq!(&bytes[5..], br#"{"id":3,"name":"Cy","email":null}"#);
    assert_eq!(
        JsonSchemaDeserializer::<User>::new()
            .deserialize(&bytes)
            .unwrap(),
        user
    );
    let bad = User { id: -1, ..user };
    let err = serializer.serialize("users", &bad).await.unwrap_err();
    assert!(err.to_string().contains("does not conform"), "{err}");
}

#[derive(Clone, PartialEq, prost::Message)]
struct Ping {
    #[prost(int64, tag = "1")]
    seq: i64,
    #[prost(string, tag = "2")]
    note: String,
}

impl prost::Name for Ping {
    const NAME: &'static str = "Ping";
    const PACKAGE: &'static str = "com.example";
}

const PING_PROTO: &str = r#"syntax = "proto3";
package com.example;

message Other {
  string x = 1;
}

message Ping {
  int64 seq = 1;
  string note = 2;
}
"#;

#[tokio::test]
async fn protobuf_serializer_writes_the_message_index_path() {
    let registry = registry::start_real().await;
    let client = RegistryClient::from_url(&registry.url).unwrap();
    let serializer =
        ProtobufSerializer::from_proto(client.clone(), PING_PROTO, SerdeConfig::default()).unwrap();
    let ping = Ping {
        seq: 42,
        note: "hi".into(),
    };
    let bytes = serializer.serialize("pings", &ping).await.unwrap();
    // The second top-level message: index path [1], written as count 1, index 1.
    assert_eq!(&bytes[5..7], &[2, 2]);
    let deserializer = ProtobufDeserializer::new(client);
    assert_eq!(
        deserializer.deserialize::<Ping>(&bytes).await.unwrap(),
        ping
    );
    let dynamic = deserializer.deserialize_dynamic(&bytes).await.unwrap();
    assert_eq!(
        prost_reflect::ReflectMessage::descriptor(&dynamic).full_name(),
        "com.example.Ping"
    );
    let again = serializer
        .serialize_dynamic("pings", &dynamic)
        .await
        .unwrap();
    assert_eq!(again, bytes);
}
