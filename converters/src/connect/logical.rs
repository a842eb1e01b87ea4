//! Connect's logical types: a primitive schema with a well-known name (and version 1), whose
//! values carry a richer meaning.
//!
//! | Name                                       | Schema type | [`Value`](super::Value) variant          |
//! |--------------------------------------------|-------------|------------------------------------------|
//! | `org.apache.kafka.connect.data.Decimal`    | BYTES       | `Decimal` (unscaled big integer + scale) |
//! | `org.apache.kafka.connect.data.Date`       | INT32       | `Date` (days since 1970-01-01)           |
//! | `org.apache.kafka.connect.data.Time`       | INT32       | `Time` (milliseconds since midnight)     |
//! | `org.apache.kafka.connect.data.Timestamp`  | INT64       | `Timestamp` (milliseconds since epoch)   |

use super::schema::{SchemaBuilder, Type};

/// Schema name of the Decimal logical type.
pub const DECIMAL_NAME: &str = "org.apache.kafka.connect.data.Decimal";
/// Schema name of the Date logical type.
pub const DATE_NAME: &str = "org.apache.kafka.connect.data.Date";
/// Schema name of the Time logical type.
pub const TIME_NAME: &str = "org.apache.kafka.connect.data.Time";
/// Schema name of the Timestamp logical type.
pub const TIMESTAMP_NAME: &str = "org.apache.kafka.connect.data.Timestamp";
/// Decimal parameter holding the scale (a decimal integer as a string).
pub const DECIMAL_SCALE: &str = "scale";
/// Decimal parameter holding the precision, written by Confluent's converters.
pub const DECIMAL_PRECISION: &str = "connect.decimal.precision";
/// Milliseconds in a day: the bound of a Time value.
pub const MILLIS_PER_DAY: i32 = 86_400_000;

/// The logical type a schema stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogicalType {
    /// Arbitrary-precision decimal with a fixed scale.
    Decimal {
        /// Digits after the decimal point (may be negative).
        scale: i32,
    },
    /// A calendar date.
    Date,
    /// A time of day, millisecond precision.
    Time,
    /// An instant, millisecond precision.
    Timestamp,
}

impl LogicalType {
    /// The logical type a schema of this name and type stands for, if any. A Decimal without a
    /// valid `scale` parameter is an error, reported by [`SchemaBuilder::build`].
    pub(crate) fn detect(
        name: Option<&str>,
        schema_type: Type,
        scale: Option<&str>,
    ) -> Result<Option<LogicalType>, String> {
        Ok(match (name, schema_type) {
            (Some(DECIMAL_NAME), Type::Bytes) => {
                let scale = scale.ok_or("Invalid Decimal schema: scale parameter not found.")?;
                let scale = scale.trim().parse::<i32>().map_err(|_| {
                    format!(
                        "Invalid Decimal schema: scale parameter {scale:?} is not a 32-bit integer"
                    )
                })?;
                Some(LogicalType::Decimal { scale })
            }
            (Some(DATE_NAME), Type::Int32) => Some(LogicalType::Date),
            (Some(TIME_NAME), Type::Int32) => Some(LogicalType::Time),
            (Some(TIMESTAMP_NAME), Type::Int64) => Some(LogicalType::Timestamp),
            _ => None,
        })
    }

    /// Short name used in messages: `Decimal`, `Date`, `Time`, `Timestamp`.
    pub fn short_name(&self) -> &'static str {
        match self {
            LogicalType::Decimal { .. } => "Decimal",
            LogicalType::Date => "Date",
            LogicalType::Time => "Time",
            LogicalType::Timestamp => "Timestamp",
        }
    }
}

/// A Decimal schema of this scale, as Kafka's `Decimal.builder(scale)`.
pub fn decimal_schema(scale: i32) -> SchemaBuilder {
    SchemaBuilder::bytes()
        .name(DECIMAL_NAME)
        .parameter(DECIMAL_SCALE, scale.to_string())
        .version(1)
}

/// A Decimal schema that also records its precision, as Confluent's converters write it.
pub fn decimal_schema_with_precision(scale: i32, precision: u32) -> SchemaBuilder {
    decimal_schema(scale).parameter(DECIMAL_PRECISION, precision.to_string())
}

/// A Date schema, as Kafka's `Date.builder()`.
pub fn date_schema() -> SchemaBuilder {
    SchemaBuilder::int32().name(DATE_NAME).version(1)
}

/// A Time schema, as Kafka's `Time.builder()`.
pub fn time_schema() -> SchemaBuilder {
    SchemaBuilder::int32().name(TIME_NAME).version(1)
}

/// A Timestamp schema, as Kafka's `Timestamp.builder()`.
pub fn timestamp_schema() -> SchemaBuilder {
    SchemaBuilder::int64().name(TIMESTAMP_NAME).version(1)
}
