//! Avro schemas, read, written and compared as Confluent Schema Registry 7.9 does with Avro Java
//! 1.11:
//!
//! * parsing and validation follow `Schema.Parser` (names checked, defaults checked for new
//!   schemas only, the same exception texts);
//! * the canonical text is `Schema.toString(referencedSchemas, false)`;
//! * the normalized text is Confluent's `AvroSchema.normalize().canonicalString()`;
//! * compatibility is `SchemaCompatibility.checkReaderWriterCompatibility` with Confluent's
//!   message format.
//!
//! References are resolved as Confluent does: each dependency's text is parsed first into the
//! same parser, so the schema refers to its named types by full name, and the canonical text
//! writes those types by name only.

mod compat;
mod json;
mod print;
mod schema;
#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::parse::Parsed;
use crate::{Dependency, Direction, ParseOptions, SchemaError, SchemaReference, SchemaType};

use schema::{Arena, Id, Kind, Parser};

/// A parsed Avro schema.
#[derive(Debug)]
pub struct AvroModel {
    arena: Arena,
    root: Id,
    full_name: Option<String>,
    /// Built on first use (most uses, compatibility checks among them, never look at it), and
    /// boxed: the `apache_avro` schema is large.
    resolved: OnceLock<Box<Result<apache_avro::Schema, String>>>,
    normalization_error: Option<String>,
}

impl AvroModel {
    /// The schema as an `apache_avro` schema, with every referenced named type inlined, for
    /// encoding and decoding data.
    ///
    /// Avro Java accepts a few schemas the Rust library refuses (for instance some defaults that
    /// do not match their field's type in stored schemas); for those this returns the Rust
    /// library's reason. The schema itself stays valid and comparable.
    pub fn schema(&self) -> Result<&apache_avro::Schema, &str> {
        self.resolved
            .get_or_init(|| Box::new(to_apache(&self.arena, self.root)))
            .as_ref()
            .as_ref()
            .map_err(String::as_str)
    }

    /// Why Confluent would refuse to normalize this schema (registering it with
    /// `normalize=true` fails with this text), or `None` when it normalizes. The engine's
    /// normalized text is then the canonical one.
    pub fn normalization_error(&self) -> Option<&str> {
        self.normalization_error.as_deref()
    }

    /// The full name of the top-level record, as Confluent's `AvroSchema.name()` gives it (and
    /// `RecordNameStrategy` uses it); `None` when the top level is not a record.
    pub fn full_name(&self) -> Option<&str> {
        self.full_name.as_deref()
    }
}

/// Parses `text` after its dependencies, into one Java-style parser.
fn parse_with_dependencies(
    text: &str,
    dependencies: &[Dependency],
    validate_defaults: bool,
) -> Result<(Parser, Id, Vec<Id>), String> {
    let mut parser = Parser::new(validate_defaults);
    let mut referenced = Vec::new();
    // Confluent keys resolved references by reference name, the first one resolved winning.
    let mut seen: HashSet<&str> = HashSet::new();
    for dependency in dependencies {
        if dependency.schema_type == SchemaType::Avro && seen.insert(&dependency.reference.name) {
            referenced.push(parser.parse_text(&dependency.schema)?);
        }
    }
    let root = parser.parse_text(text)?;
    Ok((parser, root, referenced))
}

/// The message for a new schema with an invalid default. Confluent's server validates defaults
/// only on the way to normalizing, after converting the defaults: when that conversion already
/// fails (an array or map default holding values of the wrong type), its exception is what the
/// client sees.
fn default_error(text: &str, dependencies: &[Dependency], message: String) -> String {
    if !message.starts_with("Invalid default for field ") {
        return message;
    }
    let Ok((parser, root, referenced)) = parse_with_dependencies(text, dependencies, false) else {
        return message;
    };
    let names = referenced_names(&parser.arena, &referenced);
    match print::normalized_text(&parser.arena, root, &names) {
        Err(conversion) => conversion,
        Ok(_) => message,
    }
}

/// The full names of the named referenced schemas: these are written by name.
fn referenced_names(arena: &Arena, referenced: &[Id]) -> Vec<String> {
    referenced
        .iter()
        .filter_map(|&id| arena.node(id).named().map(|n| n.name.full()))
        .collect()
}

