"""The assessment report on known data: two cadres' records with known times and states,
inspection ratings, service days and a published year-end evaluation; the figures in the
admin page, the CSV and the XLSX, and no resident's or cadre's phone in any of them."""

import csv
import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from django.urls import reverse

from core import roles
from core.transitions import perform
from duty.factories import (
    DutyRecordFactory,
    InspectionFactory,
    InspectionRatingFactory,
    PostAssignmentFactory,
    ServiceDayFactory,
)
from duty.models import Rating, RequestCategory
from duty.report import assessment
from people.factories import PersonFactory
from tests.support import logged_in
from votes.factories import MotionFactory
from votes.models import MotionKind
from votes.services import cast

from .conftest import assert_refused_in_admin

SHANGHAI = ZoneInfo("Asia/Shanghai")
START, END = datetime.date(2025, 3, 1), datetime.date(2025, 3, 31)
REPORT = reverse("duty_assessment")
PERIOD = {"start": START.isoformat(), "end": END.isoformat()}
HEADINGS = [
    "Cadre",
    "Requests handled",
    "Median hours to answer",
    "Share resolved",
    "Referred",
    "Overdue requests",
    "Inspection ratings",
    "Service days",
    "Year-end evaluation (satisfied or basically satisfied)",
]
# Each cadre's row, as the report gives it (see ``known_data``).
ZHOU = ["周卫东", 4, 3.0, "50%", 1, 2, "good (3/3), needs improvement (1/3)", 2, "80% (5)"]
LIN = ["林晓梅", 3, 10.0, "100%", 0, 0, "adequate (2/3)", 1, "—"]


def shanghai(*args):
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def handle(record, by, clock, at, *steps, answer="", result=""):
    """``by`` takes the steps on ``record`` at the Shanghai time ``at``."""
    clock.set(shanghai(*at))
    record.answer, record.result = answer, result
    for step in steps:
        perform(record, step, by)
    return record


def record(received, category, **fields):
    return DutyRecordFactory(received_at=shanghai(*received), category=category, **fields)


