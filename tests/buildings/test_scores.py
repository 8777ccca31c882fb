"""An assessment's scores: entered on one form (the step "Enter the scores"), each at most
its standard's maximum, only for standards of an active category, summed per assessment and
per category, and fixed once the assessment is confirmed."""

from decimal import Decimal

import pytest

from django.core.exceptions import ValidationError
from django.urls import reverse

from buildings.factories import AssessmentFactory, ScoreFactory
from buildings.models import Assessment, Score, ScoresFixed
from core.transitions import TransitionRefused, perform
from tests.support import logged_in, ui

pytestmark = pytest.mark.django_db


def step_url(assessment, name):
    return reverse("wagtailsnippets_buildings_assessment:transition", args=[assessment.pk, name])


def form_data(standards, scores, reason=""):
    data = {"reason": reason}
    for standard, value in zip(standards, scores, strict=True):
        data[f"score_{standard.pk}"] = "" if value is None else str(value)
        data[f"evidence_{standard.pk}"] = f"{standard.text}的记录"
    return data


class TestTotals:
    def test_the_total_sums_every_score(self, make_assessment):
        assessment = make_assessment(scores=[8, Decimal("4.5"), 9])

        assert assessment.total() == Decimal("21.5")

    def test_the_totals_per_category_follow_the_categories(self, make_assessment, standards):
        assessment = make_assessment(scores=[8, 5, 9])

        totals = assessment.category_totals()

        assert [(str(category), total) for category, total in totals.items()] == [
            (str(standards[0].category), Decimal("13")),
            (str(standards[2].category), Decimal("9")),
        ]

    def test_the_listing_annotates_each_total_in_one_query(
        self, make_assessment, django_assert_num_queries
    ):
        first = make_assessment(scores=[8, 5, 9])
        second = make_assessment(scores=[1, 1, None])
        empty = AssessmentFactory()

        with django_assert_num_queries(1):
            totals = {a.pk: a.total_score for a in Assessment.objects.with_total()}

        assert totals == {first.pk: Decimal("22"), second.pk: Decimal("2"), empty.pk: 0}


class TestBoundaries:
    def test_a_score_equal_to_the_maximum_is_kept(self, standards):
        score = ScoreFactory.build(assessment=AssessmentFactory(), standard=standards[1], score=5)

        score.full_clean()
        score.save()

        assert Score.objects.get().score == 5

    def test_a_score_over_the_maximum_is_refused_with_a_clear_message(self, standards):
        score = ScoreFactory.build(
            assessment=AssessmentFactory(), standard=standards[1], score=Decimal("5.1")
        )

        with pytest.raises(ValidationError) as refused:
            score.full_clean()

        assert refused.value.message_dict["score"] == [
            ui("zh-hans", "The score for “%(standard)s” is over its maximum of %(maximum)s.")
            % {"standard": "学习讲座", "maximum": 5}
        ]

    def test_a_standard_of_an_inactive_category_is_refused(self, standards):
        category = standards[2].category
        category.active = False
        category.save()
        score = ScoreFactory.build(assessment=AssessmentFactory(), standard=standards[2], score=1)

        with pytest.raises(ValidationError) as refused:
            score.full_clean()

        assert "standard" in refused.value.message_dict
        assert "消防通道畅通" in refused.value.message_dict["standard"][0]

    def test_the_step_refuses_a_score_over_the_maximum(self, make_assessment, office, standards):
        assessment = make_assessment(scores=[None, None, None])

        with pytest.raises(ValidationError):
            perform(assessment, "enter_scores", office, scores={standards[0]: (11, "")})

        assert not Score.objects.exists()


class TestTheScoresForm:
    def test_the_office_enters_every_score_on_one_form(self, office, standards):
        assessment = AssessmentFactory()
        client = logged_in(office)

        page = client.get(step_url(assessment, "enter_scores"))
        response = client.post(
            step_url(assessment, "enter_scores"), form_data(standards, [10, 5, 0])
        )

        assert page.status_code == 200
        assert "读书角" in page.content.decode()
        assert response.status_code == 302
        scores = {s.standard.text: s.score for s in assessment.scores.select_related("standard")}
        assert scores == {"读书角": 10, "学习讲座": 5, "消防通道畅通": 0}
        assert assessment.scores.get(standard=standards[0]).evidence == "读书角的记录"

    def test_one_point_over_the_maximum_is_shown_and_nothing_is_kept(self, office, standards):
        assessment = AssessmentFactory()
        client = logged_in(office)

        response = client.post(
            step_url(assessment, "enter_scores"), form_data(standards, [10, 6, 0])
        )

        assert response.status_code == 200
        message = ui(
            "zh-hans", "The score for “%(standard)s” is over its maximum of %(maximum)s."
        ) % {"standard": "学习讲座", "maximum": 5}
        assert message in response.content.decode().replace("&ldquo;", "“").replace("&rdquo;", "”")
        assert not Score.objects.exists()

    def test_a_score_left_empty_is_removed(self, office, standards, make_assessment):
        assessment = make_assessment(scores=[8, 5, 9])

        logged_in(office).post(
            step_url(assessment, "enter_scores"), form_data(standards, [8, None, 9])
        )

        assert sorted(assessment.scores.values_list("standard__text", flat=True)) == [
            "消防通道畅通",
            "读书角",
        ]

    def test_the_form_offers_no_standard_of_an_inactive_category(self, office, standards):
        category = standards[2].category
        category.active = False
        category.save()

        response = logged_in(office).get(step_url(AssessmentFactory(), "enter_scores"))

        assert f"score_{standards[0].pk}" in response.content.decode()
        assert f"score_{standards[2].pk}" not in response.content.decode()


class TestFixedOnceConfirmed:
    def test_a_confirmed_assessments_score_is_not_changed(self, make_assessment):
        assessment = make_assessment("confirmed")
        score = assessment.scores.first()
        score.score = 1

        with pytest.raises(ScoresFixed):
            score.save()

        score.refresh_from_db()
        assert score.score != 1

    def test_nor_deleted(self, make_assessment):
        assessment = make_assessment("confirmed")

        with pytest.raises(ScoresFixed):
            assessment.scores.first().delete()

        assert assessment.scores.count() == 3

    def test_nor_added(self, make_assessment, standards):
        assessment = make_assessment("confirmed", scores=[8, 5])

        with pytest.raises(ScoresFixed):
            Score.objects.create(assessment=assessment, standard=standards[2], score=1)

    def test_the_step_is_not_offered_once_submitted(self, make_assessment, office, standards):
        assessment = make_assessment("submitted")

        with pytest.raises(TransitionRefused):
            perform(assessment, "enter_scores", office, scores={standards[0]: (1, "")})

        assert assessment.scores.get(standard=standards[0]).score == 8
