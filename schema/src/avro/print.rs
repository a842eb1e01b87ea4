//! Writing schemas back out: Avro Java's `Schema.toString()` (the canonical text Confluent
//! stores) and Confluent's normalized form (`AvroSchemaUtils.toNormalizedString`).

use std::collections::{BTreeMap, HashMap, HashSet};

use super::json::{java_float, quote, write_str, Json};
use super::schema::{logical_type, Arena, Field, Id, Kind, Logical, Node, Prim};

/// Deepest nesting the printers follow before giving up.
const MAX_DEPTH: usize = 256;

const TOO_DEEP: &str = "Schema nests too deeply to be printed";

/// Java's `Schema.toString()`: every named type written in full where it first appears.
pub(crate) fn to_string(arena: &Arena, id: Id) -> String {
    canonical(arena, id, &HashSet::new()).unwrap_or_else(|e| e)
}

/// The resolved text for libraries that read and write data with it: `error` types written as
/// records (such libraries only know the schema language's type names), and the defaults of
/// decimal fields left out (apache-avro refuses any, though Avro allows them).
pub(crate) fn to_plain_string(arena: &Arena, id: Id) -> Result<String, String> {
    let mut printer = Printer {
        arena,
        known: HashSet::new(),
        space: None,
        depth: 0,
        errors_as_records: true,
        field_defaults: false,
    };
    let mut out = String::new();
    printer.write(id, &mut out)?;
    Ok(out)
}

/// Java's `UnionSchema.toString()` for a union being built from `types`.
pub(crate) fn union_to_string(arena: &Arena, types: &[Id]) -> String {
    let mut printer = Printer {
        arena,
        known: HashSet::new(),
        space: None,
        depth: 0,
        errors_as_records: false,
        field_defaults: true,
    };
    let mut out = String::from("[");
    for (i, &t) in types.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if let Err(e) = printer.write(t, &mut out) {
            return e;
        }
    }
    out.push(']');
    out
}

/// Java's `Schema.toString(referencedSchemas, false)`: named types whose full names are in
/// `known` (the referenced schemas) are written by name only.
pub(crate) fn canonical(arena: &Arena, id: Id, known: &HashSet<String>) -> Result<String, String> {
    let mut printer = Printer {
        arena,
        known: known.clone(),
        space: None,
        depth: 0,
        errors_as_records: false,
        field_defaults: true,
    };
    let mut out = String::new();
    printer.write(id, &mut out)?;
    Ok(out)
}

struct Printer<'a> {
    arena: &'a Arena,
    known: HashSet<String>,
    space: Option<String>,
    depth: usize,
    errors_as_records: bool,
    /// Whether every field's default is written (else not a decimal field's).
    field_defaults: bool,
}

