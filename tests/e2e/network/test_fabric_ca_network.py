"""``dev`` with crypto from running Fabric CA servers: enrolled identities, roles, stop/start, down.

Fabric comes from ``FABRIC_PILOT_FABRIC_BIN``; Fabric CA from the same folder,
``FABRIC_PILOT_FABRIC_CA_BIN`` or the per-user cache (``fabric-pilot install``).
"""

from __future__ import annotations

import json
import ssl
import urllib.request
from pathlib import Path

import pytest
from cryptography import x509

from fabric_pilot_network.commands import CommandError
from fabric_pilot_network.fabric_ca import (
    Identity,
    ca_servers,
    enroll_command,
    register_command,
)
from fabric_pilot_network.network import FabricNetwork
from fabric_pilot_network.processes import is_running
from fabric_pilot_network.pytest_plugin import NetworkFactory

pytestmark = pytest.mark.e2e
ATTRIBUTES_OID = x509.ObjectIdentifier("1.2.3.4.5.6.7.8.1")


@pytest.fixture(scope="module")
def ca_network(fabric_network_factory: NetworkFactory) -> FabricNetwork:
    return fabric_network_factory("dev", crypto="fabric-ca")


def _load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _signing_cert(folder: Path) -> x509.Certificate:
    (cert,) = (folder / "msp" / "signcerts").glob("*.pem")
    return _load(cert)


def _attributes(cert: x509.Certificate) -> dict[str, str]:
    extension = cert.extensions.get_extension_for_oid(ATTRIBUTES_OID).value
    assert isinstance(extension, x509.UnrecognizedExtension)
    attrs: dict[str, str] = json.loads(extension.value)["attrs"]
    return attrs


def _ou(cert: x509.Certificate) -> list[str]:
    return [
        str(a.value)
        for a in cert.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATIONAL_UNIT_NAME)
    ]


def test_every_user_is_issued_by_the_org_msp_root_and_carries_its_role(
    ca_network: FabricNetwork,
) -> None:
    layout = ca_network.layout
    for org in ca_network.topology.orgs:
        (root_file,) = (layout.org_msp(org.name) / "cacerts").glob("*.pem")
        root = _load(root_file)
        for user in ("Admin", *org.users):
            cert = _signing_cert(layout.user_dir(org.name, user))
            cert.verify_directly_issued_by(root)
            attributes = _attributes(cert)
            roles = org.roles_of(user)
            assert attributes.get("pilot.role") == (" ".join(roles) if roles else None)
            assert attributes["hf.EnrollmentID"] == f"{user}@{org.domain}"
            assert _ou(cert) == (["admin"] if user == "Admin" else ["client"])


def test_nodes_have_peer_or_orderer_ou_and_tls_with_loopback_sans(
    ca_network: FabricNetwork,
) -> None:
    layout = ca_network.layout
    for host in ca_network.node_names():
        kind = "orderer" if ca_network.is_orderer(host) else "peer"
        tls_dir = layout.node_dir(host) / "tls"
        server = _load(tls_dir / "server.crt")
        server.verify_directly_issued_by(_load(tls_dir / "ca.crt"))
        sans = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert host in sans.get_values_for_type(x509.DNSName)
        assert "localhost" in sans.get_values_for_type(x509.DNSName)
        assert [str(ip) for ip in sans.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
        assert _ou(_signing_cert(layout.node_dir(host))) == [kind]


def test_org_msp_enables_node_ous_on_its_ca_cert(ca_network: FabricNetwork) -> None:
    for org in ca_network.topology.orgs:
        msp = ca_network.layout.org_msp(org.name)
        config = (msp / "config.yaml").read_text()
        (cert,) = (msp / "cacerts").glob("*.pem")
        assert f"Certificate: cacerts/{cert.name}" in config
        assert "OrganizationalUnitIdentifier: admin" in config


def test_channel_is_up_on_ca_issued_crypto(ca_network: FabricNetwork) -> None:
    nodes = [status for status in ca_network.status() if status.kind in ("orderer", "peer")]
    assert {status.kind for status in ca_network.status()} == {"orderer", "peer", "ca"}
    heights = {status.name: status.heights["mychannel"] for status in nodes}
    assert min(heights.values()) >= 1


def test_ca_rest_api_answers_over_tls_trusting_ca_tls_pem(ca_network: FabricNetwork) -> None:
    for ca in ca_servers(ca_network):
        context = ssl.create_default_context(cafile=str(ca.org_dir / "ca-tls.pem"))
        with urllib.request.urlopen(f"{ca.url}/cainfo", context=context, timeout=5) as reply:
            body = json.loads(reply.read())
        assert body["success"] is True
        assert body["result"]["CAName"] == ca.host


def test_profiles_name_the_org_ca(ca_network: FabricNetwork) -> None:
    for org in ca_network.topology.orgs:
        profile = json.loads((ca_network.directory / "profiles" / f"{org.name}.json").read_text())
        port = ca_network.ports.port(org.ca_name, "listen")
        assert profile["certificateAuthorities"][org.ca_name]["url"] == f"https://127.0.0.1:{port}"


def test_org_admin_registers_a_new_user_with_a_role(ca_network: FabricNetwork) -> None:
    ca = ca_servers(ca_network)[1]
    org = ca_network.topology.org(ca.org_name)
    folder = ca_network.directory / "extra" / "Clerk7"
    clerk = Identity(f"Clerk7@{org.domain}", "client", folder, (), ("clerk",))
    admin_msp = ca_network.layout.user_dir(org.name, "Admin") / "msp"
    home = ca_network.home
    ca_network.run(register_command(home, ca, clerk, "clerk-pw", registrar_msp=admin_msp))
    ca_network.run(enroll_command(home, ca, (clerk.name, "clerk-pw"), folder / "msp"))
    cert = _load(folder / "msp" / "signcerts" / "cert.pem")
    (root_file,) = (ca_network.layout.org_msp(org.name) / "cacerts").glob("*.pem")
    cert.verify_directly_issued_by(_load(root_file))
    assert _attributes(cert)["pilot.role"] == "clerk"
    peer_kind = Identity(f"Rogue@{org.domain}", "peer", folder / "rogue", ())
    with pytest.raises(CommandError):
        ca_network.run(register_command(home, ca, peer_kind, "pw", registrar_msp=admin_msp))


def test_stop_stops_cas_last_and_start_brings_them_back(ca_network: FabricNetwork) -> None:
    cas = [ca.host for ca in ca_servers(ca_network)]
    stopped = ca_network.stop()
    assert sorted(stopped[-len(cas) :]) == sorted(cas)
    assert not ca_network.is_running()
    reloaded = FabricNetwork.load(ca_network.directory)
    reloaded.start()
    assert all(is_running(reloaded.processes[name]) for name in [*cas, *reloaded.node_names()])
    ca_network.processes = reloaded.processes


def test_down_leaves_no_process(ca_network: FabricNetwork) -> None:
    records = list(ca_network.processes.values())
    assert len(records) == len(ca_network.node_names()) + len(ca_servers(ca_network))
    ca_network.down()
    assert not any(is_running(record) for record in records)
    # down removes what fabric-pilot wrote and keeps what the tests wrote ("extra")
    assert {entry.name for entry in ca_network.directory.iterdir()} <= {"extra"}
