import pytest

from cases.identifiers import check_upn, upn_check_letter


def test_it_computes_the_check_letter_by_weighted_sum():
    # 8×2 + 1×4 + 2×5 + 1×10 + 1×13 = 53; 53 mod 23 = 7 → H (A=0, I and O skipped).
    assert upn_check_letter("801200001001") == "H"


def test_it_accepts_a_valid_upn_in_any_case_and_with_spaces_around():
    result = check_upn(" h801200001001 ")
    assert result.valid
    assert not result.temporary


@pytest.mark.parametrize("upn", ["U80120000100A", "E80120000100Z"])
def test_it_accepts_a_temporary_upn_ending_in_a_letter(upn):
    # A: 40 mod 23 = 17 → U. Z (22): 40 + 22×13 = 326; 326 mod 23 = 4 → E.
    result = check_upn(upn)
    assert result.valid
    assert result.temporary


@pytest.mark.parametrize(
    ("upn", "reason"),
    [
        ("A801200001001", "check letter does not match"),
        ("H80120000100", "13 characters"),
        ("H8012000010011", "13 characters"),
        ("I801200001001", "starts with a check letter"),
        ("H8012000A1001", "must be digits"),
        ("U80120000100I", "ends in a letter other than I, O or S"),
        ("U80120000100B", "check letter does not match"),
    ],
)
def test_it_rejects_an_invalid_upn_and_says_why(upn, reason):
    result = check_upn(upn)
    assert not result.valid
    assert reason in result.reason


def test_the_mismatch_message_names_the_expected_letter():
    assert "starts with H" in check_upn("A801200001001").reason


def test_a_upn_with_other_numerals_is_refused_not_crashed_on():
    assert not check_upn("H80120000100²").valid
    assert not check_upn("H8012000010٠1").valid
