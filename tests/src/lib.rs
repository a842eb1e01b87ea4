//! Test support shared by Strata's test binaries: a real PostgreSQL server, started by the tests
//! themselves.
//!
//! ```no_run
//! let url = strata_tests::Postgres::shared().create_database();
//! assert!(url.starts_with("postgres://"));
//! ```
//!
//! [`Postgres::start`] runs `initdb` into a temporary directory and `pg_ctl start` on a free
//! port of 127.0.0.1 (as the `postgres` user when the tests run as root: PostgreSQL refuses
//! root). A watchdog process stops the server (`pg_ctl stop -m immediate`) and removes the
//! directory when the handle is dropped or the test process ends, however it ends.
//!
//! [`serve`] starts a real `strata serve` process, for tests that kill it.
//!
//! The end-to-end tests themselves live in `tests/it`.

// Test support: a failure to set up is a test failure, and says why.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

/// Starts `strata serve` (the binary at `strata`) on a free port of 127.0.0.1 with the extra
/// arguments; returns the process and its base URL once it listens.
pub fn serve(strata: &Path, database_url: &str, extra: &[&str]) -> (Child, String) {
    let mut child = Command::new(strata)
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--database-url",
            database_url,
        ])
        .args(extra)
        .env("STRATA_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("strata serve");
    let stdout = child.stdout.take().expect("a piped stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the listening line");
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("strata serve did not start: {line:?}"))
        .to_owned();
    (child, format!("http://{addr}"))
}

/// A PostgreSQL server owned by the tests.
#[derive(Debug)]
pub struct Postgres {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
    as_postgres: bool,
    /// Closing the watchdog's stdin stops the server and removes its directory.
    watchdog: Mutex<Option<(Child, ChildStdin)>>,
}

/// The directory holding `initdb`: on `PATH`, else the newest `/usr/lib/postgresql/*/bin`.
fn bin_dir() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|dir| dir.join("initdb"))
        .find(|initdb| initdb.is_file());
    if let Some(initdb) = on_path {
        // Debian links a few programs into PATH; the real directory holds them all.
        let real = std::fs::canonicalize(&initdb).unwrap_or(initdb);
        if let Some(dir) = real.parent() {
            return dir.to_owned();
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    match versions.pop() {
        Some((_, bin)) => bin,
        None => panic!("PostgreSQL is not installed: no initdb on PATH or in /usr/lib/postgresql"),
    }
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("a bound address").port()
}

impl Postgres {
    /// The server every test of this process shares; each test makes its own database.
    pub fn shared() -> &'static Postgres {
        static SHARED: OnceLock<Postgres> = OnceLock::new();
        SHARED.get_or_init(Postgres::start)
    }

    /// Initializes and starts a new server (several seconds).
    pub fn start() -> Postgres {
        let bin = bin_dir();
        let as_postgres = running_as_root();
        let dir = tempfile::Builder::new()
            .prefix("strata-pg-")
            .tempdir()
            .expect("a temporary directory")
            .keep();
        if as_postgres {
            let status = Command::new("chown")
                .args(["-R", "postgres:"])
                .arg(&dir)
                .status()
                .expect("chown");
            assert!(status.success(), "chown {} failed", dir.display());
        }
        let data = dir.join("data");
        let postgres = Postgres {
            bin,
            data,
            port: free_port(),
            as_postgres,
            watchdog: Mutex::new(None),
        };
        postgres.run(
            "initdb",
            &[
                "-D".as_ref(),
                postgres.data.as_os_str(),
                "-U".as_ref(),
                "postgres".as_ref(),
                "--auth=trust".as_ref(),
                "--encoding=UTF8".as_ref(),
                "--locale=C".as_ref(),
                "--no-sync".as_ref(),
            ],
        );
        postgres.spawn_watchdog(&dir);
        postgres.start_again();
        postgres
    }

    /// A command running `program` of the PostgreSQL installation, as the `postgres` user when
    /// needed.
    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }

    fn run(&self, program: &str, args: &[&std::ffi::OsStr]) {
        let output = self
            .command(program)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
        assert!(
            output.status.success(),
            "{program} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    fn spawn_watchdog(&self, dir: &Path) {
        let stop = self.command("pg_ctl");
        let mut words: Vec<String> = vec![stop.get_program().to_string_lossy().into_owned()];
        words.extend(stop.get_args().map(|a| a.to_string_lossy().into_owned()));
        let quote = |w: &str| format!("'{}'", w.replace('\'', r"'\''"));
        let script = format!(
            "read _; {} stop -D {} -m immediate >/dev/null 2>&1; rm -rf {}",
            words.iter().map(|w| quote(w)).collect::<Vec<_>>().join(" "),
            quote(&self.data.to_string_lossy()),
            quote(&dir.to_string_lossy()),
        );
        let mut child = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the watchdog shell");
        let stdin = child.stdin.take().expect("a piped stdin");
        *self.watchdog.lock().unwrap_or_else(|e| e.into_inner()) = Some((child, stdin));
    }

    /// The port the server listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL of a database on this server.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Creates a fresh, empty database; returns its URL.
    pub fn create_database(&self) -> String {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "strata_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        self.psql(&self.url("postgres"), &format!("CREATE DATABASE {name}"));
        self.url(&name)
    }

    /// Runs SQL on the database a URL of [`Postgres::create_database`] names; returns psql's
    /// unaligned output.
    pub fn psql(&self, database_url: &str, sql: &str) -> String {
        let database = database_url.rsplit('/').next().unwrap_or("postgres");
        let port = self.port.to_string();
        let output = Command::new(self.bin.join("psql"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-U",
                "postgres",
                "-d",
                database,
            ])
            .args(["-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql])
            .stdin(Stdio::null())
            .output()
            .expect("psql");
        assert!(
            output.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Stops the server at once, as a crash would (`pg_ctl stop -m immediate`).
    pub fn stop(&self) {
        self.run(
            "pg_ctl",
            &[
                "stop".as_ref(),
                "-D".as_ref(),
                self.data.as_os_str(),
                "-m".as_ref(),
                "immediate".as_ref(),
            ],
        );
    }

    /// Starts the (stopped) server again on the same port and data; returns once it accepts
    /// connections.
    pub fn start_again(&self) {
        let options = format!(
            "-p {} -h 127.0.0.1 -k {} -c max_connections=400 -c fsync=off",
            self.port,
            self.data.display()
        );
        let log = self.data.with_file_name("server.log");
        self.run(
            "pg_ctl",
            &[
                "start".as_ref(),
                "-w".as_ref(),
                "-D".as_ref(),
                self.data.as_os_str(),
                "-l".as_ref(),
                log.as_os_str(),
                "-o".as_ref(),
                options.as_ref(),
            ],
        );
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let watchdog = self
            .watchdog
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some((mut child, mut stdin)) = watchdog {
            let _ = stdin.write_all(b"\n");
            drop(stdin);
            let _ = child.wait();
        }
    }
}
