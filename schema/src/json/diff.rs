//! Confluent's JSON Schema `SchemaDiff`: the differences between an original and an updated
//! schema, walked over the [`Model`] graph.
//!
//! BACKWARD diffs original = old, update = new; FORWARD swaps them. A `$ref` is replaced by its
//! target before each comparison. A schema already being compared higher up counts as equal
//! (Confluent's cycle rule), and finished pair comparisons are memoized so that recursive and
//! combined schemas cannot make the walk exponential.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

use super::difference::{Difference, Type};
use super::jackson::Node;
use super::java_order::{hash_map_order, JavaHashSet};
use super::model::{
    ArrayRules, Criterion, Id, Kind, Model, NumberRules, ObjectRules, Schema, StringRules,
};

/// Which model a schema belongs to (0: original, 1: update) and its index there.
type SRef = (usize, Id);

/// Deepest chain of nested comparisons followed; deeper parts count as equal.
const MAX_DEPTH: usize = 256;
/// Comparisons after which every result is memoized, even one cut short by a cycle.
const MEMO_EVERYTHING_AFTER: usize = 10_000;
/// Pair comparisons allowed for one check, on top of a few per schema node (which is what
/// aligned schemas need). Only hostile schemas (huge cross products of combined schemas) reach
/// it; what is left is then reported as a type change, so such a schema is never accepted by
/// default.
const MAX_EXTRA_COMPARISONS: usize = 250_000;

/// The differences from `original` to `update`, in Confluent's order.
pub(crate) fn compare(original: &Model, update: &Model) -> Vec<Difference> {
    run(original, update, true, true).1
}

/// Whether `update` has no incompatible difference from `original`, decided without building a
/// path or a message. It walks exactly as [`compare`] does, but the first incompatible
/// difference met anywhere (even in an alternative later discarded) stops it and answers "not
/// sure": only a walk that met none is identical to [`compare`]'s, which then finds nothing.
pub(crate) fn surely_compatible(original: &Model, update: &Model) -> bool {
    !run(original, update, false, true).0
}

/// Walks the pair; returns whether the budget ran out, and the differences (recorded only when
/// `record`; otherwise the first incompatible difference empties the budget). `prepared` lets
/// objects naming the same properties use the parser's orders (only tests turn it off, to
/// check that it changes nothing).
fn run(original: &Model, update: &Model, record: bool, prepared: bool) -> (bool, Vec<Difference>) {
    let mut diff = Diff {
        models: [original, update],
        prepared,
        in_progress: [
            vec![false; original.nodes.len()],
            vec![false; update.nodes.len()],
        ],
        // Aligned schemas compare about one pair per node: room for that up front spares the
        // rehashing (capped, as hostile schemas would only grow it as they need).
        memo: HashMap::with_capacity_and_hasher(
            original.nodes.len().min(update.nodes.len()).min(4096),
            IndexBuild::default(),
        ),
        truncations: 0,
        calls: 0,
        max_calls: MAX_EXTRA_COMPARISONS + 4 * (original.nodes.len() + update.nodes.len()),
        depth: 0,
    };
    let mut ctx = Ctx::root(Rc::new(Cell::new(MAX_DIFFERENCE_BYTES)), record);
    diff.compare(&mut ctx, Some((0, original.root)), Some((1, update.root)));
    if ctx.exhausted() {
        // The differences would not fit in memory: report the schemas as different rather than
        // risk calling them compatible.
        return (
            true,
            vec![Difference {
                kind: Type::TYPE_CHANGED,
                path: "#/".to_owned(),
            }],
        );
    }
    (false, ctx.diffs)
}

/// Bytes of difference paths one check may produce; past it the check gives up (see
/// [`compare`]). Only hostile schemas (huge property sets under huge names) get there.
const MAX_DIFFERENCE_BYTES: usize = 64 << 20;

/// Where the walk is, and what it found there.
struct Ctx {
    /// Whether paths and differences are recorded; when not, the path stays empty and the first
    /// incompatible difference empties the budget.
    record: bool,
    /// Path segments; shared strings so that sub-contexts copy pointers, not names.
    path: Vec<Rc<str>>,
    diffs: Vec<Difference>,
    /// Bytes of paths still allowed, shared by every context of one check.
    budget: Rc<Cell<usize>>,
}

impl Ctx {
    fn root(budget: Rc<Cell<usize>>, record: bool) -> Ctx {
        Ctx {
            record,
            path: Vec::new(),
            diffs: Vec::new(),
            budget,
        }
    }

    fn sub(&self) -> Ctx {
        Ctx {
            record: self.record,
            path: self.path.clone(),
            diffs: Vec::new(),
            budget: Rc::clone(&self.budget),
        }
    }

    fn enter(&mut self, segment: &str) {
        if self.record {
            self.path.push(Rc::from(segment));
        }
    }

    /// [`Ctx::enter`] with a segment that is only built when paths are recorded.
    fn enter_with(&mut self, segment: impl FnOnce() -> String) {
        if self.record {
            self.path.push(Rc::from(segment()));
        }
    }

    fn leave(&mut self) {
        if self.record {
            self.path.pop();
        }
    }

    fn exhausted(&self) -> bool {
        self.budget.get() == 0
    }

    /// Takes `bytes` from the budget; false (and the budget emptied) when it does not suffice.
    fn spend(&self, bytes: usize) -> bool {
        match self.budget.get().checked_sub(bytes) {
            Some(left) if left > 0 => {
                self.budget.set(left);
                true
            }
            _ => {
                self.budget.set(0);
                false
            }
        }
    }

