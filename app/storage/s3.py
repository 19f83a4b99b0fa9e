"""Proof files in any S3-compatible store (AWS S3, MinIO, Ceph RGW, OSS...)."""
from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from .base import Storage, StorageError


class S3Storage(Storage):
    def __init__(self, client: Any, bucket: str):
        self.client = client
        self.bucket = bucket

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> S3Storage:
        options: dict[str, Any] = {
            "region_name": cfg.get("S3_REGION") or "us-east-1",
            "config": Config(retries={"max_attempts": 3, "mode": "standard"},
                             s3={"addressing_style": "path"}),
        }
        if cfg.get("S3_ENDPOINT_URL"):
            options["endpoint_url"] = cfg["S3_ENDPOINT_URL"]
        if cfg.get("S3_ACCESS_KEY_ID"):
            options["aws_access_key_id"] = cfg["S3_ACCESS_KEY_ID"]
            options["aws_secret_access_key"] = cfg.get("S3_SECRET_ACCESS_KEY", "")
        return cls(boto3.client("s3", **options), cfg["S3_BUCKET"])

    def put(self, key: str, data: bytes, content_type: str) -> None:
        try:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)
        except ClientError as exc:
            raise StorageError(str(exc)) from exc

    def get(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as exc:
            raise StorageError(str(exc)) from exc

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            raise StorageError(str(exc)) from exc

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
            return True
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise StorageError(str(exc)) from exc
