"""IAM ids, STS keys and IAM markers."""

from __future__ import annotations

import re

import pytest

from tidal.core import access_keys
from tidal.iam import identifiers, pages
from tidal.iam.errors import ValidationError


@pytest.mark.parametrize("account", ["000000000000", "123456789012", "999999999999"])
def test_access_key_ids_name_their_account(account):
    key = access_keys.access_key_id("ASIA", account)
    assert re.fullmatch(r"ASIA[A-Z2-7]{16}", key)
    assert key[4] in "QRSTUVWXYZ234567"
    assert access_keys.account_of_key(key) == account


def test_keys_that_are_not_aws_shaped_name_no_account():
    assert access_keys.account_of_key("test") is None
    assert access_keys.account_of_key("ASIA0000000000000000") is None


def test_unique_ids_and_credentials_have_aws_shapes():
    assert re.fullmatch(r"AROA[A-Z2-7]{17}", identifiers.unique_id("AROA"))
    assert identifiers.unique_id("ANPA") != identifiers.unique_id("ANPA")
    assert re.fullmatch(r"[A-Za-z0-9+/]{40}", identifiers.secret_access_key())
    assert identifiers.session_token().startswith("IQoJb3JpZ2luX2Vj")


def test_pages_resume_after_the_marker_even_when_entries_change():
    names = ["d", "a", "c", "b", "e"]
    first, more = pages.page(names, str, {"MaxItems": 2})
    assert (first, more["IsTruncated"]) == (["a", "b"], True)
    names.remove("c")
    second, more = pages.page(names, str, {"MaxItems": 2, "Marker": more["Marker"]})
    assert (second, more["IsTruncated"]) == (["d", "e"], False)
    assert "Marker" not in more


def test_pages_default_to_a_hundred_entries():
    chosen, more = pages.page([f"{n:03d}" for n in range(150)], str, {})
    assert len(chosen) == 100 and more["IsTruncated"]


@pytest.mark.parametrize("marker", ["garbage!", "bm9wZQ=="])
def test_a_marker_tidal_did_not_give_is_refused(marker):
    with pytest.raises(ValidationError, match=r"^Invalid Marker\.$"):
        pages.page(["a"], str, {"Marker": marker})
