"""CAs, CRLs, channel configs and a fake ``peer``/``configtxlator`` runner for config updates."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fabric_protos.common import common_pb2, configtx_pb2
from fabric_protos.msp import msp_config_pb2

from fabric_pilot_network.commands import Command, CommandResult, Runner, run_command
from fabric_pilot_network.fabric_home import FabricHome
from fabric_pilot_network.network import FabricNetwork
from fabric_pilot_network.topology import load_topology

HOME = FabricHome(Path("/fabric/bin"), Path("/fabric/config"), Path("/fabric/ccaas"))

NOW = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class FakeCa:
    """A self-signed CA: its key and certificate."""

    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @property
    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def crl(self, *serials: int, at: datetime.datetime = NOW) -> bytes:
        """A PEM CRL of ``serials`` signed by this CA, with its authority key identifier."""
        ski = x509.SubjectKeyIdentifier.from_public_key(self.key.public_key())
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.certificate.subject)
            .last_update(at)
            .next_update(at + datetime.timedelta(days=1))
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), False
            )
        )
        for serial in serials:
            revoked = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(at)
            builder = builder.add_revoked_certificate(revoked.build())
        crl = builder.sign(self.key, hashes.SHA256())
        return crl.public_bytes(serialization.Encoding.PEM)


def make_ca(common_name: str) -> FakeCa:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(NOW - datetime.timedelta(days=1))
        .not_valid_after(NOW + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    return FakeCa(key, certificate)


def msp_value(msp_id: str, roots: list[bytes], crls: tuple[bytes, ...] = ()) -> bytes:
    fabric = msp_config_pb2.FabricMSPConfig(
        name=msp_id, root_certs=roots, revocation_list=list(crls)
    )
    return msp_config_pb2.MSPConfig(type=0, config=fabric.SerializeToString()).SerializeToString()


def channel_config(orgs: dict[str, FakeCa]) -> Any:
    """A ``Config`` with an Application group holding one MSP value per org (``Org1MSP``...)."""
    config = configtx_pb2.Config(sequence=0)
    application = config.channel_group.groups["Application"]
    application.mod_policy = "Admins"
    for name, ca in orgs.items():
        group = application.groups[name]
        group.mod_policy = "Admins"
        value = group.values["MSP"]
        value.mod_policy = "Admins"
        value.value = msp_value(f"{name}MSP", [ca.pem])
    return config


def config_block(number: int, config: Any, kind: int = common_pb2.CONFIG) -> bytes:
    """A serialised block carrying ``config`` in a CONFIG envelope."""
    header = common_pb2.ChannelHeader(type=kind, channel_id="mychannel")
    payload = common_pb2.Payload(
        header=common_pb2.Header(channel_header=header.SerializeToString()),
        data=configtx_pb2.ConfigEnvelope(config=config).SerializeToString(),
    )
    envelope = common_pb2.Envelope(payload=payload.SerializeToString())
    block = common_pb2.Block()
    block.header.number = number
    block.data.data.append(envelope.SerializeToString())
    data: bytes = block.SerializeToString()
    return data


def revocation_list(config: Any, org: str) -> list[bytes]:
    value = config.channel_group.groups["Application"].groups[org].values["MSP"].value
    msp = msp_config_pb2.MSPConfig.FromString(value)
    return list(msp_config_pb2.FabricMSPConfig.FromString(msp.config).revocation_list)


@dataclass
class FakeChannel:
    """One channel as the tools see it: the latest config block and the height.

    ``peer channel update`` makes the last ``configtxlator compute_update`` input the new
    config, committed in a new block.
    """

    config: Any
    config_number: int = 0
    height: int = 5
    commands: list[Command] = field(default_factory=list)
    envelopes: list[bytes] = field(default_factory=list)
    pending: Any = None

    def __call__(self, command: Command) -> CommandResult:
        self.commands.append(command)
        argv = command.argv
        if command.name == "peer channel fetch config":
            Path(argv[4]).write_bytes(config_block(self.config_number, self.config))
        elif command.name == "configtxlator compute_update":
            updated = Path(argv[argv.index("--updated") + 1]).read_bytes()
            self.pending = configtx_pb2.Config.FromString(updated)
            Path(argv[argv.index("--output") + 1]).write_bytes(b"config-update")
        elif command.name == "peer channel update":
            self.envelopes.append(Path(argv[argv.index("-f") + 1]).read_bytes())
            self.config, self.config_number = self.pending, self.height
            self.height += 1
        elif command.name == "peer channel getinfo":
            return CommandResult(0, "Blockchain info: " + json.dumps({"height": self.height}), "")
        return CommandResult(0, "", "")

    def names(self) -> list[str]:
        return [command.name for command in self.commands]


def planned_network(folder: Path, runner: Runner = run_command) -> FabricNetwork:
    """A planned ``dev`` network with just the orderer TLS CA file its peer commands name."""
    network = FabricNetwork.create(folder, load_topology("dev"), HOME, 23000, runner)
    tls_cas = network.layout.org_msp(network.topology.orderer_org.name) / "tlscacerts"
    tls_cas.mkdir(parents=True)
    (tls_cas / "tlsca.example.com-cert.pem").write_bytes(b"tls ca")
    return network
