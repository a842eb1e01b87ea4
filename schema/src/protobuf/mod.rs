//! Protobuf schemas, handled as Confluent Schema Registry 7.9 handles them.
//!
//! Confluent validates, prints and compares the parsed `.proto` text (Square Wire's element
//! tree), not the compiled descriptor: it accepts unknown options, duplicate field numbers and
//! unused unresolvable imports, keeps type names as written in the canonical text, and only
//! requires every type name to resolve (against the schema, all its referenced schemas and the
//! bundled files). This module does the same, then also compiles the schema into a
//! [`prost_reflect::DescriptorPool`] for the serializers.
//!
//! - [`parser`]: the `.proto` grammar with Wire's error messages.
//! - [`printer`]: canonical and normalized texts.
//! - [`diff`]: compatibility (`SchemaDiff`).
//! - [`descriptor`]: to and from `FileDescriptorProto` (base64 descriptors are accepted input).
//! - [`bundled`]: the files schemas may import without registering them.

mod ast;
mod bundled;
mod descriptor;
mod diff;
mod parser;
mod printer;
mod types;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use prost::Message as _;
use prost_reflect::{DescriptorPool, MessageDescriptor};
use prost_types::FileDescriptorProto;

use crate::parse::Parsed;
use crate::{Dependency, Direction, ParseOptions, SchemaError, SchemaReference, SchemaType};

use ast::{ProtoFile, TypeElement};
use bundled::{bundled, type_files};
use descriptor::{file_from_descriptor, Compiler};
use printer::Format;
use types::{Origin, Types};

/// A parsed Protobuf schema.
#[derive(Debug)]
pub struct ProtobufModel {
    file: ProtoFile,
    dependencies: Vec<DependencyFile>,
    file_name: String,
    descriptor: FileDescriptorProto,
    pool: DescriptorPool,
    descriptor_error: Option<String>,
}

/// A referenced schema, parsed.
#[derive(Debug)]
struct DependencyFile {
    name: String,
    file: ProtoFile,
    origin: Origin,
}

/// The name the schema's own file gets in its descriptor pool.
const MAIN_FILE_NAME: &str = "schema.proto";

fn invalid(message: impl Into<String>) -> SchemaError {
    SchemaError::invalid(SchemaType::Protobuf, message)
}

/// Parses `.proto` text or, failing that, a base64 `FileDescriptorProto`, as Confluent does;
/// the error is the text parser's.
fn parse_text(text: &str) -> Result<(ProtoFile, Option<String>), SchemaError> {
    match parser::parse(text) {
        Ok(file) => Ok((file, None)),
        Err(message) => {
            let descriptor = STANDARD
                .decode(text.trim())
                .ok()
                .and_then(|bytes| FileDescriptorProto::decode(bytes.as_slice()).ok());
            match descriptor {
                Some(fd) => Ok((file_from_descriptor(&fd), fd.name.clone())),
                None => Err(invalid(format!("Could not parse Protobuf - {message}"))),
            }
        }
    }
}

fn zero_field_number(types: &[TypeElement]) -> Option<(String, String)> {
    for t in types {
        if let TypeElement::Message(m) = t {
            let fields = m
                .fields
                .iter()
                .chain(m.oneofs.iter().flat_map(|o| o.fields.iter()));
            for f in fields {
                if f.tag == 0 {
                    return Some((m.name.clone(), f.name.clone()));
                }
            }
            if let Some(found) = zero_field_number(&m.nested) {
                return Some(found);
            }
        }
    }
    None
}

impl ProtobufModel {
    /// Every file the schema can see, with where it comes from: dependencies, then the bundled
    /// files (which a registered dependency of the same name replaces).
    fn visible_files(&self) -> Vec<(&str, &ProtoFile, Origin)> {
        let mut files: Vec<(&str, &ProtoFile, Origin)> = Vec::new();
        for (name, file) in &bundled().files {
            if !self.dependencies.iter().any(|d| d.name == *name) {
                files.push((name, file, None));
            }
        }
        for d in &self.dependencies {
            files.push((&d.name, &d.file, d.origin.clone()));
        }
        files
    }

