"""Votes in the site's search (``core.search.register_source``): open motions and published
results, found by their title and description. A few hundred rows at most: the database's
own substring match finds a Chinese word inside Chinese text, in one query."""

from django.db.models import Q
from django.urls import reverse

from core.search import Result

from .models import Motion


def find(words, limit):
    """The public votes (open or with published results) holding every word, newest first."""
    matches = Q()
    for word in words:
        matches &= Q(title__icontains=word) | Q(description__icontains=word)
    motions = (
        Motion.objects.public()
        .filter(matches)
        .only("title", "description", "state", "kind", "opened_at")
        .order_by("-opened_at", "-pk")[:limit]
    )
    return [
        Result(
            title=motion.title,
            url=reverse("votes:detail", args=[motion.pk]),
            text=motion.description,
            kind=f"{motion.kind_label} · {motion.state_label}",
        )
        for motion in motions
    ]
