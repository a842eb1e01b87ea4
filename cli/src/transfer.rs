//! `strata export` and `strata import`: move a whole registry (ids, versions, soft deletes,
//! configs, modes) between Confluent-API registries.
//!
//! The export is plain JSON: one file (`--output x.json`) or a directory holding `registry.json`
//! and one file per subject under `subjects/`. The import registers every version with its
//! id and version in IMPORT mode, references first, skips what the target already holds, and
//! can therefore be run again after a failure or on an up-to-date target.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::{Deserialize, Serialize};
use serde_json::json;
use strata_client::{
    Config, ConfigUpdate, Error as ClientError, ListSubjectsOptions, ListVersionsOptions, Metadata,
    Mode, RegisterSchemaRequest, RegistryClient, RuleSet, SchemaId, SchemaReference, SchemaType,
    VersionId,
};

use crate::commands::RegistryArgs;

/// The `format` field of every export.
const FORMAT: &str = "strata-export";

/// A whole registry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Export {
    /// Always `strata-export`.
    pub format: String,
    /// Version of this layout.
    pub format_version: u32,
    /// The global configuration.
    #[serde(default)]
    pub global_config: Option<Config>,
    /// The global mode.
    #[serde(default)]
    pub global_mode: Option<Mode>,
    /// The contexts the registry reported (`.` is the default one).
    #[serde(default)]
    pub contexts: Vec<String>,
    /// Every subject, soft-deleted ones included (a single-file export).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subjects: Vec<SubjectExport>,
    /// The subject files of a directory export, relative to the directory, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subject_files: Vec<String>,
}

/// One subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubjectExport {
    /// The subject name (context-qualified when outside the default context).
    pub subject: String,
    /// Its own configuration, if any.
    #[serde(default)]
    pub config: Option<Config>,
    /// Its own mode, if any.
    #[serde(default)]
    pub mode: Option<Mode>,
    /// Every version, soft-deleted ones included, ascending.
    pub versions: Vec<VersionExport>,
}

/// One version of a subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionExport {
    /// The version number.
    pub version: i32,
    /// The schema id.
    pub id: i32,
    /// The format.
    pub schema_type: SchemaType,
    /// The schema text as the registry stores it.
    pub schema: String,
    /// The schemas it references.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<SchemaReference>,
    /// Its metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// Its rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_set: Option<RuleSet>,
    /// Whether the version is soft-deleted.
    #[serde(default)]
    pub deleted: bool,
}

/// Arguments of `strata export`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  strata export --registry http://old:8081 --output backup.json
  strata export --registry http://old:8081 --output backup/   # one file per subject")]
pub struct ExportArgs {
    /// Where to write: a `.json` file, or else a directory (created if needed).
    #[arg(long, value_name = "PATH")]
    pub output: PathBuf,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

/// Arguments of `strata import`.
#[derive(Args, Debug)]
#[command(
    after_help = "The target is switched to IMPORT mode for the run (forced when it already
holds subjects) and set back to its previous global mode at the end. A second run of the same
import changes nothing; a failed run can simply be run again.

Examples:
  strata import --registry http://new:8081 --input backup.json
  strata import --registry http://new:8081 --input backup/ --json"
)]
pub struct ImportArgs {
    /// The export to read: a `.json` file or an export directory.
    #[arg(long, value_name = "PATH")]
    pub input: PathBuf,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
    /// Write nothing: print what an import would do.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

fn progress(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    if std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::stderr());
        if let Ok(style) =
            ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} {elapsed_precise}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
    } else {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar.set_message(what.to_owned());
    bar
}

