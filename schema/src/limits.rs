//! Limits that keep hostile schemas from exhausting the stack, memory or time.

use std::fmt;

/// Bounds applied to every schema before and while it is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest schema text, in bytes, for the schema and for each referenced schema.
    pub max_schema_bytes: usize,
    /// Deepest nesting of objects, arrays, messages or braces.
    pub max_depth: usize,
    /// Most schemas reachable through references, transitively.
    pub max_references: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_schema_bytes: 4 * 1024 * 1024,
            max_depth: 100,
            max_references: 1_000,
        }
    }
}

/// Which limit was exceeded, and by how much.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LimitExceeded {
    /// The text is larger than [`Limits::max_schema_bytes`].
    SchemaTooLarge {
        /// Its size in bytes.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The schema nests deeper than [`Limits::max_depth`].
    TooDeep {
        /// The limit.
        max: usize,
    },
    /// More references than [`Limits::max_references`].
    TooManyReferences {
        /// The limit.
        max: usize,
    },
}

impl fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LimitExceeded::SchemaTooLarge { size, max } => {
                write!(
                    f,
                    "Schema is {size} bytes, more than the limit of {max} bytes"
                )
            }
            LimitExceeded::TooDeep { max } => {
                write!(f, "Schema nests deeper than the limit of {max} levels")
            }
            LimitExceeded::TooManyReferences { max } => {
                write!(f, "Schema has more than the limit of {max} references")
            }
        }
    }
}

/// Nesting depth of brackets and braces in `text`, outside string literals and comments.
///
/// A cheap pre-pass run before any recursive parser, so that a schema nested thousands of
/// levels deep is rejected before it can overflow the stack. `comments` enables `//` and
/// `/* */` comments and single-quoted strings (Protobuf text).
pub(crate) fn nesting_depth(text: &str, comments: bool) -> usize {
    let bytes = text.as_bytes();
    let (mut depth, mut max) = (0usize, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\'' if bytes[i] == b'"' || comments => {
                let quote = bytes[i];
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'/' if comments && bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if comments && bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            b'{' | b'[' | b'(' | b'<' if bytes[i] != b'<' || comments => {
                depth += 1;
                max = max.max(depth);
            }
            b'}' | b']' | b')' | b'>' if bytes[i] != b'>' || comments => {
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
        i += 1;
    }
    max
}

#[cfg(test)]
mod tests {
    use super::nesting_depth;

    #[test]
    fn counts_json_nesting_outside_strings() {
        assert_eq!(nesting_depth(r#"{"a":[{"b":"[[[["}]}"#, false), 3);
        assert_eq!(nesting_depth(r#""no nesting""#, false), 0);
    }

    #[test]
    fn skips_proto_comments_and_strings() {
        let text =
            "message A { // {{{{\n /* {{{{ */ message B { string s = 1 [json_name = '{{']; } }";
        assert_eq!(nesting_depth(text, true), 3);
    }
}
