//! The registry-backed converters against the real Strata server (in-process): the torture
//! record round trip through each format, the registry settings, hostile records; and against
//! a counting registry, the warm path that makes no request.

use crate::{registry, torture};
use std::collections::HashMap;
use strata_converters::connect::{Schema, SchemaBuilder, Struct, Type, Value};
use strata_converters::{AsyncConverter, ConverterConfig};

fn converter(kind: &str, url: &str, extra: &[(&str, &str)]) -> Box<dyn AsyncConverter> {
    let mut props: HashMap<String, String> = HashMap::new();
    props.insert("value.converter".into(), kind.into());
    props.insert("value.converter.schema.registry.url".into(), url.into());
    for (k, v) in extra {
        props.insert(format!("value.converter.{k}"), (*v).to_owned());
    }
    ConverterConfig::from_worker_properties(&props, false)
        .unwrap()
        .build()
        .unwrap()
}

/// Connect → bytes → Connect through a converter of `kind` against the registry at `url`:
/// the schema and the value come back equal, through the writing converter and through a fresh
/// one (cold caches).
pub async fn torture_round_trip(kind: &str, url: &str) {
    let schema = torture::schema();
    let value = torture::value();
    let writer = converter(kind, url, &[]);
    let bytes = writer
        .from_connect_async("orders", Some(&schema), &value)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bytes[0], 0, "magic byte");
    for reader in [writer, converter(kind, url, &[])] {
        let back = reader
            .to_connect_async("orders", Some(&bytes))
            .await
            .unwrap();
        assert_eq!(back.schema.as_ref(), Some(&schema), "{kind}: schema");
        assert_eq!(back.value, value, "{kind}: value");
    }
}

#[tokio::test]
async fn avro_torture_round_trip() {
    let registry = registry::start_real().await;
    torture_round_trip("avro", &registry.url).await;
}

#[tokio::test]
async fn json_schema_torture_round_trip() {
    let registry = registry::start_real().await;
    torture_round_trip("json_schema", &registry.url).await;
}

#[tokio::test]
async fn protobuf_torture_round_trip() {
    let registry = registry::start_real().await;
    torture_round_trip("protobuf", &registry.url).await;
}

fn small() -> (Schema, Value) {
    let schema = SchemaBuilder::struct_()
        .name("com.example.Small")
        .field("id", Schema::new(Type::Int64))
        .field("name", Schema::new_optional(Type::String))
        .build()
        .unwrap();
    let value = Value::Struct(
        Struct::new()
            .with("id", Value::Int64(1))
            .with("name", Value::String("a".into())),
    );
    (schema, value)
}

/// The warm path makes no registry request: 1,000 records of one schema cost exactly the
/// requests of the first, writing and reading.
#[tokio::test]
async fn warm_path_makes_no_request() {
    for kind in ["avro", "json_schema", "protobuf"] {
        let registry = registry::start().await;
        let (schema, value) = small();
        let writer = converter(kind, &registry.url, &[]);
        let first = writer
            .from_connect_async("t", Some(&schema), &value)
            .await
            .unwrap()
            .unwrap();
        let cold_writes = registry.requests();
        assert_eq!(cold_writes, 1, "{kind}: one registration");
        for _ in 0..1000 {
            let bytes = writer
                .from_connect_async("t", Some(&schema), &value)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(bytes, first);
        }
        assert_eq!(registry.requests(), cold_writes, "{kind}: warm writes");
        let reader = converter(kind, &registry.url, &[]);
        reader.to_connect_async("t", Some(&first)).await.unwrap();
        let cold_reads = registry.requests();
        // The schema by id, then the version lookup (no connect.version in the schema).
        assert_eq!(cold_reads - cold_writes, 2, "{kind}: cold read");
        for _ in 0..1000 {
            let back = reader.to_connect_async("t", Some(&first)).await.unwrap();
            assert_eq!(back.value, value);
            assert_eq!(back.schema.as_ref().and_then(Schema::version), Some(1));
        }
        assert_eq!(registry.requests(), cold_reads, "{kind}: warm reads");
    }
}

#[tokio::test]
async fn lookup_without_auto_register_fails_for_an_unknown_schema() {
    let registry = registry::start_real().await;
    let (schema, value) = small();
    let writer = converter("avro", &registry.url, &[("auto.register.schemas", "false")]);
    let err = writer
        .from_connect_async("t", Some(&schema), &value)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not found"), "{err}");
    // Once registered by someone else, the lookup finds it.
    converter("avro", &registry.url, &[])
        .from_connect_async("t", Some(&schema), &value)
        .await
        .unwrap();
    assert!(writer
        .from_connect_async("t", Some(&schema), &value)
        .await
        .unwrap()
        .is_some());
}

