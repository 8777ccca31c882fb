"""An id no integer column can hold, given to ``in`` (an admin listing's filter of several
choices), matches nothing and is no server error (``core/lookups.py``)."""

import pytest

from django.urls import reverse

from cobuilding.factories import JointActivityFactory, PartnerFactory
from cobuilding.models import JointActivity, Partner

TOO_LARGE = 10**40
TOO_SMALL = -(10**40)


@pytest.mark.django_db
def test_in_leaves_out_what_no_row_can_hold():
    partner = PartnerFactory()
    assert list(Partner.objects.filter(pk__in=[TOO_LARGE])) == []
    assert list(Partner.objects.filter(pk__in=[TOO_SMALL, partner.pk, TOO_LARGE])) == [partner]
    assert list(Partner.objects.exclude(pk__in=[TOO_LARGE])) == [partner]
    # As text, as a query string gives it, and through a relation.
    assert list(Partner.objects.filter(pk__in=[str(TOO_LARGE)])) == []
    activity = JointActivityFactory(partners=[partner])
    assert list(JointActivity.objects.filter(partners__pk__in=[TOO_LARGE, partner.pk])) == [
        activity
    ]


@pytest.mark.django_db
def test_a_listing_filtered_by_an_id_too_large_says_so(client, superuser):
    partner = PartnerFactory(name="辖区医院")
    JointActivityFactory(partners=[partner])
    client.force_login(superuser)
    url = reverse(JointActivity.snippet_viewset.get_url_name("list"))

    response = client.get(url, {"partners": str(TOO_LARGE)})

    assert response.status_code == 200
    assert "partners" in response.context["filters"].errors
    assert client.get(url, {"partners": partner.pk}).status_code == 200
