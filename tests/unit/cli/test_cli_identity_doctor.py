"""``identity`` through a fake CA session, ``doctor`` checks, ``evidence``."""

from __future__ import annotations

import datetime
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from cli_fakes import (
    fake_identity,
    make_identity_files,
    write_profiles,
)

from fabric_pilot_cli import _doctor, _fabric, _sdk
from fabric_pilot_cli._sdk import Revocation
from fabric_pilot_cli._settings import Settings
from fabric_pilot_gateway.errors import FabricCAError
from fabric_pilot_network.errors import (
    ChannelConfigError,
    FabricHomeError,
    NodeNotRunningError,
    NoNetworkError,
)


class FakeCa:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.new_crl = b"CRL after revoke"

    @property
    def identity(self):
        return fake_identity()

    def register(self, name, **kwargs):
        self.calls.append(("register", name, kwargs))
        return "s3cret"

    def enroll(self, name, secret, attributes):
        self.calls.append(("enroll", name, secret, tuple(attributes)))
        return Path("/w") / name / "msp"

    def list_identities(self):
        return [{"id": "admin", "type": "admin"}, {"id": "clerk1", "type": "client"}]

    def revoke(self, name, reason):
        self.calls.append(("revoke", name, reason))
        if name == "nobody":
            raise FabricCAError.for_status(
                "POST /api/v1/revoke: HTTP 404: Identity nobody was not found", status=404
            )
        return Revocation(({"serial": "01", "aki": "aa"},), self.new_crl)

    def crl(self):
        self.calls.append(("crl",))
        return b"current CRL"


@pytest.fixture
def ca(monkeypatch) -> tuple[FakeCa, list[Settings]]:
    fake = FakeCa()
    seen: list[Settings] = []

    def open_ca(settings: Settings) -> FakeCa:
        seen.append(settings)
        return fake

    monkeypatch.setattr(_sdk, "open_ca", open_ca)
    return fake, seen


