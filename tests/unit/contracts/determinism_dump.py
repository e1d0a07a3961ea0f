"""Run every sector scenario and print the resulting ledgers (used in a subprocess)."""

from __future__ import annotations

import sys
from collections.abc import Callable

from contract_helpers import Driver


def _scenarios() -> list[tuple[Callable[[], Driver], Callable[[Driver], None]]]:
    import tax_scenario

    found: list[tuple[Callable[[], Driver], Callable[[Driver], None]]] = [
        (tax_scenario.new_driver, tax_scenario.run_full_scenario)
    ]
    for name in ("energy_scenario", "court_scenario"):
        try:
            module = __import__(name)
        except ModuleNotFoundError:
            continue
        found.append((module.new_driver, module.run_full_scenario))
    return found


def main() -> None:
    """Print every key, value and event as hex lines."""
    for make, run in _scenarios():
        driver = make()
        run(driver)
        for key in driver.ledger.keys(driver.name):
            value = driver.ledger.state(key, driver.name)
            sys.stdout.write(f"{driver.name} {key.encode().hex()} {value.hex()}\n")
        for tx_id, name, payload in driver.ledger.events:
            sys.stdout.write(f"{driver.name} event {tx_id} {name} {payload.hex()}\n")


if __name__ == "__main__":
    main()
