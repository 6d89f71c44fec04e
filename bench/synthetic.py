"""Synthetic case bases generated from the codebook, for benchmarks.

`generate_cases(n, seed)` returns `n` valid cases (they pass `parse_case`), the same ones for the
same seed. Each coded variable is `unknown` with a probability close to the bundled case base's
(about 60%; identity and outcome fields far less often), otherwise a random valid value: a code,
a list of 1-3 codes, a year 1980-2024, or text built from small word lists so that full-text
search finds matches (e.g. "truce" in about a third of the cases, "church prison" in about a
seventh). Every known value carries one `Citation(source="synthetic", section="Synthetic",
quote=...)`, one of the case's 2-5 quotes (the bundled cases cite about 16 distinct quotes of
17 words each; here 2-5 of about 20 words, so that words stay selective).

About 5% of cases name a parent; a parent always comes earlier in the sequence, so importing
the cases in order (whole, or in consecutive batches) never meets an unknown parent.

`iter_cases` yields the same cases one at a time, so a benchmark can import 100k cases in
batches without holding them all in memory.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from parley.domain.case import Case
from parley.domain.codebook import Codebook, VarType
from parley.domain.evidence import UNKNOWN_VALUE, Citation, CodedValue
from parley.knowledge.loader import load_codebook

__all__ = ["generate_cases", "iter_cases"]

SOURCE = "synthetic"
SECTION = "Synthetic"
UNKNOWN_RATE = 0.6
# Variables a case almost always states (the list, the filters and facets lean on them).
UNKNOWN_RATE_BY_VARIABLE = {
    "country": 0.02, "region": 0.02, "start_year": 0.05, "end_year": 0.3, "locality": 0.2,
    "group_type": 0.1, "initiator": 0.3, "outcome_class": 0.15, "groups": 0.4,
}
PARENT_RATE = 0.05
T = TypeVar("T")

COUNTRIES = {
    "latin-america": ["El Salvador", "Honduras", "Mexico", "Colombia", "Brazil", "Ecuador",
                      "Guatemala", "Venezuela"],
    "caribbean": ["Jamaica", "Haiti", "Belize", "Trinidad and Tobago"],
    "africa": ["South Africa", "Nigeria", "Kenya"],
    "asia": ["Bangladesh", "Pakistan", "Timor-Leste", "Philippines"],
    "europe": ["Italy", "Spain", "Denmark", "Norway"],
    "north-america": ["United States", "Canada"],
    "oceania": ["Papua New Guinea", "Australia"],
}
PLACES = ["San Pedro Sula", "Tegucigalpa", "Medellín", "Kingston", "Port-au-Prince", "Karachi",
          "Dili", "Naples", "Cape Town", "Guayaquil", "Los Angeles", "Chicago", "Oslo",
          "Rio de Janeiro", "Manaus", "Acapulco", "Port of Spain", "Belize City", "Palermo",
          "Ciudad Juárez", "Lagos", "Nairobi", "Manila", "the northern prisons",
          "the port district", "the border towns"]
GROUP_NAMES = ["MS-13", "Barrio 18", "Los Zetas", "Gulf Clan", "Latin Kings", "Shower Posse",
               "Red Command", "First Capital Command", "Hells Angels", "Cosa Nostra",
               "the Sundarbans pirates", "the Numbers gang", "Vatos Locos", "the Mungiki",
               "the Bloods", "the Crips", "Camorra clans", "the Extraditables"]
PROCESS = ["truce", "ceasefire", "pact", "dialogue", "negotiation", "mediation", "agreement",
           "accord", "peace process", "understanding", "non-aggression deal", "talks",
           "settlement", "armistice", "covenant", "compact"]
ACTORS = ["the church", "a bishop", "an evangelical pastor", "the mayor", "prison authorities",
          "the police chief", "a journalist", "an NGO", "former gang members",
          "community leaders", "the ministry", "the governor", "a priest", "an army officer",
          "a lawyer", "academics", "the president's office", "mothers of victims",
          "a football club", "local businesses"]
VERBS = ["brokered", "proposed", "mediated", "supported", "opposed", "monitored", "facilitated",
         "denounced", "financed", "sabotaged", "announced", "negotiated", "endorsed",
         "questioned"]
NOUNS = ["homicides", "extortion", "violence", "prison riots", "kidnappings", "drug trafficking",
         "recruitment of minors", "disarmament", "reintegration", "jobs programmes", "amnesty",
         "sentence reductions", "victims", "public outrage", "spoilers", "land disputes",
         "arms caches", "police raids", "school attendance", "tattoo removal",
         "transfers between prisons", "visiting rights", "electricity theft", "illegal mining",
         "fishing rights", "protection payments", "turf boundaries", "revenge killings",
         "disappearances", "bus routes"]
QUALIFIERS = ["secret", "public", "local", "national", "fragile", "lasting", "contested",
              "short-lived", "informal", "formal", "tentative", "historic", "controversial",
              "quiet", "partial", "renewed"]
MAGNITUDES = ["homicides fell by {p} percent", "violence roughly halved",
              "murders dropped by {p} percent in {m} months", "a modest decline in killings",
              "extortion fell sharply for {m} months"]
REGIONS = list(COUNTRIES)


def _an(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


def _sentence(rng: random.Random) -> str:
    first, second = rng.sample(NOUNS, 2)
    return (f"{rng.choice(ACTORS).capitalize()} {rng.choice(VERBS)} "
            f"{_an(rng.choice(QUALIFIERS))} {rng.choice(PROCESS)} with {rng.choice(GROUP_NAMES)} "
            f"over {first} and {second} in {rng.choice(PLACES)}.")


class _Generator:
    """One seeded stream of cases. Picks use `rng.random()` directly: 100k cases x 63
    variables is millions of picks, and `random.choice` is several times slower."""

    def __init__(self, codebook: Codebook, seed: int) -> None:
        if seed < 0:
            raise ValueError("seed must be 0 or more (it is part of each case id)")
        self.rng = random.Random(seed)
        self.seed = seed
        self.citations: list[tuple[Citation]] = []
        self.plan = [
            (v.name, v.type, UNKNOWN_RATE_BY_VARIABLE.get(v.name, UNKNOWN_RATE), list(v.codes))
            for v in codebook.coded
        ]

    def _pick(self, seq: Sequence[T]) -> T:
        return seq[int(self.rng.random() * len(seq))]

    def _indices(self, n: int) -> list[int]:
        """1 to 3 distinct indices below n, ascending (codebook order, as parse_case sorts)."""
        want = min(n, 1 + int(self.rng.random() * 3))
        picked: set[int] = set()
        while len(picked) < want:
            picked.add(int(self.rng.random() * n))
        return sorted(picked)

    def _known(self, value: str | int | tuple[str, ...]) -> CodedValue:
        return CodedValue(value, self._pick(self.citations))

    def _value(self, name: str, vtype: VarType, codes: list[str], facts: dict[str, Any]
               ) -> CodedValue:
        rng = self.rng
        if vtype is VarType.CODE:
            return self._known(self._pick(codes) if name != "region" else facts["region"])
        if vtype is VarType.CODE_LIST:
            return self._known(tuple(codes[i] for i in self._indices(len(codes))))
        if vtype is VarType.INTEGER:
            if name == "start_year":
                return self._known(facts["start_year"])
            if name == "end_year":
                return self._known(min(2024, facts["start_year"] + int(rng.random() * 7)))
            if name == "reduction_duration_months":
                return self._known(1 + int(rng.random() * 120))
            return self._known(1 + int(rng.random() * 12))
        if vtype is VarType.TEXT_LIST:
            return self._known(tuple(GROUP_NAMES[i] for i in self._indices(len(GROUP_NAMES))))
        if name in facts:
            return self._known(facts[name])
        if name == "reduction_magnitude":
            template = self._pick(MAGNITUDES)
            return self._known(template.format(p=rng.randint(10, 90), m=rng.randint(2, 48)))
        return self._known(f"{self._pick(QUALIFIERS)} {self._pick(NOUNS)}")

    def case(self, index: int) -> Case:
        rng = self.rng
        region = self._pick(REGIONS)
        facts: dict[str, Any] = {
            "region": region,
            "country": self._pick(COUNTRIES[region]),
            "locality": self._pick(PLACES),
            "start_year": rng.randint(1980, 2024),
        }
        # A few quotes per case, each backing several values (as in the bundled cases): the
        # searchable text stays case-specific, so a word matches a minority of cases.
        self.citations = [(Citation(SOURCE, SECTION, _sentence(rng)),)
                          for _ in range(2 + int(rng.random() * 4))]
        values = {
            name: UNKNOWN_VALUE if rng.random() < rate else self._value(name, vtype, codes, facts)
            for name, vtype, rate, codes in self.plan
        }
        title = (f"{facts['country']} – {self._pick(GROUP_NAMES)} {self._pick(PROCESS)} "
                 f"({facts['locality']})")
        summary = " ".join(_sentence(rng) for _ in range(rng.randint(1, 3)))
        parent = None
        if index > 0 and rng.random() < PARENT_RATE:
            parent = self.case_id(rng.randrange(index))
        return Case(self.case_id(index), title, summary, values, parent)

    def case_id(self, index: int) -> str:
        return f"synthetic-{self.seed}-{index:07d}"


def iter_cases(n: int, seed: int = 0, codebook: Codebook | None = None) -> Iterator[Case]:
    """Yield the `n` cases of `generate_cases(n, seed)` one at a time."""
    gen = _Generator(codebook or load_codebook(), seed)
    for i in range(n):
        yield gen.case(i)


def generate_cases(n: int, seed: int = 0) -> list[Case]:
    """`n` valid synthetic cases, deterministic for a given seed.

    Example:
        >>> [c.id for c in generate_cases(2)]
        ['synthetic-0-0000000', 'synthetic-0-0000001']
    """
    return list(iter_cases(n, seed))
