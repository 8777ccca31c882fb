"""Running code under the production settings, which read the environment when imported.

Each call is a fresh interpreter with exactly the environment it names (and none of the
variables below from the shell that runs the tests), as a gunicorn worker or `manage.py`
command of the deployed site would be.
"""

import json
import secrets
import subprocess
import sys
import textwrap

from django.conf import settings
from django.db import connection

from tests.servers import clean_environment

HOST = "community.example.org"


def environment(**extra):
    """What a deployed instance is given: a secret key, its host name, and ``extra``."""
    return {
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        **extra,
    }


def run(*args, timeout=180, **environment_variables):
    """``python *args`` in the project's folder with the production ``environment``."""
    env = clean_environment(**environment(**environment_variables))
    result = subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr
    return result


def manage(*args, **environment_variables):
    """``manage.py *args`` under the production settings."""
    return run("manage.py", *args, **environment_variables)


def _command(args, environment_variables):
    return [sys.executable, *args], clean_environment(**environment(**environment_variables))


def start_django_code(code, **environment_variables):
    """``django_code`` started in the background: give the process to ``finish``."""
    script = "import django, json\ndjango.setup()\n" + textwrap.dedent(code)
    command, env = _command(["-c", script], environment_variables)
    return subprocess.Popen(
        command,
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process, timeout=180):
    """Wait for a process of ``start_django_code``; the JSON of its last line."""
    stdout, stderr = process.communicate(timeout=timeout)
    assert process.returncode == 0, stderr
    return json.loads(stdout.strip().splitlines()[-1])


def django_code(code, **environment_variables):
    """Run ``code`` (with Django set up) under the production settings; it prints one line of
    JSON as its last line, which is returned."""
    script = "import django, json\ndjango.setup()\n" + textwrap.dedent(code)
    result = run("-c", script, **environment_variables)
    return json.loads(result.stdout.strip().splitlines()[-1])


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
    if database["ENGINE"] == "django.db.backends.postgresql":
        user = database["USER"] or "postgres"
        password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
        host = database["HOST"] or "127.0.0.1"
        port = database["PORT"] or 5432
        return f"postgres://{user}{password}@{host}:{port}/{database['NAME']}"
    return f"sqlite:///{tmp_path / 'shared.sqlite3'}"
