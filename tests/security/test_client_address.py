"""The client's address cannot be forged: ``X-Forwarded-For`` is believed only as far as the
proxies named in ``TRUSTED_PROXIES`` wrote it (core/net.py). The rate limits of the public
forms and the login lockout count by that address, through the real views."""

import subprocess
import sys

import pytest

from django.conf import settings
from django.test import RequestFactory

from core.net import client_ip
from duty.models import DutyRecord
from opinions.models import Opinion
from tests.deploy.production import environment, production_settings
from tests.servers import clean_environment

from .conftest import LOGIN, REQUEST_FORM, login_data, opinion_data, request_data

OPINIONS = int(settings.PUBLIC_FORM_RATE_LIMITS["opinion"].split("/")[0])
REQUESTS = int(settings.PUBLIC_FORM_RATE_LIMITS["duty_request"].split("/")[0])
# The test client's requests come from this address.
HERE = "127.0.0.1"


def address(remote, forwarded=None):
    request = RequestFactory().get(
        "/",
        REMOTE_ADDR=remote,
        **({} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}),
    )
    return client_ip(request)


class TestWhoIsTheClient:
    def test_by_default_no_proxy_is_trusted(self):
        assert settings.TRUSTED_PROXIES == []
        assert address("198.51.100.9", "203.0.113.1") == "198.51.100.9"

    def test_a_direct_client_is_itself_whatever_its_header_says(self, settings):
        settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
        # Even a header naming a trusted proxy on the right.
        for forged in ("203.0.113.1", "203.0.113.1, 10.0.0.5", "10.0.0.5"):
            assert address("198.51.100.9", forged) == "198.51.100.9"

    def test_through_a_trusted_proxy_the_address_it_saw(self, settings):
        settings.TRUSTED_PROXIES = ["10.0.0.2"]
        # The left entry is the client's own word; the right one the proxy's.
        assert address("10.0.0.2", "1.2.3.4, 203.0.113.7") == "203.0.113.7"
        assert address("10.0.0.2", "203.0.113.7") == "203.0.113.7"

    def test_a_chain_of_trusted_proxies_is_walked_from_the_right(self, settings):
        settings.TRUSTED_PROXIES = ["10.0.0.0/24", "192.0.2.10"]
        # client → 192.0.2.10 (a CDN edge) → 10.0.0.1 → 10.0.0.2 (the balancer) → the site
        forwarded = "1.2.3.4, 203.0.113.7, 192.0.2.10, 10.0.0.1"
        assert address("10.0.0.2", forwarded) == "203.0.113.7"

    def test_a_chain_of_nothing_but_trusted_proxies_ends_at_the_leftmost(self, settings):
        settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
        assert address("10.0.0.2", "10.0.0.7, 10.0.0.1") == "10.0.0.7"

    def test_a_trusted_proxy_without_a_header_is_the_client(self, settings):
        settings.TRUSTED_PROXIES = ["10.0.0.2"]
        assert address("10.0.0.2") == "10.0.0.2"
        assert address("10.0.0.2", " , ") == "10.0.0.2"

    def test_ipv6_and_mapped_addresses(self, settings):
        settings.TRUSTED_PROXIES = ["2001:db8::/32", "10.0.0.2"]
        assert address("2001:db8::1", "2001:db9::5") == "2001:db9::5"
        assert address("::ffff:10.0.0.2", "203.0.113.7") == "203.0.113.7"
        assert address("2001:db8::1", "[2001:db9::6]:443") == "2001:db9::6"

    @pytest.mark.parametrize(
        "garbage",
        [
            "unknown",
            "not an address, 203.0.113.7x",
            "203.0.113.7:8080",
            "%00\x00, '; DROP TABLE",
            "999.1.1.1",
            "," * 50,
            "a" * 5000,
            "2001:db8::1::1",
        ],
    )
    def test_garbage_gives_no_error_and_no_chosen_address(self, settings, garbage):
        settings.TRUSTED_PROXIES = ["10.0.0.2"]
        got = address("10.0.0.2", garbage)
        # The proxy's address stands for a client whose address the header does not give.
        assert got == "10.0.0.2"
        # From a client straight, the header is not even read.
        assert address("198.51.100.9", garbage) == "198.51.100.9"


