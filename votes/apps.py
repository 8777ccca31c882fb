from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotesConfig(AppConfig):
    name = "votes"
    verbose_name = _("Votes")

    def ready(self):
        from django.urls import reverse

        from core.cache import purge_when_saved
        from people.models import Person

        from .models import Ballot, HallCount, Motion, MotionOption

        # The votes and their results (open votes on the front page, results in search).
        def vote_pages(_):
            return [reverse("votes:index"), "/", "/search/", "/sitemap.xml"]

        for model in (Motion, MotionOption, HallCount, Ballot, Person):
            purge_when_saved(model, vote_pages)

        from audit.database import register_append_only

        from .models import Ballot, BallotReceipt

        # Ballots are never changed or removed, by anyone, once cast; only a secret motion's
        # close rewrites its ballot box (``votes.services.close_ballot_box``).
        register_append_only(BallotReceipt)
        # A hall's count (HallCount) is entered once by the roll-call view, which has no way
        # to change it; it keeps history, so a change behind the site is found by
        # verify_audit, and the ballots it became are append-only and sealed at close.
        register_append_only(Ballot, rewritable=True)

        from core.search import register_source

        from . import search

        # Open motions and published results in the site's search.
        register_source(search.find)

        from .sealing import connect

        # The roll, the receipts and the closed ballot box in the audit chain.
        connect()
