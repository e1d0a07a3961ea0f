"""Smoke test: the full energy scenario runs."""

from energy_scenario import new_driver, run_full_scenario


def test_full_energy_scenario_runs() -> None:
    driver = new_driver()
    run_full_scenario(driver)
    assert len(driver.ledger.events) == 16
