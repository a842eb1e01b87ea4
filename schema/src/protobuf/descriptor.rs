//! Conversions between the syntax tree and `FileDescriptorProto`.
//!
//! A binary descriptor (what Python's serializer registers, base64-encoded) becomes a tree the
//! way Confluent's `toProtoFile(FileDescriptorProto)` builds its element tree; a parsed tree
//! becomes a compiled descriptor, with every type name resolved, for the descriptor pool and the
//! `serialized` format.

use std::collections::{HashMap, HashSet};

use prost_types::field_descriptor_proto::{Label as PbLabel, Type as PbType};
use prost_types::{
    descriptor_proto, enum_descriptor_proto, DescriptorProto, EnumDescriptorProto, EnumOptions,
    EnumValueDescriptorProto, EnumValueOptions, FieldDescriptorProto, FieldOptions,
    FileDescriptorProto, FileOptions, MessageOptions, MethodDescriptorProto, MethodOptions,
    OneofDescriptorProto, ServiceDescriptorProto, ServiceOptions,
};

use super::ast::{
    map_types, EnumConstant, EnumElement, Extend, Field, Group, Label, Message, OneOf,
    OptionElement, OptionValue, ProtoFile, Reserved, Rpc, Service, Syntax, TypeElement, MAX_TAG,
};
use super::types::Types;

// ---------------------------------------------------------------------------------------------
// Descriptor to tree.

fn scalar_name(ty: PbType) -> Option<&'static str> {
    Some(match ty {
        PbType::Double => "double",
        PbType::Float => "float",
        PbType::Int64 => "int64",
        PbType::Uint64 => "uint64",
        PbType::Int32 => "int32",
        PbType::Fixed64 => "fixed64",
        PbType::Fixed32 => "fixed32",
        PbType::Bool => "bool",
        PbType::String => "string",
        PbType::Bytes => "bytes",
        PbType::Uint32 => "uint32",
        PbType::Sfixed32 => "sfixed32",
        PbType::Sfixed64 => "sfixed64",
        PbType::Sint32 => "sint32",
        PbType::Sint64 => "sint64",
        PbType::Group | PbType::Message | PbType::Enum => return None,
    })
}

fn bool_option(name: &str, value: bool) -> OptionElement {
    OptionElement {
        name: name.to_owned(),
        parenthesized: false,
        value: OptionValue::Bool(value.to_string()),
    }
}

fn string_option(name: &str, value: &str) -> OptionElement {
    OptionElement {
        name: name.to_owned(),
        parenthesized: false,
        value: OptionValue::Str(value.to_owned()),
    }
}

fn enum_option(name: &str, value: &str) -> OptionElement {
    OptionElement {
        name: name.to_owned(),
        parenthesized: false,
        value: OptionValue::Enum(value.to_owned()),
    }
}

