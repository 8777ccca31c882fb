"""The debriefing shown with a cadre's evaluation on the votes pages.

``votes`` may not import this app, so ``AppraisalsConfig.ready`` registers ``debriefing``
with ``votes.api.register_evaluation_brief``; the evaluation's page asks it for the cadre
and year it evaluates, and shows the report only to those who judge it.
"""

from django.utils.translation import gettext as _

from votes.api import EvaluationBrief

from .models import Appraisal, AppraisalState


def debriefing(person, year):
    """The debriefing report of ``person`` for ``year``, once it was given (a draft is still
    being written and is never shown); None when there is none (one query)."""
    appraisal = (
        Appraisal.objects.filter(cadre=person, year=year)
        .exclude(state=AppraisalState.DRAFT)
        .exclude(debriefing="")
        .only("pk", "year", "debriefing", "debriefed_on")
        .first()
    )
    if appraisal is None:
        return None
    return EvaluationBrief(
        title=_("%(cadre)s's debriefing report for %(year)s")
        % {"cadre": person.name, "year": year},
        text=appraisal.debriefing,
    )