@pytest.fixture
def known_data(cadre, other_cadre, supervisor, clerk, clock):
    zhou, lin = cadre.person, other_cadre.person
    zhou.phone, lin.phone = "13955550001", "13955550002"
    zhou.save()
    lin.save()
    done = {"answer": "已答复。", "result": "已解决。"}

    # 周卫东: answered after 1 h and 3 h (resolved), referred after 72 h (due within 48 h:
    # late), one still in progress long past its 72 h: 4 handled, 2 resolved, 1 referred,
    # 2 overdue, median 3 h.
    handle(
        record((2025, 3, 2, 9, 0), RequestCategory.SECURITY),
        cadre,
        clock,
        (2025, 3, 2, 10, 0),
        "take_on",
        "resolve",
        **done,
    )
    handle(
        record((2025, 3, 3, 9, 0), RequestCategory.REPAIR),
        cadre,
        clock,
        (2025, 3, 3, 12, 0),
        "resolve",
        **done,
    )
    handle(
        record((2025, 3, 4, 9, 0), RequestCategory.DISPUTE),
        cadre,
        clock,
        (2025, 3, 7, 9, 0),
        "take_on",
        "refer",
        answer="已转交司法所调解。",
    )
    handle(
        record((2025, 3, 5, 9, 0), RequestCategory.OTHER), cadre, clock, (2025, 3, 5, 10), "take_on"
    )
    # Outside the period (the day before it starts, in Shanghai): not counted.
    handle(
        record((2025, 2, 28, 23, 30), RequestCategory.REPAIR),
        cadre,
        clock,
        (2025, 3, 1, 1, 0),
        "resolve",
        **done,
    )

    # 林晓梅: answered after 12 h, 10 h and 2 h (the last received on the period's last
    # evening, Shanghai time), all resolved in time: 3 handled, median 10 h.
    handle(
        record((2025, 3, 10, 20, 0), RequestCategory.SERVICE),
        other_cadre,
        clock,
        (2025, 3, 11, 8, 0),
        "resolve",
        **done,
    )
    handle(
        record((2025, 3, 11, 20, 0), RequestCategory.REPAIR),
        other_cadre,
        clock,
        (2025, 3, 12, 6, 0),
        "take_on",
        "resolve",
        **done,
    )
    handle(
        record((2025, 3, 31, 23, 30), RequestCategory.REPAIR),
        other_cadre,
        clock,
        (2025, 4, 1, 1, 30),
        "resolve",
        **done,
    )
    handle(
        record((2025, 4, 1, 0, 30), RequestCategory.REPAIR),
        other_cadre,
        clock,
        (2025, 4, 1, 2, 0),
        "resolve",
        **done,
    )
    # Nobody took this one on: it counts for no cadre.
    record((2025, 3, 20, 9, 0), RequestCategory.REPAIR)

    # Ratings of submitted inspections that overlap the period; a draft's do not count.
    march = InspectionFactory(period_start=START, period_end=END)
    InspectionRatingFactory(inspection=march, cadre=zhou, rating=Rating.GOOD)
    InspectionRatingFactory(inspection=march, cadre=lin, rating=Rating.ADEQUATE)
    perform(march, "submit", supervisor)
    overlapping = InspectionFactory(
        period_start=datetime.date(2025, 3, 15), period_end=datetime.date(2025, 4, 15)
    )
    InspectionRatingFactory(inspection=overlapping, cadre=zhou, rating=Rating.POOR)
    perform(overlapping, "submit", supervisor)
    perform(overlapping, "acknowledge", cadre)
    draft = InspectionFactory(period_start=START, period_end=END)
    InspectionRatingFactory(inspection=draft, cadre=lin, rating=Rating.POOR)
    january = InspectionFactory(
        period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2025, 1, 31)
    )
    InspectionRatingFactory(inspection=january, cadre=lin, rating=Rating.POOR)
    perform(january, "submit", supervisor)

    # Service days in the period: two for 周卫东, one for 林晓梅.
    zhou_post = PostAssignmentFactory(person=zhou, term_start=datetime.date(2025, 1, 1))
    lin_post = PostAssignmentFactory(person=lin, term_start=datetime.date(2025, 1, 1))
    for assignment, day in [
        (zhou_post, datetime.date(2025, 3, 5)),
        (zhou_post, datetime.date(2025, 3, 20)),
        (zhou_post, datetime.date(2025, 2, 20)),
        (lin_post, datetime.date(2025, 3, 8)),
        (lin_post, datetime.date(2025, 4, 2)),
    ]:
        ServiceDayFactory(assignment=assignment, date=day)

    # The year-end evaluation of 周卫东, published: 3 satisfied, 1 basically satisfied,
    # 1 dissatisfied (80 % of 5 ballots). 林晓梅's is closed but not published: not shown.
    voters = [PersonFactory(is_representative=True) for _ in range(5)]
    clock.set(shanghai(2025, 12, 20, 10, 0))
    evaluation = MotionFactory(kind=MotionKind.EVALUATION, subject=zhou, title="周卫东年度测评")
    perform(evaluation, "open", clerk)
    options = list(evaluation.options.order_by("sort_order"))
    for voter, choice in zip(voters, [0, 0, 0, 1, 2], strict=True):
        cast(evaluation.pk, voter, options[choice].pk)
    perform(evaluation, "close", clerk)
    perform(evaluation, "publish_results", clerk)
    unpublished = MotionFactory(kind=MotionKind.EVALUATION, subject=lin, title="林晓梅年度测评")
    perform(unpublished, "open", clerk)
    cast(unpublished.pk, voters[0], unpublished.options.order_by("sort_order")[0].pk)
    perform(unpublished, "close", clerk)

    clock.set(shanghai(2025, 12, 31, 12, 0))
    return zhou, lin


def resident_phones():
    from duty.models import DutyRecord

    phones = set(DutyRecord.objects.values_list("resident_contact", flat=True))
    assert len(phones) == DutyRecord.objects.count()
    return phones


