"""Wagtail's reference index (what uses an image, a page, a snippet: the admin's "usage"
screens) around saves made in bulk: the demo's seeding, and the test suite's fixtures."""

import contextlib

from wagtail.signal_handlers import reference_index_auto_update_disabled


def reference_index_is_off():
    """Whether the saves made now leave the reference index as it is."""
    return getattr(reference_index_auto_update_disabled, "value", False)


@contextlib.contextmanager
def reference_index_off():
    """The reference index left as it is by the saves of the block, then as it was before
    (Wagtail's own ``disable_reference_index_auto_update`` turns it back on as it leaves, even
    for a caller that had it off)."""
    previous = reference_index_is_off()
    reference_index_auto_update_disabled.value = True
    try:
        yield
    finally:
        reference_index_auto_update_disabled.value = previous
