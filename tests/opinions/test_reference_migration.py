"""opinions 0003 gives every opinion received before references existed its own reference."""

import pytest

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core.references import normalise_reference
from opinions.models import Opinion as CurrentOpinion
from tests.support import migrate_forward

BEFORE = [("opinions", "0002_history_reason_text")]
AFTER = [("opinions", "0003_reference_public_reason_response")]


# serialized_rollback: the data migrations wrote (the site, the roles) is back for later
# transactional tests, and the flush after this one does not recreate the roles under new ids.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_existing_opinions_each_get_a_unique_reference(site):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old_apps = executor.loader.project_state(BEFORE).apps
        Opinion = old_apps.get_model("opinions", "Opinion")
        for number in range(30):
            Opinion.objects.create(
                page_id=site.root_page_id,
                author_name=f"居民{number}",
                body=f"第{number}条意见",
                language="zh-hans",
            )

        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(AFTER)
        Opinion = executor.loader.project_state(AFTER).apps.get_model("opinions", "Opinion")

        references = list(Opinion.objects.values_list("reference", flat=True))
        assert len(references) == 30
        assert len(set(references)) == 30
        # Each in the readable form a resident types back.
        assert all(normalise_reference(reference) == reference for reference in references)
        assert all(len(reference) == 14 for reference in references)
        assert set(Opinion.objects.values_list("public_reason", "response")) == {("", "")}
    finally:
        # Whatever happens, the later tests find the database as the migrations leave it (a
        # test after this one read the opinions' columns of 0003 and failed on every page).
        migrate_forward()

    # The migrations after it carry the opinions over: all kept, none shown (all pending).
    assert CurrentOpinion.objects.count() == 30
    assert not CurrentOpinion.objects.shown().exists()
