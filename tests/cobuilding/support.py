"""What the co-building tests share: the listings' addresses and the roles that may not
touch the registers."""

import pytest

from core import roles

PARTNERS = "/admin/snippets/cobuilding/partner/"
AGREEMENTS = "/admin/snippets/cobuilding/agreement/"
ACTIVITIES = "/admin/snippets/cobuilding/jointactivity/"
ORGANISATIONS = "/admin/snippets/cobuilding/neworganisation/"
VISITS = "/admin/snippets/cobuilding/guidancevisit/"
LISTINGS = [PARTNERS, AGREEMENTS, ACTIVITIES, ORGANISATIONS, VISITS]


def transition_url(base, record, name):
    return f"{base}{record.pk}/transition/{name}/"


def refused(response):
    """Refused as Wagtail's admin refuses: 403, or back to the dashboard (or the login)."""
    if response.status_code == 403:
        return True
    return response.status_code == 302 and response["Location"].split("?")[0].rstrip("/") in (
        "/admin",
        "/admin/login",
    )


@pytest.fixture
def office(make_user):
    return make_user(roles.PARTY_OFFICE, username="party-office")


@pytest.fixture
def wrong_users(editor, moderator, clerk, make_user, supervisor):
    """Everyone who may not change the registers (supervisors read them)."""
    return [editor, moderator, clerk, make_user(roles.DUTY_CADRES, username="duty"), supervisor]
