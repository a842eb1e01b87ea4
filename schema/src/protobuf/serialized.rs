//! The `FileDescriptorProto` Confluent returns for `format=serialized`: what its
//! `DynamicSchema` builder makes of the parsed text, byte for byte.
//!
//! It differs from what protoc would produce: the file is named `default`, type names stay as
//! written (`Inner`, `dep.D`), only resolvable named types get a `type`, implicit proto3 fields
//! have no label, map entries are named `<field>Entry`, oneof fields come before the other
//! fields, and oneof declarations and extension ranges carry empty options. `confluent.*_meta`
//! options become the `confluent.Meta` extension of the element's options.

use prost_types::field_descriptor_proto::{Label as PbLabel, Type as PbType};
use prost_types::{
    enum_descriptor_proto, DescriptorProto, EnumDescriptorProto, EnumOptions,
    EnumValueDescriptorProto, EnumValueOptions, ExtensionRangeOptions, FieldDescriptorProto,
    FieldOptions, FileDescriptorProto, FileOptions, MessageOptions, MethodDescriptorProto,
    MethodOptions, OneofDescriptorProto, OneofOptions, ServiceDescriptorProto, ServiceOptions,
};

use super::ast::{
    map_types, EnumElement, Extend, Field, Label, Message, OptionElement, OptionValue, ProtoFile,
    Reserved, Service, Syntax, TypeElement,
};
use super::descriptor::push_ranges;
use super::types::Types;

/// The file name Confluent gives the schema's descriptor.
pub(crate) const FILE_NAME: &str = "default";

fn scalar(name: &str) -> Option<PbType> {
    Some(match name {
        "double" => PbType::Double,
        "float" => PbType::Float,
        "int32" => PbType::Int32,
        "int64" => PbType::Int64,
        "uint32" => PbType::Uint32,
        "uint64" => PbType::Uint64,
        "sint32" => PbType::Sint32,
        "sint64" => PbType::Sint64,
        "fixed32" => PbType::Fixed32,
        "fixed64" => PbType::Fixed64,
        "sfixed32" => PbType::Sfixed32,
        "sfixed64" => PbType::Sfixed64,
        "bool" => PbType::Bool,
        "string" => PbType::String,
        "bytes" => PbType::Bytes,
        _ => return None,
    })
}

/// The last value of a plain (not parenthesized) option, as text.
fn option_text(options: &[OptionElement], name: &str) -> Option<String> {
    options.iter().rev().find_map(|o| {
        if o.parenthesized || o.name.trim_start_matches('.') != name {
            return None;
        }
        match &o.value {
            OptionValue::Str(v)
            | OptionValue::Bool(v)
            | OptionValue::Number(v)
            | OptionValue::Enum(v) => Some(v.clone()),
            _ => None,
        }
    })
}

fn option_bool(options: &[OptionElement], name: &str) -> Option<bool> {
    option_text(options, name).map(|v| v == "true")
}

/// Builds Confluent's descriptor of `file`; `available` tells which imports resolve to a file
/// Confluent knows (a reference or a bundled file).
pub(crate) fn descriptor(
    file: &ProtoFile,
    types: &Types<'_>,
    available: &dyn Fn(&str) -> bool,
) -> FileDescriptorProto {
    let builder = Builder {
        types,
        proto3: file.syntax == Some(Syntax::Proto3),
    };
    let mut fd = FileDescriptorProto {
        name: Some(FILE_NAME.to_owned()),
        package: file.package.clone(),
        syntax: file.syntax.map(|s| s.as_str().to_owned()),
        ..FileDescriptorProto::default()
    };
    let mut scope = Vec::new();
    for t in &file.types {
        match t {
            TypeElement::Message(m) => fd.message_type.push(builder.message(m, &mut scope)),
            TypeElement::Enum(e) => fd.enum_type.push(enumeration(e)),
        }
    }
    for s in &file.services {
        fd.service.push(service(s));
    }
    for e in &file.extends {
        fd.extension.extend(builder.extend(e, &scope));
    }
    // Each import once; a public import already listed is only marked public.
    for import in &file.imports {
        if available(import) && !fd.dependency.contains(import) {
            fd.dependency.push(import.clone());
        }
    }
    for import in &file.public_imports {
        if available(import) {
            let index = match fd.dependency.iter().position(|d| d == import) {
                Some(index) => index,
                None => {
                    fd.dependency.push(import.clone());
                    fd.dependency.len() - 1
                }
            };
            fd.public_dependency
                .push(i32::try_from(index).unwrap_or(i32::MAX));
        }
    }
    fd.options = file_options(&file.options);
    fd
}

