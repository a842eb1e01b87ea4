//! Compatibility of two Protobuf schemas: Confluent 7.9's `SchemaDiff`, which compares the
//! parsed texts message by message, field number by field number.
//!
//! The oneof rules are those of the releases before 2026 (the registry corpus was judged by
//! 7.9): fields inside an update oneof leave the top-level comparison, oneofs are matched by
//! name only, and a member leaving a surviving oneof is `ONEOF_FIELD_REMOVED`.
//!
//! Confluent walks several `HashSet`s; their iteration order decides the order of the reported
//! differences, so [`java_hash_order`] reproduces it.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::hash::Hash;

use super::ast::{
    is_scalar, map_types, EnumElement, Field, Label, Message, OneOf, ProtoFile, TypeElement,
};
use super::types::Types;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    PackageChanged,
    MessageAdded,
    MessageRemoved,
    MessageMoved,
    EnumAdded,
    EnumRemoved,
    EnumConstAdded,
    EnumConstChanged,
    EnumConstRemoved,
    FieldAdded,
    FieldRemoved,
    FieldNameChanged,
    FieldKindChanged,
    FieldScalarKindChanged,
    FieldNamedTypeChanged,
    FieldNumericLabelChanged,
    FieldStringOrBytesLabelChanged,
    RequiredFieldAdded,
    RequiredFieldRemoved,
    OneofAdded,
    OneofRemoved,
    OneofFieldAdded,
    OneofFieldRemoved,
    MultipleFieldsMovedToOneof,
    FieldMovedToExistingOneof,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::PackageChanged => "PACKAGE_CHANGED",
            Kind::MessageAdded => "MESSAGE_ADDED",
            Kind::MessageRemoved => "MESSAGE_REMOVED",
            Kind::MessageMoved => "MESSAGE_MOVED",
            Kind::EnumAdded => "ENUM_ADDED",
            Kind::EnumRemoved => "ENUM_REMOVED",
            Kind::EnumConstAdded => "ENUM_CONST_ADDED",
            Kind::EnumConstChanged => "ENUM_CONST_CHANGED",
            Kind::EnumConstRemoved => "ENUM_CONST_REMOVED",
            Kind::FieldAdded => "FIELD_ADDED",
            Kind::FieldRemoved => "FIELD_REMOVED",
            Kind::FieldNameChanged => "FIELD_NAME_CHANGED",
            Kind::FieldKindChanged => "FIELD_KIND_CHANGED",
            Kind::FieldScalarKindChanged => "FIELD_SCALAR_KIND_CHANGED",
            Kind::FieldNamedTypeChanged => "FIELD_NAMED_TYPE_CHANGED",
            Kind::FieldNumericLabelChanged => "FIELD_NUMERIC_LABEL_CHANGED",
            Kind::FieldStringOrBytesLabelChanged => "FIELD_STRING_OR_BYTES_LABEL_CHANGED",
            Kind::RequiredFieldAdded => "REQUIRED_FIELD_ADDED",
            Kind::RequiredFieldRemoved => "REQUIRED_FIELD_REMOVED",
            Kind::OneofAdded => "ONEOF_ADDED",
            Kind::OneofRemoved => "ONEOF_REMOVED",
            Kind::OneofFieldAdded => "ONEOF_FIELD_ADDED",
            Kind::OneofFieldRemoved => "ONEOF_FIELD_REMOVED",
            Kind::MultipleFieldsMovedToOneof => "MULTIPLE_FIELDS_MOVED_TO_ONEOF",
            Kind::FieldMovedToExistingOneof => "FIELD_MOVED_TO_EXISTING_ONEOF",
        }
    }

    fn is_compatible(self) -> bool {
        matches!(
            self,
            Kind::MessageAdded
                | Kind::MessageMoved
                | Kind::EnumAdded
                | Kind::EnumRemoved
                | Kind::EnumConstAdded
                | Kind::EnumConstChanged
                | Kind::EnumConstRemoved
                | Kind::FieldAdded
                | Kind::FieldRemoved
                | Kind::FieldNameChanged
                | Kind::FieldStringOrBytesLabelChanged
                | Kind::OneofAdded
                | Kind::OneofRemoved
                | Kind::OneofFieldAdded
        )
    }

    /// Confluent's description; `reader` and `writer` are `new`/`old` or `old`/`new`.
    fn describe(self, path: &str, a: &str, b: &str) -> String {
        match self {
            Kind::PackageChanged => format!(
                "The package at '{path}' in the {a} schema does not match the package in the {b} schema"
            ),
            Kind::MessageRemoved => {
                format!("The {a} schema is missing a MESSAGE type at path '{path}' in the {b} schema")
            }
            Kind::FieldKindChanged => format!(
                "The type of a field at path '{path}' in the {a} schema does not match the {b} schema"
            ),
            Kind::FieldScalarKindChanged => format!(
                "The kind of a SCALAR field at path '{path}' in the {a} schema does not match its kind in the {b} schema"
            ),
            Kind::FieldNamedTypeChanged => format!(
                "The type of a MESSAGE field at path '{path}' in the {a} schema does not match its type in the {b} schema"
            ),
            Kind::FieldNumericLabelChanged => format!(
                "The label for a NUMERIC field at path '{path}' in the {a} schema does not match its label in the {b} schema"
            ),
            Kind::RequiredFieldAdded => format!(
                "A required field  at path '{path}' in the {a} schema is missing in the {b} schema"
            ),
            Kind::RequiredFieldRemoved => format!(
                "The {a} schema is missing a required field at path: '{path}' in the {b} schema"
            ),
            Kind::OneofFieldRemoved => format!(
                "The {a} schema is missing a oneof field at path '{path}' in the {b} schema"
            ),
            Kind::MultipleFieldsMovedToOneof => format!(
                "Multiple fields in the oneof at path '{path}' in the {a} schema are outside a oneof in the {b} schema"
            ),
            Kind::FieldMovedToExistingOneof => format!(
                "A field in the oneof at path '{path}' in the {a} schema is outside an existing oneof in the {b} schema"
            ),
            _ => String::new(),
        }
    }
}

