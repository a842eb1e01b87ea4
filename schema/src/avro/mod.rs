//! Avro schemas. (Placeholder: being implemented.)

use crate::parse::Parsed;
use crate::{Dependency, Direction, ParseOptions, SchemaError, SchemaReference, SchemaType};

/// A parsed Avro schema.
#[derive(Debug)]
pub struct AvroModel {
    _private: (),
}

pub(crate) fn parse(
    _text: &str,
    _references: &[SchemaReference],
    _dependencies: &[Dependency],
    _options: &ParseOptions,
) -> Result<Parsed<AvroModel>, SchemaError> {
    Err(SchemaError::invalid(
        SchemaType::Avro,
        "not implemented yet",
    ))
}

pub(crate) fn compatibility_errors(
    _new: &AvroModel,
    _old: &AvroModel,
    _direction: Direction,
) -> Vec<String> {
    Vec::new()
}
