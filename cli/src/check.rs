//! `strata check`: compatibility of a schema file with earlier versions, offline (files and
//! directories, references resolved from disk) or against a registry subject.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use clap::Args;
use serde_json::Value;
use strata_client::{
    CompatibilityLevel, Error as ClientError, ListVersionsOptions, RegisterSchemaRequest,
    RegistryClient, SchemaReference, SchemaType, VersionId,
};
use strata_schema::{
    check_compatibility, parse, Compatibility, ParseOptions, ParsedSchema, PreviousVersion,
    ReferenceResolver, ResolvedReference, SchemaError,
};

use crate::commands::{
    parse_level, parse_registry_reference, parse_version, read_text, schema_type_of, RegistryArgs,
    TypeArg,
};
use crate::output::{render_error, OutputFormat, Verdict};

/// Exit code of an incompatible schema.
pub const EXIT_INCOMPATIBLE: i32 = 1;

/// Largest schema or reference file read from disk.
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Arguments of `strata check`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  strata check v3.avsc --against v1.avsc --against v2.avsc
  strata check orders.proto --against schemas/orders/ --level FULL_TRANSITIVE --references protos/
  strata check user.json --against old/user.json --reference address.json=common/address.json
  strata check orders.avsc --registry http://localhost:8081 --subject orders-value
  strata check orders.avsc --against history/ --format github

Exit code: 0 compatible, 1 incompatible, 2 error (bad file, unreachable registry, ...).")]
pub struct CheckArgs {
    /// The new schema (.avsc, .proto or .json).
    pub new: PathBuf,
    /// An earlier version, oldest first; repeatable. A directory stands for its schema files in
    /// natural order of their names (v1, v2, v10).
    #[arg(long = "against", value_name = "FILE|DIR")]
    pub against: Vec<PathBuf>,
    /// Compatibility level: NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE,
    /// FULL, FULL_TRANSITIVE [default: BACKWARD offline, the subject's level online].
    #[arg(long, value_parser = parse_level)]
    pub level: Option<CompatibilityLevel>,
    /// The format of every file, when the extensions (.avsc, .proto, .json) do not tell.
    #[arg(long = "type", value_enum)]
    pub schema_type: Option<TypeArg>,
    /// A referenced schema: NAME (Protobuf import path, JSON Schema `$ref`, Avro full name) is
    /// read from FILE. Repeatable.
    #[arg(long = "reference", value_name = "NAME=FILE")]
    pub reference: Vec<String>,
    /// Resolve references under DIR: import paths and `$ref`s as paths relative to DIR, Avro
    /// names by scanning DIR's .avsc files. References are then looked up next to the checked
    /// file (Protobuf imports) or the file that makes them (`$ref`s, Avro names).
    #[arg(long = "references", value_name = "DIR")]
    pub references_dir: Option<PathBuf>,
    /// Check against this registry subject instead of files (needs --registry).
    #[arg(long, conflicts_with = "against")]
    pub subject: Option<String>,
    /// Online: a registered schema the new one references, `NAME=SUBJECT:VERSION` (VERSION a
    /// number or `latest`). Repeatable.
    #[arg(
        long = "registered-reference",
        value_name = "NAME=SUBJECT:VERSION",
        value_parser = parse_registry_reference,
        requires = "subject"
    )]
    pub registered_references: Vec<SchemaReference>,
    /// Online: check the normalized form.
    #[arg(long, requires = "subject")]
    pub normalize: bool,
    /// Online, without --level: check against this version only (a number or `latest`), as the
    /// registry's `/compatibility/subjects/S/versions/V` does.
    #[arg(long, requires = "subject", conflicts_with = "level")]
    pub version: Option<String>,
    /// Output: text (for people), json (one object), github (workflow annotations).
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

/// Runs the check; returns the exit code.
pub async fn run(args: CheckArgs) -> anyhow::Result<i32> {
    let file = args.new.display().to_string();
    let format = args.format;
    let result = if args.subject.is_some() {
        online(&args).await
    } else {
        offline(&args)
    };
    match result {
        Ok(code) => Ok(code),
        Err(error) => {
            render_error(format, &file, &error);
            Ok(crate::commands::EXIT_ERROR)
        }
    }
}

fn print_verdict(args: &CheckArgs, verdict: &Verdict<'_>) -> i32 {
    print!("{}", verdict.render(args.format));
    if verdict.compatible {
        0
    } else {
        EXIT_INCOMPATIBLE
    }
}

