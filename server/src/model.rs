//! Request bodies, read the way Confluent's JSON mapper reads them, and response bodies.
//!
//! Confluent's mapper coerces scalars (a number where a string is expected becomes its text, a
//! numeric string where an integer is expected becomes the integer) and rejects structural
//! mismatches with 400. Clients depend on neither, but a drop-in replacement answers the same.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};
use strata_schema::{Metadata, Rule, RuleSet, SchemaReference};

use crate::error::ApiError;

fn cannot(target: &str, value: &Value) -> ApiError {
    let what = match value {
        Value::Object(_) => "Object value (token `JsonToken.START_OBJECT`)".to_owned(),
        Value::Array(_) => "Array value (token `JsonToken.START_ARRAY`)".to_owned(),
        Value::Bool(true) => "Boolean value (token `JsonToken.VALUE_TRUE`)".to_owned(),
        Value::Bool(false) => "Boolean value (token `JsonToken.VALUE_FALSE`)".to_owned(),
        Value::String(s) => format!("String \"{s}\""),
        Value::Number(n) => format!("Number value ({n})"),
        Value::Null => "null".to_owned(),
    };
    ApiError::bad_request(format!(
        "Cannot deserialize value of type `{target}` from {what}"
    ))
}

/// A string field: strings as they are, numbers and booleans as their text.
pub fn string_field(value: Option<&Value>) -> Result<Option<String>, ApiError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(Value::Bool(b)) => Ok(Some(b.to_string())),
        Some(other) => Err(cannot("String", other)),
    }
}

/// An integer field: integers, truncated floats and numeric strings; `""` is null.
pub fn int_field(value: Option<&Value>) -> Result<Option<i32>, ApiError> {
    let out_of_range = |text: &str| {
        ApiError::bad_request(format!(
            "Numeric value ({text}) out of range of int (-2147483648 - 2147483647)"
        ))
    };
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => {
            if let Some(i) = n.as_i64() {
                i32::try_from(i)
                    .map(Some)
                    .map_err(|_| out_of_range(&n.to_string()))
            } else if let Some(f) = n.as_f64() {
                if f.is_finite() && f >= f64::from(i32::MIN) && f <= f64::from(i32::MAX) {
                    // Truncation toward zero is what the mapper does with a fractional number.
                    Ok(Some(f.trunc() as i32))
                } else {
                    Err(out_of_range(&n.to_string()))
                }
            } else {
                Err(out_of_range(&n.to_string()))
            }
        }
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s.trim().parse::<i32>().map(Some).map_err(|_| {
            ApiError::bad_request(format!(
                "Cannot deserialize value of type `Integer` from String \"{s}\": not a valid \
                 `java.lang.Integer` value"
            ))
        }),
        Some(other) => Err(cannot("Integer", other)),
    }
}

/// A boolean field: booleans, `"true"`/`"false"` and numbers (non-zero is true).
pub fn bool_field(value: Option<&Value>) -> Result<Option<bool>, ApiError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::Number(n)) => Ok(Some(n.as_f64().is_some_and(|f| f != 0.0))),
        Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(Some(true)),
            "false" => Ok(Some(false)),
            "" => Ok(None),
            _ => Err(ApiError::bad_request(format!(
                "Cannot deserialize value of type `Boolean` from String \"{s}\": only \"true\" \
                 or \"false\" recognized"
            ))),
        },
        Some(other) => Err(cannot("Boolean", other)),
    }
}

fn no_string_constructor(target: &str, value: &Value) -> ApiError {
    match value {
        Value::String(s) => ApiError::bad_request(format!(
            "Cannot construct instance of `{target}` (although at least one Creator exists): no \
             String-argument constructor/factory method to deserialize from String value ('{s}')"
        )),
        Value::Number(n) if n.is_i64() || n.is_u64() => ApiError::bad_request(format!(
            "Cannot construct instance of `{target}` (although at least one Creator exists): no \
             int/Int-argument constructor/factory method to deserialize from Number value ({n})"
        )),
        other => cannot(target, other),
    }
}

