"""The outlook's explanations as templates: its basis, its caveat, and what moved it.

English lives here, beside the computation that fills it; other languages are data
(`knowledge/i18n/<lang>/outlook.yaml`, `texts:`), checked to name the same values. The brief
shows these sentences in the reader's language (`domain/phrase.py` renders them).
"""

from __future__ import annotations

from parley.domain.phrase import Phrase, Words, render_all

OUTLOOK_TEXTS: dict[str, str] = {
    # the basis: how the outlook was drawn
    "prior": ("the outcomes of {n_known} past case(s) shrunk {shrinkage:pct} towards an even "
              "spread (the paper chose notable cases, so its mix of outcomes is not the "
              "world's)"),
    "fitted": "Every setting was fitted by cross-validation on past cases.",
    "conditions_known": (" The paper's conditions for durable results known here "
                         "({conditions:conditions}) count for {beta:pct} of it."),
    "basis_too_little": (
        "Only {known} pre-negotiation variable(s) are known, fewer than the {needed} needed to "
        "compare a situation with past cases, so this is the base rate: {prior}. Describe the "
        "situation further for an outlook drawn from comparable cases."),
    "basis_no_comparable": (
        "No comparable past case: none with a known outcome was compared on at least "
        "{min_compared} variables and found at least {threshold:pct} alike, so no case votes "
        "and the outlook is {prior}.{conditions} {fitted}"),
    "basis_drawn": (
        "Drawn from the {n} most similar comparable past case(s) ({cases:list}): each votes for "
        "its outcome class with its similarity (total {total:.2f}){spread}, against {weight:g} "
        "votes spread like {prior}.{conditions} {fitted}"),
    "basis_spread": ", sharing some of it with the neighbouring classes on the ordered scale",
    "basis_cap": (" No class may exceed {cap:pct}: the evaluation does not show that more "
                  "confident outlooks came true as often as they claimed."),
    # what moved it
    "condition_label": "{name:conditions}",
    "move_base_label": "outcomes of {n_known} past case(s)",
    "move_base_detail": "shrunk {shrinkage:pct} towards an even spread",
    "move_case_detail": "similarity {similarity:.2f}, outcome {outcome:class}",
    "move_condition_present": "present",
    "move_condition_absent": "absent",
    "move_cap_label": "no class above {cap:pct}",
    "move_cap_detail": "the evaluation does not support more confidence",
    # the caveat: how far to trust it
    "caveat_unmeasured": ("No case with a known outcome is available, so this outlook is "
                          "uniform and its accuracy cannot be measured."),
    "caveat": (
        "Measured by leave-one-out over {n} past cases, the most likely class was right for "
        "{right} of {n} (accuracy {accuracy:pct}, 95% interval {low:pct}-{high:pct}; always "
        "guessing the most common class: {frequent:pct}). Brier score {brier:.2f} and ranked "
        "probability score {rps:.3f} (the paper's frequencies: {f_brier:.2f} and {f_rps:.3f}; "
        "uniform: {u_brier:.2f} and {u_rps:.3f}; lower is better); holding out whole countries "
        "({countries}), {loco_brier:.2f} and {loco_rps:.3f} (the paper's frequencies: "
        "{f_loco_brier:.2f} and {f_loco_rps:.3f}). On this evidence it is {verdict}. It "
        "describes what happened in comparable cases; it is not a prediction."),
    "caveat_better": ("better than the uniform guess on both scores, which is still weak "
                      "evidence with so few cases"),
    "caveat_not_better": ("not better than the uniform guess on every score, so read it as "
                          "the spread of outcomes in past cases"),
    "stale_background": (" These figures were measured on the case base at revision "
                         "{measured}; it has changed since (now at revision {revision}) and it "
                         "is being recomputed in the background."),
    "stale_cli": (" These figures were measured on the case base at revision {measured}; it "
                  "has changed since (now at revision {revision}) and run `parley evaluate` to "
                  "recompute it."),
}
"""English templates by key (`domain/phrase.py` says how fields are written)."""

ENGLISH_OUTLOOK = Words(OUTLOOK_TEXTS)


def english(*phrases: Phrase, conditions: dict[str, str] | None = None) -> str:
    """Phrases in English, as the outlook has always written them."""
    words = ENGLISH_OUTLOOK if not conditions else Words(OUTLOOK_TEXTS, conditions=conditions)
    return render_all(phrases, words)
