"""Access table of the energy metering contract (MSP, NodeOU, ``pilot.role``).

Record-level checks come on top: readings come from the grid operator or the meter owner's
org; certificates move only at their owner's request.
"""

from __future__ import annotations

from fabric_pilot_contracts._common import Rule

GRID = "GridOperatorMSP"
GENERATOR = "GeneratorMSP"
ENTERPRISES = ("EnterpriseAMSP", "EnterpriseBMSP")
ENERGY_ORGS = (GRID, GENERATOR, *ENTERPRISES)
CUSTOMER_COLLECTION = "meterCustomerData"

_METER_ADMIN = Rule.of([GRID], ["meter_operator"])
_REGISTRY = Rule.of([GRID], ["registry"])
_HOLDER = Rule.of([GENERATOR, *ENTERPRISES, GRID], ["generator", "trader", "finance"])
_ANYONE = Rule.of(["*"])

POLICY: dict[str, Rule] = {
    "register_meter": _METER_ADMIN,
    "recalibrate_meter": _METER_ADMIN,
    "rotate_meter_key": _METER_ADMIN,
    "replace_meter_device": _METER_ADMIN,
    "decommission_meter": _METER_ADMIN,
    "record_readings": Rule.of(ENERGY_ORGS, ["meter_operator"]),
    "correct_reading": _METER_ADMIN,
    "issue_certificates": _REGISTRY,
    "cancel_certificate": _REGISTRY,
    "transfer_certificate": _HOLDER,
    "split_certificate": _HOLDER,
    "retire_certificate": _HOLDER,
    "settle_period": Rule.of([GRID], ["settlement", "regulator"]),
    "read": _ANYONE,
    "read_customer": Rule.of(ENERGY_ORGS, ["meter_operator", "regulator", "generator", "finance"]),
}
