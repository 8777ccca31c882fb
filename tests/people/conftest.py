import pytest

from core import roles


@pytest.fixture
def party_office(make_user):
    """A user in the Party affairs office (党务办公室)."""
    return make_user(roles.PARTY_OFFICE, username="party")
