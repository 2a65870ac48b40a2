"""E-mail addresses as SES reads them: `a@b.com` or `Display Name <a@b.com>`.

SES checks every address of a send with the strict syntax check of JavaMail's
`InternetAddress` and answers its wording (`Missing final '@domain'`, `Missing domain`,
`Local address contains control or whitespace` …) as `InvalidParameterValue`. A display
name may hold any character, raw or RFC 2047-encoded (`=?utf-8?q?…?=`); `display()` gives
the readable form that the mailbox shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from email.header import decode_header, make_header
from email.headerregistry import Address
from email.utils import getaddresses

from tidal.ses.errors import invalid

_LOCAL_SPECIALS = set('()<>,;:\\"[]@')
_DOMAIN_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.")


def split(address: str) -> tuple[str, str]:
    """(display name as written, addr-spec) of `Name <a@b>`, `<a@b>` or `a@b`."""
    text = _without_comments(address).strip()
    open_at = _last_unquoted(text, "<")
    if open_at >= 0 and text.endswith(">"):
        return text[:open_at].strip(), text[open_at + 1 : -1].strip()
    return "", text


def addr_spec(address: str) -> str:
    return split(address)[1]


def domain_of(address: str) -> str:
    """The domain of an address, lower-cased (domains are case-insensitive)."""
    return addr_spec(address).rpartition("@")[2].lower()


def problem(address: str) -> str | None:
    """SES's message for a malformed address, or None when it is well formed."""
    spec = addr_spec(address)
    local, at = _local_part(spec)
    if at < 0:
        return "Missing final '@domain'"
    domain = spec[at + 1 :]
    return _local_problem(local) or _domain_problem(domain)


def check(address: str) -> None:
    found = problem(address)
    if found is not None:
        raise invalid(found)


def display(address: str) -> str:
    """`Name <a@b>` with an RFC 2047-encoded name decoded; the bare address if unnamed."""
    name, spec = split(address)
    return readable(decode_words(_unquote(name)), spec)


def readable(name: str, spec: str) -> str:
    if not name:
        return spec
    username, _, domain = spec.rpartition("@")
    try:
        return str(Address(display_name=name, username=username, domain=domain))
    except (ValueError, IndexError):
        return f"{name} <{spec}>"


def decode_words(text: str) -> str:
    """`text` with its RFC 2047 encoded-words decoded; as given when they cannot be."""
    if "=?" not in text:
        return text
    try:
        return str(make_header(decode_header(text)))
    except (LookupError, UnicodeDecodeError, ValueError):
        return text


def from_header(values: list[str]) -> list[str]:
    """The addresses of raw MIME header values (`To: a@b, "N" <c@d>`), readable."""
    return [
        readable(decode_words(name), spec) for name, spec in getaddresses(values) if spec.strip()
    ]


def _local_part(spec: str) -> tuple[str, int]:
    """The local part and the index of the `@` that ends it (-1 when there is none)."""
    at = next((index for index, char in _unquoted(spec) if char == "@"), -1)
    return (spec[:at], at) if at >= 0 else (spec, -1)


def _local_problem(local: str) -> str | None:
    if not local:
        return "Missing local name"
    if local.startswith('"') and local.endswith('"') and len(local) > 1:
        return None
    return _part_problem("Local address", local, lambda char: char in _LOCAL_SPECIALS)


def _domain_problem(domain: str) -> str | None:
    if not domain:
        return "Missing domain"
    literal = domain.startswith("[") and domain.endswith("]")
    return _part_problem("Domain", domain, lambda char: char not in _DOMAIN_CHARS, literal)


def _part_problem(
    label: str, text: str, illegal: Callable[[str], bool], literal: bool = False
) -> str | None:
    """SES's message for a malformed local part or domain (`label`); a domain literal
    (`[192.0.2.1]`) is checked for control characters and whitespace only."""
    if any(_control_or_space(char) for char in text):
        return f"{label} contains control or whitespace"
    if literal:
        return None
    if text.startswith("."):
        return f"{label} starts with dot"
    if text.endswith("."):
        return f"{label} ends with dot"
    if ".." in text:
        return f"{label} contains dot-dot"
    if any(illegal(char) for char in text):
        return f"{label} contains illegal character"
    return None


def _control_or_space(char: str) -> bool:
    return char <= " " or char >= "\x7f"


def _unquote(name: str) -> str:
    if len(name) > 1 and name.startswith('"') and name.endswith('"'):
        return name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return name


def _last_unquoted(text: str, wanted: str) -> int:
    return max((index for index, char in _unquoted(text) if char == wanted), default=-1)


def _unquoted(text: str) -> Iterator[tuple[int, str]]:
    """(index, character) of the characters outside quoted strings, but for the quotes
    themselves and backslash-escaped pairs."""
    quoted = False
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == '"':
            quoted = not quoted
        elif not quoted:
            yield index, char
        index += 1


def _without_comments(text: str) -> str:
    """`text` without its (parenthesised) comments, outside quoted strings."""
    out: list[str] = []
    quoted = False
    depth = 0
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and (quoted or depth) and index + 1 < len(text):
            if not depth:
                out.append(text[index : index + 2])
            index += 2
            continue
        if depth:
            depth += {"(": 1, ")": -1}.get(char, 0)
        elif char == '"':
            quoted = not quoted
            out.append(char)
        elif char == "(" and not quoted:
            depth = 1
        else:
            out.append(char)
        index += 1
    return "".join(out)
