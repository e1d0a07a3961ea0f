"""compose.py chaincode packages: TLS material, CCaaS packages, .env, and a real TLS handshake."""

from __future__ import annotations

import io
import json
import queue
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
import yaml
from cryptography import x509

from fabric_pilot_chaincode import ChaincodeServer, TlsConfig
from fabric_pilot_chaincode._protos import (
    chaincode_pb2,
    chaincode_shim_pb2,
    chaincode_shim_pb2_grpc,
)
from fabric_pilot_contracts.sample_assets import CHAINCODE as SAMPLE_ASSETS
from fabric_pilot_network.chaincode_definitions import ChaincodeDefinition
from fabric_pilot_network.chaincode_tls import ChaincodeTLS, ensure_chaincode_tls
from fabric_pilot_network.compose import CONTAINER_CHAINCODE_TLS, ComposePlan, write_compose
from fabric_pilot_network.packaging import package_id
from fabric_pilot_network.ports import plan_ports
from fabric_pilot_network.topology import load_topology

MSG = chaincode_shim_pb2.ChaincodeMessage
DEFINITIONS = (
    ChaincodeDefinition("taxinvoice", "mychannel", "1.0", "fabric_pilot_contracts.tax_invoice:X"),
    ChaincodeDefinition("assets", "mychannel", "2.1", "fabric_pilot_contracts.sample_assets:X"),
)


def _plan(tmp_path: Path) -> ComposePlan:
    topology = load_topology("dev")
    return ComposePlan(topology, plan_ports(topology, 23000, with_ca=False), tmp_path / "net")


@pytest.fixture
def written(tmp_path: Path) -> tuple[ComposePlan, Path]:
    plan = _plan(tmp_path)
    out = tmp_path / "out"
    write_compose(plan, out, DEFINITIONS)
    return plan, out


