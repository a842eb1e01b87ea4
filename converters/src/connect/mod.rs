//! The Kafka Connect data model: [`Schema`], [`Value`] and the logical types
//! ([`Decimal`], Date, Time, Timestamp), as Kafka's
//! `org.apache.kafka.connect.data` package defines them.
//!
//! Schemas are built with [`SchemaBuilder`], which validates what it builds (field names,
//! default values, logical-type parameters), so every [`Schema`] in hand is well formed.
//! [`Schema::validate`] checks a [`Value`] against a schema with an error that says where and why.
//!
//! ```
//! use strata_converters::connect::{logical, Schema, SchemaBuilder, Struct, Type, Value, Decimal};
//!
//! let schema = SchemaBuilder::struct_()
//!     .name("com.example.Order")
//!     .field("id", Schema::new(Type::Int64))
//!     .field("amount", logical::decimal_schema(2).build()?)
//!     .field("note", SchemaBuilder::string().optional().build()?)
//!     .build()?;
//! let value = Value::Struct(
//!     Struct::new()
//!         .with("id", Value::Int64(7))
//!         .with("amount", Value::Decimal(Decimal::from_i128(150, 2))),
//! );
//! schema.validate(&value)?;
//!
//! let bad = Value::Struct(Struct::new().with("id", Value::String("7".into())));
//! let err = schema.validate(&bad).unwrap_err();
//! assert!(err.to_string().contains("field: \"id\""), "{err}");
//! # Ok::<(), strata_converters::connect::DataError>(())
//! ```

mod decimal;
pub(crate) mod from_json;
pub mod logical;
mod schema;
mod value;

pub use decimal::Decimal;
pub use logical::LogicalType;
pub use schema::{Field, Schema, SchemaBuilder, Type};
pub(crate) use value::same_name;
pub use value::{Struct, Value};

/// A value does not fit its schema, or a schema is malformed: Kafka Connect's `DataException`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DataError {
    message: String,
}

impl DataError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        DataError {
            message: message.into(),
        }
    }

    /// The message, as shown by `Display`.
    pub fn message(&self) -> &str {
        &self.message
    }
}
