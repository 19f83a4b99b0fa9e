"""Process administrators and auditors read every record and its proofs, read-only; each read of a
proof by them is itself an administrative event (``read_proof``), the owner's is not.

For every process plug-in with attachments (taken from the registry: a new one must join ``CASES``)
a record with one proof is made by its owner. A reader in a global role downloads the proof through
the API, the plug-in's page and the process-instance page; every write route of the record, on the
pages and in the API, is refused with 403 and changes nothing; the record's pages show no form.
"""
from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import event, func, select

from app.db import READ_ONLY_OPTION
from app.extensions import db
from app.models import Attachment, HumanTask, ProcessEvent, ProcessInstance
from app.services import audit, plugins
from tests.integration.test_declarations import declared
from tests.integration.test_provider_postfilings import ready
from tests.integration.test_provider_prefilings import _filing
from tests.integration.test_supplementary import entry, next_january, upload
from tests.support.files import png
from tests.support.world import T1, T3

READERS = ("auditor", "process_admin")
PNG_MAGIC = b"\x89PNG"


@dataclass
class Case:
    record_type: str
    owner: str  # who made the record and its proof
    base: str  # the record's path: the same on the pages and under /api/v1
    record_id: int
    file_id: int
    filename: str
    owner_acts: bool = True  # the owner's own page of the record shows a form now
    ids: dict[str, int] = field(default_factory=dict)  # other ids its routes name


def _claim(api, app, clock, world) -> Case:
    claim = api.submitted_claim(T1)
    proof = claim["files"][0]
    return Case("claim", T1, f"/claims/{claim['id']}", claim["id"], proof["id"], proof["filename"])


def _supplementary(api, app, clock, world) -> Case:
    year = next_january(app, api, clock)
    record = api.as_(T1).post("/supplementary", json={"route": "exam"}).get_json()
    assert api.decide("unit_reviewer", record["id"], "agree", "supplementary").status_code == 200
    added = api.as_(T1).post(f"/supplementary/{record['id']}/entries", json=entry(year)).get_json()
    proof = upload(api, record["id"]).get_json()
    return Case("supplementary", T1, f"/supplementary/{record['id']}", record["id"], proof["id"], proof["filename"],
                ids={"entry_id": added["id"]})


def _transfer(api, app, clock, world) -> Case:
    transfer = api.as_("unit_reviewer_b").post("/transfers", json={
        "id_number": T3, "to_unit_id": world.unit1, "reason": "工作调动", "contact_name": "王经理",
        "contact_phone": "0571-88888888"}).get_json()
    proof = api.as_("unit_reviewer_b").post(f"/transfers/{transfer['id']}/files", content_type="multipart/form-data",
                                            data={"file": (io.BytesIO(png()), "调函.png")}).get_json()
    return Case("transfer", "unit_reviewer_b", f"/transfers/{transfer['id']}", transfer["id"], proof["id"],
                proof["filename"])


def _declaration(api, app, clock, world) -> Case:
    item = declared(api)[0]
    proof = api.as_("unit_reviewer").get(f"/declarations/{item['id']}").get_json()["files"][0]
    return Case("declaration", "unit_reviewer", f"/declarations/{item['id']}", item["id"], proof["id"],
                proof["filename"], owner_acts=False)  # the unit acts on its declarations in the inbox only


def _prefiling(api, app, clock, world) -> Case:
    filing = _filing(api)
    proof = api.as_("provider_admin").get(f"/filings/{filing['id']}").get_json()["files"][0]
    return Case("prefiling", "provider_admin", f"/filings/{filing['id']}", filing["id"], proof["id"],
                proof["filename"])


def _postfiling(api, app, clock, world) -> Case:
    filing = ready(api)
    proof = api.as_("provider_admin").get(f"/post-filings/{filing['id']}").get_json()["files"][0]
    return Case("postfiling", "provider_admin", f"/post-filings/{filing['id']}", filing["id"], proof["id"],
                proof["filename"])


CASES: dict[str, Callable[..., Case]] = {"claim": _claim, "supplementary": _supplementary, "transfer": _transfer,
                                         "declaration": _declaration, "prefiling": _prefiling,
                                         "postfiling": _postfiling}


@pytest.fixture(params=list(CASES))
def case(request, api, app, world) -> Case:
    needs_clock = request.param == "supplementary"
    clock = request.getfixturevalue("clock") if needs_clock else None
    return CASES[request.param](api, app, clock, world)


# -- helpers ---------------------------------------------------------------------------------------

def _instance(app, case: Case) -> ProcessInstance:
    with app.app_context():
        instance = db.session.scalars(select(ProcessInstance).where(
            ProcessInstance.record_type == case.record_type, ProcessInstance.record_id == case.record_id)
            .order_by(ProcessInstance.id.desc())).first()
        db.session.expunge(instance)
        return instance


