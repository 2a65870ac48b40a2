"""Function and layer names: names, partial and full ARNs, qualifiers."""

from __future__ import annotations

import pytest

from tidal.awslambda.errors import (
    AccessDeniedException,
    InvalidParameterValueException,
    ResourceNotFoundException,
)
from tidal.awslambda.names import (
    FunctionRef,
    LayerRef,
    is_alias,
    is_version,
    parse_function,
    parse_layer,
)

ACCOUNT, REGION = "123456789012", "us-east-1"
ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:orders"


@pytest.mark.parametrize(
    ("given", "qualifier"),
    [
        ("orders", None),
        ("orders:live", "live"),
        ("orders:$LATEST", "$LATEST"),
        (f"{ACCOUNT}:function:orders", None),
        (f"{ACCOUNT}:function:orders:3", "3"),
        (ARN, None),
        (f"{ARN}:live", "live"),
        (f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:orders:$LATEST", "$LATEST"),
    ],
)
def test_every_way_of_naming_a_function(given, qualifier):
    assert parse_function(given, None, ACCOUNT, REGION) == FunctionRef(
        ACCOUNT, REGION, "orders", qualifier
    )


def test_the_qualifier_parameter_applies_when_the_name_has_none():
    ref = parse_function("orders", "7", ACCOUNT, REGION)
    assert (ref.qualifier, ref.named_arn, ref.arn) == ("7", f"{ARN}:7", ARN)
    assert parse_function(f"{ARN}:7", "7", ACCOUNT, REGION).qualifier == "7"


def test_a_qualifier_that_differs_from_the_names_is_refused():
    with pytest.raises(InvalidParameterValueException) as raised:
        parse_function(f"{ARN}:live", "3", ACCOUNT, REGION)
    assert raised.value.message == (
        "The derived qualifier from the function name does not match the specified qualifier."
    )


def test_another_region_is_not_reachable():
    other = ARN.replace(REGION, "eu-west-3")
    with pytest.raises(ResourceNotFoundException) as raised:
        parse_function(other, None, ACCOUNT, REGION)
    assert raised.value.message == (
        "Functions from 'eu-west-3' are not reachable in this region ('us-east-1')"
    )


def test_another_account_is_not_the_callers():
    with pytest.raises(AccessDeniedException):
        parse_function(ARN.replace(ACCOUNT, "999999999999"), None, ACCOUNT, REGION)


def test_qualifier_kinds():
    assert is_version("12") and not is_version("$LATEST") and not is_version("live")
    assert is_alias("live") and is_alias("2024-01-02") and not is_alias("3")
    assert not is_alias("$LATEST")


def test_layers_by_name_layer_arn_and_version_arn():
    assert parse_layer("utils", ACCOUNT, REGION) == LayerRef(ACCOUNT, REGION, "utils")
    layer_arn = "arn:aws:lambda:eu-west-1:999999999999:layer:utils"
    assert parse_layer(layer_arn, ACCOUNT, REGION) == LayerRef("999999999999", "eu-west-1", "utils")
    assert parse_layer(f"{layer_arn}:4", ACCOUNT, REGION).version == 4
    assert LayerRef(ACCOUNT, REGION, "utils").version_arn(2) == (
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:utils:2"
    )