    fn path_string(&self) -> String {
        format!("#/{}", self.path.join("/"))
    }

    /// Records a difference. Compatible ones are dropped at once: they never show in a verdict
    /// or a message, and a hostile schema could otherwise produce them by the million.
    fn add(&mut self, kind: Type) {
        if kind.is_compatible() {
            return;
        }
        if !self.record {
            self.budget.set(0);
            return;
        }
        let bytes = 2 + self.path.iter().map(|s| s.len() + 1).sum::<usize>();
        if !self.spend(bytes) {
            return;
        }
        let path = self.path_string();
        self.diffs.push(Difference { kind, path });
    }

    fn add_at(&mut self, attribute: &str, kind: Type) {
        self.enter(attribute);
        self.add(kind);
        self.leave();
    }

    fn is_compatible(&self) -> bool {
        self.diffs.iter().all(|d| d.kind.is_compatible())
    }

    /// Adds differences computed relative to a pair, rebased onto the current path.
    fn add_rebased(&mut self, relative: &[Difference]) {
        if relative.is_empty() {
            return;
        }
        if self.path.is_empty() {
            if self.spend(relative.iter().map(|d| d.path.len()).sum()) {
                self.diffs.extend_from_slice(relative);
            }
            return;
        }
        let prefix = self.path_string();
        for d in relative {
            if !self.spend(prefix.len() + d.path.len()) {
                return;
            }
            let path = if d.path.len() <= 2 {
                prefix.clone()
            } else {
                format!("{prefix}/{}", &d.path[2..])
            };
            self.diffs.push(Difference { kind: d.kind, path });
        }
    }
}

/// A hasher for node indexes: the parser numbers nodes consecutively, whatever the text says,
/// so a multiply-and-rotate mix spreads them well and costs far less than SipHash.
#[derive(Default)]
struct IndexHasher(u64);

impl Hasher for IndexHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

type IndexBuild = BuildHasherDefault<IndexHasher>;

struct Diff<'a> {
    models: [&'a Model; 2],
    /// Whether aligned property lists take the prepared walk.
    prepared: bool,
    /// Schemas being compared higher up, by model and index.
    in_progress: [Vec<bool>; 2],
    memo: HashMap<(SRef, SRef), Vec<Difference>, IndexBuild>,
    truncations: usize,
    calls: usize,
    max_calls: usize,
    depth: usize,
}

fn criterion_name(c: Criterion) -> &'static str {
    match c {
        Criterion::All => "allOf",
        Criterion::Any => "anyOf",
        Criterion::One => "oneOf",
    }
}