/// One side of a comparison.
pub(crate) struct Side<'s, 'a> {
    pub file: &'s ProtoFile,
    pub types: &'s Types<'a>,
}

/// The incompatible differences from `original` to `update`, as Confluent's messages. `forward`
/// swaps the words `new` and `old` (the original is then the new schema).
pub(crate) fn incompatibilities<'s, 'a>(
    original: &Side<'s, 'a>,
    update: &Side<'s, 'a>,
    forward: bool,
) -> Vec<String> {
    // Which differences exist does not depend on the order the elements are walked in (the
    // cycle guard and the depth bound follow the nesting, not the siblings' order); only the
    // order they are reported in does. A first pass therefore walks the declaration order and
    // records no paths, and only when it finds an incompatible difference does a second pass
    // walk Java's order and write the messages.
    if differences(original, update, false)
        .iter()
        .all(|(kind, _)| kind.is_compatible())
    {
        return Vec::new();
    }
    let (a, b) = if forward {
        ("old", "new")
    } else {
        ("new", "old")
    };
    differences(original, update, true)
        .iter()
        .filter(|(kind, _)| !kind.is_compatible())
        .map(|(kind, path)| {
            format!(
                "{{errorType:\"{}\", description:\"{}\"}}",
                kind.name(),
                kind.describe(path, a, b)
            )
        })
        .collect()
}

/// Every difference from `original` to `update`, compatible or not, with its path; in
/// Confluent's order and with paths when `exact`, else in declaration order with empty paths.
fn differences<'s, 'a>(
    original: &Side<'s, 'a>,
    update: &Side<'s, 'a>,
    exact: bool,
) -> Vec<(Kind, String)> {
    let mut ctx = Ctx {
        original: original.types,
        update: update.types,
        original_package: original.types.package.clone(),
        update_package: update.types.package.clone(),
        path: Path::new(exact),
        names: Vec::new(),
        schemas: Vec::new(),
        diffs: Vec::new(),
        depth: 0,
        exact,
    };
    if original.file.package.as_deref().unwrap_or("")
        != update.file.package.as_deref().unwrap_or("")
    {
        ctx.add(Kind::PackageChanged);
    }
    ctx.compare_type_elements(&original.file.types, &update.file.types);
    ctx.diffs
}

/// Java's `String.hashCode`.
fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, unit| {
        h.wrapping_mul(31).wrapping_add(i32::from(unit))
    })
}