def test_identity_register_with_attributes(run, ca) -> None:
    fake, seen = ca
    result = run("identity", "register", "clerk1", "--attr", "pilot.role=clerk",
                 "--max-enrollments", "2", "--as", "Org2", "-o", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["secret"] == "s3cret"
    name, kwargs = fake.calls[0][1], fake.calls[0][2]
    assert name == "clerk1"
    assert kwargs["attributes"] == [("pilot.role", "clerk", True)]
    assert kwargs["max_enrollments"] == 2
    assert seen[0].org == "Org2"


def test_identity_bad_attribute_is_usage_error(run, ca) -> None:
    assert run("identity", "register", "x", "--attr", "novalue").exit_code == 2
    assert ca[0].calls == []


def test_identity_enroll_list_revoke(run, ca) -> None:
    fake, _ = ca
    enrolled = run("identity", "enroll", "clerk1", "pw", "--attr", "pilot.role", "-o", "json")
    assert json.loads(enrolled.stdout)["msp_dir"] == "/w/clerk1/msp"
    listed = run("identity", "list")
    assert [line.split()[0] for line in listed.stdout.splitlines()] == ["ID", "admin", "clerk1"]
    run("identity", "revoke", "clerk1", "--reason", "keycompromise", "--ca-only")
    assert fake.calls == [
        ("enroll", "clerk1", "pw", ("pilot.role",)),
        ("revoke", "clerk1", "keycompromise"),
    ]


def test_enrolled_wallet_user_is_usable_with_as(tmp_path: Path, run) -> None:
    net = tmp_path / "net"
    write_profiles(net)
    make_identity_files(net.resolve() / "wallet" / "Org1" / "clerk1", "clerk1")
    result = run("--dir", str(net), "--as", "Org1/clerk1", "whoami", "-o", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["subject"].endswith("CN=clerk1")


@pytest.fixture
def channels(monkeypatch, fake_network) -> list[tuple[Any, ...]]:
    """The network seams ``identity revoke`` uses, recording their calls."""
    calls: list[tuple[Any, ...]] = []

    def check(network, org):
        calls.append(("check", org))

    def publish(network, org, crl, progress):
        calls.append(("publish", org, crl))
        progress("mychannel: config block 6 is on every running peer")
        return [{"channel": "mychannel", "config_block": 6, "updated": True}]

    monkeypatch.setattr(_fabric, "check_channel_update", check)
    monkeypatch.setattr(_fabric, "publish_crl", publish)
    return calls


def test_identity_revoke_publishes_the_new_crl_on_the_orgs_channels(run, ca, channels) -> None:
    fake, _ = ca
    result = run("identity", "revoke", "clerk1", "--as", "Org1", "-o", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "name": "clerk1",
        "org": "Org1",
        "revoked": [{"serial": "01", "aki": "aa"}],
        "channels": [{"channel": "mychannel", "config_block": 6, "updated": True}],
    }
    assert channels == [("check", "Org1"), ("publish", "Org1", b"CRL after revoke")]
    assert fake.calls == [("revoke", "clerk1", "")]
    assert "config block 6" in result.stderr


def test_identity_revoke_of_a_user_without_certificates_publishes_the_cas_crl(
    run, ca, channels
) -> None:
    fake, _ = ca
    fake.new_crl = b""
    result = run("identity", "revoke", "clerk1")
    assert result.exit_code == 0, result.output
    assert fake.calls == [("revoke", "clerk1", ""), ("crl",)]
    assert channels[-1] == ("publish", "Org1", b"current CRL")
    assert "no certificate left to revoke" in result.stderr


def test_identity_revoke_ca_only_leaves_the_channels(run, ca, channels) -> None:
    result = run("identity", "revoke", "clerk1", "--ca-only", "-o", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["channels"] == []
    assert channels == []


@pytest.mark.usefixtures("channels")
@pytest.mark.parametrize(
    ("seam", "error"),
    [
        ("load_network", NoNetworkError("no network in /x (run 'fabric-pilot network up')")),
        ("check_channel_update", NodeNotRunningError(
            "peer0.org1.example.com is not running (run 'fabric-pilot network start' first)")),
    ],
)  # fmt: skip
def test_identity_revoke_needs_a_running_network_before_revoking(
    run, ca, monkeypatch, seam: str, error: Exception
) -> None:
    def refuse(*args: Any) -> None:
        raise error

    monkeypatch.setattr(_fabric, seam, refuse)
    result = run("identity", "revoke", "clerk1")
    assert result.exit_code == 6
    assert result.stderr == f"Error: {error}\n"
    assert ca[0].calls == []


def test_identity_revoke_of_an_unknown_user_changes_nothing(run, ca, channels) -> None:
    result = run("identity", "revoke", "nobody")
    assert result.exit_code == 3
    assert result.stderr.startswith("Error: Fabric CA: ") and result.stderr.count("\n") == 1
    assert channels == [("check", "Org1")]


def test_a_refused_channel_update_is_one_line_exit_1(run, ca, channels, monkeypatch) -> None:
    def refused(network, org, crl, progress):
        raise ChannelConfigError("mychannel: config update refused: peer channel update failed")

    monkeypatch.setattr(_fabric, "publish_crl", refused)
    result = run("identity", "revoke", "clerk1")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: mychannel: config update refused: peer channel update failed\n"
    )


def test_the_peer_refusing_a_revoked_identity_is_named_as_such() -> None:
    from cli_fakes import Detail, EvaluateError

    from fabric_pilot_cli._errors import describe

    message = "error validating proposal: access denied: channel [mychannel] creator org [Org1MSP]"
    error = EvaluateError("evaluate failed", code="UNKNOWN", details=[Detail("p", "O", message)])
    failure = describe(error)
    assert (failure.exit_code, failure.message) == (4, f"refused by the peer: {message}")


def test_fabric_ca_errors_map_to_exit_codes(run, monkeypatch) -> None:
    def broken(settings):
        raise FabricCAError.for_status("POST /api/v1/register: connection refused")

    monkeypatch.setattr(_sdk, "open_ca", broken)
    assert run("identity", "list").exit_code == 6


class FakeHome:
    def __init__(self, error: str | None, missing: list[str]) -> None:
        self.error = error
        self.missing_files = missing
        self.bin_dir = Path("/f/bin")
        self.ca_bin_dir = Path("/f/ca")

    def check(self) -> None:
        if self.error:
            raise FabricHomeError(self.error)

    def version(self, tool: str) -> str:
        return "2.5.16"

    def missing(self, with_ca: bool = False) -> list[str]:
        return self.missing_files


def test_check_fabric_states() -> None:
    failed = _doctor.check_fabric(FakeHome("Fabric binaries incomplete: /f/bin/peer", []))
    assert [(c.check, c.status) for c in failed] == [("fabric binaries", "fail")]
    assert "fabric-pilot install" in failed[0].fix
    partial = _doctor.check_fabric(FakeHome(None, ["/f/ca/fabric-ca-server"]))
    assert [c.status for c in partial] == ["ok", "warn"]


def test_check_go_versions(monkeypatch) -> None:
    monkeypatch.setattr(_doctor.shutil, "which", lambda name: "/usr/bin/go")
    assert _doctor.check_go(lambda argv: (0, "go version go1.22.1 linux/amd64")).status == "warn"
    assert _doctor.check_go(lambda argv: (0, "go version go1.24.3 linux/amd64")).status == "ok"
    monkeypatch.setattr(_doctor.shutil, "which", lambda name: None)
    assert _doctor.check_go().status == "warn"


def test_check_ports_detects_a_taken_port() -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        check = _doctor.check_ports([port], port)
    assert check.status == "fail"
    assert "--base-port" in check.fix


def test_check_clock() -> None:
    assert _doctor.check_clock(datetime.datetime(1970, 1, 2, tzinfo=datetime.UTC)).status == "fail"
    assert _doctor.check_clock().status == "ok"


def _tls_pair(tmp_path: Path, sans: list[str]) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tlsca")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(1)
          .not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=1))
          .sign(ca_key, hashes.SHA256()))  # fmt: skip
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "peer")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(2)
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(s) for s in sans]), False)
            .sign(ca_key, hashes.SHA256()))  # fmt: skip
    cert_file, ca_file = tmp_path / "server.crt", tmp_path / "ca.crt"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return cert_file, ca_file


