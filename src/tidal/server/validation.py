"""Input validation compiled from botocore service models, answering in AWS's words.

`validator_for(model, operation)` compiles the operation's input shape once into closures
and returns `check(params)`. A check runs in two passes, as AWS does:

1. A fast pass over the parsed JSON body in document order. A value of the wrong JSON type
   raises SerializationException at once (AWS stops parsing there). A broken constraint
   only clears a flag, so a valid request builds no paths and no messages.
2. Only when the fast pass saw a broken constraint, a report pass walks the body in the
   order AWS checks members, builds member paths (`keySchema.1.member.attributeName`,
   `requestItems.<table>.member.1.member.putRequest.item`) and raises one
   ValidationException with at most ten "Value ... at '...' failed to satisfy constraint:
   ..." lines.

Models can be looser than the service (DynamoDB's `TableArn` takes 1 to 1024 characters;
DynamoDB reports 3 to 255 and `[a-zA-Z0-9_.-]+` for a table name), so a service passes
`overrides`: `Constraints` by shape name, whose fields replace what the model says of that
shape. Parameters are the parsed body as orjson gives it (dict, list, str, int, float, bool,
None); other protocols convert to those types first (a timestamp may be a number or a string),
and a REST payload blob arrives as raw `bytes`, measured by its length.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from botocore.model import ServiceModel, Shape

from tidal.core.errors import SerializationException, ValidationException
from tidal.server import coral

__all__ = ["MAX_REPORTED", "Constraints", "Overrides", "Validator", "validator_for"]

MAX_REPORTED = 10
"""AWS lists at most this many constraint violations in one ValidationException."""

NOT_NULL = "Member must not be null"

log = logging.getLogger(__name__)

Validator = Callable[[Any], None]
FastCheck = Callable[[Any], bool]
Report = Callable[[Any, str, list[str]], None]


@dataclasses.dataclass(frozen=True)
class Constraints:
    """What AWS checks of one shape. As an override, the fields given replace the model's.

    `min`/`max` bound the length of strings, blobs, lists and maps and the value of numbers.
    `enum` is listed in the order given (AWS's order is often not the model's). `members` is
    the order in which AWS checks a structure's members; those not named follow in model
    order. A string that fully matches `unless` skips these constraints and `then`; `then`
    is checked only when these hold, so `Constraints(then=name_rules)` on a shape whose model
    says 1 to 1024 characters reports those bounds first. `not_null`: as an entry of a list
    or map, the value must not be null, and AWS says so among the entry constraints.
    `required`: members of a structure AWS requires although the model no longer says so.
    A null entry of a list or map of structures, maps or lists is a missing member
    (`transactItems.1.member`, `requestItems.t.member`), unless the entry's shape says
    `null_left_to_room`: then the room answers it itself.
    """

    min: float | None = None
    max: float | None = None
    pattern: str | None = None
    enum: tuple[str, ...] | None = None
    members: tuple[str, ...] = ()
    unless: str | None = None
    then: Constraints | None = None
    not_null: bool = False
    required: tuple[str, ...] = ()
    null_left_to_room: bool = False


Overrides = Mapping[str, Constraints]

_COMPILERS: dict[tuple[str, str, int], tuple[Overrides | None, _Compiler]] = {}


def validator_for(
    service_model: ServiceModel, operation_name: str, overrides: Overrides | None = None
) -> Validator:
    """The compiled input check of one operation; compiled once, then returned from a cache.

    The cache is keyed by service name, API version and the identity of `overrides`: pass
    the same (unchanging) mapping every time, e.g. a module constant of the service; each
    new mapping compiles (and keeps) a new set of validators.
    """
    key = (service_model.service_name, service_model.api_version, id(overrides) if overrides else 0)
    entry = _COMPILERS.get(key)
    if entry is None:
        entry = _COMPILERS[key] = (overrides, _Compiler(service_model, overrides or {}))
    return entry[1].validator(operation_name)


def _accept(params: Any) -> None:
    """The check of an operation that has no input members."""


class _Bound:
    """Constraints compiled for one shape type: which a value breaks, and how AWS lists them."""

    def __init__(
        self, constraints: Constraints, type_name: str, measure: Callable[[Any], float] | None
    ) -> None:
        textual = type_name == "string"
        word = "value" if type_name in _NUMBERS else "length"
        number = coral.java_double if type_name in ("double", "float") else int
        self._measure = measure
        self._lower = constraints.min if measure is not None else None
        self._upper = constraints.max if measure is not None else None
        self.not_null = constraints.not_null
        self._regex = _compile_pattern(constraints.pattern) if textual else None
        self._enum = frozenset(constraints.enum or ()) if textual else frozenset()
        self._unless = re.compile(constraints.unless) if textual and constraints.unless else None
        self._then = _bind(constraints.then, type_name) if constraints.then else None
        messages = []
        if self._upper is not None:
            self._too_big = f"Member must have {word} less than or equal to {number(self._upper)}"
            messages.append(self._too_big)
        if self._lower is not None:
            lower = number(self._lower)
            self._too_small = f"Member must have {word} greater than or equal to {lower}"
            messages.append(self._too_small)
        if self._regex is not None:
            pattern = constraints.pattern
            self._no_match = f"Member must satisfy regular expression pattern: {pattern}"
            messages.append(self._no_match)
        if self._enum:
            values = ", ".join(constraints.enum or ())
            self._no_enum = f"Member must satisfy enum value set: [{values}]"
            messages.append(self._no_enum)
        if self.not_null:
            messages.append(NOT_NULL)
        self.descriptions = ", ".join(messages)
        self.ok = self._quick_check()
        self.all_ok = self._quick_check_all()

    def _quick_check(self) -> Callable[[Any], bool]:
        """`ok(value)`: whether `value` keeps every constraint, specialised for the common sets."""
        if self._unless is not None or self._then is not None or self._regex is not None:
            return lambda value: self.failing(value) is None
        if self._enum:
            if self._upper is None and self._lower is None:
                return self._enum.__contains__
            return lambda value: self.failing(value) is None
        measure = self._measure
        if measure is None or (self._lower is None and self._upper is None):
            return lambda value: True
        low = -math.inf if self._lower is None else self._lower
        high = math.inf if self._upper is None else self._upper
        if measure is coral.java_length:
            # A Java length lies between len() and twice len(): most strings need no count.
            def ok_text(value: str) -> bool:
                size = len(value)
                return (low <= size and size + size <= high) or low <= measure(value) <= high

            return ok_text
        return lambda value: low <= measure(value) <= high

    def _quick_check_all(self) -> Callable[[Any], bool]:
        """`all_ok(values)` for a non-empty collection, in one C-level pass for a plain maximum."""
        ok = self.ok
        plain = self._regex is None and not self._enum and self._then is None
        if plain and self._measure is coral.java_length and self._lower is None and self._upper:
            half = self._upper // 2
            return lambda values: max(map(len, values)) <= half or all(map(ok, values))
        return lambda values: all(map(ok, values))

    def failing(self, value: Any) -> tuple[_Bound, list[str]] | None:
        """The first set (this one, then `then`) whose constraints `value` breaks, and those."""
        if self._unless is not None and self._unless.fullmatch(value):
            return None
        broken = self._broken(value)
        if broken:
            return self, broken
        return self._then.failing(value) if self._then is not None else None

    def _broken(self, value: Any) -> list[str]:
        broken = []
        if self._upper is not None or self._lower is not None:
            size = self._measure(value)
            if self._upper is not None and size > self._upper:
                broken.append(self._too_big)
            if self._lower is not None and size < self._lower:
                broken.append(self._too_small)
        if self._regex is not None and not self._regex.fullmatch(value):
            broken.append(self._no_match)
        if self._enum and value not in self._enum:
            broken.append(self._no_enum)
        return broken


_NUMBERS = frozenset({"integer", "long", "double", "float"})


def _blob_length(value: str | bytes) -> int:
    """The bytes of a blob: raw bytes (a REST payload) or base64 text (any other blob)."""
    return len(value) if value.__class__ is bytes else coral.base64_length(value)


_MEASURES: dict[str, Callable[[Any], float]] = {
    "string": coral.java_length,
    "blob": _blob_length,
    "list": len,
    "map": len,
    "integer": int,
    "long": int,
    "double": float,
    "float": float,
}


def _bind(constraints: Constraints, type_name: str) -> _Bound | None:
    measure = _MEASURES.get(type_name)
    checks = [constraints.then]
    if measure is not None:
        checks += [constraints.min, constraints.max]
    if type_name == "string":
        checks += [constraints.pattern, constraints.enum, constraints.unless]
    if not constraints.not_null and all(check is None for check in checks):
        return None
    return _Bound(constraints, type_name, measure)


def _compile_pattern(pattern: str | None) -> re.Pattern[str] | None:
    if pattern is None:
        return None
    try:
        return coral.java_regex(pattern)
    except re.error as error:
        log.warning("pattern %r is not checked: %s", pattern, error)
        return None


def _constraints(shape: Shape, override: Constraints | None) -> Constraints:
    """The model's constraints of a shape, with the fields an override gives replaced."""
    enum = shape.metadata.get("enum")
    model = Constraints(
        min=shape.metadata.get("min"),
        max=shape.metadata.get("max"),
        pattern=shape.metadata.get("pattern"),
        enum=tuple(enum) if enum else None,
    )
    if override is None:
        return model
    given = {
        field.name: getattr(override, field.name)
        for field in dataclasses.fields(Constraints)
        if getattr(override, field.name) != field.default
    }
    return dataclasses.replace(model, **given)


