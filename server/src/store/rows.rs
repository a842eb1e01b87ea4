//! Row decoding shared by every SQL store: the tables have the same columns in each dialect.

use std::str::FromStr;
use std::sync::Arc;

use sqlx::{ColumnIndex, Decode, Row, Type};
use strata_schema::SchemaType;

use super::{SchemaRecord, StoreError, VersionRecord};

/// The columns [`version_row`] reads, in `SELECT` order.
pub(super) const VERSION_COLUMNS: &str = "subject, version, context, schema_id, deleted";
/// The columns [`schema_row`] reads, in `SELECT` order.
pub(super) const SCHEMA_COLUMNS: &str =
    "context, id, schema_type, schema, refs, metadata, rule_set, fingerprint";

pub(super) fn corrupt(error: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(error.to_string())
}

/// A column of `row`, with decoding failures as [`StoreError::Corrupt`].
fn get<'r, R, T>(row: &'r R, column: &str) -> Result<T, StoreError>
where
    R: Row,
    for<'c> &'c str: ColumnIndex<R>,
    T: Decode<'r, R::Database> + Type<R::Database>,
{
    row.try_get(column).map_err(corrupt)
}

/// The version records of `rows`, in order. Consecutive rows of one subject share one copy of
/// its names.
pub(super) fn version_rows<R>(rows: &[R]) -> Result<Vec<VersionRecord>, StoreError>
where
    R: Row,
    for<'c> &'c str: ColumnIndex<R>,
    for<'r> &'r str: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> i32: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> bool: Decode<'r, R::Database> + Type<R::Database>,
{
    let share = |name: &str, same: Option<&Arc<str>>| match same {
        Some(same) if **same == *name => Arc::clone(same),
        _ => Arc::from(name),
    };
    let mut records: Vec<VersionRecord> = Vec::with_capacity(rows.len());
    for row in rows {
        let previous = records.last();
        let record = VersionRecord {
            subject: share(get(row, "subject")?, previous.map(|p| &p.subject)),
            version: get(row, "version")?,
            context: share(get(row, "context")?, previous.map(|p| &p.context)),
            id: get(row, "schema_id")?,
            deleted: get(row, "deleted")?,
        };
        records.push(record);
    }
    Ok(records)
}

pub(super) fn schema_row<R>(row: &R) -> Result<SchemaRecord, StoreError>
where
    R: Row,
    for<'c> &'c str: ColumnIndex<R>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> i32: Decode<'r, R::Database> + Type<R::Database>,
{
    let schema_type: String = get(row, "schema_type")?;
    let refs: String = get(row, "refs")?;
    let metadata: Option<String> = get(row, "metadata")?;
    let rule_set: Option<String> = get(row, "rule_set")?;
    Ok(SchemaRecord {
        context: get(row, "context")?,
        id: get(row, "id")?,
        schema_type: SchemaType::from_str(&schema_type).map_err(corrupt)?,
        schema: get(row, "schema")?,
        references: serde_json::from_str(&refs).map_err(corrupt)?,
        metadata: metadata
            .map(|m| serde_json::from_str(&m))
            .transpose()
            .map_err(corrupt)?,
        rule_set: rule_set
            .map(|r| serde_json::from_str(&r))
            .transpose()
            .map_err(corrupt)?,
        fingerprint: get(row, "fingerprint")?,
    })
}

/// The JSON columns of a new schema: references, metadata, rule set.
pub(super) fn schema_json(
    schema: &super::NewSchema,
) -> Result<(String, Option<String>, Option<String>), StoreError> {
    let refs = serde_json::to_string(&schema.references).map_err(corrupt)?;
    let metadata = schema
        .metadata
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(corrupt)?;
    let rule_set = schema
        .rule_set
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(corrupt)?;
    Ok((refs, metadata, rule_set))
}

/// A table of per-scope settings (configs, modes): `(scope PRIMARY KEY, <value column>)`.
pub(super) struct Settings {
    pub(super) table: &'static str,
    pub(super) column: &'static str,
}

pub(super) const CONFIGS: Settings = Settings {
    table: "configs",
    column: "config",
};

pub(super) const MODES: Settings = Settings {
    table: "modes",
    column: "mode",
};
