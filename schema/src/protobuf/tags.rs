//! Adding and removing Confluent tags on a schema's messages and fields, as the registry's
//! `POST /subjects/{S}/versions/{V}/tags` does: a message's tags live in
//! `option (confluent.message_meta) = { tags: [...] }`, a field's in
//! `[(confluent.field_meta) = { tags: [...] }]`.

use super::ast::{Field, Message, OptionElement, OptionValue, ProtoFile, TypeElement};

/// What a tag is attached to, as the tags API's `entityType` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagEntityType {
    /// `sr_record`: a message, by its dotted path (`Outer.Inner`).
    Record,
    /// `sr_field`: a field, by its message path and name (`Outer.Inner.field`), possibly with
    /// the oneof name before the field name.
    Field,
}

/// Tags to add to or remove from one schema element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaTags {
    /// The dotted path of the message or field (`entityPath`).
    pub entity_path: String,
    /// Whether the path names a message or a field.
    pub entity_type: TagEntityType,
    /// The tags.
    pub tags: Vec<String>,
}

const MESSAGE_META: &str = "confluent.message_meta";
const FIELD_META: &str = "confluent.field_meta";

fn message_index(types: &[TypeElement], name: &str) -> Option<usize> {
    types
        .iter()
        .position(|t| matches!(t, TypeElement::Message(m) if m.name == name))
}

fn message_at(types: &mut [TypeElement], index: usize) -> Option<&mut Message> {
    match types.get_mut(index) {
        Some(TypeElement::Message(m)) => Some(m),
        _ => None,
    }
}

/// The options of the element a path names, with Confluent's error messages.
fn target<'f>(
    file: &'f mut ProtoFile,
    entity: &SchemaTags,
) -> Result<&'f mut Vec<OptionElement>, String> {
    let identifiers: Vec<&str> = entity.entity_path.split('.').collect();
    let is_field = entity.entity_type == TagEntityType::Field;
    let end = if is_field {
        identifiers.len().saturating_sub(1)
    } else {
        identifiers.len()
    };
    // Walk the message names first, then borrow the element found.
    let mut chain: Vec<usize> = Vec::new();
    let mut i = 0;
    {
        let mut types: &[TypeElement] = &file.types;
        while i < end {
            let name = identifiers[i];
            match message_index(types, name) {
                Some(index) => {
                    chain.push(index);
                    types = types[index].nested();
                }
                None if is_field && i + 1 == end => break,
                None => {
                    return Err(format!(
                        "No matching Message with name '{name}' found in the schema"
                    ))
                }
            }
            i += 1;
        }
    }
    let field_name = identifiers.last().copied().unwrap_or_default();
    let no_field = || format!("No matching Field with name '{field_name}' found in the schema");
    let message: Option<&mut Message> = match chain.split_first() {
        Some((first, rest)) => {
            let mut current = message_at(&mut file.types, *first);
            for index in rest {
                current = current.and_then(|m| message_at(&mut m.nested, *index));
            }
            current
        }
        None => None,
    };
    let Some(message) = message else {
        return Err(if is_field {
            no_field()
        } else {
            format!("No matching Message with name '{field_name}' found in the schema")
        });
    };
    if !is_field {
        return Ok(&mut message.options);
    }
    let field: Option<&mut Field> = if i == end {
        let Message { fields, oneofs, .. } = message;
        fields
            .iter_mut()
            .chain(oneofs.iter_mut().flat_map(|o| o.fields.iter_mut()))
            .find(|f| f.name == field_name)
    } else {
        let oneof_name = identifiers[i];
        message
            .oneofs
            .iter_mut()
            .rev()
            .find(|o| o.name == oneof_name)
            .and_then(|o| o.fields.iter_mut().find(|f| f.name == field_name))
    };
    field.map(|f| &mut f.options).ok_or_else(no_field)
}

fn tag_list(value: &OptionValue) -> Vec<String> {
    match value {
        OptionValue::Str(s) => vec![s.clone()],
        OptionValue::List(items) => items
            .iter()
            .filter_map(|v| match v {
                OptionValue::Str(s) => Some(s.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Adds (`add`) or removes tags in the meta option `meta` of `options`.
fn edit(options: &mut Vec<OptionElement>, meta: &str, tags: &[String], add: bool) {
    let position = options
        .iter()
        .position(|o| o.parenthesized && o.name.trim_start_matches('.') == meta);
    let Some(position) = position else {
        if add && !tags.is_empty() {
            let mut unique: Vec<String> = Vec::new();
            for t in tags {
                if !unique.contains(t) {
                    unique.push(t.clone());
                }
            }
            options.push(OptionElement {
                name: meta.to_owned(),
                parenthesized: true,
                value: OptionValue::Map(vec![(
                    "tags".to_owned(),
                    OptionValue::List(unique.into_iter().map(OptionValue::Str).collect()),
                )]),
            });
        }
        return;
    };
    // `(meta).tags = "x"` is the same option written as a path: make it a map first.
    let option = &mut options[position];
    if let OptionValue::Option(inner) = &option.value {
        let inner = (**inner).clone();
        option.value = OptionValue::Map(vec![(inner.name, inner.value)]);
    }
    let OptionValue::Map(entries) = &mut option.value else {
        return;
    };
    let existing = entries.iter().position(|(k, _)| k == "tags");
    let mut current = existing
        .map(|i| tag_list(&entries[i].1))
        .unwrap_or_default();
    if add {
        for t in tags {
            if !current.contains(t) {
                current.push(t.clone());
            }
        }
    } else {
        current.retain(|t| !tags.contains(t));
    }
    let value = OptionValue::List(current.iter().cloned().map(OptionValue::Str).collect());
    match existing {
        Some(i) if current.is_empty() => {
            entries.remove(i);
        }
        Some(i) => entries[i].1 = value,
        None if !current.is_empty() => entries.push(("tags".to_owned(), value)),
        None => {}
    }
    if entries.is_empty() {
        options.remove(position);
    }
}

/// Applies the additions, then the removals, to `file`.
pub(crate) fn apply(
    file: &mut ProtoFile,
    add: &[SchemaTags],
    remove: &[SchemaTags],
) -> Result<(), String> {
    for (list, adding) in [(add, true), (remove, false)] {
        for entity in list {
            let meta = match entity.entity_type {
                TagEntityType::Record => MESSAGE_META,
                TagEntityType::Field => FIELD_META,
            };
            let options = target(file, entity)?;
            edit(options, meta, &entity.tags, adding);
        }
    }
    Ok(())
}
