"""Natural order for what people number: buildings, units, rooms.

``natural_key("10号楼")`` sorts after ``natural_key("2号楼")``: runs of digits compare as
numbers, the rest as text (case-folded). Use it as a ``key`` for ``sorted`` wherever a
list of buildings or units is shown, e.g. ``sorted(people, key=lambda p:
natural_key(p.building, p.unit, p.name))``.
"""

import re

_DIGITS = re.compile(r"(\d+)")


def natural_key(*texts):
    """A sort key for one or more texts (compared in turn), with numbers in numeric order.

    Each text becomes a tuple of (0, number) and (1, text) parts, so that a number and a word
    at the same place compare without a TypeError; an empty or missing text sorts first.
    """
    return tuple(_split(text) for text in texts)


def _split(text):
    parts = []
    for index, part in enumerate(_DIGITS.split(str(text or "").casefold())):
        if index % 2:
            parts.append((0, int(part), ""))
        elif part:
            parts.append((1, 0, part))
    return tuple(parts)
