"""``duty.api``: the duty assessment of one cadre for one calendar year, as the year-end
appraisal sheet reads it, on the known data of the assessment report's tests."""

import datetime

import pytest

from duty.api import cadre_assessment, cadre_assessments
from duty.factories import DutyRecordFactory
from duty.models import Rating, RequestCategory
from duty.report import assessment

from .test_assessment import handle, known_data, record  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def test_a_cadres_year(known_data):  # noqa: F811
    zhou, lin = known_data

    z = cadre_assessment(zhou, 2025)

    # The whole year: March's four and the one of the 28th of February (answered in 1.5 h).
    assert (z.cadre, z.year) == (zhou, 2025)
    assert (z.handled, z.resolved, z.referred, z.overdue) == (5, 3, 1, 2)
    assert z.median_hours_to_answer == pytest.approx(2.25)  # of 1, 1.5, 3 and 72 hours
    assert z.share_resolved == pytest.approx(0.6)
    assert z.ratings == (Rating.GOOD, Rating.POOR)
    assert z.mean_rating == pytest.approx(2.0)
    assert z.rating_labels == [(Rating.GOOD.label, 3, 3), (Rating.POOR.label, 1, 3)]
    assert z.service_days == 3

    n = cadre_assessment(lin, 2025)
    # April's request counts for the year; the draft inspection's rating does not.
    assert (n.handled, n.resolved, n.referred, n.overdue) == (4, 4, 0, 0)
    assert n.median_hours_to_answer == pytest.approx(6.0)  # of 1.5, 2, 10 and 12 hours
    assert n.ratings == (Rating.ADEQUATE, Rating.POOR)
    assert n.service_days == 2


def test_another_year_has_nothing(known_data):  # noqa: F811
    zhou, _lin = known_data

    figure = cadre_assessment(zhou, 2024)

    assert (figure.handled, figure.overdue, figure.service_days) == (0, 0, 0)
    assert figure.median_hours_to_answer is None
    assert figure.share_resolved is None
    assert figure.ratings == ()
    assert figure.mean_rating is None


def test_the_year_ends_at_midnight_in_shanghai(cadre, clock):
    person = cadre.person
    handle(
        record((2025, 12, 31, 23, 30), RequestCategory.REPAIR),
        cadre,
        clock,
        (2026, 1, 1, 0, 30),
        "resolve",
        answer="已答复。",
        result="已解决。",
    )
    handle(
        record((2026, 1, 1, 0, 30), RequestCategory.REPAIR),
        cadre,
        clock,
        (2026, 1, 1, 1, 30),
        "resolve",
        answer="已答复。",
        result="已解决。",
    )

    assert cadre_assessment(person, 2025).handled == 1
    assert cadre_assessment(person, 2026).handled == 1


def test_the_figures_are_the_reports_for_the_year(known_data):  # noqa: F811
    """The report (which also reads the evaluation) and the API agree, cadre by cadre."""
    zhou, lin = known_data
    year = assessment(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    api = cadre_assessments([zhou, lin], 2025)
    for figure in year:
        mine = api[figure.cadre.pk]
        assert (mine.handled, mine.resolved, mine.referred, mine.overdue) == (
            figure.handled,
            figure.resolved,
            figure.referred,
            figure.overdue,
        )
        assert mine.service_days == figure.service_days
        assert sorted(mine.ratings) == sorted(figure.ratings)


def test_one_cadre_costs_four_queries_however_much_there_is(
    known_data,  # noqa: F811
    other_cadre,
    django_assert_num_queries,
):
    zhou, _lin = known_data
    DutyRecordFactory.create_batch(30, handled_by=other_cadre.person)

    with django_assert_num_queries(4) as captured:
        cadre_assessment(zhou, 2025)

    # Only this cadre's rows are read, not everyone's.
    assert all(str(zhou.pk) in query["sql"] for query in captured.captured_queries)


def test_many_cadres_cost_the_same(known_data, make_cadre, django_assert_num_queries):  # noqa: F811
    zhou, lin = known_data
    others = [make_cadre(f"干部{n}")[1] for n in range(10)]

    with django_assert_num_queries(4):
        figures = cadre_assessments([zhou, lin, *others], 2025)

    assert set(figures) == {zhou.pk, lin.pk, *(person.pk for person in others)}
    assert figures[others[0].pk].handled == 0
