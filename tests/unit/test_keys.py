from __future__ import annotations

import base64
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tidal.dynamodb.keys import decode_composite, decode_key, encode_composite, encode_key
from tidal.dynamodb.types import canonical_number


@st.composite
def dynamodb_numbers(draw: st.DrawFn) -> Decimal:
    """Any number DynamoDB stores: 0, or ±(1..38 digits) with magnitude in [1E-130, 1E126)."""
    if draw(st.integers(0, 30)) == 0:
        return Decimal(0)
    width = draw(st.integers(1, 38))
    digits = draw(st.integers(10 ** (width - 1), 10**width - 1))
    # adjusted exponent (of the leading digit) in -130..125
    exponent = draw(st.integers(-130, 125)) - (width - 1)
    sign = draw(st.sampled_from([1, -1]))
    return Decimal(f"{sign * digits}E{exponent}")


def spellings(number: Decimal) -> st.SearchStrategy[str]:
    """The many ways a client may write one number."""
    sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits))
    return st.sampled_from(
        [
            str(number),
            format(number, "f"),
            format(number, "E"),
            f"{'-' if sign else ''}{text}E{exponent}",
            f"{'-' if sign else ''}00{text}000e{exponent - 3}",
        ]
    )


numbers_with_text = dynamodb_numbers().flatmap(
    lambda number: st.tuples(st.just(number), spellings(number))
)


@given(st.lists(numbers_with_text, min_size=2, max_size=8))
def test_number_bytes_sort_in_numeric_order(numbers: list[tuple[Decimal, str]]) -> None:
    encoded = [(value, encode_key({"N": text})) for value, text in numbers]
    for a_value, a_bytes in encoded:
        for b_value, b_bytes in encoded:
            assert (a_value < b_value) == (a_bytes < b_bytes)
            assert (a_value == b_value) == (a_bytes == b_bytes)


@given(numbers_with_text)
def test_numbers_round_trip_to_canonical_text(number: tuple[Decimal, str]) -> None:
    value, text = number
    decoded = decode_key(encode_key({"N": text}), "N")
    assert decoded == {"N": canonical_number(text)}
    assert Decimal(decoded["N"]) == value


def test_equal_numbers_encode_identically() -> None:
    for same in [("100", "1E2", "100.00", "1.000e+2"), ("0", "-0", "0.0", "0E+10", "-0e-5")]:
        assert len({encode_key({"N": text}) for text in same}) == 1


def test_boundary_numbers_sort() -> None:
    texts = [
        "-9.9999999999999999999999999999999999999E+125",
        "-1E+125",
        "-1.5",
        "-1.05",
        "-1",
        "-0.1",
        "-1E-130",
        "0",
        "1E-130",
        "0.1",
        "0.105",
        "1",
        "10",
        "99999999999999999999999999999999999999",
        "1E+125",
        "9.9999999999999999999999999999999999999E+125",
    ]
    encoded = [encode_key({"N": text}) for text in texts]
    assert encoded == sorted(encoded)


@given(st.lists(st.text(), min_size=2, max_size=6))
def test_strings_sort_by_utf8_bytes_and_round_trip(strings: list[str]) -> None:
    for a in strings:
        assert decode_key(encode_key({"S": a}), "S") == {"S": a}
        for b in strings:
            assert (encode_key({"S": a}) < encode_key({"S": b})) == (a.encode() < b.encode())


@given(st.lists(st.binary(), min_size=2, max_size=6))
def test_binaries_sort_as_unsigned_bytes_and_round_trip(blobs: list[bytes]) -> None:
    for a in blobs:
        typed = {"B": base64.b64encode(a).decode()}
        assert encode_key(typed) == a
        assert decode_key(a, "B") == typed


def test_non_key_types_are_refused() -> None:
    with pytest.raises(ValueError):
        encode_key({"BOOL": True})
    with pytest.raises(ValueError):
        decode_key(b"x", "SS")
    for garbage in [b"", b"\x04", b"\x02\x00", b"\x03\x80", b"\x01\x80\xce"]:
        with pytest.raises(ValueError):
            decode_key(garbage, "N")


# Bytes rich in the escape and terminator values.
components = st.binary(max_size=6).map(lambda b: bytes(x % 4 if x < 200 else 255 for x in b))


@given(st.lists(st.lists(components, max_size=4), min_size=2, max_size=6))
def test_composites_sort_like_tuples_and_round_trip(tuples: list[list[bytes]]) -> None:
    for a in tuples:
        assert decode_composite(encode_composite(a)) == a
        for b in tuples:
            assert (encode_composite(a) < encode_composite(b)) == (a < b)


@given(st.lists(st.tuples(numbers_with_text, st.text(max_size=5)), min_size=2, max_size=6))
def test_composites_of_typed_keys_sort_like_the_values(
    rows: list[tuple[tuple[Decimal, str], str]],
) -> None:
    def encoded(row: tuple[tuple[Decimal, str], str]) -> bytes:
        (_, number), text = row
        return encode_composite([encode_key({"N": number}), encode_key({"S": text})])

    for a in rows:
        for b in rows:
            a_order = (a[0][0], a[1].encode())
            b_order = (b[0][0], b[1].encode())
            assert (a_order < b_order) == (encoded(a) < encoded(b))


def test_malformed_composites_are_refused() -> None:
    for garbage in [b"a", b"a\x00", b"a\x00\x02\x00\x01"]:
        with pytest.raises(ValueError):
            decode_composite(garbage)
