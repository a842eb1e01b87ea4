//! `strata decode` and `strata encode`: one record between JSON and the Confluent wire format
//! (magic byte, schema id, Protobuf message indexes, payload), with schemas from a registry.

use std::io::{Read as _, Write as _};
use std::path::PathBuf;

use anyhow::{bail, Context as _};
use base64::Engine as _;
use clap::{Args, ValueEnum};
use prost::Message as _;
use prost_reflect::DynamicMessage;
use serde_json::Value;
use strata_client::{RegisterSchemaRequest, RegistryClient, SchemaId, SchemaReference, SchemaType};
use strata_converters::wire;
use strata_schema::{parse, ParseOptions, ParsedSchema, SchemaModel};

use crate::commands::{read_text, schema_type_of, RegistryArgs, TypeArg};

mod avro_json {
    //! Accepts the Avro JSON encoding's union form, `{"string": "x"}`, besides plain values.

    use std::collections::HashMap;

    use apache_avro::Schema;
    use serde_json::Value;

    type Names<'a> = HashMap<String, &'a Schema>;

    /// Bounds the walk on hostile (deep) input.
    const MAX_DEPTH: usize = 128;

    fn collect<'a>(schema: &'a Schema, names: &mut Names<'a>, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match schema {
            Schema::Record(r) => {
                // A named type is walked once: recursive types end here.
                let first_time = names.insert(r.name.fullname(None), schema).is_none();
                let fields = if first_time { r.fields.as_slice() } else { &[] };
                for field in fields {
                    collect(&field.schema, names, depth + 1);
                }
            }
            Schema::Enum(e) => {
                names.insert(e.name.fullname(None), schema);
            }
            Schema::Fixed(f) => {
                names.insert(f.name.fullname(None), schema);
            }
            Schema::Array(a) => collect(&a.items, names, depth + 1),
            Schema::Map(m) => collect(&m.types, names, depth + 1),
            Schema::Union(u) => u
                .variants()
                .iter()
                .for_each(|v| collect(v, names, depth + 1)),
            _ => {}
        }
    }

    /// The name a union branch has in the Avro JSON encoding.
    fn branch_name(schema: &Schema) -> Option<String> {
        let primitive = match schema {
            Schema::Null => "null",
            Schema::Boolean => "boolean",
            Schema::Int | Schema::Date | Schema::TimeMillis => "int",
            Schema::Long
            | Schema::TimeMicros
            | Schema::TimestampMillis
            | Schema::TimestampMicros
            | Schema::TimestampNanos
            | Schema::LocalTimestampMillis
            | Schema::LocalTimestampMicros
            | Schema::LocalTimestampNanos => "long",
            Schema::Float => "float",
            Schema::Double => "double",
            Schema::Bytes | Schema::BigDecimal => "bytes",
            Schema::String | Schema::Uuid => "string",
            Schema::Array(_) => "array",
            Schema::Map(_) => "map",
            Schema::Decimal(d) => return branch_name(&d.inner),
            Schema::Record(r) => return Some(r.name.fullname(None)),
            Schema::Enum(e) => return Some(e.name.fullname(None)),
            Schema::Fixed(f) => return Some(f.name.fullname(None)),
            Schema::Ref { name } => return Some(name.fullname(None)),
            _ => return None,
        };
        Some(primitive.to_owned())
    }

    fn deref<'a>(schema: &'a Schema, names: &Names<'a>) -> &'a Schema {
        match schema {
            Schema::Ref { name } => names.get(&name.fullname(None)).copied().unwrap_or(schema),
            other => other,
        }
    }

    /// Rewrites `{"branch": value}` union values as plain values, so that they resolve.
    pub fn unwrap_unions(value: Value, schema: &Schema) -> Value {
        let mut names = Names::new();
        collect(schema, &mut names, 0);
        walk(value, schema, &names, 0)
    }

    fn walk(value: Value, schema: &Schema, names: &Names<'_>, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return value;
        }
        match (deref(schema, names), value) {
            (Schema::Union(u), Value::Object(map)) => {
                let variants = u.variants();
                let has_map = variants
                    .iter()
                    .any(|v| matches!(deref(v, names), Schema::Map(_)));
                if map.len() == 1 && !has_map {
                    if let Some((key, inner)) = map.iter().next() {
                        let branch = variants.iter().find(|v| {
                            branch_name(v).is_some_and(|n| {
                                n == *key || n.rsplit('.').next() == Some(key.as_str())
                            })
                        });
                        if let Some(branch) = branch {
                            return walk(inner.clone(), branch, names, depth + 1);
                        }
                    }
                }
                // A plain record value in a union with one record branch.
                let records: Vec<&Schema> = variants
                    .iter()
                    .filter(|v| matches!(deref(v, names), Schema::Record(_)))
                    .collect();
                match records.as_slice() {
                    [record] => walk(Value::Object(map), record, names, depth + 1),
                    _ => Value::Object(map),
                }
            }
            (Schema::Record(r), Value::Object(map)) => Value::Object(
                map.into_iter()
                    .map(|(key, v)| {
                        let v = match r.fields.iter().find(|f| f.name == key) {
                            Some(field) => walk(v, &field.schema, names, depth + 1),
                            None => v,
                        };
                        (key, v)
                    })
                    .collect(),
            ),
            (Schema::Array(a), Value::Array(items)) => Value::Array(
                items
                    .into_iter()
                    .map(|v| walk(v, &a.items, names, depth + 1))
                    .collect(),
            ),
            (Schema::Map(m), Value::Object(map)) => Value::Object(
                map.into_iter()
                    .map(|(k, v)| (k, walk(v, &m.types, names, depth + 1)))
                    .collect(),
            ),
            // The Avro JSON encoding writes bytes as ISO-8859-1 strings. (Fixed values are
            // taken as the string's UTF-8 bytes, the same for ASCII.)
            (Schema::Bytes, Value::String(text)) if text.chars().all(|c| u32::from(c) <= 0xFF) => {
                Value::Array(text.chars().map(|c| Value::from(u32::from(c))).collect())
            }
            (_, value) => value,
        }
    }

    /// An Avro value in the Avro JSON encoding: unions as `{"branch": value}` (null alone),
    /// bytes and fixed as ISO-8859-1 strings.
    pub fn to_json(
        value: apache_avro::types::Value,
        schema: &Schema,
    ) -> Result<Value, apache_avro::Error> {
        let mut names = Names::new();
        collect(schema, &mut names, 0);
        encode(value, schema, &names, 0)
    }

    fn latin1(bytes: &[u8]) -> Value {
        Value::String(bytes.iter().map(|b| char::from(*b)).collect())
    }

    fn encode(
        value: apache_avro::types::Value,
        schema: &Schema,
        names: &Names<'_>,
        depth: usize,
    ) -> Result<Value, apache_avro::Error> {
        use apache_avro::types::Value as Avro;
        if depth > MAX_DEPTH {
            return Value::try_from(value);
        }
        Ok(match (deref(schema, names), value) {
            (Schema::Union(u), Avro::Union(index, inner)) => {
                match usize::try_from(index)
                    .ok()
                    .and_then(|i| u.variants().get(i))
                {
                    Some(branch) if !matches!(branch, Schema::Null) => {
                        let name = branch_name(branch).unwrap_or_default();
                        let mut object = serde_json::Map::new();
                        object.insert(name, encode(*inner, branch, names, depth + 1)?);
                        Value::Object(object)
                    }
                    _ => Value::try_from(*inner)?,
                }
            }
            (Schema::Record(r), Avro::Record(fields)) => {
                let mut object = serde_json::Map::new();
                for (name, v) in fields {
                    let converted = match r.fields.iter().find(|f| f.name == name) {
                        Some(field) => encode(v, &field.schema, names, depth + 1)?,
                        None => Value::try_from(v)?,
                    };
                    object.insert(name, converted);
                }
                Value::Object(object)
            }
            (Schema::Array(a), Avro::Array(items)) => Value::Array(
                items
                    .into_iter()
                    .map(|v| encode(v, &a.items, names, depth + 1))
                    .collect::<Result<_, _>>()?,
            ),
            (Schema::Map(m), Avro::Map(items)) => Value::Object(
                items
                    .into_iter()
                    .map(|(k, v)| Ok((k, encode(v, &m.types, names, depth + 1)?)))
                    .collect::<Result<_, apache_avro::Error>>()?,
            ),
            (_, Avro::Bytes(bytes)) | (_, Avro::Fixed(_, bytes)) => latin1(&bytes),
            (_, value) => Value::try_from(value)?,
        })
    }
}

