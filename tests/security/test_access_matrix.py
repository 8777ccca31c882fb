"""The access matrix (``tests/security/access_matrix.py``) tried against the site.

Every URL pattern, as every role, by GET; by POST as the roles the matrix names (visitors and
representatives by default, with nothing in the form). One world is built for the module, each
role logs in once; a role's requests run in one test, so that what one role's request changes
is rolled back before the next role's.
"""

import json
import os
import sys
import time
from urllib.parse import urlsplit

import pytest

from django.test import Client

from tests.security import access_matrix as matrix
from tests.security.access_fixture import address, build, walk
from tests.support import kept_for_the_scope

LOGIN_PATHS = ("/admin/login/", "/accounts/login/", "/_util/login/")
LOGOUT_PATHS = ("/admin/logout/", "/accounts/logout/")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    yield from kept_for_the_scope(django_db_blocker, build)


@pytest.fixture(scope="module")
def timings():
    """How long each role's requests took, written at the end of the module's run (``-s``
    shows it): the figure docs/security.md quotes."""
    taken = []
    yield taken
    sys.stdout.write("\n" + "\n".join(taken) + "\n")


def outcome(response, path):
    """What a response means for the matrix (see the outcomes in ``access_matrix``)."""
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        target = urlsplit(response["Location"]).path
        if target.startswith(LOGIN_PATHS):
            return matrix.LOGIN
        if target == "/admin/" and path != "/admin/":
            # Wagtail's admin answers a refused view by sending the user to the dashboard.
            return matrix.DENIED
        if target == urlsplit(path).path:
            return matrix.OK
        return matrix.REDIRECT
    return {
        200: matrix.OK,
        400: matrix.BAD,
        403: matrix.DENIED,
        404: matrix.NOT_FOUND,
        405: matrix.NOT_ALLOWED,
    }.get(status, str(status))


def test_every_pattern_has_a_rule():
    """A view nobody wrote into the matrix fails here: add its rule (or exception)."""
    missing = sorted({p.route for p in walk() if matrix.rule_for(p.route, p.name) is None})
    assert not missing, "URL patterns missing from tests/security/access_matrix.py:\n" + (
        "\n".join(missing)
    )


def test_every_exception_names_a_pattern():
    """An exception for a route that no longer exists is stale: remove it."""
    known = {p.route for p in walk()} | {p.name for p in walk()}
    assert not sorted(set(matrix.EXCEPTIONS) - known)


def test_a_skipped_pattern_says_why():
    for route, rule in matrix.EXCEPTIONS.items():
        assert rule.skip is not True, route


def family(route):
    """Patterns that differ only by the snippet model they serve are one family."""
    parts = route.split("/")
    if route.startswith("admin/snippets/choose/") and len(parts) > 5:
        return "/".join(["admin/snippets/choose/*/*", *parts[5:]])
    if route.startswith("admin/snippets/") and len(parts) > 4:
        return "/".join(["admin/snippets/*/*", *parts[4:]])
    return route


def plan(patterns):
    """The logged-in roles that request each pattern in the sampled run, by route.

    A pattern of its own is requested by one logged-in role, turn by turn through the roles;
    a family of snippet patterns (one view class, many models) by every role, each role on
    another model, its other models by visitors only; the patterns the matrix names in
    ``EVERY_ROLE`` by every role."""
    logged_in = [role for role in matrix.ROLES if role != matrix.ANONYMOUS]
    families = {}
    for pattern in patterns:
        families.setdefault(family(pattern.route), []).append(pattern.route)
    roles_of, turn = {}, 0
    for number, members in enumerate(families.values()):
        if len(members) >= len(logged_in):
            for offset, role in enumerate(logged_in):
                route = members[(number + offset) % len(members)]
                roles_of.setdefault(route, set()).add(role)
            continue
        for route in members:
            roles_of.setdefault(route, set()).add(logged_in[turn % len(logged_in)])
            turn += 1
    for pattern in patterns:
        if pattern.route.startswith(matrix.EVERY_ROLE):
            roles_of[pattern.route] = set(logged_in)
    return roles_of


FULL = os.environ.get("ACCESS_MATRIX") == "full"


def cells(role, world):
    """(pattern, path, method, expected) for ``role`` as the matrix says: every cell with
    ``ACCESS_MATRIX=full``, else every pattern as visitors and the sample of ``plan``."""
    patterns = list(walk())
    planned = plan(patterns)
    for pattern in patterns:
        rule = matrix.rule_for(pattern.route, pattern.name)
        if rule is None or rule.skip:
            continue
        if not (FULL or role == matrix.ANONYMOUS or role in planned.get(pattern.route, ())):
            continue
        path = rule.path(world) if callable(rule.path) else rule.path
        path = path or address(pattern, world, rule.kwargs)
        assert path, f"{pattern.route}: an argument has no value; give it in the rule's kwargs"
        yield pattern, path, "get", matrix.expect(rule.get, role, pattern.model)
        if role in rule.post_roles and pattern.accepts_post:
            post = rule.get if rule.post is None else rule.post
            yield pattern, path, "post", matrix.expect(post, role, pattern.model)


@pytest.mark.parametrize("role", matrix.ROLES)
@pytest.mark.search_index
def test_the_matrix(world, db, role, timings):
    client = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    user = world["users"].get(role)
    if user is not None:
        client.force_login(user)
    differ, seen = [], {}
    started = time.monotonic()
    for pattern, path, method, expected in cells(role, world):
        response = getattr(client, method)(path)
        got = outcome(response, path)
        seen[f"{method.upper()} {pattern.route}"] = got
        if got not in (expected if isinstance(expected, tuple) else (expected,)):
            differ.append(f"{method.upper()} {path} ({pattern.route}): {got}, expected {expected}")
        if user is not None and path.startswith(LOGOUT_PATHS):
            client.force_login(user)
    # ``ACCESS_MATRIX_DUMP=/tmp/matrix`` writes each role's answers (``/tmp/matrix-<role>.json``),
    # to read when writing the rules of a new area.
    if os.environ.get("ACCESS_MATRIX_DUMP"):
        with open(f"{os.environ['ACCESS_MATRIX_DUMP']}-{role}.json", "w") as out:
            json.dump(seen, out, indent=0, ensure_ascii=False)
    timings.append(f"{role}: {len(seen)} requests in {time.monotonic() - started:.1f}s")
    assert not differ, f"{len(differ)} cells differ for {role}:\n" + "\n".join(differ)