class _Node:
    """One shape, compiled: its fast checks, its report pass and its Java rendering."""

    __slots__ = ("bound", "element", "field", "render", "report", "sensitive", "shape", "types")

    def __init__(self, shape: Shape, bound: _Bound | None) -> None:
        self.shape = shape
        self.bound = bound
        self.sensitive = bool(shape.metadata.get("sensitive"))
        # `field`: the fast check as a structure member; `element`: as a list member or map
        # value. Both check the node's own constraints; they differ only in what AWS says of
        # a value of the wrong type.
        self.field: FastCheck | None = None
        self.element: FastCheck | None = None
        # Adds the violations found below this node; None when nothing below can fail.
        self.report: Report | None = None
        self.render: Callable[[Any], str] = str
        # The JSON types of a scalar with no constraints, which a structure checks inline.
        self.types: tuple[type, ...] | None = None

    def echo(self, value: Any) -> str:
        """How a violation line shows the value: `'text'`, `null`, or nothing if sensitive."""
        if value is None:
            return "null"
        return "" if self.sensitive else f"'{self.render(value)}'"

    def rendered(self, value: Any) -> str:
        return "null" if value is None else self.render(value)


def _late(node: _Node, context: str) -> FastCheck:
    """The fast check of a node, or a stand-in for one still being compiled (a recursive shape)."""
    check = getattr(node, context)
    if check is None:
        return lambda value: getattr(node, context)(value)
    return check