    fn types(&self) -> Types<'_> {
        let files: Vec<(&ProtoFile, Origin)> = self
            .visible_files()
            .into_iter()
            .map(|(_, f, o)| (f, o))
            .collect();
        Types::collect(&self.file, &files)
    }

    /// The schema's binary `FileDescriptorProto`, base64-encoded: what
    /// `GET /schemas/ids/{id}?format=serialized` returns and Python's deserializer parses.
    pub fn serialized(&self) -> String {
        STANDARD.encode(self.descriptor.encode_to_vec())
    }

    /// The compiled descriptor of the schema itself.
    pub fn file_descriptor_proto(&self) -> &FileDescriptorProto {
        &self.descriptor
    }

    /// A pool holding the schema's file (named [`ProtobufModel::file_name`]), its references and
    /// the bundled files, for building and reading messages.
    ///
    /// Confluent accepts a few schemas no protobuf compiler does (duplicate field numbers, for
    /// example); for those the pool lacks the schema's file and
    /// [`ProtobufModel::descriptor_error`] says why.
    pub fn descriptor_pool(&self) -> &DescriptorPool {
        &self.pool
    }

    /// The name of the schema's own file in [`ProtobufModel::descriptor_pool`].
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// Why the schema could not be compiled into the pool, when it could not.
    pub fn descriptor_error(&self) -> Option<&str> {
        self.descriptor_error.as_deref()
    }

    /// The full name of the first message, the one serializers use by default (index `[0]`).
    pub fn first_message(&self) -> Option<String> {
        self.message_by_index_path(&[])
            .map(|m| m.full_name().to_owned())
    }

    /// The message-index path of a message (Confluent wire format): the index among the file's
    /// top-level messages, then among each enclosing message's nested messages.
    pub fn message_index_path(&self, full_name: &str) -> Option<Vec<i32>> {
        let name = full_name.strip_prefix('.').unwrap_or(full_name);
        let message = self.pool.get_message_by_name(name)?;
        if message.parent_file().name() != self.file_name {
            return None;
        }
        let mut path = Vec::new();
        let mut current = message;
        loop {
            let siblings: Vec<MessageDescriptor> = match current.parent_message() {
                Some(parent) => parent.child_messages().collect(),
                None => current.parent_file().messages().collect(),
            };
            let index = siblings
                .iter()
                .position(|m| m.full_name() == current.full_name())?;
            path.push(i32::try_from(index).ok()?);
            match current.parent_message() {
                Some(parent) => current = parent,
                None => break,
            }
        }
        path.reverse();
        Some(path)
    }

    /// The message at a message-index path; an empty path means `[0]`, the first message.
    pub fn message_by_index_path(&self, path: &[i32]) -> Option<MessageDescriptor> {
        let file = self.pool.get_file_by_name(&self.file_name)?;
        let (first, rest) = match path.split_first() {
            Some((first, rest)) => (*first, rest),
            None => (0, &[][..]),
        };
        let mut message = file.messages().nth(usize::try_from(first).ok()?)?;
        for index in rest {
            let child = message
                .child_messages()
                .nth(usize::try_from(*index).ok()?)?;
            message = child;
        }
        Some(message)
    }

    /// The canonical text without custom options (other than Confluent's) and extensions:
    /// Confluent's `format=ignore_extensions`.
    pub fn text_without_extensions(&self) -> String {
        let format = Format {
            normalize: false,
            ignore_extensions: true,
        };
        printer::print(&self.file, &self.types(), format).unwrap_or_default()
    }
}

