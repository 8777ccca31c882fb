"""``manage.py`` kept running beside a site: one process that runs command after command
against the site's database, instead of a new ``manage.py`` for each (every new one spends
seconds starting Django and Wagtail; the browser tests run dozens of commands).

``ManageProcess`` starts ``python -m tests.manage_process`` with the site's environment, the
one a ``manage.py`` of the site is given. It sends one request a line on the process's stdin,
JSON: the arguments as ``manage.py`` takes them (``["shell", "--no-imports", "-c", code]``).
The process runs them with ``call_command`` and answers on its stdout with one line of JSON:
what the command wrote to its stdout and its stderr, and the status a ``manage.py`` would
have exited with (1 and the traceback for an error; a ``CommandError``'s own status and
message, as ``manage.py`` prints it). ``ManageProcess.run`` gives them back as a
``subprocess.CompletedProcess``.

Each command starts from what a new ``manage.py`` would have:

- a new ``contextvars`` context: no language or time zone an earlier command activated,
  nothing of the context variables the site keeps per request;
- ``shell -c`` code runs in a namespace of its own (Django's ``shell`` gives it one);
- what is written to the process's stdout and stderr while it runs is the command's, down to
  the file descriptors (a logging handler, a program the command starts);
- the database connections are closed after each command (a transaction it left open is
  rolled back), so that the next one reads what the site wrote meanwhile, and none keeps a
  lock on a SQLite file the site writes to; the next command has new ones.

What a process keeps for itself (Django's content types, ``core``'s memos of the site's menu
and settings, which it checks against the site's version in the shared cache) is kept here as
in each of the site's own processes. The site's settings must give it a cache the site's
processes share (the browser tests' site: ``CMS_TEST_CACHE=database``), as they must for a
``manage.py`` run beside the site. A command that changes its process's settings, or needs an
environment of its own, is run by a ``manage.py`` of its own instead.
"""

import contextlib
import contextvars
import json
import os
import select
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# How much of the process's own log an error shows.
LOG_TAIL = 4000


# --- The process ------------------------------------------------------------------------


@contextlib.contextmanager
def _captured(fd, stream):
    """What is written to ``fd`` (and to ``stream``, Python's object on it) meanwhile: the
    ``value`` of what is yielded, once the block has ended."""
    kept = _Captured()
    stream.flush()
    saved = os.dup(fd)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), fd)
        try:
            yield kept
        finally:
            stream.flush()
            os.dup2(saved, fd)
            os.close(saved)
            capture.seek(0)
            kept.value = capture.read().decode(stream.encoding or "utf-8", errors="replace")


class _Captured:
    value = ""


def _status(call_command, command_error, arguments):
    """Run the command; the status ``manage.py`` would have exited with."""
    try:
        call_command(*arguments)
    except command_error as error:
        # As manage.py reports it (without --traceback).
        sys.stderr.write(f"{type(error).__name__}: {error}\n")
        return error.returncode
    except SystemExit as leaving:
        code = leaving.code
        if code is None or isinstance(code, int):
            return code or 0
        sys.stderr.write(f"{code}\n")
        return 1
    except Exception:  # noqa: BLE001 - reported as the interpreter reports it, and status 1
        traceback.print_exc()
        return 1
    return 0


def serve():
    """Answer requests until stdin closes."""
    # The requests and the answers have the original stdin and stdout to themselves; whatever
    # else reads stdin finds it empty, and what is written to stdout between two commands goes
    # to stderr (the process's log).
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    nothing = os.open(os.devnull, os.O_RDONLY)
    os.dup2(nothing, 0)
    os.close(nothing)
    os.dup2(2, 1)

    import django

    django.setup()

    from django.core.management import CommandError, call_command
    from django.db import connections

    def answer(arguments):
        try:
            with _captured(1, sys.stdout) as out, _captured(2, sys.stderr) as err:
                status = _status(call_command, CommandError, arguments)
        finally:
            connections.close_all()
            # New connection objects for the next command: one closed inside a transaction
            # the command left open would otherwise still count itself in it.
            for alias in connections:
                with contextlib.suppress(AttributeError):
                    del connections[alias]
        return {"returncode": status, "stdout": out.value, "stderr": err.value}

    for line in requests:
        arguments = json.loads(line)
        # A new context for each command: nothing one sets in a context variable (the active
        # language, the time zone) is seen by the next.
        answers.write(json.dumps(contextvars.Context().run(answer, arguments)) + "\n")
        answers.flush()


# --- The client -------------------------------------------------------------------------


class ManageProcess:
    """The process, started on first use (or with ``start``) with ``env``, its own output
    (what no command wrote) in ``log_path``; ``stop`` ends it."""

    def __init__(self, env, log_path):
        self.env = env
        self.log_path = Path(log_path)
        self._process = None
        self._read = b""

    def start(self):
        """Start the process, if it is not running (it starts Django meanwhile)."""
        if self._process is not None and self._process.poll() is None:
            return
        with open(self.log_path, "ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "tests.manage_process"],
                cwd=PROJECT_ROOT,
                env=self.env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
            )
        self._read = b""

    def run(self, *arguments, timeout=300):
        """``manage.py *arguments`` run by the process: a ``subprocess.CompletedProcess`` with
        the status, stdout and stderr a ``manage.py`` of its own would have given. Past
        ``timeout`` seconds the process is killed (the next command starts another) and
        ``subprocess.TimeoutExpired`` raised."""
        self.start()
        command = ["manage.py", *arguments]
        try:
            self._process.stdin.write(json.dumps(list(arguments)).encode() + b"\n")
            self._process.stdin.flush()
        except BrokenPipeError:
            self._ended(command)
        line = self._line(command, timeout)
        answer = json.loads(line)
        return subprocess.CompletedProcess(
            command, answer["returncode"], answer["stdout"], answer["stderr"]
        )

    def _line(self, command, timeout):
        deadline = time.monotonic() + timeout
        out = self._process.stdout.fileno()
        while b"\n" not in self._read:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([out], [], [], left)[0]:
                self.stop(kill=True)
                raise subprocess.TimeoutExpired(command, timeout)
            chunk = os.read(out, 1 << 16)
            if not chunk:
                self._ended(command)
            self._read += chunk
        line, _newline, self._read = self._read.partition(b"\n")
        return line

    def _ended(self, command):
        code = self._process.wait()
        log = self.log_path.read_text(errors="replace")[-LOG_TAIL:]
        self._process = None
        raise RuntimeError(
            f"the process running {' '.join(command)} ended (exit code {code})\n--- its log\n{log}"
        )

    def stop(self, kill=False):
        """End the process: it leaves when its stdin closes (killed if it lingers)."""
        process, self._process = self._process, None
        if process is None:
            return
        if kill:
            process.kill()
        with contextlib.suppress(BrokenPipeError):
            process.stdin.close()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
        process.stdout.close()


if __name__ == "__main__":
    serve()