def _violation(echo: str, path: str, message: str) -> str:
    value = f"Value {echo}" if echo else "Value"
    return f"{value} at '{path}' failed to satisfy constraint: {message}"


def _report_member(node: _Node, value: Any, path: str, errors: list[str]) -> None:
    """Report a present member: its own constraints, then what lies below it."""
    if node.bound is not None:
        failure = node.bound.failing(value)
        if failure is not None:
            errors.extend(_violation(node.echo(value), path, message) for message in failure[1])
    if node.report is not None:
        node.report(value, path, errors)


def _aggregate(bound: _Bound | None, values: Any) -> str | None:
    """The constraints a collection's entries break, as AWS lists them at the collection."""
    if bound is None:
        return None
    for value in values:
        if value is None:
            if bound.not_null:
                return f"[{bound.descriptions}]"
            continue
        failure = bound.failing(value)
        if failure is not None:
            return f"[{failure[0].descriptions}]"
    return None


def _summary(errors: list[str]) -> str:
    shown = errors[:MAX_REPORTED]
    plural = "s" if len(shown) > 1 else ""
    return f"{len(shown)} validation error{plural} detected: {'; '.join(shown)}"


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def _scalar_error(value: Any, java: str, message: Callable[[Any], str]) -> SerializationException:
    if isinstance(value, dict):
        return SerializationException(coral.START_OF_OBJECT)
    if isinstance(value, list):
        return SerializationException(coral.unrecognized_collection(java))
    return SerializationException(message(value))


