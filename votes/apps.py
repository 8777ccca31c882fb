from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotesConfig(AppConfig):
    name = "votes"
    verbose_name = _("Votes")

    def ready(self):
        from audit.database import register_append_only

        from .models import Ballot, BallotReceipt

        # Ballots are never changed or removed, by anyone, once cast.
        register_append_only(Ballot, BallotReceipt)
