"""E-mail templates (shared by SES v1 and v2) and their `{{variable}}` substitution.

SES renders templates with Handlebars; Tidal substitutes `{{name}}`, `{{{name}}}` and
dotted paths (`{{user.name}}`). A variable missing from the data is a rendering failure:
the send is accepted (SES renders after accepting) but the message is not delivered, and
TestRenderTemplate answers MissingRenderingAttribute, both with SES's wording.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tidal.core import clock
from tidal.ses import mime, pages
from tidal.ses.errors import AlreadyExists, MissingRenderingAttribute, invalid, template_not_found

NS = "ses.templates"
PAGE_MAX = 100
PARTS = ("subject", "text", "html")
"""The parts of a template's record, in the order SES renders them."""
_VARIABLE = re.compile(r"\{\{\{\s*([^{}]+?)\s*\}\}\}|\{\{\s*([^{}#/!>][^{}]*?)\s*\}\}")


class RenderingFailure(Exception):
    """A template variable has no value in the rendering data."""


def create(txn: Any, account: str, region: str, template: dict[str, Any]) -> None:
    name = template["TemplateName"]
    key = _key(account, region, name)
    if txn.get_doc(NS, key) is not None:
        raise AlreadyExists(f"Template {name} already exists.")
    txn.put_doc(NS, key, {**_parts(template), "created": clock.now()})


def update(txn: Any, account: str, region: str, template: dict[str, Any]) -> None:
    found = require(txn, account, region, template["TemplateName"])
    txn.put_doc(NS, _key(account, region, found["name"]), {**found, **_parts(template)})


def require(txn: Any, account: str, region: str, name: str) -> dict[str, Any]:
    found = txn.get_doc(NS, _key(account, region, name))
    if found is None:
        raise template_not_found(name)
    return found


def delete(txn: Any, account: str, region: str, name: str) -> bool:
    return txn.delete_doc(NS, _key(account, region, name))


def page(
    txn: Any, account: str, region: str, after: str | None, limit: int | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Up to `limit` templates by name after the name `after`, and the next page's start."""
    return pages.by_name(txn, NS, account, region, after, limit, PAGE_MAX)


def as_v1(record: dict[str, Any]) -> dict[str, Any]:
    """The `Template` structure of SES v1."""
    parts = {"SubjectPart": "subject", "TextPart": "text", "HtmlPart": "html"}
    shaped = {"TemplateName": record["name"]}
    shaped.update({member: record[key] for member, key in parts.items() if record.get(key)})
    return shaped


def data_of(text: str | None) -> dict[str, Any]:
    """The rendering data of a `TemplateData` JSON object."""
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        raise invalid("Template data is not valid JSON.") from None
    if not isinstance(data, dict):
        raise invalid("Template data must be a JSON object.")
    return data


def render(text: str | None, data: dict[str, Any]) -> str | None:
    """`text` with its variables replaced; RenderingFailure names the first missing one."""
    if text is None:
        return None
    return _VARIABLE.sub(lambda match: _value(match.group(1) or match.group(2), data), text)


def missing_message(name: str) -> str:
    return f"Attribute '{name}' is not present in the rendering data."


def render_or_raise(text: str | None, data: dict[str, Any]) -> str | None:
    """`render` for TestRenderTemplate: a missing variable is its error."""
    try:
        return render(text, data)
    except RenderingFailure as failure:
        raise MissingRenderingAttribute(missing_message(str(failure))) from None


def test_render(txn: Any, account: str, region: str, name: str, data_text: str) -> str:
    """The MIME message that TestRenderTemplate (v1) and TestRenderEmailTemplate (v2) answer:
    the stored template rendered with `TemplateData`."""
    template = require(txn, account, region, name)
    data = data_of(data_text)
    subject, text, html = (render_or_raise(template.get(part), data) for part in PARTS)
    return mime.preview(subject or "", text, html)


def _value(path: str, data: dict[str, Any]) -> str:
    value: Any = data
    for part in path.split("."):
        if part == "this":
            continue
        if not isinstance(value, dict) or part not in value:
            raise RenderingFailure(path)
        value = value[part]
    return _text(value)


def _text(value: Any) -> str:
    """A value as Handlebars (JavaScript) writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ",".join(_text(item) for item in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


def _parts(template: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": template["TemplateName"],
        "subject": template.get("SubjectPart"),
        "text": template.get("TextPart"),
        "html": template.get("HtmlPart"),
    }


def _key(account: str, region: str, name: str) -> str:
    return f"{account}/{region}/{name}"
