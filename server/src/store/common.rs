//! The SQL both stores share, written once.
//!
//! The two databases take the same statements but for dialect, which each store module supplies
//! with items of the same names, in scope where these macros are used:
//! - `sql(&str) -> String`: placeholders in the store's syntax (`?` as written, or `$1`, `$2`…);
//! - `BYTE_ORDER`: the collation clause that sorts text by code point;
//! - `db(sqlx::Error) -> StoreError`;
//! - `Self::write_transaction()` and `notify(&mut tx, &[Change])`: how a write starts, and how it
//!   tells the other nodes what it changed (nothing to tell for a single-node store);
//! - `Self::write_turn()`: what a write holds around its transaction (SQLite: its turn at the
//!   file's one write lock);
//! - `Self::read_versions()` and `Self::versions_changing(subjects)`: how a subject's versions
//!   are read, and a guard held by a write that changes them (SQLite keeps them in memory);
//! - `Self::read_by_fingerprint()`: how a schema is found by identity (SQLite first asks the
//!   identities it knows are stored).

/// The reads and the writes other than `insert_version` and `max_id`, as `Store` methods.
macro_rules! shared_store_methods {
    () => {
        async fn versions(&self, subject: &str) -> Result<Vec<VersionRecord>, StoreError> {
            self.read_versions(subject).await
        }

        async fn versions_with_prefix(
            &self,
            prefix: &str,
        ) -> Result<Vec<VersionRecord>, StoreError> {
            // A range on the key: every string starting with `prefix` sorts between the prefix
            // itself and the prefix followed by the highest code point.
            let sql = sql(&format!(
                "SELECT {VERSION_COLUMNS} FROM subject_versions \
                 WHERE subject {BYTE_ORDER} >= ? AND subject {BYTE_ORDER} < ? \
                 ORDER BY subject {BYTE_ORDER}, version"
            ));
            let rows = sqlx::query(&sql)
                .bind(prefix)
                .bind(format!("{prefix}\u{10FFFF}"))
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
            let mut versions = version_rows(&rows)?;
            versions.retain(|v| v.subject.starts_with(prefix));
            Ok(versions)
        }

        async fn all_versions(&self) -> Result<Vec<VersionRecord>, StoreError> {
            let sql = format!(
                "SELECT {VERSION_COLUMNS} FROM subject_versions \
                 ORDER BY subject {BYTE_ORDER}, version"
            );
            let rows = sqlx::query(&sql).fetch_all(&self.pool).await.map_err(db)?;
            version_rows(&rows)
        }

        async fn schema(&self, context: &str, id: i32) -> Result<Option<SchemaRecord>, StoreError> {
            let sql = sql(&format!(
                "SELECT {SCHEMA_COLUMNS} FROM schemas WHERE context = ? AND id = ?"
            ));
            let row = sqlx::query(&sql)
                .bind(context)
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?;
            row.as_ref().map(schema_row).transpose()
        }

        async fn schema_by_fingerprint(
            &self,
            context: &str,
            fingerprint: &str,
        ) -> Result<Option<SchemaRecord>, StoreError> {
            self.read_by_fingerprint(context, fingerprint).await
        }

        async fn usages(&self, context: &str, id: i32) -> Result<Vec<VersionRecord>, StoreError> {
            let sql = sql(&format!(
                "SELECT {VERSION_COLUMNS} FROM subject_versions \
                 WHERE context = ? AND schema_id = ? ORDER BY subject {BYTE_ORDER}, version"
            ));
            let rows = sqlx::query(&sql)
                .bind(context)
                .bind(id)
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
            version_rows(&rows)
        }

        async fn referrers(
            &self,
            subject: &str,
            version: i32,
        ) -> Result<Vec<VersionRecord>, StoreError> {
            let sql = sql(&format!(
                "SELECT v.subject, v.version, v.context, v.schema_id, v.deleted \
                 FROM schema_references r JOIN subject_versions v \
                 ON v.context = r.context AND v.schema_id = r.id \
                 WHERE r.ref_subject = ? AND r.ref_version = ? \
                 ORDER BY v.schema_id, v.subject {BYTE_ORDER}, v.version"
            ));
            let rows = sqlx::query(&sql)
                .bind(subject)
                .bind(version)
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
            version_rows(&rows)
        }

        async fn contexts(&self) -> Result<Vec<String>, StoreError> {
            let sql = format!("SELECT context FROM contexts ORDER BY context {BYTE_ORDER}");
            let rows = sqlx::query(&sql).fetch_all(&self.pool).await.map_err(db)?;
            rows.iter()
                .map(|r| r.try_get("context").map_err(corrupt))
                .collect()
        }

        async fn soft_delete(
            &self,
            subject: &str,
            versions: &[i32],
            drop_settings: bool,
        ) -> Result<(), StoreError> {
            let _forget = self.versions_changing(vec![subject]);
            let _turn = self.write_turn().await;
            let mut tx = self.write_transaction().await?;
            let mut changes = Vec::new();
            if drop_settings {
                for table in ["configs", "modes"] {
                    sqlx::query(&sql(&format!("DELETE FROM {table} WHERE scope = ?")))
                        .bind(subject)
                        .execute(&mut *tx)
                        .await
                        .map_err(db)?;
                }
                changes.push(Change::Settings(subject.to_owned()));
            }
            let update =
                sql("UPDATE subject_versions SET deleted = TRUE WHERE subject = ? AND version = ?");
            for version in versions {
                sqlx::query(&update)
                    .bind(subject)
                    .bind(version)
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
            }
            notify(&mut tx, &changes).await?;
            tx.commit().await.map_err(db)
        }

        async fn hard_delete(&self, subject: &str, versions: &[i32]) -> Result<(), StoreError> {
            let _forget = self.versions_changing(vec![subject]);
            let _turn = self.write_turn().await;
            let mut tx = self.write_transaction().await?;
            let mut changes = Vec::new();
            for version in versions {
                if let Some(context) = remove_version(&mut tx, subject, *version).await? {
                    let change = Change::Ids(context);
                    if !changes.contains(&change) {
                        changes.push(change);
                    }
                }
            }
            notify(&mut tx, &changes).await?;
            tx.commit().await.map_err(db)
        }

        async fn set_mode_purging(
            &self,
            scope: &str,
            mode: &str,
            purge: &[(String, i32)],
        ) -> Result<(), StoreError> {
            let _forget = self.versions_changing(purge.iter().map(|(s, _)| s.as_str()).collect());
            let _turn = self.write_turn().await;
            let mut tx = self.write_transaction().await?;
            for (subject, version) in purge {
                remove_version(&mut tx, subject, *version).await?;
            }
            sqlx::query(&sql("INSERT INTO modes (scope, mode) VALUES (?, ?) \
                 ON CONFLICT (scope) DO UPDATE SET mode = excluded.mode"))
            .bind(scope)
            .bind(mode)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
            notify(&mut tx, &[Change::Everything]).await?;
            tx.commit().await.map_err(db)
        }

        async fn delete_context(&self, context: &str) -> Result<(), StoreError> {
            sqlx::query(&sql("DELETE FROM contexts WHERE context = ?"))
                .bind(context)
                .execute(&self.pool)
                .await
                .map_err(db)?;
            Ok(())
        }

        async fn config(&self, scope: &str) -> Result<Option<String>, StoreError> {
            self.setting(CONFIGS, scope).await
        }

        async fn config_scopes(&self) -> Result<Vec<String>, StoreError> {
            self.setting_scopes(CONFIGS).await
        }

        async fn set_config(&self, scope: &str, config: Option<&str>) -> Result<(), StoreError> {
            self.set_setting(CONFIGS, scope, config).await
        }

        async fn mode(&self, scope: &str) -> Result<Option<String>, StoreError> {
            self.setting(MODES, scope).await
        }

        async fn mode_scopes(&self) -> Result<Vec<String>, StoreError> {
            self.setting_scopes(MODES).await
        }

        async fn set_mode(&self, scope: &str, mode: Option<&str>) -> Result<(), StoreError> {
            self.set_setting(MODES, scope, mode).await
        }
    };
}