impl<'a> Diff<'a> {
    fn schema(&self, s: SRef) -> &'a Schema {
        &self.models[s.0].nodes[s.1]
    }

    /// Follows references to their targets.
    fn deref(&self, mut s: SRef) -> SRef {
        for _ in 0..64 {
            match self.schema(s).kind {
                Kind::Reference(Some(target)) => s = (s.0, target),
                _ => break,
            }
        }
        s
    }

    fn compare(&mut self, ctx: &mut Ctx, original: Option<SRef>, update: Option<SRef>) {
        let (o, u) = match (original, update) {
            (None, None) => return,
            (None, Some(_)) => return ctx.add(Type::SCHEMA_ADDED),
            (Some(_), None) => return ctx.add(Type::SCHEMA_REMOVED),
            (Some(o), Some(u)) => (self.deref(o), self.deref(u)),
        };
        if ctx.exhausted() {
            return;
        }
        if self.depth >= MAX_DEPTH {
            return;
        }
        if self.calls >= self.max_calls {
            return ctx.add(Type::TYPE_CHANGED);
        }
        if let Some(diffs) = self.memo.get(&(o, u)) {
            let diffs = diffs.clone();
            ctx.add_rebased(&diffs);
            return;
        }
        let truncations = self.truncations;
        let mut sub = Ctx::root(Rc::clone(&ctx.budget), ctx.record);
        self.depth += 1;
        self.compare_pair(&mut sub, o, u);
        self.depth -= 1;
        self.calls += 1;
        if self.truncations == truncations || self.calls > MEMO_EVERYTHING_AFTER {
            self.memo.insert((o, u), sub.diffs.clone());
        }
        ctx.add_rebased(&sub.diffs);
    }

    fn compare_pair(&mut self, ctx: &mut Ctx, o: SRef, u: SRef) {
        let (os, us) = (self.schema(o), self.schema(u));
        match (&os.kind, &us.kind) {
            (
                k,
                Kind::Combined {
                    criterion,
                    subschemas,
                },
            ) if !matches!(k, Kind::Combined { .. }) => {
                if subschemas.len() == 1 {
                    let mut sub = ctx.sub();
                    self.compare(&mut sub, Some(o), Some((u.0, subschemas[0])));
                    if sub.is_compatible() {
                        ctx.diffs.extend(sub.diffs);
                        return;
                    }
                } else if matches!(criterion, Criterion::Any | Criterion::One) {
                    for &s in subschemas {
                        let mut sub = ctx.sub();
                        self.compare(&mut sub, Some(o), Some((u.0, s)));
                        if sub.is_compatible() {
                            ctx.diffs.extend(sub.diffs);
                            ctx.add(Type::SUM_TYPE_EXTENDED);
                            return;
                        }
                    }
                }
            }
            (
                Kind::Combined {
                    criterion,
                    subschemas,
                },
                k,
            ) if !matches!(k, Kind::Combined { .. }) => {
                if subschemas.len() == 1 {
                    let mut sub = ctx.sub();
                    self.compare(&mut sub, Some((o.0, subschemas[0])), Some(u));
                    if sub.is_compatible() {
                        ctx.diffs.extend(sub.diffs);
                        return;
                    }
                } else if *criterion == Criterion::All {
                    for &s in subschemas {
                        let mut sub = ctx.sub();
                        self.compare(&mut sub, Some((o.0, s)), Some(u));
                        if sub.is_compatible() {
                            ctx.diffs.extend(sub.diffs);
                            ctx.add(Type::PRODUCT_TYPE_NARROWED);
                            return;
                        }
                    }
                }
            }
            _ => {}
        }

        if os.kind.class() != us.kind.class() {
            let accepts_anything = matches!(us.kind, Kind::Empty | Kind::True);
            let both_bytes = os.connect_type.as_deref() == Some("bytes")
                && us.connect_type.as_deref() == Some("bytes");
            if !(matches!(os.kind, Kind::False) || accepts_anything || both_bytes) {
                ctx.add(Type::TYPE_CHANGED);
            }
            return;
        }

        if std::mem::replace(&mut self.in_progress[o.0][o.1], true) {
            self.truncations += 1;
            return;
        }
        if os.id != us.id {
            ctx.add(Type::ID_CHANGED);
        }
        if os.title != us.title {
            ctx.add(Type::TITLE_CHANGED);
        }
        if os.description != us.description {
            ctx.add(Type::DESCRIPTION_CHANGED);
        }
        if !option_json_eq(os.default.as_ref(), us.default.as_ref()) {
            ctx.add(Type::DEFAULT_CHANGED);
        }
        match (&os.kind, &us.kind) {
            (Kind::String(a), Kind::String(b)) => compare_string(ctx, a, b),
            (Kind::Number(a), Kind::Number(b)) => compare_number(ctx, a, b),
            (Kind::Enum(a), Kind::Enum(b)) => compare_enum(ctx, a, b),
            (Kind::Const(a), Kind::Const(b)) if !json_eq(a, b) => {
                ctx.add_at("const", Type::ENUM_ARRAY_CHANGED);
            }
            (
                Kind::Combined {
                    criterion: oc,
                    subschemas: osubs,
                },
                Kind::Combined {
                    criterion: uc,
                    subschemas: usubs,
                },
            ) => self.compare_combined(ctx, (o.0, *oc, osubs), (u.0, *uc, usubs)),
            (Kind::Not(a), Kind::Not(b)) => {
                ctx.enter("not");
                let mut sub = ctx.sub();
                // The roles reverse under `not`.
                self.compare(&mut sub, Some((u.0, *b)), Some((o.0, *a)));
                if sub.is_compatible() {
                    ctx.add(Type::NOT_TYPE_NARROWED);
                } else {
                    ctx.add(Type::NOT_TYPE_EXTENDED);
                }
                ctx.leave();
            }
            (Kind::Object(a), Kind::Object(b)) => self.compare_object(ctx, (o.0, a), (u.0, b)),
            (Kind::Array(a), Kind::Array(b)) => self.compare_array(ctx, (o.0, a), (u.0, b)),
            _ => {}
        }
        self.in_progress[o.0][o.1] = false;
    }

    fn compare_combined(
        &mut self,
        ctx: &mut Ctx,
        (om, oc, osubs): (usize, Criterion, &[Id]),
        (um, uc, usubs): (usize, Criterion, &[Id]),
    ) {
        let change = if oc == uc {
            None
        } else if uc == Criterion::Any {
            Some(Type::COMBINED_TYPE_EXTENDED)
        } else if uc == Criterion::One {
            Some(if osubs.len() == 1 {
                Type::COMBINED_TYPE_EXTENDED
            } else {
                Type::COMBINED_TYPE_CHANGED
            })
        } else if osubs.len() == 1 && usubs.len() == 1 {
            Some(Type::COMBINED_TYPE_EXTENDED)
        } else {
            Some(Type::COMBINED_TYPE_CHANGED)
        };
        if let Some(kind) = change {
            ctx.add(kind);
            if kind == Type::COMBINED_TYPE_CHANGED {
                return;
            }
        }
        let originals = self.distinct(om, osubs);
        let updates = self.distinct(um, usubs);
        if originals.len() < updates.len() {
            ctx.add(if uc == Criterion::All {
                Type::PRODUCT_TYPE_EXTENDED
            } else {
                Type::SUM_TYPE_EXTENDED
            });
        } else if originals.len() > updates.len() {
            ctx.add(if uc == Criterion::All {
                Type::PRODUCT_TYPE_NARROWED
            } else {
                Type::SUM_TYPE_NARROWED
            });
        }
        let mut edges: Vec<Vec<(usize, Vec<Difference>)>> = Vec::with_capacity(originals.len());
        for (i, &os) in originals.iter().enumerate() {
            ctx.enter_with(|| format!("{}/{i}", criterion_name(oc)));
            let mut row = Vec::new();
            for (j, &us) in updates.iter().enumerate() {
                let mut sub = ctx.sub();
                self.compare(&mut sub, Some((om, os)), Some((um, us)));
                if sub.is_compatible() {
                    row.push((j, sub.diffs));
                }
            }
            ctx.leave();
            edges.push(row);
        }
        let matching = maximum_matching(&edges, updates.len());
        let matched = matching.iter().filter(|m| m.is_some()).count();
        for (i, m) in matching.iter().enumerate() {
            if let Some(j) = m {
                if let Some((_, diffs)) = edges[i].iter().find(|(k, _)| k == j) {
                    ctx.diffs.extend(diffs.iter().cloned());
                }
            }
        }
        if matched < originals.len().min(updates.len()) {
            ctx.add(Type::COMBINED_TYPE_SUBSCHEMAS_CHANGED);
        }
    }

    /// Subschemas with duplicates (equal JSON) removed, first occurrence kept.
    fn distinct(&self, model: usize, ids: &[Id]) -> Vec<Id> {
        let nodes = &self.models[model].nodes;
        let mut seen: HashSet<u64> = HashSet::new();
        let mut out: Vec<Id> = Vec::new();
        for &id in ids {
            let fresh = match nodes[id].fingerprint {
                Some(fingerprint) => seen.insert(fingerprint),
                None => !out.contains(&id),
            };
            if fresh {
                out.push(id);
            }
        }
        out
    }

    fn compare_object(
        &mut self,
        ctx: &mut Ctx,
        (om, o): (usize, &ObjectRules),
        (um, u): (usize, &ObjectRules),
    ) {
        let aligned = self.prepared
            && o.properties.len() == u.properties.len()
            && o.properties
                .iter()
                .zip(&u.properties)
                .all(|((a, _), (b, _))| a == b);
        if aligned {
            self.compare_aligned_properties(ctx, (om, o), (um, u));
        } else {
            self.compare_properties(ctx, (om, o), (um, u));
        }

        if o.property_dependencies.is_empty()
            && u.property_dependencies.is_empty()
            && o.schema_dependencies.is_empty()
            && u.schema_dependencies.is_empty()
        {
            // Nothing to walk: no name on either side.
        } else {
            self.compare_dependencies(ctx, (om, o), (um, u));
        }

        ctx.enter("additionalProperties");
        if o.permits_additional != u.permits_additional {
            ctx.add(if u.permits_additional {
                Type::ADDITIONAL_PROPERTIES_ADDED
            } else {
                Type::ADDITIONAL_PROPERTIES_REMOVED
            });
        } else if o.additional.is_none() && u.additional.is_some() {
            ctx.add(Type::ADDITIONAL_PROPERTIES_NARROWED);
        } else if o.additional.is_some() && u.additional.is_none() {
            ctx.add(Type::ADDITIONAL_PROPERTIES_EXTENDED);
        } else {
            self.compare(
                ctx,
                o.additional.map(|id| (om, id)),
                u.additional.map(|id| (um, id)),
            );
        }
        ctx.leave();

        compare_limit(
            ctx,
            "maxProperties",
            o.max_properties,
            u.max_properties,
            [
                Type::MAX_PROPERTIES_ADDED,
                Type::MAX_PROPERTIES_REMOVED,
                Type::MAX_PROPERTIES_INCREASED,
                Type::MAX_PROPERTIES_DECREASED,
            ],
        );
        compare_limit(
            ctx,
            "minProperties",
            o.min_properties,
            u.min_properties,
            [
                Type::MIN_PROPERTIES_ADDED,
                Type::MIN_PROPERTIES_REMOVED,
                Type::MIN_PROPERTIES_INCREASED,
                Type::MIN_PROPERTIES_DECREASED,
            ],
        );
    }

    /// `required` and `properties` when both sides name the same properties in the same order:
    /// what [`Diff::compare_properties`] does, with the orders and lookups the parser prepared.
    fn compare_aligned_properties(
        &mut self,
        ctx: &mut Ctx,
        (om, o): (usize, &ObjectRules),
        (um, u): (usize, &ObjectRules),
    ) {
        ctx.enter("required");
        for (i, (name, _)) in o.properties.iter().enumerate() {
            let (was, is) = (o.property_required[i], u.property_required[i]);
            if was && !is {
                ctx.add_at(name, Type::REQUIRED_ATTRIBUTE_REMOVED);
            } else if !was && is {
                let with_default = self.schema((um, u.properties[i].1)).has_default();
                ctx.add_at(
                    name,
                    if with_default {
                        Type::REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED
                    } else {
                        Type::REQUIRED_ATTRIBUTE_ADDED
                    },
                );
            }
        }
        ctx.leave();

        ctx.enter("properties");
        // The other side adds no name, so the union set iterates as the original's names do.
        for &i in &o.name_set_order {
            let (name, oid) = &o.properties[i];
            ctx.enter(name);
            self.compare(ctx, Some((om, *oid)), Some((um, u.properties[i].1)));
            ctx.leave();
        }
        ctx.leave();
    }

    /// `required` and `properties`, in Confluent's order.
    fn compare_properties(
        &mut self,
        ctx: &mut Ctx,
        (om, o): (usize, &ObjectRules),
        (um, u): (usize, &ObjectRules),
    ) {
        let o_props: HashMap<&str, Id> = o
            .properties
            .iter()
            .map(|(k, id)| (k.as_str(), *id))
            .collect();
        let u_props: HashMap<&str, Id> = u
            .properties
            .iter()
            .map(|(k, id)| (k.as_str(), *id))
            .collect();
        let u_required: HashSet<&str> = u.required.iter().map(String::as_str).collect();
        let o_required: HashSet<&str> = o.required.iter().map(String::as_str).collect();
        let o_prop = |name: &str| o_props.get(name).copied();
        let u_prop = |name: &str| u_props.get(name).copied();

        // required: only names that are properties on both sides.
        ctx.enter("required");
        for (name, _) in &o.properties {
            if let Some(uid) = u_prop(name) {
                let was = o_required.contains(name.as_str());
                let is = u_required.contains(name.as_str());
                if was && !is {
                    ctx.add_at(name, Type::REQUIRED_ATTRIBUTE_REMOVED);
                } else if !was && is {
                    let with_default = self.schema((um, uid)).has_default();
                    ctx.add_at(
                        name,
                        if with_default {
                            Type::REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED
                        } else {
                            Type::REQUIRED_ATTRIBUTE_ADDED
                        },
                    );
                }
            }
        }
        ctx.leave();

        ctx.enter("properties");
        let original_names: Vec<String> = o.properties.iter().map(|(k, _)| k.clone()).collect();
        let mut names = JavaHashSet::from_collection(&original_names);
        for (k, _) in &u.properties {
            names.insert(k);
        }
        for name in names.keys() {
            ctx.enter(&name);
            match (o_prop(&name), u_prop(&name)) {
                (Some(oid), None) => {
                    if is_open(u) {
                        ctx.add(Type::PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL);
                    } else if let Some(covering) = covering_schema(u, &name) {
                        let mut sub = ctx.sub();
                        self.compare(&mut sub, Some((om, oid)), Some((um, covering)));
                        let compatible = sub.is_compatible();
                        ctx.diffs.extend(sub.diffs);
                        ctx.add(if compatible {
                            Type::PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                        } else {
                            Type::PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                        });
                    } else if matches!(self.schema((om, oid)).kind, Kind::False) {
                        ctx.add(Type::PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL);
                    } else {
                        ctx.add(Type::PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL);
                    }
                }
                (None, Some(uid)) => {
                    if is_open(o) {
                        if matches!(self.schema((um, uid)).kind, Kind::Empty | Kind::True) {
                            ctx.add(Type::PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL);
                        } else {
                            ctx.add(Type::PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL);
                        }
                    } else {
                        if let Some(covering) = covering_schema(o, &name) {
                            let mut sub = ctx.sub();
                            self.compare(&mut sub, Some((om, covering)), Some((um, uid)));
                            let compatible = sub.is_compatible();
                            ctx.diffs.extend(sub.diffs);
                            ctx.add(if compatible {
                                Type::PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                            } else {
                                Type::PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                            });
                        }
                        if u_required.contains(name.as_str()) {
                            if self.schema((um, uid)).has_default() {
                                ctx.add(Type::REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL);
                            } else {
                                ctx.add(Type::REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL);
                            }
                        } else {
                            ctx.add(Type::OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL);
                        }
                    }
                }
                (Some(oid), Some(uid)) => self.compare(ctx, Some((om, oid)), Some((um, uid))),
                (None, None) => {}
            }
            ctx.leave();
        }
        ctx.leave();
    }

    /// `dependencies` (property and schema dependencies), in Confluent's order.
    fn compare_dependencies(
        &mut self,
        ctx: &mut Ctx,
        (om, o): (usize, &ObjectRules),
        (um, u): (usize, &ObjectRules),
    ) {
        ctx.enter("dependencies");
        let dep_names = |list: &[(String, Vec<String>)]| -> Vec<String> {
            hash_map_order(&list.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>())
        };
        let mut keys = JavaHashSet::from_collection(&dep_names(&o.property_dependencies));
        for k in dep_names(&u.property_dependencies) {
            keys.insert(&k);
        }
        for key in keys.keys() {
            let od = o.property_dependencies.iter().find(|(k, _)| *k == key);
            let ud = u.property_dependencies.iter().find(|(k, _)| *k == key);
            match (od, ud) {
                (_, None) => ctx.add_at(&key, Type::DEPENDENCY_ARRAY_REMOVED),
                (None, Some(_)) => ctx.add_at(&key, Type::DEPENDENCY_ARRAY_ADDED),
                (Some((_, a)), Some((_, b))) => {
                    let a: HashSet<&String> = a.iter().collect();
                    let b: HashSet<&String> = b.iter().collect();
                    if a != b {
                        if b.is_superset(&a) {
                            ctx.add_at(&key, Type::DEPENDENCY_ARRAY_EXTENDED);
                        } else if a.is_superset(&b) {
                            ctx.add_at(&key, Type::DEPENDENCY_ARRAY_NARROWED);
                        } else {
                            ctx.add_at(&key, Type::DEPENDENCY_ARRAY_CHANGED);
                        }
                    }
                }
            }
        }
        let schema_dep_names = |list: &[(String, Id)]| -> Vec<String> {
            hash_map_order(&list.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>())
        };
        let mut keys = JavaHashSet::from_collection(&schema_dep_names(&o.schema_dependencies));
        for k in schema_dep_names(&u.schema_dependencies) {
            keys.insert(&k);
        }
        for key in keys.keys() {
            let od = o
                .schema_dependencies
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, id)| *id);
            let ud = u
                .schema_dependencies
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, id)| *id);
            ctx.enter(&key);
            match (od, ud) {
                (_, None) => ctx.add(Type::DEPENDENCY_SCHEMA_REMOVED),
                (None, Some(_)) => ctx.add(Type::DEPENDENCY_SCHEMA_ADDED),
                (Some(a), Some(b)) => self.compare(ctx, Some((om, a)), Some((um, b))),
            }
            ctx.leave();
        }
        ctx.leave();
    }

    fn compare_array(
        &mut self,
        ctx: &mut Ctx,
        (om, o): (usize, &ArrayRules),
        (um, u): (usize, &ArrayRules),
    ) {
        ctx.enter("items");
        self.compare(
            ctx,
            o.all_items.map(|id| (om, id)),
            u.all_items.map(|id| (um, id)),
        );
        ctx.leave();

        let empty = Vec::new();
        let o_items = o.item_schemas.as_ref().unwrap_or(&empty);
        let u_items = u.item_schemas.as_ref().unwrap_or(&empty);
        let common = o_items.len().min(u_items.len());
        for index in 0..o_items.len().max(u_items.len()) {
            ctx.enter_with(|| format!("items/{index}"));
            if index < common {
                self.compare(ctx, Some((om, o_items[index])), Some((um, u_items[index])));
            } else if index < o_items.len() {
                let oid = o_items[index];
                if is_open_array(u) {
                    ctx.add(Type::ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL);
                } else if let Some(covering) = u.additional_items {
                    let mut sub = ctx.sub();
                    self.compare(&mut sub, Some((om, oid)), Some((um, covering)));
                    let compatible = sub.is_compatible();
                    ctx.diffs.extend(sub.diffs);
                    ctx.add(if compatible {
                        Type::ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                    } else {
                        Type::ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                    });
                } else if matches!(self.schema((om, oid)).kind, Kind::False) {
                    ctx.add(Type::ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL);
                } else {
                    ctx.add(Type::ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL);
                }
            } else {
                let uid = u_items[index];
                if is_open_array(o) {
                    if matches!(self.schema((um, uid)).kind, Kind::Empty | Kind::True) {
                        ctx.add(Type::ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL);
                    } else {
                        ctx.add(Type::ITEM_ADDED_TO_OPEN_CONTENT_MODEL);
                    }
                } else if let Some(covering) = o.additional_items {
                    let mut sub = ctx.sub();
                    self.compare(&mut sub, Some((om, covering)), Some((um, uid)));
                    let compatible = sub.is_compatible();
                    ctx.diffs.extend(sub.diffs);
                    ctx.add(if compatible {
                        Type::ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                    } else {
                        Type::ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                    });
                } else {
                    ctx.add(Type::ITEM_ADDED_TO_CLOSED_CONTENT_MODEL);
                }
            }
            ctx.leave();
        }

        ctx.enter("additionalItems");
        if o.permits_additional_items != u.permits_additional_items {
            ctx.add(if o.permits_additional_items {
                Type::ADDITIONAL_ITEMS_REMOVED
            } else {
                Type::ADDITIONAL_ITEMS_ADDED
            });
        } else if o.additional_items.is_none() && u.additional_items.is_some() {
            ctx.add(Type::ADDITIONAL_ITEMS_NARROWED);
        } else if o.additional_items.is_some() && u.additional_items.is_none() {
            ctx.add(Type::ADDITIONAL_ITEMS_EXTENDED);
        } else {
            self.compare(
                ctx,
                o.additional_items.map(|id| (om, id)),
                u.additional_items.map(|id| (um, id)),
            );
        }
        ctx.leave();

        compare_limit(
            ctx,
            "maxItems",
            o.max_items,
            u.max_items,
            [
                Type::MAX_ITEMS_ADDED,
                Type::MAX_ITEMS_REMOVED,
                Type::MAX_ITEMS_INCREASED,
                Type::MAX_ITEMS_DECREASED,
            ],
        );
        compare_limit(
            ctx,
            "minItems",
            o.min_items,
            u.min_items,
            [
                Type::MIN_ITEMS_ADDED,
                Type::MIN_ITEMS_REMOVED,
                Type::MIN_ITEMS_INCREASED,
                Type::MIN_ITEMS_DECREASED,
            ],
        );
        if o.unique_items != u.unique_items {
            ctx.add_at(
                "uniqueItems",
                if o.unique_items {
                    Type::UNIQUE_ITEMS_REMOVED
                } else {
                    Type::UNIQUE_ITEMS_ADDED
                },
            );
        }
    }
}