impl Printer<'_> {
    fn write(&mut self, id: Id, out: &mut String) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(TOO_DEEP.to_owned());
        }
        let result = self.write_node(id, out);
        self.depth -= 1;
        result
    }

    /// Writes a named type by name if it was written before; otherwise records it and returns
    /// `false` so that the caller writes it in full.
    fn name_ref(&mut self, node: &Node, out: &mut String) -> bool {
        let Some(named) = node.named() else {
            return false;
        };
        let full = named.name.full();
        if self.known.contains(&full) {
            write_str(out, &named.name.qualified(self.space.as_deref()));
            return true;
        }
        self.known.insert(full);
        false
    }

    fn write_name(&self, node: &Node, out: &mut String) {
        let Some(named) = node.named() else {
            return;
        };
        out.push_str(",\"name\":");
        write_str(out, &named.name.name);
        match (&named.name.space, &self.space) {
            (Some(space), current) if Some(space) != current.as_ref() => {
                out.push_str(",\"namespace\":");
                write_str(out, space);
            }
            (None, Some(_)) => out.push_str(",\"namespace\":\"\""),
            _ => {}
        }
        if let Some(doc) = &named.doc {
            out.push_str(",\"doc\":");
            write_str(out, doc);
        }
    }

    fn write_props(props: &[(String, Json)], out: &mut String) {
        for (key, value) in props {
            out.push(',');
            write_str(out, key);
            out.push(':');
            value.write(out);
        }
    }

    fn write_aliases(node: &Node, out: &mut String) {
        let Some(named) = node.named() else {
            return;
        };
        if named.aliases.is_empty() {
            return;
        }
        out.push_str(",\"aliases\":[");
        for (i, alias) in named.aliases.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_str(out, &alias.qualified(named.name.space.as_deref()));
        }
        out.push(']');
    }

    fn write_node(&mut self, id: Id, out: &mut String) -> Result<(), String> {
        let node = self.arena.node(id);
        match &node.kind {
            Kind::Prim(p) => {
                if node.props.is_empty() {
                    write_str(out, p.name());
                } else {
                    out.push_str("{\"type\":");
                    write_str(out, p.name());
                    Self::write_props(&node.props, out);
                    out.push('}');
                }
            }
            Kind::Record {
                named,
                is_error,
                fields,
            } => {
                if self.name_ref(node, out) {
                    return Ok(());
                }
                let saved = self.space.clone();
                out.push_str(if *is_error && !self.errors_as_records {
                    "{\"type\":\"error\""
                } else {
                    "{\"type\":\"record\""
                });
                self.write_name(node, out);
                self.space = named.name.space.clone();
                if let Some(fields) = fields {
                    out.push_str(",\"fields\":[");
                    for (i, field) in fields.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        self.write_field(field, out)?;
                    }
                    out.push(']');
                }
                Self::write_props(&node.props, out);
                Self::write_aliases(node, out);
                out.push('}');
                self.space = saved;
            }
            Kind::Enum {
                symbols, default, ..
            } => {
                if self.name_ref(node, out) {
                    return Ok(());
                }
                out.push_str("{\"type\":\"enum\"");
                self.write_name(node, out);
                out.push_str(",\"symbols\":[");
                for (i, symbol) in symbols.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(out, symbol);
                }
                out.push(']');
                if let Some(default) = default {
                    out.push_str(",\"default\":");
                    write_str(out, default);
                }
                Self::write_props(&node.props, out);
                Self::write_aliases(node, out);
                out.push('}');
            }
            Kind::Fixed { size, .. } => {
                if self.name_ref(node, out) {
                    return Ok(());
                }
                out.push_str("{\"type\":\"fixed\"");
                self.write_name(node, out);
                out.push_str(&format!(",\"size\":{size}"));
                Self::write_props(&node.props, out);
                Self::write_aliases(node, out);
                out.push('}');
            }
            Kind::Array(items) => {
                out.push_str("{\"type\":\"array\",\"items\":");
                self.write(*items, out)?;
                Self::write_props(&node.props, out);
                out.push('}');
            }
            Kind::Map(values) => {
                out.push_str("{\"type\":\"map\",\"values\":");
                self.write(*values, out)?;
                Self::write_props(&node.props, out);
                out.push('}');
            }
            Kind::Union(types) => {
                out.push('[');
                for (i, t) in types.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    self.write(*t, out)?;
                }
                out.push(']');
            }
        }
        Ok(())
    }

    /// Whether a field of this type holds a decimal where its default applies: the type itself,
    /// or a union's first branch.
    fn decimal(&self, id: Id) -> bool {
        let node = self.arena.node(id);
        let node = match &node.kind {
            Kind::Union(branches) => match branches.first() {
                Some(&first) => self.arena.node(first),
                None => return false,
            },
            _ => node,
        };
        node.prop("logicalType").and_then(|p| p.text()) == Some("decimal")
    }

    fn write_field(&mut self, field: &Field, out: &mut String) -> Result<(), String> {
        out.push_str("{\"name\":");
        write_str(out, &field.name);
        out.push_str(",\"type\":");
        self.write(field.schema, out)?;
        if let Some(doc) = &field.doc {
            out.push_str(",\"doc\":");
            write_str(out, doc);
        }
        let written = self.field_defaults || !self.decimal(field.schema);
        if let Some(default) = field.default.as_ref().filter(|_| written) {
            out.push_str(",\"default\":");
            default.write(out);
        }
        if field.order != super::schema::Order::Ascending {
            out.push_str(",\"order\":");
            write_str(out, field.order.name());
        }
        if !field.aliases.is_empty() {
            out.push_str(",\"aliases\":[");
            for (i, alias) in field.aliases.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(out, alias);
            }
            out.push(']');
        }
        Self::write_props(&field.props, out);
        out.push('}');
        Ok(())
    }
}

