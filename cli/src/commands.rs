//! The subcommands that work a registry or schema files: argument definitions, the client they
//! share, and the small commands (`register`, `get`, `subjects`, `config`, `mode`, `delete`).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::{json, Value};
use strata_client::{
    Auth, ClientConfig, CompatibilityLevel, Config, ConfigUpdate, Error as ClientError, Mode,
    RegisterSchemaRequest, RegisteredSchema, RegistryClient, SchemaId, SchemaReference,
    SchemaString, SchemaType, TlsConfig, VersionId,
};

use crate::{check, codec, transfer};

/// Exit code of a command that failed for a reason other than an incompatible schema.
pub const EXIT_ERROR: i32 = 2;

/// The subcommands besides `serve`.
#[derive(Subcommand, Debug)]
pub enum Tool {
    /// Check that a schema may follow earlier versions: offline against files, or against a
    /// registry subject. Exit code 0 compatible, 1 incompatible, 2 error.
    Check(check::CheckArgs),
    /// Register a schema under a subject and print its id and version.
    Register(RegisterArgs),
    /// Print a schema: by id, by subject and version, or the latest version of a subject.
    Get(GetArgs),
    /// List the subjects of a registry.
    Subjects(SubjectsArgs),
    /// Show or change the compatibility configuration, global or of one subject.
    Config(ConfigArgs),
    /// Show or change the mode (READWRITE, READONLY, IMPORT), global or of one subject.
    Mode(ModeArgs),
    /// Delete a subject or one version of it, softly or permanently.
    Delete(DeleteArgs),
    /// Export every subject, version, schema, config and mode of a registry to JSON.
    Export(transfer::ExportArgs),
    /// Import an export into a registry, keeping ids and versions; safe to run again.
    Import(transfer::ImportArgs),
    /// Decode one wire-format record (magic byte, schema id, payload) to JSON.
    Decode(codec::DecodeArgs),
    /// Encode one JSON record into wire-format bytes with a subject's schema.
    Encode(codec::EncodeArgs),
}

/// Sends logs (warnings by default, `STRATA_LOG` to choose) to stderr, keeping stdout for
/// results.
pub fn init_logging() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("STRATA_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("error")),
        )
        .init();
}

/// Runs a subcommand and returns the process exit code; errors are printed to stderr.
pub async fn run(tool: Tool) -> i32 {
    let result = match tool {
        Tool::Check(args) => check::run(args).await,
        Tool::Register(args) => register(args).await.map(|()| 0),
        Tool::Get(args) => get(args).await.map(|()| 0),
        Tool::Subjects(args) => subjects(args).await.map(|()| 0),
        Tool::Config(args) => config(args).await.map(|()| 0),
        Tool::Mode(args) => mode(args).await.map(|()| 0),
        Tool::Delete(args) => delete(args).await.map(|()| 0),
        Tool::Export(args) => transfer::export(args).await.map(|()| 0),
        Tool::Import(args) => transfer::import(args).await.map(|()| 0),
        Tool::Decode(args) => codec::decode(args).await.map(|()| 0),
        Tool::Encode(args) => codec::encode(args).await.map(|()| 0),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            EXIT_ERROR
        }
    }
}

/// Where the registry is and how to authenticate: shared by every online subcommand.
#[derive(Args, Debug, Clone, Default)]
pub struct RegistryArgs {
    /// Registry URL; several, comma-separated, are tried in order (failover).
    #[arg(
        long = "registry",
        env = "STRATA_REGISTRY_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub registry: Option<String>,
    /// HTTP basic credentials `USER:PASSWORD` (on Confluent Cloud `API_KEY:API_SECRET`).
    #[arg(
        long,
        env = "STRATA_REGISTRY_USER_INFO",
        value_name = "USER:PASSWORD",
        hide_env_values = true
    )]
    pub user_info: Option<String>,
    /// Bearer token sent as `Authorization: Bearer TOKEN`.
    #[arg(
        long,
        env = "STRATA_REGISTRY_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
    /// PEM file with CA certificates to trust (in addition to the built-in roots).
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
    /// PEM file with a client certificate (mutual TLS); needs `--client-key`.
    #[arg(long, value_name = "FILE", requires = "client_key")]
    pub client_cert: Option<PathBuf>,
    /// PEM file with the client certificate's private key.
    #[arg(long, value_name = "FILE", requires = "client_cert")]
    pub client_key: Option<PathBuf>,
}

