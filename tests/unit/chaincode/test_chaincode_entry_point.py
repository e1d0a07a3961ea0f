"""The ``python -m fabric_pilot_chaincode serve`` entry point, run as a real subprocess."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from chaincode_fake_peer import (
    FakePeer,
    FakeWorld,
    response_of,
    run_transaction,
    transaction_message,
)

from fabric_pilot_chaincode.__main__ import load_chaincode
from fabric_pilot_chaincode._config import ConfigError, load_config

HERE = Path(__file__).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")])
    env.update(extra)
    return env


def _connect(port: int, process: subprocess.Popen[bytes]) -> FakePeer:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read() if process.stderr else b""
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return FakePeer(f"127.0.0.1:{port}")
        time.sleep(0.1)
    raise AssertionError("chaincode server did not start")


def test_serve_runs_transactions_and_exits_cleanly_on_sigterm() -> None:
    port = _free_port()
    env = _env(
        CHAINCODE_SERVER_ADDRESS=f"127.0.0.1:{port}",
        CHAINCODE_ID="probe:abc",
        CHAINCODE_TLS_DISABLED="true",
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fabric_pilot_chaincode",
            "serve",
            "chaincode_probe_contract:CHAINCODE",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        peer = _connect(port, process)
        try:
            assert peer.handshake() == "probe:abc"
            world = FakeWorld()
            message = transaction_message("sub-tx", [b"put", b"key", b"very-secret-value"])
            assert response_of(run_transaction(peer, world, message)).status == 200
            assert world.state == {"key": b"very-secret-value"}
        finally:
            peer.close()
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0
    log = stderr.decode()
    assert "listening on port" in log
    assert "SIGTERM" in log
    assert "very-secret-value" not in log


def test_serve_rejects_missing_configuration() -> None:
    env = _env()
    env.pop("CHAINCODE_SERVER_ADDRESS", None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "fabric_pilot_chaincode",
            "serve",
            "chaincode_probe_contract:CHAINCODE",
        ],
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert b"CHAINCODE_SERVER_ADDRESS is required" in result.stderr


def test_load_chaincode_validates_target() -> None:
    assert load_chaincode("chaincode_probe_contract:CHAINCODE") is not None
    for bad in [
        "chaincode_probe_contract",
        "no_such_module_xyz:X",
        "chaincode_probe_contract:ProbeContract",
    ]:
        with pytest.raises(ConfigError):
            load_chaincode(bad)


def test_load_config_variants(tmp_path: Path) -> None:
    base = {"CHAINCODE_SERVER_ADDRESS": "0.0.0.0:9999", "CHAINCODE_ID": "cc:1"}
    plain = load_config(base)
    assert (plain.address, plain.chaincode_id, plain.tls) == ("0.0.0.0:9999", "cc:1", None)
    (tmp_path / "cert.pem").write_bytes(b"CERT")
    (tmp_path / "key.pem").write_bytes(b"KEY")
    (tmp_path / "ca.pem").write_bytes(b"CA")
    files = {
        "CHAINCODE_TLS_CERT_FILE": str(tmp_path / "cert.pem"),
        "CHAINCODE_TLS_KEY_FILE": str(tmp_path / "key.pem"),
    }
    tls = load_config({**base, **files}).tls
    assert tls is not None
    assert (tls.cert_pem, tls.key_pem, tls.client_ca_pem) == (b"CERT", b"KEY", None)
    mutual = load_config(
        {**base, **files, "CHAINCODE_TLS_CLIENT_CACERT_FILE": str(tmp_path / "ca.pem")}
    )
    assert mutual.tls is not None
    assert mutual.tls.client_ca_pem == b"CA"
    assert load_config({**base, **files, "CHAINCODE_TLS_DISABLED": "TRUE"}).tls is None
    with pytest.raises(ConfigError, match="CHAINCODE_TLS_KEY_FILE"):
        load_config({**base, "CHAINCODE_TLS_CERT_FILE": files["CHAINCODE_TLS_CERT_FILE"]})
    with pytest.raises(ConfigError, match="cannot read"):
        load_config({**base, **files, "CHAINCODE_TLS_KEY_FILE": str(tmp_path / "missing")})
    with pytest.raises(ConfigError, match="CHAINCODE_ID"):
        load_config({"CHAINCODE_SERVER_ADDRESS": "a:1"})
