"""``identity revoke`` on a ``dev --ca`` network through the CLI: the CA's CRL reaches the
channel, so the peers refuse the revoked user's next transaction while other users keep
working; ``--ca-only`` leaves the channel as it is until a later revoke publishes the CRL."""

from __future__ import annotations

from typing import Any

import pytest
from _cli_support import Cli, running_network

from fabric_pilot_network.fabric_home import FabricHome
from fabric_pilot_network.pytest_plugin import skip_without

pytestmark = pytest.mark.e2e

ASSET = ("sample_assets", "read_asset", "asset-1")


@pytest.fixture
def ca_cli(isolated_cli: Cli, fabric_home: FabricHome, request: pytest.FixtureRequest) -> Cli:
    """The isolated CLI, pointed at the Fabric CA binaries too (skipped without them)."""
    missing = fabric_home.missing(with_ca=True)
    if missing:
        reason = f"Fabric CA binaries unavailable: {missing[0]} is missing"
        skip_without(f"{reason} (run 'fabric-pilot install')", request.config)
    isolated_cli.env["FABRIC_PILOT_FABRIC_CA_BIN"] = str(fabric_home.ca_bin_dir)
    return isolated_cli


def _enrol(cli: Cli, name: str) -> None:
    cli.ok("identity", "register", name, "--secret", f"{name}-pw", as_="Org1")
    cli.ok("identity", "enroll", name, f"{name}-pw", as_="Org1")


def _refused(cli: Cli, user: str) -> None:
    for args in (ASSET, ("sample_assets", "create_asset", f"by-{user}", "red", "1", "1")):
        verb = "evaluate" if args == ASSET else "submit"
        failed = cli.fails(4, "tx", verb, *args, as_=user)
        (line,) = failed.error_lines()
        assert line.startswith("Error: refused by the peer: "), failed.describe()
        assert "access denied" in line and "creator org [Org1MSP]" in line, failed.describe()


def _config_block(result: dict[str, Any]) -> int:
    (channel,) = result["channels"]
    assert channel["channel"] == "mychannel", result
    return int(channel["config_block"])


def test_revoked_users_are_refused_by_the_peers_and_others_keep_working(ca_cli: Cli) -> None:
    cli = ca_cli
    with running_network(cli, "dev", "--ca"):
        cli.ok("chaincode", "deploy", "sample_assets")
        _enrol(cli, "clerk1")
        _enrol(cli, "clerk2")
        created = cli.ok("tx", "submit", "sample_assets", "create_asset", "asset-1", "blue", "5",
                         "300", as_="Org1/clerk1")  # fmt: skip
        assert cli.ok("tx", "evaluate", *ASSET, as_="Org1/clerk1") == created["result"]

        cli.fails(3, "identity", "revoke", "nobody", as_="Org1")
        revoked = cli.ok("identity", "revoke", "clerk1", "--reason", "keycompromise", as_="Org1")
        assert len(revoked["revoked"]) == 1 and revoked["channels"][0]["updated"], revoked
        first_block = _config_block(revoked)
        assert first_block > created["block_number"]
        _refused(cli, "Org1/clerk1")
        for user in ("Org1/clerk2", "Org1/User1", "Org2/User1"):
            assert cli.ok("tx", "evaluate", *ASSET, as_=user) == created["result"]
        assert cli.ok("tx", "submit", "sample_assets", "create_asset", "asset-2", "red", "1", "1",
                      as_="Org1/clerk2")["status"] == "VALID"  # fmt: skip

        at_ca_only = cli.ok("identity", "revoke", "clerk2", "--ca-only", as_="Org1")
        assert len(at_ca_only["revoked"]) == 1 and at_ca_only["channels"] == []
        assert cli.ok("tx", "evaluate", *ASSET, as_="Org1/clerk2") == created["result"]

        published = cli.ok("identity", "revoke", "clerk2", as_="Org1")
        assert published["revoked"] == [] and _config_block(published) > first_block
        _refused(cli, "Org1/clerk2")
        _refused(cli, "Org1/clerk1")
        assert cli.ok("tx", "evaluate", *ASSET, as_="Org1/User1") == created["result"]

        again = cli.ok("identity", "revoke", "clerk2", as_="Org1")
        assert again["channels"] == [
            {"channel": "mychannel", "config_block": _config_block(published), "updated": False}
        ]
