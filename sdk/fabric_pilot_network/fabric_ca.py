"""Crypto material from running Fabric CA servers instead of cryptogen.

One ``fabric-ca-server`` per organisation (the ordering organisation included) runs as a
process of the network, on 127.0.0.1 with TLS, its SQLite database and configuration under
``DIR/ca/<ca host>/server``. Its bootstrap registrar (a random password used once; its
enrolment is kept in ``DIR/ca/<ca host>/registrar``) registers and enrols, through the CA's
REST API and the ``fabric-ca-client`` tool:

* ``Admin`` as identity type ``admin`` (the NodeOU admin of the organisation), also a
  registrar of ``client`` identities that may set ``pilot.role``, revoke and generate CRLs;
* every peer (type ``peer``) and orderer (type ``orderer``), with TLS certificates from the
  CA's ``tls`` signing profile carrying the SANs ``<host>, localhost, 127.0.0.1``;
* every user of the topology (type ``client``).

Every user the topology gives roles (``roles: {User: [role, ...]}``) carries the ecert
attribute ``pilot.role`` with those roles, space separated; other identities carry none and
get no role-gated right from the contracts (default deny).

The result is the folder tree cryptogen writes (see :mod:`.crypto`), plus
``<org dir>/ca-tls.pem``: the CA server's TLS certificate followed by the CA certificate that
issued it, to trust when talking to the CA. Since one CA issues both enrolment and TLS
certificates, ``tlscacerts`` hold the same root as ``cacerts``.
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .commands import Command, clean_environment
from .crypto import LOOPBACK_SANS
from .errors import FabricCaError
from .fabric_home import FabricHome
from .processes import ProcessRecord, is_running, spawn, tail

if TYPE_CHECKING:
    from collections.abc import Callable

    from .network import FabricNetwork

__all__ = [
    "CaServer",
    "FabricCaError",
    "Identity",
    "ca_servers",
    "enroll_command",
    "generate_with_fabric_ca",
    "identities",
    "node_ou_config",
    "register_command",
    "server_config",
    "server_init_command",
    "start_ca_servers",
]

REGISTRAR = "admin"
ROLE_ATTRIBUTE = "pilot.role"


@dataclass(frozen=True)
class CaServer:
    """The Fabric CA of one organisation: where it lives and listens, where its org writes."""

    org_name: str
    domain: str
    host: str
    port: int
    operations_port: int
    folder: Path
    org_dir: Path

    @property
    def server_dir(self) -> Path:
        """The server's home (config, CA certificate and key, SQLite database)."""
        return self.folder / "server"

    @property
    def registrar_home(self) -> Path:
        """The fabric-ca-client home of the bootstrap registrar."""
        return self.folder / "registrar"

    @property
    def url(self) -> str:
        """The CA's REST API address."""
        return f"https://127.0.0.1:{self.port}"

    @property
    def root_cert(self) -> Path:
        """The CA certificate (root of enrolment and TLS certificates)."""
        return self.server_dir / "ca-cert.pem"

    @property
    def tls_cert(self) -> Path:
        """The server's own TLS certificate, issued by the CA at first start."""
        return self.server_dir / "tls-cert.pem"


@dataclass(frozen=True)
class Identity:
    """One identity to register and enrol: its type, attributes and target folder."""

    name: str
    kind: str
    folder: Path
    hosts: tuple[str, ...]
    roles: tuple[str, ...] = ()

    @property
    def is_node(self) -> bool:
        """Peers and orderers get ``tls/server.*``; users get ``tls/client.*``."""
        return self.kind in ("peer", "orderer")


def ca_servers(network: FabricNetwork) -> list[CaServer]:
    """The CAs of a network: the ordering organisation's first, then each peer org's."""
    topology = network.topology
    orgs: list[tuple[str, str, str]] = [
        (topology.orderer_org.name, topology.orderer_org.domain, topology.orderer_org.ca_name)
    ]
    orgs += [(org.name, org.domain, org.ca_name) for org in topology.orgs]
    return [
        CaServer(
            org_name=name,
            domain=domain,
            host=host,
            port=network.ports.port(host, "listen"),
            operations_port=network.ports.port(host, "operations"),
            folder=network.directory / "ca" / host,
            org_dir=network.layout.org_dir(name),
        )
        for name, domain, host in orgs
    ]


