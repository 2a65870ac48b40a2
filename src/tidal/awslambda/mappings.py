"""Event source mappings: what connects a DynamoDB stream to a function, as the API shows it.

A mapping lives in the store as a document in `lambda/mappings`, keyed
`<account>:<region>:<UUID>`. It holds the fields the API returns (capitalised, as AWS
spells them) and Tidal's own (lower case):

    {"UUID", "EventSourceMappingArn", "EventSourceArn", "FunctionArn", "BatchSize", …,
     "State", "StateTransitionReason", "LastModified", "LastProcessingResult",
     "account", "region", "function_name", "enabled": bool, "revision": int,
     "start": "<sequence>" | None, "created": epoch s}

`start` is where a LATEST mapping begins (after the stream's newest record when it was
created; None for TRIM_HORIZON: each shard from its oldest record). `revision` grows with
every update, so running consumers know their settings are stale. The API moves `State` to
Creating, Updating, Enabling, Disabling or Deleting; the consumers' supervisor
(`consumers.py`) completes the transition (Enabled, Disabled, or gone).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from tidal.awslambda import filters, names
from tidal.awslambda.errors import (
    InvalidParameterValueException,
    ResourceConflictException,
    ResourceInUseException,
    not_found,
)
from tidal.awslambda.functions import FunctionVersion
from tidal.core import clock
from tidal.core.arns import arn, parse_arn
from tidal.core.ids import new_uuid
from tidal.streams import streams

NAMESPACE = "lambda/mappings"
MAX_PAGE = 100

CREATING, ENABLING, ENABLED = "Creating", "Enabling", "Enabled"
UPDATING, DISABLING, DISABLED, DELETING = "Updating", "Disabling", "Disabled", "Deleting"
NO_RECORDS = "No records processed"
OK = "OK"
USER_ACTION = "User action"

DEFAULTS: dict[str, Any] = {
    "BatchSize": 100,
    "MaximumBatchingWindowInSeconds": 0,
    "ParallelizationFactor": 1,
    "MaximumRecordAgeInSeconds": -1,
    "MaximumRetryAttempts": -1,
    "BisectBatchOnFunctionError": False,
    "TumblingWindowInSeconds": 0,
    "FunctionResponseTypes": [],
}
UPDATABLE = (*DEFAULTS, "FilterCriteria", "DestinationConfig", "MetricsConfig", "KMSKeyArn")
PUBLIC = (
    "UUID",
    "StartingPosition",
    "BatchSize",
    "MaximumBatchingWindowInSeconds",
    "ParallelizationFactor",
    "EventSourceArn",
    "FilterCriteria",
    "KMSKeyArn",
    "MetricsConfig",
    "FunctionArn",
    "LastModified",
    "LastProcessingResult",
    "State",
    "StateTransitionReason",
    "DestinationConfig",
    "MaximumRecordAgeInSeconds",
    "BisectBatchOnFunctionError",
    "MaximumRetryAttempts",
    "TumblingWindowInSeconds",
    "FunctionResponseTypes",
    "EventSourceMappingArn",
)
DESTINATION_SERVICES = frozenset(("sqs", "sns", "s3", "lambda"))
MIN_RECORD_AGE = 60


def key(account: str, region: str, uuid: str) -> str:
    return f"{account}:{region}:{uuid}"


def key_of(document: dict[str, Any]) -> str:
    return key(document["account"], document["region"], document["UUID"])


def configuration(document: dict[str, Any]) -> dict[str, Any]:
    """The mapping as the API returns it."""
    return {name: document[name] for name in PUBLIC if name in document}


def check_create(params: dict[str, Any]) -> str:
    """What AWS checks of a CreateEventSourceMapping before it looks anything up; returns
    the event source ARN."""
    _check_destination(params.get("DestinationConfig"))
    source = params.get("EventSourceArn")
    if not source or (parse_arn(source) or ("",))[0] != "dynamodb":
        raise InvalidParameterValueException("Unrecognized event source.")
    position = params.get("StartingPosition")
    if not position:
        raise InvalidParameterValueException(
            "1 validation error detected: Value null at 'startingPosition' failed to satisfy "
            "constraint: Member must not be null."
        )
    if position == "AT_TIMESTAMP":
        raise InvalidParameterValueException(
            f"Unsupported starting position for arn type: {source}"
        )
    if "StartingPositionTimestamp" in params:
        raise InvalidParameterValueException(
            "Timestamp only valid with StartingPosition AT_TIMESTAMP"
        )
    _check_settings(params)
    return source


def check_update(params: dict[str, Any]) -> None:
    _check_destination(params.get("DestinationConfig"))
    _check_settings(params)


def create(
    txn: Any, account: str, region: str, params: dict[str, Any], function: FunctionVersion
) -> dict[str, Any]:
    """A new mapping of the stream `params["EventSourceArn"]` to `function` (checked)."""
    source = params["EventSourceArn"]
    stream = _stream(txn, account, region, source)
    function_arn = function.invoked_arn
    _refuse_duplicate(txn, account, region, source, function_arn, function.name, None)
    uuid = new_uuid()
    now = clock.now()
    document: dict[str, Any] = {
        "UUID": uuid,
        "StartingPosition": params["StartingPosition"],
        **DEFAULTS,
        "EventSourceArn": source,
        "FunctionArn": function_arn,
        "LastModified": now,
        "LastProcessingResult": NO_RECORDS,
        "State": CREATING,
        "StateTransitionReason": USER_ACTION,
        "DestinationConfig": {"OnFailure": {}},
        "EventSourceMappingArn": arn("lambda", region, account, f"event-source-mapping:{uuid}"),
        "account": account,
        "region": region,
        "function_name": function.name,
        "enabled": params.get("Enabled", True),
        "revision": 1,
        "start": _latest(txn, stream) if params["StartingPosition"] == "LATEST" else None,
        "created": now,
    }
    _apply(document, params)
    txn.put_doc(NAMESPACE, key_of(document), document)
    return configuration(document)


def get(txn: Any, account: str, region: str, uuid: str) -> dict[str, Any]:
    return configuration(require(txn, account, region, uuid))


def require(txn: Any, account: str, region: str, uuid: str) -> dict[str, Any]:
    document = txn.get_doc(NAMESPACE, key(account, region, uuid))
    if document is None:
        raise not_found()
    return document


def list_mappings(txn: Any, account: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    """ListEventSourceMappings: by function (name or ARN) and/or source, oldest first, paged."""
    documents = [doc for _, doc in txn.list_docs(NAMESPACE, f"{account}:{region}:")]
    if params.get("EventSourceArn"):
        documents = [d for d in documents if d["EventSourceArn"] == params["EventSourceArn"]]
    if params.get("FunctionName"):
        wanted = names.parse_function(params["FunctionName"], None, account, region)
        documents = [d for d in documents if _names_function(d, wanted)]
    documents.sort(key=_order)
    if params.get("Marker"):
        after = _marker_position(params["Marker"])
        documents = [d for d in documents if _order(d) > after]
    limit = min(params.get("MaxItems") or MAX_PAGE, MAX_PAGE)
    result: dict[str, Any] = {"EventSourceMappings": [configuration(d) for d in documents[:limit]]}
    if len(documents) > limit:
        result["NextMarker"] = _marker(documents[limit - 1])
    return result


def update(
    txn: Any,
    account: str,
    region: str,
    params: dict[str, Any],
    function: FunctionVersion | None,
) -> dict[str, Any]:
    """Apply an UpdateEventSourceMapping; `function` is the new function, if one was named."""
    document = require(txn, account, region, params["UUID"])
    if document["State"] == DELETING:
        raise ResourceInUseException("Cannot update the event source mapping because it is in use.")
    if function is not None:
        _refuse_duplicate(
            txn,
            account,
            region,
            document["EventSourceArn"],
            function.invoked_arn,
            function.name,
            document["UUID"],
        )
        document["FunctionArn"] = function.invoked_arn
        document["function_name"] = function.name
    _apply(document, params)
    enabled = params.get("Enabled", document["enabled"])
    if enabled != document["enabled"]:
        document["State"] = ENABLING if enabled else DISABLING
    elif enabled:
        document["State"] = UPDATING
    document["enabled"] = enabled
    document["revision"] += 1
    document["LastModified"] = clock.now()
    document["StateTransitionReason"] = USER_ACTION
    txn.put_doc(NAMESPACE, key_of(document), document)
    return configuration(document)


def delete(txn: Any, account: str, region: str, uuid: str) -> dict[str, Any]:
    document = require(txn, account, region, uuid)
    if document["State"] == DELETING:
        raise ResourceInUseException("Cannot delete the event source mapping because it is in use.")
    document["State"] = DELETING
    document["StateTransitionReason"] = USER_ACTION
    txn.put_doc(NAMESPACE, key_of(document), document)
    return configuration(document)


def all_mappings(txn: Any) -> list[dict[str, Any]]:
    """Every mapping of every account and region."""
    return [document for _, document in txn.list_docs(NAMESPACE)]


def save(txn: Any, document: dict[str, Any]) -> None:
    txn.put_doc(NAMESPACE, key_of(document), document)


def remove(txn: Any, document: dict[str, Any]) -> None:
    txn.delete_doc(NAMESPACE, key_of(document))


def patterns(document: dict[str, Any]) -> list[filters.Pattern]:
    """The mapping's compiled filters (empty: every record passes)."""
    found = (document.get("FilterCriteria") or {}).get("Filters") or []
    return [filters.parse(entry["Pattern"]) for entry in found]


