//! What only the schema engine's Protobuf model can do: alternative renderings of stored
//! schemas (`format=serialized`, `format=ignore_extensions`) and writing tags into them.
//! The Protobuf model of the schema engine is not available in this build: nothing is rendered.

use strata_schema::ParsedSchema;

use crate::tags::EntityTags;

/// The schema rendered as `format` asks; `None` while the engine cannot render it.
pub fn render(_parsed: &ParsedSchema, _format: Option<&str>) -> Option<String> {
    None
}

/// The canonical text with tags added, then removed; `None` while the engine cannot do it.
pub fn with_tags(
    _parsed: &ParsedSchema,
    _add: &[EntityTags],
    _remove: &[EntityTags],
) -> Option<Result<String, String>> {
    None
}
