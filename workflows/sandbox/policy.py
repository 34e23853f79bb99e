"""Compile-time policy for diagram code, and the cache of compiled code.

Every piece of diagram code is compiled with RestrictedPython under a stricter
policy (no imports, no names or attributes starting with '_', no classes, no
``with``/``yield``) which also rewrites the code so that attribute access, item
access, writes, iteration and the operators that can build huge values (``+ *
** << %``) go through guard functions (see ``guards``), and every loop
iteration, function call and comprehension step calls ``_tick_()``.
"""

from __future__ import annotations

import ast
import copy
import functools
import re
from types import CodeType
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.transformer import (
    FORBIDDEN_FUNC_NAMES,
    IOPERATOR_TO_STR,
    RestrictingNodeTransformer,
    copy_locations,
)

from .errors import CodeRefused

# Spiff looks for this file name in tracebacks to report the failing line.
CODE_FILENAME = "<string>"

MAX_WIDTH_DIGITS = 4  # format widths up to 9999

COMPILE_CACHE_SIZE = 2048

# The name of the work-budget call compiled into every repetition.
TICK = "_tick_"
_BINOP_GUARDS: dict[type[ast.operator], str] = {
    ast.Add: "_add_",
    ast.Mult: "_mul_",
    ast.Pow: "_pow_",
    ast.LShift: "_lshift_",
    ast.Mod: "_mod_",
}
# Refused wherever they appear: they reach hidden attributes or class internals.
REFUSED_ATTRIBUTES = frozenset({"format", "format_map", "mro"})
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
LONG_NUMBER = re.compile(rf"\d{{{MAX_WIDTH_DIGITS + 1},}}")


def _tick_call(node: ast.AST) -> ast.Call:
    call = ast.Call(func=ast.Name(TICK, ast.Load()), args=[], keywords=[])
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
        if node.attr in REFUSED_ATTRIBUTES:
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
            if LONG_NUMBER.search(text):
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