def on_failure(document: dict[str, Any]) -> str | None:
    """The ARN discarded batches are described to, if any."""
    return (document.get("DestinationConfig") or {}).get("OnFailure", {}).get("Destination")


def reports_item_failures(document: dict[str, Any]) -> bool:
    return "ReportBatchItemFailures" in document.get("FunctionResponseTypes", ())


def _stream(txn: Any, account: str, region: str, source: str) -> dict[str, Any]:
    key_ = streams.key_of(source)
    document = None
    if key_ is not None and key_.startswith(f"{account}:{region}:"):
        document = txn.get_doc(streams.NAMESPACE, key_)
    if document is None:
        raise InvalidParameterValueException(f"Stream not found: {source}")
    return document


def _latest(txn: Any, stream: dict[str, Any]) -> str:
    """Where LATEST starts: after the stream's newest record (0: it holds none)."""
    return str(streams.last_sequence(txn, stream) or 0)


def _refuse_duplicate(
    txn: Any,
    account: str,
    region: str,
    source: str,
    function_arn: str,
    function_name: str,
    this: str | None,
) -> None:
    for _, other in txn.list_docs(NAMESPACE, f"{account}:{region}:"):
        if (
            other["UUID"] != this
            and other["EventSourceArn"] == source
            and other["FunctionArn"] == function_arn
        ):
            raise ResourceConflictException(
                f'The event source arn (" {source} ") and function (" {function_name} ") '
                "provided mapping already exists. Please update or delete the existing "
                f"mapping with UUID {other['UUID']}"
            )


