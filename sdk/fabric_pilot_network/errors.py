"""Every error the network manager raises, in one module that imports nothing heavy.

Error tree::

    ValueError
    ├── TopologyError                a topology file is missing, malformed or inconsistent
    │   └── UnknownTopologyError     no topology of that name
    └── ChaincodeDefinitionError     a chaincode definition is missing or invalid
        └── UnknownChaincodeError    no chaincode definition of that name
    RuntimeError
    ├── NetworkError                 a network step or node failed (message: node, log tail)
    │   ├── NoNetworkError           the folder holds no network
    │   ├── NetworkExistsError       the folder already holds a network
    │   ├── UnknownProcessError      no node or chaincode server of that name
    │   └── NodeNotRunningError      a node the step needs is not running
    ├── ChaincodeError               deploying or querying chaincode failed
    │   └── ChannelNotInNetworkError the definition's channel is not in the topology
    ├── CommandError                 a Fabric tool exited non-zero (in ``commands``: it
    │                                carries the command and its result)
    ├── ChannelConfigError           a channel config could not be read, changed or applied
    ├── FabricCaError                a Fabric CA server did not start or an enrolment failed
    ├── FabricHomeError              the Fabric binaries are missing, incomplete or wrong
    │   └── InstallError             installing or verifying the Fabric binaries failed
    ├── FolderNotEmptyError          ``up`` was given a folder holding files not its own
    ├── PortClashError               a port the network needs is taken
    └── DockerRuntimeError           Docker is missing or a container step failed

Callers decide by class (the CLI maps each class to an exit code), never by message.
"""

from __future__ import annotations

__all__ = [
    "ChaincodeDefinitionError",
    "ChaincodeError",
    "ChannelConfigError",
    "ChannelNotInNetworkError",
    "DockerRuntimeError",
    "FabricCaError",
    "FabricHomeError",
    "FolderNotEmptyError",
    "InstallError",
    "NetworkError",
    "NetworkExistsError",
    "NoNetworkError",
    "NodeNotRunningError",
    "PortClashError",
    "TopologyError",
    "UnknownChaincodeError",
    "UnknownProcessError",
    "UnknownTopologyError",
]


class TopologyError(ValueError):
    """A topology file is missing, malformed or inconsistent."""


class UnknownTopologyError(TopologyError):
    """No topology has that name."""


class ChaincodeDefinitionError(ValueError):
    """A chaincode definition file is missing or invalid."""


class UnknownChaincodeError(ChaincodeDefinitionError):
    """No chaincode definition has that name."""


class NetworkError(RuntimeError):
    """A network operation failed; the message says which node or step, with its log tail."""


class NoNetworkError(NetworkError):
    """The network folder holds no network (run ``fabric-pilot network up``)."""


class NetworkExistsError(NetworkError):
    """The network folder already holds a network (run ``fabric-pilot network down``)."""


class UnknownProcessError(NetworkError):
    """No node or chaincode server has that name."""


class NodeNotRunningError(NetworkError):
    """A node the step needs is not running (run ``fabric-pilot network start``)."""


class ChaincodeError(RuntimeError):
    """Deploying or querying chaincode failed; the message names the step."""


class ChannelNotInNetworkError(ChaincodeError):
    """A chaincode definition names a channel the network's topology lacks."""


class ChannelConfigError(RuntimeError):
    """A channel configuration could not be read, changed or applied; the message says which."""


class FabricCaError(RuntimeError):
    """A Fabric CA server did not start or an enrolment went wrong."""


class FabricHomeError(RuntimeError):
    """The Fabric binaries are missing, incomplete or of the wrong version."""


class InstallError(FabricHomeError):
    """The Fabric binaries could not be installed or verified (one line, exit 7)."""


class FolderNotEmptyError(RuntimeError):
    """``up`` was given a folder that holds files fabric-pilot did not write."""


class PortClashError(RuntimeError):
    """A port the network needs is already in use on the loopback interface."""


class DockerRuntimeError(RuntimeError):
    """The Docker SDK or engine is missing, or a container step failed (one line)."""
