//! Files every schema may import without registering them, as Confluent bundles them: the
//! Google well-known types (`google/protobuf/*.proto`), the common Google types
//! (`google/type/*.proto`) and Confluent's `confluent/meta.proto` and
//! `confluent/type/decimal.proto`.
//!
//! The well-known types come from the descriptors `prost-reflect` ships; the others are written
//! out in the repository's top-level `proto/` directory and embedded here.

use std::collections::HashMap;
use std::sync::OnceLock;

use prost_reflect::DescriptorPool;
use prost_types::FileDescriptorProto;

use super::ast::{ProtoFile, TypeElement};
use super::descriptor::{file_from_descriptor, Compiler};
use super::parser;
use super::types::Types;

/// The bundled `.proto` texts, by import path.
const TEXTS: [(&str, &str); 19] = [
    (
        "confluent/meta.proto",
        include_str!("../../../proto/confluent/meta.proto"),
    ),
    (
        "confluent/type/decimal.proto",
        include_str!("../../../proto/confluent/type/decimal.proto"),
    ),
    (
        "google/type/calendar_period.proto",
        include_str!("../../../proto/google/type/calendar_period.proto"),
    ),
    (
        "google/type/color.proto",
        include_str!("../../../proto/google/type/color.proto"),
    ),
    (
        "google/type/date.proto",
        include_str!("../../../proto/google/type/date.proto"),
    ),
    (
        "google/type/datetime.proto",
        include_str!("../../../proto/google/type/datetime.proto"),
    ),
    (
        "google/type/dayofweek.proto",
        include_str!("../../../proto/google/type/dayofweek.proto"),
    ),
    (
        "google/type/decimal.proto",
        include_str!("../../../proto/google/type/decimal.proto"),
    ),
    (
        "google/type/expr.proto",
        include_str!("../../../proto/google/type/expr.proto"),
    ),
    (
        "google/type/fraction.proto",
        include_str!("../../../proto/google/type/fraction.proto"),
    ),
    (
        "google/type/interval.proto",
        include_str!("../../../proto/google/type/interval.proto"),
    ),
    (
        "google/type/latlng.proto",
        include_str!("../../../proto/google/type/latlng.proto"),
    ),
    (
        "google/type/localized_text.proto",
        include_str!("../../../proto/google/type/localized_text.proto"),
    ),
    (
        "google/type/money.proto",
        include_str!("../../../proto/google/type/money.proto"),
    ),
    (
        "google/type/month.proto",
        include_str!("../../../proto/google/type/month.proto"),
    ),
    (
        "google/type/phone_number.proto",
        include_str!("../../../proto/google/type/phone_number.proto"),
    ),
    (
        "google/type/postal_address.proto",
        include_str!("../../../proto/google/type/postal_address.proto"),
    ),
    (
        "google/type/quaternion.proto",
        include_str!("../../../proto/google/type/quaternion.proto"),
    ),
    (
        "google/type/timeofday.proto",
        include_str!("../../../proto/google/type/timeofday.proto"),
    ),
];

/// The well-known types Confluent bundles.
const WELL_KNOWN: [&str; 11] = [
    "google/protobuf/any.proto",
    "google/protobuf/api.proto",
    "google/protobuf/descriptor.proto",
    "google/protobuf/duration.proto",
    "google/protobuf/empty.proto",
    "google/protobuf/field_mask.proto",
    "google/protobuf/source_context.proto",
    "google/protobuf/struct.proto",
    "google/protobuf/timestamp.proto",
    "google/protobuf/type.proto",
    "google/protobuf/wrappers.proto",
];

/// The bundled files, parsed and compiled.
pub(crate) struct Bundled {
    pub files: Vec<(String, ProtoFile)>,
    /// Their compiled descriptors, by name; a schema's pool gets only those it imports.
    pub descriptors: HashMap<String, FileDescriptorProto>,
}

impl Bundled {
    pub(crate) fn contains(&self, name: &str) -> bool {
        self.descriptors.contains_key(name)
    }
}

/// The bundled files, parsed and compiled once.
pub(crate) fn bundled() -> &'static Bundled {
    static BUNDLED: OnceLock<Bundled> = OnceLock::new();
    BUNDLED.get_or_init(build)
}

