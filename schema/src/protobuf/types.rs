//! Every message and enum a schema can see, by full name, and Confluent's name resolution.
//!
//! Confluent resolves a type name against all the files it knows (the schema, every referenced
//! schema whatever its import path, and the bundled files), not only the imported ones, and
//! tries the package and enclosing scopes from the innermost outwards, the package counting as
//! one scope. This module does the same.

use std::collections::HashMap;

use super::ast::{Field, OptionValue, ProtoFile, TypeElement};

/// Which registered schema a type comes from: `Some(("", -1))` for the schema itself,
/// `Some((subject, version))` for a reference, `None` for a bundled file.
pub(crate) type Origin = Option<(String, i32)>;

/// The schema's own types.
pub(crate) fn own_origin() -> Origin {
    Some((String::new(), -1))
}

/// One message or enum.
#[derive(Debug)]
pub(crate) struct TypeInfo<'a> {
    pub package: &'a str,
    pub origin: Origin,
    pub element: &'a TypeElement,
    pub is_map: bool,
    pub key: Option<&'a Field>,
    pub value: Option<&'a Field>,
}

impl TypeInfo<'_> {
    /// `map<K, V>` for a map-entry message, with K and V as written in the entry.
    pub(crate) fn map_type(&self) -> Option<String> {
        match (self.is_map, self.key, self.value) {
            (true, Some(k), Some(v)) => Some(format!("map<{}, {}>", k.ty, v.ty)),
            _ => None,
        }
    }

    pub(crate) fn is_enum(&self) -> bool {
        matches!(self.element, TypeElement::Enum(_))
    }
}

/// The types visible to one schema.
///
/// The bundled files' types are the same for almost every schema, so they are collected once
/// (see [`super::bundled::bundled_types`]) and shared as `base`, which the schema's own and
/// referenced types shadow.
#[derive(Debug, Default)]
pub(crate) struct Types<'a> {
    by_name: HashMap<String, TypeInfo<'a>>,
    /// Types collected earlier, found when `by_name` lacks a name.
    base: Option<&'a Types<'a>>,
    /// The last dot-separated segment of every map-entry message's name in `by_name`, sorted:
    /// a name whose last segment is neither in it nor in `base`'s cannot resolve to a map entry.
    map_entry_names: Vec<&'a str>,
    /// The package of the schema itself ("" when none).
    pub package: String,
}

