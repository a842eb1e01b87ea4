//! The schema object model the compatibility diff runs on.
//!
//! It follows how Confluent's loader (everit) builds schemas, because the diff's verdicts depend
//! on it: each keyword group becomes one typed schema (`enum`, each of `allOf`/`anyOf`/`oneOf`,
//! `not`, `const`, the explicit `type`, then the types implied by the remaining keywords), and a
//! schema object yielding several of them becomes a synthetic `allOf`. A `type` array becomes an
//! `anyOf` of one schema per type. `$ref` becomes a reference to the node of its target, so
//! recursive schemas are graphs, not infinite trees.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};
use std::rc::Rc;

use jsonschema::{uri, Draft};

use super::jackson::Node;
use super::java_order::{hash_map_order, JavaHashSet};

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
    /// Compiled pattern (`None` when Rust's engine cannot compile it) and schema, in document
    /// order.
    pub pattern_properties: Vec<(Option<regex::Regex>, Id)>,
    pub property_dependencies: Vec<(String, Vec<String>)>,
    pub schema_dependencies: Vec<(String, Id)>,
    pub min_properties: Option<f64>,
    pub max_properties: Option<f64>,
    /// Whether `required` names each property, parallel to `properties`.
    pub property_required: Vec<bool>,
    /// Indexes into `properties` in the iteration order of a Java `HashSet` built from their
    /// names: the order the diff walks properties in when the other side adds no name.
    pub name_set_order: Vec<usize>,
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
    /// A fingerprint of the JSON of a subschema of `allOf`/`anyOf`/`oneOf` (member order
    /// ignored), by which duplicate subschemas are recognized; `None` elsewhere.
    pub fingerprint: Option<u64>,
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
            fingerprint: None,
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

/// The child of `node` named by one JSON pointer segment.
fn child<'a>(node: &'a Node, segment: &str) -> Option<&'a Node> {
    match node {
        Node::Object(_) => node.get(segment),
        Node::Array(items) => items.get(segment.parse::<usize>().ok()?),
        _ => None,
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((high * 16 + low) as u8);
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

/// Something a reference can name: a resource root or an anchor, with the base URI there.
struct Target<'a> {
    doc: usize,
    node: &'a Node,
    base: Rc<str>,
}

/// Longest base URI accepted. Every `$ref` is resolved against the base in effect, so an
/// enormous `$id` would make each of them cost as much; no real schema comes near this.
pub(crate) const MAX_BASE_URI: usize = 8 * 1024;

/// Whether every base URI set by `$id` (or draft 4's `id`) in `node` stays within
/// [`MAX_BASE_URI`].
pub(crate) fn bases_are_bounded(node: &Node, base: &str, draft: Draft, depth: usize) -> bool {
    if depth > 256 {
        return true;
    }
    match node {
        Node::Object(members) => {
            let mut base: Cow<'_, str> = Cow::Borrowed(base);
            if let Some(id) = node.get(id_keyword(draft)).and_then(Node::as_str) {
                if id.len() > MAX_BASE_URI {
                    return false;
                }
                if !id.starts_with('#') {
                    if let Some(b) = resolve_uri(&base, id) {
                        if b.len() > MAX_BASE_URI {
                            return false;
                        }
                        base = Cow::Owned(b);
                    }
                }
            }
            members.iter().all(|(key, value)| {
                DATA_KEYWORDS.contains(&key.as_str())
                    || bases_are_bounded(value, &base, draft, depth + 1)
            })
        }
        Node::Array(items) => items
            .iter()
            .all(|item| bases_are_bounded(item, base, draft, depth + 1)),
        _ => true,
    }
}