fn not_found<T>(result: Result<T, ClientError>) -> Result<Option<T>, ClientError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// Reads a whole registry.
pub async fn read_registry(client: &RegistryClient) -> anyhow::Result<Export> {
    let global_config = Some(client.get_config(None, false).await?);
    let global_mode = Some(client.get_mode(None, false).await?);
    // Registries before contexts existed answer 404 (or 405): no contexts.
    let contexts = match client.list_contexts().await {
        Ok(contexts) => contexts,
        Err(ClientError::Http {
            status: 404 | 405, ..
        }) => Vec::new(),
        Err(e) if e.is_not_found() => Vec::new(),
        Err(e) => return Err(e).context("cannot list the contexts"),
    };
    let mut names = BTreeSet::new();
    let all = ListSubjectsOptions {
        deleted: true,
        ..ListSubjectsOptions::default()
    };
    names.extend(client.list_subjects(&all).await?);
    for context in contexts.iter().filter(|c| c.as_str() != ".") {
        let options = ListSubjectsOptions {
            subject_prefix: Some(format!(":{context}:")),
            ..all.clone()
        };
        names.extend(
            client
                .list_subjects(&options)
                .await
                .with_context(|| format!("cannot list the subjects of context {context:?}"))?,
        );
    }
    let bar = progress(names.len() as u64, "export");
    let mut subjects = Vec::with_capacity(names.len());
    for subject in names {
        subjects.push(read_subject(client, &subject).await?);
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(Export {
        format: FORMAT.to_owned(),
        format_version: 1,
        global_config,
        global_mode,
        contexts,
        subjects,
        subject_files: Vec::new(),
    })
}

async fn read_subject(client: &RegistryClient, subject: &str) -> anyhow::Result<SubjectExport> {
    let every = ListVersionsOptions {
        deleted: true,
        ..ListVersionsOptions::default()
    };
    let all = not_found(client.list_versions(subject, &every).await)?.unwrap_or_default();
    let live: BTreeSet<i32> = not_found(
        client
            .list_versions(subject, &ListVersionsOptions::default())
            .await,
    )?
    .unwrap_or_default()
    .into_iter()
    .collect();
    let mut versions = Vec::with_capacity(all.len());
    for version in all {
        let found = client
            .get_version(subject, VersionId::Number(version), true)
            .await
            .with_context(|| format!("cannot read version {version} of {subject:?}"))?;
        versions.push(VersionExport {
            version,
            id: found.id.0,
            schema_type: found.schema_type,
            schema: found.schema.clone(),
            references: found.references.clone(),
            metadata: found.metadata.clone(),
            rule_set: found.rule_set.clone(),
            deleted: !live.contains(&version),
        });
    }
    let config = not_found(client.get_config(Some(subject), false).await)?;
    let mode = not_found(client.get_mode(Some(subject), false).await)?;
    Ok(SubjectExport {
        subject: subject.to_owned(),
        config,
        mode,
        versions,
    })
}

fn is_file_path(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "json")
}

/// A file name for a subject: characters outside `[A-Za-z0-9._-]` percent-encoded, so any
/// subject (with `/`, `:` or non-ASCII) maps to one distinct, portable name.
fn subject_file_name(subject: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'.')
        .remove(b'_')
        .remove(b'-');
    let mut name = percent_encoding::utf8_percent_encode(subject, KEEP).to_string();
    if name.starts_with('.') {
        name = format!("%2E{}", &name[1..]);
    }
    format!("{name}.json")
}

fn write_json(path: &Path, value: &impl Serialize) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    std::fs::write(path, text + "\n").with_context(|| format!("cannot write {}", path.display()))
}

/// Writes an export to a file or a directory.
pub fn write_export(path: &Path, export: &Export) -> anyhow::Result<()> {
    if is_file_path(path) {
        return write_json(path, export);
    }
    let subjects_dir = path.join("subjects");
    std::fs::create_dir_all(&subjects_dir)
        .with_context(|| format!("cannot create {}", subjects_dir.display()))?;
    let mut index = export.clone();
    index.subjects.clear();
    index.subject_files.clear();
    for subject in &export.subjects {
        let file = format!("subjects/{}", subject_file_name(&subject.subject));
        write_json(&path.join(&file), subject)?;
        index.subject_files.push(file);
    }
    write_json(&path.join("registry.json"), &index)
}

/// Reads an export from a file or a directory.
pub fn read_export(path: &Path) -> anyhow::Result<Export> {
    let index_path = if path.is_dir() {
        path.join("registry.json")
    } else {
        path.to_path_buf()
    };
    let text = std::fs::read_to_string(&index_path)
        .with_context(|| format!("cannot read {}", index_path.display()))?;
    let mut export: Export = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a strata export", index_path.display()))?;
    if export.format != FORMAT {
        bail!(
            "{} is not a strata export (format {:?})",
            index_path.display(),
            export.format
        );
    }
    if export.format_version != 1 {
        bail!(
            "unsupported export format version {}",
            export.format_version
        );
    }
    let dir = index_path.parent().unwrap_or(Path::new("."));
    for file in std::mem::take(&mut export.subject_files) {
        let relative = Path::new(&file);
        if relative
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
        {
            bail!("invalid subject file {file:?} in the export");
        }
        let full = dir.join(relative);
        let text = std::fs::read_to_string(&full)
            .with_context(|| format!("cannot read {}", full.display()))?;
        let subject: SubjectExport = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a subject export", full.display()))?;
        export.subjects.push(subject);
    }
    Ok(export)
}

