//! Protobuf schemas, handled as Confluent Schema Registry 7.9 handles them.
//!
//! Confluent validates, prints and compares the parsed `.proto` text (Square Wire's element
//! tree), not the compiled descriptor: it accepts unknown options, duplicate field numbers and
//! unused unresolvable imports, keeps type names as written in the canonical text, and only
//! requires every type name to resolve (against the schema, all its referenced schemas and the
//! bundled files). This module does the same, then also compiles the schema into a
//! [`prost_reflect::DescriptorPool`] for the serializers.
//!
//! - `parser`: the `.proto` grammar with Wire's error messages.
//! - `printer`: canonical, normalized and `ignore_extensions` texts.
//! - `types`: name resolution across the schema, its references and the bundled files.
//! - `diff`: compatibility (`SchemaDiff`).
//! - `descriptor`: to and from `FileDescriptorProto` (base64 descriptors are accepted input).
//! - `serialized`: the descriptor Confluent returns for `format=serialized`.
//! - `bundled`: the files schemas may import without registering them.
//! - `tags`: adding and removing Confluent tags (`confluent.field_meta`, `message_meta`).

mod ast;
mod bundled;
mod descriptor;
mod diff;
mod parser;
mod printer;
mod serialized;
mod tags;
mod types;

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use prost::Message as _;
use prost_reflect::{DescriptorPool, MessageDescriptor};
use prost_types::FileDescriptorProto;

use crate::parse::Parsed;
use crate::{Dependency, Direction, ParseOptions, SchemaError, SchemaReference, SchemaType};

use ast::{ProtoFile, TypeElement};
use bundled::{bundled, bundled_type_files, bundled_types, type_files};
use descriptor::{file_from_descriptor, Compiler};
use printer::Format;
use types::{Origin, Types};

pub use tags::{SchemaTags, TagEntityType};

/// A parsed Protobuf schema.
#[derive(Debug)]
pub struct ProtobufModel {
    inner: Box<Model>,
}

/// The contents of a [`ProtobufModel`], boxed to keep the model small.
#[derive(Debug)]
struct Model {
    file: ProtoFile,
    dependencies: Vec<DependencyFile>,
    file_name: String,
    /// Built on first use: compatibility checks and text forms never need it.
    compiled: OnceLock<Compiled>,
}

/// The schema compiled for the serializers.
#[derive(Debug)]
struct Compiled {
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
fn parse_text(
    text: &str,
    limits: &crate::Limits,
) -> Result<(ProtoFile, Option<String>), SchemaError> {
    match parser::parse(text) {
        Ok(file) => Ok((file, None)),
        Err(message) => {
            // Java's basic decoder: the standard alphabet, no whitespace, padding optional.
            let lenient = base64::engine::GeneralPurpose::new(
                &base64::alphabet::STANDARD,
                base64::engine::GeneralPurposeConfig::new()
                    .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
            );
            let descriptor = lenient
                .decode(text)
                .ok()
                .and_then(|bytes| FileDescriptorProto::decode(bytes.as_slice()).ok());
            match descriptor {
                // A descriptor escapes the text's nesting check: check its messages here.
                Some(fd) if message_depth(&fd.message_type) > limits.max_depth => {
                    Err(SchemaError::LimitExceeded(crate::LimitExceeded::TooDeep {
                        max: limits.max_depth,
                    }))
                }
                Some(fd) => Ok((file_from_descriptor(&fd), fd.name.clone())),
                None => Err(invalid(format!("Could not parse Protobuf - {message}"))),
            }
        }
    }
}

/// How deep messages nest in a descriptor (1 for a flat file with messages).
fn message_depth(messages: &[prost_types::DescriptorProto]) -> usize {
    messages
        .iter()
        .map(|m| 1 + message_depth(&m.nested_type))
        .max()
        .unwrap_or(0)
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

/// Whether a registered dependency replaces a bundled file, which then cannot be seen: the
/// shared types of all the bundled files ([`bundled_types`]) are then not the visible ones.
fn replaces_bundled(dependencies: &[DependencyFile]) -> bool {
    let b = bundled();
    dependencies.iter().any(|d| b.contains(&d.name))
}

impl Model {
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

    fn compiled(&self) -> &Compiled {
        self.compiled.get_or_init(|| {
            let (descriptor, pool, descriptor_error) =
                build_pool(&self.file, &self.file_name, &self.dependencies);
            Compiled {
                descriptor,
                pool,
                descriptor_error,
            }
        })
    }

    fn types(&self) -> Types<'_> {
        if replaces_bundled(&self.dependencies) {
            let files: Vec<(&ProtoFile, Origin)> = self
                .visible_files()
                .into_iter()
                .map(|(_, f, o)| (f, o))
                .collect();
            return Types::collect(&self.file, &files);
        }
        let files: Vec<(&ProtoFile, Origin)> = self
            .dependencies
            .iter()
            .map(|d| (&d.file, d.origin.clone()))
            .collect();
        Types::collect_over(Some(bundled_types()), &self.file, &files)
    }
}

impl ProtobufModel {
    /// The schema's binary `FileDescriptorProto`, base64-encoded, byte for byte as Confluent
    /// returns it for `GET /schemas/ids/{id}?format=serialized` (and Python's deserializer
    /// parses it): a file named `default` whose type names stay as written, see
    /// [`ProtobufModel::file_descriptor_proto`] for the compiled form.
    pub fn serialized(&self) -> String {
        let bundled = bundled();
        let available = |name: &str| {
            bundled.contains(name) || self.inner.dependencies.iter().any(|d| d.name == name)
        };
        STANDARD.encode(serialized::encode(
            &self.inner.file,
            &self.inner.types(),
            &available,
        ))
    }

