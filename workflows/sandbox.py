"""Run diagram code (scripts, conditions, timer expressions, DMN cells) safely.

Diagrams are untrusted input: whoever deploys one must not be able to run
arbitrary code on the server. Every piece of diagram code is

1. compiled with RestrictedPython under a stricter policy (no imports, no
   names or attributes starting with '_', no classes, no ``with``/``yield``)
   which also rewrites the code so that attribute access, item access,
   writes, iteration and the operators that can build huge values (``+ * **
   << %``) go through guard functions, and every loop iteration, function
   call and comprehension step calls ``_tick_()``;
2. run with a small set of builtins and helpers and a step/time budget.

Why ticks rather than ``sys.settrace``: on Python 3.11 a one-line
``while True: pass`` produces no 'line' events, a tracer that raises is
switched off by the interpreter (so a script could catch the error and loop
on untraced), and tracing fights with debuggers and coverage tools. Ticks are
plain calls compiled into the code, so they cost nothing in loop-free
expressions and cannot be switched off by the script.
"""

from __future__ import annotations

import ast
import copy
import functools
import operator
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from datetime import time as clock_time
from types import CodeType
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Guards import (
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
)
from RestrictedPython.transformer import (
    FORBIDDEN_FUNC_NAMES,
    INSPECT_ATTRIBUTES,
    IOPERATOR_TO_STR,
    RestrictingNodeTransformer,
    copy_locations,
)
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import (
    BasePythonScriptEngineEnvironment,
)

from workflows.diagram_functions import DIAGRAM_FUNCTIONS

# Spiff looks for this file name in tracebacks to report the failing line.
CODE_FILENAME = "<string>"

DEFAULT_MAX_STEPS = 100_000  # loop iterations + function calls + comprehension items
DEFAULT_MAX_SECONDS = 2.0
MAX_RANGE = 100_000  # items in one range()
MAX_SIZE = 1_000_000  # characters / items of one str, bytes, list or tuple built in one go
MAX_INT_BITS = 100_000  # about 30,000 decimal digits
MAX_WIDTH_DIGITS = 4  # format widths up to 9999

COMPILE_CACHE_SIZE = 2048


class SandboxError(Exception):
    """Diagram code was refused or stopped by the sandbox."""


class CodeRefused(SandboxError):
    """Diagram code uses something that is not allowed (found before running it)."""


class WorkLimitExceeded(SandboxError):
    """Diagram code did too much work: it was stopped (it cannot catch this)."""


class ResultTooLarge(SandboxError):
    """An operation would build a value too large to hold (refused before building it)."""


# --- compilation --------------------------------------------------------------

_TICK = "_tick_"
_BINOP_GUARDS: dict[type[ast.operator], str] = {
    ast.Add: "_add_",
    ast.Mult: "_mul_",
    ast.Pow: "_pow_",
    ast.LShift: "_lshift_",
    ast.Mod: "_mod_",
}
# Refused wherever they appear: they reach hidden attributes or class internals.
_REFUSED_ATTRIBUTES = frozenset({"format", "format_map", "mro"})
# Called by name these are refused up front (as plain names they may be task data).
_UNAVAILABLE_CALLS = frozenset(
    [
        "open",
        "compile",
        "globals",
        "locals",
        "vars",
        "dir",
        "getattr",
        "setattr",
        "delattr",
        "hasattr",
        "type",
        "object",
        "super",
        "input",
        "help",
        "memoryview",
        "breakpoint",
        "exit",
        "quit",
        "classmethod",
        "staticmethod",
        "property",
        "iter",
        "next",
        "bytearray",
        "bytes",
    ]
)
_LONG_NUMBER = re.compile(rf"\d{{{MAX_WIDTH_DIGITS + 1},}}")


def _tick_call(node: ast.AST) -> ast.Call:
    call = ast.Call(func=ast.Name(_TICK, ast.Load()), args=[], keywords=[])
    copy_locations(call, node)
    return call


