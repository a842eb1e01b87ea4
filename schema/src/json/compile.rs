//! Validity: the draft named by `$schema`, the meta-schema of that draft, and a compiled
//! validator whose references all resolve (to the schema itself or to its referenced schemas).

use std::collections::HashMap;

use jsonschema::{Draft, Retrieve, Uri, Validator};
use serde_json::Value;

/// The draft Confluent picks for a schema: the one `$schema` names, draft 7 when it is absent or
/// names no known draft.
pub(crate) fn draft_of(schema: &Value) -> Draft {
    schema
        .get("$schema")
        .and_then(Value::as_str)
        .and_then(known_draft)
        .unwrap_or(Draft::Draft7)
}

/// The draft a `$schema` URL names. Drafts 4, 6 and 7 are recognized as Confluent's loader
/// recognizes them (an `http://json-schema.org/draft-0N/schema` prefix; any other spelling means
/// draft 7); 2019-09 and 2020-12 by their URL, `http` or `https`, with or without `#`.
fn known_draft(uri: &str) -> Option<Draft> {
    const CLASSIC: [(&str, Draft); 3] = [
        ("http://json-schema.org/draft-04/schema", Draft::Draft4),
        ("http://json-schema.org/draft-06/schema", Draft::Draft6),
        ("http://json-schema.org/draft-07/schema", Draft::Draft7),
    ];
    if let Some((_, draft)) = CLASSIC.iter().find(|(prefix, _)| uri.starts_with(prefix)) {
        return Some(*draft);
    }
    let bare = uri.trim_end_matches('#');
    let bare = bare
        .strip_prefix("https://")
        .or_else(|| bare.strip_prefix("http://"))?;
    match bare {
        "json-schema.org/draft/2019-09/schema" => Some(Draft::Draft201909),
        "json-schema.org/draft/2020-12/schema" => Some(Draft::Draft202012),
        _ => None,
    }
}

/// Serves referenced schemas by their reference name, and nothing else: no network, no files.
struct DependencyRetriever {
    by_name: HashMap<String, Value>,
}

impl Retrieve for DependencyRetriever {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let wanted = uri.as_str();
        let wanted = wanted.split('#').next().unwrap_or(wanted);
        self.by_name
            .iter()
            .find(|(name, _)| {
                wanted == name.as_str()
                    || wanted
                        .strip_suffix(name.as_str())
                        .is_some_and(|prefix| prefix.ends_with('/'))
            })
            .map(|(_, value)| value.clone())
            .ok_or_else(|| format!("no referenced schema named {wanted}").into())
    }
}

/// Checks `schema` against the meta-schema of `draft` and compiles it, resolving references
/// through `dependencies` (reference name, schema). Any failure is a reason for Confluent's
/// `Invalid JSON Schema`.
pub(crate) fn compile(
    schema: &Value,
    draft: Draft,
    dependencies: &[(String, Value)],
) -> Result<Validator, String> {
    // An unknown `$schema` is treated as draft 7 by Confluent; it must not be looked up.
    let mut effective = schema.clone();
    if let Some(object) = effective.as_object_mut() {
        let unknown = match object.get("$schema") {
            Some(Value::String(uri)) => {
                known_draft(uri).is_none() || known_draft(uri) != Some(draft)
            }
            _ => false,
        };
        if unknown {
            object.remove("$schema");
        }
    }
    relax(&mut effective, draft);
    let retriever = DependencyRetriever {
        by_name: dependencies.iter().cloned().collect(),
    };
    jsonschema::options()
        .with_draft(draft)
        .with_retriever(retriever)
        .build(&effective)
        .map_err(|e| e.to_string())
}

/// Keys whose values are data, not schemas.
const DATA_KEYWORDS: [&str; 4] = ["enum", "const", "default", "examples"];

/// Rewrites what Confluent's loader accepts but the meta-schemas forbid into an equivalent form:
/// an empty `allOf` (which constrains nothing) and an empty `anyOf`/`oneOf` (which nothing
/// satisfies), draft 4's empty `required`, and names repeated in `required` or `type`.
fn relax(value: &mut Value, draft: Draft) {
    let (anything, nothing) = if draft == Draft::Draft4 {
        (serde_json::json!({}), serde_json::json!({"not": {}}))
    } else {
        (Value::Bool(true), Value::Bool(false))
    };
    relax_with(value, draft, &anything, &nothing);
}

fn relax_with(value: &mut Value, draft: Draft, anything: &Value, nothing: &Value) {
    match value {
        Value::Object(object) => {
            for (key, replacement) in [("allOf", anything), ("anyOf", nothing), ("oneOf", nothing)]
            {
                if matches!(object.get(key), Some(Value::Array(items)) if items.is_empty()) {
                    object.insert(key.to_owned(), Value::Array(vec![replacement.clone()]));
                }
            }
            // Repeated names mean nothing more; Confluent's loader keeps them, the meta-schemas
            // reject them.
            for key in ["required", "type"] {
                if let Some(Value::Array(items)) = object.get_mut(key) {
                    let mut seen = Vec::with_capacity(items.len());
                    items.retain(|item| {
                        let fresh = !seen.contains(item);
                        if fresh {
                            seen.push(item.clone());
                        }
                        fresh
                    });
                }
            }
            if draft == Draft::Draft4
                && matches!(object.get("required"), Some(Value::Array(items)) if items.is_empty())
            {
                object.remove("required");
            }
            for (key, child) in object.iter_mut() {
                if !DATA_KEYWORDS.contains(&key.as_str()) {
                    relax_with(child, draft, anything, nothing);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                relax_with(item, draft, anything, nothing);
            }
        }
        _ => {}
    }
}
