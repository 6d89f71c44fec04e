"""A workspace's situation profile: the scenario variables its items tell, with the items that
tell them, merged with the values the team set by hand.

The living assessment runs the assessment engine on this profile. What an item tells is read
literally, never guessed: an actor's spoiler type is a known spoiler, a demand's code is a group
demand, the process design's secrecy, format, method and design elements are the design's, a
written communication (security) plan means a communications strategy (security measures), the
victims-and-justice item gives participation and mechanisms. A value set by hand fills what the
items do not tell; where both speak, the items win and the hand-set value is reported as
overridden, so the profile never hides what the record shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from parley.domain.workspace import Item, ItemKind

LIST_VARIABLES = ("spoilers", "group_demands", "design_elements", "justice_mechanisms")
DESIGN_CODES = ("secrecy", "format", "method")


@dataclass(frozen=True)
class ProfileValue:
    variable: str
    value: str | tuple[str, ...]
    source: str  # "items" or "hand"
    items: tuple[str, ...] = ()  # ids of the items that tell it


@dataclass(frozen=True)
class Profile:
    values: tuple[ProfileValue, ...]
    overridden: tuple[str, ...] = ()  # hand-set variables the items also tell

    def as_scenario(self, title: str) -> dict[str, Any]:
        """The profile as a scenario mapping (input of `parse_scenario`)."""
        return {"title": title, **{v.variable: list(v.value) if isinstance(v.value, tuple)
                                   else v.value for v in self.values}}


def derived(items: Iterable[Item]) -> dict[str, tuple[str | tuple[str, ...], tuple[str, ...]]]:
    """variable -> (value, item ids) for what the items tell."""
    lists: dict[str, dict[str, list[str]]] = {v: {} for v in LIST_VARIABLES}
    single: dict[str, tuple[str, tuple[str, ...]]] = {}
    for item in sorted(items, key=lambda i: i.id):
        f = item.fields
        if item.kind is ItemKind.ACTOR and f.get("spoiler_type"):
            lists["spoilers"].setdefault(str(f["spoiler_type"]), []).append(item.id)
        elif item.kind is ItemKind.DEMAND and f.get("code"):
            lists["group_demands"].setdefault(str(f["code"]), []).append(item.id)
        elif item.kind is ItemKind.PROCESS_DESIGN:
            for name in DESIGN_CODES:
                if f.get(name):
                    single[name] = (str(f[name]), (item.id,))
            for code in f.get("design_elements") or []:
                lists["design_elements"].setdefault(str(code), []).append(item.id)
            if str(f.get("communication_plan") or "").strip():
                single["communications_strategy"] = ("yes", (item.id,))
            if str(f.get("security_plan") or "").strip():
                single["security_measures"] = ("yes", (item.id,))
        elif item.kind is ItemKind.VICTIMS_JUSTICE:
            if f.get("victims_participation"):
                single["victims_participation"] = (str(f["victims_participation"]), (item.id,))
            for code in f.get("justice_mechanisms") or []:
                lists["justice_mechanisms"].setdefault(str(code), []).append(item.id)
    out: dict[str, tuple[str | tuple[str, ...], tuple[str, ...]]] = dict(single)
    for name, codes in lists.items():
        if codes:
            ids = tuple(sorted({i for found in codes.values() for i in found}))
            out[name] = (tuple(sorted(codes)), ids)
    return out


def profile(items: Iterable[Item], hand: Mapping[str, Any]) -> Profile:
    """The items' values, then the hand-set ones for the variables the items do not tell."""
    told = derived(items)
    values = [ProfileValue(name, value, "items", ids) for name, (value, ids) in sorted(
        told.items())]
    values += [ProfileValue(name, tuple(v) if isinstance(v, list) else str(v), "hand")
               for name, v in sorted(hand.items()) if name not in told]
    return Profile(tuple(sorted(values, key=lambda v: v.variable)),
                   tuple(sorted(n for n in hand if n in told)))