/// The JSON name protoc derives from a field name.
pub(crate) fn default_json_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Builds the tree Confluent builds from a binary descriptor.
pub(crate) fn file_from_descriptor(fd: &FileDescriptorProto) -> ProtoFile {
    let proto3 = fd.syntax() == "proto3";
    let mut file = ProtoFile {
        syntax: match fd.syntax() {
            "proto3" => Some(Syntax::Proto3),
            "proto2" => Some(Syntax::Proto2),
            _ => None,
        },
        package: fd.package.clone().filter(|p| !p.is_empty()),
        ..ProtoFile::default()
    };
    for (i, dep) in fd.dependency.iter().enumerate() {
        let public = fd
            .public_dependency
            .iter()
            .any(|p| usize::try_from(*p).ok() == Some(i));
        if public {
            file.public_imports.push(dep.clone());
        } else {
            file.imports.push(dep.clone());
        }
    }
    if let Some(o) = &fd.options {
        let strings = [
            ("java_package", &o.java_package),
            ("java_outer_classname", &o.java_outer_classname),
        ];
        for (name, value) in strings {
            if let Some(v) = value {
                file.options.push(string_option(name, v));
            }
        }
        if let Some(v) = o.java_multiple_files {
            file.options.push(bool_option("java_multiple_files", v));
        }
        if let Some(v) = o.java_string_check_utf8 {
            file.options.push(bool_option("java_string_check_utf8", v));
        }
        if o.optimize_for.is_some() {
            file.options
                .push(enum_option("optimize_for", o.optimize_for().as_str_name()));
        }
        if let Some(v) = &o.go_package {
            file.options.push(string_option("go_package", v));
        }
        let bools = [
            ("cc_generic_services", o.cc_generic_services),
            ("java_generic_services", o.java_generic_services),
            ("py_generic_services", o.py_generic_services),
            ("deprecated", o.deprecated),
            ("cc_enable_arenas", o.cc_enable_arenas),
        ];
        for (name, value) in bools {
            if let Some(v) = value {
                file.options.push(bool_option(name, v));
            }
        }
        let strings = [
            ("objc_class_prefix", &o.objc_class_prefix),
            ("csharp_namespace", &o.csharp_namespace),
            ("swift_prefix", &o.swift_prefix),
            ("php_class_prefix", &o.php_class_prefix),
            ("php_namespace", &o.php_namespace),
            ("php_metadata_namespace", &o.php_metadata_namespace),
            ("ruby_package", &o.ruby_package),
        ];
        for (name, value) in strings {
            if let Some(v) = value {
                file.options.push(string_option(name, v));
            }
        }
    }
    for m in &fd.message_type {
        file.types
            .push(TypeElement::Message(message_from_descriptor(m, proto3)));
    }
    for e in &fd.enum_type {
        file.types.push(TypeElement::Enum(enum_from_descriptor(e)));
    }
    file.extends = extends_from_descriptor(&fd.extension, proto3);
    for s in &fd.service {
        file.services.push(service_from_descriptor(s));
    }
    file
}

fn extends_from_descriptor(fields: &[FieldDescriptorProto], proto3: bool) -> Vec<Extend> {
    let mut extends: Vec<Extend> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for f in fields {
        let extendee = f.extendee().to_owned();
        let field = field_from_descriptor(f, proto3, false);
        match index.get(&extendee) {
            Some(&i) => extends[i].fields.push(field),
            None => {
                index.insert(extendee.clone(), extends.len());
                extends.push(Extend {
                    name: extendee,
                    fields: vec![field],
                });
            }
        }
    }
    extends
}