/// The types of every bundled file, collected once: the base that schemas not replacing a
/// bundled file layer their own types on (see [`Types::collect_over`]).
pub(crate) fn bundled_types() -> &'static Types<'static> {
    static TYPES: OnceLock<Types<'static>> = OnceLock::new();
    TYPES.get_or_init(|| {
        let files: Vec<(&ProtoFile, super::types::Origin)> =
            bundled().files.iter().map(|(_, f)| (f, None)).collect();
        Types::collect_files(&files)
    })
}

/// [`type_files`] of every bundled file, computed once.
pub(crate) fn bundled_type_files() -> &'static HashMap<String, String> {
    static OWNERS: OnceLock<HashMap<String, String>> = OnceLock::new();
    OWNERS.get_or_init(|| type_files(bundled().files.iter().map(|(n, f)| (n.as_str(), f))))
}

/// Full type name (without dot) to the file declaring it.
pub(crate) fn type_files<'f>(
    files: impl IntoIterator<Item = (&'f str, &'f ProtoFile)>,
) -> HashMap<String, String> {
    fn walk(out: &mut HashMap<String, String>, prefix: &str, types: &[TypeElement], file: &str) {
        for t in types {
            let name = if prefix.is_empty() {
                t.name().to_owned()
            } else {
                format!("{prefix}.{}", t.name())
            };
            walk(out, &name, t.nested(), file);
            out.insert(name, file.to_owned());
        }
    }
    let mut out = HashMap::new();
    for (name, file) in files {
        walk(
            &mut out,
            file.package.as_deref().unwrap_or(""),
            &file.types,
            name,
        );
    }
    out
}

fn build() -> Bundled {
    let global = DescriptorPool::global();
    let mut files: Vec<(String, ProtoFile)> = Vec::new();
    let mut descriptors: HashMap<String, FileDescriptorProto> = HashMap::new();
    for name in WELL_KNOWN {
        if let Some(file) = global.get_file_by_name(name) {
            let fd = file.file_descriptor_proto().clone();
            files.push((name.to_owned(), file_from_descriptor(&fd)));
            descriptors.insert(name.to_owned(), fd);
        }
    }
    let well_known = files.len();
    for (name, text) in TEXTS {
        if let Ok(file) = parser::parse(text) {
            files.push((name.to_owned(), file));
        }
    }
    let owners = type_files(files.iter().map(|(n, f)| (n.as_str(), f)));
    for i in well_known..files.len() {
        let (name, file) = &files[i];
        let others: Vec<(&ProtoFile, super::types::Origin)> = files
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, (_, f))| (f, None))
            .collect();
        let types = Types::collect(file, &others);
        let mut compiler = Compiler {
            types: &types,
            proto3: false,
            used: Vec::new(),
        };
        let known = |n: &str| files.iter().any(|(f, _)| f == n);
        let fd = compiler.file(file, name, &|t| owners.get(t).cloned(), &known);
        descriptors.insert(name.clone(), fd);
    }
    Bundled { files, descriptors }
}

#[cfg(test)]
mod tests {
    use super::{bundled, TEXTS, WELL_KNOWN};

    #[test]
    fn every_bundled_file_parses_and_compiles() {
        let b = bundled();
        assert_eq!(b.files.len(), TEXTS.len() + WELL_KNOWN.len());
        let mut pool = prost_reflect::DescriptorPool::global();
        for (name, _) in TEXTS {
            let fd = b.descriptors.get(name).cloned().unwrap_or_default();
            assert!(
                pool.add_file_descriptor_proto(fd).is_ok(),
                "{name} does not compile"
            );
        }
        let money = pool.get_message_by_name("google.type.Money");
        let fields: Vec<(String, u32)> = money
            .map(|m| {
                m.fields()
                    .map(|f| (f.name().to_owned(), f.number()))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(
            fields,
            [
                ("currency_code".to_owned(), 1),
                ("units".to_owned(), 2),
                ("nanos".to_owned(), 3)
            ]
        );
        let meta = pool.get_extension_by_name("confluent.field_meta");
        assert_eq!(meta.map(|e| e.number()), Some(1088));
    }
}
