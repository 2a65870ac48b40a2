"""Function and layer names, ARNs and qualifiers: one parser for every operation.

A function may be named by its name (`my-function`), a partial ARN
(`123456789012:function:my-function`) or a full ARN
(`arn:aws:lambda:us-east-1:123456789012:function:my-function`), each optionally followed by
`:<qualifier>`: `$LATEST`, a version number, or an alias name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tidal.awslambda.errors import (
    AccessDeniedException,
    InvalidParameterValueException,
    ResourceNotFoundException,
)

LATEST = "$LATEST"

_FUNCTION = re.compile(
    r"(?:arn:(?P<partition>aws[a-zA-Z-]*)?:lambda:)?"
    r"(?:(?P<region>(?:eusc-)?[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d):)?"
    r"(?:(?P<account>\d{12}):)?"
    r"(?:function:)?"
    r"(?P<name>[a-zA-Z0-9_.-]+)"
    r"(?::(?P<qualifier>\$LATEST|[a-zA-Z0-9_-]+))?"
)
_LAYER = re.compile(
    r"arn:aws[a-zA-Z-]*:lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):layer:"
    r"(?P<name>[a-zA-Z0-9_-]+)(?::(?P<version>[0-9]+))?"
)
_VERSION = re.compile(r"[0-9]+")


@dataclass(frozen=True, slots=True)
class FunctionRef:
    """A function as a request named it: where it lives, and the qualifier it gave (if any)."""

    account: str
    region: str
    name: str
    qualifier: str | None = None

    @property
    def arn(self) -> str:
        """The unqualified function ARN."""
        return function_arn(self.account, self.region, self.name)

    @property
    def named_arn(self) -> str:
        """The ARN with the qualifier the caller gave, or unqualified if they gave none."""
        return qualified_arn(self.arn, self.qualifier) if self.qualifier else self.arn

    def with_qualifier(self, qualifier: str | None) -> FunctionRef:
        return FunctionRef(self.account, self.region, self.name, qualifier)


def function_arn(account: str, region: str, name: str) -> str:
    return f"arn:aws:lambda:{region}:{account}:function:{name}"


def qualified_arn(arn: str, qualifier: str) -> str:
    return f"{arn}:{qualifier}"


def layer_arn(account: str, region: str, name: str) -> str:
    return f"arn:aws:lambda:{region}:{account}:layer:{name}"


def layer_version_arn(account: str, region: str, name: str, version: int) -> str:
    return f"{layer_arn(account, region, name)}:{version}"


def is_version(qualifier: str) -> bool:
    """A published version number (not `$LATEST`, not an alias)."""
    return _VERSION.fullmatch(qualifier) is not None


def is_alias(qualifier: str) -> bool:
    return qualifier != LATEST and not is_version(qualifier)


def parse_function(
    function_name: str, qualifier: str | None, account: str, region: str
) -> FunctionRef:
    """The function a request names, in the caller's account and region.

    A qualifier in the name and a different `Qualifier` parameter conflict, as on AWS; an
    ARN of another region is unreachable, one of another account is not the caller's.
    """
    found = _FUNCTION.fullmatch(function_name)
    if found is None:
        raise ResourceNotFoundException(
            f"Function not found: {function_arn(account, region, function_name)}"
        )
    named_region = found.group("region")
    if named_region and named_region != region:
        raise ResourceNotFoundException(
            f"Functions from '{named_region}' are not reachable in this region ('{region}')"
        )
    named_account = found.group("account")
    if named_account and named_account != account:
        raise AccessDeniedException(
            f"User: arn:aws:iam::{account}:root is not authorized to access function "
            f"{function_arn(named_account, region, found.group('name'))}"
        )
    named_qualifier = found.group("qualifier")
    if qualifier and named_qualifier and qualifier != named_qualifier:
        raise InvalidParameterValueException(
            "The derived qualifier from the function name does not match the specified qualifier."
        )
    return FunctionRef(account, region, found.group("name"), qualifier or named_qualifier)


@dataclass(frozen=True, slots=True)
class LayerRef:
    account: str
    region: str
    name: str
    version: int | None = None

    @property
    def arn(self) -> str:
        return layer_arn(self.account, self.region, self.name)

    def version_arn(self, version: int) -> str:
        return layer_version_arn(self.account, self.region, self.name, version)


def parse_layer(name_or_arn: str, account: str, region: str) -> LayerRef:
    """A layer named by its name or by a layer (version) ARN."""
    found = _LAYER.fullmatch(name_or_arn)
    if found is None:
        return LayerRef(account, region, name_or_arn)
    version = found.group("version")
    return LayerRef(
        found.group("account"),
        found.group("region"),
        found.group("name"),
        int(version) if version is not None else None,
    )