/// Helpers of [`shared_store_methods`] for the store `$store` on the database `$db`:
/// removing versions inside a transaction, and per-scope settings.
macro_rules! shared_store_helpers {
    ($store:ty, $db:ty) => {
        /// Removes one version for good, inside a transaction; returns its context.
        async fn remove_version(
            tx: &mut sqlx::Transaction<'_, $db>,
            subject: &str,
            version: i32,
        ) -> Result<Option<String>, StoreError> {
            let row = sqlx::query(&sql(
                "DELETE FROM subject_versions WHERE subject = ? AND version = ? \
                 RETURNING context, schema_id",
            ))
            .bind(subject)
            .bind(version)
            .fetch_optional(&mut **tx)
            .await
            .map_err(db)?;
            let Some(row) = row else {
                return Ok(None);
            };
            let context: String = row.try_get("context").map_err(corrupt)?;
            let id: i32 = row.try_get("schema_id").map_err(corrupt)?;
            retire_if_unused(tx, &context, id).await?;
            Ok(Some(context))
        }

        /// An id no version uses any more keeps its number (ids are never reused) but gives up
        /// its identity: registering the same content again allocates a new id.
        async fn retire_if_unused(
            tx: &mut sqlx::Transaction<'_, $db>,
            context: &str,
            id: i32,
        ) -> Result<(), StoreError> {
            sqlx::query(&sql(
                "UPDATE schemas SET fingerprint = 'retired:' || id WHERE context = ? AND id = ? \
                 AND NOT EXISTS (SELECT 1 FROM subject_versions WHERE context = ? AND schema_id = ?)",
            ))
            .bind(context)
            .bind(id)
            .bind(context)
            .bind(id)
            .execute(&mut **tx)
            .await
            .map_err(db)?;
            Ok(())
        }

        /// The end of `insert_version`, once the schema row and its id are settled: removes
        /// the tombstoned versions, writes the version, retires the ids the tombstones left
        /// unused, records the context, tells the other nodes and commits.
        async fn commit_version(
            mut tx: sqlx::Transaction<'static, $db>,
            new: &NewVersion,
            id: i32,
        ) -> Result<i32, StoreError> {
            let mut removed_ids = Vec::new();
            let delete = sql(
                "DELETE FROM subject_versions WHERE subject = ? AND version = ? RETURNING schema_id",
            );
            for version in &new.tombstones {
                let row = sqlx::query(&delete)
                    .bind(&new.subject)
                    .bind(version)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db)?;
                if let Some(row) = row {
                    removed_ids.push(row.try_get::<i32, _>("schema_id").map_err(corrupt)?);
                }
            }
            sqlx::query(&sql(
                "INSERT INTO subject_versions (subject, version, context, schema_id, deleted) \
                 VALUES (?, ?, ?, ?, FALSE)",
            ))
            .bind(&new.subject)
            .bind(new.version)
            .bind(&new.context)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
            for removed in removed_ids {
                retire_if_unused(&mut tx, &new.context, removed).await?;
            }
            if new.context != "." {
                sqlx::query(&sql(
                    "INSERT INTO contexts (context) VALUES (?) ON CONFLICT DO NOTHING",
                ))
                .bind(&new.context)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            }
            if new.id.is_some() || new.displaces.is_some() || !new.tombstones.is_empty() {
                notify(&mut tx, &[Change::Ids(new.context.clone())]).await?;
            }
            tx.commit().await.map_err(db)?;
            Ok(id)
        }

        /// The id of the content of `new` when it is stored, inside a write transaction. The
        /// identity leaves the type out: the same text under another type is another schema,
        /// refused rather than given the first one's id.
        async fn stored_id(
            tx: &mut sqlx::Transaction<'_, $db>,
            new: &NewVersion,
        ) -> Result<Option<i32>, StoreError> {
            let row = sqlx::query(&sql(
                "SELECT id, schema_type FROM schemas WHERE context = ? AND fingerprint = ?",
            ))
            .bind(&new.context)
            .bind(&new.schema.fingerprint)
            .fetch_optional(&mut **tx)
            .await
            .map_err(db)?;
            let Some(row) = row else {
                return Ok(None);
            };
            let schema_type: String = row.try_get("schema_type").map_err(corrupt)?;
            if schema_type != new.schema.schema_type.as_str() {
                return Err(StoreError::Conflict(
                    "the same schema is stored under another type".into(),
                ));
            }
            Ok(Some(row.try_get("id").map_err(corrupt)?))
        }

        /// Removes the content of an imported id that no version uses any more, so that the id
        /// can take new content. An id some version still uses keeps its content, whatever the
        /// writer believed when it decided (a writer of another subject may have used it since).
        async fn replace_unused(
            tx: &mut sqlx::Transaction<'_, $db>,
            context: &str,
            id: i32,
        ) -> Result<(), StoreError> {
            let used = sqlx::query(&sql(
                "SELECT 1 AS used FROM subject_versions WHERE context = ? AND schema_id = ?",
            ))
            .bind(context)
            .bind(id)
            .fetch_optional(&mut **tx)
            .await
            .map_err(db)?;
            if used.is_some() {
                return Err(StoreError::Conflict(format!(
                    "id {id} is in use with other content"
                )));
            }
            for table in ["schemas", "schema_references"] {
                sqlx::query(&sql(&format!("DELETE FROM {table} WHERE context = ? AND id = ?")))
                    .bind(context)
                    .bind(id)
                    .execute(&mut **tx)
                    .await
                    .map_err(db)?;
            }
            Ok(())
        }

        /// The start of `insert_version`: an id whose content is the same gives up its identity
        /// to the new one (IMPORT of known content under a new id).
        async fn displace(
            tx: &mut sqlx::Transaction<'static, $db>,
            new: &NewVersion,
        ) -> Result<(), StoreError> {
            if let Some(old) = new.displaces {
                sqlx::query(&sql(
                    "UPDATE schemas SET fingerprint = fingerprint || '#' || id \
                     WHERE context = ? AND id = ?",
                ))
                .bind(&new.context)
                .bind(old)
                .execute(&mut **tx)
                .await
                .map_err(db)?;
            }
            Ok(())
        }

        /// Writes the schema row and its references; `false` when `on_conflict` (a clause
        /// such as `ON CONFLICT (context, fingerprint) DO NOTHING`) skipped it: another writer
        /// stored the same content first.
        async fn insert_schema(
            tx: &mut sqlx::Transaction<'static, $db>,
            new: &NewVersion,
            id: i32,
            on_conflict: &str,
        ) -> Result<bool, StoreError> {
            let schema = &new.schema;
            let (refs, metadata, rule_set) = schema_json(schema)?;
            let inserted = sqlx::query(&sql(&format!(
                "INSERT INTO schemas (context, id, schema_type, schema, refs, metadata, rule_set, \
                 fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?) {on_conflict} RETURNING id"
            )))
            .bind(&new.context)
            .bind(id)
            .bind(schema.schema_type.as_str())
            .bind(&schema.schema)
            .bind(refs)
            .bind(metadata)
            .bind(rule_set)
            .bind(&schema.fingerprint)
            .fetch_optional(&mut **tx)
            .await
            .map_err(db)?;
            if inserted.is_none() {
                return Ok(false);
            }
            insert_references(tx, new, id).await?;
            Ok(true)
        }

        /// Writes the references of the content just stored at `id`.
        async fn insert_references(
            tx: &mut sqlx::Transaction<'static, $db>,
            new: &NewVersion,
            id: i32,
        ) -> Result<(), StoreError> {
            let insert = sql(
                "INSERT INTO schema_references (context, id, ref_subject, ref_version) \
                 VALUES (?, ?, ?, ?)",
            );
            for reference in &new.schema.references {
                sqlx::query(&insert)
                    .bind(&new.context)
                    .bind(id)
                    .bind(&reference.subject)
                    .bind(reference.version)
                    .execute(&mut **tx)
                    .await
                    .map_err(db)?;
            }
            Ok(())
        }

        /// Puts the new content at `id`: nothing to do when it is there already; an id whose
        /// earlier content no version uses any more (IMPORT) gets the new content.
        async fn store_schema_at(
            tx: &mut sqlx::Transaction<'static, $db>,
            new: &NewVersion,
            id: i32,
        ) -> Result<(), StoreError> {
            let stored = sqlx::query(&sql(
                "SELECT fingerprint FROM schemas WHERE context = ? AND id = ?",
            ))
            .bind(&new.context)
            .bind(id)
            .fetch_optional(&mut **tx)
            .await
            .map_err(db)?;
            let stored: Option<String> = stored
                .map(|r| r.try_get("fingerprint").map_err(corrupt))
                .transpose()?;
            if stored.as_ref() == Some(&new.schema.fingerprint) {
                return Ok(());
            }
            if stored.is_some() {
                replace_unused(tx, &new.context, id).await?;
            }
            insert_schema(tx, new, id, "").await?;
            Ok(())
        }

        impl $store {
            /// The schema stored with an identity, from the database.
            async fn select_by_fingerprint(
                &self,
                context: &str,
                fingerprint: &str,
            ) -> Result<Option<SchemaRecord>, StoreError> {
                let sql = sql(&format!(
                    "SELECT {SCHEMA_COLUMNS} FROM schemas WHERE context = ? AND fingerprint = ?"
                ));
                let row = sqlx::query(&sql)
                    .bind(context)
                    .bind(fingerprint)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db)?;
                row.as_ref().map(schema_row).transpose()
            }

            /// The stored versions of a subject, from the database.
            async fn select_versions(&self, subject: &str) -> Result<Vec<VersionRecord>, StoreError> {
                let sql = sql(&format!(
                    "SELECT {VERSION_COLUMNS} FROM subject_versions WHERE subject = ? ORDER BY version"
                ));
                let rows = sqlx::query(&sql)
                    .bind(subject)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db)?;
                version_rows(&rows)
            }

            async fn setting(&self, s: Settings, scope: &str) -> Result<Option<String>, StoreError> {
                let sql = sql(&format!("SELECT {} FROM {} WHERE scope = ?", s.column, s.table));
                let row = sqlx::query(&sql)
                    .bind(scope)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db)?;
                row.map(|r| r.try_get(s.column).map_err(corrupt))
                    .transpose()
            }

            async fn setting_scopes(&self, s: Settings) -> Result<Vec<String>, StoreError> {
                let sql = format!("SELECT scope FROM {} ORDER BY scope {BYTE_ORDER}", s.table);
                let rows = sqlx::query(&sql).fetch_all(&self.pool).await.map_err(db)?;
                rows.iter()
                    .map(|r| r.try_get("scope").map_err(corrupt))
                    .collect()
            }

            /// Sets the scope's value, or removes it when `value` is `None`.
            async fn set_setting(
                &self,
                s: Settings,
                scope: &str,
                value: Option<&str>,
            ) -> Result<(), StoreError> {
                let _turn = self.write_turn().await;
                let mut tx = self.write_transaction().await?;
                match value {
                    Some(value) => {
                        let sql = sql(&format!(
                            "INSERT INTO {t} (scope, {c}) VALUES (?, ?) \
                             ON CONFLICT (scope) DO UPDATE SET {c} = excluded.{c}",
                            t = s.table,
                            c = s.column
                        ));
                        sqlx::query(&sql)
                            .bind(scope)
                            .bind(value)
                            .execute(&mut *tx)
                            .await
                    }
                    None => {
                        let sql = sql(&format!("DELETE FROM {} WHERE scope = ?", s.table));
                        sqlx::query(&sql).bind(scope).execute(&mut *tx).await
                    }
                }
                .map_err(db)?;
                notify(&mut tx, &[Change::Settings(scope.to_owned())]).await?;
                tx.commit().await.map_err(db)
            }
        }
    };
}

pub(super) use {shared_store_helpers, shared_store_methods};

/// `?` placeholders as PostgreSQL's `$1`, `$2`… (the statements hold no `?` otherwise).
pub(super) fn numbered_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_are_numbered_in_order() {
        assert_eq!(
            super::numbered_placeholders("a = ? AND b < ? OR c"),
            "a = $1 AND b < $2 OR c"
        );
    }
}
