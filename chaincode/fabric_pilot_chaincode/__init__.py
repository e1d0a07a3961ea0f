"""Python chaincode runtime: shim, stub, contract API, CCaaS server.

Write a contract::

    class AssetContract(Contract):
        name = "AssetContract"

        @transaction
        def create(self, ctx: Context, asset_id: str, value: int) -> dict[str, Any]:
            ctx.stub.put_state(asset_id, canonical_json({"value": value}))
            return {"id": asset_id}

    CHAINCODE = ContractChaincode(AssetContract())

Test it with ``fabric_pilot_chaincode.memory.MemoryLedger`` and
``fabric_pilot_chaincode.testing.make_test_identity``; serve it to peers with
``python -m fabric_pilot_chaincode serve my_module:CHAINCODE`` (CHAINCODE_* env).
Transactions interleave on one contract instance (each yields while a stub call waits for
the peer), so contracts must keep per-transaction data in locals, not on ``self``, and must
not block on anything but the stub (no sleeps, locks, threads or network calls).
"""

from ._canonical import canonical_json, canonical_loads
from ._contract import Context, Contract, evaluate, transaction
from ._dispatcher import ContractChaincode
from ._errors import ContractError, PeerError
from ._identity import ClientIdentity
from ._server import ChaincodeServer, TlsConfig
from ._stub_api import ChaincodeStub
from ._types import ChaincodeResponse, KeyModification, KeyValue, QueryMetadata, TxTimestamp

__all__ = [
    "ChaincodeResponse",
    "ChaincodeServer",
    "ChaincodeStub",
    "ClientIdentity",
    "Context",
    "Contract",
    "ContractChaincode",
    "ContractError",
    "KeyModification",
    "KeyValue",
    "PeerError",
    "QueryMetadata",
    "TlsConfig",
    "TxTimestamp",
    "canonical_json",
    "canonical_loads",
    "evaluate",
    "transaction",
]
