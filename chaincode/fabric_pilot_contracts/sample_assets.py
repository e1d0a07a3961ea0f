"""Sample asset contract exercising every runtime feature (used by end-to-end tests).

Features: JSON world state, a composite-key index queried with pagination,
private data passed through transient data, chaincode events, key-level
endorsement policies, key history and a chaincode-to-chaincode call.
"""

from __future__ import annotations

import hashlib
import importlib
from typing import Any

from fabric_pilot_chaincode import (
    Context,
    Contract,
    ContractChaincode,
    ContractError,
    canonical_json,
    canonical_loads,
    evaluate,
    transaction,
)

__all__ = [
    "CHAINCODE",
    "COLOR_INDEX",
    "PRIVATE_PROPERTIES_KEY",
    "SampleAssetsContract",
    "peer_policy",
    "policy_msps",
]

COLOR_INDEX = "color~id"
PRIVATE_PROPERTIES_KEY = "asset_properties"
_policies: Any = importlib.import_module("fabric_protos.common.policies_pb2")
_principals: Any = importlib.import_module("fabric_protos.msp.msp_principal_pb2")


def peer_policy(*msp_ids: str) -> bytes:
    """Serialized SignaturePolicyEnvelope: one peer of ANY of ``msp_ids`` must endorse."""
    identities = [
        _principals.MSPPrincipal(
            principal_classification=_principals.MSPPrincipal.ROLE,
            principal=_principals.MSPRole(
                msp_identifier=msp_id, role=_principals.MSPRole.PEER
            ).SerializeToString(),
        )
        for msp_id in msp_ids
    ]
    rules = [_policies.SignaturePolicy(signed_by=index) for index in range(len(msp_ids))]
    envelope = _policies.SignaturePolicyEnvelope(
        version=0,
        rule=_policies.SignaturePolicy(n_out_of=_policies.SignaturePolicy.NOutOf(n=1, rules=rules)),
        identities=identities,
    )
    return bytes(envelope.SerializeToString())


def policy_msps(policy: bytes) -> list[str]:
    """MSP IDs named by a SignaturePolicyEnvelope produced by ``peer_policy``."""
    envelope = _policies.SignaturePolicyEnvelope.FromString(policy)
    return [
        _principals.MSPRole.FromString(identity.principal).msp_identifier
        for identity in envelope.identities
    ]


def _require(condition: bool, field: str, rule: str) -> None:
    if not condition:
        raise ContractError("BAD_ARGUMENT", f"{field} {rule}", field=field)