_TEXT = (str,)
_NUMBER = (int, float)
_INTEGRAL = ("integer", "long")
_BOOLEAN = (bool,)
_TIMESTAMP = (int, float, str)


def _scalar(node: _Node, types: tuple[type, ...], error: Callable[[Any], Exception]) -> None:
    """Give a scalar node its fast check: the right JSON type, then its own constraints."""
    bound = node.bound
    if bound is None:
        node.types = types

        def check(value: Any) -> bool:
            if value.__class__ in types:
                return True
            raise error(value)

        node.field = node.element = check
        return
    ok = bound.ok

    def check_bound(value: Any) -> bool:
        if value.__class__ in types:
            return ok(value)
        raise error(value)

    node.field = node.element = check_bound


_JAVA_INTEGERS = {"integer": ("int", 1 << 31), "long": ("long", 1 << 63)}


def _within_java_range(node: _Node) -> None:
    """Refuse, as Jackson does before AWS validates anything, a number that its integer
    member's Java type (int, long) cannot hold."""
    java, span = _JAVA_INTEGERS[node.shape.type_name]
    low, high = -span, span - 1
    check = node.field
    assert check is not None

    def check_range(value: Any) -> bool:
        if value.__class__ in _NUMBER and not low <= value <= high:
            raise SerializationException(
                f"Numeric value ({value}) out of range of {java} ({low} - {high})"
            )
        return check(value)

    node.field = node.element = check_range
    node.types = None


def _report_entries(
    member: _Node, null_entry: bool, entries: Iterable[tuple[Any, Any]], path: str, errors: list
) -> None:
    """Report the entries of a list or map, given as (index or key, value) pairs."""
    for segment, item in entries:
        where = f"{path}.{segment}.member"
        if item is None:
            if null_entry:
                errors.append(_violation("null", where, NOT_NULL))
        elif member.report is not None:
            member.report(item, where, errors)


def _drop_nulls(value: dict[str, Any]) -> None:
    """AWS reads a member sent as JSON null as one left out: so do the handlers."""
    for name in [name for name, item in value.items() if item is None]:
        del value[name]


def _check_overrides(model: ServiceModel, overrides: Overrides) -> None:
    """Refuse overrides that name shapes or members the model does not have (a typo)."""
    unknown = set(overrides) - set(model.shape_names)
    if unknown:
        raise ValueError(f"{model.service_name} has no shapes {sorted(unknown)}")
    for name, constraints in overrides.items():
        named = {*constraints.members, *constraints.required}
        members = named - set(getattr(model.shape_for(name), "members", ()))
        if members:
            raise ValueError(f"{name} has no members {sorted(members)}")


