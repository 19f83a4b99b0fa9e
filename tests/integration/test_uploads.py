"""Proof files: checked by content, limited in number and size, stored under generated keys."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from app.errors import Invalid
from app.extensions import db
from app.models import Attachment
from app.services.uploads import check_upload
from tests.support.files import exe, jpeg, pdf, png
from tests.support.pdf_tricks import javascript_pdf, javascript_pdf_escaped_names, javascript_pdf_in_object_stream
from tests.support.world import DEMO_FOLDERS, T1


def _root(app) -> Path:
    return Path(app.config["STORAGE"]["LOCAL_ROOT"])


def _blobs(app) -> list[Path]:
    """Every file under the upload root, hidden temporary files included (but the demo data's
    own files (``DEMO_FOLDERS``))."""
    root = _root(app)
    return sorted(p for p in root.rglob("*") if p.is_file() and p.relative_to(root).parts[0] not in DEMO_FOLDERS) \
        if root.exists() else []


def _rows(app) -> list[Attachment]:
    with app.app_context():
        rows = db.session.scalars(db.select(Attachment).where(Attachment.record_type == "claim")
                                  .order_by(Attachment.id)).all()
        db.session.expunge_all()
        return rows


def _error(response) -> dict:
    return response.get_json()["error"]


@pytest.fixture
def draft(api) -> dict:
    return api.new_claim(T1)


@pytest.mark.parametrize("data, name, content_type", [
    (png(), "证书.png", "image/png"),
    (jpeg(), "scan.JPG", "image/jpeg"),
    (jpeg(), "scan.jpeg", "image/jpeg"),
    (pdf(2), "成绩单.pdf", "application/pdf"),
])
def test_accepted_files_round_trip(api, app, draft, data, name, content_type):
    response = api.as_(T1).upload(draft["id"], data, name, description="考试合格证明")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["filename"], body["content_type"], body["size"]) == (name, content_type, len(data))
    assert body["description"] == "考试合格证明"

    download = api.as_(T1).get(f"/claims/{draft['id']}/files/{body['id']}")
    assert download.status_code == 200
    assert download.data == data
    assert download.mimetype == content_type
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download.headers["Content-Security-Policy"]
    assert [f["id"] for f in api.claim(T1, draft["id"])["files"]] == [body["id"]]
    [row] = _rows(app)
    assert row.storage_key.startswith(f"claims/{draft['id']}/") and name not in row.storage_key
    assert (_root(app) / row.storage_key).read_bytes() == data


@pytest.mark.parametrize("data, name, code", [
    (exe(), "certificate.pdf", "bad_file_type"),   # an .exe renamed .pdf
    (exe(), "certificate.exe", "bad_file_type"),
    (png(), "certificate.pdf", "bad_file_type"),   # real PNG, lying name
    (jpeg(), "certificate.png", "bad_file_type"),
    (pdf(), "certificate", "bad_file_type"),      # no extension at all
    (png()[:60], "truncated.png", "bad_file"),
    (jpeg()[:300], "truncated.jpg", "bad_file"),
    (b"%PDF-1.7\n" + b"garbage" * 50, "broken.pdf", "bad_file"),
    (javascript_pdf(), "script.pdf", "bad_file"),  # active content
    (b"", "empty.png", "bad_file"),
])
def test_refused_files_leave_nothing_behind(api, app, draft, data, name, code):
    response = api.as_(T1).upload(draft["id"], data, name)
    assert response.status_code == 422, response.get_json()
    assert _error(response)["code"] == code
    assert _rows(app) == []
    assert _blobs(app) == []
    claim = api.claim(T1, draft["id"])
    assert claim["files"] == [] and [e["action"] for e in claim["log"]] == ["create"]


@pytest.mark.parametrize("build", [javascript_pdf_escaped_names, javascript_pdf_in_object_stream])
def test_disguised_javascript_is_refused(api, app, draft, build):
    data = build()
    action = PdfReader(io.BytesIO(data), strict=False).trailer["/Root"]["/OpenAction"]
    assert action["/S"] == "/JavaScript" and "/JS" in action  # what a PDF reader sees
    response = api.as_(T1).upload(draft["id"], data, "script.pdf")
    assert response.status_code == 422
    assert _error(response)["code"] == "bad_file"
    assert _rows(app) == [] and _blobs(app) == []


def test_request_over_the_body_limit_is_413(api, app, draft, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    response = api.as_(T1).upload(draft["id"], pdf() + b"%" * 2048, "big.pdf")
    assert response.status_code == 413 and _error(response)["code"] == "too_large"
    assert _rows(app) == [] and _blobs(app) == []


def test_at_most_five_files(api, app, draft):
    files = [(png(), "a.png"), (jpeg(), "b.jpg"), (pdf(), "c.pdf"), (png((8, 8)), "d.png"), (pdf(3), "e.pdf")]
    for data, name in files:
        assert api.as_(T1).upload(draft["id"], data, name).status_code == 201
    sixth = api.as_(T1).upload(draft["id"], png(), "f.png")
    assert sixth.status_code == 409 and _error(sixth)["code"] == "too_many_files"
    assert len(api.claim(T1, draft["id"])["files"]) == 5
    assert len(_rows(app)) == 5 and len(_blobs(app)) == 5


def test_size_limit(api, app, draft, monkeypatch):
    data = pdf()
    monkeypatch.setitem(app.config["UPLOADS"], "MAX_FILE_BYTES", len(data) - 1)
    response = api.as_(T1).upload(draft["id"], data, "big.pdf")
    assert response.status_code == 422
    error = _error(response)
    assert error["code"] == "file_too_large" and error["fields"]["file"]
    assert _rows(app) == [] and _blobs(app) == []
    monkeypatch.setitem(app.config["UPLOADS"], "MAX_FILE_BYTES", len(data))  # exactly the limit is fine
    assert api.as_(T1).upload(draft["id"], data, "big.pdf").status_code == 201


@pytest.mark.parametrize("description, ok", [
    ("证" * 33, True), ("证" * 34, False), ("x" * 34, False), ("", False), ("   ", False), (None, False)])
def test_description_is_required_and_short(api, app, draft, description, ok):
    form = {"file": (io.BytesIO(png()), "a.png")}
    if description is not None:
        form["description"] = description
    response = api.as_(T1).post(f"/claims/{draft['id']}/files", content_type="multipart/form-data", data=form)
    if ok:
        assert response.status_code == 201 and response.get_json()["description"] == description
        return
    assert response.status_code == 422
    assert "description" in _error(response)["fields"]
    assert _rows(app) == [] and _blobs(app) == []


def test_nul_in_the_description_is_not_a_server_error(api, app, draft):
    response = api.as_(T1).upload(draft["id"], png(), "a.png", description="证明\x00材料")
    if response.status_code == 201:  # cleaned is as good as refused
        assert all(ch.isprintable() for ch in response.get_json()["description"])
        assert len(_rows(app)) == 1 and len(_blobs(app)) == 1
    else:
        assert response.status_code == 422 and "description" in _error(response)["fields"]
        assert _rows(app) == [] and _blobs(app) == []


def test_missing_file_part_is_422(api, draft):
    response = api.as_(T1).post(f"/claims/{draft['id']}/files", content_type="multipart/form-data",
                                data={"description": "证明"})
    assert response.status_code == 422 and "file" in _error(response)["fields"]


def _raw_upload(api, claim_id: int, data: bytes, disposition_filename: str):
    """POST a multipart body whose filename parameter is exactly ``disposition_filename``."""
    boundary = "----test-boundary-7f3a"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="description"\r\n\r\n证明\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{disposition_filename}"\r\nContent-Type: application/octet-stream\r\n\r\n')
    body = head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return api.as_(T1).post(f"/claims/{claim_id}/files", data=body,
                            content_type=f"multipart/form-data; boundary={boundary}")


@pytest.mark.parametrize("sent, shown", [
    ("../../etc/passwd.png", "passwd.png"),
    ("..\\\\..\\\\windows\\\\evil.png", "evil.png"),  # quoted-pairs: the app gets ..\\..\\windows\\evil.png
    ("C:\\\\x\\\\y.png", "y.png"),
    ("/abs/path/z.png", "z.png"),
])
def test_paths_in_file_names_never_reach_the_disk(api, app, draft, sent, shown):
    response = _raw_upload(api, draft["id"], png(), sent)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["filename"] == shown
    assert api.claim(T1, draft["id"])["files"][0]["filename"] == shown
    [row] = _rows(app)
    assert row.filename == shown
    assert row.storage_key.startswith(f"claims/{draft['id']}/") and row.storage_key.endswith(".png")
    assert ".." not in row.storage_key and shown[:-4] not in row.storage_key
    root = _root(app).resolve()
    [blob] = _blobs(app)
    assert blob.resolve() == (root / row.storage_key).resolve() and root in blob.resolve().parents


def test_unescaped_windows_path_keeps_no_separator(api, app, draft):
    # Old browsers send C:\x\y.png raw; Werkzeug reads \x as a quoted-pair, so the app gets "C:xy.png"
    response = _raw_upload(api, draft["id"], png(), "C:\\x\\y.png")
    assert response.status_code == 201
    name = response.get_json()["filename"]
    assert name.endswith("y.png") and "\\" not in name and "/" not in name


def test_no_file_changes_once_submitted(api, app, draft):
    early = api.as_(T1).upload(draft["id"], png(), "early.png").get_json()
    assert api.as_(T1).post(f"/claims/{draft['id']}/submit").status_code == 200
    response = api.as_(T1).upload(draft["id"], png(), "late.png")
    assert response.status_code == 409 and _error(response)["code"] == "not_editable"
    removed = api.as_(T1).delete(f"/claims/{draft['id']}/files/{early['id']}")
    assert removed.status_code == 409 and _error(removed)["code"] == "not_editable"
    assert len(_rows(app)) == 1 and len(_blobs(app)) == 1


def test_delete_a_file_removes_the_blob_and_logs_it(api, app, draft):
    keep = api.as_(T1).upload(draft["id"], png(), "keep.png", description="保留").get_json()
    gone = api.as_(T1).upload(draft["id"], pdf(), "gone.pdf", description="删除").get_json()
    rows = {r.id: r.storage_key for r in _rows(app)}
    blob = _root(app) / rows[gone["id"]]
    assert blob.is_file()

    response = api.as_(T1).delete(f"/claims/{draft['id']}/files/{gone['id']}")
    assert response.status_code == 204
    assert not blob.exists()
    assert (_root(app) / rows[keep["id"]]).is_file()
    assert api.as_(T1).get(f"/claims/{draft['id']}/files/{gone['id']}").status_code == 404
    assert api.as_(T1).delete(f"/claims/{draft['id']}/files/{gone['id']}").status_code == 404

    claim = api.claim(T1, draft["id"])
    assert [f["id"] for f in claim["files"]] == [keep["id"]]
    log = [(e["action"], e["remark"]) for e in claim["log"]]
    assert log[:3] == [("file_remove", "gone.pdf"), ("file_add", "gone.pdf"), ("file_add", "keep.png")]
    assert claim["log"][0]["action_label"] == "删除证明材料"


def test_file_of_another_claim_is_not_found(api, draft):
    other = api.new_claim(T1)
    uploaded = api.as_(T1).upload(other["id"], png(), "a.png").get_json()
    assert api.as_(T1).get(f"/claims/{draft['id']}/files/{uploaded['id']}").status_code == 404
    assert api.as_(T1).delete(f"/claims/{draft['id']}/files/{uploaded['id']}").status_code == 404
    assert api.as_(T1).get(f"/claims/{other['id']}/files/{uploaded['id']}").status_code == 200


def test_deleting_a_draft_removes_its_blobs(api, app, draft):
    for data, name in ((png(), "a.png"), (pdf(), "b.pdf")):
        assert api.as_(T1).upload(draft["id"], data, name).status_code == 201
    assert len(_blobs(app)) == 2
    assert api.as_(T1).delete(f"/claims/{draft['id']}").status_code == 204
    assert _blobs(app) == [] and _rows(app) == []


def test_reviewers_of_the_unit_can_download_proofs(api, draft):
    uploaded = api.as_(T1).upload(draft["id"], pdf(), "proof.pdf").get_json()
    path = f"/claims/{draft['id']}/files/{uploaded['id']}"
    assert api.as_("unit_reviewer").get(path).status_code == 404  # a draft is the trainee's own
    assert api.as_(T1).post(f"/claims/{draft['id']}/submit").status_code == 200
    assert api.as_("unit_reviewer").get(path).data == pdf()
    assert api.as_("authority_reviewer").get(path).status_code == 200
    assert api.as_("unit_reviewer_b").get(path).status_code == 404
    assert api.as_("unit_reviewer").delete(path).status_code == 403


def test_gif_and_bmp_are_checked_by_content_and_taken_only_where_a_policy_names_them(app):
    def image(kind: str) -> bytes:
        buf = io.BytesIO()
        Image.new("RGB", (16, 16), (5, 6, 7)).save(buf, kind)
        return buf.getvalue()

    with app.test_request_context():
        for kind, name in (("GIF", "a.gif"), ("BMP", "a.bmp")):
            data = image(kind)
            with pytest.raises(Invalid) as refused:  # the default policy: jpg, png and pdf only
                check_upload(data, name, 10**6)
            assert refused.value.code == "bad_file_type"
            checked = check_upload(data, name, 10**6, ("jpeg", "png", "gif", "bmp"))
            assert (checked.kind, checked.content_type) == (kind.lower(), f"image/{kind.lower()}")
            with pytest.raises(Invalid) as corrupt:  # the header alone is not an image
                check_upload(data[:40], name, 10**6, ("gif", "bmp"))
            assert corrupt.value.code == "bad_file"
            with pytest.raises(Invalid) as misnamed:
                check_upload(data, "a.png", 10**6, ("png", "gif", "bmp"))
            assert misnamed.value.code == "bad_file_type"
        with pytest.raises(Invalid) as pdf_refused:
            check_upload(pdf(), "a.pdf", 10**6, ("jpeg", "png", "gif", "bmp"))
        assert "jpg, png, gif, bmp" in pdf_refused.value.message
