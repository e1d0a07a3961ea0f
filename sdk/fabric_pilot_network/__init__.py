"""Native Fabric network manager: topology, crypto, node configs, processes, chaincode.

Typical use::

    network = FabricNetwork.create(directory, load_topology("dev"), resolve_fabric_home(None))
    network.up()
    deploy(network, load_definition("sample_assets"))
    network.down()

The public names below are imported from their modules on first use (PEP 562), so importing
the package (or ``fabric_pilot_network.errors``) is cheap. Error classes: ``errors``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .chaincode import DeployResult, deploy, deploy_many
    from .chaincode_definitions import ChaincodeDefinition, load_definition
    from .errors import (
        ChaincodeDefinitionError,
        ChaincodeError,
        ChannelConfigError,
        ChannelNotInNetworkError,
        DockerRuntimeError,
        FabricCaError,
        FabricHomeError,
        FolderNotEmptyError,
        InstallError,
        NetworkError,
        NetworkExistsError,
        NodeNotRunningError,
        NoNetworkError,
        PortClashError,
        TopologyError,
        UnknownChaincodeError,
        UnknownProcessError,
        UnknownTopologyError,
    )
    from .fabric_home import FabricHome, resolve_fabric_home
    from .network import FabricNetwork, NodeStatus
    from .ports import free_base_port
    from .topology import Topology, load_topology

_MODULE_OF = {
    "ChaincodeDefinition": ".chaincode_definitions",
    "ChaincodeDefinitionError": ".errors",
    "ChaincodeError": ".errors",
    "ChannelConfigError": ".errors",
    "ChannelNotInNetworkError": ".errors",
    "DeployResult": ".chaincode",
    "DockerRuntimeError": ".errors",
    "FabricCaError": ".errors",
    "FabricHome": ".fabric_home",
    "FabricHomeError": ".errors",
    "FabricNetwork": ".network",
    "FolderNotEmptyError": ".errors",
    "InstallError": ".errors",
    "NetworkError": ".errors",
    "NetworkExistsError": ".errors",
    "NoNetworkError": ".errors",
    "NodeNotRunningError": ".errors",
    "NodeStatus": ".network",
    "PortClashError": ".errors",
    "Topology": ".topology",
    "TopologyError": ".errors",
    "UnknownChaincodeError": ".errors",
    "UnknownProcessError": ".errors",
    "UnknownTopologyError": ".errors",
    "deploy": ".chaincode",
    "deploy_many": ".chaincode",
    "free_base_port": ".ports",
    "load_definition": ".chaincode_definitions",
    "load_topology": ".topology",
    "resolve_fabric_home": ".fabric_home",
}

__all__ = [
    "ChaincodeDefinition",
    "ChaincodeDefinitionError",
    "ChaincodeError",
    "ChannelConfigError",
    "ChannelNotInNetworkError",
    "DeployResult",
    "DockerRuntimeError",
    "FabricCaError",
    "FabricHome",
    "FabricHomeError",
    "FabricNetwork",
    "FolderNotEmptyError",
    "InstallError",
    "NetworkError",
    "NetworkExistsError",
    "NoNetworkError",
    "NodeNotRunningError",
    "NodeStatus",
    "PortClashError",
    "Topology",
    "TopologyError",
    "UnknownChaincodeError",
    "UnknownProcessError",
    "UnknownTopologyError",
    "deploy",
    "deploy_many",
    "free_base_port",
    "load_definition",
    "load_topology",
    "resolve_fabric_home",
]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
