//! The Avro schema model and the parser that builds it, following Avro Java 1.11's
//! `Schema.Parser` step by step so that the same inputs are accepted, rejected and reported in the
//! same words.

use std::collections::{HashMap, HashSet};

use super::json::{parse_root, Json, Root};

/// Index of a schema node in its [`Arena`].
pub(crate) type Id = usize;

/// The primitive types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Prim {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
}

impl Prim {
    pub(crate) fn from_name(name: &str) -> Option<Prim> {
        Some(match name {
            "null" => Prim::Null,
            "boolean" => Prim::Boolean,
            "int" => Prim::Int,
            "long" => Prim::Long,
            "float" => Prim::Float,
            "double" => Prim::Double,
            "bytes" => Prim::Bytes,
            "string" => Prim::String,
            _ => return None,
        })
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Prim::Null => "null",
            Prim::Boolean => "boolean",
            Prim::Int => "int",
            Prim::Long => "long",
            Prim::Float => "float",
            Prim::Double => "double",
            Prim::Bytes => "bytes",
            Prim::String => "string",
        }
    }
}

/// A qualified name: the simple name and the namespace (never empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Name {
    pub name: String,
    pub space: Option<String>,
}

impl Name {
    /// Java's `new Name(name, space)`: a dotted name carries its own namespace; the last part is
    /// validated; an empty namespace means none.
    pub(crate) fn new(name: &str, space: Option<&str>) -> Result<Name, String> {
        let (simple, space) = match name.rfind('.') {
            Some(dot) => (&name[dot + 1..], Some(&name[..dot])),
            None => (name, space),
        };
        validate_name(Some(simple))?;
        Ok(Name {
            name: simple.to_owned(),
            space: space.filter(|s| !s.is_empty()).map(str::to_owned),
        })
    }

    pub(crate) fn full(&self) -> String {
        match &self.space {
            Some(space) => format!("{space}.{}", self.name),
            None => self.name.clone(),
        }
    }

    /// The name as written inside namespace `default_space`.
    pub(crate) fn qualified(&self, default_space: Option<&str>) -> String {
        match &self.space {
            None => self.name.clone(),
            Some(space) if Some(space.as_str()) == default_space => self.name.clone(),
            Some(_) => self.full(),
        }
    }
}

/// Avro 1.11's name check: a letter or `_`, then letters, digits or `_` (Java's Unicode
/// `Character.isLetter`/`isLetterOrDigit` on UTF-16 units, so characters outside the BMP fail).
pub(crate) fn validate_name(name: Option<&str>) -> Result<(), String> {
    let Some(name) = name else {
        return Err("Null name".to_owned());
    };
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return Err("Empty name".to_owned());
    };
    if !(is_java_letter(first) || first == '_') {
        return Err(format!("Illegal initial character: {name}"));
    }
    if !chars.all(|c| is_java_letter(c) || is_java_digit(c) || c == '_') {
        return Err(format!("Illegal character in: {name}"));
    }
    Ok(())
}

fn is_java_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || (!c.is_ascii() && (c as u32) <= 0xFFFF && c.is_alphabetic())
}

fn is_java_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && (c as u32) <= 0xFFFF && c.is_numeric())
}

/// A field's sort order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    Ascending,
    Descending,
    Ignore,
}

impl Order {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Order::Ascending => "ascending",
            Order::Descending => "descending",
            Order::Ignore => "ignore",
        }
    }
}

/// A record field.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub name: String,
    pub schema: Id,
    pub doc: Option<String>,
    pub default: Option<Json>,
    pub order: Order,
    pub aliases: Vec<String>,
    pub props: Vec<(String, Json)>,
}

/// What is common to records, enums and fixed types.
#[derive(Debug, Clone)]
pub(crate) struct Named {
    pub name: Name,
    pub doc: Option<String>,
    pub aliases: Vec<Name>,
}

/// The shape of a schema node.
#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Prim(Prim),
    Record {
        named: Named,
        is_error: bool,
        /// `None` while the record's own fields are being parsed.
        fields: Option<Vec<Field>>,
    },
    Enum {
        named: Named,
        symbols: Vec<String>,
        default: Option<String>,
    },
    Fixed {
        named: Named,
        size: i32,
    },
    Array(Id),
    Map(Id),
    Union(Vec<Id>),
}

