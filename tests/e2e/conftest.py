"""Browser tests: the real site under gunicorn, driven by Debian's chromium through Playwright.

The site runs in its own process on its own SQLite database (a temporary directory, seeded
with ``seed_demo``); these tests never use pytest-django's test database, but when the run has
made it on SQLite (another test asked for it) the site's database starts as a copy of it as
migrated (``copy_migrated``), rather than being migrated again. The commands the tests run
against the site's database (``manage_shell``) are run by one ``manage.py`` kept running
beside the site (``tests.manage_process``). Every test in this folder is marked ``e2e``:
``pytest -m "not e2e"`` leaves them out.

Outside CI, a machine without ``/usr/bin/chromium`` skips these tests with a reason; under
``CI=true`` that is a failure, as is any other skip in this folder.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.e2e.support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DEFAULT_LOCALE,
    DEMO_PASSWORD,
    check_axe,
    in_ci,
)
from tests.manage_process import ManageProcess
from tests.servers import (
    clean_environment,
    copy_migrated,
    free_port,
    start_gunicorn,
    stop,
    wait_until_healthy,
)

__all__ = ["check_axe"]

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SERVER_START_TIMEOUT = 60  # seconds
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
E2E_DIR = Path(__file__).resolve().parent


def _in_e2e(item):
    return E2E_DIR in Path(str(item.fspath)).resolve().parents


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Every test in this folder is a browser test, whatever its module says."""
    for item in items:
        if _in_e2e(item):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI=true nothing in this folder may be skipped: a skip is reported as a failure."""
    outcome = yield
    report = outcome.get_result()
    if in_ci() and report.skipped and _in_e2e(item) and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"CI=true: browser tests may not be skipped ({reason})"


# --- The site ---------------------------------------------------------------------------


class E2ESite:
    """The running site: its address, and ``manage.py`` against its database."""

    def __init__(self, url, env, workdir):
        self.url = url
        self.env = env
        self.workdir = workdir
        # Started once, with the environment a manage.py of the site is given.
        self.commands = ManageProcess(env, workdir / "manage.log")

    def manage(self, *args, check=True, timeout=300, fresh=False):
        """Run ``manage.py <args>`` against the e2e database; return the finished process
        (``returncode``, ``stdout``, ``stderr``).

        The site's ``commands`` run it, unless ``fresh``: a ``manage.py`` of its own, for a
        command that changes its process's settings or is given an environment of its own.
        """
        if fresh:
            result = subprocess.run(
                [sys.executable, "manage.py", *args],
                cwd=PROJECT_ROOT,
                env=self.env,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        else:
            result = self.commands.run(*args, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(
                f"manage.py {' '.join(args)} exited {result.returncode}\n"
                f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
            )
        return result

    def shell(self, code):
        """Run a ``manage.py shell -c`` snippet against the e2e database; return its stdout."""
        return self.manage("shell", "--no-imports", "-c", code).stdout


def _site_env(workdir):
    # Nothing from the test run's own database or Django setup leaks into the site.
    return clean_environment(
        DATABASE_URL=f"sqlite:///{workdir / 'e2e.sqlite3'}",
        DJANGO_SETTINGS_MODULE="cms.settings.test",
        PYTHONUNBUFFERED="1",
        # As in production without Redis: pages are cached for anonymous readers, in a cache
        # the site's processes and the commands run against its database share.
        CMS_TEST_CACHE="database",
        PAGE_CACHE_SECONDS="300",
    )


@pytest.fixture(scope="session")
def e2e_site():
    """A fresh database, migrated (or copied as migrated) and seeded, served by gunicorn;
    stopped at the end."""
    workdir = Path(tempfile.mkdtemp(prefix="cms-e2e-"))
    env = _site_env(workdir)
    port = free_port()
    site = E2ESite(f"http://127.0.0.1:{port}", env, workdir)
    try:
        # Django starts in the commands' process meanwhile.
        site.commands.start()
        if copy_migrated(workdir / "e2e.sqlite3"):
            # The site's cache is a table of its database (migrate makes it on the site's
            # settings: core.apps.create_cache_table); the suite's is in memory.
            site.manage("createcachetable")
        else:
            site.manage("migrate", "--noinput")

        log_path = workdir / "gunicorn.log"
        # gunicorn starts while the demo is seeded: the site reads its database only once it
        # is asked for a page, after the seeding.
        server = start_gunicorn(
            env, log_path, port=port, options=["--threads", "4", "--access-logfile", "-"]
        )
        try:
            site.manage("seed_demo", "--force", "--password", DEMO_PASSWORD)
            wait_until_healthy(site.url, server, log_path, timeout=SERVER_START_TIMEOUT)
            yield site
        finally:
            stop(server)
    finally:
        site.commands.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def base_url(e2e_site):
    """The address of the running site, without a trailing slash."""
    return e2e_site.url


@pytest.fixture(scope="session")
def manage_shell(e2e_site):
    """``manage_shell("print(...)")`` runs the snippet against the e2e database; gives stdout."""
    return e2e_site.shell


# --- The browser ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_path():
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing (Debian package 'chromium'); browser tests need it"
        if in_ci():
            pytest.fail(f"CI=true: {message}", pytrace=False)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="package")
def playwright_instance(chromium_path):
    """Playwright, for the tests of this folder only.

    Its sync API keeps an asyncio event loop running in this thread, so Django would refuse
    ORM calls ("SynchronousOnlyOperation") while it is up: ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set
    for exactly that time. Package scope stops both when this folder's tests are done, so the
    tests that run after them (and the programs they start) never see the loop or the
    variable; ``manage.py check --deploy`` rejects the variable (async.E001).
    """
    from playwright.sync_api import expect, sync_playwright

    # A loaded CI machine may be slow to answer; a real failure still fails within seconds.
    expect.set_options(timeout=15_000)
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    manager = sync_playwright().start()
    try:
        yield manager
    finally:
        manager.stop()
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture(scope="package")
def browser(playwright_instance, chromium_path):
    """Debian's chromium, headless, shared by the tests of this folder."""
    browser = playwright_instance.chromium.launch(
        executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser, base_url):
    """``new_context(locale="en-US", java_script_enabled=False, ...)``: closed after the test."""
    contexts = []

    def make(**options):
        options.setdefault("locale", DEFAULT_LOCALE)
        options.setdefault("base_url", base_url)
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    """A page in a fresh context (no cookies), in Chinese (zh-CN) by default."""
    return new_context().new_page()


@pytest.fixture
def english_page(new_context):
    """A page in a fresh context whose browser asks for English (en-US)."""
    return new_context(locale="en-US").new_page()
