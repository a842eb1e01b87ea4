//! JSON Schema (drafts 4, 6, 7, 2019-09 and 2020-12), as Confluent Schema Registry 7.9 reads,
//! prints and compares it.
//!
//! - Validity: the text must be JSON; a `null` is rejected; other non-object roots are accepted as
//!   Confluent accepts them. An object must satisfy the meta-schema of its draft (`$schema`, draft
//!   7 when absent or unknown), its patterns must compile and every `$ref` must resolve, within
//!   the schema or to a referenced schema (a reference's name is the `$ref` URL). Nothing is ever
//!   fetched from the network. Where Confluent's loader is more lenient than the meta-schemas
//!   (empty `allOf`/`anyOf`/`oneOf`, draft 4's empty `required`), it is followed.
//! - Canonical text: Jackson's compact serialization; normalized text: the same with
//!   object keys sorted.
//! - Compatibility: Confluent's `SchemaDiff` under the STRICT policy.

mod compile;
mod diff;
mod difference;
mod jackson;
mod java_order;
mod model;
#[cfg(test)]
mod tests;

use std::fmt;

use jsonschema::Validator;
use serde_json::Value;

use crate::parse::Parsed;
use crate::{Dependency, Direction, ParseOptions, SchemaError, SchemaReference, SchemaType};

use jackson::Node;
use model::{Document, Model, DEFAULT_BASE};

/// Confluent's message for a schema that is JSON but not a valid JSON Schema.
const INVALID_SCHEMA: &str = "Invalid JSON Schema";

/// A parsed JSON Schema: its JSON, a compiled validator with references resolved, and the object
/// model the compatibility diff runs on.
pub struct JsonModel {
    value: Value,
    validator: Option<Validator>,
    model: Model,
}

impl fmt::Debug for JsonModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonModel")
            .field("value", &self.value)
            .finish_non_exhaustive()
    }
}

impl JsonModel {
    /// The schema as JSON, as it was written (key order kept).
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// Validates `instance` against the schema, with its references resolved.
    ///
    /// Returns the first validation error's description when the instance does not conform.
    /// Schemas whose root is not an object or a boolean (which Confluent accepts and treats as
    /// the empty schema) accept every instance.
    pub fn validate(&self, instance: &Value) -> Result<(), String> {
        match &self.validator {
            Some(validator) => validator.validate(instance).map_err(|e| e.to_string()),
            None => Ok(()),
        }
    }

    /// Whether `instance` conforms to the schema.
    pub fn is_valid(&self, instance: &Value) -> bool {
        self.validate(instance).is_ok()
    }
}

fn invalid(message: impl Into<String>) -> SchemaError {
    SchemaError::invalid(SchemaType::Json, message)
}

pub(crate) fn parse(
    text: &str,
    _references: &[SchemaReference],
    dependencies: &[Dependency],
    options: &ParseOptions,
) -> Result<Parsed<JsonModel>, SchemaError> {
    let max_depth = options.limits.max_depth.saturating_add(1);
    let node =
        jackson::read(text, max_depth).map_err(|_| invalid(format!("Invalid JSON {text}")))?;
    let canonical = jackson::write(&node, false);
    let normalized = jackson::write(&node, true);
    let value = node.to_value();

    // The referenced schemas, by the name the referring schemas use.
    let mut referenced: Vec<(String, Node)> = Vec::new();
    for dependency in dependencies {
        if dependency.schema_type != SchemaType::Json {
            continue;
        }
        let dep =
            jackson::read(&dependency.schema, max_depth).map_err(|_| invalid(INVALID_SCHEMA))?;
        // Confluent loads every referenced schema as a JSON object, used or not.
        if matches!(node, Node::Object(_)) && !matches!(dep, Node::Object(_)) {
            return Err(invalid(INVALID_SCHEMA));
        }
        referenced.push((dependency.reference.name.clone(), dep));
    }

    let validator = match &node {
        Node::Null => return Err(invalid(INVALID_SCHEMA)),
        Node::Object(_) | Node::Bool(_) => {
            let draft = compile::draft_of(&value);
            let bounded = model::bases_are_bounded(&node, DEFAULT_BASE, draft, 0)
                && referenced.iter().all(|(name, dep)| {
                    let draft = compile::draft_of(&dep.to_value());
                    name.len() <= model::MAX_BASE_URI
                        && model::bases_are_bounded(dep, DEFAULT_BASE, draft, 0)
                });
            if !bounded {
                return Err(invalid(INVALID_SCHEMA));
            }
            let deps: Vec<(String, Value)> = referenced
                .iter()
                .map(|(name, dep)| (name.clone(), dep.to_value()))
                .collect();
            Some(compile::compile(&value, draft, &deps).map_err(|_| invalid(INVALID_SCHEMA))?)
        }
        // Confluent accepts numbers, strings and arrays as schemas that constrain nothing.
        _ => None,
    };

    let main_draft = compile::draft_of(&value);
    let main_base = value
        .get(if main_draft == jsonschema::Draft::Draft4 {
            "id"
        } else {
            "$id"
        })
        .and_then(Value::as_str)
        .filter(|id| !id.starts_with('#'))
        .and_then(|id| model::resolve_uri(DEFAULT_BASE, id))
        .map(|id| id.split('#').next().unwrap_or_default().to_owned())
        .unwrap_or_else(|| DEFAULT_BASE.to_owned());
    let mut documents = vec![Document {
        node,
        base: main_base.clone(),
        draft: main_draft,
    }];
    for (name, dep) in referenced {
        let base = model::resolve_uri(&main_base, &name).unwrap_or(name);
        let draft = compile::draft_of(&dep.to_value());
        documents.push(Document {
            node: dep,
            base,
            draft,
        });
    }
    let model = model::build(&documents);

    Ok(Parsed {
        canonical,
        normalized,
        model: JsonModel {
            value,
            validator,
            model,
        },
    })
}

pub(crate) fn compatibility_errors(
    new: &JsonModel,
    old: &JsonModel,
    direction: Direction,
) -> Vec<String> {
    let (original, update) = match direction {
        Direction::Backward => (&old.model, &new.model),
        Direction::Forward => (&new.model, &old.model),
    };
    // Most checks find nothing: decide that without building paths, and walk again recording
    // everything only when something may be incompatible.
    if diff::surely_compatible(original, update) {
        return Vec::new();
    }
    diff::compare(original, update)
        .into_iter()
        .filter(|d| !d.kind.is_compatible())
        .map(|d| d.message(direction))
        .collect()
}