/// `strata export`.
pub async fn export(args: ExportArgs) -> anyhow::Result<()> {
    let client = args.registry.client()?;
    let export = read_registry(&client).await?;
    write_export(&args.output, &export)?;
    let versions: usize = export.subjects.iter().map(|s| s.versions.len()).sum();
    eprintln!(
        "exported {} subjects, {versions} versions to {}",
        export.subjects.len(),
        args.output.display()
    );
    Ok(())
}

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportSummary {
    /// Versions registered.
    pub registered: usize,
    /// Versions the target already held with the same id.
    pub already_present: usize,
    /// Versions soft-deleted to match the export.
    pub soft_deleted: usize,
    /// Configurations set or removed.
    pub configs_changed: usize,
    /// Subject modes set or removed.
    pub modes_changed: usize,
}

/// The versions in an order where every referenced version comes before its referrers, ties
/// broken by id (the order they were first registered in).
fn registration_order(export: &Export) -> Vec<(&str, &VersionExport)> {
    type Key = (i32, String, i32);
    let mut nodes: BTreeMap<(String, i32), (&str, &VersionExport)> = BTreeMap::new();
    for subject in &export.subjects {
        for version in &subject.versions {
            nodes.insert(
                (subject.subject.clone(), version.version),
                (subject.subject.as_str(), version),
            );
        }
    }
    let latest: HashMap<&str, i32> = export
        .subjects
        .iter()
        .filter_map(|s| {
            Some((
                s.subject.as_str(),
                s.versions.iter().map(|v| v.version).max()?,
            ))
        })
        .collect();
    let mut waiting: HashMap<(String, i32), usize> = HashMap::new();
    let mut dependents: HashMap<(String, i32), Vec<(String, i32)>> = HashMap::new();
    for (key, (_, version)) in &nodes {
        let mut count = 0;
        for reference in &version.references {
            let target_version = if reference.version == -1 {
                latest
                    .get(reference.subject.as_str())
                    .copied()
                    .unwrap_or(-1)
            } else {
                reference.version
            };
            let target = (reference.subject.clone(), target_version);
            if nodes.contains_key(&target) && &target != key {
                count += 1;
                dependents.entry(target).or_default().push(key.clone());
            }
        }
        waiting.insert(key.clone(), count);
    }
    let sort_key = |key: &(String, i32)| -> Key {
        let id = nodes.get(key).map_or(i32::MAX, |(_, v)| v.id);
        (id, key.0.clone(), key.1)
    };
    let mut ready: BTreeSet<Key> = waiting
        .iter()
        .filter(|(_, count)| **count == 0)
        .map(|(key, _)| sort_key(key))
        .collect();
    let mut order = Vec::with_capacity(nodes.len());
    let mut done = BTreeSet::new();
    while let Some(next) = ready.pop_first() {
        let key = (next.1.clone(), next.2);
        if !done.insert(key.clone()) {
            continue;
        }
        if let Some(node) = nodes.get(&key) {
            order.push(*node);
        }
        for dependent in dependents.get(&key).into_iter().flatten() {
            if let Some(count) = waiting.get_mut(dependent) {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    ready.insert(sort_key(dependent));
                }
            }
        }
    }
    // Reference cycles cannot be registered in any order; what is left goes by id.
    let mut rest: Vec<_> = nodes.iter().filter(|(k, _)| !done.contains(*k)).collect();
    rest.sort_by_key(|(k, _)| sort_key(k));
    order.extend(rest.into_iter().map(|(_, node)| *node));
    order
}