    /// The compiled descriptor of the schema itself, as held in
    /// [`ProtobufModel::descriptor_pool`]: every type name fully qualified, map entries named
    /// as protoc names them.
    pub fn file_descriptor_proto(&self) -> &FileDescriptorProto {
        &self.inner.compiled().descriptor
    }

    /// A pool holding the schema's file (named [`ProtobufModel::file_name`]), its references and
    /// the bundled files, for building and reading messages.
    ///
    /// Confluent accepts a few schemas no protobuf compiler does (duplicate field numbers, for
    /// example); for those the pool lacks the schema's file and
    /// [`ProtobufModel::descriptor_error`] says why.
    pub fn descriptor_pool(&self) -> &DescriptorPool {
        &self.inner.compiled().pool
    }

    /// The name of the schema's own file in [`ProtobufModel::descriptor_pool`].
    pub fn file_name(&self) -> &str {
        &self.inner.file_name
    }

    /// Why the schema could not be compiled into the pool, when it could not.
    pub fn descriptor_error(&self) -> Option<&str> {
        self.inner.compiled().descriptor_error.as_deref()
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
        let message = self.inner.compiled().pool.get_message_by_name(name)?;
        if message.parent_file().name() != self.inner.file_name {
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
        let file = self
            .inner
            .compiled()
            .pool
            .get_file_by_name(&self.inner.file_name)?;
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

    /// The schema with Confluent tags added, then removed (the registry's tags endpoint): its
    /// new canonical text, to register as a new version. Errors name the missing message or
    /// field as Confluent does (`No matching Field with name 'x' found in the schema`).
    pub fn with_tags(
        &self,
        add: &[SchemaTags],
        remove: &[SchemaTags],
    ) -> Result<String, SchemaError> {
        let mut file = self.inner.file.clone();
        tags::apply(&mut file, add, remove).map_err(invalid)?;
        printer::print(&file, &self.inner.types(), Format::CANONICAL).map_err(invalid)
    }

    /// The canonical text without custom options (other than Confluent's) and extensions:
    /// Confluent's `format=ignore_extensions`.
    pub fn text_without_extensions(&self) -> String {
        let format = Format {
            normalize: false,
            ignore_extensions: true,
        };
        printer::print(&self.inner.file, &self.inner.types(), format).unwrap_or_default()
    }
}

/// Adds `name` to `pool` after the files it depends on, taking descriptors from `sources`.
fn add_to_pool<'d>(
    pool: &mut DescriptorPool,
    name: &str,
    sources: &dyn Fn(&str) -> Option<&'d FileDescriptorProto>,
    added: &mut HashSet<String>,
    error: &mut Option<String>,
) {
    if !added.insert(name.to_owned()) {
        return;
    }
    let Some(fd) = sources(name) else {
        return;
    };
    for dep in &fd.dependency {
        add_to_pool(pool, dep, sources, added, error);
    }
    if let Err(e) = pool.add_file_descriptor_proto(fd.clone()) {
        error.get_or_insert_with(|| format!("{name}: {e}"));
    }
}

/// Compiles the schema and its dependencies, and builds a pool holding the schema's file and
/// only the files it needs, dependencies first.
fn build_pool(
    file: &ProtoFile,
    file_name: &str,
    dependencies: &[DependencyFile],
) -> (FileDescriptorProto, DescriptorPool, Option<String>) {
    let b = bundled();
    // Unless a dependency replaces one of them, the bundled files' types and owners are the
    // shared ones, which the files here shadow.
    let layered = !replaces_bundled(dependencies);
    let mut all: Vec<(&str, &ProtoFile)> = if layered {
        Vec::new()
    } else {
        b.files
            .iter()
            .filter(|(n, _)| !dependencies.iter().any(|d| d.name == *n))
            .map(|(n, f)| (n.as_str(), f))
            .collect()
    };
    all.extend(dependencies.iter().map(|d| (d.name.as_str(), &d.file)));
    all.push((file_name, file));
    let owners = type_files(all.iter().copied());
    let base_owners = layered.then(bundled_type_files);
    let base_types = layered.then(bundled_types);
    let owner = |t: &str| {
        owners
            .get(t)
            .or_else(|| base_owners.and_then(|o| o.get(t)))
            .cloned()
    };
    let known = |n: &str| b.contains(n) || dependencies.iter().any(|d| d.name == n);
    let compile = |name: &str, target: &ProtoFile| {
        let others: Vec<(&ProtoFile, Origin)> = all
            .iter()
            .filter(|(n, _)| *n != name)
            .map(|(_, f)| (*f, None))
            .collect();
        let types = Types::collect_over(base_types, target, &others);
        let mut compiler = Compiler {
            types: &types,
            proto3: false,
            used: Vec::new(),
        };
        compiler.file(target, name, &owner, &known)
    };
    let mut compiled: HashMap<String, FileDescriptorProto> = HashMap::new();
    for d in dependencies {
        if !b.contains(&d.name) && !compiled.contains_key(&d.name) {
            compiled.insert(d.name.clone(), compile(&d.name, &d.file));
        }
    }
    let descriptor = compile(file_name, file);
    let sources = |n: &str| {
        if n == file_name {
            Some(&descriptor)
        } else {
            compiled.get(n).or_else(|| b.descriptors.get(n))
        }
    };
    let mut pool = DescriptorPool::new();
    let mut error = None;
    add_to_pool(
        &mut pool,
        file_name,
        &sources,
        &mut HashSet::new(),
        &mut error,
    );
    (descriptor.clone(), pool, error)
}

pub(crate) fn parse(
    text: &str,
    references: &[SchemaReference],
    dependencies: &[Dependency],
    options: &ParseOptions,
) -> Result<Parsed<ProtobufModel>, SchemaError> {
    let (file, descriptor_name) = parse_text(text, &options.limits)?;
    let mut deps: Vec<DependencyFile> = Vec::new();
    for d in dependencies {
        let (dep, _) = parse_text(&d.schema, &options.limits)?;
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

    let mut model = Model {
        file,
        dependencies: deps,
        file_name: String::new(),
        compiled: OnceLock::new(),
    };
    let (canonical, normalized) = {
        let types = model.types();
        let canonical = printer::print(&model.file, &types, Format::CANONICAL).map_err(invalid)?;
        // Confluent validates (normalizes, which resolves every type name) only schemas about
        // to be registered; a stored schema whose types no longer resolve still loads.
        let normalized = match printer::print(&model.file, &types, Format::NORMALIZED) {
            Ok(normalized) => normalized,
            Err(_) if !options.new_schema => canonical.clone(),
            Err(message) => return Err(invalid(message)),
        };
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
    model.file_name = file_name;
    Ok(Parsed {
        canonical,
        normalized,
        model: ProtobufModel {
            inner: Box::new(model),
        },
    })
}

pub(crate) fn compatibility_errors(
    new: &ProtobufModel,
    old: &ProtobufModel,
    direction: Direction,
) -> Vec<String> {
    let new_types = new.inner.types();
    let old_types = old.inner.types();
    let new_side = diff::Side {
        file: &new.inner.file,
        types: &new_types,
    };
    let old_side = diff::Side {
        file: &old.inner.file,
        types: &old_types,
    };
    match direction {
        Direction::Backward => diff::incompatibilities(&old_side, &new_side, false),
        Direction::Forward => diff::incompatibilities(&new_side, &old_side, true),
    }
}

#[cfg(test)]
mod tests;