/// The resources (`$id`) and anchors of a document, by absolute URI.
fn index<'a>(
    targets: &mut HashMap<String, Target<'a>>,
    doc: usize,
    draft: Draft,
    node: &'a Node,
    base: &Rc<str>,
    depth: usize,
) {
    if depth > 256 {
        return;
    }
    match node {
        Node::Object(members) => {
            let mut base = Rc::clone(base);
            let mut register = |key: String, base: &Rc<str>| {
                targets.entry(key).or_insert_with(|| Target {
                    doc,
                    node,
                    base: Rc::clone(base),
                });
            };
            if let Some(id) = node.get(id_keyword(draft)).and_then(Node::as_str) {
                if let Some(anchor) = id.strip_prefix('#') {
                    let resource = base.split('#').next().unwrap_or_default();
                    register(format!("{resource}#{anchor}"), &base);
                } else if let Some(absolute) = resolve_uri(&base, id) {
                    let (resource, fragment) = absolute.split_once('#').unwrap_or((&absolute, ""));
                    base = Rc::from(resource);
                    if !fragment.is_empty() && !fragment.starts_with('/') {
                        register(absolute.clone(), &base);
                    }
                    register(format!("{base}#"), &base);
                }
            }
            if let Some(anchor) = node.get("$anchor").and_then(Node::as_str) {
                register(format!("{base}#{anchor}"), &base);
            }
            for (key, value) in members {
                if !DATA_KEYWORDS.contains(&key.as_str()) {
                    index(targets, doc, draft, value, &base, depth + 1);
                }
            }
        }
        Node::Array(items) => {
            for item in items {
                index(targets, doc, draft, item, base, depth + 1);
            }
        }
        _ => {}
    }
}

/// Builds the model of `docs[0]`, resolving references among all documents.
pub(crate) fn build(docs: &[Document]) -> Model {
    let mut targets = HashMap::new();
    for (i, doc) in docs.iter().enumerate() {
        let base: Rc<str> = Rc::from(doc.base.as_str());
        targets.insert(
            format!("{base}#"),
            Target {
                doc: i,
                node: &doc.node,
                base: Rc::clone(&base),
            },
        );
        index(&mut targets, i, doc.draft, &doc.node, &base, 0);
    }
    let mut builder = Builder {
        docs,
        targets,
        nodes: Vec::new(),
        built: HashMap::new(),
        pending: Vec::new(),
        hasher: std::collections::hash_map::RandomState::new(),
    };
    let root = builder.build_at(0, &docs[0].node, &Rc::from(docs[0].base.as_str()), 0);
    while let Some((node, doc, target, base)) = builder.pending.pop() {
        let id = builder.build_at(doc, target, &base, 0);
        builder.nodes[node].kind = Kind::Reference(Some(id));
    }
    Model {
        nodes: builder.nodes,
        root,
    }
}

struct Builder<'a> {
    docs: &'a [Document],
    targets: HashMap<String, Target<'a>>,
    nodes: Vec<Schema>,
    /// Schemas already built, by the address of their JSON (documents do not move meanwhile).
    built: HashMap<usize, Id>,
    /// Reference nodes and their targets, to build once the current schema is done.
    pending: Vec<(Id, usize, &'a Node, Rc<str>)>,
    hasher: std::collections::hash_map::RandomState,
}

/// The identity of a JSON value inside the documents being built.
fn address(node: &Node) -> usize {
    std::ptr::from_ref(node) as usize
}