def _env_file(out: Path) -> dict[str, str]:
    lines = (out / ".env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines)


def _members(data: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        return {
            member.name: archive.extractfile(member).read()  # type: ignore[union-attr]
            for member in archive.getmembers()
        }


def _connection(out: Path, definition: ChaincodeDefinition) -> dict[str, Any]:
    package = _members((out / "chaincode" / f"{definition.label}.tar.gz").read_bytes())
    document: dict[str, Any] = json.loads(_members(package["code.tar.gz"])["connection.json"])
    return document


def _port(plan: ComposePlan, slot: int) -> int:
    return plan.ports.chaincode[slot]


def _folder_bytes(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_env_holds_the_package_id_of_each_written_package(
    written: tuple[ComposePlan, Path],
) -> None:
    _, out = written
    expected = {
        "TAXINVOICE_PACKAGE_ID": package_id(
            "taxinvoice_1.0", (out / "chaincode" / "taxinvoice_1.0.tar.gz").read_bytes()
        ),
        "ASSETS_PACKAGE_ID": package_id(
            "assets_2.1", (out / "chaincode" / "assets_2.1.tar.gz").read_bytes()
        ),
    }
    assert _env_file(out) == expected


def test_each_package_is_ccaas_metadata_and_code(written: tuple[ComposePlan, Path]) -> None:
    _, out = written
    for definition in DEFINITIONS:
        package = _members((out / "chaincode" / f"{definition.label}.tar.gz").read_bytes())
        assert set(package) == {"metadata.json", "code.tar.gz"}
        metadata = json.loads(package["metadata.json"])
        assert metadata == {"label": definition.label, "type": "ccaas"}
        assert set(_members(package["code.tar.gz"])) == {"connection.json"}


def test_connection_points_at_the_container_with_mutual_tls(
    written: tuple[ComposePlan, Path],
) -> None:
    plan, out = written
    tls = ChaincodeTLS(out / "chaincode" / "tls")
    for slot, definition in enumerate(DEFINITIONS):
        connection = _connection(out, definition)
        assert connection["address"] == f"{definition.name}.chaincode:{_port(plan, slot)}"
        assert connection["tls_required"] is True
        assert connection["client_auth_required"] is True
        assert connection["root_cert"] == tls.ca_cert.read_text()
        assert connection["client_cert"] == tls.client_cert.read_text()
        assert connection["client_key"] == tls.client_key.read_text()


def test_chaincode_services_serve_tls_from_the_mounted_material(
    written: tuple[ComposePlan, Path],
) -> None:
    plan, out = written
    services = yaml.safe_load((out / "compose.yaml").read_text())["services"]
    for slot, definition in enumerate(DEFINITIONS):
        service = services[f"{definition.name}.chaincode"]
        env = service["environment"]
        assert "CHAINCODE_TLS_DISABLED" not in env
        assert env["CHAINCODE_TLS_CERT_FILE"] == f"{CONTAINER_CHAINCODE_TLS}/server.crt"
        assert env["CHAINCODE_TLS_KEY_FILE"] == f"{CONTAINER_CHAINCODE_TLS}/server.key"
        assert env["CHAINCODE_TLS_CLIENT_CACERT_FILE"] == f"{CONTAINER_CHAINCODE_TLS}/ca.crt"
        variable = f"{definition.name.upper()}_PACKAGE_ID"
        assert env["CHAINCODE_ID"].startswith(f"${{{variable}:?")
        assert env["CHAINCODE_SERVER_ADDRESS"] == f"0.0.0.0:{_port(plan, slot)}"
        assert service["volumes"] == [f"{out / 'chaincode' / 'tls'}:{CONTAINER_CHAINCODE_TLS}:ro"]
        key = (out / "chaincode" / "tls" / "server.key").stat()
        assert service["user"] == f"{key.st_uid}:{key.st_gid}"  # the key's owner reads it
    assert (out / "chaincode" / "tls" / "server.key").stat().st_mode & 0o777 == 0o600
    cli_mounts = [volume.split(":")[:2] for volume in services["cli"]["volumes"]]
    assert [str(out), "/etc/fabric-pilot/config"] in cli_mounts


def _dns_names(cert_file: Path) -> set[str]:
    cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return set(sans.get_values_for_type(x509.DNSName))


def test_server_certificate_names_every_chaincode_container(
    written: tuple[ComposePlan, Path],
) -> None:
    _, out = written
    names = _dns_names(out / "chaincode" / "tls" / "server.crt")
    assert names == {"localhost", "taxinvoice.chaincode", "assets.chaincode"}


def test_writing_twice_keeps_tls_files_and_package_ids(
    written: tuple[ComposePlan, Path],
) -> None:
    plan, out = written
    tls_before = _folder_bytes(out / "chaincode" / "tls")
    ids_before = _env_file(out)
    write_compose(plan, out, DEFINITIONS)
    assert _folder_bytes(out / "chaincode" / "tls") == tls_before
    assert _env_file(out) == ids_before


def test_a_chaincode_added_later_regenerates_the_server_certificate(tmp_path: Path) -> None:
    plan, out = _plan(tmp_path), tmp_path / "out"
    write_compose(plan, out, DEFINITIONS[:1])
    assert "assets.chaincode" not in _dns_names(out / "chaincode" / "tls" / "server.crt")
    write_compose(plan, out, DEFINITIONS)
    assert "assets.chaincode" in _dns_names(out / "chaincode" / "tls" / "server.crt")
    assert (
        _connection(out, DEFINITIONS[0])["root_cert"]
        == (out / "chaincode" / "tls" / "ca.crt").read_text()
    )


def test_native_material_keeps_its_loopback_names_only(tmp_path: Path) -> None:
    tls = ensure_chaincode_tls(tmp_path / "tls")
    assert _dns_names(tls.server_cert) == {"localhost"}
    assert _dns_names(tls.client_cert) == {"localhost"}
    assert tls.client_key.stat().st_mode & 0o777 == 0o600


@pytest.fixture
def served(written: tuple[ComposePlan, Path]) -> Iterator[tuple[ChaincodeServer, Path]]:
    _, out = written
    tls = ChaincodeTLS(out / "chaincode" / "tls")
    config = TlsConfig(
        tls.server_cert.read_bytes(), tls.server_key.read_bytes(), tls.ca_cert.read_bytes()
    )
    server = ChaincodeServer(
        SAMPLE_ASSETS, "127.0.0.1:0", _env_file(out)["ASSETS_PACKAGE_ID"], tls=config
    )
    server.start()
    try:
        yield server, out
    finally:
        server.stop(grace=0.2)


def _first_message(channel: grpc.Channel) -> Any:
    outbox: queue.Queue[Any] = queue.Queue()

    def requests() -> Iterator[Any]:
        yield from iter(outbox.get, None)

    stream = chaincode_shim_pb2_grpc.ChaincodeStub(channel).Connect(requests())
    try:
        return next(stream)
    finally:
        outbox.put(None)
        stream.cancel()


def _channel(connection: dict[str, Any], port: int, server_name: str) -> grpc.Channel:
    credentials = grpc.ssl_channel_credentials(
        root_certificates=connection["root_cert"].encode(),
        private_key=connection["client_key"].encode(),
        certificate_chain=connection["client_cert"].encode(),
    )
    options = [("grpc.ssl_target_name_override", server_name)]
    return grpc.secure_channel(f"127.0.0.1:{port}", credentials, options)


def test_peer_with_the_package_connection_registers_over_mutual_tls(
    served: tuple[ChaincodeServer, Path],
) -> None:
    server, out = served
    connection = _connection(out, DEFINITIONS[1])
    with _channel(connection, server.port, "assets.chaincode") as channel:
        register = _first_message(channel)
    assert register.type == MSG.REGISTER
    name = chaincode_pb2.ChaincodeID.FromString(register.payload).name
    assert name == _env_file(out)["ASSETS_PACKAGE_ID"]
    assert name.startswith("assets_2.1:")


def test_a_name_missing_from_the_certificate_fails_the_handshake(
    served: tuple[ChaincodeServer, Path],
) -> None:
    server, out = served
    connection = _connection(out, DEFINITIONS[1])
    channel = _channel(connection, server.port, "unknown.chaincode")
    with channel, pytest.raises(grpc.RpcError):
        _first_message(channel)
