"""The count in words: every `Step` of `voting` as a sentence in the active language.

`explain_count` and `explain_priority` turn a count's or a prioritization's explanation into
sentences a neighbour can follow (the rule, the totals, each round, the tie and its draw);
`ballot_error_message` says what is wrong with a ballot. Every step code and error code of
`voting` has its sentence here; the tests check none is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.utils.formats import number_format
from django.utils.text import get_text_list
from django.utils.translation import gettext, ngettext, pgettext

from . import voting

Label = Callable[[int], str]


# --- numbers and names -------------------------------------------------------------------------


def _number(value: Any, places: int = 2) -> str:
    """A localized number: whole numbers without decimals, others with up to `places`."""
    if value is None:
        return "—"
    if not isinstance(value, int):
        value = round(float(value), places)
    if isinstance(value, int) or value.is_integer():
        return number_format(int(value), 0, use_l10n=True, force_grouping=True)
    # Not whole, so the text ends in decimals: 2.50 -> 2.5 (any decimal separator).
    return number_format(value, places, use_l10n=True, force_grouping=True).rstrip("0")


def _percent(share: float | None) -> str:
    if share is None:
        return "—"
    return gettext("%(percent)s %%") % {"percent": _number(share * 100, 1)}


def _option_labeller(labels: Sequence[str] | Mapping[int, str] | None) -> Label:
    def label(option: int) -> str:
        if isinstance(labels, Mapping):
            if option in labels:
                return str(labels[option])
        elif labels is not None and 0 <= option < len(labels):
            return str(labels[option])
        return gettext("option %(number)s") % {"number": option + 1}

    return label


def _need_labeller(labels: Mapping[int, str], *, of_groups: bool = False) -> Label:
    def label(need: int) -> str:
        if need in labels:
            return str(labels[need])
        if of_groups:
            return gettext("group %(number)s") % {"number": need}
        return gettext("need %(number)s") % {"number": need}

    return label


def _and(items: Sequence[str]) -> str:
    return str(get_text_list(list(items), gettext("and")))


def _or(items: Sequence[str]) -> str:
    return str(get_text_list(list(items), gettext("or")))


def _fraction(numerator: int, denominator: int, share: float) -> str:
    if denominator in (1, 100, 1000) or denominator > 12:
        return _percent(share)
    return gettext("%(fraction)s (%(percent)s)") % {
        "fraction": f"{numerator}/{denominator}",
        "percent": _percent(share),
    }


# --- the total of one option -------------------------------------------------------------------


def _amount(total: Any, unit: str) -> str:
    """'12 votes', '3 dots', '45.5 out of 100'... in the active language."""
    n = _number(total)
    count = int(total) if isinstance(total, int) or float(total).is_integer() else 2
    if unit == "votes":
        return ngettext("%(n)s vote", "%(n)s votes", count) % {"n": n}
    if unit == "approvals":
        return ngettext("%(n)s approval", "%(n)s approvals", count) % {"n": n}
    if unit == "points":
        return ngettext("%(n)s point", "%(n)s points", count) % {"n": n}
    if unit == "dots":
        return ngettext("%(n)s dot", "%(n)s dots", count) % {"n": n}
    if unit == "score":
        return gettext("a total score of %(n)s") % {"n": n}
    if unit == "percent":
        return gettext("%(n)s out of 100") % {"n": n}
    if unit == "bpr":
        return gettext("a priority rating of %(n)s") % {"n": n}
    return n


# --- the rules ---------------------------------------------------------------------------------


def _rule(params: Mapping[str, Any], *, of_groups: bool = False) -> str:
    method = params.get("method")
    if method == "majority":
        return gettext(
            "Simple majority: the motion passes when there are more yes votes than no votes. "
            "Abstentions are counted and reported but are on neither side."
        )
    if method == "qualified":
        return gettext(
            "Qualified majority: the motion passes when the yes votes are at least %(share)s "
            "of the yes and no votes together. Abstentions are not part of that base."
        ) % {
            "share": _fraction(
                int(params.get("numerator", 0)),
                int(params.get("denominator", 1)),
                float(params.get("threshold", 0)),
            )
        }
    if method == "consent":
        return gettext(
            "Consent: the proposal passes when nobody objects. Standing aside records a "
            "reservation without blocking it."
        )
    if method == "plurality":
        return gettext(
            "Plurality: each ballot chooses one option; the option with the most votes wins."
        )
    if method == "approval":
        limit = int(params.get("max_choices") or 0)
        if limit:
            return ngettext(
                "Approval: each ballot approves up to %(max)s option; the option with the most "
                "approvals wins.",
                "Approval: each ballot approves up to %(max)s options; the option with the "
                "most approvals wins.",
                limit,
            ) % {"max": limit}
        return gettext(
            "Approval: each ballot approves as many options as it likes; the option with the "
            "most approvals wins."
        )
    if method == "borda":
        top = int(params.get("top", 0))
        return ngettext(
            "Borda count: each ballot gives its first choice %(top)s point, its second choice "
            "one point less, and so on; options a ballot leaves unranked get 0 points. The "
            "most points win.",
            "Borda count: each ballot gives its first choice %(top)s points, its second choice "
            "one point less, and so on; options a ballot leaves unranked get 0 points. The "
            "most points win.",
            top,
        ) % {"top": top}
    if method == "irv":
        return gettext(
            "Instant runoff: each ballot counts for its highest-ranked option still in the "
            "count. An option with more than half of those ballots wins; otherwise the option "
            "with the fewest votes is eliminated and its ballots pass to their next choice."
        )
    if method == "cumulative":
        dots = int(params.get("dots", 0))
        return ngettext(
            "Dot voting: each ballot spreads up to %(dots)s dot among the options; the option "
            "with the most dots wins.",
            "Dot voting: each ballot spreads up to %(dots)s dots among the options; the option "
            "with the most dots wins.",
            dots,
        ) % {"dots": dots}
    if method == "score":
        return gettext(
            "Score: each ballot gives every option a score from 0 to %(max)s (an option left "
            "blank scores 0); the highest total wins."
        ) % {"max": params.get("score_max", 0)}
    if method == "hanlon":
        return gettext(
            "Hanlon method: for each need, the participants' scores for size (A), seriousness "
            "(B) and effectiveness of the available interventions (C), from 0 to 10, are "
            "averaged; the priority rating is (A + 2B) × C / 3, from 0 to 100. A need is set "
            "aside when most participants answer no to one of the feasibility questions "
            "(propriety, economics, acceptability, resources, legality)."
        )
    if method == "criteria":
        weights = [
            gettext("%(criterion)s × %(weight)s") % {"criterion": key, "weight": _number(weight)}
            for key, weight in params.get("criteria", [])
        ]
        return gettext(
            "Weighted criteria: each score is placed on its criterion's scale (the lowest "
            "score is 0, the highest 100) and averaged over the participants; the criteria are "
            "then combined with their weights (%(weights)s) into a score out of 100."
        ) % {"weights": ", ".join(weights)}
    if method == "dots" and of_groups:
        dots = int(params.get("dots", 0))
        return ngettext(
            "Dot voting: each participant places up to %(dots)s dot; the groups with the most "
            "dots come first.",
            "Dot voting: each participant places up to %(dots)s dots; the groups with the most "
            "dots come first.",
            dots,
        ) % {"dots": dots}
    if method == "ranked" and of_groups:
        top = int(params.get("top", 0))
        return ngettext(
            "Ranked ballots (Borda count): a group ranked first gets %(top)s point, the next "
            "one point less, and so on; groups a participant leaves unranked get 0 points.",
            "Ranked ballots (Borda count): a group ranked first gets %(top)s points, the next "
            "one point less, and so on; groups a participant leaves unranked get 0 points.",
            top,
        ) % {"top": top}
    if method == "dots":
        dots = int(params.get("dots", 0))
        return ngettext(
            "Dot voting: each participant places up to %(dots)s dot; the needs with the most "
            "dots come first.",
            "Dot voting: each participant places up to %(dots)s dots; the needs with the most "
            "dots come first.",
            dots,
        ) % {"dots": dots}
    if method == "ranked":
        top = int(params.get("top", 0))
        return ngettext(
            "Ranked ballots (Borda count): a need ranked first gets %(top)s point, the next "
            "one point less, and so on; needs a participant leaves unranked get 0 points.",
            "Ranked ballots (Borda count): a need ranked first gets %(top)s points, the next "
            "one point less, and so on; needs a participant leaves unranked get 0 points.",
            top,
        ) % {"top": top}
    return gettext("Method: %(method)s.") % {"method": method}


# --- the draw ----------------------------------------------------------------------------------


def _lot(
    params: Mapping[str, Any], label: Label, *, of_needs: bool = False, of_groups: bool = False
) -> str:
    drawn = [
        gettext("%(option)s (key %(digest)s…)") % {"option": label(int(item)), "digest": digest}
        for item, digest in params.get("digests", [])
    ]
    if of_groups:
        how = gettext(
            "The tie is broken by lot, as the rules say: each group's key is the SHA-256 of "
            '"%(seed)s:" followed by its number, and the smallest key goes first.'
        )
    elif of_needs:
        how = gettext(
            "The tie is broken by lot, as the rules say: each need's key is the SHA-256 of "
            '"%(seed)s:" followed by its number, and the smallest key goes first.'
        )
    else:
        how = gettext(
            "The tie is broken by lot, as the rules say: each option's key is the SHA-256 of "
            '"%(seed)s:" followed by its number counting from 0, and the smallest key goes '
            "first."
        )
    purpose = params.get("purpose")
    if purpose == "eliminate":
        outcome = gettext("Order drawn: %(order)s. The last one is eliminated.")
    elif purpose == "win":
        outcome = gettext("Order drawn: %(order)s. The first one wins.")
    else:
        outcome = gettext("Order drawn: %(order)s.")
    return " ".join((how % {"seed": params.get("seed", "")}, outcome % {"order": "; ".join(drawn)}))


# --- counts ------------------------------------------------------------------------------------


def _count_sentence(step: voting.Step, label: Label) -> str:
    p = step.params
    code = step.code
    if code == "rule":
        return _rule(p)
    if code == "ballots":
        n = int(p["ballots"])
        return ngettext(
            "%(n)s valid ballot was counted.", "%(n)s valid ballots were counted.", n
        ) % {"n": _number(n)}
    if code == "no_ballots":
        return gettext("No valid ballots were cast, so nothing was decided.")
    if code == "motion_totals":
        return gettext("Yes: %(yes)s. No: %(no)s. Abstentions: %(abstain)s.") % {
            "yes": _number(p["yes"]),
            "no": _number(p["no"]),
            "abstain": _number(p["abstain"]),
        }
    if code == "majority_compare":
        values = {"yes": _number(p["yes"]), "no": _number(p["no"])}
        if p.get("passed"):
            return gettext("Yes votes (%(yes)s) outnumber no votes (%(no)s).") % values
        return gettext("Yes votes (%(yes)s) do not outnumber no votes (%(no)s).") % values
    if code == "qualified_compare":
        if not p.get("base"):
            return gettext("Nobody voted yes or no, so the required share cannot be reached.")
        values = {
            "base": _number(p["base"]),
            "yes": _number(p["yes"]),
            "percent": _percent(p.get("share")),
            "needed": _number(p["needed"]),
            "required": _fraction(
                int(p.get("numerator", 0)),
                int(p.get("denominator", 1)),
                float(p.get("threshold", 0)),
            ),
        }
        if p.get("passed"):
            return (
                gettext(
                    "Yes and no add up to %(base)s votes. The %(yes)s yes votes are %(percent)s of "
                    "them, which reaches the required %(required)s (at least %(needed)s yes votes)."
                )
                % values
            )
        return (
            gettext(
                "Yes and no add up to %(base)s votes. The %(yes)s yes votes are %(percent)s of "
                "them, short of the required %(required)s (at least %(needed)s yes votes)."
            )
            % values
        )
    if code == "consent_totals":
        return gettext("Consent: %(consent)s. Stand aside: %(aside)s. Objections: %(object)s.") % {
            "consent": _number(p["consent"]),
            "aside": _number(p["stand_aside"]),
            "object": _number(p["object"]),
        }
    if code == "motion_passed":
        return gettext("The motion is approved.")
    if code == "motion_rejected":
        return gettext("The motion is not approved.")
    if code == "option_total":
        return gettext("%(option)s: %(amount)s.") % {
            "option": label(int(p["option"])),
            "amount": _amount(p["total"], str(p.get("unit", ""))),
        }
    if code == "winner":
        return gettext("%(option)s wins with %(amount)s.") % {
            "option": label(int(p["option"])),
            "amount": _amount(p["total"], str(p.get("unit", ""))),
        }
    if code == "tie":
        return gettext("%(options)s are tied for first place with %(amount)s each.") % {
            "options": _and([label(int(o)) for o in p["options"]]),
            "amount": _amount(p["total"], str(p.get("unit", ""))),
        }
    if code == "lot":
        return _lot(p, label)
    if code == "lot_winner":
        return gettext("The lot gives the win to %(option)s.") % {"option": label(int(p["option"]))}
    if code == "irv_round":
        tallies = "; ".join(
            gettext("%(option)s %(votes)s") % {"option": label(int(o)), "votes": _number(v)}
            for o, v in p["tallies"]
        )
        exhausted = int(p.get("exhausted", 0))
        values = {
            "round": p["round"],
            "tallies": tallies,
            "continuing": _number(p["continuing"]),
            "exhausted": _number(exhausted),
        }
        if exhausted:
            return (
                ngettext(
                    "Round %(round)s: %(tallies)s (%(continuing)s ballots still in the count, "
                    "%(exhausted)s ballot with no choice left).",
                    "Round %(round)s: %(tallies)s (%(continuing)s ballots still in the count, "
                    "%(exhausted)s ballots with no choice left).",
                    exhausted,
                )
                % values
            )
        return gettext("Round %(round)s: %(tallies)s.") % values
    if code == "irv_majority":
        return gettext(
            "%(option)s has %(votes)s of the %(continuing)s ballots still in the count, more "
            "than half, and wins."
        ) % {
            "option": label(int(p["option"])),
            "votes": _number(p["votes"]),
            "continuing": _number(p["continuing"]),
        }
    if code == "irv_last":
        return gettext("%(option)s is the only option left and wins.") % {
            "option": label(int(p["option"]))
        }
    if code == "irv_elimination_tie":
        return gettext("%(options)s are tied for the fewest votes (%(votes)s each).") % {
            "options": _and([label(int(o)) for o in p["options"]]),
            "votes": _number(p["votes"]),
        }
    if code == "irv_eliminated":
        names = [label(int(o)) for o in p["options"]]
        if not p.get("votes"):
            return ngettext(
                "%(options)s has no votes and is eliminated.",
                "%(options)s have no votes and are eliminated.",
                len(names),
            ) % {"options": _and(names)}
        if p.get("by_lot"):
            return gettext(
                "By lot, %(options)s is eliminated; its ballots pass to their next choice."
            ) % {"options": _and(names)}
        return gettext(
            "%(options)s has the fewest votes (%(votes)s) and is eliminated; its ballots pass "
            "to their next choice."
        ) % {"options": _and(names), "votes": _number(p["votes"])}
    if code == "irv_tied_winners":
        return gettext(
            "Depending on how the ties for the fewest votes are broken, %(options)s could win; "
            "the lot gives the win to %(option)s."
        ) % {
            "options": _or([label(int(o)) for o in p["options"]]),
            "option": label(int(p["option"])),
        }
    if code == "irv_tie_search_incomplete":
        return gettext(
            "There are too many ways to break the ties for the fewest votes to check them "
            "all; the result is the one the lot gives."
        )
    return _priority_sentence(step, label)


def explain_count(count: voting.Count, labels: Sequence[str]) -> list[str]:
    """The explanation of a count, one translated sentence per step.

    `labels` are the options' labels in option order (for motions, the labels of yes, no and
    abstain, or of consent, stand aside and object).
    """
    label = _option_labeller(labels)
    return [_count_sentence(step, label) for step in count.explanation]


# --- prioritization ------------------------------------------------------------------------------

PEARL_NAMES = {
    "propriety": lambda: pgettext("PEARL factor", "propriety"),
    "economics": lambda: pgettext("PEARL factor", "economics"),
    "acceptability": lambda: pgettext("PEARL factor", "acceptability"),
    "resources": lambda: pgettext("PEARL factor", "resources"),
    "legality": lambda: pgettext("PEARL factor", "legality"),
}


def _priority_sentence(step: voting.Step, label: Label, *, of_groups: bool = False) -> str:
    p = step.params
    code = step.code
    if code == "rule":
        return _rule(p, of_groups=of_groups)
    if code == "participants":
        n = int(p["participants"])
        return ngettext(
            "%(n)s participant gave an input.", "%(n)s participants gave an input.", n
        ) % {"n": _number(n)}
    if code == "no_inputs":
        if of_groups:
            return gettext("Nobody has given an input, so every group scores 0.")
        return gettext("Nobody has given an input, so every need scores 0.")
    if code == "hanlon_need":
        return gettext(
            "%(need)s: size %(a)s, seriousness %(b)s, effectiveness %(c)s; priority rating "
            "(%(a)s + 2 × %(b)s) × %(c)s / 3 = %(bpr)s."
        ) % {
            "need": label(int(p["need"])),
            "a": _number(p["size"]),
            "b": _number(p["seriousness"]),
            "c": _number(p["effectiveness"]),
            "bpr": _number(p["bpr"]),
        }
    if code == "hanlon_excluded":
        factors = [PEARL_NAMES[f]() if f in PEARL_NAMES else str(f) for f in p["factors"]]
        return gettext(
            "%(need)s is set aside: most participants answered no to %(factors)s (its rating "
            "before that question was %(bpr)s)."
        ) % {
            "need": label(int(p["need"])),
            "factors": _and(factors),
            "bpr": _number(p.get("bpr")),
        }
    if code == "need_total":
        return gettext("%(need)s: %(amount)s.") % {
            "need": label(int(p["need"])),
            "amount": _amount(p["total"], str(p.get("unit", ""))),
        }
    if code == "need_tie":
        return gettext("%(needs)s are tied with %(amount)s each.") % {
            "needs": _and([label(int(n)) for n in p["options"]]),
            "amount": _amount(p["total"], str(p.get("unit", ""))),
        }
    if code == "lot":
        return _lot(p, label, of_needs=True, of_groups=of_groups)
    # A step this version does not know (a result stored by a later one): show its code.
    return code


def explain_priority(
    priority: voting.Priority, labels: Mapping[int, str], *, of_groups: bool = False
) -> list[str]:
    """The explanation of a prioritization, one translated sentence per step.

    `labels` maps need ids to the needs' titles. The same methods rank the groups of a shared
    agenda's items (`of_groups`): the sentences then speak of groups, not needs.
    """
    label = _need_labeller(labels, of_groups=of_groups)
    return [_priority_sentence(step, label, of_groups=of_groups) for step in priority.explanation]


# --- ballot errors -----------------------------------------------------------------------------

_SHAPES = {
    "option": lambda: gettext("Choose one option."),
    "options": lambda: gettext("Choose options from the list."),
    "ranking": lambda: gettext("Rank the options in order, best first."),
    "points": lambda: gettext("Give the points as whole numbers."),
    "scores": lambda: gettext("Give each option a score."),
}


def ballot_error_message(
    error: voting.BallotError, labels: Sequence[str] | Mapping[int, str] | None = None
) -> str:
    """What is wrong with a ballot (or a prioritization input), in the active language.

    `labels`, when given, name the options (a list in option order) or the needs (a dict by
    id); without them options are called by their position, counting from 1.
    """
    p = error.params
    code = error.code

    def option() -> str:
        return _option_labeller(labels)(int(p["option"]))

    def need() -> str:
        value = p.get("need")
        number = voting._as_int(value)
        if isinstance(labels, Mapping) and number is not None and number in labels:
            return str(labels[number])
        return gettext("need %(number)s") % {"number": value}

    if code == "empty":
        return gettext("The ballot is empty: choose at least one option.")
    if code == "bad_shape":
        shape = _SHAPES.get(str(p.get("expected")))
        return shape() if shape else gettext("This ballot does not have the right form.")
    if code == "unknown_option":
        return gettext("%(option)s is not an option of this poll.") % {"option": option()}
    if code == "duplicate_option":
        return gettext("%(option)s appears more than once.") % {"option": option()}
    if code == "too_many_choices":
        limit = int(p["max_choices"])
        return ngettext(
            "Choose at most %(max)s option (you chose %(chosen)s).",
            "Choose at most %(max)s options (you chose %(chosen)s).",
            limit,
        ) % {"max": limit, "chosen": p["chosen"]}
    if code == "bad_number":
        if "criterion" in p:
            return gettext("Scores must be whole numbers.")
        return gettext("The value for %(option)s must be a whole number.") % {"option": option()}
    if code == "negative_points":
        if isinstance(labels, Mapping):
            return gettext("Dots cannot be negative.")
        return gettext("%(option)s cannot get fewer than 0 points.") % {"option": option()}
    if code == "too_many_points":
        dots = int(p["dots"])
        return ngettext(
            "You have %(dots)s dot to place and placed %(given)s.",
            "You have %(dots)s dots to place and placed %(given)s.",
            dots,
        ) % {"dots": dots, "given": p["given"]}
    if code == "score_out_of_range":
        return gettext("The score for %(option)s must be between 0 and %(max)s.") % {
            "option": option(),
            "max": p["score_max"],
        }
    if code == "unknown_need":
        return gettext("That need is not part of this prioritization.")
    if code == "duplicate_need":
        return gettext("%(need)s appears more than once.") % {"need": need()}
    if code == "unknown_criterion":
        return gettext("That criterion is not part of this prioritization.")
    if code == "missing_score":
        return gettext("Score %(need)s on every criterion.") % {"need": need()}
    if code == "criterion_out_of_range":
        return gettext("Scores for %(need)s on this criterion go from %(min)s to %(max)s.") % {
            "need": need(),
            "min": p["min"],
            "max": p["max"],
        }
    if code == "criteria_weights":
        return gettext("The criteria's weights must add up to more than zero.")
    return gettext("This ballot is not valid.")
