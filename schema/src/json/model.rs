//! The schema object model the compatibility diff runs on.
//!
//! It follows how Confluent's loader (everit) builds schemas, because the diff's verdicts depend
//! on it: each keyword group becomes one typed schema (`enum`, each of `allOf`/`anyOf`/`oneOf`,
//! `not`, `const`, the explicit `type`, then the types implied by the remaining keywords), and a
//! schema object yielding several of them becomes a synthetic `allOf`. A `type` array becomes an
//! `anyOf` of one schema per type. `$ref` becomes a reference to the node of its target, so
//! recursive schemas are graphs, not infinite trees.

use std::collections::HashMap;

use jsonschema::{uri, Draft};

use super::jackson::Node;
use super::java_order::hash_map_order;

/// Index of a schema in [`Model::nodes`].
pub(crate) type Id = usize;

/// The combination rule of a combined schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Criterion {
    All,
    Any,
    One,
}

/// String keywords that are compared.
#[derive(Debug, Default)]
pub(crate) struct StringRules {
    pub min_length: Option<f64>,
    pub max_length: Option<f64>,
    pub pattern: Option<String>,
}

/// Number keywords that are compared.
#[derive(Debug, Default)]
pub(crate) struct NumberRules {
    pub requires_integer: bool,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub exclusive_minimum: Option<f64>,
    pub exclusive_maximum: Option<f64>,
    /// The literal, for exact decimal arithmetic.
    pub multiple_of: Option<String>,
}

/// Object keywords that are compared.
#[derive(Debug, Default)]
pub(crate) struct ObjectRules {
    /// In the iteration order of Confluent's property map.
    pub properties: Vec<(String, Id)>,
    pub required: Vec<String>,
    pub permits_additional: bool,
    pub additional: Option<Id>,
    /// Regex source and schema, in document order.
    pub pattern_properties: Vec<(String, Id)>,
    pub property_dependencies: Vec<(String, Vec<String>)>,
    pub schema_dependencies: Vec<(String, Id)>,
    pub min_properties: Option<f64>,
    pub max_properties: Option<f64>,
}

/// Array keywords that are compared.
#[derive(Debug, Default)]
pub(crate) struct ArrayRules {
    pub all_items: Option<Id>,
    pub item_schemas: Option<Vec<Id>>,
    pub permits_additional_items: bool,
    pub additional_items: Option<Id>,
    pub min_items: Option<f64>,
    pub max_items: Option<f64>,
    pub unique_items: bool,
}

/// What a schema is; two schemas of different kinds are "different classes" to the diff.
#[derive(Debug)]
pub(crate) enum Kind {
    Empty,
    True,
    False,
    Boolean,
    Null,
    String(StringRules),
    Number(NumberRules),
    Object(ObjectRules),
    Array(ArrayRules),
    Enum(Vec<Node>),
    Const(Node),
    Not(Id),
    Combined {
        criterion: Criterion,
        subschemas: Vec<Id>,
    },
    Conditional,
    /// A `$ref`, with its target once resolved (`None`: unresolvable, treated as opaque).
    Reference(Option<Id>),
}

impl Kind {
    /// A tag telling the classes apart (all combined schemas are one class).
    pub(crate) fn class(&self) -> u8 {
        match self {
            Kind::Empty => 0,
            Kind::True => 1,
            Kind::False => 2,
            Kind::Boolean => 3,
            Kind::Null => 4,
            Kind::String(_) => 5,
            Kind::Number(_) => 6,
            Kind::Object(_) => 7,
            Kind::Array(_) => 8,
            Kind::Enum(_) => 9,
            Kind::Const(_) => 10,
            Kind::Not(_) => 11,
            Kind::Combined { .. } => 12,
            Kind::Conditional => 13,
            Kind::Reference(_) => 14,
        }
    }
}

/// One schema of the model.
#[derive(Debug)]
pub(crate) struct Schema {
    pub kind: Kind,
    pub id: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub default: Option<Node>,
    /// The `connect.type` annotation, which lets `bytes` schemas change class.
    pub connect_type: Option<String>,
    /// The JSON the schema was read from; `None` for the parts of a synthetic combination.
    pub raw: Option<Node>,
}