// ----- offline -----

fn offline(args: &CheckArgs) -> anyhow::Result<i32> {
    if args.against.is_empty() {
        bail!("nothing to check against: pass --against FILE|DIR, or --registry URL --subject S");
    }
    let level = args.level.unwrap_or(CompatibilityLevel::Backward);
    let files = earlier_files(&args.against, &args.new, args.schema_type)?;
    let resolver = FileResolver::new(args)?;
    let new = resolver.parse_file(&args.new, &ParseOptions::default())?;
    // Only the versions the level looks at are read, as the registry reads only those.
    let first_needed = if level == CompatibilityLevel::None {
        files.len()
    } else if level.is_transitive() {
        0
    } else {
        files.len().saturating_sub(1)
    };
    let earlier: Vec<(usize, ParsedSchema)> = files
        .iter()
        .enumerate()
        .skip(first_needed)
        .map(|(i, f)| Ok((i, resolver.parse_file(f, &ParseOptions::stored())?)))
        .collect::<anyhow::Result<_>>()?;
    let previous: Vec<PreviousVersion<'_>> = earlier
        .iter()
        .rev()
        .map(|(i, schema)| PreviousVersion {
            version: i32::try_from(i + 1).ok(),
            schema,
        })
        .collect();
    let verdict = check_compatibility(level, &new, &previous);
    let label = |v: i32| -> Option<String> {
        let index = usize::try_from(v).ok()?.checked_sub(1)?;
        files.get(index).map(|f| f.display().to_string())
    };
    let against = if files.len() == 1 {
        files[0].display().to_string()
    } else {
        format!("{} earlier files", files.len())
    };
    let checked = earlier.len();
    Ok(print_verdict(
        args,
        &Verdict {
            file: &args.new.display().to_string(),
            level: Some(level),
            compatible: verdict.is_compatible,
            messages: &verdict.messages,
            checked: Some(checked),
            version_label: &label,
            against: &against,
        },
    ))
}

/// The earlier versions, oldest first: files as given, directories expanded in natural order.
fn earlier_files(
    against: &[PathBuf],
    new: &Path,
    explicit: Option<TypeArg>,
) -> anyhow::Result<Vec<PathBuf>> {
    let new_canonical = std::fs::canonicalize(new).ok();
    let mut files = Vec::new();
    for path in against {
        if path.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("cannot read directory {}", path.display()))?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .filter(|p| {
                    !p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with('.'))
                })
                .filter(|p| explicit.is_some() || schema_type_of(p, None).is_ok())
                .filter(|p| std::fs::canonicalize(p).ok() != new_canonical)
                .collect();
            entries.sort_by(|a, b| natural_cmp(&file_name(a), &file_name(b)));
            if entries.is_empty() {
                bail!("{} holds no schema files", path.display());
            }
            files.extend(entries);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Compares names so that digit runs compare as numbers: `v2` < `v10`.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let da = a.iter().take_while(|c| c.is_ascii_digit()).count();
                let db = b.iter().take_while(|c| c.is_ascii_digit()).count();
                let (na, nb) = (&a[..da], &b[..db]);
                let strip = |s: &[u8]| -> usize { s.iter().take_while(|c| **c == b'0').count() };
                let (ta, tb) = (&na[strip(na)..], &nb[strip(nb)..]);
                let order = ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb));
                if order != Ordering::Equal {
                    return order;
                }
                let order = da.cmp(&db);
                if order != Ordering::Equal {
                    return order;
                }
                a = &a[da..];
                b = &b[db..];
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                a = &a[1..];
                b = &b[1..];
            }
        }
    }
}

/// Resolves references from files: explicit `NAME=FILE` mappings, then `--references DIR`, then
/// the directory of the referring file. A reference's `subject` is the path of its file.
struct FileResolver {
    explicit: HashMap<String, PathBuf>,
    dir: Option<PathBuf>,
    schema_type: Option<TypeArg>,
    /// Avro full names defined by the .avsc files of a directory.
    avro_index: RefCell<HashMap<PathBuf, HashMap<String, PathBuf>>>,
    /// The directory of the checked file being parsed: the import root of Protobuf files.
    root: RefCell<PathBuf>,
}

