"""The year-end appraisal (年终考评): the debriefing, the evaluation kept as it was published,
the committee's decision and its reconsideration, each a named transition of the
party-affairs office; the debriefing fixed once given; who may see and do what; the export;
the history; and the demo."""

import csv
import datetime
import html
import io
import zoneinfo

import pytest

from django.core.exceptions import PermissionDenied

from appraisals import demo as appraisals_demo
from appraisals.factories import AppraisalFactory
from appraisals.models import Appointment, Appraisal, AppraisalState, BonusGrade
from core import roles
from core.transitions import ReasonRequired, TransitionRefused, perform
from home.management.commands.seed_demo import SEEDERS
from people.factories import CadreFactory, PersonFactory
from tests.support import logged_in, ui
from votes.factories import MotionFactory
from votes.models import MotionKind
from votes.services import cast

LIST_URL = "/admin/snippets/appraisals/appraisal/"
ADD_URL = f"{LIST_URL}add/"
ENGLISH = {"accept-language": "en"}
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# The year-end meeting of 2026.
MEETING = datetime.datetime(2026, 12, 20, 10, 0, tzinfo=SHANGHAI)


def edit_url(appraisal):
    return f"{LIST_URL}edit/{appraisal.pk}/"


def inspect_url(appraisal):
    return f"{LIST_URL}inspect/{appraisal.pk}/"


def transition_url(appraisal, name):
    return f"{LIST_URL}{appraisal.pk}/transition/{name}/"


def fresh(appraisal):
    return Appraisal.objects.get(pk=appraisal.pk)


def text(response):
    return html.unescape(response.content.decode())