impl Schema {
    fn bare(kind: Kind) -> Self {
        Schema {
            kind,
            id: None,
            title: None,
            description: None,
            default: None,
            connect_type: None,
            raw: None,
        }
    }

    /// Whether a property schema carries a `default`.
    pub(crate) fn has_default(&self) -> bool {
        self.default.is_some()
    }
}

/// A whole schema with everything it references.
#[derive(Debug)]
pub(crate) struct Model {
    pub nodes: Vec<Schema>,
    pub root: Id,
}

/// One JSON document: the schema itself or a referenced schema.
pub(crate) struct Document {
    pub node: Node,
    pub base: String,
    pub draft: Draft,
}

/// The base URI of a document with no `$id`, as the validator uses it.
pub(crate) const DEFAULT_BASE: &str = "json-schema:///";

/// Resolves `reference` against `base`; `None` when either is not a URI.
pub(crate) fn resolve_uri(base: &str, reference: &str) -> Option<String> {
    let base = uri::from_str(base).ok()?;
    uri::resolve_against(&base.borrow(), reference)
        .ok()
        .map(|u| u.as_str().to_owned())
}

fn id_keyword(draft: Draft) -> &'static str {
    if draft == Draft::Draft4 {
        "id"
    } else {
        "$id"
    }
}

/// A location: document index and JSON pointer (unescaped segments).
type Location = (usize, Vec<String>);

fn node_at<'a>(node: &'a Node, path: &[String]) -> Option<&'a Node> {
    let mut current = node;
    for segment in path {
        current = match current {
            Node::Object(_) => current.get(segment)?,
            Node::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(current)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Keys whose values are data, not schemas: no `$id` or anchor inside them counts.
const DATA_KEYWORDS: [&str; 4] = ["enum", "const", "default", "examples"];

struct Indexer<'a> {
    docs: &'a [Document],
    /// `resource#pointer` and `resource#anchor` to a location.
    targets: HashMap<String, Location>,
}

impl Indexer<'_> {
    fn index(
        &mut self,
        doc: usize,
        node: &Node,
        resource: &str,
        pointer: &str,
        path: &mut Vec<String>,
        depth: usize,
    ) {
        if depth > 256 {
            return;
        }
        let draft = self.docs[doc].draft;
        let mut resource = resource.to_owned();
        let mut pointer = pointer.to_owned();
        if let Node::Object(members) = node {
            if let Some(id) = node.get(id_keyword(draft)).and_then(Node::as_str) {
                if let Some(anchor) = id.strip_prefix('#') {
                    self.targets
                        .entry(format!("{resource}#{anchor}"))
                        .or_insert_with(|| (doc, path.clone()));
                } else if let Some(absolute) = resolve_uri(&resource, id) {
                    let (res, fragment) = absolute.split_once('#').unwrap_or((&absolute, ""));
                    if !fragment.is_empty() && !fragment.starts_with('/') {
                        self.targets
                            .entry(absolute.clone())
                            .or_insert_with(|| (doc, path.clone()));
                    }
                    resource = res.to_owned();
                    pointer = String::new();
                }
            }
            if let Some(anchor) = node.get("$anchor").and_then(Node::as_str) {
                self.targets
                    .entry(format!("{resource}#{anchor}"))
                    .or_insert_with(|| (doc, path.clone()));
            }
            self.targets
                .entry(format!("{resource}#{pointer}"))
                .or_insert_with(|| (doc, path.clone()));
            for (key, value) in members {
                if DATA_KEYWORDS.contains(&key.as_str()) {
                    continue;
                }
                path.push(key.clone());
                let child = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                self.index(doc, value, &resource, &child, path, depth + 1);
                path.pop();
            }
        } else if let Node::Array(items) = node {
            for (i, item) in items.iter().enumerate() {
                path.push(i.to_string());
                let child = format!("{pointer}/{i}");
                self.index(doc, item, &resource, &child, path, depth + 1);
                path.pop();
            }
        } else {
            self.targets
                .entry(format!("{resource}#{pointer}"))
                .or_insert_with(|| (doc, path.clone()));
        }
    }
}