def _reads(app) -> list[dict[str, Any]]:
    with app.app_context():
        rows = db.session.scalars(select(ProcessEvent).where(ProcessEvent.action == "read_proof")
                                  .order_by(ProcessEvent.id)).all()
        return [{"actor": e.actor_id, "instance": e.instance_id, "process": e.process_key, "type": e.record_type,
                 "record": e.record_id, "data": e.data} for e in rows]


def _state(app, case: Case) -> tuple:
    """Everything a write could change about the record: its row, its instance, tasks, files and log."""
    instance_id = _instance(app, case).id
    with app.app_context():
        plugin = plugins.for_type(case.record_type)
        record = plugin.get(case.record_id)
        columns = tuple((c.key, repr(getattr(record, c.key))) for c in record.__table__.columns)
        instance = db.session.get(ProcessInstance, instance_id)
        tasks = db.session.execute(select(HumanTask.id, HumanTask.status, HumanTask.assignee_id)
                                   .where(HumanTask.instance_id == instance.id).order_by(HumanTask.id)).all()
        files = db.session.scalars(select(Attachment.id).where(Attachment.record_type == case.record_type,
                                                               Attachment.record_id == case.record_id)).all()
        events = db.session.scalar(select(func.count()).where(ProcessEvent.instance_id == instance.id))
        return columns, instance.status, instance.last_event_hash, tuple(tasks), tuple(files), events


def _main(html: str) -> str:
    found = re.search(r'<main id="main"[^>]*>(.*)</main>', html, re.S)
    assert found, html[:500]
    return found.group(1)


def _read_only(html: str) -> str:
    """The page's content offers nothing to do: no form, no submit button, no task or edit link."""
    main = _main(html)
    # a process administrator's own tools on the instance (suspend, resume, retry) act on the
    # instance, not on the record; they are tested in test_process_admin_migration.py
    admin_tools = re.findall(r'<div class="actions" id="instance-admin-actions">.*?</div>', main, re.S)
    assert all(re.findall(r'action="/admin/processes/instances/\d+/(?:suspend|resume|retry)"', block)
               for block in admin_tools)
    for block in admin_tools:
        main = main.replace(block, "")
    assert "<form" not in main and 'type="submit"' not in main, re.findall(r"<form[^>]*>", main)
    assert not re.search(r'href="[^"]*(/tasks/\d+|/edit)"', main), re.findall(r'href="[^"]*"', main)
    return main


WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PARAM = re.compile(r"<(?:[^:>]+:)?([^>]+)>")


def _write_routes(app, case: Case, api: bool) -> list[tuple[str, str]]:
    """Every (method, path) that writes to this record: the rules under its path, with its ids."""
    collection = case.base.rsplit("/", 1)[0]
    prefix = ("/api/v1" if api else "") + collection + "/<int:"
    values = {"file_id": case.file_id, **case.ids}
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(prefix):
            continue
        names = PARAM.findall(rule.rule)
        filled = {names[0]: case.record_id, **{n: values[n] for n in names[1:]}}  # KeyError: an id to add
        path = PARAM.sub(lambda m, filled=filled: str(filled[m.group(1)]), rule.rule)
        routes.extend((method, path.removeprefix("/api/v1")) for method in sorted(rule.methods & WRITES))
    return routes


# -- reading a proof -------------------------------------------------------------------------------

def test_every_process_plugin_with_files_is_covered(app):
    with app.app_context():
        with_files = {plugin.record_type for plugin in plugins.registry() if plugin.has_files}
    assert with_files == set(CASES)


@pytest.mark.parametrize("reader", READERS)
def test_a_global_readers_proof_downloads_are_each_logged(app, api, web, world, case, reader):
    instance = _instance(app, case)
    before = _reads(app)
    api_read = api.as_(reader).get(f"{case.base}/files/{case.file_id}")
    client = web(reader)
    page_read = client.get(f"{case.base}/files/{case.file_id}")
    instance_read = client.get(f"/processes/{instance.id}/files/{case.file_id}")
    for response in (api_read, page_read, instance_read):
        assert response.status_code == 200 and response.data.startswith(PNG_MAGIC)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    logged = _reads(app)[len(before):]
    expected = {"actor": world.user[reader], "instance": None, "process": instance.process_key,
                "type": case.record_type, "record": case.record_id,
                "data": {"attachment": case.file_id, "filename": case.filename}}
    assert logged == [expected] * 3
    with app.app_context():
        assert audit.verify_admin_chain() == []


def test_the_owners_own_downloads_are_not_logged(app, api, web, case):
    before = _reads(app)
    assert api.as_(case.owner).get(f"{case.base}/files/{case.file_id}").status_code == 200
    assert web(case.owner).get(f"{case.base}/files/{case.file_id}").status_code == 200
    assert _reads(app) == before


