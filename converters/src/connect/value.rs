//! Connect values.

use super::decimal::Decimal;
use indexmap::IndexMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// A Connect value: what a converter reads from or writes to bytes, checked against a
/// [`Schema`](super::Schema).
///
/// Equality is made for round-trip tests: floats compare by bit pattern (so `NaN == NaN` and
/// `0.0 != -0.0`), maps compare as maps (entry order aside), and a struct field set to `Null`
/// equals an absent one. `Value` is `Eq` and `Hash`, so it can be a map key.
#[derive(Debug, Clone)]
pub enum Value {
    /// No value.
    Null,
    /// BOOLEAN.
    Boolean(bool),
    /// INT8.
    Int8(i8),
    /// INT16.
    Int16(i16),
    /// INT32.
    Int32(i32),
    /// INT64.
    Int64(i64),
    /// FLOAT32.
    Float32(f32),
    /// FLOAT64.
    Float64(f64),
    /// STRING.
    String(String),
    /// BYTES.
    Bytes(Vec<u8>),
    /// ARRAY.
    Array(Vec<Value>),
    /// MAP: keys of any type (not only strings), in insertion order. Boxed: an `IndexMap` is
    /// larger than every other variant, and would make every value pay for it.
    Map(Box<IndexMap<Value, Value>>),
    /// STRUCT.
    Struct(Struct),
    /// The Decimal logical type (a BYTES schema).
    Decimal(Decimal),
    /// The Date logical type: days since 1970-01-01 (an INT32 schema).
    Date(i32),
    /// The Time logical type: milliseconds since midnight (an INT32 schema).
    Time(i32),
    /// The Timestamp logical type: milliseconds since the epoch (an INT64 schema).
    Timestamp(i64),
}

impl Value {
    /// Whether this is [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The name of the value's kind, for messages: a Connect type name (`INT32`, `STRUCT`, …)
    /// or a logical type name (`Decimal`, `Date`, `Time`, `Timestamp`), or `null`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Boolean(_) => "BOOLEAN",
            Value::Int8(_) => "INT8",
            Value::Int16(_) => "INT16",
            Value::Int32(_) => "INT32",
            Value::Int64(_) => "INT64",
            Value::Float32(_) => "FLOAT32",
            Value::Float64(_) => "FLOAT64",
            Value::String(_) => "STRING",
            Value::Bytes(_) => "BYTES",
            Value::Array(_) => "ARRAY",
            Value::Map(_) => "MAP",
            Value::Struct(_) => "STRUCT",
            Value::Decimal(_) => "Decimal",
            Value::Date(_) => "Date",
            Value::Time(_) => "Time",
            Value::Timestamp(_) => "Timestamp",
        }
    }
}

