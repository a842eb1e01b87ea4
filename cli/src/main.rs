//! `strata`: the registry server and its tools.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use serde::Deserialize;
use strata_server::{PgSettings, Server, ServerConfig, SqliteSync};

mod check;
mod codec;
mod commands;
mod output;
mod transfer;

#[derive(Parser)]
#[command(
    name = "strata",
    version,
    about = "A Confluent-compatible schema registry"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the registry server (Confluent Schema Registry REST API v1).
    Serve(ServeArgs),
    #[command(flatten)]
    Tool(commands::Tool),
}

#[derive(clap::Args, Debug, Default)]
struct ServeArgs {
    /// Address to listen on [default: 0.0.0.0:8081].
    #[arg(long, env = "STRATA_BIND")]
    bind: Option<String>,
    /// Database URL: `sqlite://strata.db` (relative) or `sqlite:///absolute/path.db`, created on
    /// first start; or `postgres://user:password@host:5432/database` (also `postgresql://`; the
    /// database must exist, its tables are created on first start). Any number of nodes may
    /// share one PostgreSQL database: no leader, no forwarding [default: sqlite://strata.db].
    #[arg(long, env = "STRATA_DATABASE_URL")]
    database_url: Option<String>,
    /// TOML file with the same settings (`bind`, `database_url`, `default_compatibility`,
    /// `max_body_bytes`, `sqlite_sync`, `pg_max_connections`, `pg_acquire_timeout_ms`,
    /// `pg_statement_timeout_ms`); flags and environment variables take precedence.
    #[arg(long, env = "STRATA_CONFIG")]
    config: Option<PathBuf>,
    /// Compatibility level when none is configured: NONE, BACKWARD, BACKWARD_TRANSITIVE,
    /// FORWARD, FORWARD_TRANSITIVE, FULL or FULL_TRANSITIVE [default: BACKWARD].
    #[arg(long, env = "STRATA_DEFAULT_COMPATIBILITY")]
    default_compatibility: Option<String>,
    /// Largest request body in bytes; larger bodies are answered with 413 [default: 16777216].
    #[arg(long, env = "STRATA_MAX_BODY_BYTES")]
    max_body_bytes: Option<usize>,
    /// SQLite durability: `normal` (WAL; an acknowledged write survives a crash or kill -9 of
    /// the process) or `full` (also survives power loss and kernel crashes: one fsync per
    /// commit) [default: normal].
    #[arg(long, env = "STRATA_SQLITE_SYNC")]
    sqlite_sync: Option<String>,
    /// PostgreSQL: most connections this node opens, one of which listens for the other nodes'
    /// changes [default: 16].
    #[arg(long, env = "STRATA_PG_MAX_CONNECTIONS")]
    pg_max_connections: Option<u32>,
    /// PostgreSQL: longest wait for a connection, in milliseconds; while the database is
    /// unreachable requests fail after this long with 500 and error code 50002 [default: 2000].
    #[arg(long, env = "STRATA_PG_ACQUIRE_TIMEOUT_MS")]
    pg_acquire_timeout_ms: Option<u64>,
    /// PostgreSQL: longest a statement may run (waiting for another node's lock on a subject
    /// included), in milliseconds; then 500 with error code 50002 [default: 10000].
    #[arg(long, env = "STRATA_PG_STATEMENT_TIMEOUT_MS")]
    pg_statement_timeout_ms: Option<u64>,
}

/// The optional TOML file.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    bind: Option<String>,
    database_url: Option<String>,
    default_compatibility: Option<String>,
    max_body_bytes: Option<usize>,
    sqlite_sync: Option<String>,
    pg_max_connections: Option<u32>,
    pg_acquire_timeout_ms: Option<u64>,
    pg_statement_timeout_ms: Option<u64>,
}