/// A schema node: its shape and its custom properties in document order.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub kind: Kind,
    pub props: Vec<(String, Json)>,
}

impl Node {
    pub(crate) fn named(&self) -> Option<&Named> {
        match &self.kind {
            Kind::Record { named, .. } | Kind::Enum { named, .. } | Kind::Fixed { named, .. } => {
                Some(named)
            }
            _ => None,
        }
    }

    /// Java's `Schema.Type` name, as compatibility messages and `Field.toString` print it.
    pub(crate) fn type_name(&self) -> &'static str {
        match &self.kind {
            Kind::Prim(p) => match p {
                Prim::Null => "NULL",
                Prim::Boolean => "BOOLEAN",
                Prim::Int => "INT",
                Prim::Long => "LONG",
                Prim::Float => "FLOAT",
                Prim::Double => "DOUBLE",
                Prim::Bytes => "BYTES",
                Prim::String => "STRING",
            },
            Kind::Record { .. } => "RECORD",
            Kind::Enum { .. } => "ENUM",
            Kind::Fixed { .. } => "FIXED",
            Kind::Array(_) => "ARRAY",
            Kind::Map(_) => "MAP",
            Kind::Union(_) => "UNION",
        }
    }

    /// Java's `getFullName()`: the full name of a named type, the type name otherwise.
    pub(crate) fn full_name(&self) -> String {
        match &self.kind {
            Kind::Prim(p) => p.name().to_owned(),
            Kind::Array(_) => "array".to_owned(),
            Kind::Map(_) => "map".to_owned(),
            Kind::Union(_) => "union".to_owned(),
            _ => self.named().map(|n| n.name.full()).unwrap_or_default(),
        }
    }

    pub(crate) fn prop(&self, key: &str) -> Option<&Json> {
        self.props.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// All schema nodes of one parse (the schema and the dependencies parsed before it).
#[derive(Debug, Clone, Default)]
pub(crate) struct Arena {
    pub nodes: Vec<Node>,
}

impl Arena {
    pub(crate) fn node(&self, id: Id) -> &Node {
        &self.nodes[id]
    }

    fn push(&mut self, kind: Kind, props: Vec<(String, Json)>) -> Id {
        self.nodes.push(Node { kind, props });
        self.nodes.len() - 1
    }
}

/// A valid logical type, as Avro 1.11's `LogicalTypes.fromSchemaIgnoreInvalid` recognizes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Logical {
    Decimal { precision: i32, scale: i32 },
    Other(&'static str),
}

impl Logical {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Logical::Decimal { .. } => "decimal",
            Logical::Other(name) => name,
        }
    }
}

/// The logical type of a node, or `None` when absent, unknown or invalid (Java ignores those).
pub(crate) fn logical_type(node: &Node) -> Option<Logical> {
    let name = node.prop("logicalType")?.text()?;
    let prim = match &node.kind {
        Kind::Prim(p) => Some(*p),
        _ => None,
    };
    let simple =
        |wanted: Prim, name: &'static str| (prim == Some(wanted)).then_some(Logical::Other(name));
    match name {
        "decimal" => {
            let int_prop = |key: &str| match node.prop(key) {
                Some(Json::Int(i)) => Some(Some(*i)),
                Some(_) => None,
                None => Some(None),
            };
            let precision = int_prop("precision")??;
            let scale = int_prop("scale")?.unwrap_or(0);
            let max_precision = match &node.kind {
                Kind::Prim(Prim::Bytes) => i64::from(i32::MAX),
                Kind::Fixed { size, .. } => {
                    let bits = 8.0 * f64::from(*size) - 1.0;
                    (2f64.log10() * bits).floor().round() as i64
                }
                _ => return None,
            };
            let valid = precision > 0
                && i64::from(precision) <= max_precision
                && scale >= 0
                && scale <= precision;
            valid.then_some(Logical::Decimal { precision, scale })
        }
        "uuid" => simple(Prim::String, "uuid"),
        "date" => simple(Prim::Int, "date"),
        "time-millis" => simple(Prim::Int, "time-millis"),
        "time-micros" => simple(Prim::Long, "time-micros"),
        "timestamp-millis" => simple(Prim::Long, "timestamp-millis"),
        "timestamp-micros" => simple(Prim::Long, "timestamp-micros"),
        "local-timestamp-millis" => simple(Prim::Long, "local-timestamp-millis"),
        "local-timestamp-micros" => simple(Prim::Long, "local-timestamp-micros"),
        _ => None,
    }
}

