"""Unique Pupil Numbers (DfE Common Basic Data Set, UPN specification).

A UPN is 13 characters: a check letter, then twelve characters (LA code, establishment,
year, serial). A *temporary* UPN ends in a letter instead of a digit. The check letter is the
weighted sum of characters 2-13 (weights 2..13; a letter counts by its index in the alphabet
below) modulo 23, looked up in the same alphabet. I, O and S are never used.
"""

from dataclasses import dataclass

UPN_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"
UPN_LENGTH = 13
DIGITS = "0123456789"


@dataclass(frozen=True)
class UpnCheck:
    valid: bool
    temporary: bool
    reason: str


def upn_check_letter(body: str) -> str:
    """The check letter for the twelve characters that follow it."""
    total = 0
    for weight, char in enumerate(body, start=2):
        if char in DIGITS:
            total += int(char) * weight
        else:
            total += UPN_ALPHABET.index(char) * weight
    return UPN_ALPHABET[total % 23]


def check_upn(value: str) -> UpnCheck:
    upn = value.strip().upper()
    if len(upn) != UPN_LENGTH:
        return UpnCheck(False, False, f"A UPN is 13 characters; this one has {len(upn)}.")
    check, body = upn[0], upn[1:]
    if check not in UPN_ALPHABET:
        return UpnCheck(False, False, "A UPN starts with a check letter (not I, O or S).")
    if not all(char in DIGITS for char in body[:-1]):
        return UpnCheck(False, False, "Characters 2 to 12 of a UPN must be digits.")
    last = body[-1]
    temporary = last not in DIGITS
    if temporary and last not in UPN_ALPHABET:
        return UpnCheck(
            False, True, "A temporary UPN ends in a letter other than I, O or S."
        )
    expected = upn_check_letter(body)
    if check != expected:
        return UpnCheck(
            False,
            temporary,
            f"The check letter does not match: a UPN ending {body} starts with {expected}. "
            "Check the number for a typing mistake.",
        )
    return UpnCheck(True, temporary, "")
