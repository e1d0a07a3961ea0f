from collections.abc import Iterator

import pytest
from chaincode_fake_peer import FakePeer, FakeWorld
from chaincode_probe_contract import CHAINCODE

from fabric_pilot_chaincode import ChaincodeServer

CHAINCODE_ID = "probe:0123456789abcdef"


@pytest.fixture
def max_clock_skew() -> float:
    """The server's clock window; 0 (off) because the protocol tests use fixed timestamps."""
    return 0.0


@pytest.fixture
def server(max_clock_skew: float) -> Iterator[ChaincodeServer]:
    server = ChaincodeServer(CHAINCODE, "127.0.0.1:0", CHAINCODE_ID, max_clock_skew=max_clock_skew)
    server.start()
    yield server
    server.stop(grace=0.5)


@pytest.fixture
def peer(server: ChaincodeServer) -> Iterator[FakePeer]:
    peer = FakePeer(f"127.0.0.1:{server.port}")
    assert peer.handshake() == CHAINCODE_ID
    yield peer
    peer.close()


@pytest.fixture
def world() -> FakeWorld:
    return FakeWorld()