class _Compiler:
    """Compiles the shapes of one service model, each once, for one set of overrides."""

    def __init__(self, model: ServiceModel, overrides: Overrides) -> None:
        _check_overrides(model, overrides)
        self._model = model
        self._overrides = overrides
        self._package = coral.java_package(model.metadata, model.api_version)
        self._nodes: dict[str, _Node] = {}
        self._validators: dict[str, Validator] = {}

    def validator(self, operation_name: str) -> Validator:
        validator = self._validators.get(operation_name)
        if validator is None:
            validator = self._validators[operation_name] = self._compile(operation_name)
        return validator

    def _compile(self, operation_name: str) -> Validator:
        shape = self._model.operation_model(operation_name).input_shape
        if shape is None:
            return _accept
        root = self._node(shape)
        fast = _late(root, "field")

        def check(params: Any) -> None:
            if not fast(params):
                errors: list[str] = []
                _report_member(root, params, "", errors)
                raise ValidationException(_summary(errors))

        return check

    def _node(self, shape: Shape) -> _Node:
        node = self._nodes.get(shape.name)
        if node is None:
            constraints = _constraints(shape, self._overrides.get(shape.name))
            node = self._nodes[shape.name] = _Node(shape, _bind(constraints, shape.type_name))
            build = self._builders.get(shape.type_name, _Compiler._anything)
            build(self, node)
        return node

    def _null_is_missing(self, member: _Node) -> bool:
        """Whether a null entry of a list or map of `member`s is a missing member."""
        collection = member.shape.type_name in ("structure", "map", "list")
        override = self._overrides.get(member.shape.name, Constraints())
        return collection and not override.null_left_to_room

    def _java(self, shape: Shape) -> str:
        return coral.java_type(shape, self._package)

    def _structure(self, node: _Node) -> None:
        shape = node.shape
        members = {name: self._node(member) for name, member in shape.members.items()}
        strict = {name: _late(member, "field") for name, member in members.items()}
        fast: dict[str, FastCheck | tuple[type, ...]] = {
            name: member.types or strict[name] for name, member in members.items()
        }
        override = self._overrides.get(shape.name, Constraints())
        required = (*shape.required_members, *override.required)
        integers = frozenset(
            name for name, member in shape.members.items() if member.type_name in _INTEGRAL
        )
        list_error = coral.unrecognized_collection(self._java(shape))

        def make(scalar_error: str) -> FastCheck:
            def check(value: Any) -> bool:
                if not isinstance(value, dict):
                    raise SerializationException(
                        list_error if isinstance(value, list) else scalar_error
                    )
                ok = True
                nulls = False
                for name, item in value.items():
                    member = fast.get(name)
                    if member is None:
                        continue
                    if item is None:
                        nulls = True
                        continue
                    if member.__class__ is tuple:
                        if item.__class__ not in member:
                            strict[name](item)  # raises the member's SerializationException
                    elif not member(item):
                        ok = False
                    if item.__class__ is float and name in integers:
                        value[name] = int(item)  # AWS reads 5.5 for an integer as 5
                if nulls:
                    _drop_nulls(value)
                if required:
                    for name in required:
                        if value.get(name) is None:
                            ok = False
                return ok

            return check

        node.field = make(coral.UNEXPECTED_FIELD)
        node.element = make(coral.UNEXPECTED_VALUE)
        order = self._member_order(shape)
        slots = tuple((name, _lower_first(name), name in required, members[name]) for name in order)

        def report(value: Any, path: str, errors: list[str]) -> None:
            for name, segment, is_required, member in slots:
                item = value.get(name)
                where = f"{path}.{segment}" if path else segment
                if item is not None:
                    _report_member(member, item, where, errors)
                elif is_required:
                    errors.append(_violation("null", where, NOT_NULL))

        node.report = report
        shown = tuple((name, _lower_first(name), members[name]) for name in shape.members)

        def render(value: Any) -> str:
            fields = ", ".join(
                f"{segment}={member.rendered(value.get(name))}" for name, segment, member in shown
            )
            return f"{shape.name}({fields})"

        node.render = render

    def _member_order(self, shape: Shape) -> list[str]:
        listed = self._overrides.get(shape.name, Constraints()).members
        return [*listed, *(name for name in shape.members if name not in listed)]

    def _list(self, node: _Node) -> None:
        member = self._node(node.shape.member)
        element = _late(member, "element")
        ok = node.bound.ok if node.bound is not None else None
        null_breaks = member.bound is not None and member.bound.not_null
        null_entry = self._null_is_missing(member)

        def make(scalar_error: str) -> FastCheck:
            def check(value: Any) -> bool:
                if not isinstance(value, list):
                    raise SerializationException(
                        coral.START_OF_OBJECT if isinstance(value, dict) else scalar_error
                    )
                valid = ok is None or ok(value)
                for item in value:
                    if item is None:
                        valid = valid and not (null_breaks or null_entry)
                    elif not element(item):
                        valid = False
                return valid

            return check

        node.field = make(coral.UNEXPECTED_FIELD)
        node.element = make(coral.NESTED_COLLECTION)

        def report(value: Any, path: str, errors: list[str]) -> None:
            broken = _aggregate(member.bound, value)
            if broken is not None:
                message = f"Member must satisfy constraint: {broken}"
                errors.append(_violation(node.echo(value), path, message))
            _report_entries(member, null_entry, enumerate(value, 1), path, errors)

        node.report = report
        node.render = lambda value: f"[{', '.join(member.rendered(item) for item in value)}]"

    def _map(self, node: _Node) -> None:
        shape = node.shape
        key_bound = self._node(shape.key).bound
        member = self._node(shape.value)
        element = _late(member, "element")
        ok = node.bound.ok if node.bound is not None else None
        keys_ok = key_bound.all_ok if key_bound is not None else None
        null_breaks = member.bound is not None and member.bound.not_null
        null_entry = self._null_is_missing(member)
        list_error = coral.unrecognized_collection(self._java(shape))

        def make(scalar_error: str) -> FastCheck:
            def check(value: Any) -> bool:
                if not isinstance(value, dict):
                    raise SerializationException(
                        list_error if isinstance(value, list) else scalar_error
                    )
                valid = (ok is None or ok(value)) and (
                    keys_ok is None or not value or keys_ok(value)
                )
                for item in value.values():
                    if item is None:
                        valid = valid and not (null_breaks or null_entry)
                    elif not element(item):
                        valid = False
                return valid

            return check

        node.field = make(coral.UNEXPECTED_FIELD)
        node.element = make(coral.NESTED_COLLECTION)

        def report(value: Any, path: str, errors: list[str]) -> None:
            broken_key = _aggregate(key_bound, value.keys())
            if broken_key is not None:
                message = f"Map keys must satisfy constraint: {broken_key}"
                errors.append(_violation(node.echo(value), path, message))
            broken_value = _aggregate(member.bound, value.values())
            if broken_value is not None:
                message = f"Map value must satisfy constraint: {broken_value}"
                errors.append(_violation(node.echo(value), path, message))
            _report_entries(member, null_entry, value.items(), path, errors)

        node.report = report
        node.render = lambda value: (
            "{" + ", ".join(f"{key}={member.rendered(item)}" for key, item in value.items()) + "}"
        )

    def _string(self, node: _Node) -> None:
        java = self._java(node.shape)

        def error(value: Any) -> Exception:
            return _scalar_error(value, java, lambda v: coral.not_convertible(v, "String"))

        _scalar(node, _TEXT, error)

    def _number(self, node: _Node) -> None:
        java = self._java(node.shape)
        target = java.rsplit(".", 1)[1]

        def error(value: Any) -> Exception:
            return _scalar_error(value, java, lambda v: coral.not_convertible(v, target))

        _scalar(node, _NUMBER, error)
        if node.shape.type_name in ("double", "float"):
            node.render = lambda value: coral.java_double(float(value))
        else:
            node.render = lambda value: str(int(value))
            _within_java_range(node)

    def _boolean(self, node: _Node) -> None:
        java = self._java(node.shape)

        def message(value: Any) -> str:
            if isinstance(value, str):
                return coral.BOOLEAN_FROM_STRING
            return coral.not_convertible(value, "Boolean")

        def error(value: Any) -> Exception:
            return _scalar_error(value, java, message)

        _scalar(node, _BOOLEAN, error)
        node.render = lambda value: "true" if value else "false"

    def _timestamp(self, node: _Node) -> None:
        java = self._java(node.shape)

        def error(value: Any) -> Exception:
            return _scalar_error(value, java, lambda v: coral.not_convertible(v, "Date"))

        _scalar(node, _TIMESTAMP, error)
        node.render = lambda value: value if isinstance(value, str) else coral.java_date(value)

    def _blob(self, node: _Node) -> None:
        java = self._java(node.shape)
        ok = node.bound.ok if node.bound is not None else None

        def check(value: Any) -> bool:
            if value.__class__ is bytes:
                return ok is None or ok(value)
            if value.__class__ is not str:
                raise _scalar_error(value, java, lambda v: coral.BLOB_FROM_NON_STRING)
            problem = coral.base64_problem(value)
            if problem is not None:
                raise SerializationException(problem)
            return ok is None or ok(value)

        node.field = node.element = check
        node.render = lambda value: coral.java_byte_buffer(_blob_length(value))

    def _anything(self, node: _Node) -> None:
        """A shape type this module does not know (a botocore `document`): accepted as it is."""
        node.field = node.element = lambda value: True

    _builders: dict[str, Callable[[_Compiler, _Node], None]] = {
        "structure": _structure,
        "list": _list,
        "map": _map,
        "string": _string,
        "integer": _number,
        "long": _number,
        "double": _number,
        "float": _number,
        "boolean": _boolean,
        "timestamp": _timestamp,
        "blob": _blob,
    }
