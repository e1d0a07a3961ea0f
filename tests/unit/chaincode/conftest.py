from collections.abc import Iterator

import pytest
from chaincode_fake_peer import FakePeer, FakeWorld
from chaincode_probe_contract import CHAINCODE

from fabric_pilot_chaincode import ChaincodeServer

CHAINCODE_ID = "probe:0123456789abcdef"


@pytest.fixture
def server() -> Iterator[ChaincodeServer]:
    server = ChaincodeServer(CHAINCODE, "127.0.0.1:0", CHAINCODE_ID)
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
