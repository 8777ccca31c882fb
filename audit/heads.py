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
    entry_id, entry_hash = lines[-1][:2]
    if len(entry_hash) != 64:
        raise ValueError("the last line is not a head written by audit_head")
    return int(entry_id), entry_hash