def identities(network: FabricNetwork, ca: CaServer) -> list[Identity]:
    """Admin, nodes and users of the CA's organisation, with their crypto folders."""
    layout = network.layout
    orderer_org = network.topology.orderer_org
    admin = Identity(
        f"Admin@{ca.domain}",
        "admin",
        layout.user_dir(ca.org_name, "Admin"),
        (f"Admin@{ca.domain}",),
    )
    if ca.org_name == orderer_org.name:
        nodes = [
            Identity(host, "orderer", layout.node_dir(host), (host, *LOOPBACK_SANS))
            for host in orderer_org.orderer_names
        ]
        return [admin, *nodes]
    org = network.topology.org(ca.org_name)
    peers = [
        Identity(host, "peer", layout.node_dir(host), (host, *LOOPBACK_SANS))
        for host in org.peer_names
    ]
    users = [
        Identity(
            f"{user}@{ca.domain}",
            "client",
            layout.user_dir(org.name, user),
            (f"{user}@{ca.domain}",),
            org.roles_of(user),
        )
        for user in org.users
    ]
    return [admin, *peers, *users]


# ----------------------------------------------------------------------------- commands


def server_init_command(home: FabricHome, ca: CaServer, registrar_secret: str) -> Command:
    """``fabric-ca-server init``: writes the default config and makes the CA certificate."""
    return Command(
        (
            home.tool("fabric-ca-server"),
            "init",
            "--home",
            str(ca.server_dir),
            "--boot",
            f"{REGISTRAR}:{registrar_secret}",
            "--ca.name",
            ca.host,
            "--csr.cn",
            ca.host,
            "--csr.hosts",
            ",".join((ca.host, *LOOPBACK_SANS)),
        )
    )


def _client(home: FabricHome, ca: CaServer, *args: str) -> Command:
    return Command(
        (
            home.tool("fabric-ca-client"),
            *args,
            "--home",
            str(ca.registrar_home),
            "--tls.certfiles",
            str(ca.root_cert),
            "--caname",
            ca.host,
        )
    )


def enroll_command(
    home: FabricHome,
    ca: CaServer,
    user: tuple[str, str],
    msp_dir: Path,
    *,
    hosts: tuple[str, ...] = (),
    profile: str | None = None,
) -> Command:
    """``fabric-ca-client enroll`` of ``user`` (name, secret) into ``msp_dir``."""
    name, secret = user
    args = [
        "enroll",
        "--url",
        f"https://{name}:{secret}@127.0.0.1:{ca.port}",
        "--mspdir",
        str(msp_dir),
    ]
    if hosts:
        args += ["--csr.hosts", ",".join(hosts)]
    if profile:
        args += ["--enrollment.profile", profile]
    return _client(home, ca, *args)


def _registrar_args(ca: CaServer, registrar_msp: Path | None) -> list[str]:
    if registrar_msp is None:
        return ["--mspdir", str(ca.registrar_home / "msp")]
    certificate = next((registrar_msp / "signcerts").glob("*.pem"))
    relative = certificate.relative_to(registrar_msp)
    return ["--mspdir", str(registrar_msp), "--mycertfile", str(relative)]


def register_command(
    home: FabricHome,
    ca: CaServer,
    identity: Identity,
    secret: str,
    registrar_msp: Path | None = None,
) -> Command:
    """``fabric-ca-client register`` of ``identity`` by a registrar (the bootstrap one by default).

    ``registrar_msp`` is the MSP folder of another registrar, such as an org's ``Admin``.

    The organisation's ``Admin`` is made a registrar of ``client`` identities that may give
    the ``pilot.role`` attribute, revoke and generate CRLs.
    """
    attributes = [f"{ROLE_ATTRIBUTE}={' '.join(identity.roles)}:ecert"] if identity.roles else []
    if identity.kind == "admin":
        attributes += [
            "hf.Registrar.Roles=client",
            f"hf.Registrar.Attributes={ROLE_ATTRIBUTE}",
            "hf.Revoker=true",
            "hf.GenCRL=true",
        ]
    return _client(
        home,
        ca,
        "register",
        "--url",
        ca.url,
        *_registrar_args(ca, registrar_msp),
        "--id.name",
        identity.name,
        "--id.secret",
        secret,
        "--id.type",
        identity.kind,
        *(("--id.attrs", ",".join(attributes)) if attributes else ()),
    )


