"""Topology queries shared by the network manager: channels of an org, peers of a channel."""

import pytest

from fabric_pilot_network.topology import load_topology


def test_channels_of_org_by_name_or_msp_id() -> None:
    pilot = load_topology("pilot")
    assert pilot.channels_of_org("EnterpriseA") == ["tax", "energy", "justice"]
    assert pilot.channels_of_org("CourtMSP") == ["justice"]
    with pytest.raises(KeyError):
        pilot.channels_of_org("Nobody")


def test_channel_peers_lists_every_member_orgs_peers() -> None:
    pilot = load_topology("pilot")
    assert pilot.channel_peers("tax") == [
        "peer0.taxbureau.pilot.example",
        "peer0.enterprisea.pilot.example",
        "peer0.enterpriseb.pilot.example",
    ]
    with pytest.raises(KeyError):
        pilot.channel_peers("nowhere")