fn file_options(options: &[OptionElement]) -> Option<FileOptions> {
    let text = |name| option_text(options, name);
    let flag = |name| option_bool(options, name);
    let o = FileOptions {
        java_package: text("java_package"),
        java_outer_classname: text("java_outer_classname"),
        java_multiple_files: flag("java_multiple_files"),
        java_string_check_utf8: flag("java_string_check_utf8"),
        optimize_for: text("optimize_for").and_then(|v| {
            prost_types::file_options::OptimizeMode::from_str_name(&v).map(|m| m as i32)
        }),
        go_package: text("go_package"),
        cc_generic_services: flag("cc_generic_services"),
        java_generic_services: flag("java_generic_services"),
        py_generic_services: flag("py_generic_services"),
        deprecated: flag("deprecated"),
        cc_enable_arenas: flag("cc_enable_arenas"),
        objc_class_prefix: text("objc_class_prefix"),
        csharp_namespace: text("csharp_namespace"),
        swift_prefix: text("swift_prefix"),
        php_class_prefix: text("php_class_prefix"),
        php_namespace: text("php_namespace"),
        php_metadata_namespace: text("php_metadata_namespace"),
        ruby_package: text("ruby_package"),
        ..FileOptions::default()
    };
    (o != FileOptions::default()).then_some(o)
}

struct Builder<'t, 'a> {
    types: &'t Types<'a>,
    proto3: bool,
}

impl Builder<'_, '_> {
    fn message(&self, m: &Message, scope: &mut Vec<String>) -> DescriptorProto {
        scope.push(m.name.clone());
        let mut d = DescriptorProto {
            name: Some(m.name.clone()),
            ..DescriptorProto::default()
        };
        for t in &m.nested {
            match t {
                TypeElement::Message(n) => d.nested_type.push(self.message(n, scope)),
                TypeElement::Enum(e) => d.enum_type.push(enumeration(e)),
            }
        }
        for (index, oneof) in m.oneofs.iter().enumerate() {
            d.oneof_decl.push(OneofDescriptorProto {
                name: Some(oneof.name.clone()),
                options: Some(OneofOptions::default()),
            });
            for f in &oneof.fields {
                let mut field = self.field(Some(PbLabel::Optional), &f.ty, f, scope, false);
                field.oneof_index = Some(i32::try_from(index).unwrap_or(i32::MAX));
                d.field.push(field);
            }
        }
        for f in &m.fields {
            let mut label = f.label.map(pb_label);
            let mut ty = f.ty.clone();
            if let Some((key, value)) = map_types(&f.ty) {
                label = Some(PbLabel::Repeated);
                ty = map_entry_name(&f.name);
                let mut entry = DescriptorProto {
                    name: Some(ty.clone()),
                    options: Some(MessageOptions {
                        map_entry: Some(true),
                        ..MessageOptions::default()
                    }),
                    ..DescriptorProto::default()
                };
                for (number, (name, kv)) in [(1, ("key", key)), (2, ("value", value))] {
                    let mut field = FieldDescriptorProto {
                        name: Some(name.to_owned()),
                        number: Some(number),
                        ..FieldDescriptorProto::default()
                    };
                    self.set_type(&mut field, kv, scope);
                    entry.field.push(field);
                }
                d.nested_type.push(entry);
            }
            if self.proto3 && f.label == Some(Label::Optional) {
                let index = i32::try_from(d.oneof_decl.len()).unwrap_or(i32::MAX);
                d.oneof_decl.push(OneofDescriptorProto {
                    name: Some(format!("_{}", f.name)),
                    options: Some(OneofOptions::default()),
                });
                let mut field = self.field(Some(PbLabel::Optional), &ty, f, scope, false);
                field.proto3_optional = Some(true);
                field.oneof_index = Some(index);
                d.field.push(field);
            } else {
                d.field.push(self.field(label, &ty, f, scope, true));
            }
        }
        push_ranges(&mut d, m, Some(ExtensionRangeOptions::default()));
        for e in &m.extends {
            d.extension.extend(self.extend(e, scope));
        }
        let no_accessor = option_bool(&m.options, "no_standard_descriptor_accessor");
        let deprecated = option_bool(&m.options, "deprecated");
        let map_entry = option_bool(&m.options, "map_entry");
        if no_accessor.is_some() || deprecated.is_some() || map_entry.is_some() {
            d.options = Some(MessageOptions {
                no_standard_descriptor_accessor: no_accessor,
                deprecated,
                map_entry,
                ..MessageOptions::default()
            });
        }
        scope.pop();
        d
    }

