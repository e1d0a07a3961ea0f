"""Property-based tests of meter monotonicity and replay protection."""

from __future__ import annotations

from dataclasses import dataclass

from contract_helpers import Driver
from energy_scenario import DEC_START, QUARTER, Actors, meter, reading
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fabric_pilot_contracts.energy_metering import CHAINCODE

STEPS = st.lists(
    st.tuples(
        st.integers(-2, 3),  # counter change
        st.integers(-QUARTER, 2 * QUARTER),  # gap after the previous interval end
        st.integers(-5, 1_000),  # import register change
        st.integers(-5, 1_000),  # export register change
    ),
    min_size=1,
    max_size=12,
)


@dataclass
class MeterModel:
    """What the contract should remember about the meter."""

    counter: int = 0
    end: int = DEC_START
    import_wh: int = 100
    export_wh: int = 100

    def expected_error(self, counter: int, start: int, import_wh: int, export_wh: int) -> str:
        """The error the contract must raise, or "" when the reading is valid."""
        if counter <= self.counter:
            return "REPLAY"
        if start < self.end:
            return "OVERLAPPING_INTERVAL"
        if import_wh < self.import_wh or export_wh < self.export_wh:
            return "NON_MONOTONIC"
        return ""


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(STEPS)
def test_readings_follow_the_monotonic_model(steps: list[tuple[int, int, int, int]]) -> None:
    energy = Driver("energy_metering", CHAINCODE, "energy")
    energy.ok(
        Actors.operator, "register_meter", meter(initial_import_wh=100, initial_export_wh=100)
    )
    energy.ok(Actors.operator, "record_reading", reading(0, DEC_START - QUARTER, 100, 100))
    model = MeterModel()
    recorded = {DEC_START - QUARTER: reading(0, DEC_START - QUARTER, 100, 100)}
    for counter_change, gap, import_change, export_change in steps:
        values = (
            max(model.counter + counter_change, 0),
            model.end + gap,
            model.import_wh + import_change,
            model.export_wh + export_change,
        )
        payload = reading(*values)
        if values[1] in recorded:
            if payload == recorded[values[1]]:
                energy.ok(Actors.operator, "record_reading", payload)  # idempotent retry
            else:
                code = energy.fails(Actors.operator, "record_reading", payload)
                assert code == "DUPLICATE_READING"
            continue
        expected = model.expected_error(*values)
        if expected:
            assert energy.fails(Actors.operator, "record_reading", payload) == expected
            continue
        record = energy.ok(Actors.operator, "record_reading", payload)
        assert record["import_delta_wh"] == values[2] - model.import_wh
        assert record["export_delta_wh"] == values[3] - model.export_wh
        model = MeterModel(values[0], values[1] + QUARTER, values[2], values[3])
        recorded[values[1]] = payload
    state = energy.read(Actors.operator, "get_meter", "M1")
    assert state["last_counter"] == model.counter
    assert state["last_interval_end"] == model.end
    assert (state["last_import_wh"], state["last_export_wh"]) == (model.import_wh, model.export_wh)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(1, 40), min_size=1, max_size=8, unique=True))
def test_any_earlier_reading_replayed_is_refused(counters: list[int]) -> None:
    energy = Driver("energy_metering", CHAINCODE, "energy")
    energy.ok(Actors.operator, "register_meter", meter())
    accepted = []
    for index, counter in enumerate(sorted(counters)):
        payload = reading(counter, DEC_START + index * QUARTER, index, index)
        energy.ok(Actors.operator, "record_reading", payload)
        accepted.append(payload)
    last = len(accepted)
    for index, old in enumerate(accepted):
        moved = reading(old["counter"], DEC_START + (last + index) * QUARTER, last, last)
        assert energy.fails(Actors.operator, "record_reading", moved) == "REPLAY"
