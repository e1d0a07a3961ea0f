"""Functional tests of the sample asset contract on the in-memory ledger."""

import hashlib
from typing import Any

import pytest

from fabric_pilot_chaincode import (
    ClientIdentity,
    ContractChaincode,
    canonical_json,
    canonical_loads,
)
from fabric_pilot_chaincode.memory import InvokeResult, MemoryLedger
from fabric_pilot_chaincode.testing import make_test_identity
from fabric_pilot_contracts.sample_assets import CHAINCODE, SampleAssetsContract

ALICE = make_test_identity("Org1MSP", "alice@org1")
BOB = make_test_identity("Org2MSP", "bob@org2")
BOB_ID = ClientIdentity(BOB).id
PDC = "assetCollection"


@pytest.fixture
def ledger() -> MemoryLedger:
    ledger = MemoryLedger("mychannel")
    ledger.deploy("assets", CHAINCODE)
    ledger.deploy("remote", ContractChaincode(SampleAssetsContract()))
    return ledger


def ok(result: InvokeResult) -> Any:
    assert result.status == 200, result.message
    return canonical_loads(result.payload) if result.payload else None


def create(ledger: MemoryLedger, asset_id: str, color: str = "blue", creator: bytes = ALICE) -> Any:
    return ok(ledger.invoke("assets", "create_asset", asset_id, color, "5", "300", creator=creator))


def test_create_read_and_event(ledger: MemoryLedger) -> None:
    asset = create(ledger, "asset1")
    assert asset["owner"] == ClientIdentity(ALICE).id
    assert asset["owner_msp"] == "Org1MSP"
    assert asset["updated_at"] == "2026-01-01T00:00:01Z"
    assert canonical_loads(ledger.state("asset1")) == asset
    assert ledger.events[-1][1:] == ("AssetCreated", canonical_json(asset))
    read = ok(ledger.evaluate("assets", "read_asset", "asset1", creator=BOB))
    assert read == asset
    assert ok(ledger.evaluate("assets", "asset_exists", "asset1", creator=BOB)) is True
    assert ok(ledger.evaluate("assets", "asset_exists", "nope", creator=BOB)) is False


def test_duplicate_and_invalid_creation_fail_without_writes(ledger: MemoryLedger) -> None:
    create(ledger, "asset1")
    again = ledger.invoke("assets", "create_asset", "asset1", "red", "1", "1", creator=BOB)
    assert (again.status, again.message) == (500, "ALREADY_EXISTS: asset asset1 already exists")
    bad = ledger.invoke("assets", "create_asset", "asset2", "red", "0", "1", creator=ALICE)
    assert bad.message == "BAD_ARGUMENT: size must be positive"
    wrong_type = ledger.invoke("assets", "create_asset", "asset2", "red", "big", "1", creator=ALICE)
    assert wrong_type.message.startswith("BAD_ARGUMENT: argument 'size'")
    assert ledger.state("asset2") == b""
    assert len(ledger.events) == 1


def test_only_owner_updates_and_transfer_moves_endorsement(ledger: MemoryLedger) -> None:
    create(ledger, "asset1")
    assert ok(ledger.evaluate("assets", "get_endorsement_orgs", "asset1", creator=BOB)) == [
        "Org1MSP"
    ]
    denied = ledger.invoke("assets", "update_asset", "asset1", "red", "6", "1", creator=BOB)
    assert denied.message == "FORBIDDEN: only the owner may change asset asset1"
    ok(ledger.invoke("assets", "transfer_asset", "asset1", BOB_ID, "Org2MSP", creator=ALICE))
    assert ok(ledger.evaluate("assets", "get_endorsement_orgs", "asset1", creator=BOB)) == [
        "Org2MSP"
    ]
    name, payload = ledger.events[-1][1:]
    assert name == "AssetTransferred"
    assert canonical_loads(payload) == {
        "asset_id": "asset1",
        "from_msp": "Org1MSP",
        "to_msp": "Org2MSP",
    }
    updated = ok(ledger.invoke("assets", "update_asset", "asset1", "red", "6", "7", creator=BOB))
    assert (updated["color"], updated["size"], updated["appraised_value"]) == ("red", 6, 7)
    denied_old_owner = ledger.invoke("assets", "delete_asset", "asset1", creator=ALICE)
    assert denied_old_owner.status == 500


