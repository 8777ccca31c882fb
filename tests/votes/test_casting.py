"""Casting a ballot: one per person (a database constraint, not only a check), the eligible
roll fixed at opening, and a clear message for every refusal, with nothing saved."""

import pytest
from bs4 import BeautifulSoup

from django.contrib.messages.storage.cookie import CookieStorage
from django.db import IntegrityError, models, transaction

from tests.support import logged_in, ui
from votes.models import (
    Ballot,
    BallotChannel,
    BallotReceipt,
    Motion,
    MotionKind,
    MotionState,
    RollEntry,
)
from votes.services import (
    ALREADY_VOTED,
    BAD_OPTION,
    CLOSED,
    NOT_ELIGIBLE,
    NOT_OPEN,
    VoteRefused,
    cast,
)
from votes.tally import tally

from .conftest import ENGLISH, options, step, vote


def refused(message):
    """``cast`` refuses, giving exactly this reason."""
    return pytest.raises(VoteRefused, match=f"^{ui('en', str(message))}$")


def page_of(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def ballot_form(response):
    return page_of(response).select_one("form input[name=option]")


def post_vote(client, motion, option, **extra):
    """The ballot's final POST: the choice with its confirmation (the first step, the choice
    alone, records nothing: ``test_ballot_steps``)."""
    data = {"confirm": "1"} if option is None else {"option": option, "confirm": "1"}
    return client.post(f"/votes/{motion.pk}/", data, **ENGLISH, **extra)


def nothing_saved():
    assert not Ballot.objects.exists()
    assert not BallotReceipt.objects.exists()


# --- The roll ---------------------------------------------------------------------------


class TestRollSnapshot:
    @pytest.fixture
    def register(self, make_rep):
        """Three representatives, a party member, a volunteer, and one who left."""
        return {
            "stays": make_rep(name="甲代表"),
            "steps_down": make_rep(name="乙代表"),
            "moves_away": make_rep(name="丙代表"),
            "party": make_rep(name="丁党员", is_representative=False, is_party_member=True),
            "volunteer": make_rep(name="戊志愿者", is_representative=False, is_volunteer=True),
            "gone": make_rep(name="己已迁出", is_active=False),
        }

    def roll_of(self, motion):
        return set(RollEntry.objects.filter(motion=motion).values_list("person_id", flat=True))

    def test_the_roll_is_the_active_representatives_at_opening(self, register, make_motion):
        motion = make_motion(MotionState.DRAFT)
        assert not RollEntry.objects.filter(motion=motion).exists()
        motion = make_motion(MotionState.OPEN)
        assert self.roll_of(motion) == {
            register[key].pk for key in ("stays", "steps_down", "moves_away")
        }

    def test_an_opening_that_is_not_saved_leaves_no_roll(
        self, register, make_motion, clerk, monkeypatch
    ):
        """The roll is written by the ``open`` transition itself, in the transaction that
        saves the new state: if that save fails, neither the state nor the roll remain."""
        motion = make_motion(MotionState.DRAFT)

        def failing_save(*args, **kwargs):
            raise IntegrityError("the save failed")

        monkeypatch.setattr(Motion, "save", failing_save)
        with pytest.raises(IntegrityError):
            step(motion, "open", by=clerk)
        monkeypatch.undo()
        motion.refresh_from_db()
        assert motion.state == MotionState.DRAFT
        assert not RollEntry.objects.filter(motion=motion).exists()
        # Opened properly afterwards, the roll is there.
        step(motion, "open", by=clerk)
        assert self.roll_of(motion) == {
            register[key].pk for key in ("stays", "steps_down", "moves_away")
        }

    def test_an_evaluation_roll_takes_party_members_too(self, register, make_rep, make_motion):
        cadre = make_rep(account=False, is_representative=False, is_cadre=True)
        motion = make_motion(MotionState.OPEN, kind=MotionKind.EVALUATION, subject=cadre)
        assert self.roll_of(motion) == {
            register[key].pk for key in ("stays", "steps_down", "moves_away", "party")
        }

    def test_the_cadre_evaluated_is_not_on_their_own_roll(self, register, make_rep, make_motion):
        """A cadre who is also a representative and a party member would otherwise mark
        their own evaluation."""
        cadre = make_rep(is_representative=True, is_party_member=True, is_cadre=True)
        motion = make_motion(MotionState.OPEN, kind=MotionKind.EVALUATION, subject=cadre)
        assert cadre.pk not in self.roll_of(motion)
        assert self.roll_of(motion) == {
            register[key].pk for key in ("stays", "steps_down", "moves_away", "party")
        }
        with refused(NOT_ELIGIBLE):
            vote(motion, cadre, 0)
        # In another cadre's evaluation they are on the roll as any representative.
        other = make_rep(account=False, is_representative=False, is_cadre=True)
        motion = make_motion(MotionState.OPEN, kind=MotionKind.EVALUATION, subject=other)
        assert cadre.pk in self.roll_of(motion)

    def test_later_changes_to_the_register_move_neither_roll_nor_count(
        self, register, make_rep, make_motion
    ):
        motion = make_motion(MotionState.OPEN, quorum_percent=100)
        before = self.roll_of(motion)

        newcomer = make_rep(name="庚新代表")
        register["steps_down"].is_representative = False
        register["steps_down"].is_volunteer = True
        register["steps_down"].save()
        register["moves_away"].is_active = False
        register["moves_away"].save()
        register["gone"].is_active = True
        register["gone"].save()
        register["volunteer"].is_representative = True
        register["volunteer"].save()

        assert self.roll_of(motion) == before
        result = tally(motion)
        assert (result.roll, result.quorum_needed) == (3, 3)

        # Those on the roll at opening may vote, whatever the register says now...
        for key in ("stays", "steps_down", "moves_away"):
            vote(motion, register[key], 0)
        # ...and those who joined or came back since may not.
        for person in (newcomer, register["gone"], register["volunteer"]):
            with refused(NOT_ELIGIBLE):
                vote(motion, person, 0)
        result = tally(motion)
        assert (result.roll, result.cast) == (3, 3)
        assert result.quorum_met
        assert set(BallotReceipt.objects.values_list("person_id", flat=True)) == before

    def test_a_newcomer_is_told_online_and_nothing_is_saved(self, register, make_rep, make_motion):
        motion = make_motion(MotionState.OPEN)
        newcomer = make_rep(name="庚新代表")
        client = logged_in(newcomer.user)

        page = client.get(f"/votes/{motion.pk}/", **ENGLISH)
        assert ballot_form(page) is None
        assert ui("en", "You are not on the roll of this vote.") in page.content.decode()

        response = post_vote(client, motion, options(motion)[0].pk)
        assert response.status_code == 409
        assert page_of(response).select_one("[role=alert]").get_text(strip=True) == ui(
            "en", str(NOT_ELIGIBLE)
        )
        nothing_saved()

    def test_a_user_who_is_in_no_register_is_not_eligible(self, make_user, make_rep, make_motion):
        make_rep()
        motion = make_motion(MotionState.OPEN)
        response = post_vote(logged_in(make_user()), motion, options(motion)[0].pk)
        assert response.status_code == 409
        assert ui("en", str(NOT_ELIGIBLE)) in response.content.decode()
        nothing_saved()


# --- One ballot per person --------------------------------------------------------------


class TestOneBallotPerPerson:
    def test_a_second_ballot_is_refused(self, make_rep, make_motion):
        person = make_rep()
        motion = make_motion(MotionState.OPEN)
        assert vote(motion, person, 0).label == "赞成"
        with refused(ALREADY_VOTED):
            vote(motion, person, 1)
        with refused(ALREADY_VOTED):
            vote(motion, person, 0, channel=BallotChannel.HALL)
        assert list(Ballot.objects.values_list("option__label", "voter")) == [("赞成", person.pk)]
        assert BallotReceipt.objects.get().channel == BallotChannel.ONLINE

    def test_online_the_form_is_gone_and_a_second_post_is_refused(self, make_rep, make_motion):
        person = make_rep()
        motion = make_motion(MotionState.OPEN)
        client = logged_in(person.user)
        first, second = options(motion)[:2]

        assert ballot_form(client.get(f"/votes/{motion.pk}/")) is not None
        response = post_vote(client, motion, first.pk, follow=True)
        assert response.redirect_chain == [(f"/votes/{motion.pk}/", 302)]
        assert ui(
            "en", "Your ballot is recorded: %(option)s. Thank you for voting.", option="赞成"
        ) in (response.content.decode())
        assert ballot_form(response) is None

        response = post_vote(client, motion, second.pk)
        assert response.status_code == 409
        assert page_of(response).select_one("[role=alert]").get_text(strip=True) == ui(
            "en", str(ALREADY_VOTED)
        )
        assert ballot_form(response) is None
        assert list(Ballot.objects.values_list("option", flat=True)) == [first.pk]
        assert BallotReceipt.objects.count() == 1

    def test_a_refused_post_survives_a_simultaneous_request(
        self, make_rep, make_motion, monkeypatch
    ):
        """django-fsm's ``refresh_from_db`` lifts the state field's protection for the whole
        class while it runs, and a simultaneous request's refresh puts it back half-way: the
        moment is replayed here, and the refusal still answers "already voted", not 500."""
        person = make_rep()
        motion = make_motion(MotionState.OPEN)
        vote(motion, person, 0)
        state = Motion._meta.get_field("state")
        refresh = models.Model.refresh_from_db

        def another_request_finishes_meanwhile(instance, *args, **kwargs):
            state.protected = True
            return refresh(instance, *args, **kwargs)

        monkeypatch.setattr(models.Model, "refresh_from_db", another_request_finishes_meanwhile)
        response = post_vote(logged_in(person.user), motion, options(motion)[1].pk)
        assert response.status_code == 409
        assert page_of(response).select_one("[role=alert]").get_text(strip=True) == ui(
            "en", str(ALREADY_VOTED)
        )

    def test_a_secret_vote_is_confirmed_without_the_choice(self, make_rep, make_motion):
        """Neither the page after the vote nor the messages cookie that carries its
        confirmation repeats a secret choice."""
        person = make_rep()
        motion = make_motion(MotionState.OPEN, secret=True)
        client = logged_in(person.user)
        response = post_vote(client, motion, options(motion)[1].pk)
        assert response.status_code == 302
        stored = CookieStorage(response.wsgi_request)._decode(response.cookies["messages"].value)
        recorded = ui("en", "Your ballot is recorded. Thank you for voting.")
        assert [str(message) for message in stored] == [recorded]
        page = client.get(f"/votes/{motion.pk}/", **ENGLISH).content.decode()
        assert recorded in page
        assert "反对" not in page

    def test_the_database_refuses_a_second_receipt(self, make_rep, make_motion):
        person = make_rep()
        motion = make_motion(MotionState.OPEN)
        BallotReceipt.objects.create(motion=motion, person=person, channel=BallotChannel.ONLINE)
        with pytest.raises(IntegrityError), transaction.atomic():
            BallotReceipt.objects.create(motion=motion, person=person, channel=BallotChannel.HALL)
        assert BallotReceipt.objects.count() == 1

    def test_the_database_refuses_a_second_named_ballot(self, make_rep, make_motion):
        person = make_rep()
        motion = make_motion(MotionState.OPEN)
        first, second = options(motion)[:2]
        Ballot.objects.create(motion=motion, option=first, voter=person)
        with pytest.raises(IntegrityError), transaction.atomic():
            Ballot.objects.create(motion=motion, option=second, voter=person)
        assert Ballot.objects.count() == 1

    def test_one_ballot_per_motion_not_per_person(self, make_rep, make_motion):
        person = make_rep()
        first, second = make_motion(MotionState.OPEN), make_motion(MotionState.OPEN)
        vote(first, person, 0)
        vote(second, person, 1)
        assert BallotReceipt.objects.filter(person=person).count() == 2


# --- Refusals by state ------------------------------------------------------------------


class TestState:
    def test_a_draft_is_not_open(self, make_rep, make_motion):
        person = make_rep()
        motion = make_motion(MotionState.DRAFT)
        with refused(NOT_OPEN):
            vote(motion, person, 0)
        nothing_saved()

    @pytest.mark.parametrize("state", [MotionState.CLOSED, MotionState.PUBLISHED])
    def test_a_closed_vote_takes_no_ballot(self, state, make_rep, make_motion):
        person = make_rep()
        motion = make_motion(state)
        with refused(CLOSED):
            vote(motion, person, 0)
        nothing_saved()

    def test_online_after_closing(self, make_rep, make_motion, clerk):
        person = make_rep()
        motion = make_motion(MotionState.OPEN)
        client = logged_in(person.user)
        assert ballot_form(client.get(f"/votes/{motion.pk}/")) is not None
        step(motion, "close", by=clerk)  # while the representative has the form open

        response = post_vote(client, motion, options(motion)[0].pk)
        assert response.status_code == 409
        assert page_of(response).select_one("[role=alert]").get_text(strip=True) == ui(
            "en", str(CLOSED)
        )
        assert ballot_form(response) is None
        nothing_saved()

    def test_a_draft_cannot_be_voted_on_online(self, make_rep, make_motion):
        person = make_rep()
        motion = make_motion(MotionState.DRAFT)
        assert post_vote(logged_in(person.user), motion, options(motion)[0].pk).status_code == 404
        nothing_saved()

    def test_a_visitor_is_sent_to_log_in(self, make_rep, make_motion, client):
        make_rep()
        motion = make_motion(MotionState.OPEN)
        page = client.get(f"/votes/{motion.pk}/", **ENGLISH)
        assert ballot_form(page) is None
        assert page_of(page).select_one(f'a[href="/accounts/login/?next=/votes/{motion.pk}/"]')
        response = post_vote(client, motion, options(motion)[0].pk)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next=/votes/{motion.pk}/"
        nothing_saved()


# --- Bad options ------------------------------------------------------------------------


class TestBadOption:
    @pytest.fixture
    def setting(self, make_rep, make_motion):
        person = make_rep()
        motion = make_motion(MotionState.OPEN)
        other = make_motion(MotionState.OPEN)
        return person, motion, other

    @pytest.mark.parametrize(
        "option",
        [
            None,  # no option at all
            "",
            "junk",
            "赞成",
            "1; DROP TABLE votes_ballot",
            "-1",
            "0",
            "1.5",
            " ",
            "²",  # a digit to str.isdigit, not to int()
            "١",  # an Arabic-Indic one
            "99999999999999999999999",  # beyond any database integer
            "ANOTHER",  # an option of another open motion
        ],
    )
    def test_refused_with_a_message_and_nothing_saved(self, setting, option):
        person, motion, other = setting
        if option == "ANOTHER":
            option = options(other)[0].pk
        response = post_vote(logged_in(person.user), motion, option)
        assert response.status_code == 400
        assert page_of(response).select_one("[role=alert]").get_text(strip=True) == ui(
            "en", str(BAD_OPTION)
        )
        # The form is still there to choose again.
        assert ballot_form(response) is not None
        nothing_saved()
        # ...and the representative may still vote.
        vote(motion, person, 0)
        assert BallotReceipt.objects.get().person == person

    def test_the_service_refuses_too(self, setting):
        person, motion, other = setting
        for option in (None, "", "abc", options(other)[1].pk, 10**30):
            with refused(BAD_OPTION):
                cast(motion.pk, person, option)
        nothing_saved()