const SCHEMA_RESERVED: [&str; 10] = [
    "doc",
    "fields",
    "items",
    "name",
    "namespace",
    "size",
    "symbols",
    "values",
    "type",
    "aliases",
];
const FIELD_RESERVED: [&str; 6] = ["default", "doc", "name", "order", "type", "aliases"];

/// Parses schema texts into one arena, sharing named types between them as one Java
/// `Schema.Parser` does across calls.
#[derive(Debug)]
pub(crate) struct Parser {
    pub arena: Arena,
    names: HashMap<String, Id>,
    space: Option<String>,
    validate_defaults: bool,
}

impl Parser {
    pub(crate) fn new(validate_defaults: bool) -> Self {
        Parser {
            arena: Arena::default(),
            names: HashMap::new(),
            space: None,
            validate_defaults,
        }
    }

    /// Parses one schema text (`Schema.Parser.parse(String)`), rejecting content after it.
    pub(crate) fn parse_text(&mut self, text: &str) -> Result<Id, String> {
        let (json, rest) = match parse_root(text) {
            Ok(Root::Value(json, rest)) => (json, rest),
            Ok(Root::Empty) => return Err("Cannot parse <null> schema".to_owned()),
            Err(e) => return Err(e.java_message()),
        };
        self.space = None;
        let id = self.parse(&json)?;
        let dangling = rest.trim_matches(|c: char| c <= ' ');
        if !dangling.is_empty() {
            return Err(format!("dangling content after end of schema: {dangling}"));
        }
        Ok(id)
    }

    fn lookup(&self, name: &Name) -> Option<Id> {
        self.names.get(&name.full()).copied()
    }

    /// `Names.get(String)`: a primitive, or a named type looked up in the current namespace,
    /// then in the null namespace.
    fn get(&mut self, text: &str) -> Result<Option<Id>, String> {
        if let Some(p) = Prim::from_name(text) {
            return Ok(Some(self.arena.push(Kind::Prim(p), Vec::new())));
        }
        let name = Name::new(text, self.space.as_deref())?;
        if let Some(id) = self.lookup(&name) {
            return Ok(Some(id));
        }
        let anonymous = Name::new(text, Some(""))?;
        Ok(self.lookup(&anonymous))
    }

    fn define(&mut self, name: &Name, id: Id) -> Result<(), String> {
        let full = name.full();
        if self.names.contains_key(&full) {
            return Err(format!("Can't redefine: {full}"));
        }
        self.names.insert(full, id);
        Ok(())
    }

    fn parse(&mut self, json: &Json) -> Result<Id, String> {
        match json {
            Json::Str(text) => match self.get(text)? {
                Some(id) => Ok(id),
                None => Err(format!("Undefined name: {}", json.to_json())),
            },
            Json::Object(_) => self.parse_object(json),
            Json::Array(items) => {
                let mut types = Vec::with_capacity(items.len());
                for item in items {
                    types.push(self.parse(item)?);
                }
                self.union(types)
            }
            other => Err(format!("Schema not yet supported: {}", other.to_json())),
        }
    }

    fn union(&mut self, types: Vec<Id>) -> Result<Id, String> {
        let mut seen: HashSet<String> = HashSet::new();
        for &t in &types {
            let node = self.arena.node(t);
            if matches!(node.kind, Kind::Union(_)) {
                let printed = super::print::union_to_string(&self.arena, &types);
                return Err(format!("Nested union: {printed}"));
            }
            let name = node.full_name();
            if seen.contains(&name) {
                return Err(format!("Duplicate in union:{name}"));
            }
            seen.insert(name);
        }
        Ok(self.arena.push(Kind::Union(types), Vec::new()))
    }

