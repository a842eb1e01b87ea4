//! Avro Java's `SchemaCompatibility.checkReaderWriterCompatibility`, with Confluent's wording
//! of each incompatibility.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use super::print::to_string;
use super::schema::{Arena, Field, Id, Kind, Name, Named, Prim};

/// Deepest recursion the checker follows; deeper schemas are reported as an unexpected error,
/// where Java would overflow its stack.
const MAX_DEPTH: usize = 400;

/// Most reader/writer pairs one check computes; past this the check is reported as an
/// unexpected error instead of running for minutes (a union of many named types against
/// another is quadratic).
const MAX_PAIRS: usize = 300_000;

/// A schema in its arena.
#[derive(Clone, Copy)]
pub(crate) struct Side<'a> {
    pub arena: &'a Arena,
    pub root: Id,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ErrorType {
    NameMismatch,
    FixedSizeMismatch,
    MissingEnumSymbols,
    ReaderFieldMissingDefaultValue,
    TypeMismatch,
    MissingUnionBranch,
}

impl ErrorType {
    fn name(self) -> &'static str {
        match self {
            ErrorType::NameMismatch => "NAME_MISMATCH",
            ErrorType::FixedSizeMismatch => "FIXED_SIZE_MISMATCH",
            ErrorType::MissingEnumSymbols => "MISSING_ENUM_SYMBOLS",
            ErrorType::ReaderFieldMissingDefaultValue => "READER_FIELD_MISSING_DEFAULT_VALUE",
            ErrorType::TypeMismatch => "TYPE_MISMATCH",
            ErrorType::MissingUnionBranch => "MISSING_UNION_BRANCH",
        }
    }
}

#[derive(Debug, Clone)]
struct Incompatibility {
    kind: ErrorType,
    message: String,
    /// JSON-pointer location, e.g. `/fields/0/type`.
    location: String,
}

/// Java's `SchemaCompatibilityResult`: the incompatibilities found (empty = compatible).
type Found = Vec<Incompatibility>;

/// Most incompatibilities kept per result. Java repeats a shared type's incompatibilities at
/// every use, which grows exponentially with nesting; past this many, more add nothing.
const MAX_FOUND: usize = 1_000;

/// Appends `more` to `found`, up to [`MAX_FOUND`].
fn merge(found: &mut Found, more: Found) {
    let room = MAX_FOUND.saturating_sub(found.len());
    found.extend(more.into_iter().take(room));
}

enum Memo {
    InProgress,
    Done(Found),
}

/// A hasher for the memo's keys, pairs of arena indices (which the input does not choose):
/// far cheaper than SipHash for two integers.
#[derive(Default)]
struct PairHasher(u64);

impl Hasher for PairHasher {
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

/// One step of a location, rendered only when an incompatibility is recorded.
#[derive(Clone, Copy)]
enum Token {
    Name(&'static str),
    Index(usize),
}

struct Checker<'a> {
    reader: &'a Arena,
    writer: &'a Arena,
    memo: HashMap<(Id, Id), Memo, BuildHasherDefault<PairHasher>>,
    depth: usize,
}

impl Checker<'_> {
    fn budget_left(&self) -> bool {
        self.memo.len() < MAX_PAIRS
    }
}

/// Aborts the whole check, as an exception does in Java.
struct Abort(String);

/// Confluent's messages for `reader` reading data written with `writer`. `(this, other)` name the
/// reader and the writer in descriptions: `("new", "old")` for a backward check.
pub(crate) fn messages(reader: Side<'_>, writer: Side<'_>, words: (&str, &str)) -> Vec<String> {
    let mut checker = Checker {
        reader: reader.arena,
        writer: writer.arena,
        memo: HashMap::with_capacity_and_hasher(64, BuildHasherDefault::default()),
        depth: 0,
    };
    let found = match checker.root(reader.root, writer.root) {
        Ok(found) => found,
        Err(Abort(message)) => {
            return vec![format!(
                "Unexpected exception during compatibility check: {message}"
            )]
        }
    };
    let (this, other) = words;
    found
        .iter()
        .map(|inc| {
            let path = &inc.location;
            let description = match inc.kind {
                ErrorType::FixedSizeMismatch => format!(
                    "The size of FIXED type field at path '{path}' in the {this} schema does not match with the {other} schema"
                ),
                ErrorType::TypeMismatch => format!(
                    "The type (path '{path}') of a field in the {this} schema does not match with the {other} schema"
                ),
                ErrorType::NameMismatch => {
                    format!("The name of the schema has changed (path '{path}')")
                }
                ErrorType::MissingEnumSymbols => format!(
                    "The {this} schema is missing enum symbols '{}' at path '{path}' in the {other} schema",
                    inc.message
                ),
                ErrorType::MissingUnionBranch => format!(
                    "The {this} schema is missing a type inside a union field at path '{path}' in the {other} schema"
                ),
                ErrorType::ReaderFieldMissingDefaultValue => format!(
                    "The field '{}' at path '{path}' in the {this} schema has no default value and is missing in the {other} schema",
                    inc.message
                ),
            };
            format!(
                "{{errorType:'{}', description:'{description}', additionalInfo:'{}'}}",
                inc.kind.name(),
                inc.message
            )
        })
        .collect()
}