/// Compiles the schema and its dependencies into a pool, dependencies first.
fn build_pool(
    file: &ProtoFile,
    file_name: &str,
    dependencies: &[DependencyFile],
) -> (FileDescriptorProto, DescriptorPool, Option<String>) {
    let b = bundled();
    let mut pool = b.pool.clone();
    let mut all: Vec<(&str, &ProtoFile)> = b
        .files
        .iter()
        .filter(|(n, _)| !dependencies.iter().any(|d| d.name == *n))
        .map(|(n, f)| (n.as_str(), f))
        .collect();
    all.extend(dependencies.iter().map(|d| (d.name.as_str(), &d.file)));
    all.push((file_name, file));
    let owners = type_files(all.iter().copied());
    let mut error = None;
    let compile = |pool: &DescriptorPool, name: &str, target: &ProtoFile| {
        let others: Vec<(&ProtoFile, Origin)> = all
            .iter()
            .filter(|(n, _)| *n != name)
            .map(|(_, f)| (*f, None))
            .collect();
        let types = Types::collect(target, &others);
        let mut compiler = Compiler {
            types: &types,
            proto3: false,
            used: Vec::new(),
        };
        compiler.file(target, name, &|t| owners.get(t).cloned(), &|n| {
            pool.get_file_by_name(n).is_some()
        })
    };
    for d in dependencies {
        if b.contains(&d.name) || pool.get_file_by_name(&d.name).is_some() {
            continue;
        }
        let fd = compile(&pool, &d.name, &d.file);
        if let Err(e) = pool.add_file_descriptor_proto(fd) {
            error.get_or_insert_with(|| format!("{}: {e}", d.name));
        }
    }
    let descriptor = compile(&pool, file_name, file);
    if error.is_none() {
        if let Err(e) = pool.add_file_descriptor_proto(descriptor.clone()) {
            error = Some(e.to_string());
        }
    }
    (descriptor, pool, error)
}

pub(crate) fn parse(
    text: &str,
    references: &[SchemaReference],
    dependencies: &[Dependency],
    options: &ParseOptions,
) -> Result<Parsed<ProtobufModel>, SchemaError> {
    let (file, descriptor_name) = parse_text(text)?;
    let mut deps: Vec<DependencyFile> = Vec::new();
    for d in dependencies {
        let (dep, _) = parse_text(&d.schema)?;
        let origin = references
            .contains(&d.reference)
            .then(|| (d.reference.subject.clone(), d.reference.version));
        deps.retain(|existing| existing.name != d.reference.name);
        deps.push(DependencyFile {
            name: d.reference.name.clone(),
            file: dep,
            origin,
        });
    }
    if options.new_schema {
        if let Some((message, field)) = zero_field_number(&file.types) {
            return Err(invalid(format!(
                "Could not parse Protobuf - field '{field}' of message '{message}' has number 0: field numbers must be positive"
            )));
        }
    }

    let mut model = ProtobufModel {
        file,
        dependencies: deps,
        file_name: String::new(),
        descriptor: FileDescriptorProto::default(),
        pool: DescriptorPool::new(),
        descriptor_error: None,
    };
    let (canonical, normalized) = {
        let types = model.types();
        let canonical = printer::print(&model.file, &types, Format::CANONICAL).map_err(invalid)?;
        let normalized =
            printer::print(&model.file, &types, Format::NORMALIZED).map_err(invalid)?;
        (canonical, normalized)
    };

    let mut file_name = descriptor_name
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| MAIN_FILE_NAME.to_owned());
    let mut n = 1;
    while bundled().contains(&file_name) || model.dependencies.iter().any(|d| d.name == file_name) {
        file_name = format!("schema_{n}.proto");
        n += 1;
    }
    let (descriptor, pool, error) = build_pool(&model.file, &file_name, &model.dependencies);
    model.file_name = file_name;
    model.descriptor = descriptor;
    model.pool = pool;
    model.descriptor_error = error;
    Ok(Parsed {
        canonical,
        normalized,
        model,
    })
}

pub(crate) fn compatibility_errors(
    new: &ProtobufModel,
    old: &ProtobufModel,
    direction: Direction,
) -> Vec<String> {
    let new_types = new.types();
    let old_types = old.types();
    let new_side = diff::Side {
        file: &new.file,
        types: &new_types,
    };
    let old_side = diff::Side {
        file: &old.file,
        types: &old_types,
    };
    match direction {
        Direction::Backward => diff::incompatibilities(&old_side, &new_side, false),
        Direction::Forward => diff::incompatibilities(&new_side, &old_side, true),
    }
}

#[cfg(test)]
mod tests;