def _check_settings(params: dict[str, Any]) -> None:
    age = params.get("MaximumRecordAgeInSeconds")
    if age is not None and 0 <= age < MIN_RECORD_AGE:
        raise InvalidParameterValueException(
            "MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 "
            "(inclusive)"
        )
    for entry in (params.get("FilterCriteria") or {}).get("Filters") or []:
        try:
            filters.parse(entry.get("Pattern") or "")
        except filters.InvalidPattern:
            raise InvalidParameterValueException("Invalid filter pattern definition.") from None


def _check_destination(config: dict[str, Any] | None) -> None:
    if not config:
        return
    if "OnSuccess" in config:
        raise InvalidParameterValueException(
            "Unsupported DestinationConfig parameter for given event source mapping type."
        )
    on_failure_ = config.get("OnFailure")
    if on_failure_ is None:
        return
    if "Destination" not in on_failure_:
        raise InvalidParameterValueException(
            "The Destination field is required for an OnFailure configuration."
        )
    destination = on_failure_["Destination"]
    parts = parse_arn(destination) if destination else None
    if destination and (parts is None or parts[0] not in DESTINATION_SERVICES):
        raise InvalidParameterValueException(f"The destination ARN {destination} is invalid.")


def _apply(document: dict[str, Any], params: dict[str, Any]) -> None:
    """Copy the settings a request gives into the mapping."""
    for name in UPDATABLE:
        if name in params:
            document[name] = params[name]
    if not (document.get("FilterCriteria") or {}).get("Filters"):
        document.pop("FilterCriteria", None)
    destination = (params.get("DestinationConfig") or {}).get("OnFailure")
    if destination is not None:
        chosen = destination.get("Destination")
        document["DestinationConfig"] = {"OnFailure": {"Destination": chosen} if chosen else {}}
    elif "DestinationConfig" in params:
        document["DestinationConfig"] = {"OnFailure": {}}


def _names_function(document: dict[str, Any], wanted: names.FunctionRef) -> bool:
    if wanted.qualifier is not None:
        return document["FunctionArn"] == wanted.named_arn
    mapped = document["FunctionArn"]
    return mapped == wanted.arn or mapped.startswith(wanted.arn + ":")


def _order(document: dict[str, Any]) -> tuple[float, str]:
    return (document["created"], document["UUID"])


def _marker(document: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(f"{document['created']!r}|{document['UUID']}".encode()).decode()


def _marker_position(marker: str) -> tuple[float, str]:
    try:
        created, uuid = base64.urlsafe_b64decode(marker.encode()).decode().split("|")
        return (float(created), uuid)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidParameterValueException("Invalid marker: " + marker) from None