fn config_update(config: &Config) -> ConfigUpdate {
    let mut update = ConfigUpdate::default();
    update.compatibility = config.compatibility_level;
    update.alias = config.alias.clone();
    update.normalize = config.normalize;
    update.validate_fields = config.validate_fields;
    update.validate_rules = config.validate_rules;
    update.compatibility_group = config.compatibility_group.clone();
    update.default_metadata = config.default_metadata.clone();
    update.override_metadata = config.override_metadata.clone();
    update.default_rule_set = config.default_rule_set.clone();
    update.override_rule_set = config.override_rule_set.clone();
    update
}

/// Imports an export into the registry of `client`.
///
/// The target is switched to IMPORT mode only when something has to be registered: Confluent
/// (and Strata) permanently delete soft-deleted versions when a registry enters IMPORT mode, so
/// an import that finds everything in place must not switch. With `dry_run` nothing is written
/// and the summary says what an import would do.
pub async fn import_into(
    client: &RegistryClient,
    export: &Export,
    dry_run: bool,
) -> anyhow::Result<ImportSummary> {
    let mut summary = ImportSummary::default();
    let previous_mode = client.get_mode(None, false).await?;
    // What the target holds is read before any switch: in IMPORT mode soft-deleted versions are
    // gone.
    let mut existing = existing_versions(client, export).await?;
    let missing = export.subjects.iter().any(|s| {
        s.versions
            .iter()
            .any(|v| !existing.contains_key(&(s.subject.clone(), v.version)))
    });
    // A target left in IMPORT by a failed run goes back to the mode of the exported registry.
    let final_mode = if previous_mode == Mode::Import {
        export
            .global_mode
            .filter(|m| *m != Mode::Import)
            .unwrap_or(Mode::ReadWrite)
    } else {
        previous_mode
    };
    let switched = missing && previous_mode != Mode::Import && !dry_run;
    if switched {
        client
            .update_mode(None, Mode::Import, true)
            .await
            .context("cannot switch the target registry to IMPORT mode")?;
        // Versions read before the switch are cached; the switch may have removed some.
        client.clear_caches();
        // Soft-deleted versions may have been removed by the switch: register them again.
        let mut gone = Vec::new();
        for (key, (_, deleted)) in &existing {
            if *deleted
                && not_found(
                    client
                        .get_version(&key.0, VersionId::Number(key.1), true)
                        .await,
                )?
                .is_none()
            {
                gone.push(key.clone());
            }
        }
        for key in gone {
            existing.remove(&key);
        }
    }
    let result = async {
        let temporary = if dry_run {
            BTreeSet::new()
        } else {
            switch_subjects(client, export, &mut existing).await?
        };
        let target = Target {
            client,
            existing: &existing,
            temporary: &temporary,
            dry_run,
        };
        import_versions(&target, export, &mut summary).await
    }
    .await;
    let restored = if (switched || previous_mode == Mode::Import) && final_mode != Mode::Import {
        client.update_mode(None, final_mode, true).await.map(|_| ())
    } else {
        Ok(())
    };
    result?;
    restored.context("cannot restore the global mode of the target registry")?;
    Ok(summary)
}

/// The ids of the exported `(subject, version)`s the target already holds, and whether each
/// is soft-deleted there.
async fn existing_versions(
    client: &RegistryClient,
    export: &Export,
) -> anyhow::Result<HashMap<(String, i32), (SchemaId, bool)>> {
    let mut existing = HashMap::new();
    let every = ListVersionsOptions {
        deleted: true,
        ..ListVersionsOptions::default()
    };
    for subject in &export.subjects {
        let held: BTreeSet<i32> = not_found(client.list_versions(&subject.subject, &every).await)?
            .unwrap_or_default()
            .into_iter()
            .collect();
        if held.is_empty() {
            continue;
        }
        let live: BTreeSet<i32> = not_found(
            client
                .list_versions(&subject.subject, &ListVersionsOptions::default())
                .await,
        )?
        .unwrap_or_default()
        .into_iter()
        .collect();
        for version in subject
            .versions
            .iter()
            .filter(|v| held.contains(&v.version))
        {
            let found = client
                .get_version(&subject.subject, VersionId::Number(version.version), true)
                .await
                .with_context(|| {
                    format!(
                        "cannot read version {} of {:?}",
                        version.version, subject.subject
                    )
                })?;
            // Refused before anything is written.
            if found.id.0 != version.id {
                bail!(
                    "the target holds version {} of {:?} with id {}, the export has id {}: refusing to overwrite",
                    version.version,
                    subject.subject,
                    found.id,
                    version.id
                );
            }
            if found.schema != version.schema || found.schema_type != version.schema_type {
                bail!(
                    "the target holds version {} of {:?} (id {}) with another schema than the export: refusing to overwrite",
                    version.version,
                    subject.subject,
                    found.id
                );
            }
            existing.insert(
                (subject.subject.clone(), version.version),
                (found.id, !live.contains(&version.version)),
            );
        }
    }
    Ok(existing)
}