# ----------------------------------------------------------------------------- server


def server_config(
    document: dict[str, Any], ca: CaServer, bind_host: str = "127.0.0.1"
) -> dict[str, Any]:
    """Override the ``init`` config: address and ports, TLS, paths in the CA's folder.

    ``bind_host`` is 127.0.0.1 for a native CA (0.0.0.0 inside a container).
    """
    document["port"] = ca.port
    document["address"] = bind_host
    document["tls"] = {
        "enabled": True,
        "certfile": str(ca.tls_cert),
        "keyfile": None,
        "clientauth": {"type": "noclientcert", "certfiles": None},
    }
    document.setdefault("ca", {})["name"] = ca.host
    document.setdefault("db", {}).update(
        {"type": "sqlite3", "datasource": str(ca.server_dir / "fabric-ca-server.db")}
    )
    csr = document.setdefault("csr", {})
    csr["cn"] = ca.host
    csr["hosts"] = [ca.host, *LOOPBACK_SANS]
    operations = document.setdefault("operations", {})
    operations["listenAddress"] = f"{bind_host}:{ca.operations_port}"
    document.setdefault("metrics", {})["provider"] = "disabled"
    return document


def _init_server(network: FabricNetwork, ca: CaServer, registrar_secret: str) -> None:
    ca.server_dir.mkdir(parents=True, exist_ok=True)
    network.run(server_init_command(network.home, ca, registrar_secret))
    config_file = ca.server_dir / "fabric-ca-server-config.yaml"
    document = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    config_file.write_text(
        yaml.safe_dump(server_config(document, ca), sort_keys=False), encoding="utf-8"
    )


def _spawn_server(network: FabricNetwork, ca: CaServer) -> ProcessRecord:
    argv = [network.home.tool("fabric-ca-server"), "start", "--home", str(ca.server_dir)]
    record = spawn(ca.host, argv, clean_environment({}), network.log_file(ca.host))
    network.processes[ca.host] = record
    return record


def _wait_ready(record: ProcessRecord, ca: CaServer, timeout: float = 30.0) -> None:
    url = f"http://127.0.0.1:{ca.operations_port}/healthz"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not is_running(record):
            raise FabricCaError(f"{ca.host} exited during start-up:\n{tail(record, 15)}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(url, timeout=2) as response,
        ):
            if response.status == 200 and ca.tls_cert.exists():
                return
        time.sleep(0.1)
    raise FabricCaError(f"{ca.host} not ready after {timeout:.0f}s:\n{tail(record, 15)}")


def start_ca_servers(network: FabricNetwork, progress: Callable[[str], None]) -> None:
    """Start the CA servers of a ``fabric-ca`` network that are not running; wait for each.

    Raises:
        FabricCaError: a CA server exited or did not answer in time.
    """
    if network.topology.crypto != "fabric-ca":
        return
    waiting = []
    for ca in ca_servers(network):
        if not network.node_running(ca.host):
            progress(f"starting {ca.host}")
            waiting.append((_spawn_server(network, ca), ca))
    network.save()
    for record, ca in waiting:
        _wait_ready(record, ca)


# ----------------------------------------------------------------------------- crypto tree


def node_ou_config(ca_cert_name: str) -> str:
    """An MSP ``config.yaml`` enabling NodeOUs client/peer/admin/orderer on ``cacerts/NAME``."""
    certificate = f"cacerts/{ca_cert_name}"

    def unit(name: str) -> dict[str, str]:
        return {"Certificate": certificate, "OrganizationalUnitIdentifier": name}

    document = {
        "NodeOUs": {
            "Enable": True,
            "ClientOUIdentifier": unit("client"),
            "PeerOUIdentifier": unit("peer"),
            "AdminOUIdentifier": unit("admin"),
            "OrdererOUIdentifier": unit("orderer"),
        }
    }
    return yaml.safe_dump(document, sort_keys=False)


