//! The torture record: a Connect schema with every type, nested structs, arrays of structs,
//! maps with struct values and non-string keys, optional fields with and without defaults,
//! docs, parameters, versions and every logical type, and a value that uses all of it.

use indexmap::IndexMap;
use strata_converters::connect::{logical, Decimal, Schema, SchemaBuilder, Struct, Type, Value};

fn req(t: Type) -> Schema {
    Schema::new(t)
}

fn item() -> Schema {
    SchemaBuilder::struct_()
        .name("com.example.Item")
        .doc("one line of an order")
        .field("sku", req(Type::String))
        .field("qty", req(Type::Int32))
        .build()
        .unwrap()
}

fn price() -> Schema {
    SchemaBuilder::struct_()
        .name("com.example.Price")
        .version(2)
        .field("amount", logical::decimal_schema(2).build().unwrap())
        .field("currency", req(Type::String))
        .build()
        .unwrap()
}

fn address() -> Schema {
    SchemaBuilder::struct_()
        .name("com.example.Address")
        .field("street", req(Type::String))
        .field("zip", Schema::new_optional(Type::Int32))
        .build()
        .unwrap()
}

/// The torture schema. `defaults`: include fields with default values (Protobuf has no place
/// for a default value of its own, only the metadata).
pub fn schema() -> Schema {
    SchemaBuilder::struct_()
        .name("com.example.Torture")
        .version(3)
        .doc("every Connect type at once")
        .parameter("owner", "team-data")
        .field("i8", req(Type::Int8))
        .field("i16", req(Type::Int16))
        .field("i32", req(Type::Int32))
        .field("i64", req(Type::Int64))
        .field("f32", req(Type::Float32))
        .field("f64", req(Type::Float64))
        .field("flag", req(Type::Boolean))
        .field(
            "text",
            SchemaBuilder::string()
                .doc("a documented string")
                .parameter("format", "free")
                .build()
                .unwrap(),
        )
        .field("blob", req(Type::Bytes))
        .field("amount", logical::decimal_schema(2).build().unwrap())
        .field(
            "precise",
            logical::decimal_schema_with_precision(4, 10)
                .build()
                .unwrap(),
        )
        .field("day", logical::date_schema().build().unwrap())
        .field("at_time", logical::time_schema().build().unwrap())
        .field("at", logical::timestamp_schema().build().unwrap())
        .field(
            "maybe_day",
            logical::date_schema().optional().build().unwrap(),
        )
        .field("note", Schema::new_optional(Type::String))
        .field("missing", Schema::new_optional(Type::Int64))
        .field(
            "retries",
            SchemaBuilder::int32()
                .optional()
                .default_value(Value::Int32(7))
                .build()
                .unwrap(),
        )
        .field(
            "level",
            SchemaBuilder::int16()
                .default_value(Value::Int16(5))
                .build()
                .unwrap(),
        )
        .field(
            "versioned",
            SchemaBuilder::int64()
                .version(9)
                .name("com.example.Counter")
                .build()
                .unwrap(),
        )
        .field("address", address())
        .field("billing", crate::torture::optional(address()))
        .field("items", SchemaBuilder::array(item()).build().unwrap())
        .field(
            "tags",
            SchemaBuilder::array(req(Type::String)).build().unwrap(),
        )
        .field(
            "prices",
            SchemaBuilder::map(req(Type::String), price())
                .build()
                .unwrap(),
        )
        .field(
            "by_code",
            SchemaBuilder::map(req(Type::Int32), req(Type::String))
                .build()
                .unwrap(),
        )
        .field(
            "stock",
            SchemaBuilder::map(req(Type::Int64), item())
                .build()
                .unwrap(),
        )
        .field(
            "anonymous",
            SchemaBuilder::struct_()
                .field("a", req(Type::Int32))
                .field("b", Schema::new_optional(Type::String))
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

/// `s` made optional.
pub fn optional(s: Schema) -> Schema {
    let mut b = SchemaBuilder::struct_().optional();
    if let Some(n) = s.name() {
        b = b.name(n);
    }
    for f in s.fields() {
        b = b.field(f.name(), f.schema().clone());
    }
    b.build().unwrap()
}

fn item_value(sku: &str, qty: i32) -> Value {
    Value::Struct(
        Struct::new()
            .with("sku", Value::String(sku.into()))
            .with("qty", Value::Int32(qty)),
    )
}

/// A value of [`schema`] that uses every field.
pub fn value() -> Value {
    let mut prices = IndexMap::new();
    prices.insert(
        Value::String("eur".into()),
        Value::Struct(
            Struct::new()
                .with("amount", Value::Decimal(Decimal::from_i128(1999, 2)))
                .with("currency", Value::String("EUR".into())),
        ),
    );
    prices.insert(
        Value::String("usd".into()),
        Value::Struct(
            Struct::new()
                .with("amount", Value::Decimal(Decimal::from_i128(-5, 2)))
                .with("currency", Value::String("USD".into())),
        ),
    );
    let mut by_code = IndexMap::new();
    by_code.insert(Value::Int32(-1), Value::String("minus one".into()));
    by_code.insert(Value::Int32(404), Value::String("not found".into()));
    let mut stock = IndexMap::new();
    stock.insert(Value::Int64(1 << 40), item_value("big", 1));
    Value::Struct(
        Struct::new()
            .with("i8", Value::Int8(-128))
            .with("i16", Value::Int16(32767))
            .with("i32", Value::Int32(i32::MIN))
            .with("i64", Value::Int64(i64::MAX))
            .with("f32", Value::Float32(1.5))
            .with("f64", Value::Float64(-2.25e300))
            .with("flag", Value::Boolean(true))
            .with("text", Value::String("héllo \"wörld\" ✓".into()))
            .with("blob", Value::Bytes(vec![0, 1, 2, 255, 128]))
            .with("amount", Value::Decimal(Decimal::from_i128(-12345, 2)))
            .with(
                "precise",
                Value::Decimal(Decimal::from_i128(123_456_789, 4)),
            )
            .with("day", Value::Date(19_000))
            .with("at_time", Value::Time(43_200_123))
            .with("at", Value::Timestamp(1_700_000_000_123))
            .with("maybe_day", Value::Date(-3))
            .with("note", Value::String("present".into()))
            .with("retries", Value::Int32(3))
            .with("level", Value::Int16(-2))
            .with("versioned", Value::Int64(42))
            .with(
                "address",
                Value::Struct(
                    Struct::new()
                        .with("street", Value::String("Main St".into()))
                        .with("zip", Value::Int32(12345)),
                ),
            )
            .with(
                "items",
                Value::Array(vec![item_value("a", 1), item_value("b", 2)]),
            )
            .with(
                "tags",
                Value::Array(vec![Value::String("x".into()), Value::String("".into())]),
            )
            .with("prices", Value::Map(Box::new(prices)))
            .with("by_code", Value::Map(Box::new(by_code)))
            .with("stock", Value::Map(Box::new(stock)))
            .with(
                "anonymous",
                Value::Struct(Struct::new().with("a", Value::Int32(1))),
            ),
    )
}