/// Puts in IMPORT mode the subjects that receive registrations but would refuse them: those
/// with a mode of their own, and those of other contexts (a context does not follow the global
/// mode). Returns them, so that their modes are restored without counting as changes.
async fn switch_subjects(
    client: &RegistryClient,
    export: &Export,
    existing: &mut HashMap<(String, i32), (SchemaId, bool)>,
) -> anyhow::Result<BTreeSet<String>> {
    let mut temporary = BTreeSet::new();
    for subject in &export.subjects {
        let name = subject.subject.as_str();
        let receives = subject
            .versions
            .iter()
            .any(|v| !existing.contains_key(&(subject.subject.clone(), v.version)));
        if !receives {
            continue;
        }
        let own = not_found(client.get_mode(Some(name), false).await)?;
        let other_context = name.starts_with(":.") && !name.starts_with(":.:");
        let needs = match own {
            Some(mode) => mode != Mode::Import,
            None => other_context,
        };
        if !needs {
            continue;
        }
        client
            .update_mode(Some(name), Mode::Import, true)
            .await
            .with_context(|| format!("cannot switch {name:?} to IMPORT mode"))?;
        temporary.insert(subject.subject.clone());
        client.clear_caches();
        // The switch may have removed the subject's soft-deleted versions: register them again.
        let mut gone = Vec::new();
        for ((s, version), (_, deleted)) in existing.iter() {
            if s == name
                && *deleted
                && not_found(
                    client
                        .get_version(s, VersionId::Number(*version), true)
                        .await,
                )?
                .is_none()
            {
                gone.push((s.clone(), *version));
            }
        }
        for key in gone {
            existing.remove(&key);
        }
    }
    Ok(temporary)
}

/// The registry an import writes to, and what is known of it.
struct Target<'a> {
    client: &'a RegistryClient,
    existing: &'a HashMap<(String, i32), (SchemaId, bool)>,
    /// Subjects put in IMPORT mode for the run.
    temporary: &'a BTreeSet<String>,
    dry_run: bool,
}

