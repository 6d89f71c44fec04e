"""Words a reader faces: the brief of the realistic scenario and of an all-unknown one.

Prints, for each, the words of page one and of the whole HTML brief (text only), the findings
by why they apply, the citations, and the PDF's page count. Not a timing benchmark.

    .venv/bin/python bench/brief_words.py
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from parley.analysis.assess import CasePool, assess  # noqa: E402
from parley.analysis.evaluate import caveat, evaluate, fit_outlook  # noqa: E402
from parley.domain.scenario import parse_scenario  # noqa: E402
from parley.interchange.scenario_file import read_scenario  # noqa: E402
from parley.knowledge.brief_rules import load_brief_rules  # noqa: E402
from parley.knowledge.guidelines import load_guidelines  # noqa: E402
from parley.knowledge.loader import load_bundled_cases, load_codebook  # noqa: E402
from parley.knowledge.outlook_conditions import load_outlook_settings  # noqa: E402
from parley.knowledge.weights import load_similarity_weights  # noqa: E402
from parley.render.brief import front_page_text, render_html  # noqa: E402
from parley.render.documents import render_pdf  # noqa: E402

REALISTIC = ROOT / "tests" / "data" / "scenarios" / "realistic" / "honduras-church-truce.yaml"


def words(page: str) -> int:
    text = re.sub(r"<style.*?</style>|<svg.*?</svg>", " ", page, flags=re.S)
    return len(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def main() -> None:
    from pypdf import PdfReader  # a dev dependency

    codebook = load_codebook()
    cases = load_bundled_cases(codebook)
    weights = load_similarity_weights(codebook)
    guidelines, rules = load_guidelines(codebook), load_brief_rules(codebook)
    pool = CasePool.build(cases, codebook, weights)
    settings = load_outlook_settings(codebook)
    evaluation = evaluate(cases, codebook, weights, settings)
    params = fit_outlook(cases, codebook, weights, settings, evaluation)
    text = caveat(evaluation)
    titles = {c.id: c.title for c in cases}
    print("scenario | page one words | whole brief words | findings (facts/always/unknown) "
          "| citations | PDF pages")
    for name, scenario in (("realistic (Honduras, church mediator)", read_scenario(REALISTIC,
                                                                                 codebook)),
                           ("all unknown", parse_scenario({}, codebook))):
        result = assess(scenario, guidelines, pool, params, text, rules=rules)
        page = render_html(result, codebook, titles)
        kinds = [sum(f.trigger == t for f in result.findings)
                 for t in ("facts", "always", "unknown")]
        cited = len(re.findall(r'<li id="cite-\d+">', page))
        pdf = render_pdf(result, codebook, titles)
        pages = len(PdfReader(__import__("io").BytesIO(pdf)).pages)
        print(f"{name} | {len(front_page_text(page).split())} | {words(page)} | "
              f"{len(result.findings)} ({'/'.join(map(str, kinds))}) | {cited} | {pages}")


if __name__ == "__main__":
    main()
