"""The Python SDK and the official Node Gateway client (@hyperledger/fabric-gateway) run the
same transactions on the same network: results, errors and ledger state must agree."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import grpc
import pytest
from _gw_support import (
    CHAINCODE,
    CHANNEL,
    ORG2_MSP,
    endorser_msp_ids,
    take_until,
    unique,
)
from fabric_protos.peer import transaction_pb2

from fabric_pilot_gateway import Contract, GatewayError, Network
from fabric_pilot_gateway.ledger import get_chain_info, get_transaction

pytestmark = pytest.mark.e2e

NODE_DIR = Path(__file__).resolve().parents[3] / "benchmarks" / "node"
VALID = transaction_pb2.TxValidationCode.VALID
GRPC_CODE_NAMES = {code.value[0]: code.name for code in grpc.StatusCode}
Outcome = dict[str, Any]


def _operations(prefix: str) -> list[dict[str, Any]]:
    return [
        {"type": "submit", "name": "put", "args": [f"{prefix}-a", "alpha"]},
        {"type": "submit", "name": "increment", "args": [f"{prefix}-n"]},
        {"type": "submit", "name": "increment", "args": [f"{prefix}-n"]},
        {
            "type": "submit",
            "name": "put_secret",
            "args": [f"{prefix}-s"],
            "transient": {"secret": "s3cret"},
        },
        {
            "type": "submit",
            "name": "put",
            "args": [f"{prefix}-o2", "by-org2"],
            "endorsingOrganizations": [ORG2_MSP],
        },
        {"type": "evaluate", "name": "get", "args": [f"{prefix}-a"]},
        {"type": "evaluate", "name": "get", "args": [f"{prefix}-n"]},
        {"type": "evaluate", "name": "whoami", "args": []},
        {
            "type": "evaluate",
            "name": "transient_keys",
            "args": [],
            "transient": {"z": "1", "y": "2"},
        },
        {"type": "submit", "name": "fail", "args": ["E_INTEROP"]},
        {"type": "evaluate", "name": "get", "args": [f"{prefix}-missing"]},
    ]


def _ensure_node_modules() -> None:
    """``npm ci`` once; a missing toolchain or a failed install fails the test loudly."""
    if (NODE_DIR / "node_modules" / "@hyperledger" / "fabric-gateway" / "package.json").exists():
        return
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        pytest.fail("Node.js and npm are required for the interop test but are not on PATH")
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund"],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(
            f"`npm ci` in {NODE_DIR} failed (exit {done.returncode}); the Node client "
            f"@hyperledger/fabric-gateway could not be installed:\n{done.stderr[-3000:]}"
        )


def _run_node(request: dict[str, Any], tmp_path: Path) -> list[Outcome]:
    node = shutil.which("node")
    assert node is not None
    request_file = tmp_path / f"node-request-{unique('r')}.json"
    request_file.write_text(json.dumps(request), encoding="utf-8")
    done = subprocess.run(
        [node, str(NODE_DIR / "client.js"), str(request_file)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, f"node client failed:\n{done.stderr}"
    results: list[Outcome] = json.loads(done.stdout)["results"]
    return results


def _python_outcome(contract: Contract, operation: dict[str, Any]) -> Outcome:
    proposal = contract.new_proposal(
        operation["name"],
        operation["args"],
        transient=operation.get("transient"),
        endorsing_organizations=operation.get("endorsingOrganizations"),
    )
    outcome: Outcome = {"ok": True, "transactionId": proposal.transaction_id}
    try:
        if operation["type"] == "evaluate":
            outcome["result"] = proposal.evaluate().decode()
            return outcome
        transaction = proposal.endorse()
        status = transaction.submit().status()
    except GatewayError as error:
        details = [
            {"address": d.address, "mspId": d.msp_id, "message": d.message} for d in error.details
        ]
        return {**outcome, "ok": False, "error": {"code": error.code, "details": details}}
    outcome["result"] = transaction.result.decode()
    outcome["status"] = {"code": status.code, "successful": status.successful}
    return outcome


def _normalised(outcome: Outcome, prefix: str) -> Outcome:
    """What both clients must agree on: no transaction IDs or block numbers, no key prefix."""
    if outcome["ok"]:
        status = outcome.get("status")
        kept = {
            "result": outcome["result"],
            "status": None if status is None else (status["code"], status["successful"]),
        }
    else:
        error = outcome["error"]
        code = error["code"]
        kept = {
            "code": GRPC_CODE_NAMES.get(code, code) if isinstance(code, int) else code,
            "details": sorted((d["address"], d["mspId"], d["message"]) for d in error["details"]),
        }
    text = json.dumps({"ok": outcome["ok"], **kept}, sort_keys=True)
    normalised: Outcome = json.loads(text.replace(prefix, "<prefix>"))
    return normalised


@pytest.fixture(scope="module")
def node_client(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., list[Outcome]]:
    """Run a request through the Node client: ``run(profile, operations, user=None)``."""
    _ensure_node_modules()
    folder = tmp_path_factory.mktemp("node")

    def run(
        profile: Path, operations: Sequence[dict[str, Any]], user: str | None = None
    ) -> list[Outcome]:
        request = {
            "profile": str(profile),
            "user": user,
            "channel": CHANNEL,
            "chaincode": CHAINCODE,
            "operations": list(operations),
        }
        return _run_node(request, folder)

    return run


def test_node_and_python_clients_get_identical_results_and_errors(
    contract: Contract,
    channel: Network,
    org1_profile: Path,
    node_client: Callable[..., list[Outcome]],
) -> None:
    py_prefix, node_prefix = unique("py"), unique("node")
    start_block = get_chain_info(channel).height
    python = [_python_outcome(contract, op) for op in _operations(py_prefix)]
    node = node_client(org1_profile, _operations(node_prefix))
    assert len(node) == len(python)
    for index, (py_outcome, node_outcome) in enumerate(zip(python, node, strict=True)):
        assert _normalised(py_outcome, py_prefix) == _normalised(node_outcome, node_prefix), index
    assert [item["ok"] for item in python] == [True] * 9 + [False, False]
    failed = _normalised(node[9], node_prefix)
    assert failed["code"] == "ABORTED"
    assert failed["details"]
    assert all("E_INTEROP" in message for _, _, message in failed["details"])
    assert node[7]["result"] == python[7]["result"]  # whoami: the same User1 of Org1

    for outcome in node[:5]:
        processed = get_transaction(channel, outcome["transactionId"])
        assert processed.validationCode == VALID
    assert endorser_msp_ids(get_transaction(channel, node[4]["transactionId"])) == [ORG2_MSP]

    with channel.chaincode_events(CHAINCODE, start_block=start_block) as events:
        got = take_until(events, lambda seen: len(seen) == 10)
    by_client = {
        prefix: sorted(
            e.payload.decode().replace(prefix, "<prefix>")
            for e in got
            if e.payload.startswith(prefix.encode())
        )
        for prefix in (py_prefix, node_prefix)
    }
    assert len(by_client[py_prefix]) == 5
    assert by_client[py_prefix] == by_client[node_prefix]


def test_each_client_reads_the_state_the_other_wrote(
    contract: Contract, org1_profile: Path, node_client: Callable[..., list[Outcome]]
) -> None:
    py_prefix, node_prefix = unique("py"), unique("node")
    writes = [("a", "alpha"), ("b", "beta"), ("c", "gamma")]
    for suffix, value in writes:
        contract.submit("put", [f"{py_prefix}-{suffix}", value])
    node_writes = node_client(
        org1_profile,
        [{"type": "submit", "name": "put", "args": [f"{node_prefix}-{s}", v]} for s, v in writes],
    )
    assert all(item["ok"] and item["status"]["successful"] for item in node_writes)

    python_reads = [contract.evaluate("get", [f"{node_prefix}-{s}"]).decode() for s, _ in writes]
    node_reads = node_client(
        org1_profile,
        [{"type": "evaluate", "name": "get", "args": [f"{py_prefix}-{s}"]} for s, _ in writes],
        "User2",
    )
    assert python_reads == [item["result"] for item in node_reads] == [v for _, v in writes]