/// Builds the model of `docs[0]`, resolving references among all documents.
pub(crate) fn build(docs: &[Document]) -> Model {
    let mut indexer = Indexer {
        docs,
        targets: HashMap::new(),
    };
    for (i, doc) in docs.iter().enumerate() {
        indexer.index(i, &doc.node, &doc.base, "", &mut Vec::new(), 0);
    }
    let mut builder = Builder {
        docs,
        targets: indexer.targets,
        nodes: Vec::new(),
        built: HashMap::new(),
        pending: Vec::new(),
    };
    let root = builder.build_at(0, Vec::new(), &docs[0].base, 0);
    while let Some((node, absolute)) = builder.pending.pop() {
        let target = builder.resolve(&absolute);
        builder.nodes[node].kind = Kind::Reference(target);
    }
    Model {
        nodes: builder.nodes,
        root,
    }
}

struct Builder<'a> {
    docs: &'a [Document],
    targets: HashMap<String, Location>,
    nodes: Vec<Schema>,
    built: HashMap<Location, Id>,
    /// Reference nodes and the absolute URI they point to.
    pending: Vec<(Id, String)>,
}

const ARRAY_KEYWORDS: [&str; 10] = [
    "items",
    "additionalItems",
    "maxItems",
    "minItems",
    "uniqueItems",
    "contains",
    "prefixItems",
    "unevaluatedItems",
    "minContains",
    "maxContains",
];
const OBJECT_KEYWORDS: [&str; 11] = [
    "properties",
    "required",
    "minProperties",
    "maxProperties",
    "dependencies",
    "patternProperties",
    "additionalProperties",
    "propertyNames",
    "dependentRequired",
    "dependentSchemas",
    "unevaluatedProperties",
];
const NUMBER_KEYWORDS: [&str; 5] = [
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
];
const STRING_KEYWORDS: [&str; 4] = ["minLength", "maxLength", "pattern", "format"];
const CONDITIONAL_KEYWORDS: [&str; 3] = ["if", "then", "else"];

