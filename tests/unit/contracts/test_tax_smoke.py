"""Smoke test: the full tax scenario runs."""

from tax_scenario import new_driver, run_full_scenario


def test_full_scenario_runs() -> None:
    driver = new_driver()
    run_full_scenario(driver)
    assert len(driver.ledger.events) == 16
