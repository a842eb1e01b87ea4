//! Runs the real `strata` binary: offline checks on the golden corpus, and the online commands
//! against a real `strata serve` started by each test.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod check;
mod codec;
mod online;
mod transfer;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The binary under test.
pub fn strata() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_strata"));
    for var in [
        "STRATA_REGISTRY_URL",
        "STRATA_REGISTRY_USER_INFO",
        "STRATA_REGISTRY_TOKEN",
    ] {
        command.env_remove(var);
    }
    command
}

/// Runs the binary with these arguments.
pub fn run<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    strata().args(args).output().expect("run strata")
}

/// Runs the binary with `input` on stdin.
pub fn run_with_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = strata()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn strata");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

/// The exit code, with the output in the panic message when there is none.
pub fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or_else(|| {
        panic!(
            "killed by a signal; stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// Stdout as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Writes `text` to `dir/name`, creating directories.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

/// A `strata serve` on a free port with its own SQLite file, killed on drop.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    _dir: tempfile::TempDir,
}

impl Server {
    /// Starts a server and waits until `GET /` answers.
    pub fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let database = format!("sqlite://{}", dir.path().join("x.db").display());
        let mut child = strata()
            .args([
                "serve",
                "--bind",
                "127.0.0.1:0",
                "--database-url",
                &database,
            ])
            .env("STRATA_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn strata serve");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout);
        let mut address = None;
        let mut line = String::new();
        while lines.read_line(&mut line).unwrap_or(0) > 0 {
            if let Some(rest) = line.trim().strip_prefix("listening on ") {
                address = Some(rest.to_owned());
                break;
            }
            line.clear();
        }
        let address = address.expect("the server printed its address");
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = lines.read_to_end(&mut sink);
        });
        let server = Server {
            child,
            url: format!("http://{address}"),
            _dir: dir,
        };
        server.wait_ready(&address);
        server
    }

    fn wait_ready(&self, address: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(mut stream) = TcpStream::connect(address) {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let request =
                    format!("GET / HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
                if stream.write_all(request.as_bytes()).is_ok() {
                    let mut answer = String::new();
                    let _ = stream.read_to_string(&mut answer);
                    if answer.starts_with("HTTP/1.1 200") {
                        return;
                    }
                }
            }
            assert!(Instant::now() < deadline, "the server never answered GET /");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Runs the binary with `--registry` pointing at this server appended.
    pub fn run(&self, args: &[&str]) -> Output {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--registry", &self.url]);
        run(all)
    }

    /// Like [`Server::run`], asserting success, returning stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert_eq!(
            code(&output),
            0,
            "strata {args:?} failed: {}{}",
            stdout(&output),
            String::from_utf8_lossy(&output.stderr)
        );
        stdout(&output)
    }

    /// Runs and parses stdout as JSON.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args)).expect("JSON output")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn every_subcommand_has_a_complete_help() {
    let online = [
        "register", "get", "subjects", "config", "mode", "delete", "export", "import", "decode",
        "encode",
    ];
    for command in online.iter().chain(&["check"]) {
        let output = run([command, "--help"]);
        assert_eq!(code(&output), 0, "{command}");
        let text = stdout(&output);
        assert!(text.contains(&format!("Usage: strata {command}")), "{text}");
        for flag in ["--registry", "--user-info", "--token", "--ca-cert"] {
            assert!(text.contains(flag), "{command} --help lacks {flag}");
        }
        // Every option carries a description (clap puts it on the next line with --help).
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if line.trim_start().starts_with("--") {
                let next = lines.get(i + 1).map_or("", |l| l.trim());
                assert!(!next.is_empty(), "{command}: {line} has no description");
            }
        }
    }
    let top = stdout(&run(["--help"]));
    for command in online.iter().chain(&["check", "serve"]) {
        assert!(top.contains(&format!("  {command} ")), "{top}");
    }
}
