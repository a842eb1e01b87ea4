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
    let retriever = DependencyRetriever {
        by_name: dependencies.iter().cloned().collect(),
    };
    jsonschema::options()
        .with_draft(draft)
        .with_retriever(retriever)
        .build(&effective)
        .map_err(|e| e.to_string())
}