impl FileResolver {
    fn new(args: &CheckArgs) -> anyhow::Result<Self> {
        let mut explicit = HashMap::new();
        for mapping in &args.reference {
            let (name, file) = mapping
                .split_once('=')
                .with_context(|| format!("--reference expects NAME=FILE, got {mapping:?}"))?;
            let path = PathBuf::from(file);
            if !path.is_file() {
                bail!("--reference {name}: {file} is not a file");
            }
            explicit.insert(name.to_owned(), path);
        }
        if let Some(dir) = &args.references_dir {
            if !dir.is_dir() {
                bail!("--references {}: not a directory", dir.display());
            }
        }
        Ok(FileResolver {
            explicit,
            dir: args.references_dir.clone(),
            schema_type: args.schema_type,
            avro_index: RefCell::new(HashMap::new()),
            root: RefCell::new(PathBuf::new()),
        })
    }

    fn type_of(&self, path: &Path) -> anyhow::Result<SchemaType> {
        schema_type_of(path, None).or_else(|e| match self.schema_type {
            Some(t) => Ok(t.into()),
            None => Err(e),
        })
    }

    fn parse_file(&self, path: &Path, options: &ParseOptions) -> anyhow::Result<ParsedSchema> {
        let schema_type = self.type_of(path)?;
        let text = read_limited(path)?;
        *self.root.borrow_mut() = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let references = self.references_of(path, schema_type, &text, true);
        parse(schema_type, &text, &references, self, options)
            .with_context(|| format!("{}: invalid {} schema", path.display(), schema_type))
    }

    /// The references a schema file makes, each resolved to a file when one is found; names
    /// that resolve nowhere are left to the engine (built-in Protobuf imports, for instance).
    fn references_of(
        &self,
        path: &Path,
        schema_type: SchemaType,
        text: &str,
        top_level: bool,
    ) -> Vec<SchemaReference> {
        // Protobuf import paths are relative to the import root (the checked file's directory),
        // `$ref`s and Avro files to the file that makes them.
        let base = match schema_type {
            SchemaType::Protobuf => self.root.borrow().clone(),
            _ => path.parent().map(Path::to_path_buf).unwrap_or_default(),
        };
        let names = match schema_type {
            SchemaType::Protobuf => protobuf_imports(text),
            SchemaType::Json => json_refs(text),
            SchemaType::Avro => avro_missing_names(text),
        };
        let me = std::fs::canonicalize(path).ok();
        let mut seen_files = BTreeSet::new();
        let mut references = Vec::new();
        let mut push = |name: &str, file: PathBuf, references: &mut Vec<SchemaReference>| {
            let canonical = std::fs::canonicalize(&file).unwrap_or(file.clone());
            if Some(&canonical) == me.as_ref() || !seen_files.insert(canonical) {
                return;
            }
            references.push(SchemaReference {
                name: name.to_owned(),
                subject: file.display().to_string(),
                version: 1,
            });
        };
        for name in &names {
            if let Some(file) = self.find(name, schema_type, &base) {
                push(name, file, &mut references);
            }
        }
        if top_level {
            // Explicit mappings apply to the checked files even when the scan missed the name.
            let mut explicit: Vec<_> = self.explicit.iter().collect();
            explicit.sort();
            for (name, file) in explicit {
                push(name, file.clone(), &mut references);
            }
        }
        references
    }

    fn find(&self, name: &str, schema_type: SchemaType, base: &Path) -> Option<PathBuf> {
        if let Some(file) = self.explicit.get(name) {
            return Some(file.clone());
        }
        let dirs = self.dir.iter().map(PathBuf::as_path).chain([base]);
        for dir in dirs {
            let found = match schema_type {
                SchemaType::Avro => self.avro_file_defining(dir, name),
                // A URL (`https://acme.com/schemas/address.json`) is looked up by its path,
                // then by its last segment.
                _ => match name.split_once("://") {
                    Some((_, rest)) => {
                        let path = rest.split_once('/').map_or("", |(_, p)| p);
                        relative_file(dir, path).or_else(|| {
                            relative_file(dir, path.rsplit('/').next().unwrap_or_default())
                        })
                    }
                    None => relative_file(dir, name),
                },
            };
            if found.is_some() {
                return found;
            }
        }
        None
    }