impl RegistryArgs {
    /// Builds the client, or fails when no URL was given or a setting is invalid.
    pub fn client(&self) -> anyhow::Result<RegistryClient> {
        let Some(urls) = self.registry.as_deref() else {
            bail!("no registry given: pass --registry URL or set STRATA_REGISTRY_URL");
        };
        let urls: Vec<&str> = urls
            .split(',')
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .collect();
        if urls.is_empty() {
            bail!("--registry is empty");
        }
        let mut config = ClientConfig::with_urls(urls);
        config.auth = match (&self.user_info, &self.token) {
            (Some(_), Some(_)) => bail!("give either --user-info or --token, not both"),
            (Some(user_info), None) => {
                let (user, password) = user_info
                    .split_once(':')
                    .context("--user-info must be USER:PASSWORD")?;
                Auth::basic(user, password)
            }
            (None, Some(token)) => Auth::bearer(token.as_str()),
            (None, None) => Auth::None,
        };
        if self.ca_cert.is_some() || self.client_cert.is_some() {
            config.tls = TlsConfig::from_pem_files(
                self.ca_cert.as_deref(),
                self.client_cert.as_deref(),
                self.client_key.as_deref(),
            )?;
        }
        Ok(RegistryClient::new(config)?)
    }
}

/// A schema format as given on the command line.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeArg {
    /// Avro (`.avsc`).
    Avro,
    /// Protobuf (`.proto`).
    Protobuf,
    /// JSON Schema (`.json`).
    Json,
}

impl From<TypeArg> for SchemaType {
    fn from(value: TypeArg) -> Self {
        match value {
            TypeArg::Avro => SchemaType::Avro,
            TypeArg::Protobuf => SchemaType::Protobuf,
            TypeArg::Json => SchemaType::Json,
        }
    }
}

/// The format of a schema file: `--type` when given, else from the extension.
pub fn schema_type_of(path: &Path, explicit: Option<TypeArg>) -> anyhow::Result<SchemaType> {
    if let Some(t) = explicit {
        return Ok(t.into());
    }
    match path.extension().and_then(|e| e.to_str()) {
        Some("avsc") => Ok(SchemaType::Avro),
        Some("proto") => Ok(SchemaType::Protobuf),
        Some("json") => Ok(SchemaType::Json),
        _ => bail!(
            "cannot tell the format of {} from its extension (.avsc, .proto, .json): pass --type",
            path.display()
        ),
    }
}

