//! Alternative renderings of stored Protobuf schemas (`format=serialized`,
//! `format=ignore_extensions`).

use strata_schema::{ParsedSchema, SchemaModel};

/// The schema rendered as `format` asks: the base64 `FileDescriptorProto` for `serialized`, the
/// text without extensions for `ignore_extensions`; `None` for anything that is not Protobuf.
pub fn render(parsed: &ParsedSchema, format: Option<&str>) -> Option<String> {
    let SchemaModel::Protobuf(model) = parsed.model() else {
        return None;
    };
    match format {
        Some("serialized") => Some(model.serialized()),
        Some("ignore_extensions") => Some(model.text_without_extensions()),
        _ => None,
    }
}
