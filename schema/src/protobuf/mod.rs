//! Protobuf schemas. (Placeholder: being implemented.)

use crate::parse::Parsed;
use crate::{Dependency, Direction, ParseOptions, SchemaError, SchemaReference, SchemaType};

/// A parsed Protobuf schema.
#[derive(Debug)]
pub struct ProtobufModel {
    _private: (),
}

pub(crate) fn parse(
    _text: &str,
    _references: &[SchemaReference],
    _dependencies: &[Dependency],
    _options: &ParseOptions,
) -> Result<Parsed<ProtobufModel>, SchemaError> {
    Err(SchemaError::invalid(
        SchemaType::Protobuf,
        "not implemented yet",
    ))
}

pub(crate) fn compatibility_errors(
    _new: &ProtobufModel,
    _old: &ProtobufModel,
    _direction: Direction,
) -> Vec<String> {
    Vec::new()
}