@pytest.mark.django_db
class TestTheFigures:
    def test_each_cadres_figures(self, known_data):
        zhou, lin = known_data

        figures = {figure.cadre: figure for figure in assessment(START, END)}

        assert set(figures) == {zhou, lin}
        z, n = figures[zhou], figures[lin]
        assert (z.handled, z.resolved, z.referred, z.overdue) == (4, 2, 1, 2)
        assert z.median_hours_to_answer == pytest.approx(3.0)
        assert z.share_resolved == pytest.approx(0.5)
        assert sorted(z.ratings) == [Rating.POOR, Rating.GOOD]
        assert z.mean_rating == pytest.approx(2.0)
        assert z.service_days == 2
        assert z.evaluation["ballots"] == 5
        assert z.evaluation["satisfaction"] == pytest.approx(0.8)
        assert dict(z.evaluation["counts"]) == {"满意": 3, "基本满意": 1, "不满意": 1}

        assert (n.handled, n.resolved, n.referred, n.overdue) == (3, 3, 0, 0)
        assert n.median_hours_to_answer == pytest.approx(10.0)
        assert n.share_resolved == pytest.approx(1.0)
        assert n.ratings == [Rating.ADEQUATE]
        assert n.service_days == 1
        assert n.evaluation is None

    def test_a_cadre_with_nothing_in_the_period(self, known_data, make_cadre):
        _user, idle = make_cadre("何静")

        figure = next(f for f in assessment(START, END) if f.cadre == idle)

        assert (figure.handled, figure.overdue, figure.service_days) == (0, 0, 0)
        assert figure.median_hours_to_answer is None
        assert figure.share_resolved is None
        assert figure.ratings == []
        assert figure.evaluation is None

    def test_the_open_record_becomes_overdue_only_once_its_hours_pass(self, known_data, clock):
        zhou, _lin = known_data
        # Back to the morning after it was received: within its 72 hours.
        clock.set(shanghai(2025, 3, 6, 9, 0))

        figure = next(f for f in assessment(START, END) if f.cadre == zhou)

        assert figure.overdue == 1  # only the referral answered late