def test_a_refused_read_logs_nothing(app, api, web, case):
    """Another record's file id, or a file that does not exist: 404, and no event."""
    before = _reads(app)
    with app.app_context():
        other = db.session.scalar(select(Attachment.id).where(Attachment.id != case.file_id).limit(1))
    for file_id in (other, 999999):
        assert api.as_("auditor").get(f"{case.base}/files/{file_id}").status_code == 404
        assert web("auditor").get(f"{case.base}/files/{file_id}").status_code == 404
    assert _reads(app) == before


def test_a_global_readers_download_records_in_a_transaction_of_its_own(app, api, case):
    """An API read runs read-only (PostgreSQL: autocommit, writes refused; SQLite: a deferred
    transaction); the read of a proof by an auditor leaves it (``db.begin_recording``) and writes
    in a transaction that takes the writers' lock up front."""
    reader = api.as_("auditor")
    statements: list[tuple[str, bool]] = []

    def record(conn, cursor, statement, *args) -> None:
        statements.append((" ".join(statement.split()[:2]).upper(), bool(conn.get_execution_options().get(
            READ_ONLY_OPTION))))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert reader.get(f"{case.base}/files/{case.file_id}").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    first_write = next(i for i, (sql, _ro) in enumerate(statements) if sql.split()[0] in ("UPDATE", "INSERT"))
    assert not any(read_only for _sql, read_only in statements[first_write:]), statements
    if engine.dialect.name == "postgresql":
        assert statements[0][1], statements  # it did begin read-only
    else:
        assert "BEGIN IMMEDIATE" in [sql for sql, _ro in statements[:first_write]], statements


# -- nothing to do, nothing done --------------------------------------------------------------------

@pytest.mark.parametrize("reader", READERS)
def test_every_write_to_the_record_is_refused_and_changes_nothing(app, api, web, case, reader):
    before = _state(app, case)
    client = web(reader)
    page_routes, api_routes = _write_routes(app, case, api=False), _write_routes(app, case, api=True)
    assert api_routes, (case.record_type, "no write route found")
    for method, path in page_routes:
        response = client.client.open(path, method=method, data={"csrf_token": client.token})
        assert response.status_code == 403, (method, path, response.status_code)
    for method, path in api_routes:
        response = api.as_(reader).request(method, path, json={})
        assert response.status_code == 403, (method, path, response.get_json())
        assert response.get_json()["error"]["code"] == "forbidden"
    for task in _open_tasks(app, case):
        for action in ("take", "release", "complete"):
            assert client.post(f"/tasks/{task}/{action}", {"decision": "approve"}).status_code == 403
            assert api.as_(reader).post(f"/tasks/{task}/{action}", json={"decision": "approve"}).status_code == 403
    assert _state(app, case) == before


def _open_tasks(app, case: Case) -> list[int]:
    instance_id = _instance(app, case).id
    with app.app_context():
        return list(db.session.scalars(select(HumanTask.id).where(
            HumanTask.instance_id == instance_id, HumanTask.status == "open")))


@pytest.mark.parametrize("reader", READERS)
def test_the_record_pages_show_a_global_reader_no_action(app, web, case, reader):
    instance = _instance(app, case)
    client = web(reader)
    shown = _read_only(client.text(f"/processes/{instance.id}"))
    assert 'id="record-heading"' in shown  # the record itself, as its plug-in draws it
    assert f'/processes/{instance.id}/files/{case.file_id}"' in shown
    page = _read_only(client.text(case.base))
    assert f"{case.base}/files/{case.file_id}" in page
    if case.owner_acts:  # the same page offers the owner something to do now: the check can fail
        assert "<form" in _main(web(case.owner).text(case.base))


def test_every_instance_and_record_page_is_read_only_for_an_auditor(app, api, web, world):
    """The demo's records of every process (and a claim, a post-training filing, a parent change and a
    person info change),
    each on its instance page and, where it links one, its plug-in's own page."""
    api.submitted_claim(T1)
    ready(api)
    assert api.as_("unit_reviewer").post(f"/units/{world.unit1}/parent-change", json={
        "new_parent_id": world.city_b, "reason": "划转"}).status_code == 201
    assert api.as_(T1).post("/me/profile", json={"specialty": "桥梁工程"}).status_code == 201  # 人员信息修改
    with app.app_context():
        instances = db.session.execute(select(ProcessInstance.id, ProcessInstance.record_type)).all()
    assert {kind for _id, kind in instances} >= {p.record_type for p in _registry(app)} - {"supplementary"}, instances
    client = web("auditor")
    for instance_id, _kind in instances:
        page = _read_only(client.text(f"/processes/{instance_id}"))
        link = re.search(r'<a href="([^"]+)" data-record-link>', page)
        if link:
            _read_only(client.text(link.group(1).replace("&amp;", "&")))


def _registry(app) -> list[Any]:
    with app.app_context():
        return list(plugins.registry())
