"""The S3 storage backend against moto's S3 server, spoken to over real HTTP."""
from __future__ import annotations

import socket
import urllib.request
import uuid
from collections.abc import Iterator

import boto3
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer

from app.extensions import db
from app.models import Attachment
from app.storage import StorageError
from app.storage.s3 import S3Storage
from tests.support.files import pdf, png
from tests.support.world import T1


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def aws_env(monkeypatch) -> None:
    """No real credentials or config file may leak into these tests."""
    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                        "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null",
                        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def s3_config(s3_endpoint, aws_env) -> dict:
    bucket = f"proofs-{uuid.uuid4().hex[:12]}"
    return {"BACKEND": "s3", "S3_BUCKET": bucket, "S3_ENDPOINT_URL": s3_endpoint,
            "S3_ACCESS_KEY_ID": "test", "S3_SECRET_ACCESS_KEY": "test", "S3_REGION": "us-east-1"}


@pytest.fixture
def raw_s3(s3_config):
    client = boto3.client("s3", endpoint_url=s3_config["S3_ENDPOINT_URL"], region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test",
                          config=Config(s3={"addressing_style": "path"}))
    client.create_bucket(Bucket=s3_config["S3_BUCKET"])
    return client


def _keys(raw_s3, bucket: str, prefix: str = "claims/") -> list[str]:
    """The claims' objects (the demo data's provider filings keep theirs under ``prefilings/``)."""
    return sorted(o["Key"] for o in raw_s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", []))


# -- the backend on its own ---------------------------------------------------------

def test_put_get_exists_delete(s3_config, raw_s3):
    store = S3Storage.from_config(s3_config)
    key, data = "claims/1/abc.pdf", pdf()
    assert store.exists(key) is False
    store.put(key, data, "application/pdf")
    assert store.exists(key) is True
    assert store.get(key) == data
    head = raw_s3.head_object(Bucket=s3_config["S3_BUCKET"], Key=key)
    assert head["ContentType"] == "application/pdf" and head["ContentLength"] == len(data)

    store.put(key, png(), "image/png")  # a put replaces
    assert store.get(key) == png()
    store.delete(key)
    assert store.exists(key) is False
    store.delete(key)  # deleting what is gone is not an error
    assert _keys(raw_s3, s3_config["S3_BUCKET"], prefix="") == []


def test_missing_object_raises_storage_error(s3_config, raw_s3):
    store = S3Storage.from_config(s3_config)
    with pytest.raises(StorageError):
        store.get("claims/1/missing.pdf")


def test_missing_bucket_raises_storage_error(s3_config, aws_env):
    store = S3Storage.from_config({**s3_config, "S3_BUCKET": "no-such-bucket-here"})
    with pytest.raises(StorageError):
        store.put("claims/1/a.png", png(), "image/png")
    with pytest.raises(StorageError):
        store.get("claims/1/a.png")


# -- the API with the S3 backend -------------------------------------------------------

@pytest.fixture
def s3_app(app, s3_config, raw_s3, monkeypatch):
    monkeypatch.setitem(app.config, "STORAGE", s3_config)
    app.extensions.pop("storage", None)
    yield app
    app.extensions.pop("storage", None)


def test_api_upload_download_and_delete_through_s3(s3_app, api, s3_config, raw_s3):
    bucket, data = s3_config["S3_BUCKET"], pdf(2)
    claim = api.new_claim(T1)
    response = api.as_(T1).upload(claim["id"], data, "成绩单.pdf")
    assert response.status_code == 201, response.get_json()
    file_id = response.get_json()["id"]
    with s3_app.app_context():
        key = db.session.get(Attachment, file_id).storage_key
    assert key.startswith(f"claims/{claim['id']}/") and key.endswith(".pdf")
    assert _keys(raw_s3, bucket) == [key]
    with urllib.request.urlopen(f"{s3_config['S3_ENDPOINT_URL']}/{bucket}?list-type=2") as listing:  # noqa: S310
        assert f"<Key>{key}</Key>" in listing.read().decode()  # really on the HTTP server
    stored = raw_s3.get_object(Bucket=bucket, Key=key)
    assert stored["Body"].read() == data and stored["ContentType"] == "application/pdf"

    download = api.as_(T1).get(f"/claims/{claim['id']}/files/{file_id}")
    assert download.status_code == 200 and download.data == data
    assert download.mimetype == "application/pdf"

    refused = api.as_(T1).upload(claim["id"], png(), "fake.pdf")
    assert refused.status_code == 422 and _keys(raw_s3, bucket) == [key]

    assert api.as_(T1).delete(f"/claims/{claim['id']}/files/{file_id}").status_code == 204
    assert _keys(raw_s3, bucket) == []


def test_local_backend_is_back_after_the_s3_test(app, api):
    assert app.config["STORAGE"]["BACKEND"] == "local"
    claim = api.new_claim(T1)
    assert api.as_(T1).upload(claim["id"], png(), "a.png").status_code == 201
    assert type(app.extensions["storage"]).__name__ == "LocalStorage"