/// Open: no pattern properties, no additional-properties schema, additional properties allowed.
fn is_open(o: &ObjectRules) -> bool {
    o.pattern_properties.is_empty() && o.additional.is_none() && o.permits_additional
}

/// The schema covering `name` in a partially open model: the first pattern that matches
/// anywhere in the name, else the additional-properties schema.
fn covering_schema(o: &ObjectRules, name: &str) -> Option<Id> {
    for (regex, id) in &o.pattern_properties {
        if regex.as_ref().is_some_and(|r| r.is_match(name)) {
            return Some(*id);
        }
    }
    o.additional
}

fn is_open_array(a: &ArrayRules) -> bool {
    a.permits_additional_items && a.additional_items.is_none()
}

/// Added / removed / increased / decreased for a numeric limit.
fn compare_limit(ctx: &mut Ctx, attribute: &str, o: Option<f64>, u: Option<f64>, kinds: [Type; 4]) {
    let [added, removed, increased, decreased] = kinds;
    match (o, u) {
        (None, Some(_)) => ctx.add_at(attribute, added),
        (Some(_), None) => ctx.add_at(attribute, removed),
        (Some(a), Some(b)) if a < b => ctx.add_at(attribute, increased),
        (Some(a), Some(b)) if a > b => ctx.add_at(attribute, decreased),
        _ => {}
    }
}

