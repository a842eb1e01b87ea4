//! The Confluent wire format: the schema reference in front of every record.
//!
//! Pure functions over byte slices: no I/O, no async, and decoding borrows the payload instead of
//! copying it.
//!
//! # Byte layout
//!
//! | Offset        | Size          | Content                                                          |
//! |---------------|---------------|------------------------------------------------------------------|
//! | 0             | 1             | magic byte `0x00`                                                |
//! | 1             | 4             | schema id, big-endian signed 32-bit ([`SchemaId`])              |
//! | 5             | 1..           | Protobuf only: message-index array (see below)                   |
//! | 5 or after it | rest          | payload: Avro binary, JSON text or Protobuf binary               |
//!
//! The message-index array names which message of the registered `.proto` file was written: the
//! index among the file's top-level messages, then the index among the nested messages of that
//! message, and so on. It is written as a count followed by the indexes, every number a zigzag
//! varint (`(v << 1) ^ (v >> 31)`, then unsigned LEB128, at most 5 bytes). The path `[0]`, by far
//! the most common, is written as the single byte `0x00` (a count of 0), and a count of 0 reads
//! back as `[0]`.
//!
//! | Path      | Bytes      |
//! |-----------|------------|
//! | `[0]`     | `00`       |
//! | `[1]`     | `02 02`    |
//! | `[0, 2]`  | `04 00 04` |
//! | `[64]`    | `02 80 01` |
//!
//! # Magic byte 1 (schema GUID)
//!
//! Newer Confluent serializers can reference a schema by a 16-byte GUID instead of an id:
//! magic byte `0x01`, then the GUID (UUID most-significant 8 bytes, then least-significant 8
//! bytes), then (Protobuf only) the message-index array. The GUID usually travels in a record
//! header (`__value_schema_id`), but may also prefix the payload. [`decode_schema_ref`] decodes
//! both forms into a [`SchemaRef`]; [`decode`], the classic path used with registry ids, answers
//! a GUID prefix with [`WireError::UnsupportedGuid`] (carrying the GUID) because looking a schema
//! up by GUID is not supported yet.
//!
//! ```
//! use strata_converters::wire::{self, SchemaId};
//!
//! let bytes = wire::encode(SchemaId(42), None, b"\x04hi");
//! assert_eq!(bytes, [0x00, 0x00, 0x00, 0x00, 0x2A, 0x04, 0x68, 0x69]);
//! let frame = wire::decode(&bytes)?;
//! assert_eq!(frame.schema_id, SchemaId(42));
//! assert_eq!(frame.payload, b"\x04hi");
//!
//! // Protobuf: the message indexes come first in the payload.
//! let bytes = wire::encode(SchemaId(1), Some(&[0, 2]), b"pb");
//! let frame = wire::decode(&bytes)?;
//! let (indexes, message) = wire::decode_message_indexes(frame.payload)?;
//! assert_eq!(&indexes[..], &[0, 2]);
//! assert_eq!(message, b"pb");
//! # Ok::<(), wire::WireError>(())
//! ```

use smallvec::SmallVec;
use std::fmt;
use std::ops::Deref;

/// The magic byte of the classic prefix: a 4-byte schema id follows.
pub const MAGIC_BYTE: u8 = 0;
/// The magic byte of the GUID prefix: a 16-byte schema GUID follows.
pub const MAGIC_BYTE_GUID: u8 = 1;
/// Length of the classic prefix: magic byte and schema id.
pub const PREFIX_LEN: usize = 5;
/// Length of the GUID prefix: magic byte and GUID.
pub const GUID_PREFIX_LEN: usize = 17;
/// The largest message-index count accepted, as Confluent's clients do.
pub const MAX_MESSAGE_INDEXES: i32 = 100_000;

/// A schema id as the registry allocates it: Confluent ids are signed 32-bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SchemaId(pub i32);

impl fmt::Display for SchemaId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A schema GUID (magic byte 1): the 16 bytes of a UUID, most-significant half first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SchemaGuid(pub [u8; 16]);

impl fmt::Display for SchemaGuid {
    /// The canonical UUID text, `8-4-4-4-12` lowercase hex digits, as the registry's
    /// `/schemas/guids/{guid}` path expects.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// How a record names its writer schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SchemaRef {
    /// Magic byte 0: a registry schema id.
    Id(SchemaId),
    /// Magic byte 1: a schema GUID.
    Guid(SchemaGuid),
}