/// Largest record read.
const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// How bytes are written on the command line.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// The bytes themselves.
    #[default]
    Raw,
    /// Hexadecimal text (whitespace ignored on input).
    Hex,
    /// Base64 text, standard alphabet (whitespace ignored on input).
    Base64,
}

/// Arguments of `strata decode`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  kcat -C -b kafka:9092 -t orders -c 1 -f '%s' | strata decode --registry http://localhost:8081
  strata decode --registry http://localhost:8081 --encoding hex --input record.hex")]
pub struct DecodeArgs {
    /// The record; standard input when absent.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// How the record is written.
    #[arg(long, value_enum, default_value_t = Encoding::Raw)]
    pub encoding: Encoding,
    /// Print compact JSON on one line.
    #[arg(long)]
    pub compact: bool,
    /// Avro: print the Avro JSON encoding (unions as `{"type": value}`, bytes as ISO-8859-1
    /// strings), as Confluent's console consumer does, instead of plain JSON.
    #[arg(long)]
    pub avro_json: bool,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

/// Arguments of `strata encode`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  echo '{\"id\": 1, \"name\": \"x\"}' | strata encode --registry http://localhost:8081 --subject orders-value --encoding hex
  strata encode --registry http://localhost:8081 --subject orders-value --schema orders.proto --message acme.Order --input order.json")]
pub struct EncodeArgs {
    /// The subject whose schema encodes the record: its latest version unless `--schema`.
    #[arg(long)]
    pub subject: String,
    /// A schema file registered under the subject (any version) to encode with instead.
    #[arg(long, value_name = "FILE")]
    pub schema: Option<PathBuf>,
    /// The format of `--schema`, when its extension does not tell.
    #[arg(long = "type", value_enum, requires = "schema")]
    pub schema_type: Option<TypeArg>,
    /// Protobuf: the full name of the message to encode [default: the first message].
    #[arg(long)]
    pub message: Option<String>,
    /// The JSON record; standard input when absent.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// How to write the bytes.
    #[arg(long, value_enum, default_value_t = Encoding::Raw)]
    pub encoding: Encoding,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

fn read_input(input: Option<&PathBuf>) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    match input {
        Some(path) => {
            std::fs::File::open(path)
                .with_context(|| format!("cannot read {}", path.display()))?
                .take(MAX_INPUT_BYTES + 1)
                .read_to_end(&mut bytes)
                .with_context(|| format!("cannot read {}", path.display()))?;
        }
        None => {
            std::io::stdin()
                .take(MAX_INPUT_BYTES + 1)
                .read_to_end(&mut bytes)
                .context("cannot read standard input")?;
        }
    }
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        bail!("input larger than {MAX_INPUT_BYTES} bytes");
    }
    Ok(bytes)
}