pub(crate) fn parse(
    text: &str,
    _references: &[SchemaReference],
    dependencies: &[Dependency],
    options: &ParseOptions,
) -> Result<Parsed<AvroModel>, SchemaError> {
    let invalid = |message: String| SchemaError::invalid(SchemaType::Avro, message);
    let validate_defaults = options.new_schema;
    let (parser, root, referenced) =
        match parse_with_dependencies(text, dependencies, validate_defaults) {
            Ok(parsed) => parsed,
            Err(message) => return Err(invalid(default_error(text, dependencies, message))),
        };
    let arena = parser.arena;
    let names = referenced_names(&arena, &referenced);
    let known: HashSet<String> = names.iter().cloned().collect();
    let canonical = print::canonical(&arena, root, &known).map_err(invalid)?;
    // Confluent normalizes on demand and reports a failure only when asked to normalize; the
    // engine computes both texts up front, so a schema that cannot be normalized keeps its
    // canonical text as its normalized one rather than being rejected, and the reason is kept.
    let (normalized, normalization_error) =
        match normalize(&arena, root, &names, dependencies, validate_defaults) {
            Ok(normalized) => (normalized, None),
            Err(e) => (canonical.clone(), Some(e)),
        };
    let full_name = match &arena.node(root).kind {
        Kind::Record { named, .. } => Some(named.name.full()),
        _ => None,
    };
    Ok(Parsed {
        canonical,
        normalized,
        model: AvroModel {
            arena,
            root,
            full_name,
            resolved: OnceLock::new(),
            normalization_error,
        },
    })
}

/// The schema as `apache_avro` reads it, from the text with every named type inlined.
///
/// `apache_avro` panics on some names it does not accept (Java accepts any Unicode letter), so
/// those are turned away first, and a panic is still caught should another input trigger one.
fn to_apache(arena: &Arena, root: Id) -> Result<apache_avro::Schema, String> {
    if let Some(name) = name_rejected_by_apache(arena, root) {
        return Err(format!("apache-avro does not accept the name {name:?}"));
    }
    let text = print::to_plain_string(arena, root)?;
    match std::panic::catch_unwind(|| apache_avro::Schema::parse_str(&text)) {
        Ok(result) => result.map_err(|e| e.to_string()),
        Err(_) => Err("apache-avro failed on this schema".to_owned()),
    }
}

/// The first name, namespace or alias reachable from `root` outside apache-avro's ASCII rules.
fn name_rejected_by_apache(arena: &Arena, root: Id) -> Option<String> {
    fn simple(name: &str) -> bool {
        let mut chars = name.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    }
    let mut seen = vec![false; arena.nodes.len()];
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        if std::mem::replace(&mut seen[id], true) {
            continue;
        }
        let node = arena.node(id);
        if let Some(named) = node.named() {
            let names = std::iter::once(&named.name).chain(&named.aliases);
            for name in names {
                let space_ok = name
                    .space
                    .as_deref()
                    .is_none_or(|s| s.split('.').all(simple));
                if !simple(&name.name) || !space_ok {
                    return Some(name.full());
                }
            }
        }
        match &node.kind {
            Kind::Record { fields, .. } => {
                stack.extend(fields.iter().flatten().map(|f| f.schema));
            }
            Kind::Array(inner) | Kind::Map(inner) => stack.push(*inner),
            Kind::Union(types) => stack.extend(types.iter().copied()),
            _ => {}
        }
    }
    None
}

/// `normalize().canonicalString()`: the normalized text is parsed again (after the
/// dependencies) and printed canonically.
fn normalize(
    arena: &Arena,
    root: Id,
    names: &[String],
    dependencies: &[Dependency],
    validate_defaults: bool,
) -> Result<String, String> {
    let text = print::normalized_text(arena, root, names)?;
    let (parser, root, referenced) =
        parse_with_dependencies(&text, dependencies, validate_defaults)?;
    let known: HashSet<String> = referenced_names(&parser.arena, &referenced)
        .into_iter()
        .collect();
    print::canonical(&parser.arena, root, &known)
}

pub(crate) fn compatibility_errors(
    new: &AvroModel,
    old: &AvroModel,
    direction: Direction,
) -> Vec<String> {
    let new_side = compat::Side {
        arena: &new.arena,
        root: new.root,
    };
    let old_side = compat::Side {
        arena: &old.arena,
        root: old.root,
    };
    match direction {
        Direction::Backward => compat::messages(new_side, old_side, ("new", "old")),
        Direction::Forward => compat::messages(old_side, new_side, ("old", "new")),
    }
}
