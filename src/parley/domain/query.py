"""The query language of `--where`, `?where=` and guideline `applies_when` (docs/query-language.md).

A hand-written tokenizer and recursive-descent parser produce a small AST, validated against
the codebook as it is built; `evaluate` runs it over one case's or scenario's values, and the
storage layer compiles the same AST to SQL.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Literal

from parley.domain.codebook import Codebook, Variable, VarType
from parley.domain.errors import Msg, QuerySyntaxError, msg
from parley.domain.evidence import UNKNOWN, Unknown, Value

MAX_QUERY_LENGTH = 2000
MAX_DEPTH = 50

KEYWORDS = {"and", "or", "not", "in", "has", "any", "all", "is", "unknown"}
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<string>"[^"]*")
  | (?P<op><=|>=|!=|=|<|>)
  | (?P<punct>[(),])
  | (?P<word>[A-Za-z0-9_][A-Za-z0-9_\-]*)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    kind: str  # word, string, op, punct, end
    text: str
    pos: int

    @property
    def keyword(self) -> str | None:
        low = self.text.lower()
        return low if self.kind == "word" and low in KEYWORDS else None


# ----- AST -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


@dataclass(frozen=True)
class IsUnknown:
    var: str
    negate: bool = False


@dataclass(frozen=True)
class Compare:
    var: str
    op: Literal["=", "!=", "<", "<=", ">", ">="]
    value: str | int


@dataclass(frozen=True)
class In:
    var: str
    values: tuple[str | int, ...]
    negate: bool = False


@dataclass(frozen=True)
class Has:
    var: str
    mode: Literal["one", "any", "all"]
    values: tuple[str, ...]


Node = And | Or | Not | IsUnknown | Compare | In | Has


# ----- parser ----------------------------------------------------------------------------------


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise QuerySyntaxError(msg("query.unexpected-character", "unexpected character %(char)s",
                                       char=repr(text[pos])), text, pos)
        kind = m.lastgroup or ""
        if kind != "ws":
            tokens.append(Token(kind, m.group(), pos))
        pos = m.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str, codebook: Codebook, allowed: Collection[str] | None) -> None:
        self.text = text
        self.codebook = codebook
        self.allowed = allowed
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    # helpers
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def error(self, message: Msg, token: Token | None = None) -> QuerySyntaxError:
        t = token or self.tok
        return QuerySyntaxError(message, self.text, t.pos)

    def take(self) -> Token:
        t = self.tok
        self.i += 1
        return t

    def at_keyword(self, *words: str) -> bool:
        return self.tok.keyword in words

    def expect_punct(self, p: str) -> Token:
        if self.tok.kind == "punct" and self.tok.text == p:
            return self.take()
        found = self.tok.text or "end of query"
        raise self.error(msg("query.expected", "expected '%(expected)s' but found '%(found)s'",
                                 expected=p, found=found))

    # grammar
    def parse(self) -> Node:
        if not self.text.strip():
            raise self.error(msg("query.empty", "empty query"))
        node = self.or_expr()
        if self.tok.kind != "end":
            raise self.error(msg("query.unexpected", "unexpected '%(found)s'; expected 'and', "
                                 "'or' or the end", found=self.tok.text))
        return node

    def or_expr(self) -> Node:
        items = [self.and_expr()]
        while self.at_keyword("or"):
            self.take()
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self) -> Node:
        items = [self.not_expr()]
        while self.at_keyword("and"):
            self.take()
            items.append(self.not_expr())
        return items[0] if len(items) == 1 else And(tuple(items))

    def not_expr(self) -> Node:
        if self.at_keyword("not"):
            self.take()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise self.error(msg("query.too-deep", "query nests deeper than %(depth)s levels",
                                     depth=MAX_DEPTH))
            return Not(self.not_expr())
        return self.primary()

    def primary(self) -> Node:
        if self.tok.kind == "punct" and self.tok.text == "(":
            self.take()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise self.error(msg("query.too-deep", "query nests deeper than %(depth)s levels",
                                     depth=MAX_DEPTH))
            node = self.or_expr()
            self.expect_punct(")")
            self.depth -= 1
            return node
        return self.comparison()

    def variable(self) -> Variable:
        t = self.tok
        if t.kind != "word" or t.keyword:
            found = t.text or "end of query"
            raise self.error(msg("query.variable-expected", "expected a variable name but found "
                                 "'%(found)s'; variables: %(allowed)s", found=found,
                                 allowed=", ".join(self.variable_names())))
        var = self.codebook.get(t.text)
        names = self.variable_names()
        if var is None or t.text not in names:
            raise self.error(msg("query.unknown-variable", "unknown variable '%(name)s'; "
                                 "variables: %(allowed)s", name=t.text,
                                 allowed=", ".join(names)))
        self.take()
        return var

    def variable_names(self) -> list[str]:
        names = [v.name for v in self.codebook.coded]
        if self.allowed is not None:
            names = [n for n in names if n in self.allowed]
        return names

    def comparison(self) -> Node:
        var = self.variable()
        t = self.tok
        kw = t.keyword
        if kw == "is":
            self.take()
            negate = False
            if self.at_keyword("not"):
                self.take()
                negate = True
            if not self.at_keyword("unknown"):
                raise self.error(msg("query.unknown-expected", "expected 'unknown' after 'is'"))
            self.take()
            return IsUnknown(var.name, negate)
        if kw == "has":
            if not var.type.is_list:
                raise self.error(msg("query.has-on-single", "'has' applies to list variables; "
                                     "%(name)s takes one value: use '=' or 'in'",
                                     name=var.name), t)
            self.take()
            if self.at_keyword("any", "all"):
                mode: Literal["one", "any", "all"] = "any" if self.take().text.lower() == "any" else "all"
                values = self.value_list(var)
            else:
                mode = "one"
                values = (self.value(var),)
            return Has(var.name, mode, tuple(str(v) for v in values))
        if kw in ("in", "not"):
            negate = False
            if kw == "not":
                self.take()
                if not self.at_keyword("in"):
                    raise self.error(msg("query.in-expected", "expected 'in' after 'not'"))
                negate = True
            self._single(var, self.tok)
            self.take()
            return In(var.name, self.value_list(var), negate)
        if t.kind == "op":
            self._single(var, t)
            self.take()
            op = t.text
            if op in ("<", "<=", ">", ">=") and var.type is not VarType.INTEGER:
                raise self.error(msg("query.not-a-number", "'%(op)s' compares numbers; %(name)s is "
                                     "not a number: use '=', '!=' or 'in'", op=op,
                                     name=var.name), t)
            value = self.value(var)
            return Compare(var.name, op, value)  # type: ignore[arg-type]
        found = t.text or "end of query"
        ops = "has, has any, has all" if var.type.is_list else "=, !=, in, not in"
        if var.type is VarType.INTEGER:
            ops += ", <, <=, >, >="
        raise self.error(msg("query.operator-expected", "expected an operator after "
                             "'%(name)s' but found '%(found)s'; allowed: %(allowed)s, is "
                             "unknown", name=var.name, found=found, allowed=ops))

    def _single(self, var: Variable, t: Token) -> None:
        if var.type.is_list:
            raise self.error(msg("query.list-needs-has", "%(name)s is a list: use 'has', "
                                 "'has any (...)' or 'has all (...)'", name=var.name), t)

    def value_list(self, var: Variable) -> tuple[str | int, ...]:
        self.expect_punct("(")
        values = [self.value(var)]
        while self.tok.kind == "punct" and self.tok.text == ",":
            self.take()
            values.append(self.value(var))
        self.expect_punct(")")
        return tuple(values)

    def value(self, var: Variable) -> str | int:
        t = self.tok
        if var.type is VarType.INTEGER:
            # isdigit() alone accepts '²' and other digits int() refuses; int() refuses >4300
            if t.kind == "word" and t.text.isascii() and t.text.isdigit() and len(t.text) <= 9:
                self.take()
                return int(t.text)
            shown = t.text[:20] + ("..." if len(t.text) > 20 else "")
            raise self.error(msg("query.number-expected", "%(name)s takes a whole number, not "
                                 "'%(found)s' (digits 0-9, at most 9)", name=var.name,
                                 found=shown) if shown else msg(
                "query.number-expected-end", "%(name)s takes a whole number, not 'end of "
                "query' (digits 0-9, at most 9)", name=var.name))
        if var.type in (VarType.TEXT, VarType.TEXT_LIST, VarType.SLUG):
            if t.kind == "string":
                self.take()
                return t.text[1:-1]
            if t.kind == "word" and not t.keyword:
                self.take()
                return t.text
            raise self.error(msg("query.text-expected", "%(name)s takes text in double quotes, "
                                 "e.g. \"El Salvador\"", name=var.name))
        if t.kind == "word" and t.text in var.codes:
            self.take()
            return t.text
        if t.kind == "word" and t.text.lower() == "unknown":
            raise self.error(msg("query.use-is-unknown", "use '%(name)s is unknown' to test for "
                                 "unknown", name=var.name))
        if not t.text:
            raise self.error(msg("query.code-expected-end", "'end of query' is not a code of "
                                 "%(name)s; allowed: %(allowed)s", name=var.name,
                                 allowed=var.allowed()))
        raise self.error(msg("query.not-a-code", "'%(found)s' is not a code of %(name)s; "
                             "allowed: %(allowed)s", found=t.text, name=var.name,
                             allowed=var.allowed()))


def parse(text: str, codebook: Codebook, allowed: Collection[str] | None = None) -> Node:
    """Parse and validate a query.

    Args:
        text: the expression.
        codebook: variables and codes to validate against.
        allowed: if given, only these variable names may be used (e.g. scenario variables).

    Raises:
        QuerySyntaxError: pointing at the offending token, listing what is allowed.
    """
    if len(text) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(msg("query.too-long", "query is longer than %(limit)s "
                                   "characters", limit=MAX_QUERY_LENGTH), text[:60], 0)
    return _Parser(text, codebook, allowed).parse()


# ----- evaluation ------------------------------------------------------------------------------

Row = Mapping[str, Value | Unknown]


def _fold(value: str | int) -> str | int:
    return value.casefold() if isinstance(value, str) else value


def evaluate(node: Node, row: Row) -> bool:
    """Whether a case's or scenario's values satisfy the query (missing keys count as unknown)."""
    if isinstance(node, And):
        return all(evaluate(n, row) for n in node.items)
    if isinstance(node, Or):
        return any(evaluate(n, row) for n in node.items)
    if isinstance(node, Not):
        return not evaluate(node.item, row)
    value = row.get(node.var, UNKNOWN)
    if isinstance(node, IsUnknown):
        return (value is UNKNOWN) != node.negate
    if value is UNKNOWN:
        return False
    if isinstance(node, Has):
        have = {_fold(v) for v in value} if isinstance(value, tuple) else {_fold(value)}
        wanted = {_fold(v) for v in node.values}
        return bool(have & wanted) if node.mode in ("one", "any") else wanted <= have
    if isinstance(value, tuple):
        return False
    v = _fold(value)
    if isinstance(node, In):
        return (v in {_fold(x) for x in node.values}) != node.negate
    target = _fold(node.value)
    if node.op == "=":
        return v == target
    if node.op == "!=":
        return v != target
    if not isinstance(v, int) or not isinstance(target, int):
        return False
    return {"<": v < target, "<=": v <= target, ">": v > target, ">=": v >= target}[node.op]


def evaluate_known(node: Node, row: Row) -> bool | None:
    """Three-valued (Kleene) evaluation: None where the answer turns on an unknown value.

    `evaluate` treats a comparison on an unknown value as false, so `not x = yes` holds when x is
    unknown. This says instead whether the known values alone settle the query: a comparison
    on an unknown value, and `x is unknown` when x is unknown, are None; `not` keeps None; `and`
    is False if any part is False, `or` True if any part is True, else None if any part is.
    The brief uses it to tell a guideline the scenario's facts trigger from one that fires only
    because something is not known.
    """
    if isinstance(node, And | Or):
        parts = [evaluate_known(n, row) for n in node.items]
        decisive = isinstance(node, Or)  # True decides an `or`, False an `and`
        if decisive in parts:
            return decisive
        return None if None in parts else not decisive
    if isinstance(node, Not):
        inner = evaluate_known(node.item, row)
        return None if inner is None else not inner
    if row.get(node.var, UNKNOWN) is UNKNOWN:
        return None
    return evaluate(node, row)


def variables_of(node: Node) -> set[str]:
    """The variables a query mentions."""
    if isinstance(node, And | Or):
        return set().union(*(variables_of(n) for n in node.items))
    if isinstance(node, Not):
        return variables_of(node.item)
    return {node.var}


def render(node: Node) -> str:
    """A canonical text form of a query (parse(render(q)) == q)."""
    def val(v: str | int) -> str:
        if isinstance(v, int):
            return str(v)
        return v if re.fullmatch(r"[a-z0-9][a-z0-9\-]*", v) and v not in KEYWORDS else f'"{v}"'

    if isinstance(node, And):
        return " and ".join(_wrap(n, (Or, And)) for n in node.items)
    if isinstance(node, Or):
        return " or ".join(_wrap(n, (Or,)) for n in node.items)
    if isinstance(node, Not):
        return "not " + _wrap(node.item, (And, Or))
    if isinstance(node, IsUnknown):
        return f"{node.var} is {'not ' if node.negate else ''}unknown"
    if isinstance(node, Compare):
        return f"{node.var} {node.op} {val(node.value)}"
    if isinstance(node, In):
        return f"{node.var} {'not ' if node.negate else ''}in ({', '.join(val(v) for v in node.values)})"
    if node.mode == "one":
        return f"{node.var} has {val(node.values[0])}"
    return f"{node.var} has {node.mode} ({', '.join(val(v) for v in node.values)})"


def _wrap(node: Node, wrap_types: tuple[type, ...]) -> str:
    text = render(node)
    return f"({text})" if wrap_types and isinstance(node, wrap_types) else text


__all__ = [
    "And", "Compare", "Has", "In", "IsUnknown", "Node", "Not", "Or", "Row", "evaluate",
    "evaluate_known", "parse", "render", "variables_of",
]