/// Turns text input into bytes.
pub fn decode_text(encoding: Encoding, input: &[u8]) -> anyhow::Result<Vec<u8>> {
    let text = || -> Vec<u8> {
        input
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect()
    };
    match encoding {
        Encoding::Raw => Ok(input.to_vec()),
        Encoding::Hex => {
            let digits = text();
            if digits.len() % 2 != 0 {
                bail!("hex input has an odd number of digits");
            }
            let value = |c: u8| -> anyhow::Result<u8> {
                match c {
                    b'0'..=b'9' => Ok(c - b'0'),
                    b'a'..=b'f' => Ok(c - b'a' + 10),
                    b'A'..=b'F' => Ok(c - b'A' + 10),
                    _ => bail!("invalid hex digit {:?}", char::from(c)),
                }
            };
            digits
                .chunks(2)
                .map(|pair| Ok(value(pair[0])? << 4 | value(pair[1])?))
                .collect()
        }
        Encoding::Base64 => base64::engine::general_purpose::STANDARD
            .decode(text())
            .context("invalid base64 input"),
    }
}

/// Turns bytes into output in the chosen encoding.
pub fn encode_text(encoding: Encoding, bytes: &[u8]) -> Vec<u8> {
    match encoding {
        Encoding::Raw => bytes.to_vec(),
        Encoding::Hex => {
            let mut out: Vec<u8> = bytes
                .iter()
                .flat_map(|b| {
                    let digits = b"0123456789abcdef";
                    [digits[usize::from(b >> 4)], digits[usize::from(b & 15)]]
                })
                .collect();
            out.push(b'\n');
            out
        }
        Encoding::Base64 => {
            let mut out = base64::engine::general_purpose::STANDARD
                .encode(bytes)
                .into_bytes();
            out.push(b'\n');
            out
        }
    }
}

