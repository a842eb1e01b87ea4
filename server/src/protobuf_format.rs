//! What only the schema engine's Protobuf model can do: alternative renderings of stored
//! schemas (`format=serialized`, `format=ignore_extensions`) and writing tags into them.

use strata_schema::protobuf::{SchemaTags, TagEntityType};
use strata_schema::{ParsedSchema, SchemaModel};

use crate::tags::{EntityTags, EntityType};

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

fn convert(list: &[EntityTags]) -> Vec<SchemaTags> {
    list.iter()
        .map(|e| SchemaTags {
            entity_path: e.path.clone(),
            entity_type: match e.entity_type {
                EntityType::Record => TagEntityType::Record,
                EntityType::Field => TagEntityType::Field,
            },
            tags: e.tags.clone(),
        })
        .collect()
}

/// The canonical text with tags added, then removed; `None` when the engine cannot do it.
pub fn with_tags(
    parsed: &ParsedSchema,
    add: &[EntityTags],
    remove: &[EntityTags],
) -> Option<Result<String, String>> {
    let SchemaModel::Protobuf(model) = parsed.model() else {
        return None;
    };
    Some(
        model
            .with_tags(&convert(add), &convert(remove))
            .map_err(|e| e.to_string()),
    )
}
