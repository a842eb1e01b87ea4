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
    pub package: String,
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
#[derive(Debug, Default)]
pub(crate) struct Types<'a> {
    by_name: HashMap<String, TypeInfo<'a>>,
    /// The package of the schema itself ("" when none).
    pub package: String,
}

impl<'a> Types<'a> {
    /// Collects the types of `files` (dependencies, in any order) and then of `main`, whose
    /// types win on a clash.
    pub(crate) fn collect(main: &'a ProtoFile, files: &[(&'a ProtoFile, Origin)]) -> Self {
        let mut types = Types::default();
        for (file, origin) in files {
            types.add_file(file, origin);
        }
        types.add_file(main, &own_origin());
        types.package = main.package.clone().unwrap_or_default();
        types
    }

    fn add_file(&mut self, file: &'a ProtoFile, origin: &Origin) {
        let package = file.package.clone().unwrap_or_default();
        let mut path = Vec::new();
        self.add_types(&file.types, &package, origin, &mut path);
    }

    fn add_types(
        &mut self,
        elements: &'a [TypeElement],
        package: &str,
        origin: &Origin,
        path: &mut Vec<&'a str>,
    ) {
        for element in elements {
            path.push(element.name());
            let mut name = path.join(".");
            if !package.is_empty() {
                name = format!("{package}.{name}");
            }
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
            self.by_name.insert(
                name,
                TypeInfo {
                    package: package.to_owned(),
                    origin: origin.clone(),
                    element,
                    is_map,
                    key,
                    value,
                },
            );
            self.add_types(element.nested(), package, origin, path);
            path.pop();
        }
    }

    /// The type with this full name (a leading dot is ignored).
    pub(crate) fn get(&self, full_name: &str) -> Option<&TypeInfo<'a>> {
        self.by_name
            .get(full_name.strip_prefix('.').unwrap_or(full_name))
    }

    /// Resolves `name` as written inside `scope` (the enclosing type names) to a full name
    /// without leading dot, as Confluent's `Context.resolve` does.
    pub(crate) fn resolve(&self, name: &str, scope: &[String]) -> Option<String> {
        self.resolve_in(name, &self.package, scope)
    }

    /// [`Types::resolve`] with another package as the outermost scope.
    pub(crate) fn resolve_in(&self, name: &str, package: &str, scope: &[String]) -> Option<String> {
        if let Some(absolute) = name.strip_prefix('.') {
            return self
                .by_name
                .contains_key(absolute)
                .then(|| absolute.to_owned());
        }
        let mut prefix: Vec<&str> = Vec::with_capacity(scope.len() + 1);
        if !package.is_empty() {
            prefix.push(package);
        }
        prefix.extend(scope.iter().map(String::as_str));
        while !prefix.is_empty() {
            let candidate = format!("{}.{name}", prefix.join("."));
            if self.by_name.contains_key(&candidate) {
                return Some(candidate);
            }
            prefix.pop();
        }
        self.by_name.contains_key(name).then(|| name.to_owned())
    }

    /// The type `name` refers to from `scope`.
    pub(crate) fn lookup(&self, name: &str, scope: &[String]) -> Option<&TypeInfo<'a>> {
        self.resolve(name, scope).and_then(|full| self.get(&full))
    }
}