def test_certificate_problems(tmp_path: Path) -> None:
    cert, ca = _tls_pair(tmp_path, ["peer0.org1.example.com", "localhost"])
    assert _doctor.certificate_problems(cert, ca, "peer0.org1.example.com") == []
    problems = _doctor.certificate_problems(cert, ca, "peer1.org1.example.com")
    assert len(problems) == 1 and "lack peer1.org1.example.com" in problems[0]
    other = tmp_path / "other"
    other.mkdir()
    _, other_ca = _tls_pair(other, ["x"])
    assert "not issued by" in _doctor.certificate_problems(cert, other_ca, "localhost")[0]


def test_doctor_exit_code_follows_failures(run, monkeypatch) -> None:
    import fabric_pilot_cli._cmd_doctor as command

    ok = _doctor.Check("go", "ok", "go1.24")
    monkeypatch.setattr(_doctor, "check_go", lambda: ok)
    monkeypatch.setattr(command, "_fabric_checks", lambda settings: [ok])
    monkeypatch.setattr(command, "_network_checks", lambda settings, topology, port: [ok])
    passing = run("doctor", "-o", "json")
    assert passing.exit_code == 0
    assert {row["status"] for row in json.loads(passing.stdout)} == {"ok"}
    bad = _doctor.Check("fabric binaries", "fail", "missing", "run install")
    monkeypatch.setattr(command, "_fabric_checks", lambda settings: [bad])
    failing = run("doctor")
    assert failing.exit_code == 1
    assert "run install" in failing.stdout


def test_evidence_register_sends_only_hash_and_metadata(tmp_path: Path, run, ledger) -> None:
    content = b"%PDF secret contract text"
    (tmp_path / "scan.pdf").write_bytes(content)
    result = run("evidence", "register", "scan.pdf", "--id", "EV-1", "--case", "C-9",
                 "--personal", '{"name": "Li"}')  # fmt: skip
    assert result.exit_code == 0, result.output
    call = ledger.calls[0]
    assert (call.chaincode, call.function) == ("court_evidence", "register_evidence")
    document = json.loads(call.args[0])
    assert document["content_hash"] == hashlib.sha256(content).hexdigest()
    assert document["size_bytes"] == len(content)
    assert document["media_type"] == "application/pdf"
    assert document["case_id"] == "C-9"
    assert b"secret contract" not in call.args[0].encode()
    assert call.transient == {"depositor_personal": b'{"name":"Li"}'}