/// A decoded record: the schema id and the bytes after the prefix, borrowed from the input.
///
/// For Protobuf the payload still starts with the message-index array: read it with
/// [`decode_message_indexes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    /// The writer schema's id.
    pub schema_id: SchemaId,
    /// Everything after the 5-byte prefix.
    pub payload: &'a [u8],
}

/// A Protobuf message-index path, e.g. `[0]` or `[0, 2]`. Short paths live inline.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct MessageIndexes(SmallVec<[i32; 4]>);

impl MessageIndexes {
    /// The indexes, outermost first.
    pub fn as_slice(&self) -> &[i32] {
        &self.0
    }

    /// Takes the indexes as a vector.
    pub fn into_vec(self) -> Vec<i32> {
        self.0.into_vec()
    }
}

impl Deref for MessageIndexes {
    type Target = [i32];
    fn deref(&self) -> &[i32] {
        &self.0
    }
}

impl From<&[i32]> for MessageIndexes {
    fn from(indexes: &[i32]) -> Self {
        MessageIndexes(SmallVec::from_slice(indexes))
    }
}

/// Why bytes are not a well-formed wire-format record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// Fewer bytes than the prefix needs.
    #[error("record too short for the Confluent wire format: {actual} bytes, at least {expected} needed")]
    TooShort {
        /// Bytes needed for the prefix.
        expected: usize,
        /// Bytes present.
        actual: usize,
    },
    /// The first byte is neither 0 nor 1.
    #[error("unknown magic byte 0x{0:02x}: expected 0x00 (schema id) or 0x01 (schema GUID)")]
    UnknownMagicByte(u8),
    /// Magic byte 1: the record names its schema by GUID, which this path does not look up yet.
    #[error(
        "record references schema GUID {0} (magic byte 0x01); schema GUIDs are not supported yet"
    )]
    UnsupportedGuid(SchemaGuid),
    /// The input ended inside a varint of the message-index array.
    #[error("truncated varint at offset {offset} of the message-index array")]
    TruncatedVarint {
        /// Offset of the varint's first byte.
        offset: usize,
    },
    /// A varint of the message-index array does not fit in 32 bits.
    #[error("varint at offset {offset} of the message-index array is longer than 32 bits")]
    VarintTooLong {
        /// Offset of the varint's first byte.
        offset: usize,
    },
    /// The message-index count is negative or above [`MAX_MESSAGE_INDEXES`].
    #[error("invalid message-index count {0}: must be between 0 and 100000")]
    InvalidIndexCount(i32),
}

/// Encodes a record: prefix, then (Protobuf) the message indexes, then the payload.
///
/// `message_indexes` is `None` for Avro and JSON Schema and `Some(path)` for Protobuf; `[0]` and
/// the empty path are both written as the single byte `0x00`, as Confluent's serializers do.
pub fn encode(id: SchemaId, message_indexes: Option<&[i32]>, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(encoded_len(message_indexes, payload.len()));
    encode_into(&mut out, id, message_indexes, payload);
    out
}

/// Appends an encoded record to `buf`, so a caller can reuse one buffer across records.
pub fn encode_into(
    buf: &mut Vec<u8>,
    id: SchemaId,
    message_indexes: Option<&[i32]>,
    payload: &[u8],
) {
    buf.reserve(encoded_len(message_indexes, payload.len()));
    buf.push(MAGIC_BYTE);
    buf.extend_from_slice(&id.0.to_be_bytes());
    if let Some(indexes) = message_indexes {
        encode_message_indexes_into(buf, indexes);
    }
    buf.extend_from_slice(payload);
}

/// Appends a GUID-prefixed record (magic byte 1) to `buf`: the form a header schema id or a
/// GUID payload prefix takes.
pub fn encode_guid_into(
    buf: &mut Vec<u8>,
    guid: SchemaGuid,
    message_indexes: Option<&[i32]>,
    payload: &[u8],
) {
    buf.reserve(GUID_PREFIX_LEN - PREFIX_LEN + encoded_len(message_indexes, payload.len()));
    buf.push(MAGIC_BYTE_GUID);
    buf.extend_from_slice(&guid.0);
    if let Some(indexes) = message_indexes {
        encode_message_indexes_into(buf, indexes);
    }
    buf.extend_from_slice(payload);
}

