//! Qualified subjects: `:.ctx:name` names `name` in context `.ctx`; anything else is in the
//! default context `.`.

/// The default context.
pub const DEFAULT_CONTEXT: &str = ".";

/// The configuration and mode scope of the default context (`PUT /config`, `PUT /mode`).
pub const GLOBAL_SCOPE: &str = "__GLOBAL";

/// A subject split into its context and its name within the context.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QualifiedSubject {
    /// `.` or `.name`.
    pub context: String,
    /// The subject within the context; empty for the context itself.
    pub name: String,
}

impl QualifiedSubject {
    /// Splits a subject as Confluent does: `:.ctx:name`, `:.ctx` (the context itself), or a
    /// plain name in the default context.
    pub fn parse(raw: &str) -> Self {
        if let Some(rest) = raw.strip_prefix(":.") {
            match rest.find(':') {
                Some(i) => {
                    let context = format!(".{}", &rest[..i]);
                    QualifiedSubject {
                        context,
                        name: rest[i + 1..].to_owned(),
                    }
                }
                None => QualifiedSubject {
                    context: format!(".{rest}"),
                    name: String::new(),
                },
            }
        } else {
            QualifiedSubject {
                context: DEFAULT_CONTEXT.to_owned(),
                name: raw.to_owned(),
            }
        }
    }

    /// A subject of `context` (given as `.ctx`, `ctx` or `.`).
    pub fn in_context(context: &str, name: &str) -> Self {
        let context = if context.starts_with('.') {
            context.to_owned()
        } else {
            format!(".{context}")
        };
        QualifiedSubject {
            context,
            name: name.to_owned(),
        }
    }

    /// The canonical text: `name` in the default context, `:.ctx:name` elsewhere.
    pub fn qualified(&self) -> String {
        if self.context == DEFAULT_CONTEXT {
            self.name.clone()
        } else {
            format!(":{}:{}", self.context, self.name)
        }
    }

    /// Whether this names a context rather than a subject in it.
    pub fn is_context(&self) -> bool {
        self.name.is_empty() && self.context != DEFAULT_CONTEXT
    }

    /// The configuration and mode scope of the subject's context.
    pub fn context_scope(&self) -> String {
        if self.context == DEFAULT_CONTEXT {
            GLOBAL_SCOPE.to_owned()
        } else {
            format!(":{}:", self.context)
        }
    }

    /// Whether Confluent accepts the name for writes: not reserved, no control characters.
    pub fn is_valid(&self) -> bool {
        !(self.name == "__GLOBAL"
            || self.name == "__EMPTY"
            || self.name.chars().any(char::is_control)
            || self.context.chars().any(char::is_control))
    }

    /// Resolves a reference's subject relative to this subject's context.
    pub fn qualify_reference(&self, subject: &str) -> String {
        if subject.starts_with(":.") {
            QualifiedSubject::parse(subject).qualified()
        } else {
            QualifiedSubject {
                context: self.context.clone(),
                name: subject.to_owned(),
            }
            .qualified()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_contexts_like_confluent() {
        let cases = [
            ("a", ".", "a", "a"),
            (":.ctx:a", ".ctx", "a", ":.ctx:a"),
            (":.ctx", ".ctx", "", ":.ctx:"),
            (":.ctx:", ".ctx", "", ":.ctx:"),
            (":.:a", ".", "a", "a"),
            ("::", ".", "::", "::"),
            (":abc:x", ".", ":abc:x", ":abc:x"),
        ];
        for (raw, context, name, qualified) in cases {
            let s = QualifiedSubject::parse(raw);
            assert_eq!(
                (s.context.as_str(), s.name.as_str()),
                (context, name),
                "{raw}"
            );
            assert_eq!(s.qualified(), qualified, "{raw}");
        }
    }

    #[test]
    fn reserved_and_control_names_are_invalid() {
        assert!(!QualifiedSubject::parse("__GLOBAL").is_valid());
        assert!(!QualifiedSubject::parse(":.c:__EMPTY").is_valid());
        assert!(!QualifiedSubject::parse("a\tb").is_valid());
        assert!(QualifiedSubject::parse("a b/c%").is_valid());
    }
}