/// The order in which a Java `HashSet` built as `new HashSet<>(first); addAll(second)` iterates.
fn java_hash_order<T: Copy + Eq + Hash>(
    first: &[T],
    second: &[T],
    hash: impl Fn(T) -> i32,
) -> Vec<T> {
    let mut seen: HashSet<T> = HashSet::with_capacity(first.len() + second.len());
    let mut items: Vec<T> = Vec::with_capacity(first.len() + second.len());
    for &item in first.iter().chain(second) {
        if seen.insert(item) {
            items.push(item);
        }
    }
    let initial = ((first.len() as f64 / 0.75) as usize + 1).max(16);
    let mut capacity = initial.next_power_of_two();
    while items.len() as f64 > capacity as f64 * 0.75 {
        capacity *= 2;
    }
    let bucket = |item: T| {
        let h = hash(item);
        let spread = h ^ ((h as u32) >> 16) as i32;
        (spread as u32 as usize) & (capacity - 1)
    };
    let mut indexed: Vec<(usize, usize, T)> = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| (bucket(item), i, item))
        .collect();
    indexed.sort_unstable_by_key(|(b, i, _)| (*b, *i));
    indexed.into_iter().map(|(_, _, item)| item).collect()
}

fn string_order<'n>(first: &[&'n str], second: &[&'n str]) -> Vec<&'n str> {
    let first = java_hash_order(first, &[], java_string_hash);
    java_hash_order(&first, second, java_string_hash)
}

fn tag_order(first: &[i32], second: &[i32]) -> Vec<i32> {
    let first = java_hash_order(first, &[], |t| t);
    java_hash_order(&first, second, |t| t)
}

/// Fields by number as a Java map filled in declaration order holds them: the numbers in the
/// order they first appear, each with the last field declared with it.
struct ByTag<'s> {
    keys: Vec<i32>,
    /// One entry per number, sorted by number; `None` once removed.
    entries: Vec<(i32, Option<&'s Field>)>,
}

impl<'s> ByTag<'s> {
    fn new(fields: &'s [Field]) -> Self {
        if fields.windows(2).all(|w| w[0].tag < w[1].tag) {
            return ByTag {
                keys: fields.iter().map(|f| f.tag).collect(),
                entries: fields.iter().map(|f| (f.tag, Some(f))).collect(),
            };
        }
        let mut sorted: Vec<(i32, usize)> =
            fields.iter().enumerate().map(|(i, f)| (f.tag, i)).collect();
        sorted.sort_unstable();
        let mut entries = Vec::with_capacity(sorted.len());
        let mut firsts: Vec<(usize, i32)> = Vec::with_capacity(sorted.len());
        for group in sorted.chunk_by(|a, b| a.0 == b.0) {
            if let (Some(&(tag, first)), Some(&(_, last))) = (group.first(), group.last()) {
                entries.push((tag, fields.get(last)));
                firsts.push((first, tag));
            }
        }
        firsts.sort_unstable();
        ByTag {
            keys: firsts.into_iter().map(|(_, tag)| tag).collect(),
            entries,
        }
    }

    fn slot(&self, tag: i32) -> Option<usize> {
        // Numbers are usually consecutive: try the entry where that would put `tag` first.
        let first = self.entries.first()?.0;
        if let Some(guess) = usize::try_from(i64::from(tag) - i64::from(first))
            .ok()
            .filter(|&i| self.entries.get(i).is_some_and(|e| e.0 == tag))
        {
            return Some(guess);
        }
        self.entries.binary_search_by_key(&tag, |(t, _)| *t).ok()
    }

    fn get(&self, tag: i32) -> Option<&'s Field> {
        self.slot(tag).and_then(|i| self.entries[i].1)
    }

    fn contains(&self, tag: i32) -> bool {
        self.get(tag).is_some()
    }

    /// Removes the field with this number; whether there was one.
    fn remove(&mut self, tag: i32) -> bool {
        match self.slot(tag) {
            Some(i) => self.entries[i].1.take().is_some(),
            None => false,
        }
    }
}

/// Where the comparison is: its segments joined with `/`, grown and cut back as it descends
/// and returns, so that a path is only formatted when a difference is recorded.
/// Disabled, it records nothing (paths are only needed for messages).
struct Path {
    text: String,
    /// Where the text ended before each segment was added.
    ends: Vec<usize>,
    enabled: bool,
}

impl Path {
    fn new(enabled: bool) -> Self {
        Path {
            text: String::new(),
            ends: Vec::new(),
            enabled,
        }
    }

