"""The site served by gunicorn in a process of its own, for the tests that need real
processes (the browser tests, the page cache across processes, two instances side by side),
and the environment such a process starts from."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
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