// A record's values sit side by side in one `Vec<Value>`: at 48 bytes a 20-field record's
// vector (960 bytes) stays within the allocator's fast per-thread cache (1,032 bytes in glibc),
// and each value moved out of a decoder's temporaries is a smaller copy.
const _: () = assert!(std::mem::size_of::<Value>() <= 48);

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        use Value::*;
        match (self, other) {
            (Null, Null) => true,
            (Boolean(a), Boolean(b)) => a == b,
            (Int8(a), Int8(b)) => a == b,
            (Int16(a), Int16(b)) => a == b,
            (Int32(a), Int32(b)) => a == b,
            (Int64(a), Int64(b)) => a == b,
            (Float32(a), Float32(b)) => a.to_bits() == b.to_bits(),
            (Float64(a), Float64(b)) => a.to_bits() == b.to_bits(),
            (String(a), String(b)) => a == b,
            (Bytes(a), Bytes(b)) => a == b,
            (Array(a), Array(b)) => a == b,
            (Map(a), Map(b)) => a == b,
            (Struct(a), Struct(b)) => a == b,
            (Decimal(a), Decimal(b)) => a == b,
            (Date(a), Date(b)) => a == b,
            (Time(a), Time(b)) => a == b,
            (Timestamp(a), Timestamp(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Value {}

impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        match self {
            Value::Null => {}
            Value::Boolean(v) => v.hash(state),
            Value::Int8(v) => v.hash(state),
            Value::Int16(v) => v.hash(state),
            Value::Int32(v) | Value::Date(v) | Value::Time(v) => v.hash(state),
            Value::Int64(v) | Value::Timestamp(v) => v.hash(state),
            Value::Float32(v) => v.to_bits().hash(state),
            Value::Float64(v) => v.to_bits().hash(state),
            Value::String(v) => v.hash(state),
            Value::Bytes(v) => v.hash(state),
            Value::Array(v) => v.hash(state),
            // Equal maps may list their entries in different orders: hash only what equality
            // cannot reorder.
            Value::Map(v) => v.len().hash(state),
            Value::Struct(_) => {}
            Value::Decimal(v) => v.hash(state),
        }
    }
}

macro_rules! value_from {
    ($($t:ty => $variant:ident;)*) => {
        $(
            impl From<$t> for Value {
                fn from(v: $t) -> Value {
                    Value::$variant(v.into())
                }
            }
        )*
    };
}

value_from! {
    bool => Boolean;
    i8 => Int8;
    i16 => Int16;
    i32 => Int32;
    i64 => Int64;
    f32 => Float32;
    f64 => Float64;
    String => String;
    &str => String;
    Vec<u8> => Bytes;
    Vec<Value> => Array;
    IndexMap<Value, Value> => Map;
    Box<IndexMap<Value, Value>> => Map;
    Struct => Struct;
    Decimal => Decimal;
}

impl<T: Into<Value>> From<Option<T>> for Value {
    /// `None` is [`Value::Null`].
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

/// The value of a STRUCT: field values by name, in the order they were set.
///
/// A struct does not carry its schema; it is checked against one by
/// [`Schema::validate`](super::Schema::validate). A field set to [`Value::Null`] and an absent
/// field are the same thing, as in Kafka.
///
/// A struct read by a converter shares its schema's field names (one reference for all of
/// them) and holds one value per field, null for the fields the record did not set: reading a
/// record copies and hashes no field name. Lookups by name scan the names, as Kafka's `Struct`
/// does with its schema's fields.
#[derive(Clone, Default)]
pub struct Struct {
    names: Names,
    /// `values[i]` is the value of the `i`-th name.
    values: Vec<Value>,
}

#[derive(Clone)]
enum Names {
    /// Names set one by one: every entry counts as set, null ones included.
    Own(Vec<Arc<str>>),
    /// A schema's field names, all of them: a null value is a field the record did not set.
    Schema(Arc<[Arc<str>]>),
}

/// A field name to set: the caller's, or a schema's shared one.
enum Key<'a> {
    Owned(String),
    Shared(&'a Arc<str>),
}

impl Key<'_> {
    fn as_str(&self) -> &str {
        match self {
            Key::Owned(s) => s,
            Key::Shared(s) => s,
        }
    }

    fn into_shared(self) -> Arc<str> {
        match self {
            Key::Owned(s) => Arc::from(s),
            Key::Shared(s) => s.clone(),
        }
    }
}

impl Default for Names {
    fn default() -> Names {
        Names::Own(Vec::new())
    }
}

impl fmt::Debug for Struct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Struct {
    /// An empty struct.
    pub fn new() -> Struct {
        Struct::default()
    }

    /// An empty struct with room for `n` fields.
    pub fn with_capacity(n: usize) -> Struct {
        Struct {
            names: Names::Own(Vec::with_capacity(n)),
            values: Vec::with_capacity(n),
        }
    }

    /// A struct of a schema's field names (all of them) and one value per name, null for an
    /// unset field: what a decoder builds.
    pub(crate) fn of_schema(names: &Arc<[Arc<str>]>, values: Vec<Value>) -> Struct {
        debug_assert_eq!(names.len(), values.len());
        Struct {
            names: Names::Schema(names.clone()),
            values,
        }
    }

    #[inline]
    fn names(&self) -> &[Arc<str>] {
        match &self.names {
            Names::Own(n) => n,
            Names::Schema(n) => n,
        }
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.names().iter().position(|n| &**n == name)
    }

    /// Turns schema names into own entries (the fields set), before a field is set by name.
    fn make_own(&mut self) {
        if let Names::Schema(names) = &self.names {
            let mut own = Vec::with_capacity(names.len());
            let mut values = Vec::with_capacity(names.len());
            for (n, v) in names.iter().zip(std::mem::take(&mut self.values)) {
                if !v.is_null() {
                    own.push(n.clone());
                    values.push(v);
                }
            }
            self.names = Names::Own(own);
            self.values = values;
        }
    }

    fn set(&mut self, name: Key<'_>, value: Value) {
        self.make_own();
        if let Names::Own(names) = &mut self.names {
            match names.iter().position(|n| **n == *name.as_str()) {
                Some(i) => self.values[i] = value,
                None => {
                    names.push(name.into_shared());
                    self.values.push(value);
                }
            }
        }
    }

    /// Sets a field and returns the struct, for building in one expression.
    #[must_use]
    pub fn with(mut self, name: impl Into<String>, value: Value) -> Struct {
        self.put(name, value);
        self
    }

    /// Sets a field (replacing its value if already set).
    pub fn put(&mut self, name: impl Into<String>, value: Value) -> &mut Struct {
        self.set(Key::Owned(name.into()), value);
        self
    }

    /// Sets a field keyed by a shared name (a schema's), without copying the name.
    pub(crate) fn put_shared(&mut self, name: &Arc<str>, value: Value) {
        self.set(Key::Shared(name), value);
    }

    /// The value of a field; `None` if it was never set.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.visible(self.position(name)?)
    }

    /// The value of field `name`, looked for at position `i` first (where a struct of the same
    /// schema keeps it), then by name.
    #[inline(always)]
    pub(crate) fn lookup(&self, i: usize, name: &str) -> Option<&Value> {
        match self.names().get(i) {
            // The schema's own name (same allocation) needs no comparison of the text.
            Some(n) if std::ptr::eq(&**n, name) || same_name(n.as_bytes(), name.as_bytes()) => {
                self.visible(i)
            }
            _ => self.get(name),
        }
    }

    #[inline]
    fn visible(&self, i: usize) -> Option<&Value> {
        let v = self.values.get(i)?;
        match self.names {
            Names::Schema(_) if v.is_null() => None,
            _ => Some(v),
        }
    }

    /// The fields that were set, in the order they were set.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        let schema = matches!(self.names, Names::Schema(_));
        self.names()
            .iter()
            .zip(&self.values)
            .filter(move |(_, v)| !(schema && v.is_null()))
            .map(|(k, v)| (&**k, v))
    }

    /// How many fields were set (including those set to null).
    pub fn len(&self) -> usize {
        match self.names {
            Names::Own(_) => self.values.len(),
            Names::Schema(_) => self.values.iter().filter(|v| !v.is_null()).count(),
        }
    }

    /// Whether no field was set.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Whether two field names are the same text. Field names are short: comparing them in line,
