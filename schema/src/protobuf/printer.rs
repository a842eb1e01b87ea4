//! Prints a parsed file as Confluent's `ProtobufSchemaUtils` does: the canonical text
//! (`canonicalString()`), the normalized text (`normalize().canonicalString()`: qualified type
//! names with a leading dot, sorted options, imports, reserved ranges, fields and constants,
//! map-entry messages folded into `map<K, V>`) and the text without custom options.

use std::collections::HashMap;

use super::ast::{
    is_scalar, map_types, EnumConstant, EnumElement, Extend, Field, Group, Message, OneOf,
    OptionElement, OptionValue, ProtoFile, Reserved, Rpc, Service, Syntax, TypeElement, MAX_TAG,
};
use super::types::Types;

/// How to print.
#[derive(Clone, Copy)]
pub(crate) struct Format {
    pub normalize: bool,
    /// Leaves out custom options other than Confluent's, and extensions.
    pub ignore_extensions: bool,
}

impl Format {
    pub(crate) const CANONICAL: Format = Format {
        normalize: false,
        ignore_extensions: false,
    };
    pub(crate) const NORMALIZED: Format = Format {
        normalize: true,
        ignore_extensions: false,
    };
}

/// Prints `file`; when normalizing, every type name must resolve through `types`, otherwise the
/// error is Confluent's `Could not resolve type: X`.
pub(crate) fn print(file: &ProtoFile, types: &Types<'_>, format: Format) -> Result<String, String> {
    let mut p = Printer {
        types,
        format,
        scope: Vec::new(),
    };
    p.file(file)
}

struct Printer<'t, 'a> {
    types: &'t Types<'a>,
    format: Format,
    scope: Vec<String>,
}

/// Appends `value` line by line, each indented by two spaces (blank lines too).
fn append_indented(out: &mut String, value: &str) {
    let mut lines: Vec<&str> = value.split('\n').collect();
    while lines.last().is_some_and(|l| l.is_empty()) && lines.len() > 1 {
        lines.pop();
    }
    if lines.len() == 1 && lines[0].is_empty() && !value.is_empty() {
        return;
    }
    for line in lines {
        out.push_str("  ");
        out.push_str(line);
        out.push('\n');
    }
}

/// Escapes a string option value the way Confluent prints it.
pub(crate) fn escape(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        match c {
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            other => out.push(other),
        }
    }
    out
}

/// A number as Java's `DecimalFormat` (no grouping) prints it after parsing, when normalizing.
fn format_number(value: &str, normalize: bool) -> String {
    if !normalize {
        return value.to_owned();
    }
    let (negative, digits) = match value.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, value),
    };
    let sign = if negative { "-" } else { "" };
    if let Some(hex) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        if let Ok(v) = u128::from_str_radix(hex, 16) {
            return format!("{sign}{v}");
        }
        return value.to_owned();
    }
    if let Ok(v) = digits.parse::<u128>() {
        return format!("{sign}{v}");
    }
    match value.parse::<f64>() {
        Ok(v) if v.is_finite() => {
            let text = format!("{v:.3}");
            let text = text.trim_end_matches('0').trim_end_matches('.');
            if text == "-0" {
                "-0".to_owned()
            } else {
                text.to_owned()
            }
        }
        _ => value.to_owned(),
    }
}

/// `[x]` for one item, else one item per line.
fn append_options(out: &mut String, items: &[String]) {
    if items.len() == 1 {
        out.push('[');
        out.push_str(&items[0]);
        out.push(']');
        return;
    }
    out.push_str("[\n");
    for (i, item) in items.iter().enumerate() {
        let endl = if i + 1 < items.len() { "," } else { "" };
        append_indented(out, &format!("{item}{endl}"));
    }
    out.push(']');
}

fn reserved_sort_key(value: &Reserved) -> (i64, String) {
    match value {
        Reserved::Tag(t) => (i64::from(*t), t.to_string()),
        Reserved::Range(s, e) => (i64::from(*s), format!("{s}..{e}")),
        Reserved::Name(n) => (i64::from(i32::MAX), n.clone()),
    }
}

impl Printer<'_, '_> {
    fn normalize(&self) -> bool {
        self.format.normalize
    }

