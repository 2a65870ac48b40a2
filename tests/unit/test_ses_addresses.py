"""SES's reading of e-mail addresses: its syntax messages and the readable form."""

from __future__ import annotations

import pytest

from tidal.ses import addresses


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("bad email", "Missing final '@domain'"),
        ("", "Missing final '@domain'"),
        ("Name <nobody>", "Missing final '@domain'"),
        ("x@", "Missing domain"),
        ("@example.com", "Missing local name"),
        ("a b@example.com", "Local address contains control or whitespace"),
        ("émile@example.com", "Local address contains control or whitespace"),
        (".a@example.com", "Local address starts with dot"),
        ("a.@example.com", "Local address ends with dot"),
        ("a..b@example.com", "Local address contains dot-dot"),
        ("a@exa mple.com", "Domain contains control or whitespace"),
        ("a@.example.com", "Domain starts with dot"),
        ("a@example.com.", "Domain ends with dot"),
        ("a@example..com", "Domain contains dot-dot"),
        ("a@exa_mple.com", "Domain contains illegal character"),
    ],
)
def test_malformed_addresses_get_ses_wording(address: str, message: str) -> None:
    assert addresses.problem(address) == message


@pytest.mark.parametrize(
    "address",
    [
        "a@example.com",
        "first.last+tag@sub.example.com",
        "Alexis GÜNST HORN <alexis.gunst@osones.com>",
        "=?utf-8?q?Alexis_G=C3=9CNST_HORN?= <alexis.gunst@osones.com>",
        '"Doe, John" <john@example.com>',
        "<bare@example.com>",
        "john@example.com (a comment)",
        '"quoted local"@example.com',
        "a@[192.168.0.1]",
    ],
)
def test_well_formed_addresses_pass(address: str) -> None:
    assert addresses.problem(address) is None


def test_display_decodes_encoded_names_and_keeps_raw_ones() -> None:
    encoded = "=?utf-8?q?Alexis_G=C3=9CNST_HORN?= <alexis.gunst@osones.com>"
    assert addresses.display(encoded) == "Alexis GÜNST HORN <alexis.gunst@osones.com>"
    raw = "Alexis GÜNST HORN <alexis.gunst@osones.com>"
    assert addresses.display(raw) == raw
    assert addresses.display('"Doe, John" <j@x.com>') == '"Doe, John" <j@x.com>'
    assert addresses.display("plain@example.com") == "plain@example.com"


def test_addr_spec_and_domain() -> None:
    assert addresses.addr_spec("Name <A@Example.COM>") == "A@Example.COM"
    assert addresses.domain_of("Name <A@Example.COM>") == "example.com"


def test_header_values_give_readable_addresses() -> None:
    found = addresses.from_header(
        ["=?utf-8?b?R8OcTlNU?= <g@example.com>, other@example.com", '"A, B" <ab@example.com>']
    )
    assert found == ["GÜNST <g@example.com>", "other@example.com", '"A, B" <ab@example.com>']