@pytest.mark.django_db
class TestTheReportInTheAdmin:
    def test_shows_the_figures(self, known_data, supervisor):
        response = logged_in(supervisor).get(REPORT, PERIOD, headers={"accept-language": "en"})

        assert response.status_code == 200
        rows = [[str(cell) for cell in row] for row in response.context["rows"]]
        assert rows == [[str(cell) for cell in ZHOU], [str(cell) for cell in LIN]]
        html = response.content.decode()
        for heading in HEADINGS:
            assert heading in html
        assert "80% (5)" in html

    def test_the_csv_download(self, known_data, cadre):
        response = logged_in(cadre).get(
            REPORT, {**PERIOD, "export": "csv"}, headers={"accept-language": "en"}
        )

        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert (
            response["Content-Disposition"]
            == 'attachment; filename="assessment-2025-03-01-2025-03-31.csv"'
        )
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows == [HEADINGS, [str(cell) for cell in ZHOU], [str(cell) for cell in LIN]]

    def test_the_xlsx_download(self, known_data, supervisor):
        response = logged_in(supervisor).get(
            REPORT, {**PERIOD, "export": "xlsx"}, headers={"accept-language": "en"}
        )

        assert response.status_code == 200
        assert response["Content-Disposition"].endswith('.xlsx"')
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [[cell if cell is not None else "" for cell in row] for row in sheet.values]
        assert rows == [HEADINGS, ZHOU, LIN]

    def test_no_phone_number_in_the_report_or_its_downloads(self, known_data, supervisor):
        zhou, lin = known_data
        phones = resident_phones() | {zhou.phone, lin.phone}
        client = logged_in(supervisor)

        html = client.get(REPORT, PERIOD).content.decode()
        exported = client.get(REPORT, {**PERIOD, "export": "csv"}).content.decode("utf-8-sig")
        workbook = load_workbook(
            io.BytesIO(client.get(REPORT, {**PERIOD, "export": "xlsx"}).content)
        )
        cells = " ".join(
            str(cell)
            for sheet in workbook.worksheets
            for row in sheet.values
            for cell in row
            if cell is not None
        )

        assert "周卫东" in exported and "周卫东" in cells
        for phone in phones:
            assert phone not in html
            assert phone not in exported
            assert phone not in cells

    def test_a_period_that_ends_before_it_starts_gives_a_message(self, known_data, supervisor):
        response = logged_in(supervisor).get(
            REPORT,
            {"start": "2025-03-31", "end": "2025-03-01", "export": "csv"},
            headers={"accept-language": "en"},
        )

        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert "The period cannot end before it starts." in response.content.decode()

    def test_a_date_that_is_not_a_date_gives_a_message(self, known_data, supervisor):
        response = logged_in(supervisor).get(REPORT, {"start": "yesterday", "end": "2025-03-31"})

        assert response.status_code == 200
        assert response.context["rows"] == []

    @pytest.mark.parametrize(
        "period",
        [
            {"start": "0001-01-01", "end": "2025-03-31"},
            {"start": "2025-03-01", "end": "9999-12-31"},
            {"start": "0001-01-01", "end": "0001-01-02", "export": "csv"},
        ],
    )
    def test_a_date_out_of_range_gives_a_message(self, known_data, supervisor, period):
        response = logged_in(supervisor).get(REPORT, period, headers={"accept-language": "en"})

        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert response.context["rows"] == []
        errors = [*response.context["form"].errors.values()]
        assert errors
        for (error,) in errors:
            assert error.startswith("Choose a date between")
            assert "2000" in error and "2099" in error
            assert error in response.content.decode()

    def test_without_a_period_the_fields_show_the_year_so_far(self, known_data, supervisor):
        # known_data stops the clock on 31 December 2025 in Shanghai.
        response = logged_in(supervisor).get(REPORT, headers={"accept-language": "en"})

        html = response.content.decode()
        assert 'name="start" value="2025-01-01"' in html
        assert 'name="end" value="2025-12-31"' in html
        assert response.context["start"] == datetime.date(2025, 1, 1)
        assert response.context["end"] == datetime.date(2025, 12, 31)
        assert [row[0] for row in response.context["rows"]] == ["周卫东", "林晓梅"]

    def test_the_chosen_dates_stay_in_the_fields_in_chinese(self, known_data, supervisor):
        html = logged_in(supervisor).get(REPORT, PERIOD).content.decode()

        assert 'name="start" value="2025-03-01"' in html
        assert 'name="end" value="2025-03-31"' in html
        assert "export=csv" in html and "start=2025-03-01&amp;end=2025-03-31" in html

    def test_a_download_without_a_period_covers_the_year_so_far(self, known_data, cadre):
        response = logged_in(cadre).get(REPORT, {"export": "csv"})

        assert response["Content-Disposition"] == (
            'attachment; filename="assessment-2025-01-01-2025-12-31.csv"'
        )
        assert response.content.startswith("\ufeff".encode())

    def test_zero_is_a_number_and_nothing_is_a_dash(self, known_data, make_cadre, supervisor):
        make_cadre("何静")

        response = logged_in(supervisor).get(REPORT, PERIOD)

        idle = next(row for row in response.context["rows"] if row[0] == "何静")
        assert idle == ["何静", 0, "—", "—", 0, 0, "—", 0, "—"]
        assert "<td>0</td>" in response.content.decode()

    @pytest.mark.parametrize("group", [roles.EDITORS, roles.MODERATORS, roles.MEETING_CLERKS])
    def test_only_cadres_and_supervisors_see_it(self, known_data, make_user, group):
        client = logged_in(make_user(group))

        assert_refused_in_admin(client.get(REPORT, PERIOD))
        assert_refused_in_admin(client.get(REPORT, {**PERIOD, "export": "csv"}))
