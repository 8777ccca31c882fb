"""Nothing about a ballot changes once cast, and nothing about a secret one ties a choice to
the person who made it: not the ballot row, not the published result, not the exports, not
the history."""

import pytest
from bs4 import BeautifulSoup

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEntry
from audit.registry import audited_models, history_model
from tests.support import logged_in, ui
from votes.models import Ballot, BallotChannel, BallotReceipt, Motion, MotionOption, MotionState
from votes.services import CLOSED, VoteRefused

from .conftest import ENGLISH, options, step, vote

# --- After close ------------------------------------------------------------------------


class TestAfterClose:
    @pytest.fixture
    def closed(self, make_rep, make_motion, clerk):
        voter, latecomer = make_rep(name="甲代表"), make_rep(name="乙代表")
        motion = make_motion(MotionState.OPEN)
        vote(motion, voter, 0)
        step(motion, "close", by=clerk)
        return motion, voter, latecomer

    def test_no_ballot_is_taken(self, closed):
        motion, voter, latecomer = closed
        for person in (latecomer, voter):
            with pytest.raises(VoteRefused, match=f"^{ui('en', str(CLOSED))}$"):
                vote(motion, person, 1)
        assert Ballot.objects.count() == BallotReceipt.objects.count() == 1

    def test_nor_after_publication(self, closed, clerk):
        motion, voter, latecomer = closed
        step(motion, "publish_results", by=clerk)
        with pytest.raises(VoteRefused, match=f"^{ui('en', str(CLOSED))}$"):
            vote(motion, latecomer, 1)
        assert Ballot.objects.count() == 1

    def test_a_ballot_cannot_be_saved_again(self, closed):
        motion, voter, latecomer = closed
        ballot = Ballot.objects.get()
        ballot.option = options(motion)[1]
        with pytest.raises(ValidationError):
            ballot.save()
        with pytest.raises(ValidationError):
            ballot.save(update_fields=["option"])
        assert Ballot.objects.get().option == options(motion)[0]

    def test_a_ballot_cannot_be_deleted(self, closed):
        ballot = Ballot.objects.get()
        with pytest.raises(ValidationError):
            ballot.delete()
        assert Ballot.objects.filter(pk=ballot.pk).exists()

    def test_not_even_while_the_vote_is_open(self, make_rep, make_motion):
        person = make_rep()
        motion = make_motion(MotionState.OPEN)
        vote(motion, person, 0)
        ballot = Ballot.objects.get()
        ballot.option = options(motion)[2]
        with pytest.raises(ValidationError):
            ballot.save()
        with pytest.raises(ValidationError):
            ballot.delete()
        assert Ballot.objects.get().option == options(motion)[0]

    def test_the_vote_cannot_be_edited_in_the_admin(self, closed, clerk):
        motion = closed[0]
        edit = reverse(motion.snippet_viewset.get_url_name("edit"), args=[motion.pk])
        option_ids = [option.pk for option in options(motion)]
        data = {
            "kind": motion.kind,
            "title": "改过的标题",
            "description": "",
            "rule": "simple",
            "quorum_percent": "1",
            "options-TOTAL_FORMS": "3",
            "options-INITIAL_FORMS": "3",
            "options-MIN_NUM_FORMS": "0",
            "options-MAX_NUM_FORMS": "1000",
            "change_reason": "",
        }
        for number, pk in enumerate(option_ids):
            data |= {
                f"options-{number}-id": pk,
                f"options-{number}-label": f"选项{number}",
                f"options-{number}-ORDER": number + 1,
                f"options-{number}-DELETE": "",
            }
        client = logged_in(clerk)
        inspect = reverse(motion.snippet_viewset.get_url_name("inspect"), args=[motion.pk])
        refusal = ui(
            "en", "This vote is %(state)s: it can no longer be changed.", state=ui("en", "closed")
        )
        # No form to fill in: the edit page sends the clerk to the read-only view, saying why.
        response = client.get(edit, **ENGLISH)
        assert (response.status_code, response["Location"]) == (302, inspect)
        response = client.post(edit, data, follow=True, **ENGLISH)
        assert response.redirect_chain == [(inspect, 302)]
        assert refusal in [str(message) for message in response.context["messages"]]
        assert not BeautifulSoup(response.content.decode(), "html.parser").select(
            "form input[name=title]"
        )
        motion.refresh_from_db()
        assert (motion.title, motion.quorum_percent) != ("改过的标题", 1)
        assert [option.label for option in options(motion)] == ["赞成", "反对", "弃权"]


# --- Secret ballots ---------------------------------------------------------------------

VOTERS = ("欧阳秘密", "司马无记名", "诸葛保密", "上官匿名")