fn compare_string(ctx: &mut Ctx, o: &StringRules, u: &StringRules) {
    compare_limit(
        ctx,
        "maxLength",
        o.max_length,
        u.max_length,
        [
            Type::MAX_LENGTH_ADDED,
            Type::MAX_LENGTH_REMOVED,
            Type::MAX_LENGTH_INCREASED,
            Type::MAX_LENGTH_DECREASED,
        ],
    );
    compare_limit(
        ctx,
        "minLength",
        o.min_length,
        u.min_length,
        [
            Type::MIN_LENGTH_ADDED,
            Type::MIN_LENGTH_REMOVED,
            Type::MIN_LENGTH_INCREASED,
            Type::MIN_LENGTH_DECREASED,
        ],
    );
    match (&o.pattern, &u.pattern) {
        (None, Some(_)) => ctx.add_at("pattern", Type::PATTERN_ADDED),
        (Some(_), None) => ctx.add_at("pattern", Type::PATTERN_REMOVED),
        (Some(a), Some(b)) if a != b => ctx.add_at("pattern", Type::PATTERN_CHANGED),
        _ => {}
    }
}

fn compare_number(ctx: &mut Ctx, o: &NumberRules, u: &NumberRules) {
    compare_limit(
        ctx,
        "maximum",
        o.maximum,
        u.maximum,
        [
            Type::MAXIMUM_ADDED,
            Type::MAXIMUM_REMOVED,
            Type::MAXIMUM_INCREASED,
            Type::MAXIMUM_DECREASED,
        ],
    );
    compare_limit(
        ctx,
        "minimum",
        o.minimum,
        u.minimum,
        [
            Type::MINIMUM_ADDED,
            Type::MINIMUM_REMOVED,
            Type::MINIMUM_INCREASED,
            Type::MINIMUM_DECREASED,
        ],
    );
    match (o.exclusive_maximum, u.exclusive_maximum) {
        (None, Some(_)) => ctx.add_at("exclusiveMaximum", Type::EXCLUSIVE_MAXIMUM_ADDED),
        (Some(_), None) => ctx.add_at("exclusiveMaximum", Type::EXCLUSIVE_MAXIMUM_REMOVED),
        (Some(a), Some(b)) if a < b => {
            ctx.add_at("exclusiveMaximum", Type::EXCLUSIVE_MAXIMUM_INCREASED)
        }
        // Confluent compares against the update's `maximum` here (and fails when it is absent);
        // the decrease is reported either way unless that maximum says otherwise.
        (Some(a), Some(b)) if a > b && u.maximum.is_none_or(|m| a > m) => {
            ctx.add_at("exclusiveMaximum", Type::EXCLUSIVE_MAXIMUM_DECREASED);
        }
        _ => {}
    }
    compare_limit(
        ctx,
        "exclusiveMinimum",
        o.exclusive_minimum,
        u.exclusive_minimum,
        [
            Type::EXCLUSIVE_MINIMUM_ADDED,
            Type::EXCLUSIVE_MINIMUM_REMOVED,
            Type::EXCLUSIVE_MINIMUM_INCREASED,
            Type::EXCLUSIVE_MINIMUM_DECREASED,
        ],
    );
    match (&o.multiple_of, &u.multiple_of) {
        (None, Some(_)) => ctx.add_at("multipleOf", Type::MULTIPLE_OF_ADDED),
        (Some(_), None) => ctx.add_at("multipleOf", Type::MULTIPLE_OF_REMOVED),
        (Some(a), Some(b)) => {
            let (a, b) = (Decimal::parse(a), Decimal::parse(b));
            if let (Some(a), Some(b)) = (a, b) {
                if !a.equals(&b) {
                    if b.is_multiple_of(&a) {
                        ctx.add_at("multipleOf", Type::MULTIPLE_OF_EXPANDED);
                    } else if a.is_multiple_of(&b) {
                        ctx.add_at("multipleOf", Type::MULTIPLE_OF_REDUCED);
                    } else {
                        ctx.add_at("multipleOf", Type::MULTIPLE_OF_CHANGED);
                    }
                }
            }
        }
        (None, None) => {}
    }
    if o.requires_integer != u.requires_integer {
        ctx.add(if o.requires_integer {
            Type::TYPE_EXTENDED
        } else {
            Type::TYPE_NARROWED
        });
    }
}