/// Appends a Protobuf message-index array to `buf`.
pub fn encode_message_indexes_into(buf: &mut Vec<u8>, indexes: &[i32]) {
    if indexes.is_empty() || indexes == [0] {
        buf.push(0);
        return;
    }
    // A slice longer than i32::MAX cannot exist in practice; saturate rather than wrap.
    write_varint(buf, i32::try_from(indexes.len()).unwrap_or(i32::MAX));
    for &index in indexes {
        write_varint(buf, index);
    }
}

fn encoded_len(message_indexes: Option<&[i32]>, payload_len: usize) -> usize {
    // Each varint takes at most 5 bytes.
    PREFIX_LEN + message_indexes.map_or(0, |i| 5 * (i.len() + 1)) + payload_len
}

fn write_varint(buf: &mut Vec<u8>, value: i32) {
    let mut v = ((value << 1) ^ (value >> 31)) as u32;
    while v >= 0x80 {
        buf.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

/// Decodes a record with the classic prefix (magic byte 0).
///
/// A GUID prefix (magic byte 1) is recognised and answered with [`WireError::UnsupportedGuid`];
/// use [`decode_schema_ref`] to accept both.
pub fn decode(bytes: &[u8]) -> Result<Frame<'_>, WireError> {
    match decode_schema_ref(bytes)? {
        (SchemaRef::Id(schema_id), payload) => Ok(Frame { schema_id, payload }),
        (SchemaRef::Guid(guid), _) => Err(WireError::UnsupportedGuid(guid)),
    }
}

/// Decodes either prefix: magic byte 0 and a schema id, or magic byte 1 and a schema GUID.
/// Returns the reference and the bytes after the prefix. This is also the format of the
/// `__key_schema_id` / `__value_schema_id` header values.
pub fn decode_schema_ref(bytes: &[u8]) -> Result<(SchemaRef, &[u8]), WireError> {
    match bytes.first() {
        None => Err(WireError::TooShort {
            expected: PREFIX_LEN,
            actual: 0,
        }),
        Some(&MAGIC_BYTE) => match bytes.get(1..PREFIX_LEN) {
            Some(id) => {
                let id = i32::from_be_bytes([id[0], id[1], id[2], id[3]]);
                Ok((SchemaRef::Id(SchemaId(id)), &bytes[PREFIX_LEN..]))
            }
            None => Err(WireError::TooShort {
                expected: PREFIX_LEN,
                actual: bytes.len(),
            }),
        },
        Some(&MAGIC_BYTE_GUID) => match bytes.get(1..GUID_PREFIX_LEN) {
            Some(guid) => {
                let mut g = [0u8; 16];
                g.copy_from_slice(guid);
                Ok((SchemaRef::Guid(SchemaGuid(g)), &bytes[GUID_PREFIX_LEN..]))
            }
            None => Err(WireError::TooShort {
                expected: GUID_PREFIX_LEN,
                actual: bytes.len(),
            }),
        },
        Some(&other) => Err(WireError::UnknownMagicByte(other)),
    }
}

/// Reads the Protobuf message-index array at the start of `bytes` (a [`Frame::payload`]) and
/// returns it with the Protobuf message bytes that follow.
///
/// A count of 0 gives `[0]`; negative counts, counts above [`MAX_MESSAGE_INDEXES`], truncated
/// varints and varints longer than 32 bits are errors. Index values are returned as written
/// (a negative index is well-formed here and fails when resolved against the schema).
pub fn decode_message_indexes(bytes: &[u8]) -> Result<(MessageIndexes, &[u8]), WireError> {
    let mut pos = 0;
    let count = read_varint(bytes, &mut pos)?;
    if count == 0 {
        return Ok((MessageIndexes(SmallVec::from_slice(&[0])), &bytes[pos..]));
    }
    if !(0..=MAX_MESSAGE_INDEXES).contains(&count) {
        return Err(WireError::InvalidIndexCount(count));
    }
    // Every index takes at least one byte, so a count the input cannot hold fails here without
    // reserving anything for it.
    if count as usize > bytes.len() - pos {
        return Err(WireError::TruncatedVarint {
            offset: bytes.len(),
        });
    }
    let mut indexes = SmallVec::with_capacity(count as usize);
    for _ in 0..count {
        indexes.push(read_varint(bytes, &mut pos)?);
    }
    Ok((MessageIndexes(indexes), &bytes[pos..]))
}

fn read_varint(bytes: &[u8], pos: &mut usize) -> Result<i32, WireError> {
    let start = *pos;
    let mut value: u32 = 0;
    for i in 0..5 {
        let Some(&b) = bytes.get(start + i) else {
            return Err(WireError::TruncatedVarint { offset: start });
        };
        // The fifth byte may only carry the top 4 bits of a 32-bit value.
        if i == 4 && b > 0x0f {
            return Err(WireError::VarintTooLong { offset: start });
        }
        value |= u32::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            *pos = start + i + 1;
            return Ok(((value >> 1) as i32) ^ -((value & 1) as i32));
        }
    }
    Err(WireError::VarintTooLong { offset: start })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hex(s: &str) -> Vec<u8> {
        s.split_whitespace()
            .map(|b| u8::from_str_radix(b, 16).unwrap())
            .collect()
    }

    #[test]
    fn reference_avro_example() {
        let bytes = hex("00 00 00 00 2A 04 68 69");
        assert_eq!(encode(SchemaId(42), None, &hex("04 68 69")), bytes);
        let frame = decode(&bytes).unwrap();
        assert_eq!(frame.schema_id, SchemaId(42));
        assert_eq!(frame.payload, b"\x04hi");
    }

    #[test]
    fn reference_json_example() {
        let bytes = hex("00 00 00 00 2A 7B 22 61 22 3A 31 7D");
        assert_eq!(encode(SchemaId(42), None, br#"{"a":1}"#), bytes);
        assert_eq!(decode(&bytes).unwrap().payload, br#"{"a":1}"#);
    }

    #[test]
    fn reference_message_index_examples() {
        let cases: &[(&[i32], &str)] = &[
            (&[0], "00"),
            (&[1], "02 02"),
            (&[0, 2], "04 00 04"),
            (&[64], "02 80 01"),
        ];
        for (path, bytes) in cases {
            let mut expected = hex("00 00 00 00 01");
            expected.extend(hex(bytes));
            expected.extend(b"pb");
            assert_eq!(encode(SchemaId(1), Some(path), b"pb"), expected, "{path:?}");
            let frame = decode(&expected).unwrap();
            assert_eq!(frame.schema_id, SchemaId(1));
            let (indexes, rest) = decode_message_indexes(frame.payload).unwrap();
            assert_eq!(indexes.as_slice(), *path);
            assert_eq!(rest, b"pb");
        }
    }

    #[test]
    fn empty_path_is_written_like_the_first_message() {
        assert_eq!(
            encode(SchemaId(1), Some(&[]), b""),
            hex("00 00 00 00 01 00")
        );
    }

    #[test]
    fn negative_and_extreme_ids_are_big_endian_twos_complement() {
        assert_eq!(encode(SchemaId(-1), None, b""), hex("00 FF FF FF FF"));
        assert_eq!(encode(SchemaId(i32::MIN), None, b""), hex("00 80 00 00 00"));
        assert_eq!(
            decode(&hex("00 7F FF FF FF")).unwrap().schema_id,
            SchemaId(i32::MAX)
        );
    }

    #[test]
    fn encode_into_appends() {
        let mut buf = b"keep".to_vec();
        encode_into(&mut buf, SchemaId(7), Some(&[1]), b"x");
        assert_eq!(
            buf,
            [b"keep".as_slice(), &hex("00 00 00 00 07 02 02"), b"x"].concat()
        );
    }

    #[test]
    fn short_input() {
        for len in 0..PREFIX_LEN {
            let bytes = vec![0u8; len];
            assert_eq!(
                decode(&bytes),
                Err(WireError::TooShort {
                    expected: 5,
                    actual: len
                })
            );
        }
        assert!(decode(&[0; 5]).unwrap().payload.is_empty());
    }

    #[test]
    fn wrong_magic_byte() {
        assert_eq!(
            decode(&hex("02 00 00 00 01")),
            Err(WireError::UnknownMagicByte(2))
        );
        assert_eq!(decode(b"{\"a\":1}"), Err(WireError::UnknownMagicByte(b'{')));
        let msg = WireError::UnknownMagicByte(0x7b).to_string();
        assert!(msg.contains("0x7b"), "{msg}");
    }

    #[test]
    fn guid_prefix_is_recognised() {
        let mut bytes = vec![1u8];
        bytes.extend(0x10u8..0x20);
        bytes.extend(b"payload");
        let guid = SchemaGuid(core::array::from_fn(|i| 0x10 + i as u8));
        assert_eq!(decode(&bytes), Err(WireError::UnsupportedGuid(guid)));
        assert_eq!(
            decode_schema_ref(&bytes).unwrap(),
            (SchemaRef::Guid(guid), b"payload".as_slice())
        );
        assert_eq!(guid.to_string(), "10111213-1415-1617-1819-1a1b1c1d1e1f");
        assert_eq!(
            decode_schema_ref(&bytes[..16]),
            Err(WireError::TooShort {
                expected: 17,
                actual: 16
            })
        );
        let mut encoded = Vec::new();
        encode_guid_into(&mut encoded, guid, None, b"payload");
        assert_eq!(encoded, bytes);
    }

    #[test]
    fn bad_counts() {
        // -1 zigzag-encoded is 0x01.
        assert_eq!(
            decode_message_indexes(&[0x01]),
            Err(WireError::InvalidIndexCount(-1))
        );
        let mut too_many = Vec::new();
        write_varint(&mut too_many, 100_001);
        assert_eq!(
            decode_message_indexes(&too_many),
            Err(WireError::InvalidIndexCount(100_001))
        );
        // A count of 100000 with no indexes behind it is truncated, and allocates nothing.
        let mut max = Vec::new();
        write_varint(&mut max, 100_000);
        assert!(matches!(
            decode_message_indexes(&max),
            Err(WireError::TruncatedVarint { .. })
        ));
    }

    #[test]
    fn truncated_and_overlong_varints() {
        assert_eq!(
            decode_message_indexes(&[]),
            Err(WireError::TruncatedVarint { offset: 0 })
        );
        assert_eq!(
            decode_message_indexes(&[0x80]),
            Err(WireError::TruncatedVarint { offset: 0 })
        );
        // count 1, then an index cut short
        assert_eq!(
            decode_message_indexes(&[0x02, 0x80, 0x80]),
            Err(WireError::TruncatedVarint { offset: 1 })
        );
        assert_eq!(
            decode_message_indexes(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x01]),
            Err(WireError::VarintTooLong { offset: 0 })
        );
        assert_eq!(
            decode_message_indexes(&[0x80, 0x80, 0x80, 0x80, 0x10]),
            Err(WireError::VarintTooLong { offset: 0 })
        );
        // The largest 5-byte varint is fine: zigzag 0xFFFFFFFF is i32::MIN.
        let (idx, _) = decode_message_indexes(&[0x02, 0xff, 0xff, 0xff, 0xff, 0x0f]).unwrap();
        assert_eq!(idx.as_slice(), &[i32::MIN]);
    }

    proptest! {
        #[test]
        fn encode_decode_roundtrip(
            id in any::<i32>(),
            payload in proptest::collection::vec(any::<u8>(), 0..64),
        ) {
            let bytes = encode(SchemaId(id), None, &payload);
            let frame = decode(&bytes).unwrap();
            prop_assert_eq!(frame.schema_id, SchemaId(id));
            prop_assert_eq!(frame.payload, payload.as_slice());
        }

        #[test]
        fn encode_decode_roundtrip_with_indexes(
            id in any::<i32>(),
            indexes in proptest::collection::vec(any::<i32>(), 1..12),
            payload in proptest::collection::vec(any::<u8>(), 0..64),
        ) {
            let bytes = encode(SchemaId(id), Some(&indexes), &payload);
            let frame = decode(&bytes).unwrap();
            prop_assert_eq!(frame.schema_id, SchemaId(id));
            let (decoded, rest) = decode_message_indexes(frame.payload).unwrap();
            prop_assert_eq!(decoded.as_slice(), indexes.as_slice());
            prop_assert_eq!(rest, payload.as_slice());
        }

        #[test]
        fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            if let Ok((_, rest)) = decode_schema_ref(&bytes) {
                let _ = decode_message_indexes(rest);
            }
            let _ = decode_message_indexes(&bytes);
        }

        #[test]
        fn decoded_indexes_reencode_to_the_same_bytes(bytes in proptest::collection::vec(any::<u8>(), 1..40)) {
            if let Ok((indexes, rest)) = decode_message_indexes(&bytes) {
                let mut again = Vec::new();
                encode_message_indexes_into(&mut again, &indexes);
                let consumed = bytes.len() - rest.len();
                // Non-minimal varints (e.g. 0x80 0x00) decode fine but re-encode shorter.
                prop_assert!(again.len() <= consumed);
                let (again_indexes, tail) = decode_message_indexes(&again).unwrap();
                prop_assert!(tail.is_empty());
                prop_assert_eq!(again_indexes, indexes);
            }
        }
    }
}
