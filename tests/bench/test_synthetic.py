"""The synthetic case generator of bench/ yields valid, reproducible cases."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from parley.domain.case import case_to_dict, parse_case
from parley.domain.codebook import VarType
from parley.domain.evidence import UNKNOWN
from parley.knowledge.loader import load_codebook

SYNTHETIC = Path(__file__).resolve().parents[2] / "bench" / "synthetic.py"


@pytest.fixture(scope="module")
def synthetic() -> ModuleType:
    # bench/ is scripts, not an installed package: load the module from its file
    spec = importlib.util.spec_from_file_location("bench_synthetic", SYNTHETIC)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_generated_cases_are_valid(synthetic: ModuleType) -> None:
    codebook = load_codebook()
    cases = synthetic.generate_cases(50)
    assert len(cases) == 50
    assert len({c.id for c in cases}) == 50
    ids: set[str] = set()
    for case in cases:
        assert list(case.values) == [v.name for v in codebook.coded]
        assert parse_case(case_to_dict(case), codebook) == case
        assert case.parent is None or case.parent in ids  # parents come first
        ids.add(case.id)
        for name, coded in case.values.items():
            assert coded.is_unknown or coded.evidence[0].source == "synthetic"
            if codebook[name].type is VarType.INTEGER and name.endswith("_year"):
                assert coded.value is UNKNOWN or 1980 <= int(str(coded.value)) <= 2024


def test_values_vary_and_include_unknown(synthetic: ModuleType) -> None:
    cases = synthetic.generate_cases(50, seed=3)
    values = [v for c in cases for v in c.values.values()]
    unknown = sum(v.is_unknown for v in values) / len(values)
    assert 0.3 < unknown < 0.8
    assert len({c.value("outcome_class") for c in cases}) >= 4


def test_same_seed_same_cases(synthetic: ModuleType) -> None:
    assert synthetic.generate_cases(5, seed=7) == synthetic.generate_cases(5, seed=7)
    assert synthetic.generate_cases(5, seed=7) != synthetic.generate_cases(5, seed=8)
    assert synthetic.generate_cases(5) == list(synthetic.iter_cases(5))