    fn resolve(&self, name: &str) -> Result<String, String> {
        self.types
            .resolve(name, &self.scope)
            .map(|full| format!(".{full}"))
            .ok_or_else(|| format!("Could not resolve type: {name}"))
    }

    fn filter_options<'o>(&self, options: &'o [OptionElement]) -> Vec<&'o OptionElement> {
        let mut kept: Vec<&OptionElement> = options
            .iter()
            .filter(|o| {
                !self.format.ignore_extensions
                    || !o.parenthesized
                    || o.name.starts_with("confluent.")
            })
            .collect();
        if self.normalize() {
            kept.sort_by(|a, b| a.name.cmp(&b.name));
        }
        kept
    }

    fn file(&mut self, file: &ProtoFile) -> Result<String, String> {
        let mut sb = String::new();
        if let Some(syntax) = file.syntax {
            if !self.normalize() || syntax == Syntax::Proto3 {
                sb.push_str(&format!("syntax = \"{}\";\n", syntax.as_str()));
            }
        }
        if let Some(package) = &file.package {
            sb.push_str(&format!("package {package};\n"));
        }
        if !file.imports.is_empty() || !file.public_imports.is_empty() {
            sb.push('\n');
            for (list, prefix) in [
                (&file.imports, "import"),
                (&file.public_imports, "import public"),
            ] {
                let mut list: Vec<&String> = list.iter().collect();
                if self.normalize() {
                    list.sort();
                    list.dedup();
                }
                for import in list {
                    sb.push_str(&format!("{prefix} \"{import}\";\n"));
                }
            }
        }
        let options = self.filter_options(&file.options);
        if !options.is_empty() {
            sb.push('\n');
            for option in options {
                sb.push_str(&self.option_statement(option));
            }
        }
        let types = self.filter_types(&file.types);
        if !types.is_empty() {
            sb.push('\n');
            self.types_into(&types, &mut sb, false)?;
        }
        if !self.format.ignore_extensions && !file.extends.is_empty() {
            sb.push('\n');
            for extend in self.extends(&file.extends)? {
                sb.push_str(&self.extend(&extend)?);
            }
        }
        if !file.services.is_empty() {
            sb.push('\n');
            for service in &file.services {
                sb.push_str(&self.service(service)?);
            }
        }
        Ok(sb)
    }

    /// Messages first, then enums, each in declaration order.
    fn types_into(
        &mut self,
        types: &[&TypeElement],
        sb: &mut String,
        indent: bool,
    ) -> Result<(), String> {
        for pass_messages in [true, false] {
            for element in types {
                let text = match element {
                    TypeElement::Message(m) if pass_messages => {
                        self.scope.push(m.name.clone());
                        let text = self.message(m);
                        self.scope.pop();
                        text?
                    }
                    TypeElement::Enum(e) if !pass_messages => {
                        self.scope.push(e.name.clone());
                        let text = self.enumeration(e);
                        self.scope.pop();
                        text
                    }
                    _ => continue,
                };
                if indent {
                    append_indented(sb, &text);
                } else {
                    sb.push_str(&text);
                }
            }
        }
        Ok(())
    }

    /// Leaves out map-entry messages when normalizing (they become `map<K, V>` fields).
    fn filter_types<'e>(&self, types: &'e [TypeElement]) -> Vec<&'e TypeElement> {
        types
            .iter()
            .filter(|t| {
                !self.normalize()
                    || !matches!(t, TypeElement::Message(_))
                    || !self
                        .types
                        .lookup(t.name(), &self.scope)
                        .is_some_and(|info| info.is_map)
            })
            .collect()
    }

    /// Extend blocks; when normalizing, grouped by resolved name.
    fn extends(&self, extends: &[Extend]) -> Result<Vec<Extend>, String> {
        if !self.normalize() {
            return Ok(extends.to_vec());
        }
        let mut grouped: Vec<Extend> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for extend in extends {
            let name = self.resolve(&extend.name)?;
            match index.get(&name) {
                Some(&i) => grouped[i].fields.extend(extend.fields.iter().cloned()),
                None => {
                    index.insert(name.clone(), grouped.len());
                    grouped.push(Extend {
                        name,
                        fields: extend.fields.clone(),
                    });
                }
            }
        }
        Ok(grouped)
    }

    fn extend(&self, extend: &Extend) -> Result<String, String> {
        let mut sb = format!("extend {} {{", extend.name);
        if !extend.fields.is_empty() {
            sb.push('\n');
            for field in self.sorted_fields(&extend.fields) {
                append_indented(&mut sb, &self.field(field)?);
            }
        }
        sb.push_str("}\n");
        Ok(sb)
    }

    fn sorted_fields<'f>(&self, fields: &'f [Field]) -> Vec<&'f Field> {
        let mut fields: Vec<&Field> = fields.iter().collect();
        if self.normalize() {
            fields.sort_by_key(|f| f.tag);
        }
        fields
    }

    fn service(&self, service: &Service) -> Result<String, String> {
        let mut sb = format!("service {} {{", service.name);
        let options = self.filter_options(&service.options);
        if !options.is_empty() {
            sb.push('\n');
            for option in options {
                append_indented(&mut sb, &self.option_statement(option));
            }
        }
        if !service.rpcs.is_empty() {
            sb.push('\n');
            for rpc in &service.rpcs {
                append_indented(&mut sb, &self.rpc(rpc)?);
            }
        }
        sb.push_str("}\n");
        Ok(sb)
    }

    fn rpc(&self, rpc: &Rpc) -> Result<String, String> {
        let mut sb = format!("rpc {} (", rpc.name);
        if rpc.request_streaming {
            sb.push_str("stream ");
        }
        if self.normalize() {
            sb.push_str(&self.resolve(&rpc.request)?);
        } else {
            sb.push_str(&rpc.request);
        }
        sb.push_str(") returns (");
        if rpc.response_streaming {
            sb.push_str("stream ");
        }
        if self.normalize() {
            sb.push_str(&self.resolve(&rpc.response)?);
        } else {
            sb.push_str(&rpc.response);
        }
        sb.push(')');
        let options = self.filter_options(&rpc.options);
        if !options.is_empty() {
            sb.push_str(" {\n");
            for option in options {
                append_indented(&mut sb, &self.option_statement(option));
            }
            sb.push('}');
        }
        sb.push_str(";\n");
        Ok(sb)
    }

    fn reserveds(&self, reserveds: &[Vec<Reserved>], sb: &mut String, names: bool) {
        let keyword = if names { "reserved" } else { "extensions" };
        let mut groups: Vec<Vec<Reserved>> = reserveds.to_vec();
        if self.normalize() {
            groups = reserveds
                .iter()
                .flatten()
                .map(|v| vec![v.clone()])
                .collect();
            if names {
                groups.sort_by(|a, b| reserved_sort_key(&a[0]).cmp(&reserved_sort_key(&b[0])));
            } else {
                groups.sort_by_key(|a| reserved_sort_key(&a[0]).0);
            }
        }
        for group in groups {
            let values: Vec<String> = group
                .iter()
                .map(|v| match v {
                    Reserved::Name(n) => format!("\"{n}\""),
                    Reserved::Tag(t) => t.to_string(),
                    Reserved::Range(s, e) if self.normalize() && s == e => s.to_string(),
                    Reserved::Range(s, e) if *e >= MAX_TAG => format!("{s} to max"),
                    Reserved::Range(s, e) => format!("{s} to {e}"),
                })
                .collect();
            append_indented(sb, &format!("{keyword} {};\n", values.join(", ")));
        }
    }

    fn enumeration(&self, element: &EnumElement) -> String {
        let mut sb = format!("enum {} {{", element.name);
        if !element.reserveds.is_empty() {
            sb.push('\n');
            self.reserveds(&element.reserveds, &mut sb, true);
        }
        if element.reserveds.is_empty()
            && (!element.options.is_empty() || !element.constants.is_empty())
        {
            sb.push('\n');
        }
        for option in self.filter_options(&element.options) {
            append_indented(&mut sb, &self.option_statement(option));
        }
        let mut constants: Vec<&EnumConstant> = element.constants.iter().collect();
        if self.normalize() {
            constants.sort_by(|a, b| a.tag.cmp(&b.tag).then_with(|| a.name.cmp(&b.name)));
        }
        for constant in constants {
            let mut line = format!("{} = {}", constant.name, constant.tag);
            let options: Vec<String> = self
                .filter_options(&constant.options)
                .into_iter()
                .map(|o| self.option(o))
                .collect();
            if !options.is_empty() {
                line.push(' ');
                append_options(&mut line, &options);
            }
            line.push_str(";\n");
            append_indented(&mut sb, &line);
        }
        sb.push_str("}\n");
        sb
    }

    fn message(&mut self, message: &Message) -> Result<String, String> {
        let mut sb = format!("message {} {{", message.name);
        if !message.reserveds.is_empty() {
            sb.push('\n');
            self.reserveds(&message.reserveds, &mut sb, true);
        }
        let options = self.filter_options(&message.options);
        if !options.is_empty() {
            sb.push('\n');
            for option in options {
                append_indented(&mut sb, &self.option_statement(option));
            }
        }
        if !message.fields.is_empty() {
            sb.push('\n');
            for field in self.sorted_fields(&message.fields) {
                append_indented(&mut sb, &self.field(field)?);
            }
        }
        if !message.oneofs.is_empty() {
            sb.push('\n');
            let mut oneofs: Vec<OneOf> = message.oneofs.clone();
            if self.normalize() {
                oneofs.retain(|o| !o.fields.is_empty());
                for oneof in &mut oneofs {
                    oneof.fields.sort_by_key(|f| f.tag);
                }
                oneofs.sort_by_key(|o| o.fields.first().map_or(0, |f| f.tag));
            }
            for oneof in &oneofs {
                append_indented(&mut sb, &self.oneof(oneof)?);
            }
        }
        if !message.groups.is_empty() {
            sb.push('\n');
            let mut groups: Vec<&Group> = message.groups.iter().collect();
            if self.normalize() {
                groups.sort_by_key(|g| g.tag);
            }
            for group in groups {
                append_indented(&mut sb, &self.group(group)?);
            }
        }
        if !self.format.ignore_extensions && !message.extensions.is_empty() {
            sb.push('\n');
            self.reserveds(&message.extensions, &mut sb, false);
        }
        if !self.format.ignore_extensions && !message.extends.is_empty() {
            sb.push('\n');
            for extend in self.extends(&message.extends)? {
                append_indented(&mut sb, &self.extend(&extend)?);
            }
        }
        let nested = self.filter_types(&message.nested);
        if !nested.is_empty() {
            sb.push('\n');
            self.types_into(&nested, &mut sb, true)?;
        }
        sb.push_str("}\n");
        Ok(sb)
    }

    fn oneof(&self, oneof: &OneOf) -> Result<String, String> {
        let mut sb = format!("oneof {} {{", oneof.name);
        let options = self.filter_options(&oneof.options);
        if !options.is_empty() {
            sb.push('\n');
            for option in options {
                append_indented(&mut sb, &self.option_statement(option));
            }
        }
        if !oneof.fields.is_empty() {
            sb.push('\n');
            for field in &oneof.fields {
                append_indented(&mut sb, &self.field(field)?);
            }
        }
        if !oneof.groups.is_empty() {
            sb.push('\n');
            let mut groups: Vec<&Group> = oneof.groups.iter().collect();
            if self.normalize() {
                groups.sort_by_key(|g| g.tag);
            }
            for group in groups {
                append_indented(&mut sb, &self.group(group)?);
            }
        }
        sb.push_str("}\n");
        Ok(sb)
    }

    fn group(&self, group: &Group) -> Result<String, String> {
        let mut sb = String::new();
        if let Some(label) = group.label {
            sb.push_str(label.as_str());
            sb.push(' ');
        }
        sb.push_str(&format!("group {} = {} {{", group.name, group.tag));
        if !group.fields.is_empty() {
            sb.push('\n');
            for field in self.sorted_fields(&group.fields) {
                append_indented(&mut sb, &self.field(field)?);
            }
        }
        sb.push_str("}\n");
        Ok(sb)
    }

    fn field(&self, field: &Field) -> Result<String, String> {
        let mut label = field.label;
        let mut ty = field.ty.clone();
        if self.normalize() {
            if !is_scalar(&ty) && map_types(&ty).is_none() {
                let full = self.resolve(&ty)?;
                ty = match self.types.get(&full).and_then(|info| info.map_type()) {
                    Some(map) => map,
                    None => full,
                };
            }
            if let Some((key, value)) = map_types(&ty) {
                if let Some(resolved) = self.types.resolve(value, &self.scope) {
                    ty = format!("map<{key}, .{resolved}>");
                }
                label = None;
            }
        }
        let mut sb = String::new();
        if let Some(label) = label {
            sb.push_str(label.as_str());
            sb.push(' ');
        }
        sb.push_str(&format!("{ty} {} = {}", field.name, field.tag));

        let mut options: Vec<OptionElement> = field.options.clone();
        if let Some(default) = &field.default {
            let simple = ty.rsplit('.').next().unwrap_or(&ty);
            let value = match simple {
                "bool" => OptionValue::Bool(default.clone()),
                "string" => OptionValue::Str(default.clone()),
                s if is_scalar(s) => OptionValue::Number(default.clone()),
                _ => OptionValue::Enum(default.clone()),
            };
            options.push(OptionElement {
                name: "default".into(),
                parenthesized: false,
                value,
            });
        }
        if let Some(json_name) = &field.json_name {
            options.push(OptionElement {
                name: "json_name".into(),
                parenthesized: false,
                value: OptionValue::Str(json_name.clone()),
            });
        }
        let options: Vec<String> = self
            .filter_options(&options)
            .into_iter()
            .map(|o| self.option(o))
            .collect();
        if !options.is_empty() {
            sb.push(' ');
            append_options(&mut sb, &options);
        }
        sb.push_str(";\n");
        Ok(sb)
    }

    fn option_statement(&self, option: &OptionElement) -> String {
        format!("option {};\n", self.option(option))
    }

    fn option(&self, option: &OptionElement) -> String {
        let mut sb = if option.parenthesized {
            format!("({})", option.name)
        } else {
            option.name.clone()
        };
        match &option.value {
            OptionValue::Str(v) => sb.push_str(&format!(" = \"{}\"", escape(v))),
            OptionValue::Bool(v) | OptionValue::Enum(v) => sb.push_str(&format!(" = {v}")),
            OptionValue::Number(v) => {
                sb.push_str(&format!(" = {}", format_number(v, self.normalize())))
            }
            OptionValue::Option(inner) => {
                sb.push('.');
                sb.push_str(&self.option(inner));
            }
            OptionValue::Map(entries) => {
                sb.push_str(" = {\n");
                self.option_map(&mut sb, entries);
                sb.push('}');
            }
            OptionValue::List(items) => {
                sb.push_str(" = ");
                let items: Vec<String> = items.iter().map(|v| self.option_value(v)).collect();
                append_options(&mut sb, &items);
            }
        }
        sb
    }

    fn option_map(&self, sb: &mut String, entries: &[(String, OptionValue)]) {
        let mut entries: Vec<&(String, OptionValue)> = entries.iter().collect();
        if self.normalize() {
            entries.retain(|(_, v)| !matches!(v, OptionValue::List(items) if items.is_empty()));
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            entries.dedup_by(|b, a| a.0 == b.0);
        }
        let last = entries.len().saturating_sub(1);
        for (i, (key, value)) in entries.into_iter().enumerate() {
            let endl = if i != last { "," } else { "" };
            append_indented(sb, &format!("{key}: {}{endl}", self.option_value(value)));
        }
    }

    fn option_value(&self, value: &OptionValue) -> String {
        match value {
            OptionValue::Str(s) => format!("\"{}\"", escape(s)),
            OptionValue::Bool(v) | OptionValue::Enum(v) => v.clone(),
            OptionValue::Number(v) => format_number(v, self.normalize()),
            OptionValue::Map(entries) => {
                let mut sb = String::from("{\n");
                self.option_map(&mut sb, entries);
                sb.push('}');
                sb
            }
            OptionValue::List(items) if self.normalize() && items.len() == 1 => {
                self.option_value(&items[0])
            }
            OptionValue::List(items) => {
                let mut sb = String::from("[\n");
                let last = items.len().saturating_sub(1);
                for (i, item) in items.iter().enumerate() {
                    let endl = if i != last { "," } else { "" };
                    append_indented(&mut sb, &format!("{}{endl}", self.option_value(item)));
                }
                sb.push(']');
                sb
            }
            OptionValue::Option(inner) => self.option(inner),
        }
    }
}
