"""Per-request work does not grow with history: bounded logs and a capped inbox count."""
from __future__ import annotations

from app.services import inbox
from tests.support.world import T1


def test_a_long_history_shows_its_latest_entries_and_pages_the_rest(api):
    claim = api.submitted_claim(T1)
    rounds = 20
    for _ in range(rounds):  # each round: unit approves, authority sends back, trainee resubmits (3 events)
        assert api.decide("unit_reviewer", claim["id"], "approve").status_code == 200
        assert api.decide("authority_reviewer", claim["id"], "return", comment="再补充").status_code == 200
        assert api.as_(T1).post(f"/claims/{claim['id']}/submit").status_code == 200
    detail = api.claim(T1, claim["id"])
    assert len(detail["log"]) == 50 and detail["log_more"] is True
    assert detail["log"][0]["action"] == "resubmit"  # newest first
    seen = []
    page = 1
    while True:
        body = api.as_(T1).get(f"/claims/{claim['id']}/log", query_string={"page": page, "per_page": 20}).get_json()
        seen += body["items"]
        if not body["more"]:
            break
        page += 1
    assert len(seen) == 3 + rounds * 3  # create, its proof, submit, and three per round
    assert seen[-1]["action"] == "create"
    assert api.as_("unit_reviewer_b").get(f"/claims/{claim['id']}/log").status_code == 404


def test_the_inbox_counts_up_to_a_cap(api, monkeypatch):
    monkeypatch.setattr(inbox, "COUNT_CAP", 3)
    for _ in range(5):
        api.submitted_claim(T1, route="training", details={"days": 1}, hours_requested=1)
    body = api.as_("unit_reviewer").get("/tasks", query_string={"per_page": 2}).get_json()
    assert len(body["items"]) == 2 and body["total"] == 3 and body["total_capped"] is True
    monkeypatch.setattr(inbox, "COUNT_CAP", 10)
    exact = api.as_("unit_reviewer").get("/tasks", query_string={"per_page": 2}).get_json()
    assert exact["total"] == 5 and exact["total_capped"] is False
