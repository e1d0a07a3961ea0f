"""What a failed Fabric tool call tells the user: the tool's ``Error:`` line."""

from __future__ import annotations

from fabric_pilot_network.commands import Command, CommandError, CommandResult

PEER = Command(("/opt/fabric/bin/peer", "channel", "fetch", "config", "x.block"))

USAGE_AFTER_ERROR = """Error: unknown flag: --bogus
Usage:
  peer channel fetch <newest|oldest|config|(number)> [outputfile] [flags]

Flags:
      --bestEffort    Whether fetch requests should ignore errors
  -h, --help          help for fetch
"""

LOG_THEN_ERROR = (
    "\x1b[31m2026-12-05 16:15:38.894 UTC 0001 WARN\x1b[0m [msp] something harmless\n"
    "Error: failed to create deliver client for orderer: orderer client failed to connect to "
    "127.0.0.1:7050: failed to create new connection: context deadline exceeded\n"
    "Usage:\n  peer channel fetch [flags]\n"
)

FATAL_LOG = (
    "\x1b[31m2026-12-05 16:15:38.894 UTC 0001 ERRO\x1b[0m [main] \x1b[31;1mInitCmd\x1b[0m -> "
    'Cannot run peer because cannot init crypto, specified path "/x/msp" does not exist\n'
)


def test_the_error_line_is_shown_not_the_usage_text_after_it() -> None:
    error = CommandError(PEER, CommandResult(1, "", USAGE_AFTER_ERROR))
    assert str(error) == "peer channel fetch config failed: Error: unknown flag: --bogus"


def test_the_error_line_wins_over_log_lines_before_it() -> None:
    error = CommandError(PEER, CommandResult(1, "", LOG_THEN_ERROR))
    assert "Error: failed to create deliver client for orderer" in str(error)
    assert "Usage" not in str(error) and "WARN" not in str(error)


def test_a_fatal_log_line_gives_its_reason_without_colour_codes() -> None:
    error = CommandError(PEER, CommandResult(1, "", FATAL_LOG))
    assert str(error).endswith('cannot init crypto, specified path "/x/msp" does not exist')
    assert "\x1b" not in str(error)


def test_the_error_line_on_stdout_is_found_too() -> None:
    error = CommandError(PEER, CommandResult(1, "Error: bad channel\n", "usage text\n"))
    assert str(error).endswith("Error: bad channel")


def test_without_any_output_the_exit_code_is_named() -> None:
    assert str(CommandError(PEER, CommandResult(5, "", ""))).endswith("failed: exit code 5")