async fn parse_registered(
    client: &RegistryClient,
    schema_type: SchemaType,
    text: &str,
    references: &[SchemaReference],
) -> anyhow::Result<ParsedSchema> {
    let resolved = client.resolve_references(references).await?;
    Ok(parse(
        schema_type,
        text,
        references,
        &resolved,
        &ParseOptions::stored(),
    )?)
}

/// `strata decode`.
pub async fn decode(args: DecodeArgs) -> anyhow::Result<()> {
    let input = read_input(args.input.as_ref())?;
    let bytes = decode_text(args.encoding, &input)?;
    let (reference, payload) = wire::decode_schema_ref(&bytes)?;
    let client = args.registry.client()?;
    let (name, schema) = match reference {
        wire::SchemaRef::Id(id) => {
            let schema = client
                .get_schema_by_id(SchemaId(id.0))
                .await
                .with_context(|| format!("cannot fetch writer schema {id}"))?;
            (id.to_string(), (*schema).clone())
        }
        wire::SchemaRef::Guid(guid) => {
            let schema = client
                .get_schema_by_guid(&guid.to_string(), None)
                .await
                .with_context(|| format!("cannot fetch writer schema {guid}"))?;
            (guid.to_string(), schema)
        }
    };
    let parsed = parse_registered(
        &client,
        schema.schema_type,
        &schema.schema,
        &schema.references,
    )
    .await?;
    let value = decode_payload_as(&parsed, payload, args.avro_json)
        .with_context(|| format!("cannot decode the record with schema {name}"))?;
    let text = if args.compact {
        serde_json::to_string(&value)?
    } else {
        serde_json::to_string_pretty(&value)?
    };
    println!("{text}");
    Ok(())
}

/// Decodes a payload (after the 5-byte prefix) with its writer schema.
#[cfg(test)]
pub fn decode_payload(schema: &ParsedSchema, payload: &[u8]) -> anyhow::Result<Value> {
    decode_payload_as(schema, payload, false)
}

