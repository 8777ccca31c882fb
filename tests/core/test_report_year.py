"""The yearly reports of the outreach registers read their year through ``core.forms``: a year
that is not one is said so, beside the box, and nothing is downloaded."""

import pytest
from bs4 import BeautifulSoup

from django.utils import timezone

from core import roles
from tests.support import logged_in, ui

REPORTS = ["/admin/visits/four-hundred/", "/admin/volunteers/service-days/"]
WRONG = ui("zh-hans", "Give the year as four digits, from 2000 to 2099.")


@pytest.fixture
def office(make_user):
    return logged_in(make_user(roles.PARTY_OFFICE, username="party"))


def year_box(response):
    page = BeautifulSoup(response.content.decode(), "html.parser")
    return page.select_one("#id_year"), page.select_one("#year-error")


@pytest.mark.parametrize("path", REPORTS)
@pytest.mark.parametrize("asked", ["abc", "99999", "1999", "2025.5", "-2025", "二〇二五"])
def test_a_year_that_is_not_one_is_said_so(office, path, asked):
    response = office.get(path, {"year": asked})

    assert response.status_code == 400
    box, error = year_box(response)
    assert error is not None and WRONG in error.get_text()
    assert box["aria-invalid"] == "true"
    # This year's figures are shown, and say so.
    assert box["value"] == str(timezone.localdate().year)


@pytest.mark.parametrize("path", REPORTS)
@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_nothing_is_downloaded_for_a_wrong_year(office, path, export):
    response = office.get(path, {"year": "abc", "export": export})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("path", REPORTS)
def test_a_year_is_read_and_downloaded(office, path):
    page = office.get(path, {"year": "2024"})
    assert page.status_code == 200
    box, error = year_box(page)
    assert error is None and box["value"] == "2024"
    download = office.get(path, {"year": " 2024 ", "export": "csv"})
    assert download.status_code == 200
    assert "2024" in download["Content-Disposition"]


@pytest.mark.parametrize("path", REPORTS)
def test_no_year_is_this_year(office, path):
    box, error = year_box(office.get(path))
    assert error is None and box["value"] == str(timezone.localdate().year)


@pytest.mark.parametrize("path", REPORTS)
def test_full_width_digits_typed_with_a_chinese_input_method_are_read(office, path):
    box, error = year_box(office.get(path, {"year": "２０２４"}))
    assert error is None and box["value"] == "2024"