def _names(ca: CaServer) -> tuple[str, str]:
    return f"ca.{ca.domain}-cert.pem", f"tlsca.{ca.domain}-cert.pem"


def _write_verifying_msp(msp: Path, ca: CaServer) -> None:
    ca_name, tls_name = _names(ca)
    root = ca.root_cert.read_bytes()
    for folder, name in (("cacerts", ca_name), ("tlscacerts", tls_name)):
        (msp / folder).mkdir(parents=True, exist_ok=True)
        (msp / folder / name).write_bytes(root)
    (msp / "config.yaml").write_text(node_ou_config(ca_name), encoding="utf-8")


def _tidy_signing_msp(msp: Path, ca: CaServer, identity: Identity) -> None:
    for stale in [*msp.joinpath("cacerts").iterdir(), *msp.glob("Issuer*")]:
        stale.unlink()
    shutil.rmtree(msp / "user", ignore_errors=True)
    _write_verifying_msp(msp, ca)
    keys = list((msp / "keystore").iterdir())
    keys[0].rename(msp / "keystore" / "priv_sk")
    (msp / "signcerts" / "cert.pem").rename(msp / "signcerts" / f"{identity.name}-cert.pem")


def _move_tls(scratch: Path, identity: Identity) -> None:
    tls = identity.folder / "tls"
    tls.mkdir(parents=True, exist_ok=True)
    prefix = "server" if identity.is_node else "client"
    shutil.move(next((scratch / "keystore").iterdir()), tls / f"{prefix}.key")
    shutil.move(scratch / "signcerts" / "cert.pem", tls / f"{prefix}.crt")
    shutil.move(next((scratch / "tlscacerts").iterdir()), tls / "ca.crt")
    shutil.rmtree(scratch)


def _write_org_tree(ca: CaServer) -> None:
    ca_name, tls_name = _names(ca)
    _write_verifying_msp(ca.org_dir / "msp", ca)
    for folder, name in (("ca", ca_name), ("tlsca", tls_name)):
        (ca.org_dir / folder).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ca.root_cert, ca.org_dir / folder / name)
    chain = ca.tls_cert.read_text(encoding="utf-8") + ca.root_cert.read_text(encoding="utf-8")
    (ca.org_dir / "ca-tls.pem").write_text(chain, encoding="utf-8")


def _enrol_identity(network: FabricNetwork, ca: CaServer, identity: Identity) -> None:
    secret = secrets.token_hex(12)
    network.run(register_command(network.home, ca, identity, secret))
    user = (identity.name, secret)
    msp = identity.folder / "msp"
    network.run(enroll_command(network.home, ca, user, msp, hosts=identity.hosts))
    _tidy_signing_msp(msp, ca, identity)
    scratch = identity.folder / "tls-enrolment"
    network.run(
        enroll_command(network.home, ca, user, scratch, hosts=identity.hosts, profile="tls")
    )
    _move_tls(scratch, identity)


def _enrol_org(network: FabricNetwork, ca: CaServer, registrar_secret: str) -> None:
    registrar = (REGISTRAR, registrar_secret)
    network.run(enroll_command(network.home, ca, registrar, ca.registrar_home / "msp"))
    _write_org_tree(ca)
    for identity in identities(network, ca):
        _enrol_identity(network, ca, identity)


def generate_with_fabric_ca(network: FabricNetwork) -> None:
    """Start every organisation's CA, then register and enrol every identity of the topology.

    The CA processes are recorded in ``network.processes`` under the CA host names.

    Raises:
        FabricCaError: a CA server did not start.
        CommandError: a ``fabric-ca-server``/``fabric-ca-client`` call failed.
    """
    servers = ca_servers(network)
    registrar_secrets = {ca.host: secrets.token_hex(16) for ca in servers}
    for ca in servers:
        _init_server(network, ca, registrar_secrets[ca.host])
    start_ca_servers(network, lambda _message: None)
    with ThreadPoolExecutor(max_workers=4) as pool:
        jobs = [pool.submit(_enrol_org, network, ca, registrar_secrets[ca.host]) for ca in servers]
        for future in jobs:
            future.result()
