"""A burst from one client across two instances (issue 16): fifty opinions on one topic and
fifty service requests from one address (ten times the limits and more), many at the same
moment, sent in turn through instance A and instance B (each two worker processes; one
PostgreSQL and one Redis between them, ``conftest.py``). The site keeps the limit
(``PUBLIC_FORM_RATE_LIMITS``) once for both instances, publishes none of it before moderation,
tells the others how long to wait, and still serves another resident. The burst of a hundred
of each on one instance without Redis: ``tests/security/test_abuse_burst.py``.
"""

import itertools
import logging
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from django_ratelimit.core import _split_rate

from django.conf import settings

from tests.security.conftest import (
    REQUEST_FORM,
    WAIT_FOR_OPINIONS,
    WAIT_FOR_REQUESTS,
    opinion_data,
    request_data,
)

from .client import Visitor, an_address_with_time_left, send_form

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db]

BURST = 50  # of each form: the burst of tests/security/test_abuse_burst.py, halved to be quick
AT_ONCE = 16
MARGIN = 240  # seconds left in both windows of the client's limits (an_address_with_time_left)
logger = logging.getLogger(__name__)

# Documentation addresses (RFC 5737) of their own: the other tests use 203.0.113.0/24.
ADDRESSES = (f"192.0.2.{n}" for n in itertools.count(1))


def test_a_burst_through_both_keeps_the_limit_once(instances, seeded, scale_database):
    # The limits are the base settings', which production keeps.
    opinion_limit, opinion_period = _split_rate(settings.PUBLIC_FORM_RATE_LIMITS["opinion"])
    request_limit, request_period = _split_rate(settings.PUBLIC_FORM_RATE_LIMITS["duty_request"])
    address = an_address_with_time_left(ADDRESSES, (opinion_period, request_period), MARGIN)
    topic = seeded["topic"]
    forms = []
    for n in range(BURST):
        forms.append(("opinion", topic, opinion_data(n, body=f"连发{n}：夜里开放临时车位。")))
        forms.append(("request", REQUEST_FORM, request_data(request=f"连发{n}：楼道灯不亮。")))

    def post(numbered):
        number, (kind, path, data) = numbered
        # A and B in turn, as a balancer spreads one visitor's requests.
        return kind, data, send_form(instances[number // 2 % 2], address, path, data)

    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
        answers = list(pool.map(post, enumerate(forms)))
    # Not asserted: the figure for docs/security.md (pytest -o log_cli=true --log-cli-level=INFO).
    logger.info(
        "%d opinions and %d requests through A and B in %.1f s",
        BURST,
        BURST,
        time.monotonic() - began,
    )

    assert {answer.status for _kind, _data, answer in answers} <= {302, 429}
    kept = {"opinion": set(), "request": set()}
    for kind, data, answer in answers:
        text = data["body"] if kind == "opinion" else data["request"]
        if answer.status == 302:
            kept[kind].add(text)
            continue
        wait = WAIT_FOR_OPINIONS if kind == "opinion" else WAIT_FOR_REQUESTS
        assert wait.search(answer.text), answer.text[-2000:]
        assert text in answer.text
    assert len(kept["opinion"]) == opinion_limit
    assert len(kept["request"]) == request_limit

    # What was kept is in the database, and no opinion of it is published.
    with psycopg.connect(scale_database.replace("postgres://", "postgresql://", 1)) as db:
        states = db.execute(
            "SELECT body, state FROM opinions_opinion WHERE body LIKE '连发%%'"
        ).fetchall()
        filed = db.execute(
            "SELECT request FROM duty_dutyrecord WHERE request LIKE '连发%%'"
        ).fetchall()
    assert {body for body, _state in states} == kept["opinion"]
    assert {state for _body, state in states} == {"pending"}
    assert {text for (text,) in filed} == kept["request"]
    for instance in instances:
        page = Visitor(next(ADDRESSES)).get(instance, topic)
        assert page.status == 200
        assert "连发" not in page.text

    # Another resident is served through either; the burst's client is still held back.
    other = next(ADDRESSES)
    a, b = instances
    assert send_form(a, other, topic, opinion_data(body="另一位居民。")).status == 302
    assert (
        send_form(b, other, REQUEST_FORM, request_data(request="另一位居民：路灯坏了。")).status
        == 302
    )
    assert send_form(b, address, topic, opinion_data(body="还想再说。")).status == 429