class TestSecretBallot:
    @pytest.fixture
    def secret(self, make_rep, make_motion, clerk):
        """A secret motion: two vote online, one in the hall, one does not; published."""
        people = [make_rep(name=name) for name in VOTERS]
        motion = make_motion(MotionState.OPEN, secret=True, title="关于物业费调整的无记名表决")
        entries_before = AuditEntry.objects.count()
        for_, against = options(motion)[:2]
        for person, option in ((people[0], for_), (people[1], against)):
            response = logged_in(person.user).post(
                f"/votes/{motion.pk}/", {"option": option.pk, "confirm": "1"}
            )
            assert response.status_code == 302
        # In the hall: people[2] takes a paper ballot; the clerk enters the counted totals.
        hall = logged_in(clerk)
        roll_call = reverse("votes_roll_call", args=[motion.pk])
        response = hall.post(roll_call, {"step": "attendance", "present": [people[2].pk]})
        assert response.status_code == 302
        assert BallotReceipt.objects.count() == 3
        self.entries_cast = AuditEntry.objects.count() - entries_before
        # The count is the clerk's own recorded act (how many paper ballots, by whom): its
        # history holds totals only, so it is left out of the casting's entries above.
        totals = {f"option-{option.pk}": 0 for option in options(motion)}
        response = hall.post(roll_call, {"step": "count", **totals, f"option-{for_.pk}": 1})
        assert response.status_code == 302
        step(motion, "close", "publish_results", by=clerk)
        return motion, people

    def test_the_ballots_hold_no_voter_and_no_time(self, secret):
        motion, people = secret
        assert list(Ballot.objects.values_list("voter", "cast_at")) == [(None, None)] * 3
        assert sorted(Ballot.objects.values_list("option__label", flat=True)) == [
            "反对",
            "赞成",
            "赞成",
        ]

    def test_the_receipts_say_who_voted_never_what(self, secret):
        motion, people = secret
        assert sorted(BallotReceipt.objects.values_list("person", "channel")) == sorted(
            [
                (people[0].pk, BallotChannel.ONLINE),
                (people[1].pk, BallotChannel.ONLINE),
                (people[2].pk, "hall"),
            ]
        )
        # No column of a receipt points at a ballot or an option, nor a ballot at a receipt.
        for field in BallotReceipt._meta.get_fields():
            assert getattr(field, "related_model", None) not in (Ballot, MotionOption)
        for field in Ballot._meta.get_fields():
            assert getattr(field, "related_model", None) is not BallotReceipt

    def test_the_published_result_names_no_one(self, secret, client):
        motion, people = secret
        for path in (f"/votes/{motion.pk}/", "/votes/"):
            html = client.get(path, **ENGLISH).content.decode()
            for name in VOTERS:
                assert name not in html
        page = BeautifulSoup(client.get(f"/votes/{motion.pk}/").content.decode(), "html.parser")
        counts = [
            [cell.get_text(strip=True) for cell in row.select("th, td")][:2]
            for row in page.select(".results-table tbody tr")
        ]
        assert counts == [["赞成", "2"], ["反对", "1"], ["弃权", "0"]]

    def test_a_voter_sees_that_they_voted_not_what(self, secret, make_rep, make_motion, clerk):
        # Still open: the voter's own page acknowledges the ballot without the choice.
        people = [make_rep() for _ in range(2)]
        motion = make_motion(MotionState.OPEN, secret=True)
        client = logged_in(people[0].user)
        client.post(f"/votes/{motion.pk}/", {"option": options(motion)[1].pk, "confirm": "1"})
        page = BeautifulSoup(client.get(f"/votes/{motion.pk}/").content.decode(), "html.parser")
        section = page.select_one("section[aria-labelledby=ballot-heading]").get_text()
        assert ui("zh-hans", "You have voted on this. Thank you; a ballot cannot be changed.") in (
            section
        )
        assert "反对" not in section

    def test_the_exports_name_no_one(self, secret, clerk):
        motion, people = secret
        client = logged_in(clerk)
        url = reverse("votes_results", args=[motion.pk])
        for query in ("", "?export=csv"):
            response = client.get(url + query)
            assert response.status_code == 200
            for name in VOTERS:
                assert name not in response.content.decode()
        response = client.get(url + "?export=ballots")
        assert response.status_code == 302  # refused: Wagtail sends the clerk back
        assert "text/csv" not in response.get("Content-Type", "")

    def test_casting_writes_no_history_at_all(self, secret):
        assert self.entries_cast == 0
        # Ballots and receipts are not audited models: they have no history to leak.
        assert Ballot not in audited_models()
        assert BallotReceipt not in audited_models()

    def test_the_history_ties_no_one_to_an_option(self, secret):
        motion, people = secret
        names = set(VOTERS)
        person_ids = {str(person.pk) for person in people}
        # The motion's own history: its fields, in every row.
        for row in history_model(Motion).objects.filter(id=motion.pk):
            values = {
                field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields
            }
            for value in values.values():
                assert str(value) not in names
        # The audit chain: no entry about a ballot, a receipt or an option, and none naming
        # a voter in what it says.
        kinds = [ContentType.objects.get_for_model(model) for model in (Ballot, BallotReceipt)]
        assert not AuditEntry.objects.filter(content_type__in=kinds).exists()
        motion_type = ContentType.objects.get_for_model(Motion)
        for entry in AuditEntry.objects.filter(content_type=motion_type, object_id=str(motion.pk)):
            text = f"{entry.object_repr} {entry.reason} {entry.detail}"
            assert not any(name in text for name in names)
        # The voters' own history rows were written when they were registered, not when
        # they voted.
        person_type = ContentType.objects.get_for_model(people[0])
        assert AuditEntry.objects.filter(
            content_type=person_type, object_id__in=person_ids
        ).count() == len(people)


def test_a_named_ballot_keeps_its_voter_and_time(make_rep, make_motion):
    person = make_rep()
    motion = make_motion(MotionState.OPEN)
    vote(motion, person, 1)
    ballot = Ballot.objects.get()
    assert (ballot.voter, ballot.option.label) == (person, "反对")
    assert ballot.cast_at is not None