class SampleAssetsContract(Contract):
    """Assets owned by client identities, indexed by color."""

    name = "SampleAssetsContract"

    # --- helpers ----------------------------------------------------------------------
    @staticmethod
    def _load(ctx: Context, asset_id: str) -> dict[str, Any]:
        raw = ctx.stub.get_state(asset_id)
        if not raw:
            raise ContractError("NOT_FOUND", f"asset {asset_id} does not exist", asset_id=asset_id)
        asset: dict[str, Any] = canonical_loads(raw)
        return asset

    @staticmethod
    def _require_owner(ctx: Context, asset: dict[str, Any]) -> None:
        identity = ctx.client_identity
        if asset["owner"] != identity.id or asset["owner_msp"] != identity.msp_id:
            raise ContractError("FORBIDDEN", f"only the owner may change asset {asset['asset_id']}")

    @staticmethod
    def _index_key(ctx: Context, asset: dict[str, Any]) -> str:
        return ctx.stub.create_composite_key(COLOR_INDEX, [asset["color"], asset["asset_id"]])

    def _save(self, ctx: Context, asset: dict[str, Any]) -> None:
        asset["updated_at"] = ctx.stub.get_tx_timestamp().iso()
        ctx.stub.put_state(asset["asset_id"], canonical_json(asset))
        ctx.stub.put_state(self._index_key(ctx, asset), b"\x00")

    @staticmethod
    def _validate(asset_id: str, color: str, size: int, appraised_value: int) -> None:
        _require(bool(asset_id) and not asset_id.startswith("\x00"), "asset_id", "must be set")
        _require(bool(color), "color", "must be set")
        _require(size > 0, "size", "must be positive")
        _require(appraised_value >= 0, "appraised_value", "must not be negative")

    # --- world state ----------------------------------------------------------------
    @transaction
    def create_asset(
        self, ctx: Context, asset_id: str, color: str, size: int, appraised_value: int
    ) -> dict[str, Any]:
        """Create an asset owned by the caller; only the caller's org may endorse changes."""
        self._validate(asset_id, color, size, appraised_value)
        if ctx.stub.get_state(asset_id):
            raise ContractError("ALREADY_EXISTS", f"asset {asset_id} already exists")
        identity = ctx.client_identity
        asset = {
            "asset_id": asset_id,
            "color": color,
            "size": size,
            "appraised_value": appraised_value,
            "owner": identity.id,
            "owner_msp": identity.msp_id,
        }
        self._save(ctx, asset)
        ctx.stub.set_state_validation_parameter(asset_id, peer_policy(identity.msp_id))
        ctx.stub.set_event("AssetCreated", canonical_json(asset))
        return asset

    @evaluate
    def read_asset(self, ctx: Context, asset_id: str) -> dict[str, Any]:
        """Return one asset."""
        return self._load(ctx, asset_id)

    @evaluate
    def asset_exists(self, ctx: Context, asset_id: str) -> bool:
        """True when the asset exists."""
        return bool(ctx.stub.get_state(asset_id))

    @transaction
    def update_asset(
        self, ctx: Context, asset_id: str, color: str, size: int, appraised_value: int
    ) -> dict[str, Any]:
        """Change an asset's properties (owner only)."""
        self._validate(asset_id, color, size, appraised_value)
        asset = self._load(ctx, asset_id)
        self._require_owner(ctx, asset)
        if asset["color"] != color:
            ctx.stub.del_state(self._index_key(ctx, asset))
        asset.update(color=color, size=size, appraised_value=appraised_value)
        self._save(ctx, asset)
        ctx.stub.set_event("AssetUpdated", canonical_json(asset))
        return asset

    @transaction
    def transfer_asset(
        self, ctx: Context, asset_id: str, new_owner: str, new_owner_msp: str
    ) -> dict[str, Any]:
        """Give an asset to another identity; its org becomes the endorsing org."""
        _require(bool(new_owner), "new_owner", "must be set")
        _require(bool(new_owner_msp), "new_owner_msp", "must be set")
        asset = self._load(ctx, asset_id)
        self._require_owner(ctx, asset)
        previous = asset["owner_msp"]
        asset.update(owner=new_owner, owner_msp=new_owner_msp)
        self._save(ctx, asset)
        ctx.stub.set_state_validation_parameter(asset_id, peer_policy(new_owner_msp))
        event = {"asset_id": asset_id, "from_msp": previous, "to_msp": new_owner_msp}
        ctx.stub.set_event("AssetTransferred", canonical_json(event))
        return asset

    @transaction
    def delete_asset(self, ctx: Context, asset_id: str) -> None:
        """Delete an asset and its index entry (owner only)."""
        asset = self._load(ctx, asset_id)
        self._require_owner(ctx, asset)
        ctx.stub.del_state(asset_id)
        ctx.stub.del_state(self._index_key(ctx, asset))
        ctx.stub.set_event("AssetDeleted", canonical_json({"asset_id": asset_id}))

    # --- queries ----------------------------------------------------------------------
    @evaluate
    def get_assets_by_range(self, ctx: Context, start_key: str, end_key: str) -> list[Any]:
        """Assets with ``start_key <= asset_id < end_key`` (empty bounds are open)."""
        return [canonical_loads(kv.value) for kv in ctx.stub.get_state_by_range(start_key, end_key)]

    @evaluate
    def query_assets_by_color(
        self, ctx: Context, color: str, page_size: int, bookmark: str = ""
    ) -> dict[str, Any]:
        """One page of assets of ``color`` via the composite-key index."""
        _require(page_size > 0, "page_size", "must be positive")
        entries, metadata = ctx.stub.get_state_by_partial_composite_key_with_pagination(
            COLOR_INDEX, [color], page_size, bookmark
        )
        asset_ids = [ctx.stub.split_composite_key(kv.key)[1][1] for kv in entries]
        return {
            "records": [self._load(ctx, asset_id) for asset_id in asset_ids],
            "fetched_records_count": metadata.fetched_records_count,
            "bookmark": metadata.bookmark,
        }

    @evaluate
    def get_asset_history(self, ctx: Context, asset_id: str) -> list[dict[str, Any]]:
        """Every committed change of an asset (as returned by the ledger)."""
        return [
            {
                "tx_id": change.tx_id,
                "timestamp": change.timestamp.iso(),
                "is_delete": change.is_delete,
                "asset": None if change.is_delete else canonical_loads(change.value),
            }
            for change in ctx.stub.get_history_for_key(asset_id)
        ]

    @evaluate
    def get_endorsement_orgs(self, ctx: Context, asset_id: str) -> list[str]:
        """MSP IDs of the key-level endorsement policy of an asset."""
        policy = ctx.stub.get_state_validation_parameter(asset_id)
        return policy_msps(policy) if policy else []

    # --- private data ---------------------------------------------------------------
    @transaction
    def set_private_properties(self, ctx: Context, collection: str, asset_id: str) -> str:
        """Store transient ``asset_properties`` (JSON) privately; returns its SHA-256 hex."""
        asset = self._load(ctx, asset_id)
        self._require_owner(ctx, asset)
        raw = ctx.stub.get_transient().get(PRIVATE_PROPERTIES_KEY)
        if raw is None:
            raise ContractError(
                "BAD_ARGUMENT", f"transient field '{PRIVATE_PROPERTIES_KEY}' is required"
            )
        try:
            properties = canonical_loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise ContractError("BAD_ARGUMENT", "asset_properties must be JSON") from None
        _require(isinstance(properties, dict), PRIVATE_PROPERTIES_KEY, "must be a JSON object")
        value = canonical_json(properties)
        ctx.stub.put_private_data(collection, asset_id, value)
        return hashlib.sha256(value).hexdigest()

    @evaluate
    def read_private_properties(self, ctx: Context, collection: str, asset_id: str) -> Any:
        """Private properties of an asset (NOT_FOUND when absent)."""
        raw = ctx.stub.get_private_data(collection, asset_id)
        if not raw:
            raise ContractError("NOT_FOUND", f"no private properties for asset {asset_id}")
        return canonical_loads(raw)

    @evaluate
    def verify_private_properties(self, ctx: Context, collection: str, asset_id: str) -> bool:
        """Compare transient ``asset_properties`` with the on-chain private data hash."""
        raw = ctx.stub.get_transient().get(PRIVATE_PROPERTIES_KEY, b"")
        try:
            candidate = canonical_json(canonical_loads(raw))
        except (ValueError, UnicodeDecodeError):
            return False
        on_chain = ctx.stub.get_private_data_hash(collection, asset_id)
        return bool(on_chain) and hashlib.sha256(candidate).digest() == on_chain

    @transaction
    def purge_private_properties(self, ctx: Context, collection: str, asset_id: str) -> None:
        """Purge an asset's private properties (owner only)."""
        self._require_owner(ctx, self._load(ctx, asset_id))
        ctx.stub.purge_private_data(collection, asset_id)

    # --- chaincode to chaincode -----------------------------------------------------------
    @evaluate
    def read_remote_asset(
        self, ctx: Context, chaincode_name: str, asset_id: str, channel: str = ""
    ) -> Any:
        """Read an asset from another sample-assets chaincode."""
        response = ctx.stub.invoke_chaincode(
            chaincode_name,
            [b"SampleAssetsContract:read_asset", asset_id.encode()],
            channel,
        )
        if response.status != 200:
            raise ContractError(
                "REMOTE_ERROR", f"{chaincode_name} answered {response.status}: {response.message}"
            )
        return canonical_loads(response.payload)


CHAINCODE = ContractChaincode(SampleAssetsContract())
