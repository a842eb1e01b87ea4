//! Rendering compatibility verdicts: for people, as JSON, and as GitHub workflow annotations.
//!
//! Confluent's verbose messages are strings such as
//! `{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'c' …', additionalInfo:'c'}`
//! followed by `{oldSchemaVersion: 2}` and `{oldSchema: '…'}`; the quotes inside are not escaped,
//! so they are taken apart by their fixed keys rather than parsed as JSON.

use clap::ValueEnum;
use serde_json::{json, Value};
use strata_client::CompatibilityLevel;

/// How `strata check` prints its verdict.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// Readable lines.
    #[default]
    Text,
    /// One JSON object.
    Json,
    /// GitHub Actions workflow commands (`::error file=…::…`).
    Github,
}

/// One verbose message of a compatibility check, taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// `{errorType:…, description:…, additionalInfo:…}`.
    Error {
        /// The error type, e.g. `TYPE_MISMATCH`.
        error_type: String,
        /// What is wrong.
        description: String,
        /// Extra detail (often the field name), when given.
        additional_info: Option<String>,
    },
    /// `{oldSchemaVersion: N}`: the version the errors are about.
    OldSchemaVersion(i32),
    /// `{oldSchema: '…'}`: the text of that version.
    OldSchema(String),
    /// `{compatibility: 'LEVEL'}`: the level applied.
    Compatibility(String),
    /// Anything else, verbatim.
    Other(String),
}

/// Takes one message apart.
pub fn parse_message(text: &str) -> Message {
    let trimmed = text.trim();
    if let Some(rest) = trimmed.strip_prefix("{oldSchemaVersion:") {
        if let Ok(n) = rest.trim_end_matches('}').trim().parse() {
            return Message::OldSchemaVersion(n);
        }
    }
    if let Some(rest) = trimmed.strip_prefix("{oldSchema:") {
        let body = rest.trim().trim_end_matches('}');
        return Message::OldSchema(unquote(body.trim()).to_owned());
    }
    if let Some(rest) = trimmed.strip_prefix("{compatibility:") {
        let body = rest.trim().trim_end_matches('}');
        return Message::Compatibility(unquote(body.trim()).to_owned());
    }
    parse_error(trimmed).unwrap_or_else(|| Message::Other(text.to_owned()))
}

