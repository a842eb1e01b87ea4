//! Confluent's tags endpoint (`POST /subjects/{s}/versions/{v}/tags`) for Avro and JSON Schema:
//! tags are written into the schema as `confluent:tags` arrays. Protobuf tags are written by
//! the schema engine's Protobuf model (see `protobuf_format`).

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::model::{int_field, metadata_field, object, rule_set_field, string_field};

/// What a tag is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntityType {
    /// `sr_record`: an Avro record, a JSON object schema, a Protobuf message.
    Record,
    /// `sr_field`: a field or property.
    Field,
}

/// Tags for one schema element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityTags {
    /// `schemaEntity.entityPath`.
    pub path: String,
    /// `schemaEntity.entityType`.
    pub entity_type: EntityType,
    /// The tags.
    pub tags: Vec<String>,
}

/// The body of the tags endpoint.
#[derive(Debug, Clone, Default)]
pub struct TagSchemaRequest {
    /// The version to create; the next one when absent.
    pub new_version: Option<i32>,
    /// Tags to add.
    pub add: Vec<EntityTags>,
    /// Tags to remove (after the additions).
    pub remove: Vec<EntityTags>,
    /// Metadata for the new version (else the tagged version's).
    pub metadata: Option<strata_schema::Metadata>,
    /// Rule set for the new version (else the tagged version's).
    pub rule_set: Option<strata_schema::RuleSet>,
}

fn entity_list(value: Option<&Value>) -> Result<Vec<EntityTags>, ApiError> {
    let items = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => {
            return Err(ApiError::bad_request(
                "Cannot deserialize value of type `ArrayList<SchemaTags>`",
            ))
        }
    };
    let mut out = Vec::new();
    for item in items {
        let map = object(item, "SchemaTags")?;
        let entity = match map.get("schemaEntity") {
            Some(v @ Value::Object(_)) => object(v, "SchemaEntity")?.clone(),
            _ => Map::new(),
        };
        let entity_type = match string_field(entity.get("entityType"))?.as_deref() {
            Some("sr_record") => EntityType::Record,
            Some("sr_field") => EntityType::Field,
            other => {
                return Err(ApiError::bad_request(format!(
                    "Cannot deserialize value of type `EntityType` from String \"{}\": not one \
                     of the values accepted for Enum class: [sr_record, sr_field]",
                    other.unwrap_or("null")
                )))
            }
        };
        let tags = match map.get("tags") {
            Some(Value::Array(tags)) => tags
                .iter()
                .filter_map(|t| string_field(Some(t)).transpose())
                .collect::<Result<Vec<_>, _>>()?,
            _ => Vec::new(),
        };
        out.push(EntityTags {
            path: string_field(entity.get("entityPath"))?.unwrap_or_default(),
            entity_type,
            tags,
        });
    }
    Ok(out)
}

impl TagSchemaRequest {
    /// Reads the request from a parsed body.
    pub fn from_json(value: &Value) -> Result<Self, ApiError> {
        let map = object(value, "TagSchemaRequest")?;
        Ok(TagSchemaRequest {
            new_version: int_field(map.get("newVersion"))?,
            add: entity_list(map.get("tagsToAdd"))?,
            remove: entity_list(map.get("tagsToRemove"))?,
            metadata: metadata_field(map.get("metadata"))?,
            rule_set: rule_set_field(map.get("ruleSet"))?,
        })
    }
}

/// The error Confluent gives for a path that names nothing.
pub fn no_matching_path(path: &str) -> String {
    format!("No matching path '{path}' found in the schema")
}

fn edit_tags(node: &mut Map<String, Value>, tags: &[String], adding: bool) {
    let mut current: BTreeSet<String> = node
        .get("confluent:tags")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|t| t.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    for tag in tags {
        if adding {
            current.insert(tag.clone());
        } else {
            current.remove(tag);
        }
    }
    if current.is_empty() {
        node.remove("confluent:tags");
    } else {
        node.insert(
            "confluent:tags".into(),
            Value::Array(current.into_iter().map(Value::String).collect()),
        );
    }
}

/// Called with a record's full name, short name and JSON; returns true when it handled it.
type RecordVisitor<'a> = dyn FnMut(&str, &str, &mut Map<String, Value>) -> bool + 'a;