/// Reads a text file with its name in the error.
pub fn read_text(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// A compatibility level given on the command line (any case, `-` or `_`).
pub fn parse_level(text: &str) -> Result<CompatibilityLevel, String> {
    let upper = text.trim().to_ascii_uppercase().replace('-', "_");
    CompatibilityLevel::ALL
        .into_iter()
        .find(|l| l.as_str() == upper)
        .ok_or_else(|| {
            format!("unknown compatibility level {text:?} (NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE)")
        })
}

fn parse_mode(text: &str) -> Result<Mode, String> {
    text.parse::<Mode>().map_err(|e| e.to_string())
}

/// Prints JSON, pretty.
pub fn print_json(value: &Value) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// A registered version as the REST API renders it.
pub fn registered_json(schema: &RegisteredSchema) -> Value {
    let mut value = json!({
        "subject": schema.subject,
        "version": schema.version,
        "id": schema.id.0,
        "schemaType": schema.schema_type.as_str(),
        "schema": schema.schema,
    });
    add_extras(
        &mut value,
        &schema.references,
        schema.metadata.as_ref().map(serde_json::to_value),
        schema.rule_set.as_ref().map(serde_json::to_value),
    );
    value
}

/// A schema by id as the REST API renders it.
pub fn schema_string_json(id: SchemaId, schema: &SchemaString) -> Value {
    let mut value = json!({
        "id": id.0,
        "schemaType": schema.schema_type.as_str(),
        "schema": schema.schema,
    });
    add_extras(
        &mut value,
        &schema.references,
        schema.metadata.as_ref().map(serde_json::to_value),
        schema.rule_set.as_ref().map(serde_json::to_value),
    );
    value
}

fn add_extras(
    value: &mut Value,
    references: &[SchemaReference],
    metadata: Option<serde_json::Result<Value>>,
    rule_set: Option<serde_json::Result<Value>>,
) {
    if !references.is_empty() {
        value["references"] = serde_json::to_value(references).unwrap_or(Value::Null);
    }
    if let Some(Ok(metadata)) = metadata {
        value["metadata"] = metadata;
    }
    if let Some(Ok(rule_set)) = rule_set {
        value["ruleSet"] = rule_set;
    }
}

/// A `NAME=SUBJECT:VERSION` registry reference.
pub fn parse_registry_reference(text: &str) -> Result<SchemaReference, String> {
    let (name, target) = text
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=SUBJECT:VERSION, got {text:?}"))?;
    let (subject, version) = target
        .rsplit_once(':')
        .ok_or_else(|| format!("expected NAME=SUBJECT:VERSION, got {text:?}"))?;
    let version = if version == "latest" {
        -1
    } else {
        version
            .parse()
            .map_err(|_| format!("invalid version {version:?} in {text:?}"))?
    };
    Ok(SchemaReference {
        name: name.to_owned(),
        subject: subject.to_owned(),
        version,
    })
}

/// Arguments of `strata register`.
#[derive(Args, Debug)]
#[command(
    after_help = "Prints {\"id\": N, \"version\": V}. Registering a schema the subject already holds
answers its existing id and version.

Examples:
  strata register orders.avsc --subject orders-value --registry http://localhost:8081
  strata register person.proto --subject person-value --reference common/address.proto=address-value:latest"
)]
pub struct RegisterArgs {
    /// The schema file (.avsc, .proto or .json).
    pub file: PathBuf,
    /// The subject to register under.
    #[arg(long)]
    pub subject: String,
    /// The format, when the extension does not tell.
    #[arg(long = "type", value_enum)]
    pub schema_type: Option<TypeArg>,
    /// A registered schema this one references: `NAME=SUBJECT:VERSION` (NAME is the import
    /// path, `$ref` or Avro full name; VERSION a number or `latest`). Repeatable.
    #[arg(long = "reference", value_name = "NAME=SUBJECT:VERSION", value_parser = parse_registry_reference)]
    pub references: Vec<SchemaReference>,
    /// Register the normalized form.
    #[arg(long)]
    pub normalize: bool,
    /// A JSON file with the schema's metadata (`{"properties": {...}, "tags": {...}}`).
    #[arg(long, value_name = "FILE")]
    pub metadata: Option<PathBuf>,
    /// A JSON file with the schema's rule set (`{"domainRules": [...], ...}`).
    #[arg(long, value_name = "FILE")]
    pub rule_set: Option<PathBuf>,
    /// Ask for this id (the registry or subject must be in IMPORT mode).
    #[arg(long)]
    pub id: Option<i32>,
    /// Ask for this version number.
    #[arg(long)]
    pub version: Option<i32>,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

async fn register(args: RegisterArgs) -> anyhow::Result<()> {
    let schema_type = schema_type_of(&args.file, args.schema_type)?;
    let text = read_text(&args.file)?;
    let client = args.registry.client()?;
    let mut request =
        RegisterSchemaRequest::new(schema_type, text).with_references(args.references);
    request.id = args.id.map(SchemaId);
    request.version = args.version;
    if let Some(path) = &args.metadata {
        request.metadata = Some(
            serde_json::from_str(&read_text(path)?)
                .with_context(|| format!("{} is not schema metadata", path.display()))?,
        );
    }
    if let Some(path) = &args.rule_set {
        request.rule_set = Some(
            serde_json::from_str(&read_text(path)?)
                .with_context(|| format!("{} is not a rule set", path.display()))?,
        );
    }
    let response = client
        .register_schema(&args.subject, &request, args.normalize)
        .await?;
    let mut out = json!({ "id": response.id.0 });
    let version = match response.version {
        Some(version) => Some(version),
        // Registries before Confluent 7.5 answer the id only: the version comes from a lookup.
        None => client
            .lookup_schema(&args.subject, &request, args.normalize, false)
            .await
            .ok()
            .map(|found| found.version),
    };
    if let Some(version) = version {
        out["version"] = json!(version);
    }
    print_json(&out)
}

/// Arguments of `strata get`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  strata get --id 12
  strata get --subject orders-value                 # the latest version
  strata get --subject orders-value --version 3 --schema-only > orders-v3.avsc")]
pub struct GetArgs {
    /// A schema id.
    #[arg(long, conflicts_with_all = ["subject", "version"])]
    pub id: Option<i32>,
    /// A subject (its latest version unless `--version`).
    #[arg(long, required_unless_present = "id")]
    pub subject: Option<String>,
    /// A version number or `latest`.
    #[arg(long, requires = "subject")]
    pub version: Option<String>,
    /// Also find soft-deleted versions.
    #[arg(long)]
    pub deleted: bool,
    /// Print the schema text only, not the JSON envelope.
    #[arg(long)]
    pub schema_only: bool,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

/// A version number or `latest`.
pub fn parse_version(text: &str) -> anyhow::Result<VersionId> {
    if text == "latest" || text == "-1" {
        return Ok(VersionId::Latest);
    }
    let n: i32 = text
        .parse()
        .with_context(|| format!("invalid version {text:?}: a number or `latest`"))?;
    Ok(VersionId::Number(n))
}

async fn get(args: GetArgs) -> anyhow::Result<()> {
    let client = args.registry.client()?;
    let (text, value) = if let Some(id) = args.id {
        let schema = client.get_schema_by_id(SchemaId(id)).await?;
        (
            schema.schema.clone(),
            schema_string_json(SchemaId(id), &schema),
        )
    } else {
        let Some(subject) = args.subject.as_deref() else {
            bail!("pass --id or --subject");
        };
        let version = parse_version(args.version.as_deref().unwrap_or("latest"))?;
        let schema = client.get_version(subject, version, args.deleted).await?;
        (schema.schema.clone(), registered_json(&schema))
    };
    if args.schema_only {
        println!("{text}");
        Ok(())
    } else {
        print_json(&value)
    }
}

/// Arguments of `strata subjects`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  strata subjects
  strata subjects --prefix orders --deleted --json")]
pub struct SubjectsArgs {
    /// Only subjects starting with this prefix.
    #[arg(long)]
    pub prefix: Option<String>,
    /// Include subjects whose versions are all soft-deleted.
    #[arg(long)]
    pub deleted: bool,
    /// Print a JSON array instead of one subject per line.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

async fn subjects(args: SubjectsArgs) -> anyhow::Result<()> {
    let client = args.registry.client()?;
    let options = strata_client::ListSubjectsOptions {
        subject_prefix: args.prefix,
        deleted: args.deleted,
        ..Default::default()
    };
    let subjects = client.list_subjects(&options).await?;
    if args.json {
        return print_json(&json!(subjects));
    }
    for subject in subjects {
        println!("{subject}");
    }
    Ok(())
}

/// Arguments of `strata config`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  strata config                                            # the global configuration
  strata config --subject orders-value --default-to-global
  strata config --subject orders-value --set FULL_TRANSITIVE
  strata config --subject orders-value --delete")]
pub struct ConfigArgs {
    /// The subject; the global configuration when absent.
    #[arg(long)]
    pub subject: Option<String>,
    /// Set the compatibility level (NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD,
    /// FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE).
    #[arg(long, value_name = "LEVEL", value_parser = parse_level, conflicts_with = "delete")]
    pub set: Option<CompatibilityLevel>,
    /// Remove the subject's (or the global) configuration.
    #[arg(long)]
    pub delete: bool,
    /// With `--subject`, show the global configuration when the subject has none.
    #[arg(long)]
    pub default_to_global: bool,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

/// A configuration as JSON.
pub fn config_json(config: &Config) -> Value {
    serde_json::to_value(config).unwrap_or(Value::Null)
}

async fn config(args: ConfigArgs) -> anyhow::Result<()> {
    let client = args.registry.client()?;
    let subject = args.subject.as_deref();
    if let Some(level) = args.set {
        let update = client
            .update_config(subject, &ConfigUpdate::compatibility(level))
            .await?;
        return print_json(&serde_json::to_value(update)?);
    }
    if args.delete {
        let previous = client.delete_config(subject).await?;
        return print_json(&config_json(&previous));
    }
    let config = client.get_config(subject, args.default_to_global).await?;
    print_json(&config_json(&config))
}

/// Arguments of `strata mode`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  strata mode
  strata mode --set READONLY
  strata mode --subject orders-value --set IMPORT --force
  strata mode --subject orders-value --delete")]
pub struct ModeArgs {
    /// The subject; the global mode when absent.
    #[arg(long)]
    pub subject: Option<String>,
    /// Set the mode: READWRITE, READONLY, READONLY_OVERRIDE or IMPORT.
    #[arg(long, value_name = "MODE", value_parser = parse_mode, conflicts_with = "delete")]
    pub set: Option<Mode>,
    /// With `--set IMPORT`: switch even when the registry or subject holds schemas.
    #[arg(long, requires = "set")]
    pub force: bool,
    /// Remove the subject's mode.
    #[arg(long)]
    pub delete: bool,
    /// With `--subject`, show the global mode when the subject has none.
    #[arg(long)]
    pub default_to_global: bool,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

async fn mode(args: ModeArgs) -> anyhow::Result<()> {
    let client = args.registry.client()?;
    let subject = args.subject.as_deref();
    let mode = if let Some(mode) = args.set {
        client.update_mode(subject, mode, args.force).await?
    } else if args.delete {
        client.delete_mode(subject, false).await?
    } else {
        client.get_mode(subject, args.default_to_global).await?
    };
    print_json(&json!({ "mode": mode.as_str() }))
}

/// Arguments of `strata delete`.
#[derive(Args, Debug)]
#[command(after_help = "Prints the versions deleted.

Examples:
  strata delete --subject orders-value --version 2           # soft delete
  strata delete --subject orders-value --permanent           # every version, for good")]
pub struct DeleteArgs {
    /// The subject.
    #[arg(long)]
    pub subject: String,
    /// Only this version (a number or `latest`); every version when absent.
    #[arg(long)]
    pub version: Option<String>,
    /// Remove for good (soft-deleting first when needed) instead of soft-deleting.
    #[arg(long)]
    pub permanent: bool,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

fn already_soft_deleted(error: &ClientError) -> bool {
    matches!(
        error,
        ClientError::SubjectSoftDeleted { .. } | ClientError::VersionSoftDeleted { .. }
    )
}

async fn delete(args: DeleteArgs) -> anyhow::Result<()> {
    let client = args.registry.client()?;
    let subject = args.subject.as_str();
    match args.version.as_deref() {
        None => {
            let soft = client.delete_subject(subject, false).await;
            let versions = match soft {
                Ok(versions) if !args.permanent => versions,
                Err(e) if !(args.permanent && already_soft_deleted(&e)) => return Err(e.into()),
                _ => client.delete_subject(subject, true).await?,
            };
            print_json(&json!(versions))
        }
        Some(version) => {
            let version = parse_version(version)?;
            let soft = client.delete_version(subject, version, false).await;
            let deleted = match soft {
                Ok(v) if !args.permanent => v,
                Ok(v) => {
                    client
                        .delete_version(subject, VersionId::Number(v), true)
                        .await?
                }
                Err(e) if args.permanent && already_soft_deleted(&e) => {
                    client.delete_version(subject, version, true).await?
                }
                Err(e) => return Err(e.into()),
            };
            print_json(&json!(deleted))
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn registry_references_parse() {
        let r = parse_registry_reference("com.acme.Address=addr:3").unwrap();
        assert_eq!(
            (r.name.as_str(), r.subject.as_str(), r.version),
            ("com.acme.Address", "addr", 3)
        );
        let latest = parse_registry_reference("dep.proto=ns:dep:latest").unwrap();
        assert_eq!((latest.subject.as_str(), latest.version), ("ns:dep", -1));
        assert!(parse_registry_reference("nothing").is_err());
        assert!(parse_registry_reference("a=b:x").is_err());
    }

    #[test]
    fn levels_parse_in_any_case() {
        assert_eq!(
            parse_level("full-transitive").unwrap(),
            CompatibilityLevel::FullTransitive
        );
        assert_eq!(
            parse_level("BACKWARD").unwrap(),
            CompatibilityLevel::Backward
        );
        assert!(parse_level("SIDEWAYS").is_err());
    }

    #[test]
    fn formats_come_from_extensions() {
        assert_eq!(
            schema_type_of(Path::new("a/b.avsc"), None).unwrap(),
            SchemaType::Avro
        );
        assert_eq!(
            schema_type_of(Path::new("b.proto"), None).unwrap(),
            SchemaType::Protobuf
        );
        assert_eq!(
            schema_type_of(Path::new("b.json"), None).unwrap(),
            SchemaType::Json
        );
        assert!(schema_type_of(Path::new("b.txt"), None).is_err());
        assert_eq!(
            schema_type_of(Path::new("b.txt"), Some(TypeArg::Json)).unwrap(),
            SchemaType::Json
        );
    }
}
