"""References a resident can read aloud, write down and type back.

A reference is drawn from Crockford's base-32 alphabet (no I, L, O or U, so nothing looks like
something else) and shown in groups of four: ``K7WP-3MXR-Q2TD``. Twelve characters carry 60
random bits, as much as the older 11-character URL-safe tokens. What a person types back is
read leniently: case, spaces and hyphens do not matter, and the letters Crockford's alphabet
leaves out are read as the digits they look like (I and L as 1, O as 0).
"""

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 12
GROUP = 4
# Formatted length: the characters plus a hyphen between groups.
MAX_LENGTH = LENGTH + LENGTH // GROUP - 1

_LOOKALIKES = str.maketrans({"I": "1", "L": "1", "O": "0"})
_SEPARATORS = re.compile(r"[\s\-–—_.]+")


def new_reference():
    """A fresh reference, formatted in groups (about 60 random bits)."""
    return format_reference("".join(secrets.choice(ALPHABET) for _ in range(LENGTH)))


def format_reference(compact):
    return "-".join(compact[i : i + GROUP] for i in range(0, len(compact), GROUP))


def normalise_reference(typed):
    """The stored form of what a person typed, or "" when it cannot be a reference.

    References issued before this format (mixed-case URL-safe tokens) are returned as typed,
    stripped, so that links already handed out keep working.
    """
    text = (typed or "").strip()
    compact = _SEPARATORS.sub("", text).upper().translate(_LOOKALIKES)
    if len(compact) == LENGTH and all(c in ALPHABET for c in compact):
        return format_reference(compact)
    if re.fullmatch(r"[A-Za-z0-9]{6,20}", text):
        return text
    return ""
