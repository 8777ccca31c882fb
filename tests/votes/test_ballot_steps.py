"""Issue 12 on the votes pages: the ballot in two steps (the choice, then its confirmation;
nothing recorded before), each option a label around its radio, when voting closes, the
"voted" mark in the list; for clerks a vote that can no longer be edited shown read-only,
the roll and turnout on the step pages, the roll call in natural order with those who voted
online noted, and an evaluation's result in its own words."""

import pytest
from bs4 import BeautifulSoup

from django.urls import reverse

from tests.support import logged_in, ui
from votes.models import Ballot, BallotReceipt, MotionKind, MotionState
from votes.services import ALREADY_VOTED, BAD_OPTION
from votes.wagtail_hooks import motion_viewset

from .conftest import ENGLISH, options, step, vote, vote_pattern

LISTING = reverse(motion_viewset.get_url_name("list"))


def page_of(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def nothing_recorded():
    assert not Ballot.objects.exists()
    assert not BallotReceipt.objects.exists()


@pytest.fixture
def ballot(make_rep, make_motion):
    """A representative on the roll of an open named motion, signed in."""
    person = make_rep(name="王建国")
    motion = make_motion(MotionState.OPEN, title="关于加装电梯的表决")
    return motion, person, logged_in(person.user)


# --- The ballot ---------------------------------------------------------------------------


class TestTheBallotForm:
    def test_each_option_is_a_label_around_its_radio(self, ballot):
        motion, _person, client = ballot
        page = page_of(client.get(f"/votes/{motion.pk}/", **ENGLISH))
        (form,) = page.select("form.ballot")
        radios = form.select("input[type=radio][name=option]")
        assert [radio["value"] for radio in radios] == [str(o.pk) for o in options(motion)]
        for radio, option in zip(radios, options(motion), strict=True):
            # The label wraps its input: the whole line is the tap target, the text beside it.
            assert radio.parent.name == "label" and "choice" in radio.parent["class"]
            assert radio.parent.get_text(strip=True) == option.label
        assert form.select_one("button[type=submit]").get_text(strip=True) == ui(
            "en", "Cast my ballot"
        )

    def test_the_page_says_when_voting_closes(self, ballot, client):
        motion, _person, _client = ballot
        page = page_of(client.get(f"/votes/{motion.pk}/", **ENGLISH))
        facts = {
            dt.get_text(strip=True): " ".join(dt.find_next_sibling("dd").get_text().split())
            for dt in page.select("dl.facts dt")
        }
        assert facts[ui("en", "Voting closes")] == ui(
            "en", "When the meeting clerk closes the vote: there is no fixed closing time."
        )
        assert ui("en", "Voting opened") in facts


class TestTheConfirmationStep:
    def test_the_choice_alone_records_nothing_and_asks_for_confirmation(self, ballot):
        motion, _person, client = ballot
        against = options(motion)[1]
        response = client.post(f"/votes/{motion.pk}/", {"option": against.pk}, **ENGLISH)
        assert response.status_code == 200
        nothing_recorded()
        page = page_of(response)
        (form,) = page.select("form.ballot--confirm")
        assert form.select_one(".ballot__choice").get_text(strip=True) == ui(
            "en", "You chose: %(option)s.", option="反对"
        )
        # The final POST carries the choice and the confirmation; no radio to misclick.
        hidden = {field["name"]: field["value"] for field in form.select("input[type=hidden]")}
        assert hidden["option"] == str(against.pk) and hidden["confirm"] == "1"
        assert not form.select("input[type=radio]")
        buttons = [button.get_text(strip=True) for button in form.select("button")]
        assert buttons == [ui("en", "Confirm my ballot"), ui("en", "Change my choice")]

    def test_confirming_records_the_ballot_once(self, ballot):
        motion, person, client = ballot
        against = options(motion)[1]
        data = {"option": against.pk, "confirm": "1"}
        response = client.post(f"/votes/{motion.pk}/", data, **ENGLISH)
        assert response.status_code == 302
        assert list(Ballot.objects.values_list("voter", "option")) == [(person.pk, against.pk)]
        assert BallotReceipt.objects.get().person == person
        # The same confirmation again (a double click): refused, not a server error.
        response = client.post(f"/votes/{motion.pk}/", data, **ENGLISH)
        assert response.status_code == 409
        assert page_of(response).select_one("[role=alert]").get_text(strip=True) == ui(
            "en", str(ALREADY_VOTED)
        )
        assert Ballot.objects.count() == BallotReceipt.objects.count() == 1

    def test_change_goes_back_to_the_choice_with_it_ticked(self, ballot):
        motion, _person, client = ballot
        against = options(motion)[1]
        response = client.post(
            f"/votes/{motion.pk}/",
            {"option": against.pk, "confirm": "1", "change": "1"},
            **ENGLISH,
        )
        assert response.status_code == 200
        nothing_recorded()
        ticked = page_of(response).select("form.ballot input[type=radio][checked]")
        assert [radio["value"] for radio in ticked] == [str(against.pk)]

    def test_a_refusal_is_said_before_the_confirmation(self, ballot):
        motion, person, client = ballot
        vote(motion, person, 0)  # voted already, e.g. from another tab
        response = client.post(f"/votes/{motion.pk}/", {"option": options(motion)[2].pk})
        assert response.status_code == 409
        page = page_of(response)
        assert page.select_one("[role=alert]").get_text(strip=True) == ui(
            "zh-hans", str(ALREADY_VOTED)
        )
        assert not page.select("form.ballot--confirm")
        assert Ballot.objects.count() == 1

    def test_a_bad_choice_is_refused_at_the_first_step(self, ballot):
        motion, _person, client = ballot
        response = client.post(f"/votes/{motion.pk}/", {"option": "²"}, **ENGLISH)
        assert response.status_code == 400
        page = page_of(response)
        assert page.select_one("[role=alert]").get_text(strip=True) == ui("en", str(BAD_OPTION))
        assert page.select("form.ballot input[type=radio]")
        nothing_recorded()

    def test_a_visitor_confirming_is_sent_to_log_in(self, ballot, client):
        motion, _person, _client = ballot
        response = client.post(
            f"/votes/{motion.pk}/", {"option": options(motion)[0].pk, "confirm": "1"}
        )
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        nothing_recorded()


class TestVotedMark:
    def test_the_list_marks_the_motions_the_representative_voted_on(
        self, ballot, make_motion, client
    ):
        motion, person, rep = ballot
        other = make_motion(MotionState.OPEN, title="关于更换路灯的表决")
        vote(motion, person, 0)
        voted = ui("en", "voted")

        def marks(response):
            page = page_of(response)
            section = page.select_one("section[aria-labelledby=open-heading]")
            return {
                item.select_one("h3").get_text(strip=True): bool(item.select(".voted"))
                for item in section.select("li.meeting")
            }

        response = rep.get("/votes/", **ENGLISH)
        assert marks(response) == {motion.title: True, other.title: False}
        assert page_of(response).select_one(".voted").get_text(strip=True) == voted
        # Nobody else sees a mark: not a visitor, not another representative.
        assert marks(client.get("/votes/", **ENGLISH)) == {motion.title: False, other.title: False}


# --- The clerks ---------------------------------------------------------------------------


class TestAVoteNoLongerEditable:
    @pytest.mark.parametrize("state", [MotionState.OPEN, MotionState.CLOSED, MotionState.PUBLISHED])
    def test_the_edit_page_sends_to_the_read_only_view(self, state, make_motion, clerk):
        motion = make_motion(state, title="路灯改造")
        edit = reverse(motion_viewset.get_url_name("edit"), args=[motion.pk])
        inspect = reverse(motion_viewset.get_url_name("inspect"), args=[motion.pk])
        response = logged_in(clerk).get(edit, follow=True, **ENGLISH)
        assert response.redirect_chain == [(inspect, 302)]
        assert ui(
            "en",
            "This vote is %(state)s: it can no longer be changed.",
            state=motion.get_state_display(),
        ) in [str(message) for message in response.context["messages"]]
        assert "路灯改造" in response.content.decode()

    def test_the_listing_offers_edit_for_a_draft_only(self, make_motion, clerk):
        draft = make_motion(MotionState.DRAFT)
        closed = make_motion(MotionState.CLOSED)
        html = logged_in(clerk).get(LISTING).content.decode()
        edit = motion_viewset.get_url_name("edit")
        inspect = motion_viewset.get_url_name("inspect")
        assert reverse(edit, args=[draft.pk]) in html
        assert reverse(edit, args=[closed.pk]) not in html
        assert reverse(inspect, args=[closed.pk]) in html

    def test_a_draft_is_still_edited(self, make_motion, clerk):
        draft = make_motion(MotionState.DRAFT)
        edit = reverse(motion_viewset.get_url_name("edit"), args=[draft.pk])
        response = logged_in(clerk).get(edit)
        assert response.status_code == 200
        assert page_of(response).select("form input[name=title]")


class TestStepConfirmations:
    def transition_url(self, motion, name):
        return reverse(motion_viewset.get_url_name("transition"), args=[motion.pk, name])

    def facts(self, response):
        page = page_of(response)
        return {
            dt.get_text(strip=True): " ".join(dt.find_next_sibling("dd").get_text().split())
            for dt in page.select("dl.motion-facts dt")
        }

    def test_opening_says_how_many_will_be_on_the_roll(self, make_reps, make_motion, clerk):
        make_reps(3)
        motion = make_motion(MotionState.DRAFT)
        response = logged_in(clerk).get(self.transition_url(motion, "open"), **ENGLISH)
        assert response.status_code == 200
        facts = self.facts(response)
        assert facts[ui("en", "Eligible roll")].startswith("3 ")

    def test_closing_shows_the_roll_and_the_turnout(self, make_reps, make_motion, clerk):
        people = make_reps(4)
        motion = make_motion(MotionState.OPEN)
        vote_pattern(motion, people, [2, 1, 0])
        response = logged_in(clerk).get(self.transition_url(motion, "close"), **ENGLISH)
        facts = self.facts(response)
        assert facts[ui("en", "Eligible roll")] == "4 people on the roll"
        assert facts[ui("en", "Turnout")] == (
            ui("en", "%(cast)s of %(roll)s eligible", cast=3, roll=4) + " (75%)"
        )


class TestRollCallOrder:
    def test_buildings_in_natural_order_and_online_voters_noted(self, make_rep, make_motion, clerk):
        people = {
            building: make_rep(name=f"{building}住户", building=building)
            for building in ("10号楼", "2号楼", "1号楼")
        }
        motion = make_motion(MotionState.OPEN)
        vote(motion, people["2号楼"], 0)
        url = reverse("votes_roll_call", args=[motion.pk])
        page = page_of(logged_in(clerk).get(url, **ENGLISH))
        rows = page.select("tbody tr")
        assert [row.th.get_text().split()[0] for row in rows] == [
            "1号楼住户",
            "2号楼住户",
            "10号楼住户",
        ]
        voted = rows[1]
        assert voted.td.get_text(strip=True) == ui("en", "voted online")
        assert not voted.select("input")
        assert rows[0].select("input") and rows[2].select("input")


# --- An evaluation's result ---------------------------------------------------------------


class TestEvaluationWording:
    def test_satisfaction_not_a_pass_condition(
        self, make_rep, make_reps, make_motion, clerk, client
    ):
        cadre = make_rep(name="周干部", account=False, is_representative=False, is_cadre=True)
        people = make_reps(6)
        motion = make_motion(MotionState.OPEN, kind=MotionKind.EVALUATION, subject=cadre)
        vote_pattern(motion, people, [3, 2, 1])
        step(motion, "close", "publish_results", by=clerk)
        page = page_of(client.get(f"/votes/{motion.pk}/", **ENGLISH))
        text = " ".join(page.get_text().split())
        assert ui("en", "Majority") not in [dt.get_text(strip=True) for dt in page.select("dt")]
        assert motion.get_rule_display() not in text
        assert ui("en", "Counted.") not in text
        assert (
            ui(
                "en",
                "Satisfaction: %(percent)s%% of the ballots say satisfied or basically satisfied.",
                percent=83,
            )
            in text
        )
        result = page.select_one("section[aria-labelledby=result-heading]")
        facts = {
            dt.get_text(strip=True): " ".join(dt.find_next_sibling("dd").get_text().split())
            for dt in result.select("dt")
        }
        assert facts[ui("en", "Satisfaction")].startswith("83%")
        # Each option's share, by meaning, in the table.
        shares = [
            [cell.get_text(strip=True) for cell in row.select("th, td")]
            for row in result.select(".results-table tbody tr")
        ]
        assert shares == [["满意", "3", "50%"], ["基本满意", "2", "33%"], ["不满意", "1", "17%"]]
