from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalsConfig(AppConfig):
    name = "appraisals"
    verbose_name = _("Year-end appraisal")

    def ready(self):
        from votes.api import register_evaluation_brief

        from .briefs import debriefing

        # The debriefing report shown to the voters on the evaluation's page (votes does not
        # import this app: it asks the providers registered with it).
        register_evaluation_brief(debriefing)