fn compare_enum(ctx: &mut Ctx, o: &[Node], u: &[Node]) {
    let contains_all =
        |set: &[Node], items: &[Node]| items.iter().all(|i| set.iter().any(|s| json_eq(s, i)));
    let same = contains_all(o, u) && contains_all(u, o);
    if !same {
        if contains_all(u, o) {
            ctx.add_at("enum", Type::ENUM_ARRAY_EXTENDED);
        } else if contains_all(o, u) {
            ctx.add_at("enum", Type::ENUM_ARRAY_NARROWED);
        } else {
            ctx.add_at("enum", Type::ENUM_ARRAY_CHANGED);
        }
    }
}

/// JSON equality with unordered object members (Java `Map.equals`).
pub(crate) fn json_eq(a: &Node, b: &Node) -> bool {
    match (a, b) {
        (Node::Object(x), Node::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.iter().any(|(k2, v2)| k == k2 && json_eq(v, v2)))
        }
        (Node::Array(x), Node::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| json_eq(v, w))
        }
        _ => a == b,
    }
}

fn option_json_eq(a: Option<&Node>, b: Option<&Node>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => json_eq(a, b),
        (None, None) => true,
        _ => false,
    }
}

/// An exact decimal: `mantissa × 10^-scale`.
struct Decimal {
    mantissa: i128,
    scale: i32,
}