fn unquote(s: &str) -> &str {
    for q in ['\'', '"'] {
        if let Some(inner) = s.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

/// Takes apart `{errorType:…, description:…, additionalInfo:…}`. The quotes are `'` or `"` and
/// need not match: Confluent's JSON Schema messages open with `"` and close with `'`.
fn parse_error(text: &str) -> Option<Message> {
    let is_quote = |c: char| c == '\'' || c == '"';
    let rest = text.strip_prefix("{errorType:")?.strip_suffix('}')?;
    let rest = rest.strip_prefix(is_quote)?;
    let end = rest.find(is_quote)?;
    let error_type = rest[..end].to_owned();
    let rest = rest[end + 1..].strip_prefix(", description:")?;
    let body = rest.strip_prefix(is_quote)?.strip_suffix(is_quote)?;
    const INFO: &str = ", additionalInfo:";
    let split = body.rmatch_indices(INFO).map(|(at, _)| at).find(|&at| {
        at > 0 && body[..at].ends_with(is_quote) && body[at + INFO.len()..].starts_with(is_quote)
    });
    let (description, additional_info) = match split {
        Some(at) => (
            &body[..at - 1],
            Some(body[at + INFO.len() + 1..].to_owned()),
        ),
        None => (body, None),
    };
    Some(Message::Error {
        error_type,
        description: description.to_owned(),
        additional_info,
    })
}

/// A verdict to print.
pub struct Verdict<'a> {
    /// The file checked (shown and used in annotations).
    pub file: &'a str,
    /// The level applied, when known.
    pub level: Option<CompatibilityLevel>,
    /// Whether it passed.
    pub compatible: bool,
    /// Confluent's verbose messages.
    pub messages: &'a [String],
    /// How many earlier versions were considered.
    pub checked: Option<usize>,
    /// A name for a version number (the file it came from), when there is one.
    pub version_label: &'a dyn Fn(i32) -> Option<String>,
    /// Where the earlier versions came from, for the one-line summary.
    pub against: &'a str,
}

impl Verdict<'_> {
    fn failing_version(&self, parsed: &[Message]) -> Option<i32> {
        parsed.iter().find_map(|m| match m {
            Message::OldSchemaVersion(v) => Some(*v),
            _ => None,
        })
    }

    fn level_name(&self) -> &'static str {
        self.level.map_or("the subject's level", |l| l.as_str())
    }

    fn version_text(&self, version: Option<i32>) -> String {
        match version {
            Some(v) => match (self.version_label)(v) {
                Some(label) => format!("version {v} ({label})"),
                None => format!("version {v}"),
            },
            None => "an earlier version".to_owned(),
        }
    }

    /// The verdict in the chosen format.
    pub fn render(&self, format: OutputFormat) -> String {
        let parsed: Vec<Message> = self.messages.iter().map(|m| parse_message(m)).collect();
        let version = self.failing_version(&parsed);
        match format {
            OutputFormat::Text => self.text(&parsed, version),
            OutputFormat::Json => format!("{}\n", self.json(&parsed, version)),
            OutputFormat::Github => self.github(&parsed, version),
        }
    }

    fn text(&self, parsed: &[Message], version: Option<i32>) -> String {
        if self.compatible {
            let count = match self.checked {
                Some(n) => format!(" ({n} earlier version{})", if n == 1 { "" } else { "s" }),
                None => String::new(),
            };
            return format!(
                "{}: compatible with {} at {}{count}\n",
                self.file,
                self.against,
                self.level_name()
            );
        }
        let mut out = format!(
            "{}: INCOMPATIBLE with {} at {}\n",
            self.file,
            self.version_text(version),
            self.level_name()
        );
        for message in parsed {
            match message {
                Message::Error {
                    error_type,
                    description,
                    additional_info,
                } => {
                    out.push_str(&format!("  - {error_type}: {description}"));
                    if let Some(info) = additional_info.as_deref().filter(|i| !i.is_empty()) {
                        if !description.contains(info) {
                            out.push_str(&format!(" ({info})"));
                        }
                    }
                    out.push('\n');
                }
                Message::Other(text) => out.push_str(&format!("  - {text}\n")),
                Message::OldSchemaVersion(_)
                | Message::OldSchema(_)
                | Message::Compatibility(_) => {}
            }
        }
        out
    }

    fn json(&self, parsed: &[Message], version: Option<i32>) -> Value {
        let errors: Vec<Value> = parsed
            .iter()
            .filter_map(|m| match m {
                Message::Error {
                    error_type,
                    description,
                    additional_info,
                } => Some(json!({
                    "errorType": error_type,
                    "description": description,
                    "additionalInfo": additional_info,
                })),
                Message::Other(text) => Some(json!({ "errorType": null, "description": text })),
                _ => None,
            })
            .collect();
        json!({
            "file": self.file,
            "compatible": self.compatible,
            "level": self.level.map(|l| l.as_str()),
            "checkedVersions": self.checked,
            "failingVersion": version,
            "failingVersionSource": version.and_then(|v| (self.version_label)(v)),
            "errors": errors,
            "messages": self.messages,
        })
    }

    fn github(&self, parsed: &[Message], version: Option<i32>) -> String {
        let file = escape_property(self.file);
        if self.compatible {
            return format!(
                "::notice file={file},title=Schema compatible::{}\n",
                escape_data(&format!(
                    "compatible with {} at {}",
                    self.against,
                    self.level_name()
                ))
            );
        }
        let title = escape_property(&format!(
            "Incompatible schema ({}, {})",
            self.level_name(),
            self.version_text(version)
        ));
        let mut out = String::new();
        for message in parsed {
            let line = match message {
                Message::Error {
                    error_type,
                    description,
                    ..
                } => format!("{error_type}: {description}"),
                Message::Other(text) => text.clone(),
                _ => continue,
            };
            out.push_str(&format!(
                "::error file={file},title={title}::{}\n",
                escape_data(&line)
            ));
        }
        if out.is_empty() {
            out = format!("::error file={file},title={title}::incompatible\n");
        }
        out
    }
}

