//! Serializing and deserializing a 20-field record through each registry-backed converter on
//! its warm path (ids and codecs cached: no registry call, no schema parse), each right beside
//! its ceilings: apache-avro with the schema parsed once (on `Value`s and through serde),
//! prost-reflect `DynamicMessage` encode/decode, and serde_json on a plain struct.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/it/registry.rs"]
#[allow(dead_code)]
mod registry;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use prost::Message;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use strata_converters::connect::{Schema, SchemaBuilder, Struct, Type, Value};
use strata_converters::{AsyncConverter, ConverterConfig, SchemaAndValue};

const FIELDS: usize = 20;

fn field_type(i: usize) -> Type {
    match i % 5 {
        0 => Type::Int64,
        1 => Type::String,
        2 => Type::Int32,
        3 => Type::Float64,
        _ => Type::Boolean,
    }
}

fn connect_schema() -> Schema {
    let mut b = SchemaBuilder::struct_().name("bench.Record");
    for i in 0..FIELDS {
        b = b.field(format!("f{i}"), Schema::new(field_type(i)));
    }
    b.build().unwrap()
}

fn connect_value() -> Value {
    let mut s = Struct::new();
    for i in 0..FIELDS {
        let v = match field_type(i) {
            Type::Int64 => Value::Int64(1_700_000_000_000 + i as i64),
            Type::String => Value::String(format!("value number {i}")),
            Type::Int32 => Value::Int32(i as i32 * 1000),
            Type::Float64 => Value::Float64(i as f64 * 1.25),
            _ => Value::Boolean(i % 2 == 0),
        };
        s.put(format!("f{i}"), v);
    }
    Value::Struct(s)
}

#[derive(Serialize, Deserialize, Clone, PartialEq, Debug)]
struct Record {
    f0: i64,
    f1: String,
    f2: i32,
    f3: f64,
    f4: bool,
    f5: i64,
    f6: String,
    f7: i32,
    f8: f64,
    f9: bool,
    f10: i64,
    f11: String,
    f12: i32,
    f13: f64,
    f14: bool,
    f15: i64,
    f16: String,
    f17: i32,
    f18: f64,
    f19: bool,
}

fn record() -> Record {
    let s = |i: usize| format!("value number {i}");
    Record {
        f0: 1_700_000_000_000,
        f1: s(1),
        f2: 2000,
        f3: 3.75,
        f4: true,
        f5: 1_700_000_000_005,
        f6: s(6),
        f7: 7000,
        f8: 10.0,
        f9: false,
        f10: 1_700_000_000_010,
        f11: s(11),
        f12: 12000,
        f13: 16.25,
        f14: true,
        f15: 1_700_000_000_015,
        f16: s(16),
        f17: 17000,
        f18: 22.5,
        f19: false,
    }
}

/// Polls a future that must be ready at once (the warm path never waits).
fn ready<T>(f: impl Future<Output = T>) -> T {
    let mut f = pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("the warm path waited"),
    }
}

/// One record through a converter's warm serialize path (see [`converter_deserialize`]).
#[inline(never)]
fn converter_serialize(conv: &dyn AsyncConverter, schema: &Schema, value: &Value) -> Vec<u8> {
    ready(conv.from_connect_async("bench", Some(schema), value))
        .unwrap()
        .unwrap()
}

/// The ceiling of [`converter_serialize`] for JSON: serde_json from a derived struct.
#[inline(never)]
fn serde_json_serialize(rec: &Record) -> Vec<u8> {
    serde_json::to_vec(rec).unwrap()
}

/// One record through a converter's warm deserialize path. Never inlined, and the result is
/// dropped by the caller: under callgrind, this function's inclusive instructions divided by
/// its calls are the converter's cost per record (`benches/callgrind.sh`).
#[inline(never)]
fn converter_deserialize(conv: &dyn AsyncConverter, bytes: &[u8]) -> SchemaAndValue {
    ready(conv.to_connect_async("bench", Some(bytes))).unwrap()
}

/// The ceiling of [`converter_deserialize`] for JSON: serde_json into a derived struct.
#[inline(never)]
fn serde_json_deserialize(bytes: &[u8]) -> Record {
    serde_json::from_slice::<Record>(bytes).unwrap()
}

