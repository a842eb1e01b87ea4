//! The registry rules: contexts.

use super::*;

impl<S: Store> Registry<S> {
    /// `GET /contexts`.
    pub async fn contexts(&self) -> Result<Vec<String>, ApiError> {
        let mut out = vec![DEFAULT_CONTEXT.to_owned()];
        out.extend(self.store.contexts().await?);
        Ok(out)
    }

    /// `DELETE /contexts/{context}`.
    pub async fn delete_context(&self, context: &str) -> Result<(), ApiError> {
        let context = if context.starts_with('.') {
            context.to_owned()
        } else {
            format!(".{context}")
        };
        let _guard = self.lock_everything().await?;
        let known = self.store.contexts().await?;
        if !known.contains(&context) {
            return Err(ApiError::subject_not_found(&context));
        }
        let all = self.store.all_versions().await?;
        if all.iter().any(|v| *v.context == *context) {
            return Err(ApiError::new(
                42211,
                format!("The specified context '{context}' is not empty."),
            ));
        }
        self.store.delete_context(&context).await?;
        Ok(())
    }
}