def refused(response):
    """Refused as Wagtail's admin refuses: 403, or back to the dashboard with its message."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"].rstrip("/").endswith("/admin")
    )


@pytest.fixture(autouse=True)
def at_the_meeting(time_machine):
    time_machine.move_to(MEETING, tick=False)


@pytest.fixture
def office(make_user):
    return make_user(roles.PARTY_OFFICE, username="party-office")


@pytest.fixture
def duty_cadre(make_user):
    return make_user(roles.DUTY_CADRES, username="duty-cadre")


@pytest.fixture
def wrong_users(editor, moderator, duty_cadre, clerk):
    return [editor, moderator, duty_cadre, clerk]


@pytest.fixture
def evaluate(clerk):
    """``evaluate(cadre, [0, 0, 1, 2])``: a published evaluation of ``cadre``, one ballot per
    choice (0 satisfied, 1 basically satisfied, 2 dissatisfied); ``publish=False`` leaves it
    closed."""

    def make(cadre, choices, publish=True):
        voters = [PersonFactory(is_representative=True) for _ in choices]
        motion = MotionFactory(kind=MotionKind.EVALUATION, subject=cadre, title=f"测评{cadre}")
        perform(motion, "open", clerk)
        options = list(motion.options.order_by("sort_order"))
        for voter, choice in zip(voters, choices, strict=True):
            cast(motion.pk, voter, options[choice].pk)
        perform(motion, "close", clerk)
        if publish:
            perform(motion, "publish_results", clerk)
        return motion

    return make


@pytest.fixture
def make_appraisal(office, evaluate):
    """``make_appraisal(AppraisalState.EVALUATED)``: an appraisal of 2026 taken to that state
    through its transitions by the party-affairs office."""

    def make(state=AppraisalState.DRAFT, **fields):
        appraisal = AppraisalFactory(year=2026, **fields)
        if state == AppraisalState.DRAFT:
            return appraisal
        perform(appraisal, "record_debriefing", office, reason="已在年终大会述职")
        if state == AppraisalState.DEBRIEFED:
            return fresh(appraisal)
        evaluate(appraisal.cadre, [0, 0, 0, 1, 2])
        perform(appraisal, "record_evaluation", office)
        if state == AppraisalState.EVALUATED:
            return fresh(appraisal)
        perform(
            appraisal,
            "decide",
            office,
            reason="党委会研究决定",
            advanced=True,
            bonus_grade=BonusGrade.FIRST,
            appointment=Appointment.KEPT,
            adjustment="",
        )
        return fresh(appraisal)

    return make


def decision(**changes):
    data = {
        "advanced": "yes",
        "bonus_grade": BonusGrade.SECOND,
        "appointment": Appointment.KEPT,
        "adjustment": "",
        "reason": "经社区党委会议研究决定",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
class TestRecordDebriefing:
    def test_the_office_records_the_debriefing(self, office, make_appraisal):
        appraisal = make_appraisal()
        client = logged_in(office)
        assert client.get(transition_url(appraisal, "record_debriefing")).status_code == 200

        response = client.post(transition_url(appraisal, "record_debriefing"), {"reason": "已述职"})

        assert response.status_code == 302
        appraisal = fresh(appraisal)
        assert appraisal.state == AppraisalState.DEBRIEFED
        assert appraisal.debriefed_on == datetime.date(2026, 12, 20)
        latest = appraisal.history.latest()
        assert (latest.history_user_id, latest.history_change_reason) == (office.pk, "已述职")

    def test_refused_without_a_report(self, office, make_appraisal):
        appraisal = make_appraisal(debriefing="  \n")

        response = logged_in(office).post(
            transition_url(appraisal, "record_debriefing"), headers=ENGLISH, follow=True
        )

        assert ui("en", "Write the cadre's debriefing report first.") in text(response)
        assert fresh(appraisal).state == AppraisalState.DRAFT
        assert fresh(appraisal).debriefed_on is None
        with pytest.raises(TransitionRefused):
            perform(appraisal, "record_debriefing", office)
        assert appraisal.history.count() == 1

    def test_refused_in_another_state(self, office, make_appraisal):
        appraisal = make_appraisal(AppraisalState.DEBRIEFED)
        with pytest.raises(TransitionRefused):
            perform(appraisal, "record_debriefing", office)
        response = logged_in(office).post(
            transition_url(appraisal, "record_debriefing"), headers=ENGLISH, follow=True
        )
        assert "that step is not possible" in text(response)
        assert fresh(appraisal).history.count() == 2


@pytest.mark.django_db
class TestRecordEvaluation:
    def test_keeps_the_published_evaluation_as_it_was(self, office, make_appraisal, evaluate):
        appraisal = make_appraisal(AppraisalState.DEBRIEFED)
        evaluate(appraisal.cadre, [0, 0, 0, 1, 2])

        response = logged_in(office).post(transition_url(appraisal, "record_evaluation"))

        assert response.status_code == 302
        appraisal = fresh(appraisal)
        assert appraisal.state == AppraisalState.EVALUATED
        assert appraisal.evaluated_at == MEETING
        assert appraisal.evaluation["ballots"] == 5
        assert appraisal.evaluation["satisfaction"] == pytest.approx(0.8)
        assert dict(appraisal.evaluation["counts"]) == {"满意": 3, "基本满意": 1, "不满意": 1}
        assert appraisal.satisfaction_display() == "80.0%"

        # A later evaluation changes the votes' sum, not what the committee decides on.
        evaluate(appraisal.cadre, [2, 2, 2])
        assert fresh(appraisal).evaluation["ballots"] == 5

    def test_refused_without_a_published_evaluation(
        self, office, make_appraisal, evaluate, time_machine
    ):
        appraisal = make_appraisal(AppraisalState.DEBRIEFED)
        # Closed but not published; published, but for another cadre; published in 2025.
        evaluate(appraisal.cadre, [0, 0], publish=False)
        evaluate(CadreFactory(), [0, 0])
        time_machine.move_to(datetime.datetime(2025, 12, 20, 10, tzinfo=SHANGHAI), tick=False)
        evaluate(appraisal.cadre, [0, 0])
        time_machine.move_to(MEETING, tick=False)

        response = logged_in(office).post(
            transition_url(appraisal, "record_evaluation"), headers=ENGLISH, follow=True
        )

        assert ui(
            "en",
            "The democratic evaluation of this cadre for this year has no published result yet.",
        ) in text(response)
        appraisal = fresh(appraisal)
        assert appraisal.state == AppraisalState.DEBRIEFED
        assert appraisal.evaluation is None
        with pytest.raises(TransitionRefused):
            perform(appraisal, "record_evaluation", office)

    def test_refused_before_the_debriefing(self, office, make_appraisal, evaluate):
        appraisal = make_appraisal()
        evaluate(appraisal.cadre, [0])
        with pytest.raises(TransitionRefused):
            perform(appraisal, "record_evaluation", office)
        assert fresh(appraisal).state == AppraisalState.DRAFT


@pytest.mark.django_db
class TestDecide:
    def test_the_office_records_the_decision(self, office, make_appraisal):
        appraisal = make_appraisal(AppraisalState.EVALUATED)
        client = logged_in(office)
        page = client.get(transition_url(appraisal, "decide"))
        assert page.status_code == 200
        assert {"advanced", "bonus_grade", "appointment", "adjustment", "reason"} <= set(
            page.context["form"].fields
        )
        assert page.context["form"].fields["reason"].required

        response = client.post(
            transition_url(appraisal, "decide"),
            decision(
                advanced="no",
                appointment=Appointment.CHANGED,
                adjustment="调整至居民服务岗位",
                bonus_grade=BonusGrade.THIRD,
            ),
        )

        assert response.status_code == 302
        appraisal = fresh(appraisal)
        assert appraisal.state == AppraisalState.DECIDED
        assert (appraisal.advanced, appraisal.bonus_grade, appraisal.appointment) == (
            False,
            BonusGrade.THIRD,
            Appointment.CHANGED,
        )
        assert appraisal.adjustment == "调整至居民服务岗位"
        assert appraisal.decision_reason == "经社区党委会议研究决定"
        assert (appraisal.decided_at, appraisal.decided_by) == (MEETING, office)

    @pytest.mark.parametrize("appointment", [Appointment.CHANGED, Appointment.REMOVED])
    def test_an_adjustment_is_required_when_the_appointment_changes(
        self, office, make_appraisal, appointment
    ):
        appraisal = make_appraisal(AppraisalState.EVALUATED)

        response = logged_in(office).post(
            transition_url(appraisal, "decide"),
            decision(appointment=appointment, adjustment="  "),
            headers=ENGLISH,
        )

        assert response.status_code == 200
        assert response.context["form"].errors["adjustment"] == [
            ui("en", "The appointment changes: say what is adjusted and why.")
        ]
        appraisal = fresh(appraisal)
        assert appraisal.state == AppraisalState.EVALUATED
        assert appraisal.appointment == ""

    def test_a_kept_appointment_keeps_no_adjustment(self, office, make_appraisal):
        appraisal = make_appraisal(AppraisalState.EVALUATED)
        logged_in(office).post(
            transition_url(appraisal, "decide"), decision(adjustment="多余的说明")
        )
        appraisal = fresh(appraisal)
        assert appraisal.state == AppraisalState.DECIDED
        assert (appraisal.appointment, appraisal.adjustment) == (Appointment.KEPT, "")
        assert appraisal.advanced is True

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"reason": ""}, "reason"),
            ({"bonus_grade": "fourth"}, "bonus_grade"),
            ({"appointment": ""}, "appointment"),
            ({"advanced": ""}, "advanced"),
        ],
    )
    def test_the_form_refuses_what_is_missing(self, office, make_appraisal, changes, field):
        appraisal = make_appraisal(AppraisalState.EVALUATED)
        response = logged_in(office).post(transition_url(appraisal, "decide"), decision(**changes))
        assert response.status_code == 200
        assert field in response.context["form"].errors
        assert fresh(appraisal).state == AppraisalState.EVALUATED

    def test_a_decision_needs_its_reason_in_code_too(self, office, make_appraisal):
        appraisal = make_appraisal(AppraisalState.EVALUATED)
        with pytest.raises(ReasonRequired):
            perform(appraisal, "decide", office, bonus_grade="none", appointment=Appointment.KEPT)
        assert fresh(appraisal).state == AppraisalState.EVALUATED

    def test_refused_before_the_evaluation(self, office, make_appraisal):
        appraisal = make_appraisal(AppraisalState.DEBRIEFED)
        with pytest.raises(TransitionRefused):
            perform(
                appraisal,
                "decide",
                office,
                reason="试",
                bonus_grade=BonusGrade.FIRST,
                appointment=Appointment.KEPT,
            )
        response = logged_in(office).post(
            transition_url(appraisal, "decide"), decision(), headers=ENGLISH, follow=True
        )
        assert "that step is not possible" in text(response)
        assert fresh(appraisal).state == AppraisalState.DEBRIEFED


@pytest.mark.django_db
class TestReconsider:
    def test_clears_the_decision_and_history_keeps_it(self, office, make_appraisal):
        appraisal = make_appraisal(AppraisalState.DECIDED)

        response = logged_in(office).post(
            transition_url(appraisal, "reconsider"), {"reason": "复议：材料有误"}
        )

        assert response.status_code == 302
        appraisal = fresh(appraisal)
        assert appraisal.state == AppraisalState.EVALUATED
        assert (appraisal.advanced, appraisal.bonus_grade, appraisal.appointment) == (
            False,
            "",
            "",
        )
        assert (appraisal.decision_reason, appraisal.decided_at, appraisal.decided_by) == (
            "",
            None,
            None,
        )
        # The evaluation stays: the committee decides again on the same result.
        assert appraisal.evaluation["ballots"] == 5
        reconsidered, decided = list(appraisal.history.all()[:2])
        assert (reconsidered.history_user_id, reconsidered.history_change_reason) == (
            office.pk,
            "复议：材料有误",
        )
        assert (decided.state, decided.bonus_grade, decided.advanced) == (
            AppraisalState.DECIDED,
            BonusGrade.FIRST,
            True,
        )
        assert decided.decision_reason == "党委会研究决定"

    def test_a_reason_is_required(self, office, make_appraisal):
        appraisal = make_appraisal(AppraisalState.DECIDED)
        response = logged_in(office).post(transition_url(appraisal, "reconsider"), {"reason": ""})
        assert response.status_code == 200
        assert "reason" in response.context["form"].errors
        assert fresh(appraisal).state == AppraisalState.DECIDED
        with pytest.raises(ReasonRequired):
            perform(appraisal, "reconsider", office)

    def test_refused_before_a_decision(self, office, make_appraisal):
        appraisal = make_appraisal(AppraisalState.EVALUATED)
        with pytest.raises(TransitionRefused):
            perform(appraisal, "reconsider", office, reason="试")


@pytest.mark.django_db
class TestHistory:
    def test_every_step_with_its_user_and_reason(self, office, make_appraisal):
        appraisal = make_appraisal(AppraisalState.DECIDED)

        # Newest first.
        (decided, evaluated, debriefed, created) = appraisal.history.all()

        assert created.history_type == "+"
        assert created.state == AppraisalState.DRAFT
        assert [row.history_type for row in (debriefed, evaluated, decided)] == ["~"] * 3
        assert [row.state for row in (debriefed, evaluated, decided)] == [
            AppraisalState.DEBRIEFED,
            AppraisalState.EVALUATED,
            AppraisalState.DECIDED,
        ]
        assert {row.history_user_id for row in (debriefed, evaluated, decided)} == {office.pk}
        assert debriefed.history_change_reason == "已在年终大会述职"
        assert decided.history_change_reason == "党委会研究决定"
        assert evaluated.evaluation["ballots"] == 5

    def test_the_admin_form_keeps_the_reason(self, office):
        cadre = CadreFactory()
        response = logged_in(office).post(
            ADD_URL,
            {
                "cadre": cadre.pk,
                "year": "2026",
                "debriefing": "本年度述职报告",
                "change_reason": "年终考评开始",
            },
        )
        assert response.status_code == 302
        appraisal = Appraisal.objects.get()
        assert (appraisal.cadre, appraisal.year, appraisal.state) == (
            cadre,
            2026,
            AppraisalState.DRAFT,
        )
        (created,) = appraisal.history.all()
        assert (created.history_user_id, created.history_change_reason) == (
            office.pk,
            "年终考评开始",
        )

    def test_the_decisions_reasons_are_masked_for_those_who_may_not_see_appraisals(
        self, office, supervisor, make_user, make_appraisal
    ):
        from django.contrib.auth.models import Group, Permission

        from audit.diff import HIDDEN
        from tests.audit.support import entries_for

        auditors = Group.objects.create(name="Auditors")
        auditors.permissions.set(
            Permission.objects.filter(
                codename__in=["access_admin", "view_auditentry"],
                content_type__app_label__in=["wagtailadmin", "audit"],
            )
        )
        auditor = make_user("Auditors", username="auditor")
        appraisal = make_appraisal(AppraisalState.EVALUATED)
        perform(
            appraisal,
            "decide",
            office,
            reason="测评满意率偏低",
            bonus_grade=BonusGrade.NONE,
            appointment=Appointment.REMOVED,
            adjustment="免去综治专干职务",
        )
        url = f"/admin/history/entry/{entries_for(appraisal).last().pk}/"

        masked = text(logged_in(auditor).get(url))
        assert "免去综治专干职务" not in masked
        assert HIDDEN in masked
        shown = text(logged_in(supervisor).get(url))
        assert "免去综治专干职务" in shown


def form_data(appraisal, **changes):
    data = {
        "cadre": appraisal.cadre_id,
        "year": str(appraisal.year),
        "debriefing": appraisal.debriefing,
        "change_reason": "",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
class TestTheDebriefingIsFixedOnceGiven:
    def test_written_while_draft(self, office, make_appraisal):
        appraisal = make_appraisal()
        response = logged_in(office).post(
            edit_url(appraisal), form_data(appraisal, debriefing="改写后的述职报告")
        )
        assert response.status_code == 302
        assert fresh(appraisal).debriefing == "改写后的述职报告"

    @pytest.mark.parametrize(
        "state", [AppraisalState.DEBRIEFED, AppraisalState.EVALUATED, AppraisalState.DECIDED]
    )
    def test_an_edit_after_the_draft_is_refused(self, office, make_appraisal, state):
        appraisal = make_appraisal(state)
        before = appraisal.debriefing
        rows = appraisal.history.count()

        response = logged_in(office).post(
            edit_url(appraisal),
            form_data(appraisal, debriefing="会后改写的报告"),
            headers=ENGLISH,
        )

        assert response.status_code == 200
        assert response.context["form"].errors["debriefing"] == [
            ui(
                "en",
                "The debriefing was given: the report, the cadre and the year can no longer "
                "be changed.",
            )
        ]
        appraisal = fresh(appraisal)
        assert (appraisal.debriefing, appraisal.state) == (before, state)
        assert appraisal.history.count() == rows

    def test_nor_the_year(self, office, make_appraisal):
        appraisal = make_appraisal(AppraisalState.DEBRIEFED)
        response = logged_in(office).post(edit_url(appraisal), form_data(appraisal, year="2025"))
        assert response.status_code == 200
        assert "year" in response.context["form"].errors
        assert fresh(appraisal).year == 2026

    def test_the_state_is_never_set_by_hand(self, make_appraisal):
        appraisal = make_appraisal()
        with pytest.raises(AttributeError):
            appraisal.state = AppraisalState.DECIDED


@pytest.mark.django_db
class TestValidation:
    def test_one_appraisal_per_cadre_and_year(self, office, make_appraisal):
        appraisal = make_appraisal()
        response = logged_in(office).post(
            ADD_URL, form_data(appraisal, debriefing="第二份"), headers=ENGLISH
        )
        assert response.status_code == 200
        assert response.context["form"].errors["year"] == [
            ui("en", "This cadre has an appraisal for this year already.")
        ]
        assert Appraisal.objects.count() == 1

    def test_another_year_is_another_appraisal(self, office, make_appraisal):
        appraisal = make_appraisal()
        response = logged_in(office).post(ADD_URL, form_data(appraisal, year="2025"))
        assert response.status_code == 302
        assert Appraisal.objects.count() == 2

    @pytest.mark.parametrize("year", ["1999", "2101", "二〇二六", ""])
    def test_a_year_out_of_bounds_is_refused(self, office, year):
        response = logged_in(office).post(
            ADD_URL, {"cadre": CadreFactory().pk, "year": year, "debriefing": "报告"}
        )
        assert response.status_code == 200
        assert "year" in response.context["form"].errors
        assert not Appraisal.objects.exists()

    def test_only_cadres_are_appraised(self, office):
        resident = PersonFactory(is_cadre=False)
        response = logged_in(office).post(
            ADD_URL, {"cadre": resident.pk, "year": "2026", "debriefing": "报告"}
        )
        assert response.status_code == 200
        assert "cadre" in response.context["form"].errors
        assert not Appraisal.objects.exists()

    def test_the_year_defaults_to_this_one(self):
        assert Appraisal(cadre=CadreFactory()).year == 2026


@pytest.mark.django_db
class TestWhoMay:
    def test_the_office_keeps_the_appraisals(self, office, make_appraisal):
        appraisal = make_appraisal(AppraisalState.EVALUATED)
        client = logged_in(office)
        listing = client.get(LIST_URL)
        assert listing.status_code == 200
        assert transition_url(appraisal, "decide") in text(listing)
        inspect = text(client.get(inspect_url(appraisal)))
        assert appraisal.debriefing in inspect
        assert "80.0%" in inspect
        assert client.get(edit_url(appraisal)).status_code == 200
        assert client.get(ADD_URL).status_code == 200

    def test_the_office_finds_them_in_the_menu(self, office, editor):
        assert LIST_URL in text(logged_in(office).get("/admin/"))
        assert LIST_URL not in text(logged_in(editor).get("/admin/"))

    def test_supervisors_read_but_change_nothing(self, supervisor, make_appraisal):
        draft = make_appraisal()
        evaluated = make_appraisal(AppraisalState.EVALUATED)
        client = logged_in(supervisor)
        assert client.get(LIST_URL).status_code == 200
        assert draft.debriefing in text(client.get(inspect_url(draft)))
        assert refused(client.get(edit_url(draft)))
        assert refused(client.get(ADD_URL))
        assert refused(client.post(edit_url(draft), form_data(draft, debriefing="改")))
        assert refused(client.post(transition_url(draft, "record_debriefing"), {"reason": "试"}))
        assert refused(client.post(transition_url(evaluated, "decide"), decision()))
        with pytest.raises(PermissionDenied):
            perform(draft, "record_debriefing", supervisor)
        assert (fresh(draft).state, fresh(evaluated).state) == (
            AppraisalState.DRAFT,
            AppraisalState.EVALUATED,
        )
        assert fresh(draft).debriefing == draft.debriefing
        assert transition_url(evaluated, "decide") not in text(client.get(LIST_URL))

    def test_every_other_role_is_refused_everything(self, wrong_users, make_appraisal, office):
        draft = make_appraisal()
        debriefed = make_appraisal(AppraisalState.DEBRIEFED)
        evaluated = make_appraisal(AppraisalState.EVALUATED)
        decided = make_appraisal(AppraisalState.DECIDED)
        steps = [
            (draft, "record_debriefing", {}),
            (debriefed, "record_evaluation", {}),
            (
                evaluated,
                "decide",
                {"bonus_grade": BonusGrade.FIRST, "appointment": Appointment.KEPT},
            ),
            (decided, "reconsider", {}),
        ]
        rows = {a.pk: a.history.count() for a in (draft, debriefed, evaluated, decided)}
        for user in wrong_users:
            client = logged_in(user)
            for url in [
                LIST_URL,
                f"{LIST_URL}?export=csv",
                ADD_URL,
                edit_url(draft),
                inspect_url(decided),
            ]:
                response = client.get(url)
                assert refused(response), (user.username, url)
                assert draft.debriefing not in text(response)
            assert refused(client.post(edit_url(draft), form_data(draft, debriefing="改")))
            assert refused(client.post(ADD_URL, form_data(draft, year="2025")))
            for appraisal, name, arguments in steps:
                response = client.post(transition_url(appraisal, name), decision())
                assert refused(response), (user.username, name)
                with pytest.raises(PermissionDenied):
                    perform(appraisal, name, user, reason="试", **arguments)
        assert Appraisal.objects.count() == 4
        for appraisal, state in [
            (draft, AppraisalState.DRAFT),
            (debriefed, AppraisalState.DEBRIEFED),
            (evaluated, AppraisalState.EVALUATED),
            (decided, AppraisalState.DECIDED),
        ]:
            assert fresh(appraisal).state == state
            assert fresh(appraisal).history.count() == rows[appraisal.pk]
        assert fresh(draft).debriefing == draft.debriefing

    def test_nothing_on_the_public_site(self, client, make_appraisal):
        appraisal = make_appraisal(debriefing="不公开的述职草稿")
        assert appraisal.debriefing not in text(client.get("/"))
        assert client.get("/appraisals/").status_code == 404


def csv_rows(user, **query):
    response = logged_in(user).get(LIST_URL, {**query, "export": "csv"}, headers=ENGLISH)
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    body = body.decode("utf-8")
    assert body.startswith("\ufeff")
    return response, list(csv.reader(io.StringIO(body[1:])))


@pytest.mark.django_db
class TestListingAndExport:
    def test_the_export_says_what_was_decided(self, office, make_appraisal):
        appraisal = make_appraisal(AppraisalState.EVALUATED, cadre__name="周卫东")
        perform(
            appraisal,
            "decide",
            office,
            reason="=HYPERLINK(1)",
            bonus_grade=BonusGrade.THIRD,
            appointment=Appointment.CHANGED,
            adjustment="调整至居民服务岗位",
        )
        make_appraisal(cadre__name="林晓梅")

        response, rows = csv_rows(office)

        assert "year-end-appraisals" in response["Content-Disposition"]
        assert len(rows) == 3
        heading = rows[0]
        (row,) = [r for r in rows[1:] if "周卫东" in r]
        cells = dict(zip(heading, row, strict=True))
        assert cells["Year"] == "2026"
        assert cells["State"] == str(AppraisalState.DECIDED.label)
        assert cells["Ballots"] == "5"
        assert cells["Satisfaction"] == "80.0%"
        assert cells["Advanced appraisal"] == "No"
        assert cells["Bonus grade"] == str(BonusGrade.THIRD.label)
        assert cells["Appointment"] == str(Appointment.CHANGED.label)
        assert cells["Adjustment"] == "调整至居民服务岗位"
        # Typed text comes out as text, never a live formula.
        assert cells["Reason for the decision"] == "'=HYPERLINK(1)"
        (draft,) = [r for r in rows[1:] if "林晓梅" in r]
        assert dict(zip(heading, draft, strict=True))["Advanced appraisal"] == ""

    def test_filtered_by_year_and_state(self, office, make_appraisal):
        make_appraisal(cadre__name="今年草稿")
        make_appraisal(AppraisalState.DEBRIEFED, cadre__name="今年已述职")
        AppraisalFactory(year=2025, cadre__name="去年草稿")

        _response, rows = csv_rows(office, year="2026", state=AppraisalState.DEBRIEFED)
        assert [row[0] for row in rows[1:]] == ["今年已述职"]
        _response, rows = csv_rows(office, year="2025")
        assert [row[0] for row in rows[1:]] == ["去年草稿"]
        listing = text(logged_in(office).get(LIST_URL, {"state": AppraisalState.DRAFT}))
        assert "今年草稿" in listing and "去年草稿" in listing
        assert "今年已述职" not in listing


def seed(scale, users, evaluate):
    """The register, the published evaluations of its first three cadres (as the votes demo
    publishes them), then the appraisals."""
    from people import demo as people_demo
    from people.models import Person

    people_demo.seed(scale=scale, users={})
    for cadre in Person.objects.cadres().order_by("pk")[:3]:
        if cadre.pk not in EVALUATED:
            evaluate(cadre, [0, 0, 1, 0, 2, 0, 1])
            EVALUATED.add(cadre.pk)
    return appraisals_demo.seed(scale=scale, users=users)


EVALUATED = set()


@pytest.mark.django_db
class TestDemo:
    def test_seed_demo_seeds_the_appraisals(self):
        assert ("year-end appraisals", appraisals_demo.seed) in SEEDERS
        names = [name for name, _seeder in SEEDERS]
        # The evaluations it reads come first.
        assert names.index("votes") < names.index("year-end appraisals")

    def test_every_state_idempotent_and_scaled(self, office, clerk, evaluate):
        users = {"party": office, "clerk": clerk}
        EVALUATED.clear()
        assert seed(1, users, evaluate) > 0
        appraisals = Appraisal.objects.of_year(2026)
        assert set(appraisals.values_list("state", flat=True)) == set(AppraisalState.values)
        for appraisal in appraisals.exclude(state=AppraisalState.DRAFT):
            latest = appraisal.history.latest()
            assert latest.history_user_id == office.pk
        decided = list(appraisals.decided())
        assert {a.appointment for a in decided} == {Appointment.KEPT, Appointment.CHANGED}
        assert all(a.decision_reason and a.evaluation for a in decided)
        count = Appraisal.objects.count()

        assert seed(1, users, evaluate) == 0
        assert Appraisal.objects.count() == count

        seed(2, users, evaluate)
        assert Appraisal.objects.count() > count
        assert set(Appraisal.objects.values_list("state", flat=True)) == set(AppraisalState.values)
