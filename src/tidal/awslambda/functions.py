"""Functions, their versions and aliases: the control plane's records."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class FunctionVersion:
    """One invocable version of a function ($LATEST or a published number), as invoke needs it.

    `qualified_arn` is the ARN with the version (`…:function:f:$LATEST`, `…:f:3`), and
    `invoked_arn` the ARN the caller used (unqualified, or with the alias or version it
    named). `code_dir` holds the unpacked code (or is the user's own directory for a
    function created from a local path); `layer_dirs` the unpacked layers, in order, as
    they would be merged into /opt.
    """

    account: str
    region: str
    name: str
    version: str
    arn: str
    qualified_arn: str
    invoked_arn: str
    runtime: str
    handler: str
    role: str
    timeout: int
    memory_size: int
    code_dir: Path
    code_sha256: str
    revision_id: str
    environment: dict[str, str] = field(default_factory=dict)
    layer_dirs: tuple[Path, ...] = ()
    reserved_concurrency: int | None = None
    event_invoke_config: dict[str, Any] | None = None
    log_group: str = ""