/// `schemaNameEquals`: unqualified names equal, or a reader alias naming the writer's full name.
fn names_match(reader: &Named, writer: &Named) -> bool {
    reader.name.name == writer.name.name
        || reader
            .aliases
            .iter()
            .any(|a| full_bytes(a).eq(full_bytes(&writer.name)))
}

/// The bytes of [`Name::full`], without building it.
fn full_bytes(name: &Name) -> impl Iterator<Item = u8> + '_ {
    let space = name
        .space
        .as_deref()
        .map(|s| s.bytes().chain(std::iter::once(b'.')));
    space.into_iter().flatten().chain(name.name.bytes())
}

/// The promotions Avro allows from a writer type to a different reader type.
fn promotes(reader: &Kind, writer: &Kind) -> bool {
    let writer = match writer {
        Kind::Prim(p) => Some(*p),
        _ => None,
    };
    match reader {
        Kind::Prim(Prim::Long) => writer == Some(Prim::Int),
        Kind::Prim(Prim::Float) => matches!(writer, Some(Prim::Int | Prim::Long)),
        Kind::Prim(Prim::Double) => matches!(writer, Some(Prim::Int | Prim::Long | Prim::Float)),
        Kind::Prim(Prim::Bytes) => writer == Some(Prim::String),
        Kind::Prim(Prim::String) => writer == Some(Prim::Bytes),
        _ => false,
    }
}

/// Java's location rendering: the root token is dropped, the rest joined as a JSON pointer.
fn pointer(location: &[Token]) -> String {
    let parts: Vec<String> = location
        .iter()
        .skip(1)
        .map(|t| match t {
            Token::Name(p) => p.replace('~', "~0").replace('/', "~1"),
            Token::Index(i) => i.to_string(),
        })
        .collect();
    format!("/{}", parts.join("/"))
}

impl<'a> Checker<'a> {
    /// The two-argument `getCompatibility`: a fresh location, the shared memo.
    fn root(&mut self, reader: Id, writer: Id) -> Result<Found, Abort> {
        let mut location = Vec::new();
        self.check(Token::Name(""), reader, writer, &mut location)
    }

