"""fabric_ca.py without processes: identities, roles, commands, server config, stop order."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from fabric_pilot_network.fabric_ca import (
    ca_servers,
    enroll_command,
    identities,
    node_ou_config,
    register_command,
    server_config,
    server_init_command,
)
from fabric_pilot_network.fabric_home import FabricHome
from fabric_pilot_network.network import FabricNetwork
from fabric_pilot_network.processes import ProcessRecord
from fabric_pilot_network.topology import load_topology

HOME = FabricHome(Path("/fabric/bin"), Path("/fabric/config"), Path("/fabric/ccaas"), Path("/ca"))


@pytest.fixture
def network(tmp_path: Path) -> FabricNetwork:
    topology = load_topology("dev").with_crypto("fabric-ca")
    return FabricNetwork.create(tmp_path / "net", topology, HOME, 23000)


def test_pilot_users_get_the_roles_the_topology_names_and_nothing_else(tmp_path: Path) -> None:
    topology = load_topology("pilot").with_crypto("fabric-ca")
    network = FabricNetwork.create(tmp_path / "pilot", topology, HOME, 23000)
    roles = {
        identity.name: identity.roles
        for ca in ca_servers(network)[1:]
        for identity in identities(network, ca)
    }
    assert roles["Officer1@taxbureau.pilot.example"] == ("tax_officer",)
    assert roles["Auditor1@taxbureau.pilot.example"] == ("auditor",)
    assert roles["Operator1@gridoperator.pilot.example"] == ("meter_operator", "settlement")
    assert roles["Operator1@generator.pilot.example"] == ("meter_operator", "generator")
    assert roles["Admin@taxbureau.pilot.example"] == ()
    assert roles["peer0.taxbureau.pilot.example"] == ()


def test_one_ca_per_org_with_its_planned_ports(network: FabricNetwork) -> None:
    servers = ca_servers(network)
    assert [ca.host for ca in servers] == [
        "ca.example.com",
        "ca.org1.example.com",
        "ca.org2.example.com",
    ]
    for ca in servers:
        assert ca.port == network.ports.port(ca.host, "listen")
        assert ca.operations_port == network.ports.port(ca.host, "operations")
        assert ca.folder.is_relative_to(network.directory)
    assert servers[1].org_dir == network.layout.org_dir("Org1")


def test_identities_cover_admin_nodes_and_users_in_cryptogen_folders(
    network: FabricNetwork,
) -> None:
    orderer_ca, org1_ca, _ = ca_servers(network)
    org1 = identities(network, org1_ca)
    kinds = {identity.name: identity.kind for identity in org1}
    assert kinds == {
        "Admin@org1.example.com": "admin",
        "peer0.org1.example.com": "peer",
        "User1@org1.example.com": "client",
        "User2@org1.example.com": "client",
    }
    peer = next(identity for identity in org1 if identity.is_node)
    assert peer.folder == network.layout.node_dir("peer0.org1.example.com")
    assert peer.hosts == ("peer0.org1.example.com", "localhost", "127.0.0.1")
    user = next(identity for identity in org1 if identity.name.startswith("User2"))
    assert user.folder == network.layout.user_dir("Org1", "User2") and user.roles == ()
    ordering = {identity.name: identity.kind for identity in identities(network, orderer_ca)}
    assert ordering == {"Admin@example.com": "admin", "orderer0.example.com": "orderer"}


def test_register_carries_type_and_role_attribute_as_ecert(network: FabricNetwork) -> None:
    ca = ca_servers(network)[1]
    user = dataclasses.replace(identities(network, ca)[2], roles=("seller", "party"))
    assert "--id.attrs" not in register_command(HOME, ca, identities(network, ca)[2], "s").argv
    argv = register_command(HOME, ca, user, "s3cret").argv
    assert argv[0] == "/ca/fabric-ca-client" and argv[1] == "register"
    assert argv[argv.index("--id.type") + 1] == "client"
    assert argv[argv.index("--id.attrs") + 1] == "pilot.role=seller party:ecert"
    assert argv[argv.index("--tls.certfiles") + 1] == str(ca.root_cert)
    assert argv[argv.index("--url") + 1] == f"https://127.0.0.1:{ca.port}"
    assert argv[argv.index("--mspdir") + 1] == str(ca.registrar_home / "msp")


def test_admin_is_registered_as_a_registrar_of_clients(
    network: FabricNetwork, tmp_path: Path
) -> None:
    ca = ca_servers(network)[1]
    admin = identities(network, ca)[0]
    (tmp_path / "msp" / "signcerts").mkdir(parents=True)
    (tmp_path / "msp" / "signcerts" / "Admin-cert.pem").write_text("pem")
    argv = register_command(HOME, ca, admin, "pw", registrar_msp=tmp_path / "msp").argv
    attributes = argv[argv.index("--id.attrs") + 1].split(",")
    assert attributes == [
        "hf.Registrar.Roles=client",
        "hf.Registrar.Attributes=pilot.role",
        "hf.Revoker=true",
        "hf.GenCRL=true",
    ]
    assert argv[argv.index("--mspdir") + 1] == str(tmp_path / "msp")
    assert argv[argv.index("--mycertfile") + 1] == "signcerts/Admin-cert.pem"


def test_tls_enrolment_uses_the_tls_profile_and_sans(
    network: FabricNetwork, tmp_path: Path
) -> None:
    ca = ca_servers(network)[1]
    argv = enroll_command(
        HOME, ca, ("peer0", "pw"), tmp_path / "tls", hosts=("peer0", "localhost"), profile="tls"
    ).argv
    assert argv[argv.index("--url") + 1] == f"https://peer0:pw@127.0.0.1:{ca.port}"
    assert argv[argv.index("--enrollment.profile") + 1] == "tls"
    assert argv[argv.index("--csr.hosts") + 1] == "peer0,localhost"
    plain = enroll_command(HOME, ca, ("u", "p"), tmp_path / "msp").argv
    assert "--enrollment.profile" not in plain and "--csr.hosts" not in plain


def test_server_config_keeps_everything_on_loopback_and_in_the_folder(
    network: FabricNetwork,
) -> None:
    ca = ca_servers(network)[0]
    init = server_init_command(HOME, ca, "b00t").argv
    assert init[:2] == ("/ca/fabric-ca-server", "init")
    assert init[init.index("--boot") + 1] == "admin:b00t"
    document = server_config({"port": 7054, "operations": {"listenAddress": "127.0.0.1:9443"}}, ca)
    assert document["port"] == ca.port and document["address"] == "127.0.0.1"
    assert document["operations"]["listenAddress"] == f"127.0.0.1:{ca.operations_port}"
    assert document["tls"]["enabled"] is True
    assert Path(document["db"]["datasource"]).is_relative_to(network.directory)
    assert Path(document["tls"]["certfile"]).is_relative_to(network.directory)
    assert document["csr"]["hosts"] == [ca.host, "localhost", "127.0.0.1"]


def test_node_ou_config_points_every_ou_at_the_ca_cert() -> None:
    document = yaml.safe_load(node_ou_config("ca.org1.example.com-cert.pem"))["NodeOUs"]
    assert document["Enable"] is True
    units = {key: value for key, value in document.items() if key != "Enable"}
    assert {unit["OrganizationalUnitIdentifier"] for unit in units.values()} == {
        "client", "peer", "admin", "orderer",
    }  # fmt: skip
    assert {unit["Certificate"] for unit in units.values()} == {
        "cacerts/ca.org1.example.com-cert.pem"
    }


def test_nodes_are_signalled_first_then_chaincode_and_ca_servers(network: FabricNetwork) -> None:
    names = ["ca.org1.example.com", "peer0.org1.example.com", "chaincode-a", "orderer0.example.com"]
    names += ["ca.example.com", "peer0.org2.example.com"]
    network.processes = {name: ProcessRecord(name, 1, 1.0, ("x",), "log") for name in names}
    first, then = network._stop_phases()
    assert sorted(record.name for record in first) == [
        "orderer0.example.com", "peer0.org1.example.com", "peer0.org2.example.com",
    ]  # fmt: skip
    assert sorted(record.name for record in then) == [
        "ca.example.com", "ca.org1.example.com", "chaincode-a",
    ]  # fmt: skip
