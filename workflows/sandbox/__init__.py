"""Run diagram code (scripts, conditions, timer expressions, DMN cells) safely.

Diagrams are untrusted input: whoever deploys one must not be able to run
arbitrary code on the server. Every piece of diagram code is

1. compiled with RestrictedPython under a stricter policy (``policy``), which
   refuses what diagram code has no business doing and rewrites the rest to
   call guard functions;
2. run with those guards, a small set of builtins and helpers and a step/time
   budget (``guards``), in the script environment Spiff calls (``environment``).
"""

from .environment import SandboxEnvironment, make_script_engine
from .errors import CodeRefused, ResultTooLarge, SandboxError, WorkLimitExceeded
from .guards import CHECKED_OPERATORS, guarded_attribute
from .policy import check_expression, check_script, compile_expression

__all__ = [
    "CHECKED_OPERATORS",
    "CodeRefused",
    "ResultTooLarge",
    "SandboxEnvironment",
    "SandboxError",
    "WorkLimitExceeded",
    "check_expression",
    "check_script",
    "compile_expression",
    "guarded_attribute",
    "make_script_engine",
]