#[tokio::test]
async fn use_latest_version_writes_with_the_registered_schema() {
    let registry = registry::start_real().await;
    let (schema, value) = small();
    let first = converter("avro", &registry.url, &[])
        .from_connect_async("t", Some(&schema), &value)
        .await
        .unwrap()
        .unwrap();
    let latest = converter(
        "avro",
        &registry.url,
        &[
            ("use.latest.version", "true"),
            ("latest.compatibility.strict", "false"),
            ("auto.register.schemas", "false"),
        ],
    );
    let bytes = latest
        .from_connect_async("t", Some(&schema), &value)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bytes, first);
}

#[tokio::test]
async fn latest_compatibility_strict_refuses_a_latest_schema_that_cannot_read_the_record() {
    let registry = registry::start_real().await;
    let (schema, value) = small();
    let wider = SchemaBuilder::struct_()
        .name("com.example.Small")
        .field("id", Schema::new(Type::Int64))
        .field("name", Schema::new_optional(Type::String))
        .field("extra", Schema::new(Type::Int32))
        .build()
        .unwrap();
    let wide_value = Value::Struct(
        Struct::new()
            .with("id", Value::Int64(1))
            .with("extra", Value::Int32(2)),
    );
    converter("avro", &registry.url, &[])
        .from_connect_async("t", Some(&wider), &wide_value)
        .await
        .unwrap();
    let strict = converter("avro", &registry.url, &[("use.latest.version", "true")]);
    let err = strict
        .from_connect_async("t", Some(&schema), &value)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not backward compatible"), "{err}");
}

#[tokio::test]
async fn record_name_strategy_names_the_subject_after_the_record() {
    let (schema, value) = small();
    for kind in ["avro", "protobuf", "json_schema"] {
        let registry = registry::start_real().await;
        let c = converter(
            kind,
            &registry.url,
            &[(
                "value.subject.name.strategy",
                "io.confluent.kafka.serializers.subject.RecordNameStrategy",
            )],
        );
        let bytes = c
            .from_connect_async("any-topic", Some(&schema), &value)
            .await
            .unwrap()
            .unwrap();
        // The reader finds the version under the same subject.
        let back = c
            .to_connect_async("other-topic", Some(&bytes))
            .await
            .unwrap();
        assert_eq!(back.value, value, "{kind}");
        assert_eq!(back.schema.unwrap().version(), Some(1), "{kind}");
    }
}

/// Bytes that are not a record of their schema are refused with an error, never a panic.
#[tokio::test]
async fn mangled_records_are_errors_not_panics() {
    let registry = registry::start_real().await;
    let schema = torture::schema();
    let value = torture::value();
    for kind in ["avro", "protobuf", "json_schema"] {
        let c = converter(kind, &registry.url, &[]);
        let good = c
            .from_connect_async(kind, Some(&schema), &value)
            .await
            .unwrap()
            .unwrap();
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for round in 0..300 {
            let mut bytes = good.clone();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            match round % 3 {
                0 => bytes.truncate(5 + (seed as usize) % (good.len() - 5)),
                1 => {
                    let i = 5 + (seed as usize) % (good.len() - 5);
                    bytes[i] ^= (seed >> 32) as u8 | 1;
                }
                _ => bytes.extend_from_slice(&seed.to_le_bytes()),
            }
            // Ok or Err, but no panic; a successful read still fits the schema.
            if let Ok(back) = c.to_connect_async(kind, Some(&bytes)).await {
                back.schema.unwrap().validate(&back.value).unwrap();
            }
        }
        let unknown_id = [0, 0, 0, 0x7f, 0x7f, 1, 2, 3];
        assert!(
            c.to_connect_async(kind, Some(&unknown_id)).await.is_err(),
            "{kind}"
        );
    }
}

