//! Alternative renderings of stored Protobuf schemas (`format=serialized`).

use crate::store::SchemaRecord;

/// The base64 `FileDescriptorProto` of a stored Protobuf schema, as `format=serialized` returns
/// it; `None` when the schema engine cannot produce it.
pub fn serialized(_record: &SchemaRecord) -> Option<String> {
    None
}