/// a few bytes at a time, beats a call to `memcmp`, which a codec would make for every field of
/// every record.
#[inline(always)]
pub(crate) fn same_name(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word4 = |s: &[u8], at: usize| u32::from_ne_bytes([s[at], s[at + 1], s[at + 2], s[at + 3]]);
    let word8 = |s: &[u8], at: usize| {
        u64::from_ne_bytes([
            s[at],
            s[at + 1],
            s[at + 2],
            s[at + 3],
            s[at + 4],
            s[at + 5],
            s[at + 6],
            s[at + 7],
        ])
    };
    // Two loads that overlap cover every byte of a name of their size or up to twice it.
    match n {
        0 => true,
        1..=3 => a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1],
        4..=7 => word4(a, 0) == word4(b, 0) && word4(a, n - 4) == word4(b, n - 4),
        8..=16 => word8(a, 0) == word8(b, 0) && word8(a, n - 8) == word8(b, n - 8),
        _ => a == b,
    }
}

impl PartialEq for Struct {
    fn eq(&self, other: &Struct) -> bool {
        // One comparison per field (comparing both ways would be exponential in the depth).
        let set = |s: &Struct| s.values.iter().filter(|v| !v.is_null()).count();
        set(self) == set(other)
            && self
                .iter()
                .filter(|(_, v)| !v.is_null())
                .all(|(k, v)| other.get(k) == Some(v))
    }
}