    fn of(segments: &[String], enabled: bool) -> Self {
        let mut path = Path::new(enabled);
        for segment in segments {
            path.push_name(segment);
        }
        path
    }

    fn push_name(&mut self, segment: &str) {
        if !self.enabled {
            return;
        }
        self.ends.push(self.text.len());
        if self.ends.len() > 1 {
            self.text.push('/');
        }
        self.text.push_str(segment);
    }

    fn push_tag(&mut self, tag: i32) {
        if !self.enabled {
            return;
        }
        self.ends.push(self.text.len());
        if self.ends.len() > 1 {
            self.text.push('/');
        }
        // Writing to a `String` cannot fail.
        let _ = write!(self.text, "{tag}");
    }

    fn pop(&mut self) {
        if let Some(end) = self.ends.pop() {
            self.text.truncate(end);
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum FieldKind {
    Scalar,
    Map,
    Message,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ScalarKind {
    GeneralNumber,
    SignedNumber,
    StringOrBytes,
    Fixed32,
    Fixed64,
    Float,
    Double,
    Unknown,
}

struct Ctx<'s, 'a> {
    original: &'s Types<'a>,
    update: &'s Types<'a>,
    original_package: String,
    update_package: String,
    path: Path,
    names: Vec<String>,
    /// Original messages being compared (by address), which guards against cycles.
    schemas: Vec<usize>,
    diffs: Vec<(Kind, String)>,
    /// How many referenced-message comparisons enclose this one.
    depth: usize,
    /// Whether sets are walked in Confluent's order and paths recorded (else declaration order
    /// and empty paths: enough to tell whether any difference is incompatible).
    exact: bool,
}

/// Beyond this many nested comparisons of referenced messages (a chain of distinct messages
/// each using the next), the rest of the chain is not compared, which bounds the recursion.
const MAX_SUB_DEPTH: usize = 64;

impl<'s, 'a> Ctx<'s, 'a> {
    fn add(&mut self, kind: Kind) {
        let path = if self.exact {
            format!("#/{}", self.path.text)
        } else {
            String::new()
        };
        self.diffs.push((kind, path));
    }

    fn add_at(&mut self, tag: i32, kind: Kind) {
        self.path.push_tag(tag);
        self.add(kind);
        self.path.pop();
    }

    fn is_compatible(&self) -> bool {
        self.diffs.iter().all(|(k, _)| k.is_compatible())
    }

    /// The names of `first` and then those of `second` not in it (`in_first`), each once: in
    /// Java's `HashSet` order when exact, else as given.
    fn name_order(
        &self,
        first: &[&'s str],
        second: &[&'s str],
        in_first: impl Fn(&str) -> bool,
    ) -> Vec<&'s str> {
        if self.exact {
            string_order(first, second)
        } else {
            let mut names = first.to_vec();
            names.extend(second.iter().copied().filter(|n| !in_first(n)));
            names
        }
    }

    /// [`Ctx::name_order`] for field numbers.
    fn tag_order(&self, first: &[i32], second: &[i32], in_first: impl Fn(i32) -> bool) -> Vec<i32> {
        if self.exact {
            tag_order(first, second)
        } else {
            let mut tags = first.to_vec();
            tags.extend(second.iter().copied().filter(|t| !in_first(*t)));
            tags
        }
    }

    fn resolve(&self, name: &str, original: bool) -> Option<String> {
        if original {
            self.original
                .resolve_in(name, &self.original_package, &self.names)
        } else {
            self.update
                .resolve_in(name, &self.update_package, &self.names)
        }
    }

    fn lookup(&self, name: &str, original: bool) -> Option<&'s super::types::TypeInfo<'a>> {
        let full = self.resolve(name, original)?;
        if original {
            self.original.get(&full)
        } else {
            self.update.get(&full)
        }
    }

    fn enter_name(&mut self, name: &str) {
        self.path.push_name(name);
        self.names.push(name.to_owned());
    }

    fn leave_name(&mut self) {
        self.path.pop();
        self.names.pop();
    }

    fn compare_type_elements(&mut self, original: &'s [TypeElement], update: &'s [TypeElement]) {
        type Collected<'s> = (
            Vec<&'s str>,
            HashMap<&'s str, (&'s Message, usize)>,
            Vec<&'s str>,
            HashMap<&'s str, &'s EnumElement>,
        );
        let collect = |types: &'s [TypeElement]| -> Collected<'s> {
            let (mut message_names, mut messages) = (Vec::new(), HashMap::new());
            let (mut enum_names, mut enums) = (Vec::new(), HashMap::new());
            let mut index = 0;
            for t in types {
                match t {
                    TypeElement::Message(m) => {
                        if messages.insert(m.name.as_str(), (m, index)).is_none() {
                            message_names.push(m.name.as_str());
                        }
                        index += 1;
                    }
                    TypeElement::Enum(e) => {
                        if enums.insert(e.name.as_str(), e).is_none() {
                            enum_names.push(e.name.as_str());
                        }
                    }
                }
            }
            (message_names, messages, enum_names, enums)
        };
        let (orig_names, orig_messages, orig_enum_names, orig_enums) = collect(original);
        let (upd_names, upd_messages, upd_enum_names, upd_enums) = collect(update);

        let names = self.name_order(&orig_names, &upd_names, |n| orig_messages.contains_key(n));
        for name in names {
            self.enter_name(name);
            let o = orig_messages.get(name);
            let u = upd_messages.get(name);
            match (o, u) {
                (Some(_), None) => {
                    if self.lookup(name, true).is_some_and(|t| !t.is_map) {
                        self.add(Kind::MessageRemoved);
                    }
                }
                (None, Some(_)) => {
                    if self.lookup(name, false).is_some_and(|t| !t.is_map) {
                        self.add(Kind::MessageAdded);
                    }
                }
                (Some(o), Some(u)) => {
                    self.compare_messages(o.0, u.0);
                    if o.1 != u.1 {
                        self.add(Kind::MessageMoved);
                    }
                }
                (None, None) => {}
            }
            self.leave_name();
        }

        let names = self.name_order(&orig_enum_names, &upd_enum_names, |n| {
            orig_enums.contains_key(n)
        });
        for name in names {
            self.enter_name(name);
            let o = orig_enums.get(name);
            let u = upd_enums.get(name);
            match (o, u) {
                (Some(_), None) => self.add(Kind::EnumRemoved),
                (None, Some(_)) => self.add(Kind::EnumAdded),
                (Some(o), Some(u)) => self.compare_enums(o, u),
                (None, None) => {}
            }
            self.leave_name();
        }
    }

    fn compare_enums(&mut self, original: &EnumElement, update: &EnumElement) {
        // Every difference between constants is compatible: only reported ones need walking.
        if !self.exact {
            return;
        }
        let orig: HashMap<i32, &str> = original
            .constants
            .iter()
            .map(|c| (c.tag, c.name.as_str()))
            .collect();
        let upd: HashMap<i32, &str> = update
            .constants
            .iter()
            .map(|c| (c.tag, c.name.as_str()))
            .collect();
        let orig_tags: Vec<i32> = original.constants.iter().map(|c| c.tag).collect();
        let upd_tags: Vec<i32> = update.constants.iter().map(|c| c.tag).collect();
        for tag in tag_order(&orig_tags, &upd_tags) {
            let kind = match (orig.get(&tag), upd.get(&tag)) {
                (Some(_), None) => Kind::EnumConstRemoved,
                (None, Some(_)) => Kind::EnumConstAdded,
                (Some(a), Some(b)) if a != b => Kind::EnumConstChanged,
                _ => continue,
            };
            self.add_at(tag, kind);
        }
    }

    fn compare_messages(&mut self, original: &'s Message, update: &'s Message) {
        let address = original as *const Message as usize;
        if !self.schemas.contains(&address) {
            self.schemas.push(address);
            self.compare_message_fields(original, update);
            self.schemas.retain(|a| *a != address);
        }
        self.compare_type_elements(&original.nested, &update.nested);
    }

    fn compare_message_fields(&mut self, original: &'s Message, update: &'s Message) {
        let mut orig_by_tag = ByTag::new(&original.fields);
        let upd_by_tag = ByTag::new(&update.fields);
        let mut orig_oneof_tags: Vec<i32> = original
            .oneofs
            .iter()
            .flat_map(|o| o.fields.iter().map(|f| f.tag))
            .collect();
        orig_oneof_tags.sort_unstable();

        for oneof in &update.oneofs {
            self.path.push_name(&oneof.name);
            let (mut moved, mut existing) = (0, 0);
            for field in &oneof.fields {
                if orig_by_tag.remove(field.tag) {
                    moved += 1;
                } else if orig_oneof_tags.binary_search(&field.tag).is_ok() {
                    existing += 1;
                }
            }
            if moved > 1 {
                self.add(Kind::MultipleFieldsMovedToOneof);
            } else if moved == 1 && existing > 0 {
                self.add(Kind::FieldMovedToExistingOneof);
            }
            self.path.pop();
        }

        let oneofs = |message: &'s Message| {
            let mut names: Vec<&'s str> = Vec::new();
            let mut map: HashMap<&'s str, &'s OneOf> = HashMap::new();
            for o in &message.oneofs {
                if map.insert(o.name.as_str(), o).is_none() {
                    names.push(o.name.as_str());
                }
            }
            (names, map)
        };
        let (orig_oneof_names, orig_oneofs) = oneofs(original);
        let (upd_oneof_names, upd_oneofs) = oneofs(update);
        let names = self.name_order(&orig_oneof_names, &upd_oneof_names, |n| {
            orig_oneofs.contains_key(n)
        });
        for name in names {
            self.path.push_name(name);
            let o = orig_oneofs.get(name);
            let u = upd_oneofs.get(name);
            match (o, u) {
                (_, None) => self.add(Kind::OneofRemoved),
                (None, _) => self.add(Kind::OneofAdded),
                (Some(o), Some(u)) => {
                    let of_map = ByTag::new(&o.fields);
                    let uf_map = ByTag::new(&u.fields);
                    let tags = self.tag_order(&of_map.keys, &uf_map.keys, |t| of_map.contains(t));
                    for tag in tags {
                        self.path.push_tag(tag);
                        match (of_map.get(tag), uf_map.get(tag)) {
                            (Some(_), None) => self.add(Kind::OneofFieldRemoved),
                            (None, Some(_)) => self.add(Kind::OneofFieldAdded),
                            (Some(a), Some(b)) => self.compare_fields(a, b),
                            (None, None) => {}
                        }
                        self.path.pop();
                    }
                }
            }
            self.path.pop();
        }

        // The original's tags are iterated as they were before the oneof pass removed some.
        let remaining: Vec<i32> = orig_by_tag
            .keys
            .iter()
            .copied()
            .filter(|t| orig_by_tag.contains(*t))
            .collect();
        let tags = self.tag_order(&remaining, &upd_by_tag.keys, |t| orig_by_tag.contains(t));
        for tag in tags {
            self.path.push_tag(tag);
            match (orig_by_tag.get(tag), upd_by_tag.get(tag)) {
                (Some(o), None) => self.add(if o.label == Some(Label::Required) {
                    Kind::RequiredFieldRemoved
                } else {
                    Kind::FieldRemoved
                }),
                (None, Some(u)) => self.add(if u.label == Some(Label::Required) {
                    Kind::RequiredFieldAdded
                } else {
                    Kind::FieldAdded
                }),
                (Some(o), Some(u)) => self.compare_fields(o, u),
                (None, None) => {}
            }
            self.path.pop();
        }
    }

    fn compare_fields(&mut self, original: &Field, update: &Field) {
        if original.name != update.name {
            self.add(Kind::FieldNameChanged);
        }
        self.compare_types(
            &original.ty,
            &update.ty,
            Some((original.label, update.label)),
        );
    }

    fn kind(&self, ty: &str, original: bool) -> FieldKind {
        if is_scalar(ty) {
            FieldKind::Scalar
        } else if map_types(ty).is_some() {
            FieldKind::Map
        } else if self.lookup(ty, original).is_some_and(|t| t.is_enum()) {
            FieldKind::Scalar
        } else {
            FieldKind::Message
        }
    }

    fn scalar_kind(&self, ty: &str, original: bool) -> ScalarKind {
        if !is_scalar(ty) && self.lookup(ty, original).is_some_and(|t| t.is_enum()) {
            return ScalarKind::GeneralNumber;
        }
        match ty {
            "int32" | "int64" | "uint32" | "uint64" | "bool" => ScalarKind::GeneralNumber,
            "sint32" | "sint64" => ScalarKind::SignedNumber,
            "string" | "bytes" => ScalarKind::StringOrBytes,
            "fixed32" | "sfixed32" => ScalarKind::Fixed32,
            "fixed64" | "sfixed64" => ScalarKind::Fixed64,
            "float" => ScalarKind::Float,
            "double" => ScalarKind::Double,
            _ => ScalarKind::Unknown,
        }
    }

    /// `ty`, or `map<K, V>` when it names a map-entry message.
    fn written_type<'t>(&self, ty: &'t str, original: bool) -> Cow<'t, str> {
        let types = if original { self.original } else { self.update };
        if types.may_be_map_entry(ty) {
            if let Some(map) = self.lookup(ty, original).and_then(|t| t.map_type()) {
                return Cow::Owned(map);
            }
        }
        Cow::Borrowed(ty)
    }