/// Escapes the message part of a workflow command.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property (`file=`, `title=`) of a workflow command.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// An error in the chosen format (for JSON on stdout, otherwise on stderr).
pub fn render_error(format: OutputFormat, file: &str, error: &anyhow::Error) {
    match format {
        OutputFormat::Text => eprintln!("error: {error:#}"),
        OutputFormat::Json => println!(
            "{}",
            json!({ "file": file, "compatible": null, "error": format!("{error:#}") })
        ),
        OutputFormat::Github => println!(
            "::error file={},title=Schema check failed::{}",
            escape_property(file),
            escape_data(&format!("{error:#}"))
        ),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn avro_messages_with_inner_quotes_come_apart() {
        let m = parse_message("{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'c' at path '/fields/2' in the new schema has no default value and is missing in the old schema', additionalInfo:'c'}");
        assert_eq!(
            m,
            Message::Error {
                error_type: "READER_FIELD_MISSING_DEFAULT_VALUE".into(),
                description: "The field 'c' at path '/fields/2' in the new schema has no default value and is missing in the old schema".into(),
                additional_info: Some("c".into()),
            }
        );
    }

    #[test]
    fn double_quoted_messages_without_info() {
        let m = parse_message(
            r#"{errorType:"TYPE_CHANGED", description:"The type of a field at path '#/properties/a' in the new schema does not match"}"#,
        );
        match m {
            Message::Error {
                error_type,
                additional_info,
                description,
            } => {
                assert_eq!(error_type, "TYPE_CHANGED");
                assert_eq!(additional_info, None);
                assert!(description.starts_with("The type of a field"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn json_schema_messages_with_mismatched_quotes() {
        let m = parse_message(
            r#"{errorType:"TYPE_CHANGED", description:"A type at path '#/properties/a' is different between the old schema and the new schema'}"#,
        );
        assert_eq!(
            m,
            Message::Error {
                error_type: "TYPE_CHANGED".into(),
                description: "A type at path '#/properties/a' is different between the old schema and the new schema".into(),
                additional_info: None,
            }
        );
    }

    /// Every message of the golden corpus is taken apart: none is left as raw text.
    #[test]
    fn every_golden_message_comes_apart() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../schema/tests/golden/golden.json"
        );
        let golden: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut count = 0;
        for section in ["compat", "chains"] {
            for verdicts in golden[section].as_object().unwrap().values() {
                for messages in verdicts.as_object().unwrap().values() {
                    for message in messages.as_array().into_iter().flatten() {
                        let text = message.as_str().unwrap();
                        match parse_message(text) {
                            Message::Error {
                                error_type,
                                description,
                                ..
                            } => {
                                assert!(
                                    !error_type.is_empty() && !description.is_empty(),
                                    "{text}"
                                );
                                assert!(!description.ends_with(['\'', '"']), "{text}");
                                count += 1;
                            }
                            Message::Other(other) => {
                                assert!(!other.starts_with("{errorType"), "{text}");
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        assert!(count > 300, "only {count} error messages");
    }

    #[test]
    fn version_schema_and_other_messages() {
        assert_eq!(
            parse_message("{oldSchemaVersion: 12}"),
            Message::OldSchemaVersion(12)
        );
        assert_eq!(
            parse_message(r#"{oldSchema: '{"type":"int"}'}"#),
            Message::OldSchema(r#"{"type":"int"}"#.into())
        );
        assert_eq!(
            parse_message("{compatibility: 'BACKWARD'}"),
            Message::Compatibility("BACKWARD".into())
        );
        assert_eq!(
            parse_message("Incompatible because of different schema type"),
            Message::Other("Incompatible because of different schema type".into())
        );
        assert!(matches!(parse_message("{errorType:'X'"), Message::Other(_)));
    }

    #[test]
    fn github_annotations_escape_their_parts() {
        let messages = vec![
            "{errorType:'TYPE_MISMATCH', description:'a\nb 100%', additionalInfo:'x'}".to_owned(),
            "{oldSchemaVersion: 2}".to_owned(),
        ];
        let label = |v: i32| Some(format!("v{v}.avsc"));
        let verdict = Verdict {
            file: "schemas/a,b.avsc",
            level: Some(CompatibilityLevel::Backward),
            compatible: false,
            messages: &messages,
            checked: Some(2),
            version_label: &label,
            against: "2 files",
        };
        let out = verdict.render(OutputFormat::Github);
        assert_eq!(
            out,
            "::error file=schemas/a%2Cb.avsc,title=Incompatible schema (BACKWARD%2C version 2 (v2.avsc))::TYPE_MISMATCH: a%0Ab 100%25\n"
        );
        let json: Value = serde_json::from_str(&verdict.render(OutputFormat::Json)).unwrap();
        assert_eq!(json["failingVersion"], 2);
        assert_eq!(json["failingVersionSource"], "v2.avsc");
        assert_eq!(json["errors"][0]["additionalInfo"], "x");
        let text = verdict.render(OutputFormat::Text);
        assert!(text
            .starts_with("schemas/a,b.avsc: INCOMPATIBLE with version 2 (v2.avsc) at BACKWARD\n"));
    }
}