/// The body as a JSON object, or the mapper's error for another shape.
pub fn object<'a>(value: &'a Value, target: &str) -> Result<&'a Map<String, Value>, ApiError> {
    match value {
        Value::Object(map) => Ok(map),
        other => Err(no_string_constructor(target, other)),
    }
}

fn string_set(value: Option<&Value>) -> Result<BTreeSet<String>, ApiError> {
    match value {
        None | Some(Value::Null) => Ok(BTreeSet::new()),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| string_field(Some(v)).transpose())
            .collect(),
        Some(other) => Err(no_string_constructor("HashSet", other)),
    }
}

fn string_map(value: Option<&Value>) -> Result<BTreeMap<String, String>, ApiError> {
    match value {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(map)) => {
            let mut out = BTreeMap::new();
            for (k, v) in map {
                if let Some(v) = string_field(Some(v))? {
                    out.insert(k.clone(), v);
                }
            }
            Ok(out)
        }
        Some(other) => Err(no_string_constructor("HashMap", other)),
    }
}

/// Reads a `metadata` object.
pub fn metadata_field(value: Option<&Value>) -> Result<Option<Metadata>, ApiError> {
    let map = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(v) => object(v, "Metadata")?,
    };
    let mut tags = BTreeMap::new();
    match map.get("tags") {
        None | Some(Value::Null) => {}
        Some(Value::Object(t)) => {
            for (path, set) in t {
                tags.insert(path.clone(), string_set(Some(set))?);
            }
        }
        Some(other) => return Err(no_string_constructor("HashMap", other)),
    }
    Ok(Some(Metadata {
        tags,
        properties: string_map(map.get("properties"))?,
        sensitive: string_set(map.get("sensitive"))?,
    }))
}

fn enum_field(
    value: Option<&Value>,
    target: &str,
    allowed: &[&str],
) -> Result<Option<String>, ApiError> {
    let Some(text) = string_field(value)? else {
        return Ok(None);
    };
    if allowed.contains(&text.as_str()) {
        Ok(Some(text))
    } else {
        Err(ApiError::bad_request(format!(
            "Cannot deserialize value of type `{target}` from String \"{text}\": not one of the \
             values accepted for Enum class: [{}]",
            allowed.join(", ")
        )))
    }
}

fn rule(value: &Value) -> Result<Rule, ApiError> {
    let map = object(value, "Rule")?;
    Ok(Rule {
        name: string_field(map.get("name"))?,
        doc: string_field(map.get("doc"))?,
        kind: enum_field(map.get("kind"), "RuleKind", &["CONDITION", "TRANSFORM"])?,
        mode: enum_field(
            map.get("mode"),
            "RuleMode",
            &[
                "UPGRADE",
                "DOWNGRADE",
                "UPDOWN",
                "WRITE",
                "READ",
                "WRITEREAD",
            ],
        )?,
        rule_type: string_field(map.get("type"))?,
        tags: string_set(map.get("tags"))?,
        params: string_map(map.get("params"))?,
        expr: string_field(map.get("expr"))?,
        on_success: string_field(map.get("onSuccess"))?,
        on_failure: string_field(map.get("onFailure"))?,
        disabled: bool_field(map.get("disabled"))?.unwrap_or(false),
    })
}

fn rules(value: Option<&Value>) -> Result<Vec<Rule>, ApiError> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items.iter().map(rule).collect(),
        Some(other) => Err(cannot("ArrayList<Rule>", other)),
    }
}

/// Reads a `ruleSet` object.
pub fn rule_set_field(value: Option<&Value>) -> Result<Option<RuleSet>, ApiError> {
    let map = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(v) => object(v, "RuleSet")?,
    };
    Ok(Some(RuleSet {
        migration_rules: rules(map.get("migrationRules"))?,
        domain_rules: rules(map.get("domainRules"))?,
        encoding_rules: rules(map.get("encodingRules"))?,
        enable_at: string_field(map.get("enableAt"))?,
    }))
}

