"""POST /api/assess and the assessment pages, in process."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from parley.bootstrap import Parley

SCENARIO = {"title": "Citywide truce", "group_type": ["gang"], "cohesion": "medium",
            "deterrence_credible": False, "security_dilemma": "yes", "secrecy": "secret"}


def test_assess_returns_the_interface_shape(client: TestClient) -> None:
    r = client.post("/api/assess", json=SCENARIO)
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(body) == ["scenario", "outlook", "findings", "similar_cases", "checklist",
                          "summary", "warnings"]
    assert body["summary"]["verdict"] in ("talk-now", "prepare-first", "wait")
    assert body["scenario"]["deterrence_credible"] == "no"
    assert abs(sum(body["outlook"]["distribution"].values()) - 1) < 1e-9
    assert all(f["citations"] for f in body["findings"])
    outlook = body["outlook"]
    assert max(outlook["distribution"].values()) <= 0.5 + 1e-9
    moved = {c: sum(m["moves"][c] for m in outlook["explanation"]) for c in
             outlook["distribution"]}
    assert all(abs(0.2 + moved[c] - p) < 1e-3 for c, p in outlook["distribution"].items())
    measured = outlook["measured"]
    assert measured["leave_one_out"]["brier"] < measured["uniform"]["brier"] == 0.8
    assert measured["leave_one_country_out"]["rps"] < measured["uniform"]["rps"]


def test_too_little_known_gets_base_rates_and_says_why(client: TestClient) -> None:
    r = client.post("/api/assess", json={"cohesion": "high", "secrecy": "secret"})
    outlook = r.json()["outlook"]
    assert outlook["abstained"] == "too-little-known"
    assert "Only 2 pre-negotiation variable(s) are known, fewer than the 5" in outlook["basis"]


def test_bad_scenario_is_400_naming_key_value_and_codes(client: TestClient) -> None:
    r = client.post("/api/assess", json={"cohesion": "hgh", "colour": "red"})
    assert r.status_code == 400
    problems = r.json()["error"]["problems"]
    assert problems[0]["field"] == "cohesion"
    assert problems[0]["message"] == ("'hgh' is not a code of cohesion; allowed: low, medium, "
                                      "high, unknown")
    assert problems[1]["field"] == "colour"
    not_object = client.post("/api/assess", json=["cohesion"])
    assert not_object.status_code == 422


def test_form_lists_every_scenario_variable_with_help(client: TestClient,
                                                     parley_app: Parley) -> None:
    html = client.get("/assess").text
    for var in parley_app.codebook.scenario_variables:
        assert f'name="{var.name}"' in html, var.name
        assert f'id="h-{var.name}"' in html
    assert 'outcome_class' not in html


def _csrf(client: TestClient) -> dict[str, str]:
    """The form's CSRF field, as a browser gets it by opening the page (sets the cookie too)."""
    page = client.get("/assess").text
    m = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert m, "the assess form carries no CSRF token"
    return {"csrf_token": m.group(1)}


def test_form_without_csrf_token_is_refused(client: TestClient) -> None:
    r = client.post("/assess", data={"title": "x", "cohesion": "low"})
    assert r.status_code == 400 and "CSRF check failed" in r.text


def test_form_assesses_saves_and_reopens(client: TestClient, parley_app: Parley) -> None:
    from parley.domain.account import SYSTEM
    from parley.web.auth import SESSION_COOKIE

    if "adviser" not in {u.name for u in parley_app.accounts.users()}:
        parley_app.accounts.create_user(SYSTEM, "adviser", "correct horse battery staple")
    client.cookies.set(SESSION_COOKIE, parley_app.accounts.login(
        "adviser", "correct horse battery staple"))
    form = {"title": "Prison talks", "cohesion": "low", "spoilers": ["political"],
            "groups": "MS-13, Barrio 18", "number_of_groups": "2", "action": "assess",
            **_csrf(client)}
    shown = client.post("/assess", data=form)
    assert shown.status_code == 200
    assert "Top risks" in shown.text and 'href="/cases/' in shown.text
    saved = client.post("/assess", data={**form, "action": "save"}, follow_redirects=False)
    assert saved.status_code == 303
    url = saved.headers["location"]
    assert re.fullmatch(r"/assess/saved/[\w-]+", url)
    reopened = client.get(url)
    assert reopened.status_code == 200
    assert '<option value="low" selected>' in reopened.text
    assert 'value="political" checked' in reopened.text
    assert 'value="MS-13, Barrio 18"' in reopened.text
    assert f'href="{url}"' in client.get("/assess").text  # listed for its author
    assert client.get("/assess/saved/nope").status_code == 404
    client.cookies.delete(SESSION_COOKIE)


def test_bad_form_input_keeps_what_was_typed(client: TestClient) -> None:
    r = client.post("/assess", data={"title": "x", "number_of_groups": "two", "cohesion": "low",
                                     **_csrf(client)})
    assert r.status_code == 400
    assert "number_of_groups: &#39;two&#39; is not a whole number" in r.text
    assert 'value="two"' in r.text


