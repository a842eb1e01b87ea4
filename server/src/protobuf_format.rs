//! Alternative renderings of stored Protobuf schemas (`format=serialized`,
//! `format=ignore_extensions`).

use strata_schema::ParsedSchema;

/// The schema rendered as `format` asks. The Protobuf model of the schema engine provides the
/// descriptor and the extension-free text; until it is available nothing is rendered.
pub fn render(_parsed: &ParsedSchema, _format: Option<&str>) -> Option<String> {
    None
}