def test_color_index_pagination_follows_updates(ledger: MemoryLedger) -> None:
    for index in range(5):
        create(ledger, f"asset{index}", color="blue")
    create(ledger, "other", color="green")
    ok(ledger.invoke("assets", "update_asset", "asset2", "green", "5", "300", creator=ALICE))
    ids: list[str] = []
    bookmark = ""
    while True:
        page = ok(
            ledger.evaluate("assets", "query_assets_by_color", "blue", "2", bookmark, creator=BOB)
        )
        assert page["fetched_records_count"] == len(page["records"])
        ids.extend(record["asset_id"] for record in page["records"])
        bookmark = page["bookmark"]
        if not bookmark:
            break
    assert ids == ["asset0", "asset1", "asset3", "asset4"]
    green = ok(ledger.evaluate("assets", "query_assets_by_color", "green", "10", creator=BOB))
    assert [r["asset_id"] for r in green["records"]] == ["asset2", "other"]


def test_range_query_skips_index_entries(ledger: MemoryLedger) -> None:
    for asset_id in ("b", "a", "c"):
        create(ledger, asset_id)
    assets = ok(ledger.evaluate("assets", "get_assets_by_range", "", "", creator=BOB))
    assert [a["asset_id"] for a in assets] == ["a", "b", "c"]
    bounded = ok(ledger.evaluate("assets", "get_assets_by_range", "b", "c", creator=BOB))
    assert [a["asset_id"] for a in bounded] == ["b"]


def test_history_and_delete(ledger: MemoryLedger) -> None:
    create(ledger, "asset1")
    ok(ledger.invoke("assets", "update_asset", "asset1", "blue", "9", "300", creator=ALICE))
    ok(ledger.invoke("assets", "delete_asset", "asset1", creator=ALICE))
    assert ledger.state("asset1") == b""
    assert ledger.keys() == []
    history = ok(ledger.evaluate("assets", "get_asset_history", "asset1", creator=BOB))
    # newest first, as Fabric 2.x returns history
    assert [(h["is_delete"], h["asset"] and h["asset"]["size"]) for h in history] == [
        (True, None),
        (False, 9),
        (False, 5),
    ]
    assert [h["timestamp"] for h in history] == [
        "2026-01-01T00:00:03Z",
        "2026-01-01T00:00:02Z",
        "2026-01-01T00:00:01Z",
    ]
    missing = ledger.evaluate("assets", "read_asset", "asset1", creator=BOB)
    assert missing.message == "NOT_FOUND: asset asset1 does not exist"


def test_private_properties_through_transient(ledger: MemoryLedger) -> None:
    create(ledger, "asset1")
    properties = {"appraiser": "acme", "salt": "x9"}
    transient = {"asset_properties": canonical_json(properties)}
    stored = ledger.invoke(
        "assets", "set_private_properties", PDC, "asset1", creator=ALICE, transient=transient
    )
    assert stored.status == 200, stored.message
    digest = stored.payload.decode()
    assert digest == hashlib.sha256(canonical_json(properties)).hexdigest()
    assert ledger.private_data(PDC, "asset1") == canonical_json(properties)
    assert b"acme" not in ledger.state("asset1")
    read = ok(ledger.evaluate("assets", "read_private_properties", PDC, "asset1", creator=ALICE))
    assert read == properties
    verify = ledger.evaluate(
        "assets", "verify_private_properties", PDC, "asset1", creator=BOB, transient=transient
    )
    assert ok(verify) is True
    tampered = {"asset_properties": b'{"appraiser":"evil","salt":"x9"}'}
    verify_bad = ledger.evaluate(
        "assets", "verify_private_properties", PDC, "asset1", creator=BOB, transient=tampered
    )
    assert ok(verify_bad) is False
    missing = ledger.invoke("assets", "set_private_properties", PDC, "asset1", creator=ALICE)
    assert missing.message == "BAD_ARGUMENT: transient field 'asset_properties' is required"
    ok(ledger.invoke("assets", "purge_private_properties", PDC, "asset1", creator=ALICE))
    assert ledger.private_data(PDC, "asset1") == b""


def test_read_remote_asset_calls_another_chaincode(ledger: MemoryLedger) -> None:
    ok(ledger.invoke("remote", "create_asset", "far", "red", "1", "2", creator=BOB))
    remote = ok(ledger.evaluate("assets", "read_remote_asset", "remote", "far", creator=ALICE))
    assert remote["owner_msp"] == "Org2MSP"
    assert ledger.state("far", chaincode="assets") == b""
    failure = ledger.evaluate("assets", "read_remote_asset", "remote", "ghost", creator=ALICE)
    assert failure.message == (
        "REMOTE_ERROR: remote answered 500: NOT_FOUND: asset ghost does not exist"
    )


def test_metadata_lists_sample_transactions(ledger: MemoryLedger) -> None:
    metadata = ok(ledger.evaluate("assets", "org.hyperledger.fabric:GetMetadata", creator=BOB))
    contract = metadata["contracts"]["SampleAssetsContract"]
    tags = {tx["name"]: tx["tag"] for tx in contract["transactions"]}
    assert tags["create_asset"] == ["SUBMIT"]
    assert tags["read_asset"] == ["EVALUATE"]
    assert "_save" not in tags