def test_assess_answers_in_the_format_asked(client: TestClient) -> None:
    pdf = client.post("/api/assess?format=pdf&paper=Letter", json=SCENARIO)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf.headers["content-disposition"].startswith(
        'attachment; filename="parley-brief-citywide-truce.pdf"')
    word = client.post("/api/assess", json={"cohesion": "low"}, headers={
        "Accept": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"})
    assert word.status_code == 200 and word.content.startswith(b"PK")
    assert 'filename="parley-brief.docx"' in word.headers["content-disposition"]
    md = client.post("/api/assess", json=SCENARIO, headers={"Accept": "text/markdown"})
    assert md.headers["content-type"].startswith("text/markdown") and "## Top risks" in md.text
    bad = client.post("/api/assess?format=odt", json=SCENARIO)
    assert bad.status_code in (400, 422)


def test_contradictions_are_warned_about_in_json_and_brief(client: TestClient) -> None:
    scenario = {"initiator": ["government"], "government_role": "bypassed"}
    body = client.post("/api/assess", json=scenario).json()
    assert [w["id"] for w in body["warnings"]] == ["government-initiates-but-is-not-a-party"]
    html = client.post("/api/assess?format=html", json=scenario).text
    assert 'id="warnings"' in html and "yet its role says it is bypassed" in html


def test_saved_in_a_workspace_renamed_rerun_downloaded_listed(client: TestClient,
                                                               parley_app: Parley) -> None:
    from parley.domain.access import Role
    from parley.domain.account import SYSTEM, Principal
    from parley.web.auth import SESSION_COOKIE

    for name in ("planner", "colleague"):
        if name not in {u.name for u in parley_app.accounts.users()}:
            parley_app.accounts.create_user(SYSTEM, name, "correct horse battery staple")
    ws = parley_app.workspaces.create(Principal("planner"), "Church channel")
    parley_app.workspaces.set_member(Principal("planner"), ws.id, "colleague", Role.ANALYST)
    client.cookies.set(SESSION_COOKIE, parley_app.accounts.login(
        "planner", "correct horse battery staple"))
    page = client.get("/assess").text
    assert f'<option value="{ws.id}">workspace Church channel</option>' in page
    form = {"cohesion": "low", "secrecy": "secret", "action": "save", "workspace": ws.id,
            **_csrf(client)}
    saved = client.post("/assess", data=form, follow_redirects=False)
    url = saved.headers["location"]
    sid = url.rsplit("/", 1)[1]
    shown = client.get(url).text
    assert "RESTRICTED" in shown and "shared with the members of workspace" in shown
    renamed = client.post(f"{url}/rename", data={"title": "Bishop's offer", **_csrf(client)},
                          follow_redirects=True)
    assert "<h1>Bishop&#39;s offer</h1>" in renamed.text
    rerun = client.post(f"{url}/rerun", data=_csrf(client), follow_redirects=True)
    assert "Re-run against the current case base (28 cases)." in rerun.text
    pdf = client.get(f"{url}/download?format=pdf&paper=Letter")
    assert pdf.content.startswith(b"%PDF-")
    assert 'filename="parley-brief-bishop-s-offer.pdf"' in pdf.headers["content-disposition"]
    assert f'href="/assess/saved/{sid}"' in client.get("/account").text
    # a colleague in the workspace sees it listed and may open it; the listing is audited
    client.cookies.set(SESSION_COOKIE, parley_app.accounts.login(
        "colleague", "correct horse battery staple"))
    listing = client.get(f"/workspaces/{ws.id}").text
    assert f'href="/assess/saved/{sid}"' in listing and "Bishop&#39;s offer" in listing
    assert client.get(url).status_code == 200
    events = [e.event for e in parley_app.workspaces.audit_log(Principal("planner"), ws.id)]
    for event in ("assessment.saved", "assessment.renamed", "assessment.reassessed",
                  "assessments.listed", "assessment.read"):
        assert event in events, event
    client.cookies.delete(SESSION_COOKIE)


def test_no_request_runs_the_evaluation(client: TestClient,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 9's report: each POST /api/assess reran the nested evaluation (1.2 s at 28 cases,
    no answer at 10,000). With the evaluation stored per case-base revision, many requests,
    anonymous and in every format, run it zero times."""
    import parley.analysis.fit as fit_module
    from parley.analysis.evaluate import evaluate

    assert client.post("/api/assess", json=SCENARIO).status_code == 200  # stored by now
    calls: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return evaluate(*args, **kwargs)

    monkeypatch.setattr(fit_module, "evaluate", counted)
    for fmt in ("", "?format=md", "?format=html", ""):
        r = client.post(f"/api/assess{fmt}", json=SCENARIO)
        assert r.status_code == 200, r.text
    assert calls == []
