"""Monthly settlement per party: energy at the tariff in integer fen, once per period.

``import_charge_fen = round_half_up(import_wh * import_fen_per_kwh / 1000)``,
``export_credit_fen = round_half_up(export_wh * export_fen_per_kwh / 1000)``,
``balance_fen = export_credit_fen - import_charge_fen - fee_fen`` (positive: the party is paid).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fabric_pilot_chaincode import ContractError
from fabric_pilot_contracts._common import Fields, TxLedger, bad_argument, round_half_up_div
from fabric_pilot_contracts.energy_metering._keys import SETTLEMENT, USAGE, check_period
from fabric_pilot_contracts.energy_metering._policy import ENERGY_ORGS

MAX_METERS = 1000
MAX_TARIFF = 10**6


def period_end(period: str) -> int:
    """Epoch seconds of the first instant after month ``YYYYMM``."""
    year, month = int(period[:4]), int(period[4:])
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return int(datetime(year, month, 1, tzinfo=UTC).timestamp())


def _usage(ledger: TxLedger, period: str, owner_msp: str) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    for entry in ledger.stub.get_state_by_partial_composite_key(USAGE, [period, owner_msp]):
        if len(lines) >= MAX_METERS:
            raise bad_argument(f"a party may settle at most {MAX_METERS} meters")
        usage = ledger.require(entry.key, "usage", entry.key)
        lines.append(
            {
                "export_wh": usage["export_wh"],
                "import_wh": usage["import_wh"],
                "meter_id": usage["meter_id"],
            }
        )
    return lines


def settle(
    ledger: TxLedger, owner_msp: str, period: str, tariff: Any
) -> tuple[dict[str, Any], bool]:
    """Settle one party's month once.

    Raises:
        ContractError: ``PERIOD_OPEN`` (month not over), ``ALREADY_SETTLED`` (a different
            settlement exists), ``BAD_ARGUMENT``.
    """
    fields = Fields(tariff, "tariff", ("export_fen_per_kwh", "fee_fen", "import_fen_per_kwh"))
    if owner_msp not in ENERGY_ORGS:
        raise bad_argument(f"owner_msp must be one of {ENERGY_ORGS}")
    key = ledger.key(SETTLEMENT, check_period(period), owner_msp)
    request = {"owner_msp": owner_msp, "period": period, "tariff": tariff}
    if ledger.get(key) is not None:
        return ledger.create_once(key, request, {}, "settlement", "ALREADY_SETTLED")
    if ledger.now_seconds < period_end(period):
        raise ContractError("PERIOD_OPEN", f"period {period} is not over yet")
    import_price = fields.integer("import_fen_per_kwh", 0, MAX_TARIFF)
    export_price = fields.integer("export_fen_per_kwh", 0, MAX_TARIFF)
    fee = fields.integer("fee_fen", 0, 10**12)
    lines = _usage(ledger, period, owner_msp)
    imported = sum(int(line["import_wh"]) for line in lines)
    exported = sum(int(line["export_wh"]) for line in lines)
    charge = round_half_up_div(imported * import_price, 1000)
    credit = round_half_up_div(exported * export_price, 1000)
    record = {
        "balance_fen": credit - charge - fee,
        "export_credit_fen": credit,
        "export_wh": exported,
        "fee_fen": fee,
        "import_charge_fen": charge,
        "import_wh": imported,
        "lines": lines,
        "net_wh": exported - imported,
        "owner_msp": owner_msp,
        "period": period,
        "settled_at": ledger.now_iso,
        "tariff": {
            "export_fen_per_kwh": export_price,
            "fee_fen": fee,
            "import_fen_per_kwh": import_price,
        },
        "tx_id": ledger.tx_id,
    }
    return ledger.create_once(key, request, record, "settlement", "ALREADY_SETTLED")