/// Confluent's `toNormalizedString`: names before types, properties and aliases sorted, defaults
/// converted through Avro's datum model. `referenced` holds the full names of the referenced
/// schemas, written by name. The result is parsed again and printed canonically by the caller,
/// as Confluent does.
pub(crate) fn normalized_text(
    arena: &Arena,
    id: Id,
    referenced: &[String],
) -> Result<String, String> {
    let mut builder = Normalizer {
        arena,
        env: referenced
            .iter()
            .map(|name| (name.clone(), quote(name)))
            .collect(),
        depth: 0,
    };
    let mut out = String::new();
    builder.build(id, &mut out)?;
    Ok(out)
}

struct Normalizer<'a> {
    arena: &'a Arena,
    env: HashMap<String, String>,
    depth: usize,
}

impl Normalizer<'_> {
    fn build(&mut self, id: Id, out: &mut String) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(TOO_DEEP.to_owned());
        }
        let result = self.build_node(id, out);
        self.depth -= 1;
        result
    }

    fn build_node(&mut self, id: Id, out: &mut String) -> Result<(), String> {
        let node = self.arena.node(id);
        match &node.kind {
            Kind::Union(types) => {
                out.push('[');
                for (i, t) in types.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    self.build(*t, out)?;
                }
                out.push(']');
            }
            Kind::Array(inner) | Kind::Map(inner) => {
                let (name, key) = if matches!(node.kind, Kind::Array(_)) {
                    ("array", "items")
                } else {
                    ("map", "values")
                };
                out.push_str(&format!("{{\"type\":\"{name}\",\"{key}\":"));
                self.build(*inner, out)?;
                simple_props(&node.props, out)?;
                out.push('}');
            }
            Kind::Record { named, .. } | Kind::Enum { named, .. } | Kind::Fixed { named, .. } => {
                let name = named.name.full();
                if let Some(reference) = self.env.get(&name) {
                    out.push_str(reference);
                    return Ok(());
                }
                // Java appends the name without escaping it.
                let qname = format!("\"{name}\"");
                self.env.insert(name, qname.clone());
                out.push_str("{\"name\":");
                out.push_str(&qname);
                match &node.kind {
                    Kind::Enum { symbols, .. } => {
                        out.push_str(",\"type\":\"enum\",\"symbols\":[");
                        for (i, symbol) in symbols.iter().enumerate() {
                            if i > 0 {
                                out.push(',');
                            }
                            out.push('"');
                            out.push_str(symbol);
                            out.push('"');
                        }
                        out.push(']');
                    }
                    Kind::Fixed { size, .. } => {
                        out.push_str(&format!(",\"type\":\"fixed\",\"size\":{size}"));
                        if let Some(logical) = logical_type(node) {
                            logical_props(logical, out);
                        }
                    }
                    Kind::Record { fields, .. } => {
                        out.push_str(",\"type\":\"record\",\"fields\":[");
                        for (i, field) in fields.iter().flatten().enumerate() {
                            if i > 0 {
                                out.push(',');
                            }
                            out.push_str("{\"name\":\"");
                            out.push_str(&field.name);
                            out.push_str("\",\"type\":");
                            self.build(field.schema, out)?;
                            self.field_props(field, out)?;
                            out.push('}');
                        }
                        out.push(']');
                    }
                    _ => {}
                }
                if let Some(doc) = named.doc.as_deref().filter(|d| !d.is_empty()) {
                    out.push_str(",\"doc\":");
                    write_str(out, doc);
                }
                if !named.aliases.is_empty() {
                    let sorted: Vec<String> = sorted_unique(named.aliases.iter().map(|a| a.full()));
                    write_string_array(",\"aliases\":", &sorted, out);
                }
                if let Kind::Enum {
                    default: Some(default),
                    ..
                } = &node.kind
                {
                    out.push_str(",\"default\":");
                    write_str(out, default);
                }
                simple_props(&node.props, out)?;
                out.push('}');
            }
            Kind::Prim(p) => match logical_type(node) {
                Some(logical) => {
                    out.push_str(&format!("{{\"type\":\"{}\"", p.name()));
                    logical_props(logical, out);
                    simple_props(&node.props, out)?;
                    out.push('}');
                }
                None if !node.props.is_empty() => {
                    out.push_str(&format!("{{\"type\":\"{}\"", p.name()));
                    simple_props(&node.props, out)?;
                    out.push('}');
                }
                None => {
                    out.push('"');
                    out.push_str(p.name());
                    out.push('"');
                }
            },
        }
        Ok(())
    }

    fn field_props(&self, field: &Field, out: &mut String) -> Result<(), String> {
        out.push_str(&format!(
            ",\"order\":\"{}\"",
            field.order.name().to_ascii_uppercase()
        ));
        if let Some(doc) = &field.doc {
            out.push_str(",\"doc\":");
            write_str(out, doc);
        }
        if !field.aliases.is_empty() {
            let sorted = sorted_unique(field.aliases.iter().cloned());
            write_string_array(",\"aliases\":", &sorted, out);
        }
        if let Some(default) = &field.default {
            if let Some(datum) = to_datum(self.arena, default, Some(field.schema), 0)? {
                out.push_str(",\"default\":");
                datum_json(&datum)?.write(out);
            }
        }
        simple_props(&field.props, out)
    }
}