/// The type as Confluent reads it from a descriptor: the type name as given, else the scalar.
/// Map fields stay `repeated` fields of their entry message.
fn field_type(f: &FieldDescriptorProto) -> String {
    if let Some(name) = &f.type_name {
        return name.clone();
    }
    scalar_name(f.r#type()).unwrap_or("").to_owned()
}

fn field_from_descriptor(f: &FieldDescriptorProto, proto3: bool, in_oneof: bool) -> Field {
    let label = if in_oneof {
        None
    } else if f.proto3_optional() {
        Some(Label::Optional)
    } else {
        match f.label() {
            PbLabel::Repeated => Some(Label::Repeated),
            _ if proto3 => None,
            PbLabel::Required => Some(Label::Required),
            PbLabel::Optional => Some(Label::Optional),
        }
    };
    let mut options = Vec::new();
    if let Some(o) = &f.options {
        if o.ctype.is_some() {
            options.push(enum_option("ctype", o.ctype().as_str_name()));
        }
        if let Some(v) = o.packed {
            options.push(bool_option("packed", v));
        }
        if o.jstype.is_some() {
            options.push(enum_option("jstype", o.jstype().as_str_name()));
        }
        if let Some(v) = o.deprecated {
            options.push(bool_option("deprecated", v));
        }
    }
    Field {
        label,
        ty: field_type(f),
        name: f.name().to_owned(),
        tag: f.number(),
        default: if proto3 {
            None
        } else {
            f.default_value.clone()
        },
        json_name: f.json_name.clone(),
        options,
    }
}

fn message_from_descriptor(m: &DescriptorProto, proto3: bool) -> Message {
    let mut message = Message {
        name: m.name().to_owned(),
        ..Message::default()
    };
    let mut oneofs: Vec<OneOf> = m
        .oneof_decl
        .iter()
        .map(|o| OneOf {
            name: o.name().to_owned(),
            ..OneOf::default()
        })
        .collect();
    for f in &m.field {
        let oneof = f
            .oneof_index
            .and_then(|i| usize::try_from(i).ok())
            .filter(|i| *i < oneofs.len() && !f.proto3_optional());
        match oneof {
            Some(i) => oneofs[i]
                .fields
                .push(field_from_descriptor(f, proto3, true)),
            None => message.fields.push(field_from_descriptor(f, proto3, false)),
        }
    }
    message.oneofs = oneofs
        .into_iter()
        .filter(|o| !o.fields.is_empty())
        .collect();
    for n in &m.nested_type {
        message
            .nested
            .push(TypeElement::Message(message_from_descriptor(n, proto3)));
    }
    for e in &m.enum_type {
        message
            .nested
            .push(TypeElement::Enum(enum_from_descriptor(e)));
    }
    // Confluent keeps each range and name as a declaration of its own.
    for r in &m.reserved_range {
        message
            .reserveds
            .push(vec![range(r.start(), r.end().saturating_sub(1))]);
    }
    for n in &m.reserved_name {
        message.reserveds.push(vec![Reserved::Name(n.clone())]);
    }
    for r in &m.extension_range {
        message
            .extensions
            .push(vec![range(r.start(), r.end().saturating_sub(1))]);
    }
    if let Some(o) = &m.options {
        if let Some(v) = o.no_standard_descriptor_accessor {
            message
                .options
                .push(bool_option("no_standard_descriptor_accessor", v));
        }
        if let Some(v) = o.deprecated {
            message.options.push(bool_option("deprecated", v));
        }
        if let Some(v) = o.map_entry {
            message.options.push(bool_option("map_entry", v));
        }
    }
    message.extends = extends_from_descriptor(&m.extension, proto3);
    message
}

fn range(start: i32, end: i32) -> Reserved {
    if start == end {
        Reserved::Tag(start)
    } else {
        Reserved::Range(start, end.min(MAX_TAG))
    }
}

fn enum_from_descriptor(e: &EnumDescriptorProto) -> EnumElement {
    let mut element = EnumElement {
        name: e.name().to_owned(),
        ..EnumElement::default()
    };
    if let Some(o) = &e.options {
        if let Some(v) = o.allow_alias {
            element.options.push(bool_option("allow_alias", v));
        }
        if let Some(v) = o.deprecated {
            element.options.push(bool_option("deprecated", v));
        }
    }
    for v in &e.value {
        let mut options = Vec::new();
        if let Some(d) = v.options.as_ref().and_then(|o| o.deprecated) {
            options.push(bool_option("deprecated", d));
        }
        element.constants.push(EnumConstant {
            name: v.name().to_owned(),
            tag: v.number(),
            options,
        });
    }
    for r in &e.reserved_range {
        element.reserveds.push(vec![range(r.start(), r.end())]);
    }
    for n in &e.reserved_name {
        element.reserveds.push(vec![Reserved::Name(n.clone())]);
    }
    element
}

fn service_from_descriptor(s: &ServiceDescriptorProto) -> Service {
    let mut service = Service {
        name: s.name().to_owned(),
        location: Default::default(),
        options: Vec::new(),
        rpcs: Vec::new(),
    };
    if let Some(v) = s.options.as_ref().and_then(|o| o.deprecated) {
        service.options.push(bool_option("deprecated", v));
    }
    for m in &s.method {
        let mut options = Vec::new();
        if let Some(o) = &m.options {
            if let Some(v) = o.deprecated {
                options.push(bool_option("deprecated", v));
            }
            if o.idempotency_level.is_some() {
                options.push(enum_option(
                    "idempotency_level",
                    o.idempotency_level().as_str_name(),
                ));
            }
        }
        service.rpcs.push(Rpc {
            name: m.name().to_owned(),
            request: m.input_type().to_owned(),
            response: m.output_type().to_owned(),
            request_streaming: m.client_streaming(),
            response_streaming: m.server_streaming(),
            options,
        });
    }
    service
}

// ---------------------------------------------------------------------------------------------
// Tree to descriptor.

fn find_bool(options: &[OptionElement], name: &str) -> Option<bool> {
    options.iter().rev().find_map(|o| match &o.value {
        OptionValue::Bool(v) if !o.parenthesized && o.name == name => Some(v == "true"),
        _ => None,
    })
}

fn find_str(options: &[OptionElement], name: &str) -> Option<String> {
    options.iter().rev().find_map(|o| match &o.value {
        OptionValue::Str(v) if !o.parenthesized && o.name == name => Some(v.clone()),
        _ => None,
    })
}

fn scalar_type(name: &str) -> Option<PbType> {
    Some(match name {
        "double" => PbType::Double,
        "float" => PbType::Float,
        "int64" => PbType::Int64,
        "uint64" => PbType::Uint64,
        "int32" => PbType::Int32,
        "fixed64" => PbType::Fixed64,
        "fixed32" => PbType::Fixed32,
        "bool" => PbType::Bool,
        "string" => PbType::String,
        "bytes" => PbType::Bytes,
        "uint32" => PbType::Uint32,
        "sfixed32" => PbType::Sfixed32,
        "sfixed64" => PbType::Sfixed64,
        "sint32" => PbType::Sint32,
        "sint64" => PbType::Sint64,
        _ => return None,
    })
}

/// Compiles trees into descriptors, resolving type names through `types`.
pub(crate) struct Compiler<'t, 'a> {
    pub types: &'t Types<'a>,
    pub proto3: bool,
    /// Full names (without dot) of the types the file uses, to work out its dependencies.
    pub used: Vec<String>,
}

fn upper_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The nested type protoc generates for a `map<K, V>` field.
fn map_entry_name(field: &str) -> String {
    let camel = default_json_name(field);
    format!("{}Entry", upper_first(&camel))
}

impl Compiler<'_, '_> {
    /// The descriptor of `file`, named `name`, whose dependencies are only those of
    /// `available` (file names) that it imports or whose types it uses.
    pub(crate) fn file(
        &mut self,
        file: &ProtoFile,
        name: &str,
        file_of_type: &dyn Fn(&str) -> Option<String>,
        available: &dyn Fn(&str) -> bool,
    ) -> FileDescriptorProto {
        self.proto3 = file.syntax == Some(Syntax::Proto3);
        let mut scope = Vec::new();
        let mut fd = FileDescriptorProto {
            name: Some(name.to_owned()),
            package: file.package.clone(),
            syntax: self.proto3.then(|| "proto3".to_owned()),
            ..FileDescriptorProto::default()
        };
        for t in &file.types {
            match t {
                TypeElement::Message(m) => fd.message_type.push(self.message(m, &mut scope)),
                TypeElement::Enum(e) => fd.enum_type.push(enum_descriptor(e, self.proto3)),
            }
        }
        for e in &file.extends {
            fd.extension.extend(self.extend(e, &scope));
        }
        for s in &file.services {
            fd.service.push(self.service(s));
        }
        fd.options = file_options(&file.options);

        let mut deps: Vec<String> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        for import in file.imports.iter().chain(&file.public_imports) {
            if import != name && available(import) && seen.insert(import.clone()) {
                deps.push(import.clone());
            }
        }
        for used in &self.used {
            if let Some(dep) = file_of_type(used) {
                if dep != name && seen.insert(dep.clone()) {
                    deps.push(dep);
                }
            }
        }
        let public: HashSet<&String> = file.public_imports.iter().collect();
        for (i, dep) in deps.iter().enumerate() {
            if public.contains(dep) {
                fd.public_dependency
                    .push(i32::try_from(i).unwrap_or(i32::MAX));
            }
        }
        fd.dependency = deps;
        fd
    }

    /// The full name (without leading dot) of `name` declared inside `scope`.
    fn qualified(&self, scope: &[String], name: &str) -> String {
        let mut parts: Vec<&str> = Vec::with_capacity(scope.len() + 2);
        if !self.types.package.is_empty() {
            parts.push(&self.types.package);
        }
        parts.extend(scope.iter().map(String::as_str));
        parts.push(name);
        parts.join(".")
    }

    fn resolve(&mut self, name: &str, scope: &[String]) -> (Option<PbType>, String) {
        match self.types.resolve(name, scope) {
            Some(full) => {
                let is_enum = self.types.get(&full).is_some_and(|t| t.is_enum());
                self.used.push(full.clone());
                let ty = if is_enum {
                    PbType::Enum
                } else {
                    PbType::Message
                };
                (Some(ty), format!(".{full}"))
            }
            None => (None, name.to_owned()),
        }
    }

    fn message(&mut self, m: &Message, scope: &mut Vec<String>) -> DescriptorProto {
        scope.push(m.name.clone());
        let mut d = DescriptorProto {
            name: Some(m.name.clone()),
            ..DescriptorProto::default()
        };
        for t in &m.nested {
            match t {
                TypeElement::Message(n) => d.nested_type.push(self.message(n, scope)),
                TypeElement::Enum(e) => d.enum_type.push(enum_descriptor(e, self.proto3)),
            }
        }
        for (i, oneof) in m.oneofs.iter().enumerate() {
            d.oneof_decl.push(OneofDescriptorProto {
                name: Some(oneof.name.clone()),
                options: None,
            });
            for f in &oneof.fields {
                let index = i32::try_from(i).unwrap_or(i32::MAX);
                let mut field = self.field(f, scope, &mut d.nested_type);
                field.oneof_index = Some(index);
                field.label = Some(PbLabel::Optional as i32);
                d.field.push(field);
            }
            for g in &oneof.groups {
                let mut field = self.group(g, scope, &mut d.nested_type);
                field.oneof_index = Some(i32::try_from(i).unwrap_or(i32::MAX));
                d.field.push(field);
            }
        }
        let mut synthetic = Vec::new();
        for f in &m.fields {
            let mut field = self.field(f, scope, &mut d.nested_type);
            if self.proto3 && f.label == Some(Label::Optional) {
                field.proto3_optional = Some(true);
                synthetic.push((d.field.len(), format!("_{}", f.name)));
            }
            d.field.push(field);
        }
        for (index, name) in synthetic {
            let oneof_index = i32::try_from(d.oneof_decl.len()).unwrap_or(i32::MAX);
            d.field[index].oneof_index = Some(oneof_index);
            d.oneof_decl.push(OneofDescriptorProto {
                name: Some(name),
                options: None,
            });
        }
        for g in &m.groups {
            let field = self.group(g, scope, &mut d.nested_type);
            d.field.push(field);
        }
        push_ranges(&mut d, m, None);
        for e in &m.extends {
            let fields = self.extend(e, scope);
            d.extension.extend(fields);
        }
        let deprecated = find_bool(&m.options, "deprecated");
        let map_entry = find_bool(&m.options, "map_entry");
        if deprecated.is_some() || map_entry.is_some() {
            d.options = Some(MessageOptions {
                deprecated,
                map_entry,
                ..MessageOptions::default()
            });
        }
        scope.pop();
        d
    }

    fn group(
        &mut self,
        g: &Group,
        scope: &mut Vec<String>,
        nested: &mut Vec<DescriptorProto>,
    ) -> FieldDescriptorProto {
        let message = Message {
            name: g.name.clone(),
            fields: g.fields.clone(),
            ..Message::default()
        };
        nested.push(self.message(&message, scope));
        let full = self.qualified(scope, &g.name);
        FieldDescriptorProto {
            name: Some(g.name.to_lowercase()),
            number: Some(g.tag),
            label: Some(label_number(g.label)),
            r#type: Some(PbType::Group as i32),
            type_name: Some(format!(".{full}")),
            ..FieldDescriptorProto::default()
        }
    }

    fn field(
        &mut self,
        f: &Field,
        scope: &[String],
        nested: &mut Vec<DescriptorProto>,
    ) -> FieldDescriptorProto {
        let mut d = FieldDescriptorProto {
            name: Some(f.name.clone()),
            number: Some(f.tag),
            label: Some(label_number(f.label)),
            json_name: f.json_name.clone(),
            default_value: f.default.clone(),
            ..FieldDescriptorProto::default()
        };
        if let Some((key, value)) = map_types(&f.ty) {
            let entry_name = map_entry_name(&f.name);
            let mut entry = DescriptorProto {
                name: Some(entry_name.clone()),
                options: Some(MessageOptions {
                    map_entry: Some(true),
                    ..MessageOptions::default()
                }),
                ..DescriptorProto::default()
            };
            for (number, (name, ty)) in [(1, ("key", key)), (2, ("value", value))] {
                let mut kv = FieldDescriptorProto {
                    name: Some(name.to_owned()),
                    number: Some(number),
                    label: Some(PbLabel::Optional as i32),
                    ..FieldDescriptorProto::default()
                };
                self.set_type(&mut kv, ty, scope);
                entry.field.push(kv);
            }
            nested.push(entry);
            let full = self.qualified(scope, &entry_name);
            d.label = Some(PbLabel::Repeated as i32);
            d.r#type = Some(PbType::Message as i32);
            d.type_name = Some(format!(".{full}"));
        } else {
            self.set_type(&mut d, &f.ty, scope);
        }
        let deprecated = find_bool(&f.options, "deprecated");
        let packed = find_bool(&f.options, "packed");
        if deprecated.is_some() || packed.is_some() {
            d.options = Some(FieldOptions {
                deprecated,
                packed,
                ..FieldOptions::default()
            });
        }
        d
    }

    fn set_type(&mut self, d: &mut FieldDescriptorProto, ty: &str, scope: &[String]) {
        if let Some(scalar) = scalar_type(ty) {
            d.r#type = Some(scalar as i32);
            return;
        }
        let (kind, name) = self.resolve(ty, scope);
        if let Some(kind) = kind {
            d.r#type = Some(kind as i32);
        }
        d.type_name = Some(name);
    }

    fn extend(&mut self, e: &Extend, scope: &[String]) -> Vec<FieldDescriptorProto> {
        let (_, extendee) = self.resolve(&e.name, scope);
        let mut ignored = Vec::new();
        e.fields
            .iter()
            .map(|f| {
                let mut d = self.field(f, scope, &mut ignored);
                d.extendee = Some(extendee.clone());
                if self.proto3 && f.label == Some(Label::Optional) {
                    d.proto3_optional = Some(true);
                }
                d
            })
            .collect()
    }

    fn service(&mut self, s: &Service) -> ServiceDescriptorProto {
        let scope: Vec<String> = Vec::new();
        let methods = s
            .rpcs
            .iter()
            .map(|rpc| {
                let (_, input) = self.resolve(&rpc.request, &scope);
                let (_, output) = self.resolve(&rpc.response, &scope);
                MethodDescriptorProto {
                    name: Some(rpc.name.clone()),
                    input_type: Some(input),
                    output_type: Some(output),
                    client_streaming: rpc.request_streaming.then_some(true),
                    server_streaming: rpc.response_streaming.then_some(true),
                    options: find_bool(&rpc.options, "deprecated").map(|d| MethodOptions {
                        deprecated: Some(d),
                        ..MethodOptions::default()
                    }),
                }
            })
            .collect();
        ServiceDescriptorProto {
            name: Some(s.name.clone()),
            method: methods,
            options: find_bool(&s.options, "deprecated").map(|d| ServiceOptions {
                deprecated: Some(d),
                ..ServiceOptions::default()
            }),
        }
    }
}

fn label_number(label: Option<Label>) -> i32 {
    match label {
        Some(Label::Required) => PbLabel::Required as i32,
        Some(Label::Repeated) => PbLabel::Repeated as i32,
        _ => PbLabel::Optional as i32,
    }
}

/// A proto3 enum must start with its zero value; Confluent accepts any order, so the zero value
/// is moved first (proto3 defaults to zero whatever the order, so nothing changes meaning).
fn enum_descriptor(e: &EnumElement, proto3: bool) -> EnumDescriptorProto {
    let mut d = EnumDescriptorProto {
        name: Some(e.name.clone()),
        ..EnumDescriptorProto::default()
    };
    let mut constants: Vec<&EnumConstant> = e.constants.iter().collect();
    if proto3 {
        if let Some(zero) = constants.iter().position(|c| c.tag == 0) {
            let first = constants.remove(zero);
            constants.insert(0, first);
        }
    }
    for c in constants {
        d.value.push(EnumValueDescriptorProto {
            name: Some(c.name.clone()),
            number: Some(c.tag),
            options: find_bool(&c.options, "deprecated").map(|v| EnumValueOptions {
                deprecated: Some(v),
                ..EnumValueOptions::default()
            }),
        });
    }
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
    let allow_alias = find_bool(&e.options, "allow_alias");
    let deprecated = find_bool(&e.options, "deprecated");
    if allow_alias.is_some() || deprecated.is_some() {
        d.options = Some(EnumOptions {
            allow_alias,
            deprecated,
            ..EnumOptions::default()
        });
    }
    d
}

fn file_options(options: &[OptionElement]) -> Option<FileOptions> {
    let o = FileOptions {
        java_package: find_str(options, "java_package"),
        java_outer_classname: find_str(options, "java_outer_classname"),
        java_multiple_files: find_bool(options, "java_multiple_files"),
        go_package: find_str(options, "go_package"),
        cc_enable_arenas: find_bool(options, "cc_enable_arenas"),
        objc_class_prefix: find_str(options, "objc_class_prefix"),
        csharp_namespace: find_str(options, "csharp_namespace"),
        swift_prefix: find_str(options, "swift_prefix"),
        php_namespace: find_str(options, "php_namespace"),
        ruby_package: find_str(options, "ruby_package"),
        deprecated: find_bool(options, "deprecated"),
        ..FileOptions::default()
    };
    (o != FileOptions::default()).then_some(o)
}

/// Reserved names and ranges and extension ranges of `m`, as a descriptor holds them (ranges
/// end-exclusive). `extension_options` is what each extension range carries: Confluent's
/// serialized form writes empty options, protoc's descriptors none.
pub(super) fn push_ranges(
    d: &mut DescriptorProto,
    m: &Message,
    extension_options: Option<prost_types::ExtensionRangeOptions>,
) {
    for r in m.reserveds.iter().flatten() {
        match r {
            Reserved::Name(n) => d.reserved_name.push(n.clone()),
            Reserved::Tag(t) => d.reserved_range.push(descriptor_proto::ReservedRange {
                start: Some(*t),
                end: Some(t.saturating_add(1)),
            }),
            Reserved::Range(s, e) => d.reserved_range.push(descriptor_proto::ReservedRange {
                start: Some(*s),
                end: Some(e.saturating_add(1)),
            }),
        }
    }
    for r in m.extensions.iter().flatten() {
        let (start, end) = match r {
            Reserved::Tag(t) => (*t, *t),
            Reserved::Range(s, e) => (*s, *e),
            Reserved::Name(_) => continue,
        };
        d.extension_range.push(descriptor_proto::ExtensionRange {
            start: Some(start),
            end: Some(end.saturating_add(1)),
            options: extension_options.clone(),
        });
    }
}
