//! The entry point: resolve references, enforce limits, hand the text to its format.

use std::collections::HashSet;

use crate::limits::nesting_depth;
use crate::{
    avro, json, protobuf, LimitExceeded, Limits, ReferenceResolver, SchemaError, SchemaReference,
    SchemaType,
};

/// How a schema is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseOptions {
    /// `true` for a schema about to be registered: strict name validation and default-value
    /// validation (Confluent's `validate(false)` on new schemas). `false` for a schema already
    /// stored, which is loaded as leniently as Confluent loads its stored schemas.
    pub new_schema: bool,
    /// Bounds against hostile input.
    pub limits: Limits,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            new_schema: true,
            limits: Limits::default(),
        }
    }
}

impl ParseOptions {
    /// Options for a schema that is already stored (lenient validation).
    pub fn stored() -> Self {
        ParseOptions {
            new_schema: false,
            ..ParseOptions::default()
        }
    }
}

/// A schema reachable through references, with the text its resolver returned.
///
/// The engine hands every format the whole transitive closure, dependencies before the schemas
/// that use them, each `(name, subject, version)` once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    /// The reference as the referring schema wrote it (`name` is the import path, `$ref` URL or
    /// Avro full name by which the referrer knows it).
    pub reference: SchemaReference,
    /// The format of the referenced schema.
    pub schema_type: SchemaType,
    /// Its text.
    pub schema: String,
    /// Its own references.
    pub references: Vec<SchemaReference>,
}

/// A valid schema: its canonical and normalized texts and the format's model.
#[derive(Debug)]
pub struct ParsedSchema {
    pub(crate) schema_type: SchemaType,
    pub(crate) canonical: String,
    pub(crate) normalized: String,
    pub(crate) references: Vec<SchemaReference>,
    pub(crate) dependencies: Vec<Dependency>,
    pub(crate) model: SchemaModel,
}

/// The format-specific model of a parsed schema.
#[derive(Debug)]
pub enum SchemaModel {
    /// An Avro schema.
    Avro(avro::AvroModel),
    /// A JSON Schema.
    Json(json::JsonModel),
    /// A Protobuf file.
    Protobuf(protobuf::ProtobufModel),
}

/// What a format's parser returns.
#[derive(Debug)]
pub(crate) struct Parsed<M> {
    pub canonical: String,
    pub normalized: String,
    pub model: M,
}

impl ParsedSchema {
    /// The format.
    pub fn schema_type(&self) -> SchemaType {
        self.schema_type
    }

    /// The text Confluent stores and returns for a normal registration.
    pub fn canonical(&self) -> &str {
        &self.canonical
    }

    /// The text stored when registering with `normalize=true`.
    pub fn normalized(&self) -> &str {
        &self.normalized
    }

    /// The canonical or the normalized text.
    pub fn text(&self, normalize: bool) -> &str {
        if normalize {
            &self.normalized
        } else {
            &self.canonical
        }
    }

    /// The direct references, as given to [`parse`].
    pub fn references(&self) -> &[SchemaReference] {
        &self.references
    }

    /// Every schema reachable through references, dependencies first.
    pub fn dependencies(&self) -> &[Dependency] {
        &self.dependencies
    }

    /// The format's model.
    pub fn model(&self) -> &SchemaModel {
        &self.model
    }
}

/// Parses and validates a schema of `schema_type`, resolving its references through `resolver`.
///
/// Returns the canonical and normalized texts and the model, or the reason the schema is
/// invalid. Nothing here performs I/O except what `resolver` does.
pub fn parse(
    schema_type: SchemaType,
    text: &str,
    references: &[SchemaReference],
    resolver: &dyn ReferenceResolver,
    options: &ParseOptions,
) -> Result<ParsedSchema, SchemaError> {
    check_text(schema_type, text, &options.limits)?;
    let dependencies = collect_dependencies(references, resolver, &options.limits)?;
    let (canonical, normalized, model) = match schema_type {
        SchemaType::Avro => {
            let p = avro::parse(text, references, &dependencies, options)?;
            (p.canonical, p.normalized, SchemaModel::Avro(p.model))
        }
        SchemaType::Json => {
            let p = json::parse(text, references, &dependencies, options)?;
            (p.canonical, p.normalized, SchemaModel::Json(p.model))
        }
        SchemaType::Protobuf => {
            let p = protobuf::parse(text, references, &dependencies, options)?;
            (p.canonical, p.normalized, SchemaModel::Protobuf(p.model))
        }
    };
    Ok(ParsedSchema {
        schema_type,
        canonical,
        normalized,
        references: references.to_vec(),
        dependencies,
        model,
    })
}

fn check_text(schema_type: SchemaType, text: &str, limits: &Limits) -> Result<(), SchemaError> {
    if text.len() > limits.max_schema_bytes {
        return Err(SchemaError::LimitExceeded(LimitExceeded::SchemaTooLarge {
            size: text.len(),
            max: limits.max_schema_bytes,
        }));
    }
    if nesting_depth(text, schema_type == SchemaType::Protobuf) > limits.max_depth {
        return Err(SchemaError::LimitExceeded(LimitExceeded::TooDeep {
            max: limits.max_depth,
        }));
    }
    Ok(())
}

/// Resolves the transitive closure of `references`, depth first, dependencies before dependents.
fn collect_dependencies(
    references: &[SchemaReference],
    resolver: &dyn ReferenceResolver,
    limits: &Limits,
) -> Result<Vec<Dependency>, SchemaError> {
    struct Walk<'a> {
        resolver: &'a dyn ReferenceResolver,
        limits: &'a Limits,
        done: HashSet<SchemaReference>,
        on_path: Vec<(String, i32)>,
        out: Vec<Dependency>,
        resolved: usize,
    }

    impl Walk<'_> {
        fn visit(&mut self, reference: &SchemaReference) -> Result<(), SchemaError> {
            if self.done.contains(reference) {
                return Ok(());
            }
            let key = (reference.subject.clone(), reference.version);
            if self.on_path.contains(&key) {
                return Err(SchemaError::CircularReference {
                    subject: reference.subject.clone(),
                    version: reference.version,
                });
            }
            self.resolved += 1;
            if self.resolved > self.limits.max_references
                || self.on_path.len() >= self.limits.max_depth
            {
                return Err(SchemaError::LimitExceeded(
                    LimitExceeded::TooManyReferences {
                        max: self.limits.max_references,
                    },
                ));
            }
            let resolved = self.resolver.resolve(reference)?;
            check_text(resolved.schema_type, &resolved.schema, self.limits)?;
            self.on_path.push(key);
            for inner in &resolved.references {
                self.visit(inner)?;
            }
            self.on_path.pop();
            self.done.insert(reference.clone());
            self.out.push(Dependency {
                reference: reference.clone(),
                schema_type: resolved.schema_type,
                schema: resolved.schema,
                references: resolved.references,
            });
            Ok(())
        }
    }

    let mut walk = Walk {
        resolver,
        limits,
        done: HashSet::new(),
        on_path: Vec::new(),
        out: Vec::new(),
        resolved: 0,
    };
    for reference in references {
        walk.visit(reference)?;
    }
    Ok(walk.out)
}