    fn avro_file_defining(&self, dir: &Path, name: &str) -> Option<PathBuf> {
        let mut index = self.avro_index.borrow_mut();
        let names = index.entry(dir.to_path_buf()).or_insert_with(|| {
            let mut names = HashMap::new();
            let Ok(entries) = std::fs::read_dir(dir) else {
                return names;
            };
            let mut files: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "avsc") && p.is_file())
                .collect();
            files.sort();
            for file in files {
                let Ok(text) = read_limited(&file) else {
                    continue;
                };
                for defined in avro_defined_names(&text) {
                    names.entry(defined).or_insert_with(|| file.clone());
                }
            }
            names
        });
        names.get(name).cloned()
    }
}

impl ReferenceResolver for FileResolver {
    fn resolve(&self, reference: &SchemaReference) -> Result<ResolvedReference, SchemaError> {
        let not_found = || SchemaError::ReferenceNotFound {
            subject: reference.subject.clone(),
            version: reference.version,
        };
        let path = PathBuf::from(&reference.subject);
        let schema_type = self.type_of(&path).map_err(|_| not_found())?;
        let text = read_limited(&path).map_err(|_| not_found())?;
        let references = self.references_of(&path, schema_type, &text, false);
        Ok(ResolvedReference {
            schema_type,
            schema: text,
            references,
        })
    }
}

fn read_limited(path: &Path) -> anyhow::Result<String> {
    let size = std::fs::metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .len();
    if size > MAX_FILE_BYTES {
        bail!("{} is larger than {MAX_FILE_BYTES} bytes", path.display());
    }
    read_text(path)
}

/// `dir/name` when it is a file and stays under `dir` (no `..` escapes, no absolute names).
fn relative_file(dir: &Path, name: &str) -> Option<PathBuf> {
    let relative = Path::new(name);
    if relative.is_absolute()
        || relative
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
    {
        return None;
    }
    let path = dir.join(relative);
    path.is_file().then_some(path)
}

/// The import paths of a .proto file.
fn protobuf_imports(text: &str) -> Vec<String> {
    let mut imports = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("import") {
        let before_ok = rest[..at]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || c == ';' || c == '}');
        let after = &rest[at + "import".len()..];
        rest = after;
        if !before_ok {
            continue;
        }
        let mut tail = after.trim_start();
        for modifier in ["public", "weak"] {
            if let Some(t) = tail.strip_prefix(modifier) {
                tail = t.trim_start();
            }
        }
        let Some(quote) = tail.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        if let Some(end) = tail[1..].find(quote) {
            imports.push(tail[1..1 + end].to_owned());
        }
    }
    imports
}

