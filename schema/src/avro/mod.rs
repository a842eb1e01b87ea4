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

use crate::parse::Parsed;
use crate::{Dependency, Direction, ParseOptions, SchemaError, SchemaReference, SchemaType};

use schema::{Arena, Id, Kind, Parser};

/// A parsed Avro schema.
#[derive(Debug)]
pub struct AvroModel {
    arena: Arena,
    root: Id,
    full_name: Option<String>,
    resolved: Result<apache_avro::Schema, String>,
}

impl AvroModel {
    /// The schema as an `apache_avro` schema, with every referenced named type inlined, for
    /// encoding and decoding data.
    ///
    /// Avro Java accepts a few schemas the Rust library refuses (for instance some defaults that
    /// do not match their field's type in stored schemas); for those this returns the Rust
    /// library's reason. The schema itself stays valid and comparable.
    pub fn schema(&self) -> Result<&apache_avro::Schema, &str> {
        self.resolved.as_ref().map_err(String::as_str)
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
    for dependency in dependencies {
        if dependency.schema_type == SchemaType::Avro {
            referenced.push(parser.parse_text(&dependency.schema)?);
        }
    }
    let root = parser.parse_text(text)?;
    Ok((parser, root, referenced))
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
        parse_with_dependencies(text, dependencies, validate_defaults).map_err(invalid)?;
    let arena = parser.arena;
    let names = referenced_names(&arena, &referenced);
    let known: HashSet<String> = names.iter().cloned().collect();
    let canonical = print::canonical(&arena, root, &known).map_err(invalid)?;
    // Confluent normalizes on demand and reports a failure only when asked to normalize; the
    // engine computes both texts up front, so a schema that cannot be normalized keeps its
    // canonical text as its normalized one rather than being rejected.
    let normalized = normalize(&arena, root, &names, dependencies, validate_defaults)
        .unwrap_or_else(|_| canonical.clone());
    let full_name = match &arena.node(root).kind {
        Kind::Record { named, .. } => Some(named.name.full()),
        _ => None,
    };
    let resolved =
        apache_avro::Schema::parse_str(&print::to_string(&arena, root)).map_err(|e| e.to_string());
    Ok(Parsed {
        canonical,
        normalized,
        model: AvroModel {
            arena,
            root,
            full_name,
            resolved,
        },
    })
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