fn converter(kind: &str, url: &str) -> Box<dyn AsyncConverter> {
    let props: HashMap<String, String> = [
        ("value.converter", kind),
        ("value.converter.schema.registry.url", url),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    ConverterConfig::from_worker_properties(&props, false)
        .unwrap()
        .build()
        .unwrap()
}

/// Benchmarks of a codec's ceilings in one direction (`serialize` or `deserialize`).
type Ceilings = fn(&mut Criterion, &str);

/// Each converter's benchmark runs right beside its codec's ceilings, so that both see the same
/// load on a shared machine.
fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let reg = rt.block_on(registry::start());
    let schema = connect_schema();
    let value = connect_value();
    let formats: [(&str, Ceilings); 3] = [
        ("avro", avro_ceilings),
        ("protobuf", protobuf_ceilings),
        ("json_schema", json_ceilings),
    ];
    for (kind, ceilings) in formats {
        let conv = converter(kind, &reg.url);
        // Warm the caches (registration, then the reader's schema by id and version lookup).
        let bytes = rt
            .block_on(conv.from_connect_async("bench", Some(&schema), &value))
            .unwrap()
            .unwrap();
        let back = rt
            .block_on(conv.to_connect_async("bench", Some(&bytes)))
            .unwrap();
        assert_eq!(back.value, value);
        let requests = reg.requests();
        for direction in ["serialize", "deserialize"] {
            if direction == "serialize" {
                c.bench_function(&format!("{kind}_converter/serialize"), |b| {
                    b.iter(|| converter_serialize(&*conv, &schema, black_box(&value)))
                });
            } else {
                c.bench_function(&format!("{kind}_converter/deserialize"), |b| {
                    b.iter(|| converter_deserialize(&*conv, black_box(&bytes)))
                });
            }
            ceilings(c, direction);
        }
        assert_eq!(
            reg.requests(),
            requests,
            "the warm path made a registry request"
        );
    }
}

fn avro_ceilings(c: &mut Criterion, direction: &str) {
    // apache-avro, schema parsed once.
    let avro_text = strata_converters::avro::AvroData::default()
        .from_connect_schema(&connect_schema())
        .unwrap()
        .to_string();
    let avro = apache_avro::Schema::parse_str(&avro_text).unwrap();
    let avro_value = apache_avro::to_value(record()).unwrap();
    let avro_bytes = apache_avro::to_avro_datum(&avro, avro_value.clone()).unwrap();
    let rec = record();
    if direction == "serialize" {
        c.bench_function("apache_avro_value/serialize", |b| {
            b.iter(|| apache_avro::to_avro_datum(&avro, black_box(avro_value.clone())).unwrap())
        });
        c.bench_function("apache_avro_serde/serialize", |b| {
            b.iter(|| {
                let mut out = Vec::with_capacity(256);
                apache_avro::write_avro_datum_ref(&avro, black_box(&rec), &mut out).unwrap();
                out
            })
        });
    } else {
        c.bench_function("apache_avro_value/deserialize", |b| {
            b.iter(|| {
                apache_avro::from_avro_datum(&avro, &mut black_box(avro_bytes.as_slice()), None)
                    .unwrap()
            })
        });
        c.bench_function("apache_avro_serde/deserialize", |b| {
            b.iter(|| {
                let v = apache_avro::from_avro_datum(
                    &avro,
                    &mut black_box(avro_bytes.as_slice()),
                    None,
                )
                .unwrap();
                apache_avro::from_value::<Record>(&v).unwrap()
            })
        });
    }
}

fn protobuf_ceilings(c: &mut Criterion, direction: &str) {
    // prost-reflect on the schema the Protobuf converter writes.
    let (proto, full) = strata_converters::protobuf::ProtobufData
        .from_connect_schema(&connect_schema())
        .unwrap();
    let parsed =
        strata_converters::protobuf::parse_proto(&proto, &[], &strata_schema::NoReferences)
            .unwrap();
    let strata_schema::SchemaModel::Protobuf(model) = parsed.model() else {
        unreachable!()
    };
    let desc = model.descriptor_pool().get_message_by_name(&full).unwrap();
    let mut msg = prost_reflect::DynamicMessage::new(desc.clone());
    let json = serde_json::to_value(record()).unwrap();
    for (k, v) in json.as_object().unwrap() {
        let fd = desc.get_field_by_name(k).unwrap();
        let pv = match v {
            serde_json::Value::String(s) => prost_reflect::Value::String(s.clone()),
            serde_json::Value::Bool(b) => prost_reflect::Value::Bool(*b),
            serde_json::Value::Number(n) => match fd.kind() {
                prost_reflect::Kind::Int64 => prost_reflect::Value::I64(n.as_i64().unwrap()),
                prost_reflect::Kind::Int32 => prost_reflect::Value::I32(n.as_i64().unwrap() as i32),
                _ => prost_reflect::Value::F64(n.as_f64().unwrap()),
            },
            _ => unreachable!(),
        };
        msg.set_field(&fd, pv);
    }
    let pb_bytes = msg.encode_to_vec();
    if direction == "serialize" {
        c.bench_function("prost_reflect/serialize", |b| {
            b.iter(|| black_box(&msg).encode_to_vec())
        });
    } else {
        c.bench_function("prost_reflect/deserialize", |b| {
            b.iter(|| {
                prost_reflect::DynamicMessage::decode(desc.clone(), black_box(pb_bytes.as_slice()))
                    .unwrap()
            })
        });
    }
}

fn json_ceilings(c: &mut Criterion, direction: &str) {
    // serde_json on the plain struct.
    let rec = record();
    let json_bytes = serde_json::to_vec(&rec).unwrap();
    if direction == "serialize" {
        c.bench_function("serde_json/serialize", |b| {
            b.iter(|| serde_json_serialize(black_box(&rec)))
        });
    } else {
        c.bench_function("serde_json/deserialize", |b| {
            b.iter(|| serde_json_deserialize(black_box(&json_bytes)))
        });
    }
}

criterion_group!(codec_benches, benches);
criterion_main!(codec_benches);