/// The external `$ref`s of a JSON Schema (fragments removed, local `#…` refs skipped).
fn json_refs(text: &str) -> Vec<String> {
    fn walk(value: &Value, depth: usize, out: &mut BTreeSet<String>) {
        if depth > 256 {
            return;
        }
        match value {
            Value::Object(map) => {
                for (key, v) in map {
                    if key == "$ref" {
                        if let Some(r) = v.as_str() {
                            let base = r.split('#').next().unwrap_or_default();
                            if !base.is_empty() {
                                out.insert(base.to_owned());
                            }
                        }
                    }
                    walk(v, depth + 1, out);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, depth + 1, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    if let Ok(value) = serde_json::from_str::<Value>(text) {
        walk(&value, 0, &mut out);
    }
    out.into_iter().collect()
}

const AVRO_PRIMITIVES: [&str; 8] = [
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];

/// Walks an Avro schema: names it defines and names it uses, both as full names.
fn avro_names(text: &str) -> (BTreeSet<String>, Vec<String>) {
    fn full(name: &str, namespace: &str) -> String {
        if name.contains('.') || namespace.is_empty() {
            name.to_owned()
        } else {
            format!("{namespace}.{name}")
        }
    }
    fn walk(
        value: &Value,
        namespace: &str,
        depth: usize,
        defined: &mut BTreeSet<String>,
        used: &mut Vec<String>,
    ) {
        if depth > 256 {
            return;
        }
        match value {
            Value::String(name) if !AVRO_PRIMITIVES.contains(&name.as_str()) => {
                used.push(full(name, namespace));
                if !name.contains('.') {
                    used.push(name.clone());
                }
            }
            Value::Array(branches) => {
                for b in branches {
                    walk(b, namespace, depth + 1, defined, used);
                }
            }
            Value::Object(map) => {
                let mut ns = namespace.to_owned();
                if let Some(name) = map.get("name").and_then(Value::as_str) {
                    if matches!(
                        map.get("type").and_then(Value::as_str),
                        Some("record" | "error" | "enum" | "fixed")
                    ) {
                        if let Some(explicit) = map.get("namespace").and_then(Value::as_str) {
                            ns = explicit.to_owned();
                        }
                        let name = full(name, &ns);
                        if let Some((space, _)) = name.rsplit_once('.') {
                            ns = space.to_owned();
                        }
                        defined.insert(name);
                    }
                }
                match map.get("type") {
                    Some(Value::String(t))
                        if matches!(
                            t.as_str(),
                            "record" | "error" | "enum" | "fixed" | "array" | "map"
                        ) => {}
                    Some(t) => walk(t, &ns, depth + 1, defined, used),
                    None => {}
                }
                for key in ["items", "values"] {
                    if let Some(v) = map.get(key) {
                        walk(v, &ns, depth + 1, defined, used);
                    }
                }
                if let Some(Value::Array(fields)) = map.get("fields") {
                    for field in fields {
                        if let Some(t) = field.get("type") {
                            walk(t, &ns, depth + 1, defined, used);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let mut defined = BTreeSet::new();
    let mut used = Vec::new();
    if let Ok(value) = serde_json::from_str::<Value>(text) {
        walk(&value, "", 0, &mut defined, &mut used);
    }
    (defined, used)
}

fn avro_defined_names(text: &str) -> BTreeSet<String> {
    avro_names(text).0
}

/// Named types an Avro schema uses without defining them.
fn avro_missing_names(text: &str) -> Vec<String> {
    let (defined, used) = avro_names(text);
    let mut missing = Vec::new();
    for name in used {
        let short_defined = defined
            .iter()
            .any(|d| d.rsplit('.').next() == Some(name.as_str()));
        if !defined.contains(&name) && !short_defined && !missing.contains(&name) {
            missing.push(name);
        }
    }
    missing
}

// ----- online -----

async fn online(args: &CheckArgs) -> anyhow::Result<i32> {
    let Some(subject) = args.subject.as_deref() else {
        bail!("--subject is required online");
    };
    let client = args.registry.client()?;
    let schema_type = schema_type_of(&args.new, args.schema_type)?;
    let text = read_limited(&args.new)?;
    let file = args.new.display().to_string();
    let no_label = |_: i32| None;
    let against = format!("subject {subject:?}");
    let (verdict, level, checked) = match args.level {
        Some(level) => {
            let (verdict, checked) = check_locally(
                &client,
                subject,
                schema_type,
                &text,
                &args.registered_references,
                level,
            )
            .await?;
            (verdict, Some(level), Some(checked))
        }
        None => {
            let request = RegisterSchemaRequest::new(schema_type, text)
                .with_references(args.registered_references.clone());
            let answer = client
                .check_compatibility(
                    subject,
                    args.version.as_deref().map(parse_version).transpose()?,
                    &request,
                    args.normalize,
                    true,
                )
                .await;
            let verdict = match answer {
                Ok(answer) => Compatibility {
                    is_compatible: answer.is_compatible,
                    messages: answer.messages,
                },
                // A subject without versions accepts anything.
                Err(ClientError::SubjectNotFound { .. }) if args.version.is_none() => {
                    Compatibility {
                        is_compatible: true,
                        messages: Vec::new(),
                    }
                }
                Err(e) => return Err(e.into()),
            };
            let level = client
                .get_config(Some(subject), true)
                .await
                .ok()
                .and_then(|c| c.compatibility_level);
            (verdict, level, None)
        }
    };
    Ok(print_verdict(
        args,
        &Verdict {
            file: &file,
            level,
            compatible: verdict.is_compatible,
            messages: &verdict.messages,
            checked,
            version_label: &no_label,
            against: &against,
        },
    ))
}

/// Fetches the live versions of `subject` and checks with the engine at `level`.
async fn check_locally(
    client: &RegistryClient,
    subject: &str,
    schema_type: SchemaType,
    text: &str,
    references: &[SchemaReference],
    level: CompatibilityLevel,
) -> anyhow::Result<(Compatibility, usize)> {
    let resolved = client.resolve_references(references).await?;
    let new = parse(
        schema_type,
        text,
        references,
        &resolved,
        &ParseOptions::default(),
    )
    .context("invalid new schema")?;
    let versions = match client
        .list_versions(subject, &ListVersionsOptions::default())
        .await
    {
        Ok(v) => v,
        Err(ClientError::SubjectNotFound { .. }) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let needed: Vec<i32> = if level == CompatibilityLevel::None {
        Vec::new()
    } else if level.is_transitive() {
        versions.iter().rev().copied().collect()
    } else {
        versions.last().copied().into_iter().collect()
    };
    let mut parsed = Vec::new();
    for version in &needed {
        let found = client
            .get_version(subject, VersionId::Number(*version), false)
            .await?;
        let resolved = client.resolve_references(&found.references).await?;
        let schema = parse(
            found.schema_type,
            &found.schema,
            &found.references,
            &resolved,
            &ParseOptions::stored(),
        )
        .with_context(|| format!("version {version} of {subject:?} does not parse"))?;
        parsed.push((*version, schema));
    }
    let previous: Vec<PreviousVersion<'_>> = parsed
        .iter()
        .map(|(version, schema)| PreviousVersion {
            version: Some(*version),
            schema,
        })
        .collect();
    Ok((check_compatibility(level, &new, &previous), parsed.len()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn natural_order_of_version_files() {
        let mut names = vec![
            "v10.avsc", "v2.avsc", "v1.avsc", "v02.avsc", "a.avsc", "v1b.avsc",
        ];
        names.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            names,
            vec!["a.avsc", "v1.avsc", "v1b.avsc", "v2.avsc", "v02.avsc", "v10.avsc"]
        );
    }

    #[test]
    fn protobuf_imports_are_found() {
        let text = "syntax = \"proto3\";\nimport \"dep.proto\";\nimport public 'a/b.proto';\nimport weak \"c.proto\";\nmessage important { string x = 1; }";
        assert_eq!(
            protobuf_imports(text),
            vec!["dep.proto", "a/b.proto", "c.proto"]
        );
    }

    #[test]
    fn json_refs_drop_fragments_and_local_refs() {
        let text = r##"{"properties":{"a":{"$ref":"customer.json"},"b":{"$ref":"#/definitions/x"},"c":{"$ref":"other.json#/definitions/y"}}}"##;
        assert_eq!(json_refs(text), vec!["customer.json", "other.json"]);
    }

    #[test]
    fn avro_names_defined_and_missing() {
        let text = r#"{"type":"record","name":"P","namespace":"com.acme","fields":[
            {"name":"addr","type":"com.acme.Address"},
            {"name":"kind","type":{"type":"enum","name":"Kind","symbols":["A"]}},
            {"name":"k2","type":"Kind"},
            {"name":"other","type":["null","Other"]},
            {"name":"list","type":{"type":"array","items":"string"}}]}"#;
        assert_eq!(
            avro_defined_names(text).into_iter().collect::<Vec<_>>(),
            vec!["com.acme.Kind", "com.acme.P"]
        );
        assert_eq!(
            avro_missing_names(text),
            vec!["com.acme.Address", "com.acme.Other", "Other"]
        );
    }

    #[test]
    fn url_references_resolve_by_path_then_by_file_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("schemas")).unwrap();
        std::fs::write(dir.path().join("schemas/address.json"), "{}").unwrap();
        std::fs::write(dir.path().join("customer.json"), "{}").unwrap();
        let resolver = FileResolver {
            explicit: HashMap::new(),
            dir: None,
            schema_type: None,
            avro_index: RefCell::new(HashMap::new()),
            root: RefCell::new(PathBuf::new()),
        };
        let find = |name: &str| resolver.find(name, SchemaType::Json, dir.path());
        assert_eq!(
            find("https://acme.com/schemas/address.json"),
            Some(dir.path().join("schemas/address.json"))
        );
        assert_eq!(
            find("https://acme.com/x/y/customer.json"),
            Some(dir.path().join("customer.json"))
        );
        assert_eq!(find("https://acme.com/missing.json"), None);
        assert_eq!(
            find("customer.json"),
            Some(dir.path().join("customer.json"))
        );
    }

    #[test]
    fn relative_files_stay_under_their_directory() {
        let dir = std::env::temp_dir();
        assert_eq!(relative_file(&dir, "../etc/passwd"), None);
        assert_eq!(relative_file(&dir, "/etc/passwd"), None);
    }
}
