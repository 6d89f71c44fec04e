"""The library end to end on real databases: a migrated SQLite file (and PostgreSQL when
configured) holding the bundled cases, opened through parley.api, filtered, searched,
exported, assessed, rendered, analysed; read-only; the reader it was opened as; bad input."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest
import yaml

import parley.api as api
from parley.domain.case import case_to_dict, parse_case
from parley.domain.codebook import Codebook
from parley.domain.errors import ConfigurationError, QuerySyntaxError
from parley.domain.query import evaluate, parse
from parley.knowledge.loader import load_bundled_cases
from parley.storage.migration_head import head_revision
from tests.analysis.qca.conftest import load_fixture
from tests.api.conftest import PRIVATE_ID, make_case_base
from tests.conftest import DATA, ROOT

SCENARIO = DATA / "scenarios" / "good" / "gang-truce.yaml"
LIPSET = ROOT / "tests" / "analysis" / "qca" / "fixtures" / "lipset_lc.csv"
WHERE = "group_type has gang and start_year >= 2005"


def normal_form(expression: str) -> str:
    return " + ".join(sorted(t.strip() for t in expression.split("+")))


def test_round_trip(case_base_url: str, codebook: Codebook, tmp_path: Path) -> None:
    with api.open_case_base(case_base_url) as cases:
        # filter: the database's answer is the pure evaluator's over the bundled files
        node = parse(WHERE, codebook)
        expected = sorted(c.id for c in load_bundled_cases(codebook)
                          if evaluate(node, {n: v.value for n, v in c.values.items()}))
        listed = [r.id for r in cases.list_cases(WHERE)]
        assert listed == expected and len(listed) >= 3
        assert cases.count(WHERE) == len(listed)
        assert [r.id for r in cases.list_cases(WHERE, limit=2, offset=1)] == listed[1:3]

        # search, get, compare
        hits = cases.search("prison riots", limit=5)
        assert hits[0].id.startswith("brazil-") and hits[0].rank is not None
        assert "[" in (hits[0].snippet or "") and "\x02" not in (hits[0].snippet or "")
        case = cases.get(listed[0])
        assert case.id == listed[0] and case.citations()
        both = cases.compare(listed[0], listed[1])
        assert [c.id for c in both.cases] == listed[:2]
        assert all(repr(both.cases[0].values[v].value) != repr(both.cases[1].values[v].value)
                   for v in both.differing)

        # JSON: the interchange shape, read back into the very same cases
        text = cases.to_json(WHERE, path=tmp_path / "cases.json")
        assert (tmp_path / "cases.json").read_text(encoding="utf-8") == text
        documents = json.loads(text)
        assert [d["id"] for d in documents] == listed
        for document in documents:
            back = parse_case(document, codebook)
            assert back == cases.get(back.id)
            assert api.to_dict(back) == case_to_dict(back)

        # records and CSV: the same rows, lists joined by ';' in the CSV
        records = cases.records(WHERE)
        assert [r["id"] for r in records] == listed
        assert all(isinstance(r["group_type"], list) for r in records)
        cases.to_csv(WHERE, path=tmp_path / "cases.csv")
        with (tmp_path / "cases.csv").open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        assert list(rows[0]) == list(records[0])
        for row, record in zip(rows, records, strict=True):
            assert row == {k: "" if v is None else ";".join(map(str, v)) if isinstance(v, list)
                           else str(v) for k, v in record.items()}

        # assess a file and the same scenario as a mapping; render every format
        brief = cases.assess(SCENARIO)
        same = cases.assess(yaml.safe_load(SCENARIO.read_text(encoding="utf-8")))
        assert brief.summary is not None and same.summary is not None
        assert brief.summary.verdict == same.summary.verdict
        assert dict(brief.outlook.distribution) == dict(same.outlook.distribution)
        assert api.to_dict(brief)["summary"]["verdict"] == brief.summary.verdict
        markdown = cases.render(brief, "md", path=tmp_path / "brief.md")
        assert brief.scenario.title in markdown
        html = cases.render(brief, "html", paper="Letter")
        assert "<html" in html and brief.scenario.title in html
        pdf = cases.render(brief, "pdf", path=tmp_path / "brief.pdf")
        assert pdf.startswith(b"%PDF") and (tmp_path / "brief.pdf").read_bytes() == pdf
        docx = cases.render(brief, "docx", paper="Letter", path=tmp_path / "brief.docx")
        assert zipfile.is_zipfile(tmp_path / "brief.docx") and docx[:2] == b"PK"
        with zipfile.ZipFile(io.BytesIO(docx)) as archive:
            assert brief.scenario.title in archive.read("word/document.xml").decode()

        # QCA over the case base and the outlook's evaluation: as over the bundled cases
        options = api.QcaOptions(include_remainders=True)
        run = cases.qca(["MED", "GOV", "INC"], "LASTING", options=options)
        evaluation = cases.evaluate()
    with api.open_case_base() as bundled:
        assert api.to_dict(run) == api.to_dict(bundled.qca(["MED", "GOV", "INC"], "LASTING",
                                                           options=options))
        assert api.to_dict(evaluation) == api.to_dict(bundled.evaluate())
    assert set(run.result["solutions"]) == {"conservative", "parsimonious"}
    assert evaluation.score(evaluation.method).brier < evaluation.score("uniform").brier


def test_qca_on_a_real_csv_matches_r() -> None:
    """Lipset's crisp data: the solutions R's QCA package published (fixture names the source)."""
    fixture = load_fixture("lipset_lc.json")
    reference = fixture["runs"][0]
    result = api.run_qca(LIPSET, reference["outcome"], fixture["conditions"],
                         case_id=fixture["case_id"],
                         options=api.QcaOptions(incl_cut=tuple(reference["incl_cut"]),
                                                include_remainders=True))
    got = api.to_dict(result)["solutions"]
    for kind, models in reference["solutions"].items():
        assert ([normal_form(m["expression"]) for m in got[kind]["models"]]
                == [normal_form(m["expression"]) for m in models])
    assert api.to_dict(api.run_qca(LIPSET.read_bytes(), "SURV", fixture["conditions"],
                                   case_id="CASE")) == api.to_dict(
        api.run_qca(str(LIPSET), "SURV", fixture["conditions"], case_id="CASE"))


def test_multi_value_qca_through_the_library() -> None:
    """`run_qca(multi_value=...)` as `parley qca --multi-value`: R's QCA on Lipset's LM data
    (the recorded fixture names the R call)."""
    fixture = load_fixture("r_lm_multivalue.json")
    run = fixture["runs"][0]
    data = ROOT / "tests" / "analysis" / "qca" / "fixtures" / fixture["data_file"]
    result = api.to_dict(api.run_qca(data, run["outcome"], fixture["conditions"],
                                     case_id=fixture["case_id"],
                                     multi_value=fixture["multi_value"],
                                     options=api.QcaOptions(incl_cut=(1.0,),
                                                            include_remainders=True)))
    for kind in ("conservative", "parsimonious"):  # the same models (R lists them its way)
        assert (sorted(normal_form(m["expression"]) for m in result["solutions"][kind]["models"])
                == sorted(normal_form(m["expression"]) for m in run["solutions"][kind]))
    with pytest.raises(api.InvalidInput, match="DEV"):  # 2 is not a crisp value
        api.run_qca(data, run["outcome"], fixture["conditions"], case_id=fixture["case_id"])


def test_the_library_only_reads(tmp_path: Path) -> None:
    """A whole session changes nothing in the database file."""
    db = tmp_path / "parley.db"
    make_case_base(f"sqlite:///{db}", tmp_path)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    with api.open_case_base(f"sqlite:///{db}", as_operator=True) as cases:
        cases.list_cases(WHERE)
        cases.search("truce")
        cases.to_json()
        cases.render(cases.assess(SCENARIO), "md")
        cases.evaluate()
        cases.qca(["MED", "GOV"], "LASTING")
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0


def test_the_reader_it_is_opened_as(case_base_url: str) -> None:
    """Anonymous by default (bundled and published cases); the operator sees private ones."""
    with api.open_case_base(case_base_url) as anonymous:
        with pytest.raises(api.NotFound):
            anonymous.get(PRIVATE_ID)
        seen = anonymous.count()
        assert PRIVATE_ID not in [r.id for r in anonymous.list_cases()]
        assert PRIVATE_ID not in [r["id"] for r in anonymous.records("country = Jamaica")]
    with api.open_case_base(case_base_url, as_operator=True) as operator:
        assert operator.get(PRIVATE_ID).title == "My August Town case"
        assert operator.count() == seen + 1
        assert PRIVATE_ID in [r["id"] for r in operator.records("country = Jamaica")]


def test_the_library_answers_as_the_command_line(tmp_path: Path) -> None:
    """`parley assess`, `parley evaluate` and `parley cases export` and the library, reading
    as the same reader (the operator), give the same brief, figures and files."""
    db = tmp_path / "parley.db"
    make_case_base(f"sqlite:///{db}", tmp_path)
    env = {**os.environ, "PARLEY_DATABASE_URL": f"sqlite:///{db}",
           "PARLEY_MASTER_KEY_FILE": str(tmp_path / "master.key")}

    def parley(*args: str) -> str:
        return subprocess.run([str(Path(sys.executable).with_name("parley")), *args],
                              capture_output=True, text=True, env=env, timeout=180,
                              check=True).stdout

    with api.open_case_base(f"sqlite:///{db}", as_operator=True) as cases:
        assert cases.render(cases.assess(SCENARIO), "md") == parley(
            "assess", str(SCENARIO), "--format", "md")
        assert json.loads(json.dumps(api.to_dict(cases.evaluate()))) == json.loads(
            parley("evaluate", "--format", "json"))
        assert cases.to_csv(WHERE) == parley("cases", "export", "--format", "csv", "-w", WHERE)
        assert cases.to_json() == parley("cases", "export", "--format", "json")
        assert PRIVATE_ID in cases.to_json()


def test_an_in_memory_case_base_serves_every_thread() -> None:
    with api.open_case_base() as cases:
        counts: list[int] = []
        worker = threading.Thread(target=lambda: counts.append(cases.count()))
        worker.start()
        worker.join()
        assert counts == [cases.count()]


def test_databases_it_refuses(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    with pytest.raises(api.NotFound, match=r"no database file .*missing.db: create one with "
                                           r"PARLEY_DATABASE_URL=.* parley db upgrade"):
        api.open_case_base(f"sqlite:///{missing}")
    assert not missing.exists()

    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    with pytest.raises(ConfigurationError, match="is not a Parley database; this Parley needs "
                                                 f"migration {head_revision()}: run "
                                                 "PARLEY_DATABASE_URL="):
        api.open_case_base(f"sqlite:///{empty}")

    old = tmp_path / "old.db"
    make_case_base(f"sqlite:///{old}", tmp_path, private=False)
    with sqlite3.connect(old) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0010'")
    conn.close()
    with pytest.raises(ConfigurationError, match="is at migration 0010; this Parley needs"):
        api.open_case_base(f"sqlite:///{old}")
    with sqlite3.connect(old) as conn:  # refused, not migrated
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("0010",)]
    conn.close()

    with pytest.raises(api.InvalidInput, match="use sqlite:///PATH or postgresql://"):
        api.open_case_base("mysql://u@h/db")
    with pytest.raises(api.InvalidInput, match="open_case_base\\(\\) without a URL"):
        api.open_case_base("sqlite:///:memory:")
    with pytest.raises(api.ParleyError) as refused:
        api.open_case_base("postgresql://reader:s3cret@127.0.0.1:1/parley")
    assert "s3cret" not in str(refused.value) and "reader:***@" in str(refused.value)


def test_bad_input_is_named(tmp_path: Path) -> None:
    with api.open_case_base() as cases:
        with pytest.raises(QuerySyntaxError, match="unknown variable 'regoin'"):
            cases.list_cases("regoin = caribbean")
        with pytest.raises(api.ValidationFailed,
                           match=r"not-a-number.yaml:1: field 'number_of_groups': 'two'"):
            cases.assess(DATA / "scenarios" / "bad" / "not-a-number.yaml")
        with pytest.raises(api.ValidationFailed, match="cannot read file"):
            cases.assess(tmp_path / "nowhere.yaml")
        with pytest.raises(api.ValidationFailed, match=r"field 'cohesion': 'solid' .*allowed: "):
            cases.assess({"cohesion": "solid"})
        brief = cases.assess({"group_type": ["gang"]})
        with pytest.raises(api.InvalidInput, match="format 'rtf': use one of md, html, pdf, docx"):
            cases.render(brief, "rtf")  # type: ignore[call-overload]
        with pytest.raises(api.InvalidInput, match="paper 'A5': use one of A4, Letter"):
            cases.render(brief, "md", paper="A5")  # type: ignore[call-overload]
        with pytest.raises(api.InvalidInput, match="cannot write"):
            cases.render(brief, "md", path=tmp_path / "no" / "such" / "brief.md")
        with pytest.raises(api.InvalidInput, match="compare takes 2 to 4"):
            cases.compare("el-salvador-mara-truce-2012")
        with pytest.raises(api.NotFound):
            cases.get("no-such-case")
        with pytest.raises(api.InvalidInput, match="limit must be at least 1"):
            cases.list_cases(limit=0)
        with pytest.raises(api.InvalidInput, match="search text is empty"):
            cases.search("  ")
        with pytest.raises(api.InvalidInput, match="not in the mapping: NOPE"):
            cases.qca(["NOPE"], "LASTING")
    with pytest.raises(ValueError, match="this case base is closed"):
        cases.count()
    cases.close()  # closing twice is harmless
    with pytest.raises(api.InvalidInput, match=r"nowhere.csv: cannot read"):
        api.run_qca(tmp_path / "nowhere.csv", "SURV", ["DEV"])
    with pytest.raises(api.InvalidInput, match="NOPE"):
        api.run_qca(LIPSET, "SURV", ["NOPE"], case_id="CASE")