/// Visits every Avro record with its full name until `f` handles one.
fn avro_records(
    node: &mut Value,
    namespace: &str,
    depth: usize,
    f: &mut RecordVisitor<'_>,
) -> bool {
    if depth > 200 {
        return false;
    }
    match node {
        Value::Array(branches) => branches
            .iter_mut()
            .any(|b| avro_records(b, namespace, depth + 1, f)),
        Value::Object(map) => {
            let kind = map
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let mut namespace = namespace.to_owned();
            if matches!(kind.as_str(), "record" | "error" | "enum" | "fixed") {
                let name = map
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                if let Some(ns) = map.get("namespace").and_then(Value::as_str) {
                    namespace = ns.to_owned();
                }
                let full = if name.contains('.') || namespace.is_empty() {
                    name.clone()
                } else {
                    format!("{namespace}.{name}")
                };
                if let Some((ns, _)) = full.rsplit_once('.') {
                    namespace = ns.to_owned();
                }
                if kind == "record" || kind == "error" {
                    let short = full.rsplit('.').next().unwrap_or(&full).to_owned();
                    if f(&full, &short, map) {
                        return true;
                    }
                }
            }
            let mut handled = false;
            if let Some(Value::Array(fields)) = map.get_mut("fields") {
                for field in fields.iter_mut() {
                    if let Some(t) = field.get_mut("type") {
                        handled |= avro_records(t, &namespace, depth + 1, f);
                    }
                }
            }
            for key in ["items", "values"] {
                if let Some(t) = map.get_mut(key) {
                    handled |= avro_records(t, &namespace, depth + 1, f);
                }
            }
            if let Some(t) = map
                .get_mut("type")
                .filter(|t| t.is_object() || t.is_array())
            {
                handled |= avro_records(t, &namespace, depth + 1, f);
            }
            handled
        }
        _ => false,
    }
}

fn apply_avro_entity(root: &mut Value, entity: &EntityTags, adding: bool) -> Result<(), String> {
    let (record_path, field) = match entity.entity_type {
        EntityType::Record => (entity.path.as_str(), None),
        EntityType::Field => match entity.path.rsplit_once('.') {
            Some((record, field)) => (record, Some(field)),
            None => return Err("0 > -1".to_owned()),
        },
    };
    let record_path = record_path.trim_start_matches('.');
    let found = avro_records(root, "", 0, &mut |full, short, record| {
        if full != record_path && short != record_path {
            return false;
        }
        match field {
            None => {
                edit_tags(record, &entity.tags, adding);
                true
            }
            Some(name) => {
                let Some(Value::Array(fields)) = record.get_mut("fields") else {
                    return false;
                };
                for f in fields.iter_mut() {
                    if f.get("name").and_then(Value::as_str) == Some(name) {
                        if let Value::Object(f) = f {
                            edit_tags(f, &entity.tags, adding);
                            return true;
                        }
                    }
                }
                false
            }
        }
    });
    if found {
        Ok(())
    } else {
        Err(no_matching_path(&entity.path))
    }
}

fn apply_json_entity(root: &mut Value, entity: &EntityTags, adding: bool) -> Result<(), String> {
    let mut segments = entity.path.split('.');
    if segments.next() != Some("object") {
        return Err(no_matching_path(&entity.path));
    }
    let mut node = root;
    for segment in segments {
        node = node
            .get_mut("properties")
            .and_then(|p| p.get_mut(segment))
            .ok_or_else(|| no_matching_path(&entity.path))?;
    }
    match node {
        Value::Object(map) => {
            edit_tags(map, &entity.tags, adding);
            Ok(())
        }
        _ => Err(no_matching_path(&entity.path)),
    }
}

/// The schema text with the request's tags added, then removed (Avro and JSON Schema); the
/// result still needs canonicalizing by the engine.
pub fn apply_json_tags(
    schema: &str,
    avro: bool,
    request: &TagSchemaRequest,
) -> Result<String, String> {
    let mut root: Value = serde_json::from_str(schema).map_err(|e| e.to_string())?;
    for (list, adding) in [(&request.add, true), (&request.remove, false)] {
        for entity in list {
            if avro {
                apply_avro_entity(&mut root, entity, adding)?;
            } else {
                apply_json_entity(&mut root, entity, adding)?;
            }
        }
    }
    Ok(root.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(path: &str, entity_type: EntityType, tags: &[&str]) -> TagSchemaRequest {
        TagSchemaRequest {
            add: vec![EntityTags {
                path: path.into(),
                entity_type,
                tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            }],
            ..TagSchemaRequest::default()
        }
    }

    #[test]
    fn avro_field_and_record_tags_by_full_or_short_name() {
        let schema = r#"{"type":"record","name":"Dep","namespace":"com.x","fields":[{"name":"v","type":"int"}]}"#;
        let tagged = apply_json_tags(
            schema,
            true,
            &request("com.x.Dep.v", EntityType::Field, &["N"]),
        )
        .unwrap();
        assert!(tagged.contains(r#""confluent:tags":["N"]"#), "{tagged}");
        let tagged =
            apply_json_tags(&tagged, true, &request("Dep", EntityType::Record, &["R"])).unwrap();
        assert!(tagged.ends_with(r#""confluent:tags":["R"]}"#), "{tagged}");
        assert_eq!(
            apply_json_tags(
                schema,
                true,
                &request("Dep.nope", EntityType::Field, &["X"])
            ),
            Err("No matching path 'Dep.nope' found in the schema".to_owned())
        );
    }

    #[test]
    fn json_properties_are_reached_from_object() {
        let schema = r#"{"type":"object","properties":{"a":{"type":"string"}}}"#;
        let tagged = apply_json_tags(
            schema,
            false,
            &request("object.a", EntityType::Field, &["PII"]),
        )
        .unwrap();
        assert_eq!(
            tagged,
            r#"{"type":"object","properties":{"a":{"type":"string","confluent:tags":["PII"]}}}"#
        );
        assert!(apply_json_tags(schema, false, &request("a", EntityType::Field, &["X"])).is_err());
    }
}
