"""The site served by gunicorn in a process of its own, for the tests that need real
processes (the browser tests, the page cache across processes, two instances side by side),
the environment such a process starts from, and ``manage.py`` run beside it."""

import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]

# Variables the settings read: a process of the site is given exactly those it needs, never
# what the shell running the tests happens to have set.
SETTINGS_ENVIRONMENT = (
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "PYTEST_ADDOPTS",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "REDIS_URL",
    "MEDIA_ROOT",
    "STATIC_ROOT",
    "TRUSTED_PROXIES",
    # No longer read (production refuses it): never handed on from the shell.
    "TRUSTED_PROXY_COUNT",
    "WAGTAILADMIN_BASE_URL",
    "CACHE_MAX_ENTRIES",
    "PAGE_CACHE_SECONDS",
    "CMS_TEST_CACHE",
    "CMS_TEST_TWO_FACTOR",
    "EMAIL_BACKEND",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_REGION_NAME",
    "AWS_S3_CUSTOM_DOMAIN",
    "AWS_LOCATION",
    "AWS_QUERYSTRING_AUTH",
)


def clean_environment(**variables):
    """This process's environment without any of ``SETTINGS_ENVIRONMENT``, plus ``variables``."""
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS_ENVIRONMENT}
    env.update(variables)
    return env


def production_environment(workdir, database_url, *, host="127.0.0.1", **variables):
    """What a process of the site is given to run as production runs it
    (``tests.scale.settings``: production's settings, static files served from the apps): the
    database at ``database_url``, its files under ``workdir``, mail kept in the process (no mail
    server here), and one proxy in front (``host``, this machine) that sends each visitor's
    address in ``X-Forwarded-For``; ``variables`` added or put in place of these."""
    return clean_environment(
        **{
            "DJANGO_SETTINGS_MODULE": "tests.scale.settings",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": host,
            "DATABASE_URL": database_url,
            "TRUSTED_PROXIES": host,
            "MEDIA_ROOT": str(Path(workdir) / "media"),
            "STATIC_ROOT": str(Path(workdir) / "static"),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "PYTHONUNBUFFERED": "1",
            **variables,
        }
    )


def start_manage(env, *arguments):
    """``manage.py *arguments`` with ``env``, started in a process of its own and left running
    (the site can start meanwhile): ``finish`` waits for it."""
    return start_python(env, "manage.py", *arguments)


def start_python(env, *arguments):
    """``python *arguments`` in the project's folder with ``env``, as ``start_manage``."""
    return subprocess.Popen(
        [sys.executable, *arguments],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process, timeout=300):
    """What ``process`` (of ``start_manage``) printed, once it has ended well; killed if it is
    still running after ``timeout`` seconds."""
    try:
        out, errors = process.communicate(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, errors
    return out


def manage(env, *arguments, timeout=300):
    """``manage.py *arguments`` with ``env``, to its end; what it printed."""
    return finish(start_manage(env, *arguments), timeout)


def start_shell(env, code):
    """``code`` run by ``manage.py shell`` with ``env``, as ``start_manage`` runs it."""
    return start_manage(env, "shell", "--no-imports", "-v", "0", "-c", code)


def printed_json(process, timeout=300):
    """The last line ``process`` printed (a seed made by ``start_shell`` prints what it made as
    one line of JSON), read as JSON once the process has ended well."""
    return json.loads(finish(process, timeout).strip().splitlines()[-1])


# The suite's own test database as migrate left it, when it is SQLite (in memory): copied by
# ``keep_migrated`` as soon as pytest-django has made it (``tests/conftest.py``), before any
# test runs. By the time a site is started later in the run the database itself may no longer
# be as migrated: a transactional test empties it as it ends, and those run before the tests
# that use no database (the browser tests).
_migrated = []


def keep_migrated(connection):
    """Keep a copy of ``connection``'s database, just migrated, if it is the suite's test
    database on SQLite (pytest-django makes none when no test of the run asks for it)."""
    name = Path(str(connection.settings_dict["NAME"])).name
    if connection.vendor != "sqlite" or not (
        connection.is_in_memory_db() or name.startswith("test")
    ):
        return
    connection.ensure_connection()
    kept = sqlite3.connect(":memory:", check_same_thread=False)
    connection.connection.backup(kept)
    _migrated[:] = [kept]


def copy_migrated(path):
    """Make the SQLite file ``path`` a migrated database, a copy of the one ``keep_migrated``
    kept (the suite's cache is in memory: it holds no cache table); ``False`` when none was
    kept (the suite runs on PostgreSQL, or no test of the run asked for its database)."""
    if not _migrated:
        return False
    target = sqlite3.connect(path)
    try:
        _migrated[0].backup(target)
    finally:
        target.close()
    return True


def free_port(host="127.0.0.1"):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def start_gunicorn(env, log_path, *, host="127.0.0.1", port, workers=1, options=()):
    """``gunicorn cms.wsgi`` on ``host:port`` with ``env``, its output in ``log_path``."""
    with open(log_path, "w") as log:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "cms.wsgi",
                "--bind",
                f"{host}:{port}",
                "--workers",
                str(workers),
                *options,
                "--timeout",
                "120",
                # Stopped at the end of the run: idle workers need not wait long.
                "--graceful-timeout",
                "2",
                "--error-logfile",
                "-",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


@dataclass
class Server:
    """A gunicorn of the site (``serve``): its process, where it listens, its log."""

    process: subprocess.Popen
    host: str
    port: int
    log_path: Path

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    def wait_until_healthy(self, timeout=90):
        wait_until_healthy(self.url, self.process, self.log_path, timeout)


def serve(env, log_path, *, host="127.0.0.1", **gunicorn):
    """``start_gunicorn`` on a free port of ``host`` (``gunicorn``: its other arguments); the
    ``Server``, not yet waited for."""
    port = free_port(host)
    process = start_gunicorn(env, log_path, host=host, port=port, **gunicorn)
    return Server(process, host, port, Path(log_path))


def wait_until_healthy(url, server, log_path, timeout=90):
    """Until ``url`` + ``/healthz`` answers 200 (plain HTTP, exempt from the redirect to
    HTTPS); the server's log in the error if it never does."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:
                if response.status == 200:
                    return
                last_error = f"HTTP {response.status}"
        except (urllib.error.URLError, OSError) as error:
            last_error = error
        time.sleep(0.2)
    log = Path(log_path).read_text(errors="replace")[-4000:] if Path(log_path).exists() else ""
    raise RuntimeError(
        f"the site at {url} did not answer /healthz with 200 "
        f"(exit code {server.poll()}, last error {last_error})\n--- gunicorn log\n{log}"
    )


def stop(*servers):
    """SIGINT, gunicorn's quick shutdown, to all at once; killed if one lingers."""
    for server in servers:
        server.send_signal(signal.SIGINT)
    for server in servers:
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)
