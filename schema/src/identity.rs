//! Schema identity: metadata, rule sets, and the fingerprint that decides whether two
//! registrations are the same schema (and so share one id).

use std::collections::{BTreeMap, BTreeSet};

use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};

use crate::SchemaReference;

/// Schema metadata: tags per path, free properties and the names of sensitive properties.
///
/// Maps and sets are ordered, as Confluent returns them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Metadata {
    /// Tags by schema path.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, BTreeSet<String>>,
    /// Free-form properties.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, String>,
    /// Names of properties whose values are sensitive.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub sensitive: BTreeSet<String>,
}

impl Metadata {
    /// Whether there is nothing in it (Confluent omits such metadata).
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty() && self.properties.is_empty() && self.sensitive.is_empty()
    }
}

/// A data-contract rule set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleSet {
    /// Rules that migrate data between versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub migration_rules: Vec<Rule>,
    /// Rules that check or transform data of one version.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub domain_rules: Vec<Rule>,
    /// Rules applied to the encoded bytes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub encoding_rules: Vec<Rule>,
    /// When the rules take effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_at: Option<String>,
}

/// One rule of a [`RuleSet`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    /// Unique name within the rule set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// `TRANSFORM` or `CONDITION`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `UPGRADE`, `DOWNGRADE`, `UPDOWN`, `WRITE`, `READ` or `WRITEREAD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// The rule executor, e.g. `CEL`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub rule_type: Option<String>,
    /// Tags the rule applies to.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub tags: BTreeSet<String>,
    /// Executor parameters.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
    /// The rule body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expr: Option<String>,
    /// Action on success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_success: Option<String>,
    /// Action on failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_failure: Option<String>,
    /// Whether the rule is switched off.
    #[serde(default)]
    pub disabled: bool,
}

/// The 16-byte identity of a registered schema.
///
/// MD5 over the stored schema text, each reference's name, subject and big-endian version, then
/// the metadata and the rule set when present (Confluent's `MD5.ofSchema`). The schema type is
/// deliberately not part of it, as in Confluent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint(pub [u8; 16]);

impl Fingerprint {
    /// Computes the fingerprint of a schema as it will be stored.
    pub fn compute(
        schema: &str,
        references: &[SchemaReference],
        metadata: Option<&Metadata>,
        rule_set: Option<&RuleSet>,
    ) -> Fingerprint {
        let mut md = Md5::new();
        md.update(schema.as_bytes());
        for reference in references {
            md.update(reference.name.as_bytes());
            md.update(reference.subject.as_bytes());
            md.update(reference.version.to_be_bytes());
        }
        if let Some(metadata) = metadata {
            md.update([1u8]);
            for (path, tags) in &metadata.tags {
                md.update(path.as_bytes());
                for tag in tags {
                    md.update(tag.as_bytes());
                }
            }
            for (key, value) in &metadata.properties {
                md.update(key.as_bytes());
                md.update(value.as_bytes());
            }
            for key in &metadata.sensitive {
                md.update(key.as_bytes());
            }
        }
        if let Some(rule_set) = rule_set {
            md.update([1u8]);
            let rules = rule_set
                .migration_rules
                .iter()
                .chain(&rule_set.domain_rules)
                .chain(&rule_set.encoding_rules);
            for rule in rules {
                hash_rule(&mut md, rule);
            }
            if let Some(enable_at) = &rule_set.enable_at {
                md.update(enable_at.as_bytes());
            }
        }
        Fingerprint(md.finalize().into())
    }

    /// The fingerprint as Confluent's schema GUID: a UUID string `8-4-4-4-12`.
    pub fn guid(&self) -> String {
        let hex: String = self.0.iter().map(|b| format!("{b:02x}")).collect();
        format!(
            "{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        )
    }

    /// Lower-case hex, for storage.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

fn hash_rule(md: &mut Md5, rule: &Rule) {
    let named = [
        &rule.name,
        &rule.doc,
        &rule.kind,
        &rule.mode,
        &rule.rule_type,
    ];
    for value in named.into_iter().flatten() {
        md.update(value.as_bytes());
    }
    for tag in &rule.tags {
        md.update(tag.as_bytes());
    }
    for (key, value) in &rule.params {
        md.update(key.as_bytes());
        md.update(value.as_bytes());
    }
    for value in [&rule.expr, &rule.on_success, &rule.on_failure]
        .into_iter()
        .flatten()
    {
        md.update(value.as_bytes());
    }
    if rule.disabled {
        md.update([1u8]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_text_alone_is_plain_md5() {
        // md5 of the bytes `"string"`, computed independently with `printf '"string"' | md5sum`.
        let fp = Fingerprint::compute("\"string\"", &[], None, None);
        assert_eq!(fp.to_hex(), "095d71cf12556b9d5e330ad575b3df5d");
    }

    #[test]
    fn references_metadata_and_rules_change_the_fingerprint() {
        let base = Fingerprint::compute("\"int\"", &[], None, None);
        let reference = SchemaReference {
            name: "a".into(),
            subject: "b".into(),
            version: 1,
        };
        let with_ref =
            Fingerprint::compute("\"int\"", std::slice::from_ref(&reference), None, None);
        let mut metadata = Metadata::default();
        metadata.properties.insert("owner".into(), "team".into());
        let with_meta = Fingerprint::compute("\"int\"", &[], Some(&metadata), None);
        let with_rules = Fingerprint::compute("\"int\"", &[], None, Some(&RuleSet::default()));
        let all = [base, with_ref, with_meta, with_rules];
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }

    #[test]
    fn guid_is_uuid_shaped() {
        let guid = Fingerprint([0xab; 16]).guid();
        assert_eq!(guid, "abababab-abab-abab-abab-abababababab");
    }
}
