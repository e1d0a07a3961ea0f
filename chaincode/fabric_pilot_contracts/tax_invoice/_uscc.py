"""Unified social credit code (统一社会信用代码) validation per GB 32100-2015."""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUES = {char: index for index, char in enumerate(ALPHABET)}


def check_character(body: str) -> str:
    """Return the check character for the first 17 characters of a code.

    Raises:
        ValueError: when ``body`` is not 17 characters of the code alphabet.
    """
    if len(body) != len(WEIGHTS) or any(char not in _VALUES for char in body):
        raise ValueError("a credit code body is 17 characters of the GB 32100 alphabet")
    total = sum(_VALUES[char] * weight for char, weight in zip(body, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    """Return whether ``code`` is an 18-character code with a correct check character."""
    if len(code) != 18 or any(char not in _VALUES for char in code):
        return False
    return check_character(code[:17]) == code[17]