@pytest.mark.django_db
class TestRateLimitsAndTheLockout:
    """Through the real views and limits: a rotating forged header changes nothing for a
    client that reaches the site straight, even with a proxy configured."""

    @pytest.fixture(autouse=True)
    def a_proxy_elsewhere(self, settings):
        # The site trusts its balancer, which these requests do not come through.
        settings.TRUSTED_PROXIES = ["10.0.0.2"]

    def test_the_opinion_limit_holds_against_a_rotating_header(self, client, topic):
        for n in range(OPINIONS):
            response = client.post(
                topic.url, opinion_data(n), HTTP_X_FORWARDED_FOR=f"198.51.100.{n}"
            )
            assert response.status_code == 302
        for forged in ("198.51.100.99", "10.0.0.2", f"203.0.113.9, {HERE}"):
            response = client.post(topic.url, opinion_data(9), HTTP_X_FORWARDED_FOR=forged)
            assert response.status_code == 429
        assert Opinion.objects.count() == OPINIONS

    def test_the_request_limit_holds_against_a_rotating_header(self, client):
        for n in range(REQUESTS):
            response = client.post(
                REQUEST_FORM, request_data(), HTTP_X_FORWARDED_FOR=f"198.51.100.{n}"
            )
            assert response.status_code == 302
        response = client.post(REQUEST_FORM, request_data(), HTTP_X_FORWARDED_FOR="192.0.2.1")
        assert response.status_code == 429
        assert DutyRecord.objects.count() == REQUESTS

    def test_the_login_lockout_holds_against_a_rotating_header(self, client, chen):
        for attempt in range(settings.AXES_FAILURE_LIMIT):
            client.post(LOGIN, login_data("wrong"), HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}")
        # Locked out, even with the right password and yet another address.
        response = client.post(LOGIN, login_data(), HTTP_X_FORWARDED_FOR="198.51.100.200")
        assert response.status_code == 429

    def test_through_the_trusted_proxy_each_resident_counts_alone(self, client, topic, settings):
        settings.TRUSTED_PROXIES = [HERE]
        for n in range(OPINIONS):
            response = client.post(
                topic.url, opinion_data(n), HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 203.0.113.5"
            )
            assert response.status_code == 302
        # The same resident, whatever they write to the left of the proxy's entry...
        response = client.post(
            topic.url, opinion_data(8), HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.5"
        )
        assert response.status_code == 429
        # ...and a neighbour behind the same proxy is not limited.
        response = client.post(topic.url, opinion_data(9), HTTP_X_FORWARDED_FOR="203.0.113.6")
        assert response.status_code == 302

    def test_through_the_trusted_proxy_the_lockout_follows_the_resident(
        self, client, chen, settings
    ):
        settings.TRUSTED_PROXIES = [HERE]
        for _attempt in range(settings.AXES_FAILURE_LIMIT):
            client.post(LOGIN, login_data("wrong"), HTTP_X_FORWARDED_FOR="203.0.113.5")
        assert (
            client.post(LOGIN, login_data(), HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
        )
        # Another resident behind the same proxy logs in.
        assert (
            client.post(LOGIN, login_data(), HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 302
        )

    def test_garbage_in_the_header_is_no_server_error(self, client, topic, settings):
        settings.TRUSTED_PROXIES = [HERE]
        for garbage in ("unknown", "\x00", "1.2.3.4.5, ::::", "a" * 2000):
            response = client.post(topic.url, opinion_data(), HTTP_X_FORWARDED_FOR=garbage)
            assert response.status_code in (302, 429)
            assert client.get(topic.url, HTTP_X_FORWARDED_FOR=garbage).status_code == 200


class TestProductionSettings:
    def test_the_proxies_come_from_the_environment(self):
        values = production_settings(
            "TRUSTED_PROXIES", TRUSTED_PROXIES=" 10.0.0.2, 10.1.0.0/16 ,,2001:db8::/32"
        )
        assert values["TRUSTED_PROXIES"] == ["10.0.0.2", "10.1.0.0/16", "2001:db8::/32"]

    @pytest.mark.parametrize(
        ("variables", "said"),
        [
            # The earlier setting believed the header from anyone: refused, not ignored.
            ({"TRUSTED_PROXY_COUNT": "1"}, "TRUSTED_PROXY_COUNT is no longer read"),
            ({"TRUSTED_PROXIES": "10.0.0.2, the-balancer"}, "TRUSTED_PROXIES"),
        ],
    )
    def test_production_refuses_to_start_with_a_wrong_setting(self, variables, said):
        result = subprocess.run(
            [sys.executable, "-c", "import cms.settings.production"],
            cwd=settings.BASE_DIR,
            env=clean_environment(**environment(**variables)),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode != 0
        assert "ImproperlyConfigured" in result.stderr
        assert said in result.stderr
