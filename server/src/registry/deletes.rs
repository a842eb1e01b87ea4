//! The registry rules: deletes.

use super::*;

impl<S: Store> Registry<S> {
    /// What every delete starts with: the subject (aliases followed), not read-only, locked,
    /// and its versions, of which there must be some (40401).
    async fn subject_to_delete_from(
        &self,
        subject: &str,
    ) -> Result<(String, S::Lock, Vec<VersionRecord>), ApiError> {
        let qs = self.resolve_alias(QualifiedSubject::parse(subject)).await?;
        let name = qs.qualified();
        self.check_not_read_only(&qs).await?;
        let guard = self.lock_subject(&qs).await?;
        let versions = self.store.versions(&name).await?;
        if versions.is_empty() {
            return Err(ApiError::subject_not_found(&name));
        }
        Ok((name, guard, versions))
    }

    pub(super) async fn check_not_read_only(&self, qs: &QualifiedSubject) -> Result<(), ApiError> {
        if self.mode_in_scope(qs).await?.is_read_only() {
            return Err(ApiError::operation_not_permitted(format!(
                "Subject {} is in read-only mode",
                qs.qualified()
            )));
        }
        Ok(())
    }

    pub(super) async fn check_unreferenced(
        &self,
        subject: &str,
        version: i32,
        include_deleted: bool,
    ) -> Result<(), ApiError> {
        let referrers = self.store.referrers(subject, version).await?;
        if referrers
            .iter()
            .any(|r| *r.subject != *subject && (include_deleted || !r.deleted))
        {
            return Err(ApiError::new(
                42206,
                format!(
                    "One or more references exist to the schema \
                     {{magic=1,keytype=SCHEMA,subject={subject},version={version}}}."
                ),
            ));
        }
        Ok(())
    }

    /// `DELETE /subjects/{subject}`.
    pub async fn delete_subject(
        &self,
        subject: &str,
        permanent: bool,
    ) -> Result<Vec<i32>, ApiError> {
        let (name, _guard, versions) = self.subject_to_delete_from(subject).await?;
        if permanent {
            for v in &versions {
                self.check_unreferenced(&name, v.version, false).await?;
                if !v.deleted {
                    return Err(ApiError::new(
                        40405,
                        format!(
                            "Subject '{name}' was not deleted first before being permanently \
                             deleted"
                        ),
                    ));
                }
            }
            let numbers: Vec<i32> = versions.iter().map(|v| v.version).collect();
            self.store.hard_delete(&name, &numbers).await?;
            self.ids.invalidate_all();
            Ok(numbers)
        } else {
            let live: Vec<i32> = versions
                .iter()
                .filter(|v| !v.deleted)
                .map(|v| v.version)
                .collect();
            if live.is_empty() {
                return Err(ApiError::new(
                    40404,
                    format!(
                        "Subject '{name}' was soft deleted.Set permanent=true to delete permanently"
                    ),
                ));
            }
            for v in &live {
                self.check_unreferenced(&name, *v, false).await?;
            }
            self.store.soft_delete(&name, &live, true).await?;
            self.forget_settings(&name).await;
            Ok(live)
        }
    }

    /// `DELETE /subjects/{subject}/versions/{version}`.
    pub async fn delete_version(
        &self,
        subject: &str,
        version: &str,
        permanent: bool,
    ) -> Result<i32, ApiError> {
        let selector = VersionSelector::parse(version)?;
        let (name, _guard, versions) = self.subject_to_delete_from(subject).await?;
        let found = match selector {
            VersionSelector::Latest => versions.iter().rev().find(|v| !v.deleted),
            VersionSelector::Number(n) => versions.iter().find(|v| v.version == n),
        }
        .cloned()
        .ok_or_else(|| ApiError::version_not_found(selector.number()))?;
        if permanent {
            if !found.deleted {
                return Err(ApiError::new(
                    40407,
                    format!(
                        "Subject '{name}' Version {} was not deleted first before being \
                         permanently deleted",
                        found.version
                    ),
                ));
            }
            self.check_unreferenced(&name, found.version, false).await?;
            self.store.hard_delete(&name, &[found.version]).await?;
            self.ids.invalidate_all();
        } else {
            if found.deleted {
                return Err(ApiError::new(
                    40406,
                    format!(
                        "Subject '{name}' Version {} was soft deleted.Set permanent=true to \
                         delete permanently",
                        found.version
                    ),
                ));
            }
            self.check_unreferenced(&name, found.version, false).await?;
            let last_live = !versions
                .iter()
                .any(|v| !v.deleted && v.version != found.version);
            self.store
                .soft_delete(&name, &[found.version], last_live)
                .await?;
            self.forget_settings(&name).await;
        }
        Ok(found.version)
    }
}