    fn set_type(&self, d: &mut FieldDescriptorProto, ty: &str, scope: &[String]) {
        if let Some(scalar) = scalar(ty) {
            d.r#type = Some(scalar as i32);
            return;
        }
        if let Some(info) = self.types.lookup(ty, scope) {
            let kind = if info.is_enum() {
                PbType::Enum
            } else {
                PbType::Message
            };
            d.r#type = Some(kind as i32);
        }
        d.type_name = Some(ty.to_owned());
    }

    fn field(
        &self,
        label: Option<PbLabel>,
        ty: &str,
        f: &Field,
        scope: &[String],
        packable: bool,
    ) -> FieldDescriptorProto {
        let mut d = FieldDescriptorProto {
            name: Some(f.name.clone()),
            number: Some(f.tag),
            label: label.map(|l| l as i32),
            default_value: f.default.clone(),
            json_name: f.json_name.clone(),
            ..FieldDescriptorProto::default()
        };
        if ty.ends_with("Entry") && map_types(&f.ty).is_some() {
            d.type_name = Some(ty.to_owned());
        } else {
            self.set_type(&mut d, ty, scope);
        }
        let ctype = option_text(&f.options, "ctype")
            .and_then(|v| prost_types::field_options::CType::from_str_name(&v))
            .map(|c| c as i32);
        let packed = if packable {
            option_bool(&f.options, "packed")
        } else {
            None
        };
        let jstype = option_text(&f.options, "jstype")
            .and_then(|v| prost_types::field_options::JsType::from_str_name(&v))
            .map(|j| j as i32);
        let deprecated = option_bool(&f.options, "deprecated");
        if ctype.is_some() || packed.is_some() || jstype.is_some() || deprecated.is_some() {
            d.options = Some(FieldOptions {
                ctype,
                packed,
                jstype,
                deprecated,
                ..FieldOptions::default()
            });
        }
        d
    }

    fn extend(&self, e: &Extend, scope: &[String]) -> Vec<FieldDescriptorProto> {
        e.fields
            .iter()
            .map(|f| {
                let mut d = self.field(f.label.map(pb_label), &f.ty, f, scope, true);
                d.extendee = Some(e.name.clone());
                d
            })
            .collect()
    }
}

/// Confluent's map-entry name: the field name, converted from `lower_underscore` to
/// `UpperCamel` only when it contains an underscore, then `Entry`.
fn map_entry_name(field: &str) -> String {
    let base = if field.contains('_') {
        field
            .split('_')
            .map(|word| {
                let mut chars = word.chars();
                match chars.next() {
                    Some(first) => {
                        let mut w = first.to_ascii_uppercase().to_string();
                        w.extend(chars.map(|c| c.to_ascii_lowercase()));
                        w
                    }
                    None => String::new(),
                }
            })
            .collect()
    } else {
        field.to_owned()
    };
    format!("{base}Entry")
}

fn pb_label(label: Label) -> PbLabel {
    match label {
        Label::Required => PbLabel::Required,
        Label::Optional => PbLabel::Optional,
        Label::Repeated => PbLabel::Repeated,
    }
}

