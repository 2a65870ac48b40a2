"""Asynchronous invocation settings: retries, maximum event age, destinations.

One configuration per qualifier (`$LATEST`, a version, an alias), stored as
`lambda/event-invoke` `<acct>:<region>:<function>:<qualifier>` →
`{"MaximumRetryAttempts"?, "MaximumEventAgeInSeconds"?, "DestinationConfig":
{"OnSuccess": {"Destination"?}, "OnFailure": {"Destination"?}}, "LastModified": epoch s}`.
"""

from __future__ import annotations

import copy
from typing import Any

from tidal.awslambda import aliases, records
from tidal.awslambda.errors import InvalidParameterValueException, ResourceNotFoundException
from tidal.awslambda.names import LATEST, FunctionRef, is_alias, parse_function, qualified_arn
from tidal.core import clock
from tidal.core.arns import parse_arn

SETTINGS = ("MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig")
MAX_PAGE = 50
_DESTINATION_SERVICES = frozenset({"lambda", "sqs", "sns", "events", "s3"})


def _key(ref: FunctionRef) -> str:
    return records.child_key(ref.account, ref.region, ref.name, ref.qualifier or LATEST)


def stored(txn: Any, ref: FunctionRef) -> dict[str, Any] | None:
    """The settings of the qualifier `ref` names, as GetFunctionEventInvokeConfig shows them
    (without FunctionArn and LastModified); None if it has none."""
    config = txn.get_doc(records.EVENT_INVOKE, _key(ref))
    if config is None:
        return None
    return {key: value for key, value in config.items() if key != "LastModified"}


def _missing(ref: FunctionRef) -> ResourceNotFoundException:
    arn = qualified_arn(ref.arn, ref.qualifier or LATEST)
    return ResourceNotFoundException(f"The function {arn} doesn't have an EventInvokeConfig")


def _require_target(txn: Any, ref: FunctionRef) -> None:
    """The function and the version or alias must exist."""
    no_function = ResourceNotFoundException("The function doesn't exist.")
    document = records.load_function(txn, ref)
    if document is None:
        raise no_function
    qualifier = ref.qualifier or LATEST
    if is_alias(qualifier):
        if aliases.load(txn, ref, qualifier) is None:
            raise no_function
    elif records.load_version(txn, ref, document, qualifier) is None:
        raise no_function


def _check_given(params: dict[str, Any]) -> None:
    if all(params.get(setting) is None for setting in SETTINGS):
        raise InvalidParameterValueException(
            "You must specify at least one of error handling or destination setting."
        )


def _destinations(txn: Any, ref: FunctionRef, given: dict[str, Any] | None) -> dict[str, Any]:
    """OnSuccess and OnFailure (both always shown), each destination checked as AWS does."""
    config = {"OnSuccess": {}, "OnFailure": {}}
    invalid = False
    for side in ("OnSuccess", "OnFailure"):
        destination = ((given or {}).get(side) or {}).get("Destination")
        if destination:
            invalid = invalid or not _acceptable(txn, ref, destination)
            config[side] = {"Destination": destination}
    if invalid:
        on_success = config["OnSuccess"].get("Destination")
        on_failure = config["OnFailure"].get("Destination")
        success = f"OnSuccess(destination={on_success})" if on_success else "null"
        failure = f"OnFailure(destination={on_failure})" if on_failure else "null"
        raise InvalidParameterValueException(
            f"The provided destination config DestinationConfig(onSuccess={success}, "
            f"onFailure={failure}) is invalid."
        )
    return config


def _acceptable(txn: Any, ref: FunctionRef, destination: str) -> bool:
    """Whether a destination is a service Lambda delivers to; a function must exist and not
    be the function itself."""
    parts = parse_arn(destination)
    if parts is None or parts[0] not in _DESTINATION_SERVICES:
        return False
    if parts[0] != "lambda":
        return True
    resource = parts[3].split(":")
    if len(resource) < 2 or resource[0] != "function":
        return False
    if resource[1] == ref.name:
        raise InvalidParameterValueException(
            "You can't specify the function as a destination for itself."
        )
    other = FunctionRef(parts[2] or ref.account, parts[1] or ref.region, resource[1])
    if records.load_function(txn, other) is None:
        raise InvalidParameterValueException(f"The destination ARN {destination} is invalid.")
    return True


def _render(ref: FunctionRef, config: dict[str, Any]) -> dict[str, Any]:
    return {"FunctionArn": qualified_arn(ref.arn, ref.qualifier or LATEST), **config}


def put(txn: Any, account: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    """PutFunctionEventInvokeConfig: replaces the qualifier's settings."""
    _check_given(params)
    ref = parse_function(params["FunctionName"], params.get("Qualifier"), account, region)
    _require_target(txn, ref)
    config: dict[str, Any] = {
        "DestinationConfig": _destinations(txn, ref, params.get("DestinationConfig"))
    }
    for setting in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds"):
        if params.get(setting) is not None:
            config[setting] = params[setting]
    config["LastModified"] = clock.now()
    txn.put_doc(records.EVENT_INVOKE, _key(ref), config)
    return _render(ref, config)


def update(txn: Any, account: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    """UpdateFunctionEventInvokeConfig: changes only the settings given."""
    _check_given(params)
    ref = parse_function(params["FunctionName"], params.get("Qualifier"), account, region)
    _require_target(txn, ref)
    config = txn.get_doc(records.EVENT_INVOKE, _key(ref))
    if config is None:
        raise _missing(ref)
    config = copy.deepcopy(config)
    for setting in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds"):
        if params.get(setting) is not None:
            config[setting] = params[setting]
    if params.get("DestinationConfig") is not None:
        merged = {**config["DestinationConfig"], **params["DestinationConfig"]}
        config["DestinationConfig"] = _destinations(txn, ref, merged)
    config["LastModified"] = clock.now()
    txn.put_doc(records.EVENT_INVOKE, _key(ref), config)
    return _render(ref, config)


def get(txn: Any, account: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    """GetFunctionEventInvokeConfig."""
    ref = parse_function(params["FunctionName"], params.get("Qualifier"), account, region)
    config = txn.get_doc(records.EVENT_INVOKE, _key(ref))
    if config is None:
        raise _missing(ref)
    return _render(ref, config)


def delete(txn: Any, account: str, region: str, params: dict[str, Any]) -> None:
    """DeleteFunctionEventInvokeConfig."""
    ref = parse_function(params["FunctionName"], params.get("Qualifier"), account, region)
    if not txn.delete_doc(records.EVENT_INVOKE, _key(ref)):
        raise _missing(ref)


def list_configs(txn: Any, account: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    """ListFunctionEventInvokeConfigs: the settings of every qualifier of the function."""
    ref = parse_function(params["FunctionName"], None, account, region)
    if records.load_function(txn, ref) is None:
        raise ResourceNotFoundException("The function doesn't exist.")
    prefix = records.children(ref.account, ref.region, ref.name)
    items = [
        _render(ref.with_qualifier(key.rpartition(":")[2]), config)
        for key, config in txn.list_docs(records.EVENT_INVOKE, prefix)
    ]
    return records.listing("FunctionEventInvokeConfigs", items, params, "FunctionArn", MAX_PAGE)