    fn check(
        &mut self,
        token: Token,
        reader: Id,
        writer: Id,
        location: &mut Vec<Token>,
    ) -> Result<Found, Abort> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Abort("schemas nest too deeply to be compared".to_owned()));
        }
        location.push(token);
        let result = match self.memo.get(&(reader, writer)) {
            Some(Memo::InProgress) => Ok(Vec::new()),
            Some(Memo::Done(found)) => Ok(found.clone()),
            None if !self.budget_left() => Err(Abort("schemas too large to compare".to_owned())),
            None => {
                self.memo.insert((reader, writer), Memo::InProgress);
                let computed = self.calculate(reader, writer, location);
                if let Ok(found) = &computed {
                    self.memo
                        .insert((reader, writer), Memo::Done(found.clone()));
                }
                computed
            }
        };
        location.pop();
        self.depth -= 1;
        result
    }

    fn incompatible(kind: ErrorType, message: String, location: &[Token]) -> Incompatibility {
        Incompatibility {
            kind,
            message,
            location: pointer(location),
        }
    }

    fn type_mismatch(&self, reader: Id, writer: Id, location: &[Token]) -> Found {
        vec![Self::incompatible(
            ErrorType::TypeMismatch,
            format!(
                "reader type: {} not compatible with writer type: {}",
                self.reader.node(reader).type_name(),
                self.writer.node(writer).type_name()
            ),
            location,
        )]
    }

    fn calculate(
        &mut self,
        reader: Id,
        writer: Id,
        location: &mut Vec<Token>,
    ) -> Result<Found, Abort> {
        // The arenas outlive the checker, so nodes can be held across recursive calls.
        let (reader_arena, writer_arena): (&'a Arena, &'a Arena) = (self.reader, self.writer);
        let r = reader_arena.node(reader);
        let w = writer_arena.node(writer);
        let mut found = Vec::new();
        if r.type_name() == w.type_name() {
            match (&r.kind, &w.kind) {
                (Kind::Array(ri), Kind::Array(wi)) => {
                    return self.check(Token::Name("items"), *ri, *wi, location)
                }
                (Kind::Map(rv), Kind::Map(wv)) => {
                    return self.check(Token::Name("values"), *rv, *wv, location)
                }
                (Kind::Fixed { size: rs, .. }, Kind::Fixed { size: ws, .. }) => {
                    merge(&mut found, self.check_names(reader, writer, location));
                    location.push(Token::Name("size"));
                    if rs != ws {
                        found.push(Self::incompatible(
                            ErrorType::FixedSizeMismatch,
                            format!("expected: {ws}, found: {rs}"),
                            location,
                        ));
                    }
                    location.pop();
                }
                (
                    Kind::Enum {
                        symbols: rsyms,
                        default: rdefault,
                        ..
                    },
                    Kind::Enum { symbols: wsyms, .. },
                ) => {
                    merge(&mut found, self.check_names(reader, writer, location));
                    location.push(Token::Name("symbols"));
                    let reader_symbols: HashSet<&String> = rsyms.iter().collect();
                    let missing: BTreeSet<&String> = wsyms
                        .iter()
                        .filter(|s| !reader_symbols.contains(s))
                        .collect();
                    let has_default = rdefault
                        .as_ref()
                        .is_some_and(|d| reader_symbols.contains(d));
                    if !missing.is_empty() && !has_default {
                        let list: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
                        found.push(Self::incompatible(
                            ErrorType::MissingEnumSymbols,
                            format!("[{}]", list.join(", ")),
                            location,
                        ));
                    }
                    location.pop();
                }
                (Kind::Record { fields: rf, .. }, Kind::Record { .. }) => {
                    merge(&mut found, self.check_names(reader, writer, location));
                    let reader_fields: &'a [Field] = rf.as_deref().unwrap_or_default();
                    merge(
                        &mut found,
                        self.check_fields(reader_fields, writer, location)?,
                    );
                }
                (Kind::Union(_), Kind::Union(wtypes)) => {
                    for (i, branch) in wtypes.iter().enumerate() {
                        location.push(Token::Index(i));
                        let branch_found = self.root(reader, *branch)?;
                        if !branch_found.is_empty() {
                            found.push(Self::incompatible(
                                ErrorType::MissingUnionBranch,
                                format!(
                                    "reader union lacking writer type: {}",
                                    self.writer.node(*branch).type_name()
                                ),
                                location,
                            ));
                        }
                        location.pop();
                    }
                }
                _ => {}
            }
            return Ok(found);
        }
        if let Kind::Union(wtypes) = &w.kind {
            for &branch in wtypes {
                merge(&mut found, self.root(reader, branch)?);
            }
            return Ok(found);
        }
        let promotable = match &r.kind {
            Kind::Union(rtypes) => {
                for &branch in rtypes {
                    // A branch that cannot match is skipped unevaluated: Java's answer for it is
                    // an incompatibility either way, and skipping keeps a scan of a large union
                    // from caching a result for every branch.
                    if self.may_read(branch, writer) && self.root(branch, writer)?.is_empty() {
                        return Ok(found);
                    }
                }
                found.push(Self::incompatible(
                    ErrorType::MissingUnionBranch,
                    format!("reader union lacking writer type: {}", w.type_name()),
                    location,
                ));
                return Ok(found);
            }
            kind => promotes(kind, &w.kind),
        };
        if !promotable {
            merge(&mut found, self.type_mismatch(reader, writer, location));
        }
        Ok(found)
    }

    /// Whether `reader` might read `writer` (a writer that is not a union): false when the
    /// types differ without a promotion, or when the name check of two named types fails.
    fn may_read(&self, reader: Id, writer: Id) -> bool {
        let r = self.reader.node(reader);
        let w = self.writer.node(writer);
        if r.type_name() != w.type_name() {
            return matches!(r.kind, Kind::Union(_)) || promotes(&r.kind, &w.kind);
        }
        match (r.named(), w.named()) {
            (Some(rn), Some(wn)) => names_match(rn, wn),
            _ => true,
        }
    }

    /// `checkSchemaNames`: unqualified names equal, or a reader alias naming the writer.
    fn check_names(&self, reader: Id, writer: Id, location: &mut Vec<Token>) -> Found {
        let (Some(r), Some(w)) = (
            self.reader.node(reader).named(),
            self.writer.node(writer).named(),
        ) else {
            return Vec::new();
        };
        location.push(Token::Name("name"));
        let found = if names_match(r, w) {
            Vec::new()
        } else {
            vec![Self::incompatible(
                ErrorType::NameMismatch,
                format!("expected: {}", w.name.full()),
                location,
            )]
        };
        location.pop();
        found
    }

    fn check_fields(
        &mut self,
        reader_fields: &[Field],
        writer: Id,
        location: &mut Vec<Token>,
    ) -> Result<Found, Abort> {
        let mut found = Vec::new();
        let writer_arena: &'a Arena = self.writer;
        let writer_fields = WriterFields::new(match &writer_arena.node(writer).kind {
            Kind::Record {
                fields: Some(fields),
                ..
            } => fields,
            _ => &[],
        });
        location.push(Token::Name("fields"));
        for (pos, field) in reader_fields.iter().enumerate() {
            location.push(Token::Index(pos));
            match self.lookup_writer_field(field, pos, writer, &writer_fields)? {
                Some(writer_field) => {
                    merge(
                        &mut found,
                        self.check(Token::Name("type"), field.schema, writer_field, location)?,
                    );
                }
                None if field.default.is_some() => {}
                None => {
                    let enum_with_default = matches!(
                        &self.reader.node(field.schema).kind,
                        Kind::Enum {
                            default: Some(_),
                            ..
                        }
                    );
                    if enum_with_default {
                        merge(
                            &mut found,
                            self.check(Token::Name("type"), field.schema, writer, location)?,
                        );
                    } else {
                        found.push(Self::incompatible(
                            ErrorType::ReaderFieldMissingDefaultValue,
                            field.name.clone(),
                            location,
                        ));
                    }
                }
            }
            location.pop();
        }
        location.pop();
        Ok(found)
    }

    /// The writer field a reader field reads: by name, then by each reader alias. More than one
    /// match is an error in Java.
    fn lookup_writer_field(
        &self,
        field: &Field,
        pos: usize,
        writer: Id,
        writer_fields: &WriterFields<'_>,
    ) -> Result<Option<Id>, Abort> {
        let by_name = writer_fields.get(field.name.as_str(), Some(pos));
        if field.aliases.is_empty() {
            return Ok(by_name);
        }
        let mut matches: Vec<Id> = Vec::new();
        matches.extend(by_name);
        for alias in &field.aliases {
            matches.extend(writer_fields.get(alias.as_str(), None));
        }
        match matches.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(*one)),
            _ => Err(Abort(format!(
                "Reader record field {} type:{} pos:{pos} matches multiple fields in writer record schema {}",
                field.name,
                self.reader.node(field.schema).type_name(),
                to_string(self.writer, writer)
            ))),
        }
    }
}

/// A writer record's fields by name. Field names are unique within a record (the parser rejects
/// duplicates), and readers mostly keep the writer's order, so the field at the reader field's
/// position is tried first and a hash index is only built when that guess misses.
struct WriterFields<'f> {
    fields: &'f [Field],
    index: std::cell::OnceCell<HashMap<&'f str, Id>>,
}

impl<'f> WriterFields<'f> {
    fn new(fields: &'f [Field]) -> Self {
        WriterFields {
            fields,
            index: std::cell::OnceCell::new(),
        }
    }

    /// The schema of the writer field named `name`; `hint` is where it probably is.
    fn get(&self, name: &str, hint: Option<usize>) -> Option<Id> {
        if let Some(field) = hint.and_then(|pos| self.fields.get(pos)) {
            if field.name == name {
                return Some(field.schema);
            }
        }
        self.index
            .get_or_init(|| {
                self.fields
                    .iter()
                    .map(|f| (f.name.as_str(), f.schema))
                    .collect()
            })
            .get(name)
            .copied()
    }
}
