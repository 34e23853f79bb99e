"""What the sandbox raises when it refuses or stops diagram code."""

from __future__ import annotations


class SandboxError(Exception):
    """Diagram code was refused or stopped by the sandbox."""


class CodeRefused(SandboxError):
    """Diagram code uses something that is not allowed (found before running it)."""


class WorkLimitExceeded(SandboxError):
    """Diagram code did too much work: it was stopped (it cannot catch this)."""


class ResultTooLarge(SandboxError):
    """An operation would build a value too large to hold (refused before building it)."""