fn sorted_unique(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = items.collect();
    v.sort_by(|a, b| java_compare(a, b));
    v.dedup();
    v
}

/// Java's `String.compareTo`: UTF-16 code unit order.
fn java_compare(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

fn write_string_array(prefix: &str, items: &[String], out: &mut String) {
    out.push_str(prefix);
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_str(out, item);
    }
    out.push(']');
}

fn logical_props(logical: Logical, out: &mut String) {
    out.push_str(&format!(",\"logicalType\":\"{}\"", logical.name()));
    if let Logical::Decimal { precision, scale } = logical {
        out.push_str(&format!(",\"precision\":{precision}"));
        if scale != 0 {
            out.push_str(&format!(",\"scale\":{scale}"));
        }
    }
}

/// Properties sorted by key, each value round-tripped through Avro's object model with object
/// keys sorted.
fn simple_props(props: &[(String, Json)], out: &mut String) -> Result<(), String> {
    let mut sorted: Vec<&(String, Json)> = props.iter().collect();
    sorted.sort_by(|a, b| java_compare(&a.0, &b.0));
    for (key, value) in sorted {
        let datum = to_datum(&Arena::default(), value, None, 0)?;
        let Some(datum) = datum else {
            return Err(NULL_DATUM.to_owned());
        };
        out.push(',');
        write_str(out, key);
        out.push(':');
        datum_json(&datum)?.write(out);
    }
    Ok(())
}

/// The Java exception Confluent reports when a converted default holds a value Avro could not
/// convert.
const NULL_DATUM: &str = "Cannot invoke \"Object.getClass()\" because \"datum\" is null";

/// An Avro Java datum as `JacksonUtils.toObject` builds it; `None` inside is Java's `null`.
#[derive(Debug, Clone)]
enum Datum {
    Null,
    Bool(bool),
    Int(i32),
    Long(i64),
    BigInt(String),
    Float(f32),
    Double(f64),
    Str(String),
    List(Vec<Option<Datum>>),
    Map(Vec<(String, Option<Datum>)>),
}