impl Builder<'_> {
    fn push(&mut self, schema: Schema) -> Id {
        self.nodes.push(schema);
        self.nodes.len() - 1
    }

    fn resolve(&mut self, absolute: &str) -> Option<Id> {
        let (resource, fragment) = absolute.split_once('#').unwrap_or((absolute, ""));
        let fragment = percent_decode(fragment);
        let location = if fragment.is_empty() || fragment.starts_with('/') {
            // Walk the pointer from the resource root, so that pointers into data work too.
            let (doc, mut path) = self.targets.get(&format!("{resource}#"))?.clone();
            for segment in fragment.split('/').skip(1) {
                path.push(segment.replace("~1", "/").replace("~0", "~"));
            }
            (doc, path)
        } else {
            self.targets.get(&format!("{resource}#{fragment}"))?.clone()
        };
        let base = self.base_at(&location);
        node_at(&self.docs[location.0].node, &location.1)?;
        Some(self.build_at(location.0, location.1, &base, 0))
    }

    /// The base URI in effect at a location.
    fn base_at(&self, location: &Location) -> String {
        let doc = &self.docs[location.0];
        let mut base = doc.base.clone();
        let mut current = &doc.node;
        let apply = |node: &Node, base: &mut String| {
            if let Some(id) = node.get(id_keyword(doc.draft)).and_then(Node::as_str) {
                if !id.starts_with('#') {
                    if let Some(b) = resolve_uri(base, id) {
                        *base = b;
                    }
                }
            }
        };
        apply(current, &mut base);
        for segment in &location.1 {
            match node_at(current, std::slice::from_ref(segment)) {
                Some(next) => current = next,
                None => break,
            }
            apply(current, &mut base);
        }
        base
    }

    fn build_child(
        &mut self,
        doc: usize,
        path: &[String],
        key: &[&str],
        base: &str,
        depth: usize,
    ) -> Option<Id> {
        let mut child = path.to_vec();
        child.extend(key.iter().map(|s| (*s).to_owned()));
        node_at(&self.docs[doc].node, &child)?;
        Some(self.build_at(doc, child, base, depth + 1))
    }

    fn build_at(&mut self, doc: usize, path: Vec<String>, base: &str, depth: usize) -> Id {
        let location = (doc, path);
        if let Some(&id) = self.built.get(&location) {
            return id;
        }
        let docs = self.docs;
        let Some(node) = node_at(&docs[doc].node, &location.1) else {
            return self.push(Schema::bare(Kind::Empty));
        };
        if depth > 512 {
            return self.push(Schema::bare(Kind::Empty));
        }
        let draft = docs[doc].draft;
        let members = match node {
            Node::Bool(true) => {
                let id = self.push(Schema::bare(Kind::True));
                self.built.insert(location, id);
                return id;
            }
            Node::Bool(false) => {
                let id = self.push(Schema::bare(Kind::False));
                self.built.insert(location, id);
                return id;
            }
            Node::Object(members) => members,
            // Confluent reads any other root as an empty schema.
            _ => {
                let id = self.push(Schema::bare(Kind::Empty));
                self.built.insert(location, id);
                return id;
            }
        };
        // Reserve the slot first so that cycles through `$ref` find it.
        let slot = self.push(Schema::bare(Kind::Empty));
        self.built.insert(location.clone(), slot);
        let path = location.1;

        let mut base = base.to_owned();
        if let Some(id) = node.get(id_keyword(draft)).and_then(Node::as_str) {
            if !id.starts_with('#') {
                if let Some(b) = resolve_uri(&base, id) {
                    base = b;
                }
            }
        }

        if let Some(reference) = node.get("$ref").and_then(Node::as_str) {
            let absolute = resolve_uri(&base, reference).unwrap_or_else(|| reference.to_owned());
            self.pending.push((slot, absolute));
            self.nodes[slot].kind = Kind::Reference(None);
            self.nodes[slot].raw = Some(node.clone());
            return slot;
        }

        let has = |key: &str| members.iter().any(|(k, _)| k == key);
        let mut consumed: Vec<&'static str> = Vec::new();
        let mut parts: Vec<Id> = Vec::new();

        if let Some(Node::Array(values)) = node.get("enum") {
            parts.push(self.push(Schema::bare(Kind::Enum(values.clone()))));
        }
        let present: Vec<String> = ["allOf", "anyOf", "oneOf"]
            .iter()
            .filter(|k| has(k))
            .map(|k| (*k).to_owned())
            .collect();
        for key in hash_map_order(&present) {
            let criterion = match key.as_str() {
                "allOf" => Criterion::All,
                "anyOf" => Criterion::Any,
                _ => Criterion::One,
            };
            let count = match node.get(&key) {
                Some(Node::Array(items)) => items.len(),
                _ => 0,
            };
            let mut subschemas = Vec::with_capacity(count);
            for i in 0..count {
                let index = i.to_string();
                if let Some(id) = self.build_child(doc, &path, &[&key, &index], &base, depth) {
                    subschemas.push(id);
                }
            }
            parts.push(self.push(Schema::bare(Kind::Combined {
                criterion,
                subschemas,
            })));
        }
        if has("not") {
            if let Some(id) = self.build_child(doc, &path, &["not"], &base, depth) {
                parts.push(self.push(Schema::bare(Kind::Not(id))));
            }
        }
        if let Some(value) = node.get("const") {
            if draft != Draft::Draft4 {
                parts.push(self.push(Schema::bare(Kind::Const(value.clone()))));
            }
        }
        match node.get("type") {
            Some(Node::String(t)) => {
                if let Some(id) = self.typed(t, node, doc, &path, &base, depth, &mut consumed) {
                    parts.push(id);
                }
            }
            Some(Node::Array(types)) => {
                let mut subschemas = Vec::new();
                for t in types.iter().filter_map(Node::as_str) {
                    if let Some(id) = self.typed(t, node, doc, &path, &base, depth, &mut consumed) {
                        subschemas.push(id);
                    }
                }
                parts.push(self.push(Schema::bare(Kind::Combined {
                    criterion: Criterion::Any,
                    subschemas,
                })));
            }
            _ => {}
        }
        let unconsumed =
            |keys: &[&str], consumed: &[&str]| keys.iter().any(|k| has(k) && !consumed.contains(k));
        if unconsumed(&ARRAY_KEYWORDS, &consumed) {
            let rules = self.array_rules(node, doc, &path, &base, depth);
            parts.push(self.push(Schema::bare(Kind::Array(rules))));
        }
        if unconsumed(&OBJECT_KEYWORDS, &consumed) {
            let rules = self.object_rules(node, doc, &path, &base, depth);
            parts.push(self.push(Schema::bare(Kind::Object(rules))));
        }
        if unconsumed(&NUMBER_KEYWORDS, &consumed) {
            let rules = number_rules(node, false, draft);
            parts.push(self.push(Schema::bare(Kind::Number(rules))));
        }
        if unconsumed(&STRING_KEYWORDS, &consumed) {
            parts.push(self.push(Schema::bare(Kind::String(string_rules(node)))));
        }
        if draft != Draft::Draft4
            && draft != Draft::Draft6
            && unconsumed(&CONDITIONAL_KEYWORDS, &consumed)
        {
            parts.push(self.push(Schema::bare(Kind::Conditional)));
        }

        let kind = match parts.len() {
            0 => Kind::Empty,
            1 => {
                let only = parts[0];
                std::mem::replace(&mut self.nodes[only].kind, Kind::Empty)
            }
            _ => Kind::Combined {
                criterion: Criterion::All,
                subschemas: parts,
            },
        };
        let schema = &mut self.nodes[slot];
        schema.kind = kind;
        schema.id = node
            .get(id_keyword(draft))
            .and_then(Node::as_str)
            .map(str::to_owned);
        schema.title = node.get("title").and_then(Node::as_str).map(str::to_owned);
        schema.description = node
            .get("description")
            .and_then(Node::as_str)
            .map(str::to_owned);
        schema.default = node.get("default").cloned();
        schema.connect_type = node
            .get("connect.type")
            .and_then(Node::as_str)
            .map(str::to_owned);
        schema.raw = Some(node.clone());
        slot
    }

    #[allow(clippy::too_many_arguments)]
    fn typed(
        &mut self,
        type_name: &str,
        node: &Node,
        doc: usize,
        path: &[String],
        base: &str,
        depth: usize,
        consumed: &mut Vec<&'static str>,
    ) -> Option<Id> {
        let draft = self.docs[doc].draft;
        let kind = match type_name {
            "string" => {
                consumed.extend_from_slice(&STRING_KEYWORDS);
                Kind::String(string_rules(node))
            }
            "integer" | "number" => {
                consumed.extend_from_slice(&NUMBER_KEYWORDS);
                Kind::Number(number_rules(node, type_name == "integer", draft))
            }
            "boolean" => Kind::Boolean,
            "null" => Kind::Null,
            "array" => {
                consumed.extend_from_slice(&ARRAY_KEYWORDS);
                Kind::Array(self.array_rules(node, doc, path, base, depth))
            }
            "object" => {
                consumed.extend_from_slice(&OBJECT_KEYWORDS);
                Kind::Object(self.object_rules(node, doc, path, base, depth))
            }
            _ => return None,
        };
        Some(self.push(Schema::bare(kind)))
    }

    fn array_rules(
        &mut self,
        node: &Node,
        doc: usize,
        path: &[String],
        base: &str,
        depth: usize,
    ) -> ArrayRules {
        let draft = self.docs[doc].draft;
        let mut rules = ArrayRules {
            permits_additional_items: true,
            min_items: node.get("minItems").and_then(Node::as_f64),
            max_items: node.get("maxItems").and_then(Node::as_f64),
            unique_items: matches!(node.get("uniqueItems"), Some(Node::Bool(true))),
            ..ArrayRules::default()
        };
        let prefix_items = draft == Draft::Draft202012 && node.get("prefixItems").is_some();
        let (tuple_key, rest_key) = if prefix_items {
            ("prefixItems", "items")
        } else {
            ("items", "additionalItems")
        };
        match node.get(tuple_key) {
            Some(Node::Array(items)) => {
                let mut schemas = Vec::new();
                for i in 0..items.len() {
                    let index = i.to_string();
                    if let Some(id) = self.build_child(doc, path, &[tuple_key, &index], base, depth)
                    {
                        schemas.push(id);
                    }
                }
                rules.item_schemas = Some(schemas);
            }
            Some(_) if !prefix_items => {
                rules.all_items = self.build_child(doc, path, &["items"], base, depth);
            }
            _ => {}
        }
        match node.get(rest_key) {
            Some(Node::Bool(permits)) => rules.permits_additional_items = *permits,
            Some(Node::Object(_)) => {
                rules.additional_items = self.build_child(doc, path, &[rest_key], base, depth);
            }
            _ => {}
        }
        rules
    }

    fn object_rules(
        &mut self,
        node: &Node,
        doc: usize,
        path: &[String],
        base: &str,
        depth: usize,
    ) -> ObjectRules {
        let mut rules = ObjectRules {
            permits_additional: true,
            min_properties: node.get("minProperties").and_then(Node::as_f64),
            max_properties: node.get("maxProperties").and_then(Node::as_f64),
            ..ObjectRules::default()
        };
        if let Some(Node::Object(properties)) = node.get("properties") {
            // Document order through org.json's map, everit's map and the builder's map.
            let names: Vec<String> = properties.iter().map(|(k, _)| k.clone()).collect();
            let order = hash_map_order(&hash_map_order(&hash_map_order(&names)));
            for name in order {
                if let Some(id) = self.build_child(doc, path, &["properties", &name], base, depth) {
                    rules.properties.push((name, id));
                }
            }
        }
        if let Some(Node::Array(required)) = node.get("required") {
            rules.required = required
                .iter()
                .filter_map(Node::as_str)
                .map(str::to_owned)
                .collect();
        }
        if let Some(Node::Object(patterns)) = node.get("patternProperties") {
            let names: Vec<String> = patterns.iter().map(|(k, _)| k.clone()).collect();
            for name in names {
                if let Some(id) =
                    self.build_child(doc, path, &["patternProperties", &name], base, depth)
                {
                    rules.pattern_properties.push((name, id));
                }
            }
        }
        match node.get("additionalProperties") {
            Some(Node::Bool(permits)) => rules.permits_additional = *permits,
            Some(Node::Object(_)) => {
                rules.additional =
                    self.build_child(doc, path, &["additionalProperties"], base, depth);
            }
            _ => {}
        }
        for key in ["dependencies", "dependentRequired", "dependentSchemas"] {
            if let Some(Node::Object(dependencies)) = node.get(key) {
                let names: Vec<String> = dependencies.iter().map(|(k, _)| k.clone()).collect();
                for name in names {
                    match node.get(key).and_then(|d| d.get(&name)) {
                        Some(Node::Array(list)) => rules.property_dependencies.push((
                            name.clone(),
                            list.iter()
                                .filter_map(Node::as_str)
                                .map(str::to_owned)
                                .collect(),
                        )),
                        Some(_) => {
                            if let Some(id) =
                                self.build_child(doc, path, &[key, &name], base, depth)
                            {
                                rules.schema_dependencies.push((name.clone(), id));
                            }
                        }
                        None => {}
                    }
                }
            }
        }
        rules
    }
}

fn string_rules(node: &Node) -> StringRules {
    StringRules {
        min_length: node.get("minLength").and_then(Node::as_f64),
        max_length: node.get("maxLength").and_then(Node::as_f64),
        pattern: node
            .get("pattern")
            .and_then(Node::as_str)
            .map(str::to_owned),
    }
}

fn number_rules(node: &Node, requires_integer: bool, draft: Draft) -> NumberRules {
    let number = |key: &str| node.get(key).and_then(Node::as_f64);
    let (exclusive_minimum, exclusive_maximum) = if draft == Draft::Draft4 {
        (None, None)
    } else {
        (number("exclusiveMinimum"), number("exclusiveMaximum"))
    };
    NumberRules {
        requires_integer,
        minimum: number("minimum"),
        maximum: number("maximum"),
        exclusive_minimum,
        exclusive_maximum,
        multiple_of: match node.get("multipleOf") {
            Some(Node::Number { text, .. }) => Some(text.clone()),
            _ => None,
        },
    }
}
