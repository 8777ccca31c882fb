import pytest

from core import roles


@pytest.fixture
def supervisor(make_user):
    return make_user(roles.SUPERVISORS, username="supervisor")


@pytest.fixture
def clerk(make_user):
    return make_user(roles.MEETING_CLERKS, username="clerk")


@pytest.fixture
def representative(make_user):
    return make_user(roles.REPRESENTATIVES, username="rep")