/// `JacksonUtils.toObject(node, schema)`.
fn to_datum(
    arena: &Arena,
    json: &Json,
    schema: Option<Id>,
    depth: usize,
) -> Result<Option<Datum>, String> {
    if depth > MAX_DEPTH {
        return Err(TOO_DEEP.to_owned());
    }
    let mut schema = schema;
    if let Some(id) = schema {
        if let Kind::Union(types) = &arena.node(id).kind {
            schema = types.first().copied();
            if schema.is_none() {
                return Err("Index 0 out of bounds for length 0".to_owned());
            }
        }
    }
    let kind = schema.map(|id| &arena.node(id).kind);
    let prim = |p: Prim| matches!(kind, Some(Kind::Prim(q)) if *q == p);
    Ok(match json {
        Json::Null => Some(Datum::Null),
        Json::Bool(b) => Some(Datum::Bool(*b)),
        Json::Int(i) => {
            if kind.is_none() || prim(Prim::Int) {
                Some(Datum::Int(*i))
            } else if prim(Prim::Long) {
                Some(Datum::Long(i64::from(*i)))
            } else {
                None
            }
        }
        Json::Long(l) => Some(Datum::Long(*l)),
        Json::BigInt(s) => {
            if kind.is_none() {
                Some(Datum::BigInt(s.clone()))
            } else {
                None
            }
        }
        Json::Double(d) => {
            if kind.is_none() || prim(Prim::Double) {
                Some(Datum::Double(*d))
            } else if prim(Prim::Float) {
                Some(Datum::Float(*d as f32))
            } else {
                None
            }
        }
        Json::Float(f) => Some(Datum::Float(*f)),
        Json::Str(s) => match kind {
            None | Some(Kind::Prim(Prim::String)) | Some(Kind::Enum { .. }) => {
                Some(Datum::Str(s.clone()))
            }
            Some(Kind::Prim(Prim::Bytes)) | Some(Kind::Fixed { .. }) => Some(Datum::Str(
                s.chars()
                    .map(|c| if (c as u32) <= 0xFF { c } else { '?' })
                    .collect(),
            )),
            _ => None,
        },
        Json::Array(items) => {
            let element = match (schema, kind) {
                (None, _) => None,
                (Some(_), Some(Kind::Array(items))) => Some(*items),
                (Some(id), _) => return Err(format!("Not an array: {}", to_string(arena, id))),
            };
            let mut list = Vec::with_capacity(items.len());
            for item in items {
                list.push(to_datum(arena, item, element, depth + 1)?);
            }
            Some(Datum::List(list))
        }
        Json::Object(members) => {
            let mut map = Vec::with_capacity(members.len());
            let field_schemas: HashMap<&str, Id> = match kind {
                Some(Kind::Record { fields, .. }) => fields
                    .iter()
                    .flatten()
                    .map(|f| (f.name.as_str(), f.schema))
                    .collect(),
                _ => HashMap::new(),
            };
            for (key, value) in members {
                let member_schema = match kind {
                    Some(Kind::Map(values)) => Some(*values),
                    Some(Kind::Record { .. }) => {
                        match field_schemas.get(key.as_str()) {
                            Some(&schema) => Some(schema),
                            None => return Err("Cannot invoke \"org.apache.avro.Schema$Field.schema()\" because the return value of \"org.apache.avro.Schema.getField(String)\" is null".to_owned()),
                        }
                    }
                    _ => None,
                };
                map.push((
                    key.clone(),
                    to_datum(arena, value, member_schema, depth + 1)?,
                ));
            }
            Some(Datum::Map(map))
        }
    })
}

/// `toJsonNode(datum)` with Confluent's sorting node factory: object keys come out sorted.
fn datum_json(datum: &Datum) -> Result<Json, String> {
    Ok(match datum {
        Datum::Null => Json::Null,
        Datum::Bool(b) => Json::Bool(*b),
        Datum::Int(i) => Json::Int(*i),
        Datum::Long(l) => match i32::try_from(*l) {
            Ok(i) => Json::Int(i),
            Err(_) => Json::Long(*l),
        },
        Datum::BigInt(s) => Json::BigInt(s.clone()),
        Datum::Float(f) => {
            if f.is_finite() {
                Json::Float(*f)
            } else {
                Json::Str(java_float(*f))
            }
        }
        Datum::Double(d) => Json::Double(*d),
        Datum::Str(s) => Json::Str(s.clone()),
        Datum::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Some(d) => out.push(datum_json(d)?),
                    None => return Err(NULL_DATUM.to_owned()),
                }
            }
            Json::Array(out)
        }
        Datum::Map(members) => {
            let mut sorted: BTreeMap<Vec<u16>, (String, Json)> = BTreeMap::new();
            for (key, value) in members {
                let Some(value) = value else {
                    return Err(NULL_DATUM.to_owned());
                };
                sorted.insert(
                    key.encode_utf16().collect(),
                    (key.clone(), datum_json(value)?),
                );
            }
            Json::Object(sorted.into_values().collect())
        }
    })
}
