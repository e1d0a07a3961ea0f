"""Court evidence contract: chain of custody (sequence, custodian, receiver, check-out/in)."""

from __future__ import annotations

import pytest
from contract_helpers import Driver, encode, identity
from court_scenario import COURT, NOTARY, Actors, new_driver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fabric_pilot_chaincode import ClientIdentity


@pytest.fixture
def court() -> Driver:
    return new_driver()


def _id_of(creator: bytes) -> str:
    return ClientIdentity(creator).id


def test_transfer_to_a_named_receiver(court: Driver) -> None:
    receiver = {"id": _id_of(Actors.custodian), "msp_id": NOTARY}
    entry = court.ok(Actors.notary, "start_custody_transfer", "E1", 2, receiver, "to vault")
    assert (entry["seq"], entry["kind"]) == (2, "transfer_started")
    assert court.last_event()[0] == "CustodyTransferStarted"
    code = court.fails(Actors.notary, "start_custody_transfer", "E1", 3, receiver, "again")
    assert code == "ILLEGAL_TRANSITION"
    assert court.fails(Actors.clerk, "accept_custody_transfer", "E1", 3) == "NOT_RECEIVER"
    assert court.fails(Actors.notary_admin, "accept_custody_transfer", "E1", 3) == "FORBIDDEN"
    assert court.fails(Actors.custodian, "accept_custody_transfer", "E1", 2) == "CUSTODY_SEQUENCE"
    assert court.fails(Actors.custodian, "accept_custody_transfer", "E1", 4) == "CUSTODY_SEQUENCE"
    accepted = court.ok(Actors.custodian, "accept_custody_transfer", "E1", 3)
    assert accepted["custodian"] == {"id": _id_of(Actors.custodian), "msp_id": NOTARY}
    record = court.read(Actors.judge, "get_evidence", "E1")
    assert record["custodian"]["id"] == _id_of(Actors.custodian)
    assert record["pending_transfer"] is None
    code = court.fails(Actors.notary, "check_out_evidence", "E1", 4, "copy")
    assert code == "NOT_CUSTODIAN"


def test_only_the_current_custodian_starts_a_transfer(court: Driver) -> None:
    receiver = {"msp_id": COURT}
    for stranger in (Actors.custodian, Actors.clerk, Actors.a_party):
        code = court.fails(stranger, "start_custody_transfer", "E1", 2, receiver, "grab")
        assert code == "NOT_CUSTODIAN"
    code = court.fails(Actors.notary, "start_custody_transfer", "E1", 3, receiver, "skip")
    assert code == "CUSTODY_SEQUENCE"
    bad = {"msp_id": "GridOperatorMSP"}
    assert court.fails(Actors.notary, "start_custody_transfer", "E1", 2, bad, "x") == "BAD_ARGUMENT"


def test_cancel_and_decline(court: Driver) -> None:
    court.ok(Actors.notary, "start_custody_transfer", "E1", 2, {"msp_id": COURT}, "hearing")
    assert court.fails(Actors.a_party, "cancel_custody_transfer", "E1", 3, "no") == "FORBIDDEN"
    court.ok(Actors.clerk, "cancel_custody_transfer", "E1", 3, "hearing postponed")
    assert court.fails(Actors.clerk, "accept_custody_transfer", "E1", 4) == "ILLEGAL_TRANSITION"
    court.ok(Actors.notary, "start_custody_transfer", "E1", 4, {"msp_id": COURT}, "hearing")
    court.ok(Actors.notary, "cancel_custody_transfer", "E1", 5, "withdrawn")
    record = court.read(Actors.judge, "get_evidence", "E1")
    assert record["custodian"]["msp_id"] == NOTARY
    assert record["custody_seq"] == 5


def test_check_out_in_and_access_records(court: Driver) -> None:
    assert court.fails(Actors.notary, "check_in_evidence", "E1", 2, "x") == "ILLEGAL_TRANSITION"
    court.ok(Actors.notary, "check_out_evidence", "E1", 2, "forensic imaging")
    assert court.last_event()[0] == "EvidenceCheckedOut"
    code = court.fails(Actors.notary, "start_custody_transfer", "E1", 3, {"msp_id": COURT}, "x")
    assert code == "ILLEGAL_TRANSITION"
    assert court.fails(Actors.notary, "check_out_evidence", "E1", 3, "x") == "ILLEGAL_TRANSITION"
    court.ok(Actors.notary, "check_in_evidence", "E1", 3, "image hash matches")
    assert court.fails(Actors.b_lawyer, "record_access", "E1", 4, " ") == "BAD_ARGUMENT"
    court.ok(Actors.b_lawyer, "record_access", "E1", 4, "review before hearing")
    assert court.fails(Actors.outsider, "record_access", "E1", 5, "curious") == "FORBIDDEN"
    page = court.read(Actors.judge, "list_custody", "E1", 3, "")
    rest = court.read(Actors.judge, "list_custody", "E1", 3, page["bookmark"])
    entries = page["records"] + rest["records"]
    assert [e["seq"] for e in entries] == [1, 2, 3, 4]
    assert [e["kind"] for e in entries] == ["registered", "checked_out", "checked_in", "accessed"]
    assert entries[3]["details"] == {"purpose": "review before hearing"}


CUSTODY_STEPS = st.lists(
    st.tuples(st.sampled_from(["access", "out", "in", "send", "accept"]), st.integers(-1, 2)),
    min_size=1,
    max_size=10,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CUSTODY_STEPS)
def test_custody_sequence_is_gapless(steps: list[tuple[str, int]]) -> None:
    court = new_driver()
    expected_seq = 1
    holder = Actors.notary
    other = Actors.clerk
    for action, offset in steps:
        seq = expected_seq + 1 + offset
        calls = {
            "access": (Actors.b_lawyer, "record_access", ("E1", seq, "read")),
            "out": (holder, "check_out_evidence", ("E1", seq, "exam")),
            "in": (holder, "check_in_evidence", ("E1", seq, "back")),
            "send": (holder, "start_custody_transfer", ("E1", seq, _msp_of(other), "move")),
            "accept": (other, "accept_custody_transfer", ("E1", seq)),
        }
        who, function, args = calls[action]
        before = court.read(Actors.judge, "get_evidence", "E1")
        result = court.ledger.invoke("court_evidence", function, *map(encode, args), creator=who)
        after = court.read(Actors.judge, "get_evidence", "E1")
        if result.status == 200:
            assert offset == 0
            expected_seq += 1
            assert after["custody_seq"] == expected_seq
            if action == "accept":
                holder, other = other, holder
        else:
            assert after == before
            if offset != 0 and result.message.startswith("CUSTODY_SEQUENCE"):
                continue
            assert not result.message.startswith("CUSTODY_SEQUENCE")
    series = court.read(Actors.judge, "list_custody", "E1", 100, "")["records"]
    assert [entry["seq"] for entry in series] == list(range(1, expected_seq + 1))


def _msp_of(creator: bytes) -> dict[str, str]:
    return {"id": _id_of(creator), "msp_id": ClientIdentity(creator).msp_id}


def test_identity_helper_distinguishes_same_msp() -> None:
    assert _id_of(Actors.notary) != _id_of(identity(NOTARY, "custodian", name="vault@notary2"))