    fn compare_types(
        &mut self,
        original: &str,
        update: &str,
        labels: Option<(Option<Label>, Option<Label>)>,
    ) {
        let original = self.written_type(original, true);
        let update = self.written_type(update, false);
        let kind = self.kind(&original, true);
        if kind != self.kind(&update, false) {
            self.add(Kind::FieldKindChanged);
            return;
        }
        match kind {
            FieldKind::Scalar => {
                let group = self.scalar_kind(&original, true);
                if group != self.scalar_kind(&update, false) {
                    self.add(Kind::FieldScalarKindChanged);
                } else if let Some((Some(a), Some(b))) = labels {
                    if a != b {
                        self.add(if group == ScalarKind::StringOrBytes {
                            Kind::FieldStringOrBytesLabelChanged
                        } else {
                            Kind::FieldNumericLabelChanged
                        });
                    }
                }
            }
            FieldKind::Message => self.compare_message_types(&original, &update),
            FieldKind::Map => {
                if let (Some((ok, ov)), Some((uk, uv))) = (map_types(&original), map_types(&update))
                {
                    self.compare_types(ok, uk, None);
                    self.compare_types(ov, uv, None);
                }
            }
        }
    }

    fn compare_message_types(&mut self, original: &str, update: &str) {
        let (Some(orig_full), Some(upd_full)) =
            (self.resolve(original, true), self.resolve(update, false))
        else {
            if original != update {
                self.add(Kind::FieldNamedTypeChanged);
            }
            return;
        };
        let (Some(orig_type), Some(upd_type)) =
            (self.original.get(&orig_full), self.update.get(&upd_full))
        else {
            return;
        };
        let local = |full: &str, package: &str| -> String {
            full.strip_prefix(&format!("{package}."))
                .unwrap_or(full)
                .to_owned()
        };
        let orig_local = local(&orig_full, orig_type.package);
        let upd_local = local(&upd_full, upd_type.package);
        if orig_local != upd_local {
            self.add(Kind::FieldNamedTypeChanged);
            return;
        }
        let same_origin =
            matches!((&orig_type.origin, &upd_type.origin), (Some(a), Some(b)) if a == b);
        if same_origin || self.depth >= MAX_SUB_DEPTH {
            return;
        }
        let (TypeElement::Message(orig_msg), TypeElement::Message(upd_msg)) =
            (orig_type.element, upd_type.element)
        else {
            return;
        };
        let parts: Vec<String> = orig_local.split('.').map(str::to_owned).collect();
        let mut sub = Ctx {
            original: self.original,
            update: self.update,
            original_package: orig_type.package.to_owned(),
            update_package: upd_type.package.to_owned(),
            path: Path::of(&parts, self.exact),
            names: parts,
            schemas: self.schemas.clone(),
            diffs: Vec::new(),
            depth: self.depth + 1,
            exact: self.exact,
        };
        sub.compare_messages(orig_msg, upd_msg);
        let compatible = sub.is_compatible();
        self.diffs.extend(sub.diffs);
        if !compatible {
            self.add(Kind::FieldNamedTypeChanged);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::ast::Field;
    use super::super::parser;
    use super::super::types::Types;
    use super::{java_string_hash, string_order, tag_order, ByTag, Path, Side};

    #[test]
    fn iterates_like_java_hash_sets() {
        assert_eq!(java_string_hash("A"), 65);
        assert_eq!(java_string_hash("hello"), 99_162_322);
        assert_eq!(string_order(&["B", "A"], &[]), vec!["A", "B"]);
        assert_eq!(tag_order(&[17, 1], &[2]), vec![17, 1, 2]);
        // Past 12 entries the table doubles to 32 buckets: 16 no longer shares 0's bucket.
        let many: Vec<i32> = (1..=13).rev().collect();
        let mut expected: Vec<i32> = (0..=13).collect();
        expected.push(16);
        assert_eq!(tag_order(&many, &[16, 0]), expected);
    }

    fn field(tag: i32, name: &str) -> Field {
        Field {
            label: None,
            ty: "int32".to_owned(),
            name: name.to_owned(),
            tag,
            default: None,
            json_name: None,
            options: Vec::new(),
        }
    }

    #[test]
    fn fields_by_number_keep_first_order_and_last_field() {
        let fields = [field(3, "a"), field(1, "b"), field(3, "c"), field(7, "d")];
        let mut by_tag = ByTag::new(&fields);
        assert_eq!(by_tag.keys, [3, 1, 7]);
        assert_eq!(by_tag.get(3).map(|f| f.name.as_str()), Some("c"));
        assert_eq!(by_tag.get(7).map(|f| f.name.as_str()), Some("d"));
        assert!(by_tag.get(2).is_none() && by_tag.get(-5).is_none());
        assert!(by_tag.remove(3));
        assert!(!by_tag.remove(3) && !by_tag.contains(3));
        assert!(by_tag.contains(1));
        // Consecutive numbers are found directly, gaps by search.
        let sorted = [field(1, "a"), field(2, "b"), field(5, "c")];
        let by_tag = ByTag::new(&sorted);
        assert_eq!(by_tag.keys, [1, 2, 5]);
        assert_eq!(by_tag.get(5).map(|f| f.name.as_str()), Some("c"));
        assert!(by_tag.get(3).is_none() && by_tag.get(i32::MIN).is_none());
        assert!(ByTag::new(&[]).get(1).is_none());
    }

    #[test]
    fn paths_join_segments_and_record_nothing_when_disabled() {
        let mut path = Path::of(&["A".to_owned(), "B".to_owned()], true);
        path.push_tag(12);
        assert_eq!(path.text, "A/B/12");
        path.pop();
        path.push_name("");
        assert_eq!(path.text, "A/B/");
        path.pop();
        path.pop();
        path.pop();
        assert_eq!(path.text, "");
        path.pop();
        path.push_tag(-1);
        assert_eq!(path.text, "-1");
        let mut off = Path::of(&["A".to_owned()], false);
        off.push_tag(3);
        off.pop();
        assert_eq!(off.text, "");
    }

    /// Both passes see the same differences; the reported ones come in Java's order.
    #[test]
    fn reports_in_java_order_what_the_deciding_pass_finds() {
        let old = parser::parse(
            "syntax = \"proto3\";\nmessage M {\n  string a = 20;\n  string b = 3;\n  string c = 4;\n}\n",
        )
        .unwrap();
        let new = parser::parse(
            "syntax = \"proto3\";\nmessage M {\n  int32 a = 20;\n  int32 b = 3;\n  string renamed = 4;\n}\n",
        )
        .unwrap();
        let (old_types, new_types) = (Types::collect(&old, &[]), Types::collect(&new, &[]));
        let old_side = Side {
            file: &old,
            types: &old_types,
        };
        let new_side = Side {
            file: &new,
            types: &new_types,
        };
        let fast = super::differences(&old_side, &new_side, false);
        let exact = super::differences(&old_side, &new_side, true);
        let kinds = |diffs: &[(super::Kind, String)]| {
            let mut kinds: Vec<&str> = diffs.iter().map(|(k, _)| k.name()).collect();
            kinds.sort_unstable();
            kinds
        };
        assert_eq!(kinds(&fast), kinds(&exact));
        assert!(fast.iter().all(|(_, path)| path.is_empty()));
        assert_eq!(
            super::incompatibilities(&old_side, &new_side, false),
            [
                "{errorType:\"FIELD_SCALAR_KIND_CHANGED\", description:\"The kind of a SCALAR field at path '#/M/3' in the new schema does not match its kind in the old schema\"}",
                "{errorType:\"FIELD_SCALAR_KIND_CHANGED\", description:\"The kind of a SCALAR field at path '#/M/20' in the new schema does not match its kind in the old schema\"}",
            ]
        );
        // A renamed field alone is compatible.
        assert!(super::incompatibilities(&old_side, &old_side, false).is_empty());
    }
}
