"""The chain's head, written outside the database so that a cut tail is found."""

from .models import AuditEntry


def current_head():
    return AuditEntry.objects.order_by("-id").first()


def format_head(entry):
    return f"{entry.pk} {entry.hash} {entry.timestamp.isoformat()}"


def read_head(path):
    """The (entry id, hash) of the last head line in ``path``."""
    lines = [line.split() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not lines:
        raise ValueError("the file holds no head")
    last = lines[-1]
    if (
        len(last) < 2
        or not last[0].isdigit()
        or len(last[1]) != 64
        or last[1].strip("0123456789abcdef")
    ):
        raise ValueError("the last line is not a head written by audit_head")
    return int(last[0]), last[1]
