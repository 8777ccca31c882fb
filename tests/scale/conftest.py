"""Two instances of the site as production runs them, sharing one PostgreSQL database and one
Redis and nothing else: each its own gunicorn (its own processes, its own memory) on its own
port, as two machines behind a load balancer would be.

The database is a fresh one, ``cms_scale_<pid>``, made as a copy of the suite's migrated test
database (PostgreSQL copies a template in under a second; migrating anew takes as long as the
suite's own migration did, minutes on a busy machine) and given only what the tests need: the demo's moderator and representative accounts
and a topic open for opinions. Redis is one database of the local server, emptied before and
after. Both are dropped at the end.
"""

import os
import secrets
import shutil
import tempfile
from pathlib import Path

import psycopg
import pytest
import redis
from psycopg import sql

from django.db import connection, connections

from tests.servers import printed_json, production_environment, serve, start_shell, stop

from .client import HOST, Instance

START_TIMEOUT = 90  # seconds
REDIS_SERVER = "redis://127.0.0.1:6379"
# The demo's password for the accounts made here: the same on both instances, of course.
PASSWORD = secrets.token_urlsafe(12)

# Run in the new database with the instances' settings: the two demo accounts the tests use
# (as ``seed_demo`` makes them) and one topic that takes opinions.
SEED = """
import json

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from blog.factories import BlogPageFactory
from blog.models import BlogKind
from home.management.commands.seed_demo import ACCOUNTS

User = get_user_model()
for username in ("moderator", "rep"):
    group, name = ACCOUNTS[username]
    user = User.objects.create_user(
        username, f"{{username}}@community.invalid", {password!r}, first_name=name
    )
    user.groups.add(Group.objects.get(name=group))
topic = BlogPageFactory(
    kind=BlogKind.TOPIC, title="小区停车难，大家怎么看？", slug="parking", takes_opinions=True
)
print(json.dumps({{"topic": topic.url}}))
"""


def _server_settings():
    """How to reach the suite's PostgreSQL server, and the name of its test database."""
    database = connection.settings_dict
    return {
        "host": database["HOST"] or "127.0.0.1",
        "port": int(database["PORT"] or 5432),
        "user": database["USER"] or "postgres",
        "password": database["PASSWORD"] or "",
    }, database["NAME"]


def _administer(server, statement):
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(statement)


@pytest.fixture(scope="package")
def scale_database(django_db_setup, django_db_blocker):
    """``DATABASE_URL`` of a fresh, migrated database of the instances' own."""
    server, template = _server_settings()
    name = f"cms_scale_{os.getpid()}"
    # A template is copied only while nobody is connected to it: the suite lets go of its
    # connections (they open again at the next test that needs one).
    with django_db_blocker.unblock():
        connections.close_all()
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    create = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
        sql.Identifier(name), sql.Identifier(template)
    )
    _administer(server, drop)
    try:
        _administer(server, create)
    except psycopg.errors.ObjectInUse:
        # A connection an earlier test's thread left open: only this suite uses its test
        # database, and Django reconnects where it needs to.
        _administer(
            server,
            sql.SQL(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = {} AND pid <> pg_backend_pid()"
            ).format(sql.Literal(template)),
        )
        _administer(server, create)
    password = f":{server['password']}" if server["password"] else ""
    try:
        yield f"postgres://{server['user']}{password}@{server['host']}:{server['port']}/{name}"
    finally:
        _administer(server, drop)


@pytest.fixture(scope="package")
def scale_redis():
    """``REDIS_URL`` of a Redis database of the instances' own (not the server's first),
    emptied before and after."""
    url = f"{REDIS_SERVER}/{1 + os.getpid() % 15}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


@pytest.fixture(scope="package")
def scale_environment(scale_database, scale_redis):
    """What every process of the instances is given, as a deployment gives it."""
    workdir = Path(tempfile.mkdtemp(prefix="cms-scale-"))
    (workdir / "static").mkdir()
    env = production_environment(workdir, scale_database, host=HOST, REDIS_URL=scale_redis)
    try:
        yield env, workdir
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _start(name, env, workdir):
    # Two workers, forked from one loaded application: processes within an instance share
    # nothing in memory either.
    server = serve(
        env, workdir / f"gunicorn-{name}.log", host=HOST, workers=2, options=["--preload"]
    )
    return Instance(name, server.port), server


@pytest.fixture(scope="package")
def running(scale_environment):
    """Instances A and B, started side by side while the database is seeded; stopped at the
    end. Gives the instances and what the seeding made."""
    env, workdir = scale_environment
    started = [_start(name, env, workdir) for name in ("A", "B")]
    try:
        # The database is given what the tests need while the instances start.
        facts = printed_json(start_shell(env, SEED.format(password=PASSWORD)))
        for _instance, server in started:
            server.wait_until_healthy(timeout=START_TIMEOUT)
        yield tuple(instance for instance, _server in started), facts
    finally:
        stop(*(server.process for _instance, server in started))


@pytest.fixture
def instances(running):
    """(A, B): ``client.Instance``s."""
    return running[0]


@pytest.fixture
def seeded(running):
    """What the database was given: ``seeded["topic"]``, the address of a topic open for
    opinions."""
    return running[1]
