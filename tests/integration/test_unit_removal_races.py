"""A unit's removal and a record filed for that unit at the same moment are taken one after the other
(``services/orgs.active_unit``: a share lock on the unit's row against the removal's update lock), so
no record is filed for a unit that is gone. PostgreSQL only: SQLite runs one writer at a time."""
from __future__ import annotations

import os
import threading
import time

import pytest
from sqlalchemy import text

from app.extensions import db
from tests.support.world import T3

pytestmark = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                                reason="PostgreSQL only: SQLite runs one writer at a time")


def _file_transfer(api):
    return api.as_("unit_reviewer_b").post("/transfers", json={
        "id_number": T3, "to_unit_id": api.world.unit1, "reason": "工作调动", "contact_name": "王经理",
        "contact_phone": "0571-88888888"})


def test_a_transfer_filed_while_its_target_unit_is_removed_waits_and_is_refused(app, api, world):
    before = api.as_("unit_reviewer_b").get("/transfers").get_json()["total"]  # logged in before the row is held
    answer = {}
    with app.app_context():
        removal = db.engine.connect()
        held = removal.begin()
        removal.execute(text("SELECT id FROM organisation WHERE id = :id FOR UPDATE"), {"id": world.unit1})
        filing = threading.Thread(target=lambda: answer.update(response=_file_transfer(api)))
        filing.start()
        time.sleep(0.5)
        assert filing.is_alive()  # the filing waits for the removal to end
        removal.execute(text("UPDATE organisation SET is_active = false WHERE id = :id"), {"id": world.unit1})
        held.commit()
        removal.close()
        filing.join(30)
    response = answer["response"]
    assert response.status_code == 422 and "to_unit_id" in response.get_json()["error"]["fields"]
    assert api.as_("unit_reviewer_b").get("/transfers").get_json()["total"] == before