def test_evidence_verify_mismatch_exits_3(tmp_path: Path, run, ledger) -> None:
    (tmp_path / "f.bin").write_bytes(b"abc")
    ledger.results["verify_evidence"] = {"match": False, "evidence_id": "EV-1"}
    result = run("evidence", "verify", "f.bin", "--id", "EV-1")
    assert result.exit_code == 3
    assert ledger.calls[0].args == ["EV-1", hashlib.sha256(b"abc").hexdigest()]


def test_evidence_custody_transfer(run, ledger) -> None:
    result = run("evidence", "custody", "transfer", "EV-1", "2", "--to", "CourtMSP",
                 "--reason", "trial")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert ledger.calls[0].args == ["EV-1", "2", '{"msp_id":"CourtMSP"}', "trial"]


def test_evidence_receipt_export_prints_the_sessions_receipt(run, ledger) -> None:
    result = run("evidence", "receipt", "export", "EV-1")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"chaincode": "court_evidence", "evidence_id": "EV-1"}


def test_evidence_receipt_that_does_not_verify_exits_3_with_the_failed_check(
    tmp_path: Path, run
) -> None:
    (tmp_path / "r.json").write_text('{"format": "not a receipt"}')
    receipt = run("evidence", "receipt", "verify", "r.json")
    assert receipt.exit_code == 3
    assert receipt.stderr.count("\n") == 1
    assert receipt.stderr.startswith("Error: receipt does not verify: ")


def test_evidence_receipt_verify_reports_what_it_proves(
    tmp_path: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    proof = {"transaction_id": "tx1", "block_number": 7, "record": {"evidence_id": "EV-1"},
             "trust": "genesis_block_hash+root_fingerprints"}  # fmt: skip
    seen: list[object] = []

    def fake_verify(receipt: object, anchors: object) -> dict[str, object]:
        seen.append((receipt, anchors))
        return proof

    monkeypatch.setattr(_sdk, "verify_receipt", fake_verify)
    (tmp_path / "r.json").write_text('{"transaction_id": "tx1"}')
    (tmp_path / "a.json").write_text('{"genesis_block_hash": "ab", "channel": "justice"}')
    result = run("evidence", "receipt", "verify", "r.json", "--anchors", "a.json",
                 "--root-fingerprint", "CourtMSP=cd", "-o", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    pins = {"genesis_block_hash": "ab", "root_fingerprints": {"CourtMSP": ["cd"]}}
    assert seen == [({"transaction_id": "tx1"}, pins)]
    assert json.loads(result.stdout) == proof
    assert "warning" not in result.stderr


def test_evidence_receipt_verify_without_anchors_says_so(
    tmp_path: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_sdk, "verify_receipt", lambda receipt, anchors: {"trust": "none"})
    (tmp_path / "r.json").write_text("{}")
    result = run("evidence", "receipt", "verify", "r.json")
    assert result.exit_code == 0, result.output
    assert "no trust anchors given" in result.stderr
    bad = run("evidence", "receipt", "verify", "r.json", "--root-fingerprint", "CourtMSP")
    assert bad.exit_code == 2


def test_evidence_receipt_anchors_prints_the_sessions_anchors(run, ledger) -> None:
    result = run("evidence", "receipt", "anchors")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["genesis_block_hash"] == "00" * 32


def test_an_unknown_channel_is_a_usage_error_naming_the_channels(tmp_path: Path, run) -> None:
    net = tmp_path / "net"
    write_profiles(net)
    result = run("--dir", str(net), "whoami", "--channel", "nochannel")
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [
        "Error: no channel 'nochannel' in this network (channels: mychannel, tax)"
    ]
    known = run("--dir", str(net), "whoami", "--channel", "tax", "-o", "json")
    assert known.exit_code == 0, known.output
    assert json.loads(known.stdout)["channel"] == "tax"
