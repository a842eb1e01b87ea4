//! The `FileDescriptorProto` Confluent returns for `format=serialized`: what its
//! `DynamicSchema` builder makes of the parsed text, byte for byte.
//!
//! It differs from what protoc would produce: the file is named `default`, type names stay as
//! written (`Inner`, `dep.D`), only resolvable named types get a `type`, implicit proto3 fields
//! have no label, map entries are named `<field>Entry`, oneof fields come before the other
//! fields, and oneof declarations and extension ranges carry empty options.

use prost_types::field_descriptor_proto::{Label as PbLabel, Type as PbType};
use prost_types::{
    descriptor_proto, enum_descriptor_proto, DescriptorProto, EnumDescriptorProto, EnumOptions,
    EnumValueDescriptorProto, EnumValueOptions, ExtensionRangeOptions, FieldDescriptorProto,
    FieldOptions, FileDescriptorProto, FileOptions, MessageOptions, MethodDescriptorProto,
    MethodOptions, OneofDescriptorProto, OneofOptions, ServiceDescriptorProto, ServiceOptions,
};

use super::ast::{
    map_types, EnumElement, Extend, Field, Label, Message, OptionElement, OptionValue, ProtoFile,
    Reserved, Service, Syntax, TypeElement,
};
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
    for import in &file.imports {
        if available(import) {
            fd.dependency.push(import.clone());
        }
    }
    for import in &file.public_imports {
        if available(import) {
            fd.public_dependency
                .push(i32::try_from(fd.dependency.len()).unwrap_or(i32::MAX));
            fd.dependency.push(import.clone());
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
                options: Some(ExtensionRangeOptions::default()),
            });
        }
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