/// Hashes JSON with object members in key order, so that member order does not matter.
fn hash_json(node: &Node, state: &mut impl Hasher) {
    match node {
        Node::Null => 0u8.hash(state),
        Node::Bool(b) => (1u8, b).hash(state),
        Node::Number { text, integer } => (2u8, text, integer).hash(state),
        Node::String(s) => (3u8, s).hash(state),
        Node::Array(items) => {
            (4u8, items.len()).hash(state);
            for item in items {
                hash_json(item, state);
            }
        }
        Node::Object(members) => {
            (5u8, members.len()).hash(state);
            let mut sorted: Vec<&(String, Node)> = members.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            for (key, value) in sorted {
                key.hash(state);
                hash_json(value, state);
            }
        }
    }
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

impl<'a> Builder<'a> {
    fn push(&mut self, schema: Schema) -> Id {
        self.nodes.push(schema);
        self.nodes.len() - 1
    }

    /// The schema an absolute reference names, with the base URI in effect there.
    fn resolve(&self, absolute: &str) -> Option<(usize, &'a Node, Rc<str>)> {
        let (resource, fragment) = absolute.split_once('#').unwrap_or((absolute, ""));
        let fragment = percent_decode(fragment);
        if !fragment.is_empty() && !fragment.starts_with('/') {
            let target = self.targets.get(&format!("{resource}#{fragment}"))?;
            return Some((target.doc, target.node, Rc::clone(&target.base)));
        }
        // Walk the pointer from the resource root, following `$id`s on the way.
        let target = self.targets.get(&format!("{resource}#"))?;
        let (doc, mut node, mut base) = (target.doc, target.node, Rc::clone(&target.base));
        let draft = self.docs[doc].draft;
        for segment in fragment.split('/').skip(1) {
            node = child(node, &segment.replace("~1", "/").replace("~0", "~"))?;
            if let Some(id) = node.get(id_keyword(draft)).and_then(Node::as_str) {
                if !id.starts_with('#') {
                    if let Some(b) = resolve_uri(&base, id) {
                        base = Rc::from(b.split('#').next().unwrap_or_default());
                    }
                }
            }
        }
        Some((doc, node, base))
    }

    fn build_child(
        &mut self,
        doc: usize,
        node: Option<&'a Node>,
        base: &Rc<str>,
        depth: usize,
    ) -> Option<Id> {
        node.map(|n| self.build_at(doc, n, base, depth + 1))
    }

    fn build_at(&mut self, doc: usize, node: &'a Node, base: &Rc<str>, depth: usize) -> Id {
        let key = address(node);
        if let Some(&id) = self.built.get(&key) {
            return id;
        }
        if depth > 512 {
            return self.push(Schema::bare(Kind::Empty));
        }
        let draft = self.docs[doc].draft;
        let members = match node {
            Node::Object(members) => members,
            _ => {
                let kind = match node {
                    Node::Bool(true) => Kind::True,
                    Node::Bool(false) => Kind::False,
                    // Confluent reads any other root as an empty schema.
                    _ => Kind::Empty,
                };
                let id = self.push(Schema::bare(kind));
                self.built.insert(key, id);
                return id;
            }
        };
        // Reserve the slot first so that cycles through `$ref` find it.
        let slot = self.push(Schema::bare(Kind::Empty));
        self.built.insert(key, slot);

        let mut base = Rc::clone(base);
        if let Some(id) = node.get(id_keyword(draft)).and_then(Node::as_str) {
            if !id.starts_with('#') {
                if let Some(b) = resolve_uri(&base, id) {
                    base = Rc::from(b.split('#').next().unwrap_or_default());
                }
            }
        }

        if let Some(reference) = node.get("$ref").and_then(Node::as_str) {
            let absolute = resolve_uri(&base, reference).unwrap_or_else(|| reference.to_owned());
            if let Some((doc, target, target_base)) = self.resolve(&absolute) {
                self.pending.push((slot, doc, target, target_base));
            }
            self.nodes[slot].kind = Kind::Reference(None);
            self.annotate(slot, node, draft);
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
            let items: &[Node] = match node.get(&key) {
                Some(Node::Array(items)) => items,
                _ => &[],
            };
            let mut subschemas = Vec::with_capacity(items.len());
            for item in items {
                let id = self.build_at(doc, item, &base, depth + 1);
                if self.nodes[id].fingerprint.is_none() {
                    let mut state = self.hasher.build_hasher();
                    hash_json(item, &mut state);
                    self.nodes[id].fingerprint = Some(state.finish());
                }
                subschemas.push(id);
            }
            parts.push(self.push(Schema::bare(Kind::Combined {
                criterion,
                subschemas,
            })));
        }
        if has("not") {
            if let Some(id) = self.build_child(doc, node.get("not"), &base, depth) {
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
                if let Some(id) = self.typed(t, node, doc, &base, depth, &mut consumed) {
                    parts.push(id);
                }
            }
            Some(Node::Array(types)) => {
                let mut subschemas = Vec::new();
                for t in types.iter().filter_map(Node::as_str) {
                    if let Some(id) = self.typed(t, node, doc, &base, depth, &mut consumed) {
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
            let rules = self.array_rules(node, doc, &base, depth);
            parts.push(self.push(Schema::bare(Kind::Array(rules))));
        }
        if unconsumed(&OBJECT_KEYWORDS, &consumed) {
            let rules = self.object_rules(node, doc, &base, depth);
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
        self.nodes[slot].kind = kind;
        self.annotate(slot, node, draft);
        slot
    }

    /// The keywords every schema carries, whatever its kind.
    fn annotate(&mut self, slot: Id, node: &Node, draft: Draft) {
        let text = |key: &str| node.get(key).and_then(Node::as_str).map(str::to_owned);
        let schema = &mut self.nodes[slot];
        schema.id = text(id_keyword(draft));
        schema.title = text("title");
        schema.description = text("description");
        schema.default = node.get("default").cloned();
        schema.connect_type = text("connect.type");
    }

    fn typed(
        &mut self,
        type_name: &str,
        node: &'a Node,
        doc: usize,
        base: &Rc<str>,
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
                Kind::Array(self.array_rules(node, doc, base, depth))
            }
            "object" => {
                consumed.extend_from_slice(&OBJECT_KEYWORDS);
                Kind::Object(self.object_rules(node, doc, base, depth))
            }
            _ => return None,
        };
        Some(self.push(Schema::bare(kind)))
    }

    fn array_rules(
        &mut self,
        node: &'a Node,
        doc: usize,
        base: &Rc<str>,
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
                let schemas = items
                    .iter()
                    .map(|item| self.build_at(doc, item, base, depth + 1))
                    .collect();
                rules.item_schemas = Some(schemas);
            }
            Some(_) if !prefix_items => {
                rules.all_items = self.build_child(doc, node.get("items"), base, depth);
            }
            _ => {}
        }
        match node.get(rest_key) {
            Some(Node::Bool(permits)) => rules.permits_additional_items = *permits,
            Some(Node::Object(_)) => {
                rules.additional_items = self.build_child(doc, node.get(rest_key), base, depth);
            }
            _ => {}
        }
        rules
    }

    fn object_rules(
        &mut self,
        node: &'a Node,
        doc: usize,
        base: &Rc<str>,
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
            let by_name: HashMap<&str, &Node> =
                properties.iter().map(|(k, v)| (k.as_str(), v)).collect();
            let names: Vec<String> = properties.iter().map(|(k, _)| k.clone()).collect();
            let order = hash_map_order(&hash_map_order(&hash_map_order(&names)));
            for name in order {
                let value = by_name.get(name.as_str()).copied();
                if let Some(id) = self.build_child(doc, value, base, depth) {
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
            for (name, value) in patterns {
                let id = self.build_at(doc, value, base, depth + 1);
                {
                    let regex = regex::RegexBuilder::new(name)
                        .size_limit(1 << 20)
                        .build()
                        .ok();
                    rules.pattern_properties.push((regex, id));
                }
            }
        }
        match node.get("additionalProperties") {
            Some(Node::Bool(permits)) => rules.permits_additional = *permits,
            Some(Node::Object(_)) => {
                rules.additional =
                    self.build_child(doc, node.get("additionalProperties"), base, depth);
            }
            _ => {}
        }
        for key in ["dependencies", "dependentRequired", "dependentSchemas"] {
            if let Some(Node::Object(dependencies)) = node.get(key) {
                for (name, value) in dependencies {
                    match value {
                        Node::Array(list) => rules.property_dependencies.push((
                            name.clone(),
                            list.iter()
                                .filter_map(Node::as_str)
                                .map(str::to_owned)
                                .collect(),
                        )),
                        _ => {
                            let id = self.build_at(doc, value, base, depth + 1);
                            rules.schema_dependencies.push((name.clone(), id));
                        }
                    }
                }
            }
        }
        let required: std::collections::HashSet<&str> =
            rules.required.iter().map(String::as_str).collect();
        rules.property_required = rules
            .properties
            .iter()
            .map(|(name, _)| required.contains(name.as_str()))
            .collect();
        let names: Vec<String> = rules.properties.iter().map(|(k, _)| k.clone()).collect();
        let position: HashMap<&str, usize> = names
            .iter()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i))
            .collect();
        rules.name_set_order = JavaHashSet::from_collection(&names)
            .keys()
            .iter()
            .filter_map(|k| position.get(k.as_str()).copied())
            .collect();
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
