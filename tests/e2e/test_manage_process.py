"""The commands the browser tests run against the site's database (``e2e_site.manage``,
``manage_shell``) are run by one process kept running (``tests.manage_process``): each must
end as a ``manage.py`` of its own would have, and leave nothing to the next one.
"""

import sqlite3

import pytest

# What a snippet finds: the active language, and whether an earlier snippet's name is there.
FOUND = (
    "from django.utils import translation\n"
    "print(translation.get_language(), 'left_behind' in dir())"
)


def test_a_failing_snippet_reports_its_output_and_traceback_and_fails(e2e_site):
    failed = e2e_site.manage(
        "shell",
        "--no-imports",
        "-c",
        "print('half-way')\nraise ValueError('no such motion')",
        check=False,
    )
    assert failed.returncode == 1
    assert failed.stdout == "half-way\n"
    assert "Traceback (most recent call last)" in failed.stderr
    assert failed.stderr.endswith("ValueError: no such motion\n")

    with pytest.raises(AssertionError, match="no such motion"):
        e2e_site.shell("raise ValueError('no such motion')")
    refused = e2e_site.manage("no_such_command", check=False)
    assert (refused.returncode, refused.stderr) == (
        1,
        "CommandError: Unknown command: 'no_such_command'\n",
    )


def test_each_snippet_starts_as_a_new_process_would(e2e_site):
    e2e_site.shell(
        "from django.utils import translation\ntranslation.activate('en')\nleft_behind = 1"
    )
    after = e2e_site.shell(FOUND)
    assert after == e2e_site.manage("shell", "--no-imports", "-c", FOUND, fresh=True).stdout
    assert after.split() == ["zh-hans", "False"]


def test_a_snippet_left_in_a_transaction_leaves_no_lock_nor_its_writes(e2e_site):
    group = "probe-left-in-a-transaction"
    failed = e2e_site.manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.contrib.auth.models import Group\n"
        "from django.db import transaction\n"
        "transaction.atomic().__enter__()\n"
        f"Group.objects.create(name={group!r})\n"
        "raise RuntimeError('stopped half-way')",
        check=False,
    )
    assert failed.returncode == 1

    # Another process may write at once (the site's gunicorn would): no lock is left behind.
    other = sqlite3.connect(e2e_site.env["DATABASE_URL"].removeprefix("sqlite:///"), timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        found = other.execute("SELECT COUNT(*) FROM auth_group WHERE name = ?", (group,))
        assert found.fetchone() == (0,)
        other.rollback()
    finally:
        other.close()
    assert (
        e2e_site.shell(
            f"from django.contrib.auth.models import Group\n"
            f"print(Group.objects.filter(name={group!r}).exists())"
        )
        == "False\n"
    )