/// A reference as sent: any of its fields may be missing, and the element itself may be null.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawReference {
    /// `name`.
    pub name: Option<String>,
    /// `subject`.
    pub subject: Option<String>,
    /// `version`.
    pub version: Option<i32>,
}

impl From<&SchemaReference> for RawReference {
    fn from(r: &SchemaReference) -> Self {
        RawReference {
            name: Some(r.name.clone()),
            subject: Some(r.subject.clone()),
            version: Some(r.version),
        }
    }
}

impl RawReference {
    /// The reference, when complete.
    pub fn complete(&self) -> Option<SchemaReference> {
        Some(SchemaReference {
            name: self.name.clone()?,
            subject: self.subject.clone()?,
            version: self.version?,
        })
    }
}

/// The body of register, lookup and compatibility requests.
#[derive(Debug, Clone, Default)]
pub struct RegisterSchemaRequest {
    /// `schema`.
    pub schema: Option<String>,
    /// `schemaType` as sent.
    pub schema_type: Option<String>,
    /// `references`; `None` elements are JSON nulls.
    pub references: Vec<Option<RawReference>>,
    /// `metadata`.
    pub metadata: Option<Metadata>,
    /// `ruleSet`.
    pub rule_set: Option<RuleSet>,
    /// `id` (IMPORT mode).
    pub id: Option<i32>,
    /// `version`.
    pub version: Option<i32>,
}

impl RegisterSchemaRequest {
    /// Reads the request from a parsed body.
    pub fn from_json(value: &Value) -> Result<Self, ApiError> {
        let map =
            match value {
                Value::Array(_) => return Err(ApiError::bad_request(
                    "Cannot deserialize value of type `RegisterSchemaRequest` from Array value \
                     (token `JsonToken.START_ARRAY`)",
                )),
                other => object(other, "RegisterSchemaRequest")?,
            };
        let references = match map.get("references") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::Null => Ok(None),
                    other => {
                        let r = object(other, "SchemaReference")?;
                        Ok(Some(RawReference {
                            name: string_field(r.get("name"))?,
                            subject: string_field(r.get("subject"))?,
                            version: int_field(r.get("version"))?,
                        }))
                    }
                })
                .collect::<Result<_, ApiError>>()?,
            Some(other) => return Err(cannot("SchemaReference>", other)),
        };
        Ok(RegisterSchemaRequest {
            schema: string_field(map.get("schema"))?,
            schema_type: string_field(map.get("schemaType"))?,
            references,
            metadata: metadata_field(map.get("metadata"))?,
            rule_set: rule_set_field(map.get("ruleSet"))?,
            id: int_field(map.get("id"))?,
            version: int_field(map.get("version"))?,
        })
    }
}

/// Confluent's `toString` of a reference list, as its error messages print it.
pub fn references_to_string(references: &[Option<RawReference>]) -> String {
    let items: Vec<String> = references
        .iter()
        .map(|r| match r {
            None => "null".to_owned(),
            Some(r) => format!(
                "{{name='{}', subject='{}', version={}}}",
                r.name.as_deref().unwrap_or("null"),
                r.subject.as_deref().unwrap_or("null"),
                r.version.map_or("null".to_owned(), |v| v.to_string())
            ),
        })
        .collect();
    format!("[{}]", items.join(", "))
}

/// Confluent's `toString` of metadata.
pub fn metadata_to_string(metadata: Option<&Metadata>) -> String {
    match metadata {
        None => "null".to_owned(),
        Some(m) => {
            let tags: Vec<String> = m
                .tags
                .iter()
                .map(|(k, v)| format!("{k}=[{}]", v.iter().cloned().collect::<Vec<_>>().join(", ")))
                .collect();
            let props: Vec<String> = m
                .properties
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            format!(
                "Metadata{{tags={{{}}}, properties={{{}}}, sensitive=[{}]}}",
                tags.join(", "),
                props.join(", "),
                m.sensitive.iter().cloned().collect::<Vec<_>>().join(", ")
            )
        }
    }
}
