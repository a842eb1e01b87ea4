//! The syntax tree of a `.proto` file, kept as written.
//!
//! Confluent prints, normalizes and compares Protobuf schemas from the parsed text, not from the
//! compiled descriptor: type names stay as written (`d.D`, `.a.b.Y`), options keep their order
//! and their unresolved names, and nothing is checked beyond the grammar. This tree holds exactly
//! that much.

use std::fmt;

/// `syntax = "..."` of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Syntax {
    Proto2,
    Proto3,
}

impl Syntax {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Syntax::Proto2 => "proto2",
            Syntax::Proto3 => "proto3",
        }
    }
}

/// Where a declaration starts: 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Location {
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, ":{}:{}", self.line, self.column)
    }
}

/// A whole file.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProtoFile {
    pub syntax: Option<Syntax>,
    pub package: Option<String>,
    pub imports: Vec<String>,
    pub public_imports: Vec<String>,
    pub options: Vec<OptionElement>,
    pub types: Vec<TypeElement>,
    pub extends: Vec<Extend>,
    pub services: Vec<Service>,
}

/// A message or an enum.
#[derive(Debug, Clone)]
pub(crate) enum TypeElement {
    Message(Message),
    Enum(EnumElement),
}

impl TypeElement {
    pub(crate) fn name(&self) -> &str {
        match self {
            TypeElement::Message(m) => &m.name,
            TypeElement::Enum(e) => &e.name,
        }
    }

    pub(crate) fn location(&self) -> Location {
        match self {
            TypeElement::Message(m) => m.location,
            TypeElement::Enum(e) => e.location,
        }
    }

    pub(crate) fn nested(&self) -> &[TypeElement] {
        match self {
            TypeElement::Message(m) => &m.nested,
            TypeElement::Enum(_) => &[],
        }
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Message {
    pub name: String,
    pub location: Location,
    pub options: Vec<OptionElement>,
    pub reserveds: Vec<Vec<Reserved>>,
    pub fields: Vec<Field>,
    pub oneofs: Vec<OneOf>,
    pub groups: Vec<Group>,
    pub extensions: Vec<Vec<Reserved>>,
    pub extends: Vec<Extend>,
    pub nested: Vec<TypeElement>,
}

/// `required`, `optional` or `repeated`; fields without one have none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Label {
    Required,
    Optional,
    Repeated,
}

impl Label {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Label::Required => "required",
            Label::Optional => "optional",
            Label::Repeated => "repeated",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub label: Option<Label>,
    /// The type as written: a scalar, a (possibly qualified) name, or `map<K, V>`.
    pub ty: String,
    pub name: String,
    pub tag: i32,
    pub default: Option<String>,
    pub json_name: Option<String>,
    pub options: Vec<OptionElement>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct OneOf {
    pub name: String,
    pub options: Vec<OptionElement>,
    pub fields: Vec<Field>,
    pub groups: Vec<Group>,
}

/// A proto2 group: a field and a nested message in one declaration.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub label: Option<Label>,
    pub name: String,
    pub tag: i32,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct EnumElement {
    pub name: String,
    pub location: Location,
    pub options: Vec<OptionElement>,
    pub reserveds: Vec<Vec<Reserved>>,
    pub constants: Vec<EnumConstant>,
}

#[derive(Debug, Clone)]
pub(crate) struct EnumConstant {
    pub name: String,
    pub tag: i32,
    pub options: Vec<OptionElement>,
}

/// One value of a `reserved` or `extensions` declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reserved {
    Tag(i32),
    Range(i32, i32),
    Name(String),
}

#[derive(Debug, Clone)]
pub(crate) struct Extend {
    pub name: String,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone)]
pub(crate) struct Service {
    pub name: String,
    pub location: Location,
    pub options: Vec<OptionElement>,
    pub rpcs: Vec<Rpc>,
}

#[derive(Debug, Clone)]
pub(crate) struct Rpc {
    pub name: String,
    pub request: String,
    pub response: String,
    pub request_streaming: bool,
    pub response_streaming: bool,
    pub options: Vec<OptionElement>,
}

/// An option: `name = value`, `(ext.name) = value` or `(ext).sub = value`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OptionElement {
    /// Without parentheses.
    pub name: String,
    pub parenthesized: bool,
    pub value: OptionValue,
}

/// An option value with its kind, as Wire's `OptionElement.Kind` distinguishes them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum OptionValue {
    /// A string literal, unescaped.
    Str(String),
    /// `true` or `false`.
    Bool(String),
    /// A number token as written.
    Number(String),
    /// Any other identifier.
    Enum(String),
    /// A text-format message; keys in order, `[ext.name]` keys kept with brackets.
    Map(Vec<(String, OptionValue)>),
    /// A list of values.
    List(Vec<OptionValue>),
    /// `(ext).sub = value`: the sub-option.
    Option(Box<OptionElement>),
}

/// The largest field number.
pub(crate) const MAX_TAG: i32 = 536_870_911;

/// Whether `ty` names one of the fifteen scalar types.
pub(crate) fn is_scalar(ty: &str) -> bool {
    matches!(
        ty,
        "double"
            | "float"
            | "int32"
            | "int64"
            | "uint32"
            | "uint64"
            | "sint32"
            | "sint64"
            | "fixed32"
            | "fixed64"
            | "sfixed32"
            | "sfixed64"
            | "bool"
            | "string"
            | "bytes"
    )
}

/// Splits `map<K, V>` into its key and value types.
pub(crate) fn map_types(ty: &str) -> Option<(&str, &str)> {
    let inner = ty.strip_prefix("map<")?.strip_suffix('>')?;
    let (k, v) = inner.split_once(',')?;
    Some((k.trim(), v.trim()))
}
