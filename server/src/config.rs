//! Compatibility configuration and modes, as stored per scope.

use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use strata_schema::{CompatibilityLevel, Metadata, RuleSet};

use crate::error::ApiError;
use crate::model::{bool_field, metadata_field, object, rule_set_field, string_field};

/// The configuration of one scope (global, context or subject); every field optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigRecord {
    /// Compatibility level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compatibility: Option<CompatibilityLevel>,
    /// Normalize schemas on register, lookup and compatibility checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normalize: Option<bool>,
    /// Another subject this one stands for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// Reserved-field validation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validate_fields: Option<bool>,
    /// Metadata property that splits the history into compatibility groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compatibility_group: Option<String>,
    /// Metadata merged under a registered schema's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_metadata: Option<Metadata>,
    /// Metadata merged over a registered schema's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_metadata: Option<Metadata>,
    /// Rule set merged under a registered schema's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_rule_set: Option<RuleSet>,
    /// Rule set merged over a registered schema's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_rule_set: Option<RuleSet>,
}

/// A parsed `PUT /config` body: the update and its echo.
#[derive(Debug, Clone)]
pub struct ConfigUpdate {
    /// The fields to set.
    pub update: ConfigRecord,
    /// The response body: the request's fields as Confluent echoes them.
    pub echo: Value,
}

impl ConfigRecord {
    /// Reads a `PUT /config` body.
    pub fn parse_update(body: &Value) -> Result<ConfigUpdate, ApiError> {
        let map = match body {
            Value::Array(_) => {
                return Err(ApiError::bad_request(
                    "Cannot deserialize value of type `ConfigUpdateRequest` from Array value \
                     (token `JsonToken.START_ARRAY`)",
                ))
            }
            other => object(other, "ConfigUpdateRequest")?,
        };
        let mut echo = Map::new();
        let compatibility = match string_field(map.get("compatibility"))? {
            None => None,
            Some(text) => {
                let level = CompatibilityLevel::from_str(&text)
                    .map_err(|_| ApiError::invalid_compatibility_level())?;
                if text.trim().is_empty() {
                    return Err(ApiError::invalid_compatibility_level());
                }
                echo.insert("compatibility".into(), Value::String(text));
                Some(level)
            }
        };
        let normalize = bool_field(map.get("normalize"))?;
        let validate_fields = bool_field(map.get("validateFields"))?;
        let alias = string_field(map.get("alias"))?;
        let compatibility_group = string_field(map.get("compatibilityGroup"))?;
        let update = ConfigRecord {
            compatibility,
            normalize,
            alias,
            validate_fields,
            compatibility_group,
            default_metadata: metadata_field(map.get("defaultMetadata"))?,
            override_metadata: metadata_field(map.get("overrideMetadata"))?,
            default_rule_set: rule_set_field(map.get("defaultRuleSet"))?,
            override_rule_set: rule_set_field(map.get("overrideRuleSet"))?,
        };
        if let Value::Object(rest) = serde_json::to_value(ConfigRecord {
            compatibility: None,
            ..update.clone()
        })
        .unwrap_or(Value::Null)
        {
            echo.extend(rest);
        }
        Ok(ConfigUpdate {
            update,
            echo: Value::Object(echo),
        })
    }

    /// This record with the fields set in `update` replaced.
    pub fn merged(&self, update: &ConfigRecord) -> ConfigRecord {
        ConfigRecord {
            compatibility: update.compatibility.or(self.compatibility),
            normalize: update.normalize.or(self.normalize),
            alias: update.alias.clone().or_else(|| self.alias.clone()),
            validate_fields: update.validate_fields.or(self.validate_fields),
            compatibility_group: update
                .compatibility_group
                .clone()
                .or_else(|| self.compatibility_group.clone()),
            default_metadata: update
                .default_metadata
                .clone()
                .or_else(|| self.default_metadata.clone()),
            override_metadata: update
                .override_metadata
                .clone()
                .or_else(|| self.override_metadata.clone()),
            default_rule_set: update
                .default_rule_set
                .clone()
                .or_else(|| self.default_rule_set.clone()),
            override_rule_set: update
                .override_rule_set
                .clone()
                .or_else(|| self.override_rule_set.clone()),
        }
    }

    /// Whether a registration's metadata or rule set may be filled in from this config.
    pub fn has_defaults_or_overrides(&self) -> bool {
        self.default_metadata.is_some()
            || self.override_metadata.is_some()
            || self.default_rule_set.is_some()
            || self.override_rule_set.is_some()
    }

    /// The `GET /config` body: `compatibilityLevel` (the default when unset) and the rest.
    pub fn to_get_json(&self, default_level: CompatibilityLevel) -> Value {
        let mut map = match serde_json::to_value(ConfigRecord {
            compatibility: None,
            ..self.clone()
        }) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        map.insert(
            "compatibilityLevel".into(),
            Value::String(
                self.compatibility
                    .unwrap_or(default_level)
                    .as_str()
                    .to_owned(),
            ),
        );
        Value::Object(map)
    }
}

/// A registry mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Normal operation.
    ReadWrite,
    /// Reads only.
    ReadOnly,
    /// Reads only, overriding every subject-level mode.
    ReadOnlyOverride,
    /// Registrations carry their ids (migration from another registry).
    Import,
}

impl Mode {
    /// The REST name.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::ReadWrite => "READWRITE",
            Mode::ReadOnly => "READONLY",
            Mode::ReadOnlyOverride => "READONLY_OVERRIDE",
            Mode::Import => "IMPORT",
        }
    }

    /// Parses a mode name case-insensitively.
    pub fn parse(text: &str) -> Option<Mode> {
        match text.trim().to_ascii_uppercase().as_str() {
            "READWRITE" => Some(Mode::ReadWrite),
            "READONLY" => Some(Mode::ReadOnly),
            "READONLY_OVERRIDE" => Some(Mode::ReadOnlyOverride),
            "IMPORT" => Some(Mode::Import),
            _ => None,
        }
    }

    /// Whether writes are refused.
    pub fn is_read_only(self) -> bool {
        matches!(self, Mode::ReadOnly | Mode::ReadOnlyOverride)
    }
}