/// A writer schema that references another subject's schema reads with the referenced types.
#[tokio::test]
async fn avro_reads_records_of_schemas_with_references() {
    use strata_client::{RegisterSchemaRequest, RegistryClient, SchemaReference, SchemaType};
    let registry = registry::start_real().await;
    let client = RegistryClient::from_url(&registry.url).unwrap();
    let address = r#"{"type":"record","name":"Address","namespace":"com.example","fields":[{"name":"street","type":"string"}]}"#;
    client
        .register_schema(
            "address",
            &RegisterSchemaRequest::new(SchemaType::Avro, address),
            false,
        )
        .await
        .unwrap();
    let order = r#"{"type":"record","name":"Order","namespace":"com.example","fields":[{"name":"id","type":"long"},{"name":"ship","type":"com.example.Address"}]}"#;
    let request = RegisterSchemaRequest::new(SchemaType::Avro, order).with_references(vec![
        SchemaReference {
            name: "com.example.Address".into(),
            subject: "address".into(),
            version: 1,
        },
    ]);
    let id = client
        .register_schema("orders-value", &request, false)
        .await
        .unwrap()
        .id;
    let mut bytes = vec![0];
    bytes.extend_from_slice(&id.0.to_be_bytes());
    bytes.extend_from_slice(&[0x02, 0x02, b'x']);
    let back = converter("avro", &registry.url, &[])
        .to_connect_async("orders", Some(&bytes))
        .await
        .unwrap();
    let expected = SchemaBuilder::struct_()
        .name("com.example.Order")
        .version(1)
        .field("id", Schema::new(Type::Int64))
        .field(
            "ship",
            SchemaBuilder::struct_()
                .name("com.example.Address")
                .field("street", Schema::new(Type::String))
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    assert_eq!(back.schema, Some(expected));
    assert_eq!(
        back.value,
        Value::Struct(Struct::new().with("id", Value::Int64(1)).with(
            "ship",
            Value::Struct(Struct::new().with("street", Value::String("x".into())))
        ))
    );
}

/// A record of a file's second message: written with `use.latest.version` as the message named
/// like the Connect struct (index path [1]), and read back with that message's own schema.
#[tokio::test]
async fn protobuf_records_of_a_files_second_message_keep_that_message() {
    use strata_client::{RegisterSchemaRequest, RegistryClient, SchemaType};
    let registry = registry::start_real().await;
    let client = RegistryClient::from_url(&registry.url).unwrap();
    let proto = "syntax = \"proto3\";\npackage two;\n\nmessage A {\n  string a = 1;\n}\nmessage B {\n  int64 b = 1;\n  string c = 2;\n}\n";
    client
        .register_schema(
            "two-value",
            &RegisterSchemaRequest::new(SchemaType::Protobuf, proto),
            false,
        )
        .await
        .unwrap();
    let schema = SchemaBuilder::struct_()
        .name("two.B")
        .field("b", Schema::new(Type::Int64))
        .field("c", Schema::new(Type::String))
        .build()
        .unwrap();
    let value = Value::Struct(
        Struct::new()
            .with("b", Value::Int64(-3))
            .with("c", Value::String("x".into())),
    );
    let latest = [
        ("use.latest.version", "true"),
        ("auto.register.schemas", "false"),
        ("latest.compatibility.strict", "false"),
    ];
    let bytes = converter("protobuf", &registry.url, &latest)
        .from_connect_async("two", Some(&schema), &value)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&bytes[5..7], &[0x02, 0x02], "message-index path [1]");
    let back = converter("protobuf", &registry.url, &[])
        .to_connect_async("two", Some(&bytes))
        .await
        .unwrap();
    let back_schema = back.schema.unwrap();
    assert_eq!(back_schema.name(), Some("two.B"));
    assert_eq!(
        back_schema
            .fields()
            .iter()
            .map(|f| f.name())
            .collect::<Vec<_>>(),
        ["b", "c"]
    );
    assert_eq!(back.value, value);
}

/// One reader, records of two writer schemas on two topics, interleaved: each record is read
/// with its own writer schema, whichever the reader met first, and the warm reads of all of them
/// make no request.
#[tokio::test]
async fn a_reader_of_several_writer_schemas_and_topics_reads_each_with_its_own() {
    for kind in ["avro", "json_schema", "protobuf"] {
        let registry = registry::start().await;
        let (small_schema, small_value) = small();
        let other_schema = SchemaBuilder::struct_()
            .name("com.example.Other")
            .field("flag", Schema::new(Type::Boolean))
            .build()
            .unwrap();
        let other_value = Value::Struct(Struct::new().with("flag", Value::Boolean(true)));
        let writer = converter(kind, &registry.url, &[]);
        let mut records = Vec::new();
        for (topic, schema, value) in [
            ("a", &small_schema, &small_value),
            ("a", &other_schema, &other_value),
            ("b", &small_schema, &small_value),
        ] {
            let bytes = writer
                .from_connect_async(topic, Some(schema), value)
                .await
                .unwrap()
                .unwrap();
            records.push((topic, bytes, value));
        }
        let reader = converter(kind, &registry.url, &[]);
        for (topic, bytes, value) in &records {
            let back = reader.to_connect_async(topic, Some(bytes)).await.unwrap();
            assert_eq!(&back.value, *value, "{kind}: cold read on {topic}");
        }
        let cold = registry.requests();
        for _ in 0..3 {
            for (topic, bytes, value) in records.iter().rev() {
                let back = reader.to_connect_async(topic, Some(bytes)).await.unwrap();
                assert_eq!(&back.value, *value, "{kind}: warm read on {topic}");
            }
        }
        assert_eq!(registry.requests(), cold, "{kind}: warm reads");
    }
}
