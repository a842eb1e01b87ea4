//! Wire-format encode and decode of one record: the per-record cost every converter pays.

// `criterion_group!` defines an undocumented `pub fn benches`.
#![allow(missing_docs)]

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use strata_converters::wire::{self, SchemaId};

fn bench_wire(c: &mut Criterion) {
    let payload = vec![0x42u8; 256];
    let mut group = c.benchmark_group("wire");
    group.throughput(Throughput::Elements(1));

    group.bench_function("encode_into/avro", |b| {
        let mut buf = Vec::with_capacity(512);
        b.iter(|| {
            buf.clear();
            wire::encode_into(&mut buf, black_box(SchemaId(42)), None, black_box(&payload));
            black_box(buf.len())
        })
    });
    group.bench_function("encode/protobuf_nested", |b| {
        b.iter(|| {
            wire::encode(
                black_box(SchemaId(42)),
                Some(black_box(&[1, 2, 64])),
                &payload,
            )
        })
    });

    let avro = wire::encode(SchemaId(42), None, &payload);
    group.bench_function("decode/avro", |b| {
        b.iter(|| wire::decode(black_box(&avro)).map(|f| f.payload.len()))
    });
    let first = wire::encode(SchemaId(42), Some(&[0]), &payload);
    group.bench_function("decode/protobuf_first_message", |b| {
        b.iter(|| {
            let frame = wire::decode(black_box(&first))?;
            wire::decode_message_indexes(frame.payload).map(|(i, rest)| (i.len(), rest.len()))
        })
    });
    let nested = wire::encode(SchemaId(42), Some(&[1, 2, 64]), &payload);
    group.bench_function("decode/protobuf_nested", |b| {
        b.iter(|| {
            let frame = wire::decode(black_box(&nested))?;
            wire::decode_message_indexes(frame.payload).map(|(i, rest)| (i.len(), rest.len()))
        })
    });
    group.finish();
}

criterion_group!(benches, bench_wire);
criterion_main!(benches);