    fn parse_object(&mut self, json: &Json) -> Result<Id, String> {
        let Some(ty) = json.get("type").and_then(Json::text) else {
            return Err(format!("No type: {}", json.to_json()));
        };
        let ty = ty.to_owned();
        let is_error = ty == "error";
        let is_record = ty == "record";
        let is_enum = ty == "enum";
        let is_fixed = ty == "fixed";
        let saved_space = self.space.clone();
        let mut named = None;
        if is_record || is_error || is_enum || is_fixed {
            let space = json
                .get("namespace")
                .and_then(Json::text)
                .map(str::to_owned)
                .or_else(|| self.space.clone());
            let doc = json.get("doc").and_then(Json::text).map(str::to_owned);
            let Some(name) = json.get("name").and_then(Json::text) else {
                return Err(format!("No name in schema: {}", json.to_json()));
            };
            let name = Name::new(name, space.as_deref())?;
            self.space = name.space.clone();
            named = Some(Named {
                name,
                doc,
                aliases: Vec::new(),
            });
        }
        let id = if let Some(p) = Prim::from_name(&ty) {
            self.arena.push(Kind::Prim(p), Vec::new())
        } else if let (true, Some(named)) = (is_record || is_error, named.clone()) {
            check_not_primitive(&named.name)?;
            let name = named.name.clone();
            let id = self.arena.push(
                Kind::Record {
                    named,
                    is_error,
                    fields: None,
                },
                Vec::new(),
            );
            self.define(&name, id)?;
            let fields = match json.get("fields") {
                Some(Json::Array(fields)) => fields,
                _ => return Err(format!("Record has no fields: {}", json.to_json())),
            };
            let mut parsed: Vec<Field> = Vec::with_capacity(fields.len());
            for field in fields {
                parsed.push(self.parse_field(field)?);
            }
            let mut positions: HashMap<&str, usize> = HashMap::new();
            for (pos, f) in parsed.iter().enumerate() {
                if let Some(&first) = positions.get(f.name.as_str()) {
                    let describe = |field: &Field, at: usize| {
                        format!(
                            "{} type:{} pos:{at}",
                            field.name,
                            self.arena.node(field.schema).type_name()
                        )
                    };
                    return Err(format!(
                        "Duplicate field {} in record {}: {} and {}.",
                        f.name,
                        name.full(),
                        describe(f, pos),
                        describe(&parsed[first], first)
                    ));
                }
                positions.insert(&f.name, pos);
            }
            if let Kind::Record { fields, .. } = &mut self.arena.nodes[id].kind {
                *fields = Some(parsed);
            }
            id
        } else if let (true, Some(named)) = (is_enum, named.clone()) {
            let symbols = match json.get("symbols") {
                Some(Json::Array(symbols)) => symbols,
                _ => return Err(format!("Enum has no symbols: {}", json.to_json())),
            };
            let symbols: Vec<Option<String>> = symbols
                .iter()
                .map(|s| s.text().map(str::to_owned))
                .collect();
            let default = json.get("default").and_then(Json::text).map(str::to_owned);
            check_not_primitive(&named.name)?;
            let mut checked: Vec<String> = Vec::with_capacity(symbols.len());
            let mut distinct: HashSet<&str> = HashSet::new();
            for symbol in &symbols {
                validate_name(symbol.as_deref())?;
                let symbol = symbol.as_deref().unwrap_or_default();
                if !distinct.insert(symbol) {
                    return Err(format!("Duplicate enum symbol: {symbol}"));
                }
                checked.push(symbol.to_owned());
            }
            if let Some(default) = &default {
                if !distinct.contains(default.as_str()) {
                    return Err(format!(
                        "The Enum Default: {default} is not in the enum symbol set: [{}]",
                        checked.join(", ")
                    ));
                }
            }
            let name = named.name.clone();
            let id = self.arena.push(
                Kind::Enum {
                    named,
                    symbols: checked,
                    default,
                },
                Vec::new(),
            );
            self.define(&name, id)?;
            id
        } else if ty == "array" {
            let Some(items) = json.get("items") else {
                return Err(format!("Array has no items type: {}", json.to_json()));
            };
            let items = self.parse(items)?;
            self.arena.push(Kind::Array(items), Vec::new())
        } else if ty == "map" {
            let Some(values) = json.get("values") else {
                return Err(format!("Map has no values type: {}", json.to_json()));
            };
            let values = self.parse(values)?;
            self.arena.push(Kind::Map(values), Vec::new())
        } else if let (true, Some(named)) = (is_fixed, named.clone()) {
            let size = match json.get("size") {
                Some(Json::Int(size)) => *size,
                _ => return Err(format!("Invalid or no size: {}", json.to_json())),
            };
            check_not_primitive(&named.name)?;
            if size < 0 {
                return Err(format!("Malformed data. Length is negative: {size}"));
            }
            if size > i32::MAX - 8 {
                return Err(format!(
                    "Cannot read arrays longer than {} bytes in Java library",
                    i32::MAX - 8
                ));
            }
            let name = named.name.clone();
            let id = self.arena.push(Kind::Fixed { named, size }, Vec::new());
            self.define(&name, id)?;
            id
        } else {
            // A reference written as {"type": "Name"}: found in the current namespace only, and
            // every other attribute ignored.
            let name = Name::new(&ty, self.space.as_deref())?;
            return match self.lookup(&name) {
                Some(id) => Ok(id),
                None => Err(format!("Type not supported: {ty}")),
            };
        };
        if let Json::Object(members) = json {
            let mut props: Vec<(String, Json)> = Vec::new();
            for (key, value) in members {
                let reserved =
                    SCHEMA_RESERVED.contains(&key.as_str()) || (is_enum && key == "default");
                if !reserved {
                    props.push((key.clone(), value.clone()));
                }
            }
            self.arena.nodes[id].props = props;
        }
        self.space = saved_space;
        if self.arena.node(id).named().is_some() {
            if let Some(aliases) = parse_aliases(json)? {
                let space = self
                    .arena
                    .node(id)
                    .named()
                    .and_then(|n| n.name.space.clone());
                let mut names: Vec<Name> = Vec::new();
                let mut distinct: HashSet<String> = HashSet::new();
                for alias in aliases {
                    let alias = Name::new(&alias, space.as_deref())?;
                    if distinct.insert(alias.full()) {
                        names.push(alias);
                    }
                }
                match &mut self.arena.nodes[id].kind {
                    Kind::Record { named, .. }
                    | Kind::Enum { named, .. }
                    | Kind::Fixed { named, .. } => named.aliases = names,
                    _ => {}
                }
            }
        }
        Ok(id)
    }

