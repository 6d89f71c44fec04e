"""Words that reach the interface as data values (enum values, phases, item kinds, choices,
form sections), marked here so that `scripts/messages` extracts them into the catalogs.

Templates translate them with `_(value)`. tests/locale/test_locale_catalog.py checks that every such
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
    # the kinds of the paper's framework (issue 11): kinds, field labels, choices
    N_('actor'), N_('Interests'), N_('Influence (1-5)'), N_('Spoiler type'),
    N_('internal-factions'), N_('rival-criminal-groups'), N_('political'),
    N_('rival-law-enforcement'), N_('victims-civil-society'), N_('unspecified'),
    N_('How it is being handled'), N_('From actor'), N_('To actor'), N_('Strength (1-5)'),
    N_('Since'), N_('demand'), N_('Whose demand'), N_('Demand (codebook)'), N_('legalisation'),
    N_('safe-passage'), N_('temporary-ceasefire'), N_('jobs'), N_('legal-leniency'),
    N_('right-of-association'), N_('public-services'), N_('identity-recognition'),
    N_('end-humiliating-arrests'), N_('education-training'), N_('end-extradition'),
    N_('weaken-anti-crime-laws'), N_('prison-conditions'), N_('reintegration-path'),
    N_('Demand in their words'), N_('Our position'), N_('acceptable'), N_('conditional'),
    N_('redline'), N_('Why this position'), N_('agenda-item'), N_('Order'), N_('discussed'),
    N_('settled'), N_('dropped'), N_('Session'), N_('Red line'),
    N_('Whose red line (blank: ours)'), N_('Demand it answers'), N_('Why it is a red line'),
    N_('process-design'), N_('Objective'), N_('accord-seeking'), N_('open-ended-dialogue'),
    N_('How the sides meet'), N_('face-to-face'), N_('mixed'), N_('Secrecy or publicity'),
    N_('secret-then-public'), N_('exposed'), N_('Disclosure plan'), N_('Mediators'),
    N_('Design elements in place'), N_('clear-objective'), N_('agenda-and-rules'),
    N_('delegations-and-venue'), N_('technical-support'), N_('confidence-building'),
    N_('facilitator-roles'), N_('confidentiality-and-communication'),
    N_('Confidence-building measures'), N_('Communication plan'),
    N_('Security plan for participants'), N_('Earlier versions'), N_('victims-justice'),
    N_("Victims' participation"), N_('How victims take part'), N_('Justice mechanisms'),
    N_('apology'), N_('restorative-justice'), N_('reparations'), N_('restitution'),
    N_('truth-telling'), N_('conditional-leniency'), N_('reintegration-programme'),
    N_('leniency-condition'), N_('Beneficiary group'), N_('Actor it concerns'), N_('Benefit'),
    N_('Revocation decisions'), N_('Responsible actor'), N_('Deadline'),
    N_('Verification source'), N_('Status history'), N_('Commitment broken'),
    N_('Retention condition broken'), N_('By whom'), N_('Evidence'), N_('dispute-step'),
    N_('Step'), N_('Who acts'), N_('Time limit'), N_('What happens'), N_('contingency'),
    N_('Trigger'), N_('leak'), N_('splinter-violence'), N_('leader-arrest'),
    N_('government-change'), N_('spoiler-attack'), N_('Trigger in words'),
    N_('Planned response'), N_('Owner'), N_('draft'), N_('ready'), N_('triggered'), N_('closed'),
    N_('violence'), N_('threat'), N_('arrest'), N_('Commitment it concerns'),
    # the living assessment (issue 11, item 2)
    N_('situation'), N_('Situation set by hand'), N_('How the assessment moved'),
    N_('risk-response'), N_('Finding (guideline id)'), N_('addressed'), N_('accepted'),
    N_('Addressed by (item)'), N_('Why'), N_('Agreement date'),
    # where a search hit matched (storage.cases.MATCH_COLUMNS)
    N_('title'), N_('summary'), N_('quotes'), N_('translation'),
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

# Words some error messages name as values (parley.locale.say translates them)
N_("end of query")
