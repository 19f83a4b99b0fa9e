"""A record's files as its answer lists them: ``attachments.views_of`` (plain rows) gives what
``view`` gives of each ORM row of ``files_of``, in the same order."""
from __future__ import annotations

from app.extensions import db
from app.services import attachments
from tests.support.world import T1


def test_views_of_is_the_view_of_each_file(app, api):
    claim = api.new_claim(T1)
    api.with_proof(T1, claim["id"])
    api.with_proof(T1, claim["id"])
    with app.app_context():
        expected = [attachments.view(f) for f in attachments.files_of("claim", claim["id"])]
        assert len(expected) == 2
        assert attachments.views_of("claim", claim["id"]) == expected
        assert attachments.views_of("claim", claim["id"] + 1000) == []
        db.session.rollback()
    assert [f["id"] for f in api.claim(T1, claim["id"])["files"]] == [f["id"] for f in expected]