impl Eq for Struct {}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn from_rust_values() {
        assert_eq!(Value::from(1i8), Value::Int8(1));
        assert_eq!(Value::from("a"), Value::String("a".into()));
        assert_eq!(Value::from(None::<i32>), Value::Null);
        assert_eq!(Value::from(Some(2.5f64)), Value::Float64(2.5));
        assert_eq!(Value::from(vec![1u8]), Value::Bytes(vec![1]));
    }

    #[test]
    fn floats_compare_by_bits() {
        assert_eq!(Value::Float64(f64::NAN), Value::Float64(f64::NAN));
        assert_ne!(Value::Float64(0.0), Value::Float64(-0.0));
        assert_ne!(Value::Float32(1.0), Value::Float64(1.0));
        assert_ne!(Value::Int32(1), Value::Date(1));
    }

    #[test]
    fn maps_compare_as_maps() {
        let a: IndexMap<_, _> = [
            (Value::Int8(1), Value::Null),
            (Value::Int8(2), Value::Boolean(true)),
        ]
        .into_iter()
        .collect();
        let b: IndexMap<_, _> = a
            .iter()
            .rev()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        assert_eq!(
            Value::Map(Box::new(a.clone())),
            Value::Map(Box::new(b.clone()))
        );
        let mut set = HashSet::new();
        set.insert(Value::Map(Box::new(a)));
        assert!(set.contains(&Value::Map(Box::new(b))));
    }

    #[test]
    fn same_name_is_text_equality_at_every_length() {
        for n in 0..40 {
            let a: String = (0..n).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
            assert!(same_name(a.as_bytes(), a.clone().as_bytes()), "{a}");
            assert!(!same_name(a.as_bytes(), format!("{a}x").as_bytes()), "{a}");
            // A difference at any single position is seen.
            for i in 0..n {
                let mut b = a.clone().into_bytes();
                b[i] = b'_';
                let b = String::from_utf8(b).unwrap();
                assert!(!same_name(a.as_bytes(), b.as_bytes()), "{a} vs {b}");
            }
        }
        assert!(same_name("é".as_bytes(), "é".as_bytes()));
        assert!(!same_name("é".as_bytes(), "è".as_bytes()));
    }

    #[test]
    fn a_struct_of_schema_names_hides_its_unset_fields() {
        let names: Arc<[Arc<str>]> = vec![Arc::from("a"), Arc::from("b"), Arc::from("c")].into();
        let mut s = Struct::of_schema(
            &names,
            vec![Value::Int32(1), Value::Null, Value::String("x".into())],
        );
        assert_eq!(s.len(), 2);
        assert_eq!(s.get("b"), None);
        assert_eq!(s.lookup(2, "c"), Some(&Value::String("x".into())));
        assert_eq!(s.lookup(0, "c"), Some(&Value::String("x".into())));
        assert_eq!(
            s.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            ["a", "c"],
            "in schema order, unset fields left out"
        );
        let built = Struct::new()
            .with("c", Value::String("x".into()))
            .with("a", Value::Int32(1));
        assert_eq!(s, built);
        // Setting a field by name turns the shared names into the struct's own.
        s.put("b", Value::Boolean(true));
        s.put("a", Value::Int32(2));
        assert_eq!(
            s.iter()
                .map(|(k, v)| (k.to_owned(), v.clone()))
                .collect::<Vec<_>>(),
            [
                ("a".to_owned(), Value::Int32(2)),
                ("c".to_owned(), Value::String("x".into())),
                ("b".to_owned(), Value::Boolean(true)),
            ]
        );
        assert_eq!(names.len(), 3, "the schema's names are untouched");
    }

    #[test]
    fn null_struct_fields_equal_absent_ones() {
        let a = Struct::new()
            .with("x", Value::Int32(1))
            .with("y", Value::Null);
        let b = Struct::new().with("x", Value::Int32(1));
        assert_eq!(a, b);
        assert_ne!(a, Struct::new().with("x", Value::Int32(2)));
        assert_ne!(b, Struct::new());
    }
}