/// [`decode_payload`], Avro records optionally in the Avro JSON encoding.
pub fn decode_payload_as(
    schema: &ParsedSchema,
    payload: &[u8],
    avro_json: bool,
) -> anyhow::Result<Value> {
    match schema.model() {
        SchemaModel::Avro(model) => {
            let avro = model.schema().map_err(|e| anyhow::anyhow!("{e}"))?;
            let mut reader = payload;
            let value = apache_avro::from_avro_datum(avro, &mut reader, None)?;
            if !reader.is_empty() {
                bail!("{} bytes left after the Avro record", reader.len());
            }
            if avro_json {
                Ok(avro_json::to_json(value, avro)?)
            } else {
                Ok(Value::try_from(value)?)
            }
        }
        SchemaModel::Json(model) => {
            let value: Value =
                serde_json::from_slice(payload).context("the payload is not JSON")?;
            model
                .validate(&value)
                .map_err(|e| anyhow::anyhow!("the record does not match its schema: {e}"))?;
            Ok(value)
        }
        SchemaModel::Protobuf(model) => {
            let (indexes, body) = wire::decode_message_indexes(payload)?;
            if let Some(error) = model.descriptor_error() {
                bail!("the schema cannot be compiled: {error}");
            }
            let descriptor = model
                .message_by_index_path(indexes.as_slice())
                .with_context(|| format!("no message at index path {:?}", indexes.as_slice()))?;
            let message = DynamicMessage::decode(descriptor, body)?;
            Ok(serde_json::to_value(&message)?)
        }
    }
}

/// Encodes a JSON record with a schema: the payload and, for Protobuf, the message indexes.
pub fn encode_payload(
    schema: &ParsedSchema,
    record: &str,
    message: Option<&str>,
) -> anyhow::Result<(Option<Vec<i32>>, Vec<u8>)> {
    match schema.model() {
        SchemaModel::Avro(model) => {
            let avro = model.schema().map_err(|e| anyhow::anyhow!("{e}"))?;
            let json: Value = serde_json::from_str(record).context("the input is not JSON")?;
            let json = avro_json::unwrap_unions(json, avro);
            let value = apache_avro::types::Value::from(json)
                .resolve(avro)
                .context("the record does not match the Avro schema")?;
            Ok((None, apache_avro::to_avro_datum(avro, value)?))
        }
        SchemaModel::Json(model) => {
            let json: Value = serde_json::from_str(record).context("the input is not JSON")?;
            model
                .validate(&json)
                .map_err(|e| anyhow::anyhow!("the record does not match its schema: {e}"))?;
            Ok((None, serde_json::to_vec(&json)?))
        }
        SchemaModel::Protobuf(model) => {
            if let Some(error) = model.descriptor_error() {
                bail!("the schema cannot be compiled: {error}");
            }
            let name = match message {
                Some(name) => name.to_owned(),
                None => model.first_message().context("the schema has no message")?,
            };
            let path = model
                .message_index_path(&name)
                .with_context(|| format!("no message {name:?} in the schema"))?;
            let descriptor = model
                .message_by_index_path(&path)
                .with_context(|| format!("no message {name:?} in the schema"))?;
            let mut deserializer = serde_json::Deserializer::from_str(record);
            let message = DynamicMessage::deserialize(descriptor, &mut deserializer)
                .context("the record does not match the message")?;
            deserializer
                .end()
                .context("trailing input after the record")?;
            Ok((Some(path), message.encode_to_vec()))
        }
    }
}

