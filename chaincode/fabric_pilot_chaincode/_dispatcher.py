"""ContractChaincode: routes invocations to contract transaction functions."""

from __future__ import annotations

import logging
import traceback
from typing import Any

from ._canonical import canonical_json
from ._contract import Context, Contract
from ._convert import encode_result
from ._errors import ContractError
from ._registry import ContractEntry, TransactionSpec, register_contract
from ._stub_api import ChaincodeStub
from ._types import ChaincodeResponse

__all__ = ["METADATA_FUNCTION", "ContractChaincode"]

METADATA_FUNCTION = "org.hyperledger.fabric:GetMetadata"
_SCHEMA_URL = "https://hyperledger.github.io/fabric-chaincode-node/main/api/contract-schema.json"
_LOG = logging.getLogger("fabric_pilot_chaincode.dispatcher")
OK = 200
ERROR = 500


class ContractChaincode:
    """Chaincode made of one or more contracts; the first one is the default.

    Raises:
        ValueError: When no contract is given or two share a name.
        TypeError: When a transaction uses an unsupported parameter type.
    """

    def __init__(self, *contracts: Contract) -> None:
        if not contracts:
            raise ValueError("ContractChaincode needs at least one contract")
        self._entries: dict[str, ContractEntry] = {}
        for contract in contracts:
            entry = register_contract(contract)
            if entry.name in self._entries:
                raise ValueError(f"duplicate contract name {entry.name!r}")
            self._entries[entry.name] = entry
        self._default = next(iter(self._entries.values()))

    @property
    def contracts(self) -> dict[str, Contract]:
        """Registered contracts by name (default first)."""
        return {name: entry.contract for name, entry in self._entries.items()}

    def init(self, stub: ChaincodeStub) -> ChaincodeResponse:
        """Handle INIT: success when no function is given, else a normal invoke."""
        args = stub.get_args()
        if not args or not args[0]:
            return ChaincodeResponse(OK, "", b"")
        return self.invoke(stub)

    def invoke(self, stub: ChaincodeStub) -> ChaincodeResponse:
        """Dispatch one transaction; never raises."""
        args = stub.get_args()
        function = args[0].decode("utf-8", errors="replace") if args else ""
        try:
            if function == METADATA_FUNCTION:
                return ChaincodeResponse(OK, "", canonical_json(self.metadata()))
            payload = self._call(stub, function, args[1:])
            return ChaincodeResponse(OK, "", payload)
        except ContractError as exc:
            return ChaincodeResponse(ERROR, str(exc), b"")
        except Exception as exc:
            frames = "".join(traceback.format_tb(exc.__traceback__))
            _LOG.error("transaction %s failed with %s\n%s", function, type(exc).__name__, frames)
            return ChaincodeResponse(ERROR, f"INTERNAL: {type(exc).__name__}", b"")

    def _resolve(self, function: str) -> tuple[ContractEntry, TransactionSpec | None]:
        contract_name, separator, name = function.rpartition(":")
        if not separator:
            return self._default, self._default.transactions.get(name)
        entry = self._entries.get(contract_name)
        if entry is None:
            raise ContractError("UNKNOWN_CONTRACT", f"contract '{contract_name}' is not known")
        return entry, entry.transactions.get(name)

    def _call(self, stub: ChaincodeStub, function: str, raw_args: list[bytes]) -> bytes:
        entry, spec = self._resolve(function)
        ctx = Context(stub)
        if spec is None:
            return encode_result(entry.contract.unknown_transaction(ctx))
        values = spec.convert_args(raw_args)
        entry.contract.before_transaction(ctx)
        result = spec.function(ctx, *values)
        entry.contract.after_transaction(ctx, result)
        return encode_result(result)

    def metadata(self) -> dict[str, Any]:
        """Return the contract metadata document (Fabric contract schema)."""
        contracts: dict[str, Any] = {}
        for name, entry in self._entries.items():
            contracts[name] = {
                "name": name,
                "info": {"title": name, "version": entry.contract.version},
                "transactions": [spec.metadata() for spec in entry.transactions.values()],
            }
            if entry is self._default:
                contracts[name]["default"] = True
        return {
            "$schema": _SCHEMA_URL,
            "info": {"title": self._default.name, "version": self._default.contract.version},
            "contracts": contracts,
            "components": {"schemas": {}},
        }