    fn parse_field(&mut self, field: &Json) -> Result<Field, String> {
        let Some(name) = field.get("name").and_then(Json::text) else {
            return Err(format!("No field name: {}", field.to_json()));
        };
        let name = name.to_owned();
        let doc = field.get("doc").and_then(Json::text).map(str::to_owned);
        let Some(type_json) = field.get("type") else {
            return Err(format!("No field type: {}", field.to_json()));
        };
        if let Json::Str(text) = type_json {
            if self.get(text)?.is_none() {
                return Err(format!(
                    "{} is not a defined name. The type of the \"{name}\" field must be a defined name or a {{\"type\": ...}} expression.",
                    type_json.to_json()
                ));
            }
        }
        let schema = self.parse(type_json)?;
        let order = match field.get("order") {
            None => Order::Ascending,
            Some(node) => match node.text() {
                None => {
                    return Err("Cannot invoke \"String.toUpperCase(java.util.Locale)\" because the return value of \"com.fasterxml.jackson.databind.JsonNode.textValue()\" is null".to_owned())
                }
                Some(text) => match text.to_uppercase().as_str() {
                    "ASCENDING" => Order::Ascending,
                    "DESCENDING" => Order::Descending,
                    "IGNORE" => Order::Ignore,
                    other => {
                        return Err(format!(
                            "No enum constant org.apache.avro.Schema.Field.Order.{other}"
                        ))
                    }
                },
            },
        };
        let mut default = field.get("default").cloned();
        if let (Some(Json::Str(text)), Kind::Prim(Prim::Float | Prim::Double)) =
            (&default, &self.arena.node(schema).kind)
        {
            default = Some(Json::Double(java_parse_double(text)?));
        }
        validate_name(Some(&name))?;
        if self.validate_defaults {
            if let Some(value) = &default {
                if !is_valid_default(&self.arena, schema, value) {
                    return Err(format!(
                        "Invalid default for field {name}: {} not a {}",
                        value.to_json(),
                        super::print::to_string(&self.arena, schema)
                    ));
                }
            }
        }
        let mut props = Vec::new();
        if let Json::Object(members) = field {
            for (key, value) in members {
                if !FIELD_RESERVED.contains(&key.as_str()) {
                    props.push((key.clone(), value.clone()));
                }
            }
        }
        let mut aliases: Vec<String> = Vec::new();
        let mut distinct: HashSet<String> = HashSet::new();
        for alias in parse_aliases(field)?.unwrap_or_default() {
            if distinct.insert(alias.clone()) {
                aliases.push(alias);
            }
        }
        Ok(Field {
            name,
            schema,
            doc,
            default,
            order,
            aliases,
            props,
        })
    }
}

