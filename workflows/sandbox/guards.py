"""Run-time guards: the work budget, size checks, the attribute policy and builtins.

Compiled diagram code (see ``policy``) calls these guards for attribute and
item access, writes, iteration, the operators that can build huge values, and
``_tick_()`` on every repetition; it runs with a small set of builtins and
helpers and a step/time budget.

Why ticks rather than ``sys.settrace``: on Python 3.11 a one-line
``while True: pass`` produces no 'line' events, a tracer that raises is
switched off by the interpreter (so a script could catch the error and loop
on untraced), and tracing fights with debuggers and coverage tools. Ticks are
plain calls compiled into the code, so they cost nothing in loop-free
expressions and cannot be switched off by the script.
"""

from __future__ import annotations

import operator
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from datetime import time as clock_time
from types import CodeType, MappingProxyType
from typing import Any, Protocol

from RestrictedPython.Guards import (
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
)
from RestrictedPython.transformer import INSPECT_ATTRIBUTES

from .errors import CodeRefused, ResultTooLarge, SandboxError, WorkLimitExceeded
from .policy import LONG_NUMBER, REFUSED_ATTRIBUTES, TICK

MAX_RANGE = 100_000  # items in one range()
MAX_SIZE = 1_000_000  # characters / items of one str, bytes, list or tuple built in one go
MAX_INT_BITS = 100_000  # about 30,000 decimal digits


class Limits(Protocol):
    """The work one run of diagram code may do."""

    max_steps: int
    max_seconds: float


# --- work budget --------------------------------------------------------------


class _Budget:
    """Work done by one evaluate/execute call. The clock starts at the first tick:
    code that never ticks has no loops and finishes quickly anyway."""

    __slots__ = ("steps", "limits", "deadline", "exceeded", "reading_only")

    def __init__(self, limits: Limits, reading_only: bool) -> None:
        self.steps = 0
        self.limits = limits
        # Conditions and expressions read case data; only scripts may change it.
        self.reading_only = reading_only
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


def run_guarded(
    code: CodeType, namespace: dict[str, Any], limits: Limits, *, evaluate: bool
) -> Any:
    """Run compiled diagram code in ``namespace`` with a fresh work budget.

    An expression (``evaluate``) may only read: it cannot change lists, dictionaries or sets,
    which its namespace shares with the case data.
    """
    budget = _Budget(limits, evaluate)
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
    if LONG_NUMBER.search(text):
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


def _reading_only() -> bool:
    budget = _state.budget
    return budget is not None and budget.reading_only


_READING_RULE = "conditions and expressions read case data; they cannot change it"


def _write(obj: Any) -> Any:
    # Only plain containers (task data and what scripts build) may be changed, by scripts only.
    # An expression writes only through a comprehension's target: [0 for d['k'] in [1]].
    if _reading_only():
        what, _ = _CHANGING_METHODS.get(type(obj), (f"a {type(obj).__name__}", None))
        raise SandboxError(f"{_READING_RULE} (an expression wrote into {what})")
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


def _changing_methods(kind: type, read_only: type) -> frozenset[str]:
    """The methods a container has and its read-only counterpart lacks: those that change it.

    Taken from the types themselves so that none is forgotten; ``copy`` and ``fromkeys`` are the
    only ones of them that build a new value instead.
    """
    names = {name for name in dir(kind) if not name.startswith("_")}
    return frozenset(names - set(dir(read_only)) - {"copy", "fromkeys"})


_CHANGING_METHODS: dict[type, tuple[str, frozenset[str]]] = {
    list: ("a list", _changing_methods(list, tuple)),
    dict: ("a dictionary", _changing_methods(dict, MappingProxyType)),
    set: ("a set", _changing_methods(set, frozenset)),
    bytearray: ("a bytearray", _changing_methods(bytearray, bytes)),
}
_CHANGING_NAMES = frozenset().union(*(names for _, names in _CHANGING_METHODS.values()))


def _refuse_changes(obj: Any, name: str) -> None:
    # The type itself counts too: list.append(items, 1).
    kind = obj if isinstance(obj, type) else type(obj)
    for container, (what, names) in _CHANGING_METHODS.items():
        if name in names and issubclass(kind, container):
            raise SandboxError(f"{_READING_RULE} ({name!r} changes {what})")


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

    Raises SandboxError for refused names (in a condition or expression, also for
    methods that change a list, dictionary or set), returns a size-checked bound
    method for methods that could build huge values, else None (plain getattr is
    fine).
    """
    if type(name) is not str:
        raise TypeError("attribute names must be text")
    if name.startswith("_"):
        raise SandboxError(f"names starting with '_' are not allowed: {name!r}")
    if name in INSPECT_ATTRIBUTES or name in REFUSED_ATTRIBUTES:
        raise SandboxError(f"{name!r} is not available in diagram code")
    if name in _CHANGING_NAMES and _reading_only():  # one set lookup for every other name
        _refuse_changes(obj, name)
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
GUARDS: dict[str, Any] = {
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
    TICK: _tick,
}
