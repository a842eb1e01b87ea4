"""Starts a real `strata serve` (release or debug binary) on 127.0.0.1 with a fresh SQLite file."""

import json
import os
import pathlib
import socket
import struct
import subprocess
import tempfile
import time
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def strata_binary() -> str:
    if os.environ.get("STRATA_BIN"):
        return os.environ["STRATA_BIN"]
    for profile in ("debug", "release"):
        candidate = ROOT / "target" / profile / "strata"
        if candidate.exists():
            return str(candidate)
    raise RuntimeError("build the strata binary first (cargo build -p strata-cli)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, proc: subprocess.Popen, deadline_s: float = 60.0) -> None:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"strata exited early with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("strata did not become ready")


@pytest.fixture(scope="session")
def registry_url():
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        proc = subprocess.Popen(
            [
                strata_binary(),
                "serve",
                "--bind",
                f"127.0.0.1:{port}",
                "--database-url",
                f"sqlite://{tmp}/strata.db",
            ],
            stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(tmp, "strata.log"), "w"),
        )
        try:
            wait_ready(url, proc)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def convert_binary() -> pathlib.Path:
    """The converters crate's `convert` example, built beside the strata binary by `cargo test`."""
    path = pathlib.Path(strata_binary()).parent / "examples" / "convert"
    if not path.exists():
        raise RuntimeError(f"{path} is missing: build it with `cargo build -p strata-converters --example convert`")
    return path


@pytest.fixture(scope="session")
def convert():
    """Runs one request through strata's converters: `convert(request) -> answer` (JSON both ways)."""
    binary = convert_binary()

    def run(request: dict):
        done = subprocess.run([str(binary)], input=json.dumps(request), capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise AssertionError(f"convert failed ({done.returncode}): {done.stderr.strip()}")
        return json.loads(done.stdout)

    return run


@pytest.fixture()
def client(registry_url):
    from confluent_kafka.schema_registry import SchemaRegistryClient

    return SchemaRegistryClient({"url": registry_url})


def frame_id(data: bytes) -> int:
    """The schema id of a Confluent-framed record (magic byte 0)."""
    assert data[0] == 0, "magic byte"
    return struct.unpack(">i", data[1:5])[0]