async fn import_versions(
    target: &Target<'_>,
    export: &Export,
    summary: &mut ImportSummary,
) -> anyhow::Result<()> {
    let Target {
        client,
        existing,
        temporary,
        dry_run,
    } = *target;
    let order = registration_order(export);
    let bar = progress(order.len() as u64, "import");
    for (subject, version) in order {
        match existing.get(&(subject.to_owned(), version.version)) {
            Some((found, _)) if found.0 == version.id => {
                summary.already_present += 1;
            }
            Some((found, _)) => bail!(
                "the target holds version {} of {subject:?} with id {}, the export has id {}: refusing to overwrite",
                version.version,
                found,
                version.id
            ),
            None if dry_run => summary.registered += 1,
            None => {
                let mut request = RegisterSchemaRequest::new(version.schema_type, &version.schema)
                    .with_references(version.references.clone());
                request.metadata = version.metadata.clone();
                request.rule_set = version.rule_set.clone();
                request.id = Some(SchemaId(version.id));
                request.version = Some(version.version);
                let response = client
                    .register_schema(subject, &request, false)
                    .await
                    .with_context(|| {
                        format!("cannot register version {} of {subject:?}", version.version)
                    })?;
                if response.id.0 != version.id {
                    bail!(
                        "the target gave version {} of {subject:?} id {}, not {}",
                        version.version,
                        response.id,
                        version.id
                    );
                }
                summary.registered += 1;
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();

    for subject in &export.subjects {
        for version in subject.versions.iter().filter(|v| v.deleted) {
            let live = not_found(
                client
                    .get_version(&subject.subject, VersionId::Number(version.version), false)
                    .await,
            )?;
            let unregistered = !existing.contains_key(&(subject.subject.clone(), version.version));
            if dry_run && (live.is_some() || unregistered) {
                summary.soft_deleted += 1;
            } else if live.is_some() {
                client
                    .delete_version(&subject.subject, VersionId::Number(version.version), false)
                    .await
                    .with_context(|| {
                        format!(
                            "cannot soft-delete version {} of {:?}",
                            version.version, subject.subject
                        )
                    })?;
                summary.soft_deleted += 1;
            }
        }
    }

    if let Some(config) = &export.global_config {
        let current = client.get_config(None, false).await?;
        if &current != config {
            if !dry_run {
                client.update_config(None, &config_update(config)).await?;
            }
            summary.configs_changed += 1;
        }
    }
    for subject in &export.subjects {
        let name = Some(subject.subject.as_str());
        let current = not_found(client.get_config(name, false).await)?;
        match (&subject.config, current) {
            (Some(wanted), current) if current.as_ref() != Some(wanted) => {
                if !dry_run {
                    client.update_config(name, &config_update(wanted)).await?;
                }
                summary.configs_changed += 1;
            }
            (None, Some(_)) => {
                if !dry_run {
                    client.delete_config(name).await?;
                }
                summary.configs_changed += 1;
            }
            _ => {}
        }
        let current = not_found(client.get_mode(name, false).await)?;
        match (subject.mode, current) {
            (Some(wanted), current) if current != Some(wanted) => {
                if !dry_run {
                    client.update_mode(name, wanted, true).await?;
                }
                if !temporary.contains(&subject.subject) {
                    summary.modes_changed += 1;
                }
            }
            (None, Some(_)) => {
                if !dry_run {
                    client.delete_mode(name, false).await?;
                }
                if !temporary.contains(&subject.subject) {
                    summary.modes_changed += 1;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// `strata import`.
pub async fn import(args: ImportArgs) -> anyhow::Result<()> {
    let export = read_export(&args.input)?;
    let client = args.registry.client()?;
    let summary = import_into(&client, &export, args.dry_run).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&json!(summary))?);
    } else {
        println!(
            "{} {}: {} registered, {} already present, {} soft-deleted, {} configs and {} modes changed",
            if args.dry_run {
                "would import"
            } else {
                "imported"
            },
            args.input.display(),
            summary.registered,
            summary.already_present,
            summary.soft_deleted,
            summary.configs_changed,
            summary.modes_changed
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn version(version: i32, id: i32, references: Vec<SchemaReference>) -> VersionExport {
        VersionExport {
            version,
            id,
            schema_type: SchemaType::Avro,
            schema: "\"int\"".into(),
            references,
            metadata: None,
            rule_set: None,
            deleted: false,
        }
    }

    #[test]
    fn references_come_before_their_referrers_even_with_higher_ids() {
        let reference = |subject: &str, version: i32| SchemaReference {
            name: subject.into(),
            subject: subject.into(),
            version,
        };
        let export = Export {
            subjects: vec![
                SubjectExport {
                    subject: "a".into(),
                    config: None,
                    mode: None,
                    versions: vec![version(1, 1, vec![reference("z", 1)])],
                },
                SubjectExport {
                    subject: "z".into(),
                    config: None,
                    mode: None,
                    versions: vec![
                        version(1, 5, vec![]),
                        version(2, 6, vec![reference("a", 1)]),
                    ],
                },
            ],
            ..Export::default()
        };
        let order: Vec<(String, i32)> = registration_order(&export)
            .into_iter()
            .map(|(s, v)| (s.to_owned(), v.version))
            .collect();
        assert_eq!(
            order,
            vec![("z".into(), 1), ("a".into(), 1), ("z".into(), 2)]
        );
    }

    #[test]
    fn subject_file_names_are_portable_and_distinct() {
        assert_eq!(subject_file_name("orders-value"), "orders-value.json");
        assert_eq!(subject_file_name("a/b c"), "a%2Fb%20c.json");
        assert_eq!(subject_file_name(":.ctx:x"), "%3A.ctx%3Ax.json");
        assert_eq!(subject_file_name(".."), "%2E..json");
        assert_ne!(subject_file_name("a/b"), subject_file_name("a%2Fb"));
    }
}