fn check_not_primitive(name: &Name) -> Result<(), String> {
    let full = name.full();
    if Prim::from_name(&full).is_some() {
        return Err(format!("Schemas may not be named after primitives: {full}"));
    }
    Ok(())
}

fn parse_aliases(json: &Json) -> Result<Option<Vec<String>>, String> {
    let Some(aliases) = json.get("aliases") else {
        return Ok(None);
    };
    let Json::Array(items) = aliases else {
        return Err(format!("aliases not an array: {}", json.to_json()));
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Json::Str(s) => out.push(s.clone()),
            other => return Err(format!("alias not a string: {}", other.to_json())),
        }
    }
    Ok(Some(out))
}

/// Java's `Double.valueOf(String)` for the forms a schema may hold.
fn java_parse_double(text: &str) -> Result<f64, String> {
    let trimmed = text.trim_matches(|c: char| c <= ' ');
    let unsuffixed = trimmed
        .strip_suffix(['d', 'D', 'f', 'F'])
        .unwrap_or(trimmed);
    let unsigned = unsuffixed.trim_start_matches(['+', '-']);
    let negative = unsuffixed.starts_with('-');
    let special = match unsigned {
        "NaN" => Some(f64::NAN),
        "Infinity" => Some(f64::INFINITY),
        _ => None,
    };
    if let Some(value) = special {
        if unsuffixed.len() - unsigned.len() <= 1 && unsuffixed == trimmed {
            return Ok(if negative { -value } else { value });
        }
    }
    let plain = unsigned
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
    match (
        plain && unsuffixed.len() - unsigned.len() <= 1,
        unsuffixed.parse::<f64>(),
    ) {
        (true, Ok(v)) => Ok(v),
        _ if trimmed.is_empty() => Err("empty String".to_owned()),
        _ => Err(format!("For input string: \"{text}\"")),
    }
}

/// Avro 1.11's `Schema.isValidDefault`.
pub(crate) fn is_valid_default(arena: &Arena, schema: Id, value: &Json) -> bool {
    is_valid(arena, schema, Some(value), 0)
}

fn is_valid(arena: &Arena, schema: Id, value: Option<&Json>, depth: usize) -> bool {
    let Some(value) = value else {
        return false;
    };
    if depth > 256 {
        return false;
    }
    match &arena.node(schema).kind {
        Kind::Prim(Prim::String | Prim::Bytes) | Kind::Enum { .. } | Kind::Fixed { .. } => {
            matches!(value, Json::Str(_))
        }
        Kind::Prim(Prim::Int) => value.is_integral() && value.fits_int(),
        Kind::Prim(Prim::Long) => value.is_integral() && value.fits_long(),
        Kind::Prim(Prim::Float | Prim::Double) => value.is_number(),
        Kind::Prim(Prim::Boolean) => matches!(value, Json::Bool(_)),
        Kind::Prim(Prim::Null) => matches!(value, Json::Null),
        Kind::Array(items) => match value {
            Json::Array(elements) => elements
                .iter()
                .all(|e| is_valid(arena, *items, Some(e), depth + 1)),
            _ => false,
        },
        Kind::Map(values) => match value {
            Json::Object(members) => members
                .iter()
                .all(|(_, v)| is_valid(arena, *values, Some(v), depth + 1)),
            _ => false,
        },
        Kind::Union(types) => match types.first() {
            Some(first) => is_valid(arena, *first, Some(value), depth + 1),
            None => false,
        },
        Kind::Record { fields, .. } => match value {
            Json::Object(members) => {
                let given: HashMap<&str, &Json> =
                    members.iter().map(|(k, v)| (k.as_str(), v)).collect();
                fields.iter().flatten().all(|f| {
                    let value = given.get(f.name.as_str()).copied().or(f.default.as_ref());
                    is_valid(arena, f.schema, value, depth + 1)
                })
            }
            _ => false,
        },
    }
}