fn enumeration(e: &EnumElement) -> EnumDescriptorProto {
    let allow_alias = option_bool(&e.options, "allow_alias");
    let deprecated = option_bool(&e.options, "deprecated");
    let mut d = EnumDescriptorProto {
        name: Some(e.name.clone()),
        options: (allow_alias.is_some() || deprecated.is_some()).then(|| EnumOptions {
            allow_alias,
            deprecated,
            ..EnumOptions::default()
        }),
        ..EnumDescriptorProto::default()
    };
    for r in e.reserveds.iter().flatten() {
        match r {
            Reserved::Name(n) => d.reserved_name.push(n.clone()),
            Reserved::Tag(t) => d
                .reserved_range
                .push(enum_descriptor_proto::EnumReservedRange {
                    start: Some(*t),
                    end: Some(*t),
                }),
            Reserved::Range(s, end) => {
                d.reserved_range
                    .push(enum_descriptor_proto::EnumReservedRange {
                        start: Some(*s),
                        end: Some(*end),
                    })
            }
        }
    }
    for c in &e.constants {
        d.value.push(EnumValueDescriptorProto {
            name: Some(c.name.clone()),
            number: Some(c.tag),
            options: option_bool(&c.options, "deprecated").map(|v| EnumValueOptions {
                deprecated: Some(v),
                ..EnumValueOptions::default()
            }),
        });
    }
    d
}

fn service(s: &Service) -> ServiceDescriptorProto {
    ServiceDescriptorProto {
        name: Some(s.name.clone()),
        method: s
            .rpcs
            .iter()
            .map(|rpc| {
                let deprecated = option_bool(&rpc.options, "deprecated");
                let idempotency = option_text(&rpc.options, "idempotency_level")
                    .and_then(|v| prost_types::method_options::IdempotencyLevel::from_str_name(&v))
                    .map(|l| l as i32);
                MethodDescriptorProto {
                    name: Some(rpc.name.clone()),
                    input_type: Some(rpc.request.clone()),
                    output_type: Some(rpc.response.clone()),
                    options: (deprecated.is_some() || idempotency.is_some()).then(|| {
                        MethodOptions {
                            deprecated,
                            idempotency_level: idempotency,
                            ..MethodOptions::default()
                        }
                    }),
                    client_streaming: Some(rpc.request_streaming),
                    server_streaming: Some(rpc.response_streaming),
                }
            })
            .collect(),
        options: option_bool(&s.options, "deprecated").map(|d| ServiceOptions {
            deprecated: Some(d),
            ..ServiceOptions::default()
        }),
    }
}

// ---------------------------------------------------------------------------------------------
// Confluent's `confluent.*_meta` options, which its builder writes into the descriptor's options
// as the extension `confluent.Meta` (field 1088). `prost_types` cannot hold extensions, so they
// are spliced into the encoded bytes.

/// The extension field number of every `confluent.*_meta` option.
const META_FIELD: u32 = 1088;

/// Where an options message sits: the path of `(field number, index)` pairs from the file to
/// the element, and the element's `options` field number.
struct MetaPatch {
    path: Vec<(u32, usize)>,
    options_field: u32,
    extension: Vec<u8>,
}

fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn put_bytes(out: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    put_varint(out, (u64::from(field) << 3) | 2);
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// A meta option's `doc`, `params` (in order) and `tags`.
type MetaValues = (String, Vec<(String, String)>, Vec<String>);

/// One encoded field: number, wire type, the whole field's bytes and its payload's.
type WireField = (u32, u8, std::ops::Range<usize>, std::ops::Range<usize>);

/// The values a meta option holds: Confluent's `findDoc`, `findParams` and `findTags` over the
/// merged options of that name.
fn meta_values(options: &[OptionElement], name: &str) -> Option<MetaValues> {
    let mut doc = String::new();
    let mut params: Vec<(String, String)> = Vec::new();
    let mut tags: Vec<String> = Vec::new();
    let mut found = false;
    let text = |v: &OptionValue| match v {
        OptionValue::Str(s)
        | OptionValue::Bool(s)
        | OptionValue::Number(s)
        | OptionValue::Enum(s) => Some(s.clone()),
        _ => None,
    };
    for o in options {
        if !o.parenthesized || o.name.trim_start_matches('.') != name {
            continue;
        }
        found = true;
        let entries: Vec<(String, OptionValue)> = match &o.value {
            OptionValue::Map(entries) => entries.clone(),
            OptionValue::Option(inner) => vec![(inner.name.clone(), inner.value.clone())],
            _ => Vec::new(),
        };
        for (key, value) in entries {
            match key.as_str() {
                "doc" => doc = text(&value).unwrap_or_default(),
                // A single `params { key: .. value: .. }` (not a list) is read by Confluent as
                // the parameter map itself: its keys `key` and `value` become parameters.
                "params" if matches!(value, OptionValue::Map(_)) => {
                    if let OptionValue::Map(kv) = value {
                        for (k, v) in kv {
                            if let Some(v) = text(&v) {
                                params.retain(|(existing, _)| *existing != k);
                                params.push((k, v));
                            }
                        }
                    }
                }
                "params" => {
                    let items = match value {
                        OptionValue::List(items) => items,
                        other => vec![other],
                    };
                    for item in items {
                        if let OptionValue::Map(kv) = item {
                            let get = |k: &str| {
                                kv.iter().find(|(n, _)| n == k).and_then(|(_, v)| text(v))
                            };
                            if let (Some(k), Some(v)) = (get("key"), get("value")) {
                                params.retain(|(existing, _)| *existing != k);
                                params.push((k, v));
                            }
                        }
                    }
                }
                "tags" => {
                    let items = match value {
                        OptionValue::List(items) => items,
                        other => vec![other],
                    };
                    for item in items.iter().filter_map(text) {
                        if !tags.contains(&item) {
                            tags.push(item);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    (found && !(doc.is_empty() && params.is_empty() && tags.is_empty()))
        .then_some((doc, params, tags))
}

/// The encoded extension field for a meta option, if the element has one.
fn meta_extension(options: &[OptionElement], name: &str) -> Option<Vec<u8>> {
    let (doc, params, tags) = meta_values(options, name)?;
    let mut meta = Vec::new();
    if !doc.is_empty() {
        put_bytes(&mut meta, 1, doc.as_bytes());
    }
    for (key, value) in &params {
        let mut entry = Vec::new();
        put_bytes(&mut entry, 1, key.as_bytes());
        put_bytes(&mut entry, 2, value.as_bytes());
        put_bytes(&mut meta, 2, &entry);
    }
    for tag in &tags {
        put_bytes(&mut meta, 3, tag.as_bytes());
    }
    let mut extension = Vec::new();
    put_bytes(&mut extension, META_FIELD, &meta);
    Some(extension)
}

fn collect_patches(file: &ProtoFile) -> Vec<MetaPatch> {
    fn push(
        out: &mut Vec<MetaPatch>,
        path: &[(u32, usize)],
        options_field: u32,
        options: &[OptionElement],
        name: &str,
    ) {
        if let Some(extension) = meta_extension(options, name) {
            out.push(MetaPatch {
                path: path.to_vec(),
                options_field,
                extension,
            });
        }
    }
    fn enumeration(out: &mut Vec<MetaPatch>, path: &mut Vec<(u32, usize)>, e: &EnumElement) {
        push(out, path, 3, &e.options, "confluent.enum_meta");
        for (v, c) in e.constants.iter().enumerate() {
            path.push((2, v));
            push(out, path, 3, &c.options, "confluent.enum_value_meta");
            path.pop();
        }
    }
    fn extension_fields(
        out: &mut Vec<MetaPatch>,
        path: &mut Vec<(u32, usize)>,
        field: u32,
        extends: &[Extend],
    ) {
        for (x, f) in extends.iter().flat_map(|e| e.fields.iter()).enumerate() {
            path.push((field, x));
            push(out, path, 8, &f.options, "confluent.field_meta");
            path.pop();
        }
    }
    fn message(out: &mut Vec<MetaPatch>, path: &mut Vec<(u32, usize)>, m: &Message) {
        push(out, path, 7, &m.options, "confluent.message_meta");
        let (mut k, mut e) = (0, 0);
        for t in &m.nested {
            match t {
                TypeElement::Message(n) => {
                    path.push((3, k));
                    message(out, path, n);
                    path.pop();
                    k += 1;
                }
                TypeElement::Enum(n) => {
                    path.push((4, e));
                    enumeration(out, path, n);
                    path.pop();
                    e += 1;
                }
            }
        }
        let fields = m
            .oneofs
            .iter()
            .flat_map(|o| o.fields.iter())
            .chain(m.fields.iter());
        for (j, f) in fields.enumerate() {
            path.push((2, j));
            push(out, path, 8, &f.options, "confluent.field_meta");
            path.pop();
        }
        extension_fields(out, path, 6, &m.extends);
    }
    let mut out = Vec::new();
    let mut path = Vec::new();
    push(&mut out, &path, 8, &file.options, "confluent.file_meta");
    let (mut i, mut e) = (0, 0);
    for t in &file.types {
        match t {
            TypeElement::Message(m) => {
                path.push((4, i));
                message(&mut out, &mut path, m);
                path.pop();
                i += 1;
            }
            TypeElement::Enum(n) => {
                path.push((5, e));
                enumeration(&mut out, &mut path, n);
                path.pop();
                e += 1;
            }
        }
    }
    extension_fields(&mut out, &mut path, 7, &file.extends);
    out
}

fn get_varint(bytes: &[u8], pos: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *bytes.get(*pos)?;
        *pos += 1;
        value |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return Some(value);
        }
    }
    None
}

/// Splits an encoded message into its fields: `(field number, wire type, whole field, payload)`.
fn fields(bytes: &[u8]) -> Option<Vec<WireField>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        let start = pos;
        let key = get_varint(bytes, &mut pos)?;
        let (number, wire) = (u32::try_from(key >> 3).ok()?, (key & 7) as u8);
        let payload = match wire {
            0 => {
                let s = pos;
                get_varint(bytes, &mut pos)?;
                s..pos
            }
            1 => {
                pos = pos.checked_add(8)?;
                pos - 8..pos
            }
            2 => {
                let len = usize::try_from(get_varint(bytes, &mut pos)?).ok()?;
                let s = pos;
                pos = pos.checked_add(len)?;
                s..pos
            }
            5 => {
                pos = pos.checked_add(4)?;
                pos - 4..pos
            }
            _ => return None,
        };
        if pos > bytes.len() {
            return None;
        }
        out.push((number, wire, start..pos, payload));
    }
    Some(out)
}

/// Appends `extension` to the options message at `path`, creating it where Java would write it.
fn apply(
    bytes: &[u8],
    path: &[(u32, usize)],
    options_field: u32,
    extension: &[u8],
) -> Option<Vec<u8>> {
    let list = fields(bytes)?;
    let mut out = Vec::with_capacity(bytes.len() + extension.len() + 8);
    match path.split_first() {
        Some(((number, index), rest)) => {
            let (_, _, whole, payload) = list
                .iter()
                .filter(|(n, w, _, _)| n == number && *w == 2)
                .nth(*index)?
                .clone();
            let inner = apply(&bytes[payload], rest, options_field, extension)?;
            out.extend_from_slice(&bytes[..whole.start]);
            put_bytes(&mut out, *number, &inner);
            out.extend_from_slice(&bytes[whole.end..]);
        }
        None => match list
            .iter()
            .find(|(n, w, _, _)| *n == options_field && *w == 2)
        {
            Some((_, _, whole, payload)) => {
                let mut options = bytes[payload.clone()].to_vec();
                options.extend_from_slice(extension);
                out.extend_from_slice(&bytes[..whole.start]);
                put_bytes(&mut out, options_field, &options);
                out.extend_from_slice(&bytes[whole.end..]);
            }
            None => {
                let at = list
                    .iter()
                    .find(|(n, _, _, _)| *n > options_field)
                    .map_or(bytes.len(), |(_, _, whole, _)| whole.start);
                out.extend_from_slice(&bytes[..at]);
                put_bytes(&mut out, options_field, extension);
                out.extend_from_slice(&bytes[at..]);
            }
        },
    }
    Some(out)
}

/// Confluent's `format=serialized` bytes: the descriptor with its meta options.
pub(crate) fn encode(
    file: &ProtoFile,
    types: &Types<'_>,
    available: &dyn Fn(&str) -> bool,
) -> Vec<u8> {
    let mut bytes = prost::Message::encode_to_vec(&descriptor(file, types, available));
    for patch in collect_patches(file) {
        if let Some(patched) = apply(&bytes, &patch.path, patch.options_field, &patch.extension) {
            bytes = patched;
        }
    }
    bytes
}
