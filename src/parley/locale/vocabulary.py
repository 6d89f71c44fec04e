"""Words that reach the interface as data values (enum values, phases, item kinds, choices,
form sections), marked here so that `scripts/messages` extracts them into the catalogs.

Templates translate them with `_(value)`. tests/locale/test_catalog.py checks that every such
value the domain declares is listed here, so a new one cannot slip through untranslated.
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, do not translate"
    return message


VOCABULARY: tuple[str, ...] = (
    # visibility, classification, roles, token scope and state
    N_("public"), N_("private"), N_("workspace"), N_("restricted"), N_("secret"),
    N_("owner"), N_("negotiator"), N_("analyst"), N_("observer"), N_("read"), N_("write"),
    N_("active"), N_("expired"), N_("revoked"),
    # monitoring: the period of an indicator series
    N_("day"), N_("week"), N_("month"),
    # workspace item kinds, field labels and choices
    N_("party"), N_("relationship"), N_("note"), N_("document"), N_("session"),
    N_("commitment"), N_("incident"),
    N_("Commitment breached"), N_("Date"), N_("Description"), N_("What happened"),
    N_("Due date"), N_("Eligibility conditions"), N_("Format"), N_("Influence (0-5)"),
    N_("Interests and demands"), N_("Name"), N_("Notes"), N_("Participants"), N_("Party"),
    N_("Place"), N_("How it was resolved"), N_("Retention conditions"),
    N_("Role in the process"), N_("From party"), N_("Stance"), N_("Status"), N_("Summary"),
    N_("To party"), N_("Commitment"), N_("Text"), N_("Title"), N_("Relationship"), N_("Type"),
    N_("How it is verified"),
    N_("person"), N_("criminal-group"), N_("faction"), N_("government"),
    N_("security-forces"), N_("mediator"), N_("church"), N_("community"), N_("victims"),
    N_("ngo"), N_("international"), N_("business"), N_("other"),
    N_("supportive"), N_("open"), N_("neutral"), N_("sceptical"), N_("opposed"),
    N_("spoiler"), N_("unknown"),
    N_("alliance"), N_("rivalry"), N_("patronage"), N_("control"),
    N_("communication-channel"),
    N_("direct"), N_("indirect"), N_("shuttle"), N_("remote"),
    N_("proposed"), N_("agreed"), N_("in-progress"), N_("fulfilled"), N_("breached"),
    N_("withdrawn"), N_("breach"), N_("resolved"), N_("unresolved"),
    # guideline findings: kinds, severities, phases (and annex titles), checklist states
    N_("readiness"), N_("risk"), N_("recommendation"), N_("high"), N_("medium"), N_("low"),
    N_("preparation"), N_("design"), N_("conduct"), N_("agreement"), N_("implementation"),
    N_("Preparation"), N_("Design"), N_("Conduct"), N_("Agreement"), N_("Implementation"),
    N_("done"), N_("missing"),
    # assessment form sections (knowledge/form.yaml)
    N_("The group"), N_("The context"), N_("Initiation"), N_("Motivations and demands"),
    N_("Process design"), N_("Victims and justice"),
    # QCA page
    N_("none"), N_("present"), N_("absent"), N_("conservative solution"),
    N_("parsimonious solution"), N_("intermediate solution"),
)