impl Decimal {
    fn parse(text: &str) -> Option<Decimal> {
        let (number, exponent) = match text.find(['e', 'E']) {
            Some(i) => (&text[..i], text[i + 1..].parse::<i32>().ok()?),
            None => (text, 0),
        };
        let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
        let digits = format!("{int_part}{frac_part}");
        let mantissa: i128 = digits.parse().ok()?;
        let scale = i32::try_from(frac_part.len()).ok()?.checked_sub(exponent)?;
        Some(Decimal { mantissa, scale })
    }

    /// Both values scaled to a common scale.
    fn aligned(&self, other: &Decimal) -> Option<(i128, i128)> {
        let scale = self.scale.max(other.scale);
        let up = |d: &Decimal| -> Option<i128> {
            let factor = 10i128.checked_pow(u32::try_from(scale - d.scale).ok()?)?;
            d.mantissa.checked_mul(factor)
        };
        Some((up(self)?, up(other)?))
    }

    fn equals(&self, other: &Decimal) -> bool {
        self.aligned(other).is_some_and(|(a, b)| a == b)
    }

    /// Whether `self` is an integer multiple of `divisor`.
    fn is_multiple_of(&self, divisor: &Decimal) -> bool {
        match self.aligned(divisor) {
            Some((a, b)) if b != 0 => a % b == 0,
            _ => false,
        }
    }
}