impl<'a> Types<'a> {
    /// Collects the types of `files` (dependencies, in any order) and then of `main`, whose
    /// types win on a clash.
    pub(crate) fn collect(main: &'a ProtoFile, files: &[(&'a ProtoFile, Origin)]) -> Self {
        Self::collect_over(None, main, files)
    }

    /// [`Types::collect`] on top of `base` (collected from files that come before `files`):
    /// a type of `files` or `main` shadows one of `base` with the same full name.
    pub(crate) fn collect_over(
        base: Option<&'a Types<'a>>,
        main: &'a ProtoFile,
        files: &[(&'a ProtoFile, Origin)],
    ) -> Self {
        let mut types = Types {
            base,
            ..Types::default()
        };
        for (file, origin) in files {
            types.add_file(file, origin);
        }
        types.add_file(main, &own_origin());
        types.package = main.package.clone().unwrap_or_default();
        types.map_entry_names.sort_unstable();
        types.map_entry_names.dedup();
        types
    }

    /// The types of `files` alone, in order (later ones win on a clash), without a main file.
    pub(crate) fn collect_files(files: &[(&'a ProtoFile, Origin)]) -> Self {
        let mut types = Types::default();
        for (file, origin) in files {
            types.add_file(file, origin);
        }
        types.map_entry_names.sort_unstable();
        types.map_entry_names.dedup();
        types
    }

    fn add_file(&mut self, file: &'a ProtoFile, origin: &Origin) {
        let package = file.package.as_deref().unwrap_or_default();
        let mut name = String::new();
        self.add_types(&file.types, package, origin, &mut name, false);
    }

    fn add_types(
        &mut self,
        elements: &'a [TypeElement],
        package: &'a str,
        origin: &Origin,
        prefix: &mut String,
        nested: bool,
    ) {
        for element in elements {
            // `prefix` is the enclosing type's full name, empty at the top level.
            let end = prefix.len();
            if nested {
                prefix.push('.');
            } else if !package.is_empty() {
                prefix.push_str(package);
                prefix.push('.');
            }
            prefix.push_str(element.name());
            let (is_map, key, value) = match element {
                TypeElement::Message(m) => {
                    let is_map = m.options.iter().any(|o| {
                        o.name == "map_entry"
                            && matches!(&o.value, OptionValue::Bool(v) if v == "true")
                    });
                    (
                        is_map,
                        m.fields.iter().find(|f| f.name == "key"),
                        m.fields.iter().find(|f| f.name == "value"),
                    )
                }
                TypeElement::Enum(_) => (false, None, None),
            };
            if is_map {
                self.map_entry_names.push(element.name());
            }
            self.by_name.insert(
                prefix.clone(),
                TypeInfo {
                    package,
                    origin: origin.clone(),
                    element,
                    is_map,
                    key,
                    value,
                },
            );
            self.add_types(element.nested(), package, origin, prefix, true);
            prefix.truncate(end);
        }
    }

    /// The type with this full name (a leading dot is ignored).
    pub(crate) fn get(&self, full_name: &str) -> Option<&TypeInfo<'a>> {
        self.get_exact(full_name.strip_prefix('.').unwrap_or(full_name))
    }

    fn get_exact(&self, full_name: &str) -> Option<&TypeInfo<'a>> {
        match self.by_name.get(full_name) {
            Some(info) => Some(info),
            None => self.base.and_then(|b| b.get_exact(full_name)),
        }
    }

    fn contains(&self, full_name: &str) -> bool {
        self.by_name.contains_key(full_name) || self.base.is_some_and(|b| b.contains(full_name))
    }

    /// Whether `name` (as written) might resolve to a map-entry message: false when no
    /// map-entry message has its last segment as name.
    pub(crate) fn may_be_map_entry(&self, name: &str) -> bool {
        let last = match name.bytes().rposition(|b| b == b'.') {
            Some(dot) => &name[dot + 1..],
            None => name,
        };
        self.has_map_entry_named(last)
    }

    fn has_map_entry_named(&self, last: &str) -> bool {
        self.map_entry_names.binary_search(&last).is_ok()
            || self.base.is_some_and(|b| b.has_map_entry_named(last))
    }

    /// Resolves `name` as written inside `scope` (the enclosing type names) to a full name
    /// without leading dot, as Confluent's `Context.resolve` does.
    pub(crate) fn resolve(&self, name: &str, scope: &[String]) -> Option<String> {
        self.resolve_in(name, &self.package, scope)
    }

    /// [`Types::resolve`] with another package as the outermost scope.
    pub(crate) fn resolve_in(&self, name: &str, package: &str, scope: &[String]) -> Option<String> {
        if let Some(absolute) = name.strip_prefix('.') {
            return self.contains(absolute).then(|| absolute.to_owned());
        }
        // The candidates are `package.s1.s2.name`, `package.s1.name`, ..., `name`: one buffer
        // holds the longest, and each shorter one is its prefix up to a boundary followed by
        // `name`, written over the tail.
        let mut prefix_ends: Vec<usize> = Vec::with_capacity(scope.len() + 1);
        let mut candidate = String::with_capacity(
            package.len() + scope.iter().map(|s| s.len() + 1).sum::<usize>() + name.len() + 1,
        );
        if !package.is_empty() {
            candidate.push_str(package);
            prefix_ends.push(candidate.len());
        }
        for segment in scope {
            if !prefix_ends.is_empty() {
                candidate.push('.');
            }
            candidate.push_str(segment);
            prefix_ends.push(candidate.len());
        }
        while let Some(end) = prefix_ends.pop() {
            candidate.truncate(end);
            candidate.push('.');
            candidate.push_str(name);
            if self.contains(&candidate) {
                return Some(candidate);
            }
        }
        self.contains(name).then(|| name.to_owned())
    }

    /// The type `name` refers to from `scope`.
    pub(crate) fn lookup(&self, name: &str, scope: &[String]) -> Option<&TypeInfo<'a>> {
        self.resolve(name, scope).and_then(|full| self.get(&full))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::super::bundled::bundled_types;
    use super::super::parser;
    use super::Types;

    /// Resolution as it reads in Confluent's code: each enclosing scope joined, then the name.
    fn reference_resolve(
        types: &Types<'_>,
        name: &str,
        package: &str,
        scope: &[String],
    ) -> Option<String> {
        if let Some(absolute) = name.strip_prefix('.') {
            return types.contains(absolute).then(|| absolute.to_owned());
        }
        let mut prefix: Vec<&str> = Vec::new();
        if !package.is_empty() {
            prefix.push(package);
        }
        prefix.extend(scope.iter().map(String::as_str));
        while !prefix.is_empty() {
            let candidate = format!("{}.{name}", prefix.join("."));
            if types.contains(&candidate) {
                return Some(candidate);
            }
            prefix.pop();
        }
        types.contains(name).then(|| name.to_owned())
    }

    #[test]
    fn resolves_from_every_scope_over_the_bundled_types() {
        let file = parser::parse(
            "syntax = \"proto3\";\npackage a.b;\nmessage X {\n  message Y {\n    message Z {}\n  }\n  message MEntry {\n    option map_entry = true;\n    string key = 1;\n    int32 value = 2;\n  }\n  repeated MEntry m = 1;\n}\nmessage Timestamp {}\n",
        )
        .unwrap();
        let types = Types::collect_over(Some(bundled_types()), &file, &[]);
        let names = [
            "X",
            "Y",
            "Z",
            "X.Y",
            "Y.Z",
            "X.Y.Z",
            "a.b.X",
            ".a.b.X",
            ".X",
            "b.X",
            "MEntry",
            "X.MEntry",
            "Timestamp",
            "google.protobuf.Timestamp",
            ".google.protobuf.Timestamp",
            "protobuf.Timestamp",
            "Struct.FieldsEntry",
            "int32",
            "",
            ".",
        ];
        let scopes: [&[&str]; 5] = [&[], &["X"], &["X", "Y"], &["X", "Y", "Z"], &[""]];
        for package in ["a.b", "", "google.protobuf", "a"] {
            for scope in scopes {
                let scope: Vec<String> = scope.iter().map(|s| (*s).to_owned()).collect();
                for name in names {
                    assert_eq!(
                        types.resolve_in(name, package, &scope),
                        reference_resolve(&types, name, package, &scope),
                        "{name} in {package} {scope:?}"
                    );
                }
            }
        }
        // The schema's own types shadow bundled ones of the same name; the rest show through.
        assert_eq!(
            types.resolve("Timestamp", &[]).as_deref(),
            Some("a.b.Timestamp")
        );
        assert!(types.get("google.protobuf.Timestamp").is_some());
        // Map entries are known by their last segment, here and in the bundled files.
        assert!(types.may_be_map_entry("X.MEntry") && types.may_be_map_entry("MEntry"));
        assert!(types.may_be_map_entry("google.protobuf.Struct.FieldsEntry"));
        assert!(!types.may_be_map_entry("X") && !types.may_be_map_entry("int32"));
        let entry = types.lookup("MEntry", &["X".to_owned()]).unwrap();
        assert_eq!(entry.map_type().as_deref(), Some("map<string, int32>"));
    }
}