/// `strata encode`.
pub async fn encode(args: EncodeArgs) -> anyhow::Result<()> {
    let input = read_input(args.input.as_ref())?;
    let record = String::from_utf8(input).context("the input is not UTF-8 text")?;
    let client = args.registry.client()?;
    let (id, parsed) = match &args.schema {
        Some(path) => {
            let schema_type = schema_type_of(path, args.schema_type)?;
            let text = read_text(path)?;
            let request = RegisterSchemaRequest::new(schema_type, text);
            let found = client
                .lookup_schema(&args.subject, &request, false, false)
                .await
                .with_context(|| {
                    format!(
                        "{} is not registered under {:?}: register it first",
                        path.display(),
                        args.subject
                    )
                })?;
            let parsed =
                parse_registered(&client, found.schema_type, &found.schema, &found.references)
                    .await?;
            (found.id, parsed)
        }
        None => {
            let latest = client.get_latest_version(&args.subject).await?;
            let parsed = parse_registered(
                &client,
                latest.schema_type,
                &latest.schema,
                &latest.references,
            )
            .await?;
            (latest.id, parsed)
        }
    };
    let (indexes, payload) = encode_payload(&parsed, &record, args.message.as_deref())?;
    let bytes = wire::encode(wire::SchemaId(id.0), indexes.as_deref(), &payload);
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&encode_text(args.encoding, &bytes))?;
    stdout.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn text_encodings_round_trip() {
        let bytes = [0u8, 0, 0, 0, 7, 0xff, 0x10];
        for encoding in [Encoding::Raw, Encoding::Hex, Encoding::Base64] {
            let text = encode_text(encoding, &bytes);
            assert_eq!(decode_text(encoding, &text).unwrap(), bytes);
        }
        assert_eq!(
            encode_text(Encoding::Hex, &bytes),
            b"00000000"
                .iter()
                .chain(b"07ff10\n")
                .copied()
                .collect::<Vec<_>>()
        );
        assert_eq!(
            decode_text(Encoding::Hex, b"00 0A\nff").unwrap(),
            vec![0, 10, 255]
        );
        assert!(decode_text(Encoding::Hex, b"0").is_err());
        assert!(decode_text(Encoding::Hex, b"zz").is_err());
        assert!(decode_text(Encoding::Base64, b"!!!").is_err());
    }

    #[test]
    fn avro_and_json_payloads_round_trip() {
        let options = ParseOptions::default();
        let avro = parse(
            SchemaType::Avro,
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":["null","string"]}]}"#,
            &[],
            &strata_schema::NoReferences,
            &options,
        )
        .unwrap();
        let (indexes, payload) = encode_payload(&avro, r#"{"a": 5, "b": "x"}"#, None).unwrap();
        assert_eq!(indexes, None);
        assert_eq!(
            decode_payload(&avro, &payload).unwrap(),
            serde_json::json!({"a": 5, "b": "x"})
        );
        assert!(encode_payload(&avro, r#"{"a": "no"}"#, None).is_err());
        // The Avro JSON encoding's union form is accepted too.
        let (_, wrapped) =
            encode_payload(&avro, r#"{"a": 5, "b": {"string": "x"}}"#, None).unwrap();
        assert_eq!(wrapped, payload);
        let (_, null) = encode_payload(&avro, r#"{"a": 5, "b": {"null": null}}"#, None).unwrap();
        assert_eq!(
            decode_payload(&avro, &null).unwrap(),
            serde_json::json!({"a": 5, "b": null})
        );

        // Numbers widen to doubles, bytes travel as arrays of byte values, defaults fill gaps.
        let wide = parse(
            SchemaType::Avro,
            r#"{"type":"record","name":"W","fields":[{"name":"d","type":"double"},{"name":"b","type":"bytes"},{"name":"n","type":"long","default":9}]}"#,
            &[],
            &strata_schema::NoReferences,
            &options,
        )
        .unwrap();
        let (_, payload) = encode_payload(&wide, r#"{"d": 2, "b": [0, 255]}"#, None).unwrap();
        assert_eq!(
            decode_payload(&wide, &payload).unwrap(),
            serde_json::json!({"d": 2.0, "b": [0, 255], "n": 9})
        );
        assert!(decode_payload(&avro, &[0xff]).is_err());

        let json = parse(
            SchemaType::Json,
            r#"{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]}"#,
            &[],
            &strata_schema::NoReferences,
            &options,
        )
        .unwrap();
        let (_, payload) = encode_payload(&json, r#"{"a": 1}"#, None).unwrap();
        assert_eq!(
            decode_payload(&json, &payload).unwrap(),
            serde_json::json!({"a": 1})
        );
        assert!(encode_payload(&json, r#"{"a": "x"}"#, None).is_err());
    }

    #[test]
    fn avro_json_encoding_round_trips() {
        let schema = parse(
            SchemaType::Avro,
            r#"{"type":"record","name":"R","namespace":"n","fields":[
                {"name":"u","type":["null","string",{"type":"record","name":"S","fields":[{"name":"b","type":"bytes"}]}]},
                {"name":"v","type":["null","long"]},
                {"name":"f","type":{"type":"fixed","name":"F","size":2}},
                {"name":"l","type":{"type":"array","items":["null","S"]}}]}"#,
            &[],
            &strata_schema::NoReferences,
            &ParseOptions::default(),
        )
        .unwrap();
        let record = r#"{"u": {"n.S": {"b": "\u00ff\u0001"}}, "v": null, "f": "ab", "l": [null, {"S": {"b": ""}}]}"#;
        let (_, payload) = encode_payload(&schema, record, None).unwrap();
        let json = decode_payload_as(&schema, &payload, true).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"u": {"n.S": {"b": "\u{ff}\u{1}"}}, "v": null, "f": "ab", "l": [null, {"n.S": {"b": ""}}]})
        );
        let (_, again) = encode_payload(&schema, &json.to_string(), None).unwrap();
        assert_eq!(again, payload);
        let plain = decode_payload(&schema, &payload).unwrap();
        assert_eq!(plain["u"], serde_json::json!({"b": [255, 1]}));
    }

    #[test]
    fn avro_json_union_names_are_full_or_short_names() {
        let schema = parse(
            SchemaType::Avro,
            r#"{"type":"record","name":"Outer","namespace":"com.x","fields":[
                {"name":"a","type":["null",{"type":"record","name":"A","fields":[{"name":"n","type":["null","long"]}]}]},
                {"name":"again","type":["null","A"]},
                {"name":"m","type":["null",{"type":"map","values":"int"}]}]}"#,
            &[],
            &strata_schema::NoReferences,
            &ParseOptions::default(),
        )
        .unwrap();
        let plain = r#"{"a": {"n": 3}, "again": {"n": null}, "m": {"k": 1}}"#;
        let wrapped = r#"{"a": {"com.x.A": {"n": {"long": 3}}}, "again": {"A": {"n": null}}, "m": {"map": {"k": 1}}}"#;
        let (_, expected) = encode_payload(&schema, plain, None).unwrap();
        let (_, got) = encode_payload(&schema, wrapped, None).unwrap_or_default();
        // A union with a map branch keeps its objects as they are: {"map": {...}} is a map
        // with the key "map" there, so only the record branches unwrap.
        assert_ne!(got, expected);
        let wrapped =
            r#"{"a": {"com.x.A": {"n": {"long": 3}}}, "again": {"A": {"n": null}}, "m": {"k": 1}}"#;
        let (_, got) = encode_payload(&schema, wrapped, None).unwrap();
        assert_eq!(got, expected);
        assert_eq!(
            decode_payload(&schema, &got).unwrap(),
            serde_json::json!({"a": {"n": 3}, "again": {"n": null}, "m": {"k": 1}})
        );
    }

    #[test]
    fn protobuf_payloads_round_trip_with_nested_message_indexes() {
        let proto = parse(
            SchemaType::Protobuf,
            "syntax = \"proto3\";\npackage t;\nmessage A { int32 x = 1; }\nmessage B { message C { string s = 1; } C c = 1; }\n",
            &[],
            &strata_schema::NoReferences,
            &ParseOptions::default(),
        )
        .unwrap();
        let (indexes, payload) = encode_payload(&proto, r#"{"s": "hi"}"#, Some("t.B.C")).unwrap();
        assert_eq!(indexes, Some(vec![1, 0]));
        let mut framed = Vec::new();
        wire::encode_message_indexes_into(&mut framed, &[1, 0]);
        framed.extend_from_slice(&payload);
        assert_eq!(
            decode_payload(&proto, &framed).unwrap(),
            serde_json::json!({"s": "hi"})
        );
        let (indexes, _) = encode_payload(&proto, r#"{"x": 3}"#, None).unwrap();
        assert_eq!(indexes, Some(vec![0]));
    }
}
