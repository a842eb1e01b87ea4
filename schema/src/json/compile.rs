//! Validity: the draft named by `$schema`, the meta-schema of that draft, and a compiled
//! validator whose references all resolve (to the schema itself or to its referenced schemas).

use std::collections::HashMap;

use jsonschema::{Draft, Retrieve, Uri, Validator};
use serde_json::Value;

/// The draft Confluent picks for a schema: the one `$schema` names, draft 7 when it is absent or
/// names no known draft.
pub(crate) fn draft_of(schema: &Value) -> Draft {
    let Some(uri) = schema.get("$schema").and_then(Value::as_str) else {
        return Draft::Draft7;
    };
    let uri = uri.trim_end_matches('#');
    let uri = uri
        .strip_prefix("https://")
        .or_else(|| uri.strip_prefix("http://"))
        .unwrap_or("");
    match uri {
        "json-schema.org/draft-04/schema" => Draft::Draft4,
        "json-schema.org/draft-06/schema" => Draft::Draft6,
        "json-schema.org/draft-07/schema" => Draft::Draft7,
        "json-schema.org/draft/2019-09/schema" => Draft::Draft201909,
        "json-schema.org/draft/2020-12/schema" => Draft::Draft202012,
        _ => Draft::Draft7,
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
        if let Some(Value::String(meta)) = object.get("$schema") {
            if draft_of(&Value::Object(
                [("$schema".to_owned(), Value::String(meta.clone()))]
                    .into_iter()
                    .collect(),
            )) == Draft::Draft7
                && !meta.contains("draft-07")
            {
                object.remove("$schema");
            }
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
/// satisfies), and draft 4's empty `required`.
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