/// Maximum bipartite matching (augmenting paths); `edges[i]` lists the right vertices of `i`.
/// Returns, for each left vertex, its matched right vertex.
fn maximum_matching<T>(edges: &[Vec<(usize, T)>], right: usize) -> Vec<Option<usize>> {
    fn augment<T>(
        i: usize,
        edges: &[Vec<(usize, T)>],
        seen: &mut [bool],
        owner: &mut [Option<usize>],
    ) -> bool {
        for (j, _) in &edges[i] {
            if seen[*j] {
                continue;
            }
            seen[*j] = true;
            if owner[*j].is_none_or(|k| augment(k, edges, seen, owner)) {
                owner[*j] = Some(i);
                return true;
            }
        }
        false
    }
    let mut owner: Vec<Option<usize>> = vec![None; right];
    for i in 0..edges.len() {
        let mut seen = vec![false; right];
        augment(i, edges, &mut seen, &mut owner);
    }
    let mut matching = vec![None; edges.len()];
    for (j, o) in owner.iter().enumerate() {
        if let Some(i) = o {
            matching[*i] = Some(j);
        }
    }
    matching
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn decimals_compare_exactly() {
        let d = |s| Decimal::parse(s).expect("decimal");
        assert!(d("0.5").equals(&d("0.50")));
        assert!(d("1.5").is_multiple_of(&d("0.5")));
        assert!(!d("0.5").is_multiple_of(&d("1.5")));
        assert!(d("4").is_multiple_of(&d("2")));
        assert!(d("1E+2").is_multiple_of(&d("25")));
        assert!(!d("0.3").is_multiple_of(&d("0.2")));
    }

    /// Every JSON schema of the golden corpus against every other: the deciding walk never calls
    /// compatible what the recording walk finds incompatible, and the prepared walk of aligned
    /// properties reports exactly what the general walk does, in the same order.
    #[test]
    fn fast_paths_change_no_difference() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
        let text = std::fs::read_to_string(dir.join("corpus.json")).expect("corpus");
        let corpus: serde_json::Value = serde_json::from_str(&text).expect("corpus JSON");
        let mut texts: Vec<String> = Vec::new();
        for pair in corpus["compat"].as_array().into_iter().flatten() {
            if pair["type"] == "JSON" {
                for side in ["old", "new"] {
                    texts.extend(pair[side].as_str().map(str::to_owned));
                }
            }
        }
        // Wide objects whose properties change type, gain limits or become required; with 24
        // names, the union set iterates in another order than the parsed property map.
        let wide = |variant: usize| {
            let props: Vec<String> = (0..24)
                .map(|i| {
                    let ty = ["integer", "string", "boolean"][(i * variant + i / 7) % 3];
                    let limit = if i % (variant + 2) == 0 {
                        r#","maximum":5"#
                    } else {
                        ""
                    };
                    format!(r#""p{i}":{{"type":"{ty}"{limit}}}"#)
                })
                .collect();
            let required: Vec<String> = (0..24)
                .filter(|i| i % (variant + 3) == 0)
                .map(|i| format!(r#""p{i}""#))
                .collect();
            format!(
                r#"{{"type":"object","additionalProperties":false,"required":[{}],"properties":{{{}}}}}"#,
                required.join(","),
                props.join(",")
            )
        };
        texts.extend((0..4).map(wide));
        let models: Vec<crate::ParsedSchema> = texts
            .iter()
            .filter_map(|t| {
                crate::parse(
                    crate::SchemaType::Json,
                    t,
                    &[],
                    &crate::NoReferences,
                    &crate::ParseOptions::default(),
                )
                .ok()
            })
            .collect();
        assert!(models.len() > 100, "{}", models.len());
        fn model(p: &crate::ParsedSchema) -> &Model {
            match p.model() {
                crate::SchemaModel::Json(m) => &m.model,
                other => panic!("not a JSON model: {other:?}"),
            }
        }
        let (mut decided, mut aligned_with_differences) = (0, 0);
        for a in &models {
            for b in &models {
                let (a, b) = (model(a), model(b));
                let general = run(a, b, true, false).1;
                let prepared = compare(a, b);
                assert_eq!(prepared, general);
                if surely_compatible(a, b) {
                    assert!(prepared.is_empty(), "{prepared:?}");
                    decided += 1;
                } else if !prepared.is_empty()
                    && prepared
                        .iter()
                        .any(|d| d.path.starts_with("#/properties/p"))
                {
                    aligned_with_differences += 1;
                }
            }
        }
        assert!(decided > 100, "{decided}");
        assert!(aligned_with_differences >= 12, "{aligned_with_differences}");
    }

    #[test]
    fn matching_is_maximum() {
        // 0 -> {0, 1}, 1 -> {0}: greedy would give 1 match; the maximum is 2.
        let edges = vec![vec![(0, ()), (1, ())], vec![(0, ())]];
        let m = maximum_matching(&edges, 2);
        assert_eq!(m.iter().filter(|x| x.is_some()).count(), 2);
    }
}
