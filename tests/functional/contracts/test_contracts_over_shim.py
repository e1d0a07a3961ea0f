"""Each sector scenario served by the real ChaincodeServer to a fake peer over gRPC.

The same scenario also runs on the MemoryLedger with the same transaction IDs and
timestamps; the resulting world states and events must be byte-identical, which shows the
contracts behave the same over the real shim (range/partial-key queries, private data,
transient data, events) as in the unit tests.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parents[2] / "unit" / "chaincode"))
sys.path.insert(0, str(HERE.parents[2] / "unit" / "contracts"))

import court_scenario  # noqa: E402
import energy_scenario  # noqa: E402
import tax_scenario  # noqa: E402
from chaincode_fake_peer import (  # noqa: E402
    FakePeer,
    FakeWorld,
    make_signed_proposal,
    response_of,
    run_transaction,
    transaction_message,
)
from contract_helpers import Driver, encode  # noqa: E402

from fabric_pilot_chaincode import ChaincodeServer, TxTimestamp  # noqa: E402

BASE_SECONDS = 1_795_400_000  # 2026-11-23, after every scenario's intervals


class ShimDriver:
    """Drives a chaincode served over gRPC, answering its requests with a FakeWorld."""

    def __init__(self, peer: FakePeer, world: FakeWorld, name: str) -> None:
        self.peer, self.world, self.name = peer, world, name
        self.count = 0
        self.events: list[tuple[str, str, bytes]] = []

    def ok(
        self, who: bytes, function: str, *args: Any, transient: dict[str, bytes] | None = None
    ) -> Any:
        self.count += 1
        tx_id = f"tx{self.count:04d}"
        proposal = make_signed_proposal(
            who, tx_id=tx_id, seconds=BASE_SECONDS + self.count, transient=transient
        )
        raw = [function.encode()] + [
            value.encode() if isinstance(value, str) else value for value in map(encode, args)
        ]
        reply = run_transaction(
            self.peer, self.world, transaction_message(tx_id, raw, proposal=proposal)
        )
        response = response_of(reply)
        assert response.status == 200, f"{function}: {response.message}"
        if reply.chaincode_event.event_name:
            event = reply.chaincode_event
            self.events.append((tx_id, event.event_name, event.payload))
        return json.loads(response.payload) if response.payload else None


class TwinDriver(Driver):
    """A MemoryLedger driver using the ShimDriver's transaction IDs and timestamps."""

    count = 0

    def ok(
        self,
        who: bytes,
        function: str,
        *args: Any,
        transient: dict[str, bytes] | None = None,
        at: int | None = None,
    ) -> Any:
        del at
        self.count += 1
        result = self.ledger.invoke(
            self.name,
            function,
            *map(encode, args),
            creator=who,
            transient=transient,
            timestamp=TxTimestamp(BASE_SECONDS + self.count, 0),
            tx_id=f"tx{self.count:04d}",
        )
        assert result.status == 200, f"{function}: {result.message}"
        return json.loads(result.payload) if result.payload else None


SCENARIOS = [
    pytest.param(tax_scenario, "tax_invoice", id="tax_invoice"),
    pytest.param(energy_scenario, "energy_metering", id="energy_metering"),
    pytest.param(court_scenario, "court_evidence", id="court_evidence"),
]


@pytest.fixture
def serve() -> Iterator[Callable[[ModuleType, str], ShimDriver]]:
    started: list[tuple[ChaincodeServer, FakePeer]] = []

    def start(module: ModuleType, name: str) -> ShimDriver:
        chaincode = module.CHAINCODE
        # fixed 2026-11-23 timestamps: the endorser clock window is tested elsewhere
        server = ChaincodeServer(chaincode, "127.0.0.1:0", f"{name}:1", max_clock_skew=0)
        server.start()
        peer = FakePeer(f"127.0.0.1:{server.port}")
        started.append((server, peer))
        peer.handshake()
        return ShimDriver(peer, FakeWorld(), name)

    yield start
    for server, peer in started:
        peer.close()
        server.stop(grace=0.2)


@pytest.mark.parametrize(("scenario", "name"), SCENARIOS)
def test_scenario_over_shim_matches_memory_ledger(
    serve: Callable[[ModuleType, str], ShimDriver], scenario: ModuleType, name: str
) -> None:
    shim = serve(scenario, name)
    scenario.setup(shim)
    scenario.run_full_scenario(shim)
    twin = TwinDriver(name, scenario.CHAINCODE, "ch1")
    scenario.setup(twin)
    scenario.run_full_scenario(twin)
    assert shim.count == twin.count > 10
    memory_state = {key: twin.ledger.state(key, name) for key in twin.ledger.keys(name)}
    assert shim.world.state == memory_state
    assert shim.events == twin.ledger.events
    collections = twin.ledger.namespace(name).collections
    memory_private = {
        (collection, key): store.get(key)
        for collection, store in collections.items()
        for key in store.keys()  # noqa: SIM118 (SortedStore is not a dict)
    }
    assert memory_private
    assert shim.world.private == memory_private
