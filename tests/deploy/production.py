"""Running code under the production settings, which read the environment when imported.

Each call is a fresh interpreter with exactly the environment it names (and none of the
variables below from the shell that runs the tests), as a gunicorn worker or `manage.py`
command of the deployed site would be.
"""

import secrets
import textwrap

from django.db import connection

from tests import servers
from tests.servers import clean_environment, printed_json, start_python

HOST = "community.example.org"


def environment(**extra):
    """What a deployed instance is given: a secret key, its host name, and ``extra``."""
    return {
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        **extra,
    }


def _env(**environment_variables):
    """This process's environment without the settings' variables, plus a deployed instance's."""
    return clean_environment(**environment(**environment_variables))


def start_django_code(code, **environment_variables):
    """``code`` (with Django set up) started under the production settings in a process of
    its own: ``printed_json`` waits for it and reads the line of JSON it prints last."""
    script = "import django, json\ndjango.setup()\n" + textwrap.dedent(code)
    return start_python(_env(**environment_variables), "-c", script)


def django_code(code, **environment_variables):
    """Run ``code`` (with Django set up) under the production settings; it prints one line of
    JSON as its last line, which is returned."""
    return printed_json(start_django_code(code, **environment_variables))


def manage(*args, **environment_variables):
    """``manage.py *args`` under the production settings; what it printed."""
    return servers.manage(_env(**environment_variables), *args)


def production_settings(*names, **environment_variables):
    """The values of the settings ``names`` that production has with this environment."""
    code = f"""
        from django.conf import settings
        print(json.dumps({{name: getattr(settings, name, None) for name in {names!r}}}, default=str))
    """
    return django_code(code, **environment_variables)


def database_url(tmp_path):
    """A database the production processes of a test share: on PostgreSQL the test database
    (the suite's connection names it once it is set up), else a SQLite file of the test's."""
    database = connection.settings_dict
    if connection.vendor == "postgresql":
        user = database["USER"] or "postgres"
        password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
        host = database["HOST"] or "127.0.0.1"
        port = database["PORT"] or 5432
        return f"postgres://{user}{password}@{host}:{port}/{database['NAME']}"
    return f"sqlite:///{tmp_path / 'shared.sqlite3'}"
