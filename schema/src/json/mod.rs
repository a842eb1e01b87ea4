//! Json schemas. (Placeholder: being implemented.)

use crate::parse::Parsed;
use crate::{Dependency, Direction, ParseOptions, SchemaError, SchemaReference, SchemaType};

/// A parsed Json schema.
#[derive(Debug)]
pub struct JsonModel {
    _private: (),
}

pub(crate) fn parse(
    _text: &str,
    _references: &[SchemaReference],
    _dependencies: &[Dependency],
    _options: &ParseOptions,
) -> Result<Parsed<JsonModel>, SchemaError> {
    Err(SchemaError::invalid(
        SchemaType::Json,
        "not implemented yet",
    ))
}

pub(crate) fn compatibility_errors(
    _new: &JsonModel,
    _old: &JsonModel,
    _direction: Direction,
) -> Vec<String> {
    Vec::new()
}