def _tick_stmt(node: ast.AST) -> ast.Expr:
    stmt = ast.Expr(value=_tick_call(node))
    copy_locations(stmt, node)
    return stmt


def _side_effect_free(node: ast.AST) -> bool:
    """Only names, constants, item and attribute reads: safe to evaluate twice."""
    allowed = (ast.Name, ast.Constant, ast.Subscript, ast.Attribute, ast.Load, ast.Tuple)
    return all(isinstance(child, allowed) for child in ast.walk(node))


class _DiagramPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy, stricter, with plain-words messages and work guards."""

    # Names and attributes.

    def check_name(self, node: Any, name: str | None, allow_magic_methods: bool = False) -> None:
        if name is None:
            return
        if name.startswith("_") and name != "_":
            self.error(node, f"names starting with '_' are not allowed: {name!r}")
        elif name in FORBIDDEN_FUNC_NAMES:
            self.error(node, f"{name!r} is not available in diagram code")
        else:
            super().check_name(node, name)

    def visit_Name(self, node: ast.Name) -> Any:
        if node.id in FORBIDDEN_FUNC_NAMES:  # before the parent rewrites print()
            self.error(node, f"{node.id!r} is not available in diagram code")
            return node
        return super().visit_Name(node)

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        if node.attr.startswith("_") and node.attr != "_":
            self.error(node, f"names starting with '_' are not allowed: {node.attr!r}")
            return self.node_contents_visit(node)
        if node.attr in _REFUSED_ATTRIBUTES:
            self.error(
                node,
                f"{node.attr!r} is not allowed (it can reach hidden attributes); "
                "use an f-string or + instead",
            )
            return self.node_contents_visit(node)
        return super().visit_Attribute(node)

    def visit_Call(self, node: ast.Call) -> Any:
        if isinstance(node.func, ast.Name) and node.func.id in _UNAVAILABLE_CALLS:
            self.error(
                node,
                f"{node.func.id}() is not available: diagram code cannot use files, "
                "the system or Python internals",
            )
        return super().visit_Call(node)

    # Statements that diagram code has no business using.

    def _refuse(self, node: ast.AST, what: str) -> ast.AST:
        self.error(node, f"{what} is not allowed")
        return node

    def visit_Import(self, node: ast.Import) -> Any:
        return self._refuse(node, "import")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> Any:
        return self._refuse(node, "import")

    def visit_ClassDef(self, node: ast.ClassDef) -> Any:
        return self._refuse(node, "defining a class")

    def visit_With(self, node: ast.With) -> Any:
        return self._refuse(node, "a 'with' statement")

    def visit_Yield(self, node: ast.Yield) -> Any:
        return self._refuse(node, "'yield'")

    def visit_YieldFrom(self, node: ast.YieldFrom) -> Any:
        return self._refuse(node, "'yield from'")

    def _refuse_starred(self, node: ast.List | ast.Tuple | ast.Set) -> None:
        # [*a, *a] doubles a list without any operator we could guard.
        loading = isinstance(getattr(node, "ctx", ast.Load()), ast.Load)
        if loading and any(isinstance(e, ast.Starred) for e in node.elts):
            self.error(node, "'*' inside a list, tuple or set is not allowed; use + instead")

    def visit_List(self, node: ast.List) -> Any:
        self._refuse_starred(node)
        return super().visit_List(node)

    def visit_Tuple(self, node: ast.Tuple) -> Any:
        self._refuse_starred(node)
        return super().visit_Tuple(node)

    def visit_Set(self, node: ast.Set) -> Any:
        self._refuse_starred(node)
        return super().visit_Set(node)

    # Operators that can build huge values go through size guards.

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        node = self.node_contents_visit(node)
        guard = _BINOP_GUARDS.get(type(node.op))
        if guard is None:
            return node
        call = ast.Call(func=ast.Name(guard, ast.Load()), args=[node.left, node.right], keywords=[])
        copy_locations(call, node)
        return call

    def visit_FormattedValue(self, node: ast.FormattedValue) -> Any:
        node.value = self.visit(node.value)
        spec = node.format_spec
        if isinstance(spec, ast.JoinedStr):  # left as is: it may only hold constants
            if any(not isinstance(part, ast.Constant) for part in spec.values):
                self.error(node, "computed format specifications in f-strings are not allowed")
            text = "".join(str(p.value) for p in spec.values if isinstance(p, ast.Constant))
            if _LONG_NUMBER.search(text):
                self.error(node, "format widths above 9999 are not allowed")
        return node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> Any:
        node = self.node_contents_visit(node)
        call = ast.Call(func=ast.Name("_text_", ast.Load()), args=[node], keywords=[])
        copy_locations(call, node)
        return call

    def visit_AugAssign(self, node: ast.AugAssign) -> Any:
        # counts[name] += 1 is common in diagrams; RestrictedPython refuses all
        # item augmented assignment. When the container and key have no side
        # effects, evaluating them twice is harmless, so rewrite to
        # _write_(counts)[name] = _inplacevar_('+=', _getitem_(counts, name), 1).
        target = node.target
        if not (
            isinstance(target, ast.Subscript)
            and _side_effect_free(target.value)
            and _side_effect_free(target.slice)
        ):
            return super().visit_AugAssign(node)
        load = copy.deepcopy(target)
        load.ctx = ast.Load()
        call = ast.Call(
            func=ast.Name("_inplacevar_", ast.Load()),
            args=[
                ast.Constant(IOPERATOR_TO_STR[type(node.op)]),
                self.visit(load),
                self.visit(node.value),
            ],
            keywords=[],
        )
        assign = ast.Assign(targets=[self.visit(target)], value=call)
        copy_locations(assign, node)
        return assign

    # Every repetition ticks the work budget.

    def visit_While(self, node: ast.While) -> Any:
        node = super().visit_While(node)
        node.body.insert(0, _tick_stmt(node))
        return node

    def visit_For(self, node: ast.For) -> Any:
        node = super().visit_For(node)
        node.body.insert(0, _tick_stmt(node))
        return node

    def visit_comprehension(self, node: ast.comprehension) -> Any:
        node = super().visit_comprehension(node)
        node.ifs.insert(0, _tick_call(node.target))
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> Any:
        node = super().visit_FunctionDef(node)
        node.body.insert(0, _tick_stmt(node))
        return node

    def visit_Lambda(self, node: ast.Lambda) -> Any:
        node = super().visit_Lambda(node)
        body = ast.BoolOp(op=ast.And(), values=[_tick_call(node.body), node.body])
        copy_locations(body, node.body)
        node.body = body
        return node

    # Once the budget is spent every handler re-raises, so it cannot be swallowed.

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> Any:
        node = super().visit_ExceptHandler(node)
        node.body.insert(0, _tick_stmt(node))
        return node

    def visit_Try(self, node: ast.Try) -> Any:
        node = super().visit_Try(node)
        if node.finalbody:
            node.finalbody.insert(0, _tick_stmt(node.finalbody[0]))
        return node


def _compile(source: str, mode: str) -> tuple[CodeType | None, tuple[str, ...]]:
    if not isinstance(source, str):
        return None, (f"diagram code must be text, not {type(source).__name__}",)
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compiler(source, filename=CODE_FILENAME, policy=_DiagramPolicy)
    return result.code, tuple(result.errors)


# Refused code is cached too: a bad condition is usually evaluated again and again.
@functools.lru_cache(maxsize=COMPILE_CACHE_SIZE)
def _compile_expression(source: str) -> tuple[CodeType | None, tuple[str, ...]]:
    # eval() ignores leading blanks; expressions from XML often have them.
    return _compile(source.strip() if isinstance(source, str) else source, "eval")


@functools.lru_cache(maxsize=COMPILE_CACHE_SIZE)
def _compile_script(source: str) -> tuple[CodeType | None, tuple[str, ...]]:
    return _compile(source, "exec")


def check_expression(source: str) -> list[str]:
    """Problems that stop ``source`` from being used as an expression (empty when fine)."""
    return list(_compile_expression(source)[1])


def check_script(source: str) -> list[str]:
    """Problems that stop ``source`` from being used as a script (empty when fine)."""
    return list(_compile_script(source)[1])


def _compiled(result: tuple[CodeType | None, tuple[str, ...]]) -> CodeType:
    code, errors = result
    if errors or code is None:
        raise CodeRefused("; ".join(errors) or "the code could not be compiled")
    return code


def compile_expression(source: str) -> CodeType:
    """Compiled (cached) expression, or CodeRefused saying what is wrong."""
    return _compiled(_compile_expression(source))


def compile_script(source: str) -> CodeType:
    """Compiled (cached) script, or CodeRefused saying what is wrong."""
    return _compiled(_compile_script(source))


# --- work budget --------------------------------------------------------------


class _Budget:
    """Work done by one evaluate/execute call. The clock starts at the first tick:
    code that never ticks has no loops and finishes quickly anyway."""

    __slots__ = ("steps", "limits", "deadline", "exceeded")

    def __init__(self, limits: SandboxEnvironment) -> None:
        self.steps = 0
        self.limits = limits
        self.deadline = 0.0
        self.exceeded: str | None = None

    def fail(self) -> WorkLimitExceeded:
        if self.exceeded is None:
            if self.steps > self.limits.max_steps:
                what = f"did more than {self.limits.max_steps} steps of work"
            else:
                what = f"ran longer than {self.limits.max_seconds:g} seconds"
            self.exceeded = f"the script {what} and was stopped; an endless loop?"
        return WorkLimitExceeded(self.exceeded)


class _State(threading.local):
    budget: _Budget | None = None


_state = _State()


def _tick() -> bool:
    budget = _state.budget
    if budget is None:
        raise SandboxError("diagram code can only run inside the sandbox")
    steps = budget.steps = budget.steps + 1
    if steps == 1:
        budget.deadline = time.monotonic() + budget.limits.max_seconds
    # The clock is read every 16 steps: cheap, and no step can take long.
    if (
        budget.exceeded is not None
        or steps > budget.limits.max_steps
        or (not steps & 15 and time.monotonic() > budget.deadline)
    ):
        raise budget.fail()
    return True


# --- guards ------------------------------------------------------------------

_SEQUENCES = (str, bytes, bytearray, list, tuple)


def _check_size(size: int, what: str = "the result") -> None:
    if size > MAX_SIZE:
        raise ResultTooLarge(
            f"{what} would have {size} items or characters; the limit is {MAX_SIZE}"
        )


def _check_bits(bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise ResultTooLarge(
            f"the number would have about {bits * 3 // 10} digits; the limit is "
            f"{MAX_INT_BITS * 3 // 10}"
        )


def _check_widths(text: str | bytes) -> None:
    if isinstance(text, bytes):
        text = text.decode("latin-1")
    if _LONG_NUMBER.search(text):
        raise ResultTooLarge("format widths above 9999 are not allowed")


def _add(a: Any, b: Any) -> Any:
    if isinstance(a, _SEQUENCES) and isinstance(b, _SEQUENCES):
        _check_size(len(a) + len(b))
    return a + b


def _mul(a: Any, b: Any) -> Any:
    if isinstance(b, int) and isinstance(a, _SEQUENCES):
        _check_size(len(a) * b)
    elif isinstance(a, int) and isinstance(b, _SEQUENCES):
        _check_size(len(b) * a)
    elif isinstance(a, int) and isinstance(b, int):
        _check_bits(a.bit_length() + b.bit_length())
    return a * b


def _pow(base: Any, exp: Any, mod: Any = None) -> Any:
    if mod is not None:
        # Modular power costs grow with both numbers; keep them to crypto-ish sizes.
        for n in (base, exp, mod):
            if isinstance(n, int) and n.bit_length() > 4096:
                raise ResultTooLarge("pow() with a modulus is limited to 4096-bit numbers")
        return pow(base, exp, mod)
    if isinstance(base, int) and isinstance(exp, int) and exp > 0 and abs(base) > 1:
        _check_bits(abs(base).bit_length() * exp)
    return base**exp


def _lshift(a: Any, b: Any) -> Any:
    if isinstance(a, int) and isinstance(b, int) and b > 0:
        _check_bits(a.bit_length() + b)
    return a << b


_PRINTF_STAR = re.compile(r"%[^a-zA-Z%]*\*")


def _mod(a: Any, b: Any) -> Any:
    if not isinstance(a, str | bytes):
        return a % b
    text = a.decode("latin-1") if isinstance(a, bytes) else a
    if _PRINTF_STAR.search(text):
        raise ResultTooLarge("'*' widths in % formatting are not allowed")
    _check_widths(text)
    result = a % b
    _check_size(len(result))
    return result


def _text(value: str) -> str:
    # f-strings can repeat a value ({s}{s}); the result is checked once built.
    _check_size(len(value))
    return value


# Size-checked binary operators, also used by the instructions renderer.
CHECKED_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+": _add,
    "*": _mul,
    "**": _pow,
    "%": _mod,
}

_INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "-=": operator.isub,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": _mod,
    "**=": _pow,
    "<<=": _lshift,
    ">>=": operator.irshift,
    "&=": operator.iand,
    "|=": operator.ior,
    "^=": operator.ixor,
    "@=": operator.imatmul,
}


def _inplacevar(op: str, target: Any, value: Any) -> Any:
    # += and *= keep in-place semantics for lists after the size check.
    if op == "+=":
        if isinstance(target, _SEQUENCES) and isinstance(value, _SEQUENCES):
            _check_size(len(target) + len(value))
        return operator.iadd(target, value)
    if op == "*=":
        if isinstance(value, int) and isinstance(target, _SEQUENCES):
            _check_size(len(target) * value)
        elif isinstance(target, int) and isinstance(value, int):
            _check_bits(target.bit_length() + value.bit_length())
        return operator.imul(target, value)
    try:
        return _INPLACE[op](target, value)
    except KeyError:
        raise CodeRefused(f"the operator {op!r} is not allowed") from None


def _write(obj: Any) -> Any:
    # Only plain containers (task data and what scripts build) may be changed.
    if isinstance(obj, dict | list):
        return obj
    raise SandboxError(f"only lists and dictionaries can be changed, not {type(obj).__name__}")


def _getitem(obj: Any, key: Any) -> Any:
    return obj[key]


def _apply(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


# Methods that could build a huge value in one call get a size check first.


def _padding(name: str) -> Callable[[Any], Callable[..., Any]]:
    def bind(text: Any) -> Callable[..., Any]:
        method = getattr(text, name)

        def padded(width: int, *args: Any) -> Any:
            if isinstance(width, int):
                _check_size(width)
            return method(width, *args)

        return padded

    return bind


def _bind_join(sep: Any) -> Callable[[Iterable[Any]], Any]:
    def join(iterable: Iterable[Any]) -> Any:
        items = list(iterable)
        size = len(sep) * max(len(items) - 1, 0)
        size += sum(len(i) for i in items if isinstance(i, str | bytes))
        _check_size(size)
        return sep.join(items)

    return join


def _bind_replace(text: Any) -> Callable[..., Any]:
    def replace(old: Any, new: Any, count: int = -1) -> Any:
        if isinstance(old, str | bytes) and isinstance(new, str | bytes) and len(new) > len(old):
            found = text.count(old) if old else len(text) + 1
            if isinstance(count, int) and count >= 0:
                found = min(found, count)
            _check_size(len(text) + found * (len(new) - len(old)))
        return text.replace(old, new, count)

    return replace


def _bind_extend(items: list[Any]) -> Callable[[Iterable[Any]], None]:
    def extend(iterable: Iterable[Any]) -> None:
        if isinstance(iterable, (*_SEQUENCES, dict, set, frozenset)):
            _check_size(len(items) + len(iterable))
        items.extend(iterable)
        _check_size(len(items))

    return extend


def _bind_strftime(value: Any) -> Callable[[str], str]:
    def strftime(fmt: str) -> str:
        if isinstance(fmt, str):
            _check_widths(fmt)
        return value.strftime(fmt)

    return strftime


_TEXT_METHODS: dict[str, Callable[[Any], Any] | None] = {
    "center": _padding("center"),
    "ljust": _padding("ljust"),
    "rjust": _padding("rjust"),
    "zfill": _padding("zfill"),
    "join": _bind_join,
    "replace": _bind_replace,
    # Refused: the table/tab size lets one call build a huge string.
    "translate": None,
    "maketrans": None,
    "expandtabs": None,
}
_METHOD_GUARDS: dict[type, dict[str, Callable[[Any], Any] | None]] = {
    str: _TEXT_METHODS,
    bytes: _TEXT_METHODS,
    list: {"extend": _bind_extend},
    int: {"to_bytes": None},
    date: {"strftime": _bind_strftime},
    clock_time: {"strftime": _bind_strftime},
}
_GUARDED_TYPES = tuple(_METHOD_GUARDS)
_MISSING = object()


def _method_guards(obj: Any) -> dict[str, Callable[[Any], Any] | None] | None:
    guards = _METHOD_GUARDS.get(type(obj))
    if guards is not None or not isinstance(obj, _GUARDED_TYPES):
        return guards
    for kind, table in _METHOD_GUARDS.items():  # subclasses: bool, datetime, ...
        if isinstance(obj, kind):
            return table
    return None


def guarded_attribute(obj: Any, name: str) -> Callable[..., Any] | None:
    """The sandbox's attribute policy, shared with the instructions renderer.

    Raises SandboxError for refused names, returns a size-checked bound method
    for methods that could build huge values, else None (plain getattr is fine).
    """
    if type(name) is not str:
        raise TypeError("attribute names must be text")
    if name.startswith("_"):
        raise SandboxError(f"names starting with '_' are not allowed: {name!r}")
    if name in INSPECT_ATTRIBUTES or name in _REFUSED_ATTRIBUTES:
        raise SandboxError(f"{name!r} is not available in diagram code")
    if isinstance(obj, type):
        # str.join(sep, items) would bypass the per-value guards below.
        for kind, table in _METHOD_GUARDS.items():
            if issubclass(obj, kind) and name in table:
                raise SandboxError(f"use {name!r} on a value, not on the type {obj.__name__!r}")
        return None
    guards = _method_guards(obj)
    if guards is None or name not in guards:
        return None
    bind = guards[name]
    if bind is None:
        raise SandboxError(f"{name!r} is not available in diagram code")
    getattr(obj, name)  # the usual AttributeError if it does not exist
    return bind(obj)


def _getattr(obj: Any, name: str, default: Any = _MISSING) -> Any:
    bound = guarded_attribute(obj, name)
    if bound is not None:
        return bound
    if default is _MISSING:
        return getattr(obj, name)
    return getattr(obj, name, default)


# Builtins. C functions that call back into the script (map, filter, min/max
# keys) tick per item: l.append as a callback while iterating l never ends.


def _range(*args: int) -> range:
    result = range(*args)
    try:
        size = len(result)
    except OverflowError:
        size = MAX_RANGE + 1
    if size > MAX_RANGE:
        raise ResultTooLarge(f"range() of more than {MAX_RANGE} numbers is not allowed")
    return result


def _map(function: Callable[..., Any], *iterables: Iterable[Any]) -> Iterator[Any]:
    for args in zip(*iterables, strict=False):
        _tick()
        yield function(*args)


def _filter(function: Callable[[Any], Any] | None, iterable: Iterable[Any]) -> Iterator[Any]:
    for item in iterable:
        _tick()
        if function(item) if function is not None else item:
            yield item


def _ticking_key(kwargs: dict[str, Any]) -> dict[str, Any]:
    key = kwargs.get("key")
    if key is not None:

        def ticking(item: Any) -> Any:
            _tick()
            return key(item)

        kwargs["key"] = ticking
    return kwargs


def _min(*args: Any, **kwargs: Any) -> Any:
    return min(*args, **_ticking_key(kwargs))


def _max(*args: Any, **kwargs: Any) -> Any:
    return max(*args, **_ticking_key(kwargs))


def _sum(iterable: Iterable[Any], /, start: Any = 0) -> Any:
    # sum() of lists or strings is a hidden quadratic concatenation.
    if not isinstance(start, int | float | complex):
        raise SandboxError("sum() adds numbers only; use + or join for text and lists")
    return sum(iterable, start)


_SAFE_NAMES = [
    "None",
    "False",
    "True",
    "abs",
    "bool",
    "callable",
    "chr",
    "complex",
    "divmod",
    "float",
    "hash",
    "hex",
    "int",
    "isinstance",
    "issubclass",
    "len",
    "oct",
    "ord",
    "repr",
    "round",
    "slice",
    "str",
]
# Exceptions scripts may raise or catch. BaseException, SystemExit,
# KeyboardInterrupt and GeneratorExit are left out: they would escape Spiff.
_SAFE_EXCEPTIONS = [
    name
    for name, value in safe_builtins.items()
    if isinstance(value, type) and issubclass(value, Exception)
]

_INTERNAL_IMPORTS = frozenset({"time", "_strptime"})


def _internal_import(name: str, *args: Any, **kwargs: Any) -> Any:
    """C code such as datetime.strftime imports helpers through the caller's builtins.

    Diagram code cannot name this function ('_' names are refused), and it only
    hands out the modules those C functions need.
    """
    if name not in _INTERNAL_IMPORTS:
        raise CodeRefused("import is not allowed")
    return __import__(name, *args, **kwargs)


SANDBOX_BUILTINS: dict[str, Any] = {name: safe_builtins[name] for name in _SAFE_NAMES}
SANDBOX_BUILTINS["__import__"] = _internal_import
SANDBOX_BUILTINS.update({name: safe_builtins[name] for name in _SAFE_EXCEPTIONS})
SANDBOX_BUILTINS.update(
    {
        "all": all,
        "any": any,
        "dict": dict,
        "enumerate": enumerate,
        "filter": _filter,
        "frozenset": frozenset,
        "list": list,
        "map": _map,
        "max": _max,
        "min": _min,
        "pow": _pow,
        "range": _range,
        "reversed": reversed,
        "set": set,
        "sorted": sorted,
        "sum": _sum,
        "tuple": tuple,
        "zip": zip,
    }
)

# The names RestrictedPython's rewritten code calls, plus our own guards.
_GUARDS: dict[str, Any] = {
    "__builtins__": SANDBOX_BUILTINS,
    "_getattr_": _getattr,
    "_getitem_": _getitem,
    "_getiter_": iter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": _write,
    "_inplacevar_": _inplacevar,
    "_apply_": _apply,
    "_add_": _add,
    "_mul_": _mul,
    "_pow_": _pow,
    "_lshift_": _lshift,
    "_mod_": _mod,
    "_text_": _text,
    _TICK: _tick,
}


# --- the environment Spiff calls -------------------------------------------------


_GUARD_NAMES = frozenset(_GUARDS)


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """Spiff script environment with TaskDataEnvironment's data semantics, sandboxed.

    ``functions`` adds trusted helpers to the built-in diagram functions.
    """

    def __init__(
        self,
        functions: Mapping[str, Callable[..., Any]] | None = None,
        *,
        max_steps: int = DEFAULT_MAX_STEPS,
        max_seconds: float = DEFAULT_MAX_SECONDS,
    ) -> None:
        helpers = {**DIAGRAM_FUNCTIONS, **(functions or {})}
        clashes = sorted(name for name in helpers if name.startswith("_"))
        if clashes:
            raise ValueError(f"helper names must not start with '_': {clashes}")
        super().__init__({**helpers, **_GUARDS})
        self.max_steps = max_steps
        self.max_seconds = max_seconds

    def evaluate(
        self,
        expression: str,
        context: dict[str, Any],
        external_context: dict[str, Any] | None = None,
    ) -> Any:
        code = compile_expression(expression)
        namespace = self.globals.copy()
        shadowed = not context.keys().isdisjoint(_GUARD_NAMES)
        if external_context:
            namespace.update(external_context)
            shadowed = shadowed or not external_context.keys().isdisjoint(_GUARD_NAMES)
        namespace.update(context)
        if shadowed:  # data may shadow helpers (as in Spiff), never the guards
            namespace.update(_GUARDS)
        return self._run(code, namespace, evaluate=True)

    def execute(
        self,
        script: str,
        context: dict[str, Any],
        external_context: dict[str, Any] | None = None,
    ) -> bool:
        external_context = external_context or {}
        code = compile_script(script)  # refuse before touching the data
        self.check_for_overwrite(context, external_context)
        context.update(self.globals)
        context.update(external_context)
        context.update(_GUARDS)
        try:
            self._run(code, context, evaluate=False)
        finally:
            self._remove_globals_and_functions_from_context(context, external_context)
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise SandboxError("service tasks are not available")

    def _run(self, code: CodeType, namespace: dict[str, Any], *, evaluate: bool) -> Any:
        budget = _Budget(self)
        previous, _state.budget = _state.budget, budget
        try:
            result = eval(code, namespace) if evaluate else exec(code, namespace)  # noqa: S307
        except WorkLimitExceeded:
            raise
        except Exception:
            if budget.exceeded is not None:  # whatever the script raised instead
                raise budget.fail() from None
            raise
        finally:
            _state.budget = previous
        if budget.exceeded is not None:
            raise budget.fail()
        return result

    def _remove_globals_and_functions_from_context(
        self, context: dict[str, Any], external_context: Mapping[str, Any] | None = None
    ) -> None:
        """Same as Spiff's: drop injected names and anything callable from the data."""
        for key in list(context):
            if (
                key == "__builtins__"
                or callable(context[key])
                or key in self.globals
                or (external_context and key in external_context)
            ):
                context.pop(key)

    def check_for_overwrite(
        self, context: Mapping[str, Any], external_context: Mapping[str, Any]
    ) -> None:
        """Refuse task data that would hide a helper (else: baffling errors later)."""
        clashes = set(self.globals).intersection(context)
        clashes.update(set(external_context).intersection(context))
        if clashes:
            raise SandboxError(
                "task data uses names reserved for diagram functions; rename these "
                f"variables or form fields: {', '.join(sorted(clashes))}"
            )


def make_script_engine(
    functions: Mapping[str, Callable[..., Any]] | None = None,
    *,
    max_steps: int = DEFAULT_MAX_STEPS,
    max_seconds: float = DEFAULT_MAX_SECONDS,
) -> PythonScriptEngine:
    """A Spiff script engine that runs all diagram code in the sandbox."""
    environment = SandboxEnvironment(functions, max_steps=max_steps, max_seconds=max_seconds)
    return PythonScriptEngine(environment=environment)
