"""Fixtures for the Gateway SDK unit tests."""

from __future__ import annotations

import pytest
from gateway_fakes import Credentials, FakeTransport, make_credentials

from fabric_pilot_gateway import Gateway, Signer, X509Identity, connect, new_private_key_signer


@pytest.fixture(scope="session")
def credentials() -> Credentials:
    return make_credentials()


@pytest.fixture
def identity(credentials: Credentials) -> X509Identity:
    return X509Identity("Org1MSP", credentials.certificate_pem)


@pytest.fixture
def signer(credentials: Credentials) -> Signer:
    return new_private_key_signer(credentials.key)


@pytest.fixture
def transport() -> FakeTransport:
    return FakeTransport()


@pytest.fixture
def gateway(transport: FakeTransport, identity: X509Identity, signer: Signer) -> Gateway:
    return connect(client=transport, identity=identity, signer=signer)


@pytest.fixture(autouse=True)
def no_retry_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    """Resends and new proposals go out at once in unit tests (the pauses are for peers)."""
    from fabric_pilot_gateway import contract

    monkeypatch.setattr(contract, "_SUBMIT_BACKOFF", 0.0)
    monkeypatch.setattr(contract, "_MISMATCH_BACKOFF", 0.0)