fn build_config(args: ServeArgs) -> anyhow::Result<ServerConfig> {
    let file: FileConfig = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            toml::from_str(&text).with_context(|| format!("invalid {}", path.display()))?
        }
        None => FileConfig::default(),
    };
    let defaults = ServerConfig::default();
    let level = args
        .default_compatibility
        .or(file.default_compatibility)
        .map(|l| {
            l.parse()
                .map_err(|_| anyhow::anyhow!("invalid default compatibility level {l:?}"))
        })
        .transpose()?
        .unwrap_or(defaults.default_compatibility);
    let sync = args
        .sqlite_sync
        .or(file.sqlite_sync)
        .map(|s| s.parse::<SqliteSync>().map_err(anyhow::Error::msg))
        .transpose()?
        .unwrap_or_default();
    let max_body_bytes = args
        .max_body_bytes
        .or(file.max_body_bytes)
        .unwrap_or(defaults.max_body_bytes);
    anyhow::ensure!(max_body_bytes > 0, "--max-body-bytes must be positive");
    let postgres = PgSettings {
        max_connections: args
            .pg_max_connections
            .or(file.pg_max_connections)
            .unwrap_or(defaults.postgres.max_connections),
        acquire_timeout: args
            .pg_acquire_timeout_ms
            .or(file.pg_acquire_timeout_ms)
            .map_or(defaults.postgres.acquire_timeout, Duration::from_millis),
        statement_timeout: args
            .pg_statement_timeout_ms
            .or(file.pg_statement_timeout_ms)
            .map_or(defaults.postgres.statement_timeout, Duration::from_millis),
    };
    anyhow::ensure!(
        postgres.max_connections >= 3,
        "--pg-max-connections must be at least 3"
    );
    anyhow::ensure!(
        !postgres.acquire_timeout.is_zero() && !postgres.statement_timeout.is_zero(),
        "PostgreSQL timeouts must be positive"
    );
    Ok(ServerConfig {
        bind: args.bind.or(file.bind).unwrap_or(defaults.bind),
        database_url: args
            .database_url
            .or(file.database_url)
            .unwrap_or(defaults.database_url),
        default_compatibility: level,
        max_body_bytes,
        sqlite_sync: sync,
        postgres,
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let command = match Cli::parse().command {
        // The tools print their results on stdout: their logs go to stderr.
        Command::Tool(tool) => {
            commands::init_logging();
            std::process::exit(commands::run(tool).await)
        }
        serve => serve,
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("STRATA_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    match command {
        Command::Serve(args) => {
            let config = build_config(args)?;
            let server = Server::bind(config).await?;
            tracing::info!(address = %server.local_addr(), "strata registry listening");
            println!("listening on {}", server.local_addr());
            server.run(shutdown_signal()).await?;
        }
        Command::Tool(_) => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_file_and_defaults_fill_the_rest() {
        let dir = std::env::temp_dir().join(format!("strata-cli-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("strata.toml");
        std::fs::write(
            &path,
            "bind = \"127.0.0.1:9000\"\ndatabase_url = \"sqlite://file.db\"\nsqlite_sync = \"full\"\n\
             pg_max_connections = 40\npg_acquire_timeout_ms = 500\n",
        )
        .unwrap();
        let config = build_config(ServeArgs {
            bind: Some("127.0.0.1:9999".into()),
            config: Some(path),
            ..ServeArgs::default()
        })
        .unwrap();
        assert_eq!(config.bind, "127.0.0.1:9999");
        assert_eq!(config.database_url, "sqlite://file.db");
        assert_eq!(config.sqlite_sync, SqliteSync::Full);
        assert_eq!(config.default_compatibility.as_str(), "BACKWARD");
        assert_eq!(config.postgres.max_connections, 40);
        assert_eq!(config.postgres.acquire_timeout, Duration::from_millis(500));
        assert_eq!(
            config.postgres.statement_timeout,
            PgSettings::default().statement_timeout
        );
    }

    #[test]
    fn bad_values_are_rejected_loudly() {
        assert!(build_config(ServeArgs {
            default_compatibility: Some("SIDEWAYS".into()),
            ..ServeArgs::default()
        })
        .is_err());
        assert!(build_config(ServeArgs {
            sqlite_sync: Some("maybe".into()),
            ..ServeArgs::default()
        })
        .is_err());
        assert!(build_config(ServeArgs {
            pg_max_connections: Some(1),
            ..ServeArgs::default()
        })
        .is_err());
        assert!(build_config(ServeArgs {
            pg_acquire_timeout_ms: Some(0),
            ..ServeArgs::default()
        })
        .is_err());
    }
}
