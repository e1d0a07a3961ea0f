"""The only module that calls the network manager (fabric_pilot_network). Tests replace
these functions with fakes."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ._errors import EXIT_USAGE, CliError, NotAvailableError

if TYPE_CHECKING:
    from fabric_pilot_network.chaincode import DeployResult
    from fabric_pilot_network.chaincode_definitions import ChaincodeDefinition, Collection
    from fabric_pilot_network.fabric_home import FabricHome
    from fabric_pilot_network.network import FabricNetwork

Progress = Callable[[str], None]

__all__ = [
    "check_channel_update",
    "check_fabric_home",
    "create_network",
    "deploy_chaincode",
    "copy_samples",
    "install_fabric",
    "list_chaincodes",
    "load_collections",
    "load_definition",
    "available_definitions",
    "load_network",
    "optional_module",
    "package_chaincode",
    "publish_crl",
    "samples_dir",
    "verify_fabric_bin",
]


def optional_module(name: str, feature: str) -> ModuleType:
    """Import a module another part of fabric-pilot may not ship yet.

    Raises:
        NotAvailableError: the module is missing (exit 1).
    """
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            raise NotAvailableError(feature) from exc
        raise


def check_fabric_home(fabric_bin: Path | None, with_ca: bool = False) -> FabricHome:
    """Resolve and check the Fabric home.

    Raises:
        FabricHomeError: binaries missing or not 2.5.
    """
    from fabric_pilot_network.fabric_home import resolve_fabric_home

    home = resolve_fabric_home(fabric_bin, os.environ)
    home.check(with_ca=with_ca)
    return home


def create_network(
    directory: Path,
    topology: str,
    fabric_bin: Path | None,
    base_port: int,
    ca: bool,
    *,
    runtime: str = "native",
) -> tuple[FabricNetwork, Path | None]:
    """Plan a network; returns it and the topology file to copy (None for a named one).

    ``runtime`` is ``native`` (processes) or ``docker`` (containers of a compose project).

    Raises:
        TopologyError: bad topology. FabricHomeError: binaries missing.
        DockerRuntimeError: docker runtime without the Docker SDK, engine or Compose.
    """
    from fabric_pilot_network.network import FabricNetwork
    from fabric_pilot_network.topology import load_topology

    loaded = load_topology(topology)
    if ca:
        loaded = loaded.with_crypto("fabric-ca")
    kind: type[FabricNetwork] = FabricNetwork
    if runtime == "docker":
        if ca:
            raise CliError("--ca is not supported with --runtime docker yet", EXIT_USAGE)
        from fabric_pilot_network.docker_runtime import DockerNetwork, docker_client

        docker_client()
        kind = DockerNetwork
    home = check_fabric_home(fabric_bin, with_ca=loaded.crypto == "fabric-ca")
    source = Path(topology) if Path(topology).suffix else None
    return kind.create(directory, loaded, home, base_port), source


def load_network(directory: Path) -> FabricNetwork:
    """Open the network in ``directory``.

    Raises:
        NetworkError: no network there.
    """
    from fabric_pilot_network.network import FabricNetwork

    return FabricNetwork.load(directory)


def stopped_hint(directory: Path) -> str | None:
    """What to say when a call found the network unavailable, if its processes explain it.

    ``network is stopped: ...`` when nothing of the network in ``directory`` runs, a list of
    what is down when some of it does not run, None when all runs or there is no network.
    """
    if not (directory / "network.json").exists():
        return None
    statuses = load_network(directory).status(with_heights=False)
    down = [status.name for status in statuses if not status.running]
    if not down:
        return None
    if len(down) == len(statuses):
        return "network is stopped: run `fabric-pilot network start`"
    return f"{', '.join(down)} down: run `fabric-pilot network start`"


def load_definition(name: str) -> ChaincodeDefinition:
    """A chaincode definition by name or file."""
    from fabric_pilot_network.chaincode_definitions import load_definition as load

    return load(name)


def available_definitions() -> list[ChaincodeDefinition]:
    """Every shipped chaincode definition."""
    from fabric_pilot_network.chaincode_definitions import available_definitions as available

    return list(available())


def deploy_chaincode(
    network: FabricNetwork, definition: ChaincodeDefinition, progress: Progress
) -> DeployResult:
    """Deploy or upgrade a chaincode; returns a DeployResult."""
    from fabric_pilot_network.chaincode import deploy

    return deploy(network, definition, progress)


def list_chaincodes(network: FabricNetwork) -> list[dict[str, Any]]:
    """Committed chaincodes per channel and org."""
    from fabric_pilot_network.chaincode import list_chaincodes as listing

    return list(listing(network))


def package_chaincode(
    network: FabricNetwork, definition: ChaincodeDefinition
) -> tuple[bytes, str, str]:
    """The CCaaS package ``deploy`` would install: (bytes, package ID, server address).

    The address is the port the network gives the chaincode (a deployed one keeps its port).
    """
    from fabric_pilot_network.chaincode_tls import ensure_chaincode_tls
    from fabric_pilot_network.packaging import ccaas_package, package_id

    entry = network.chaincodes.get(definition.name)
    if entry:
        port = int(entry["port"])
    else:
        used = {int(item["port"]) for item in network.chaincodes.values()}
        port = next(port for port in network.ports.chaincode if port not in used)
    address = network.chaincode_address(definition.name, port)
    tls = ensure_chaincode_tls(
        network.directory / "chaincode" / "tls", network.chaincode_tls_names(definition.name)
    )
    data = ccaas_package(definition.label, address, tls)
    return data, package_id(definition.label, data), address


def install_fabric(
    mirror: str | None,
    build: bool,
    sources: tuple[Path, ...],
    progress: Progress,
    on_bytes: Callable[[str, int, int | None], None],
) -> Path:
    """Install (or reuse) the verified Fabric home in the per-user cache; returns the cache.

    Raises:
        InstallError: the cause and the ways out (exit 7).
    """
    from fabric_pilot_network.fabric_home import cache_root
    from fabric_pilot_network.install import InstallRequest
    from fabric_pilot_network.install import install_fabric as install

    root = cache_root(os.environ)
    install(root, InstallRequest(mirror, build, sources), progress=progress, on_bytes=on_bytes)
    return root


def verify_fabric_bin(fabric_bin: Path) -> str:
    """Check binaries a user already has; returns their Fabric version.

    Raises:
        InstallError: missing files or wrong versions (exit 7).
    """
    from fabric_pilot_network.install import verify_fabric_bin as verify

    return verify(fabric_bin, os.environ)


def samples_dir() -> Path:
    """The folder of the sample documents shipped with fabric-pilot."""
    from fabric_pilot_network.config_paths import samples_dir as folder

    return folder()


def copy_samples(target: Path) -> list[Path]:
    """Copy the samples into ``target``.

    Raises:
        FileExistsError: a file of that name is already there (nothing is copied).
    """
    from fabric_pilot_network.config_paths import copy_samples as copy

    return copy(target)


def check_channel_update(network: FabricNetwork, org: str) -> None:
    """Check that ``org`` can update its channels' config now (its peer and an orderer run).

    Raises:
        NetworkError: a node the update needs is not running.
    """
    from fabric_pilot_network.msp_revocation import check_ready

    check_ready(network, org)


def publish_crl(
    network: FabricNetwork, org: str, crl: bytes, progress: Progress
) -> list[dict[str, Any]]:
    """Put a CA's CRL into ``org``'s MSP on every channel of ``org``; per channel, the config
    block in force and whether this call made it.

    Raises:
        NetworkError: a node the update needs is not running.
        ChannelConfigError: a channel's config could not be read, changed or updated.
    """
    from fabric_pilot_network.msp_revocation import publish_revocation_list

    return [update.to_json() for update in publish_revocation_list(network, org, crl, progress)]


_CAMEL = {
    "requiredPeerCount": "required_peer_count",
    "maxPeerCount": "max_peer_count",
    "blockToLive": "block_to_live",
    "memberOnlyRead": "member_only_read",
    "memberOnlyWrite": "member_only_write",
    "endorsementPolicy": "endorsement_policy",
}


def load_collections(path: Path) -> tuple[Collection, ...]:
    """Private data collections from a YAML/JSON file: a list of collections (definition
    keys, or Fabric's collections-config keys), or a whole chaincode definition.

    Raises:
        ChaincodeDefinitionError: a collection is malformed.
    """
    import yaml

    from fabric_pilot_network.chaincode_definitions import (
        ChaincodeDefinitionError,
        Collection,
    )

    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(document, dict) and "collections" in document:
        document = document["collections"]
    if not isinstance(document, list):
        raise ChaincodeDefinitionError(f"{path}: expected a list of collections")
    collections = []
    for index, entry in enumerate(document):
        if not isinstance(entry, dict):
            raise ChaincodeDefinitionError(f"{path}: collections[{index}] must be a mapping")
        values: dict[str, Any] = {
            _CAMEL.get(str(key), str(key)): item for key, item in entry.items()
        }
        policy = values.get("endorsement_policy")
        if isinstance(policy, dict):
            values["endorsement_policy"] = policy.get("signaturePolicy")
        try:
            collections.append(Collection(**values))
        except TypeError as exc:
            raise ChaincodeDefinitionError(f"{path}: collections[{index}]: {exc}") from exc
    return tuple(collections)
