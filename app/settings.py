"""Built-in defaults; ``config.toml`` and ``APP_*`` variables override them."""
from __future__ import annotations

from typing import Any

DEFAULTS: dict[str, Any] = {
    # None: a random key is made once and kept in instance/secret_key (fine on one host;
    # set APP_SECRET_KEY, the same on every host, when several hosts serve the app).
    "SECRET_KEY": None,
    "SQLALCHEMY_DATABASE_URI": "sqlite:///continuing-education.db",
    # No pre-ping (it costs a round trip per request); recycle instead, and a dropped
    # connection fails one request, which the client may retry.
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_recycle": 1800},
    "SQLITE_BUSY_TIMEOUT_MS": 30000,
    "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
    "JSON_AS_ASCII": False,
    "BABEL_DEFAULT_LOCALE": "zh",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    "REGION_NAME": "",
    # How many reverse proxies sit in front of the app (nginx = 1). Their X-Forwarded-For/
    # -Proto/-Host headers are believed only for that many hops, so login throttling sees
    # the client's address, not the proxy's. 0 = served directly: the headers are ignored.
    "TRUSTED_PROXIES": 0,
    "BPMN_FOLDER": None,  # defaults to <repo>/bpmn
    "STORAGE": {
        "BACKEND": "local",
        "LOCAL_ROOT": "uploads",
        "S3_BUCKET": "ce-proofs",
        "S3_ENDPOINT_URL": "",
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "",
        "S3_SECRET_ACCESS_KEY": "",
    },
    "UPLOADS": {
        "MAX_FILES_PER_CLAIM": 5,
        "MAX_FILE_BYTES": 10 * 1024 * 1024,
        "MAX_DESCRIPTION_CHARS": 33,
    },
    "AUTH": {
        "TOKEN_TTL_SECONDS": 8 * 3600,
        "MIN_PASSWORD_LENGTH": 8,
        "PASSWORD_METHOD": "scrypt",
        # Guessing: after this many failures within the window, wait (per account and per address).
        "MAX_FAILED_LOGINS": 5,
        "MAX_FAILED_LOGINS_PER_IP": 30,
        "LOGIN_WINDOW_SECONDS": 900,
        # Accounts anyone may create without logging in (trainees', units' first administrators)
        # per address within that window: a unit's office behind one address registers a few.
        "MAX_REGISTRATIONS_PER_IP": 20,
        # Browser sessions end after this long without a request (seed 004 warns of 30 minutes).
        "SESSION_IDLE_SECONDS": 1800,
    },
    # Proofs a credit claim needs before it is submitted; MIN_PROOFS_BY_ROUTE overrides it per route
    # (e.g. {"exam": 1, "paper": 2}).
    "CLAIMS": {
        "MIN_PROOFS": 1,
        "MIN_PROOFS_BY_ROUTE": {},
    },
    # E-certificates: the public verification page refuses an address that looked up this many
    # unknown numbers within the window (guessing), found or not, until the window passes.
    "CERTIFICATES": {
        "VERIFY_MAX_MISSES_PER_IP": 20,
        "VERIFY_WINDOW_SECONDS": 600,
    },
    # Supplementary claims for last year (学时增补, seed 002): asked for, and first reported, between
    # these days of January (MM-DD, in the platform's time zone); proofs a report needs.
    "SUPPLEMENTARY": {
        "WINDOW_START": "01-01",
        "WINDOW_END": "01-20",
        "MIN_PROOFS": 1,
    },
    # The yearly requirement of the region this deployment serves (``REGION``, one of ``REGIONS``).
    # A region may ask more of senior titles (正高级 / 高级: SENIOR_TOTAL_HOURS) and count at most
    # DAILY_CAP_HOURS for a day of training. TOTAL_HOURS, PROFESSIONAL_HOURS, PUBLIC_HOURS set
    # directly in this section (e.g. APP_POLICY__TOTAL_HOURS=96) override the region's.
    "POLICY": {
        "REGION": "zhejiang",
        "ROUTE_CAP_HOURS": 36,
        "REGIONS": {
            "zhejiang": {"NAME": "浙江省交通运输", "TOTAL_HOURS": 90, "PROFESSIONAL_HOURS": 60, "PUBLIC_HOURS": 18},
            "tianjin": {"NAME": "天津市", "TOTAL_HOURS": 96, "SENIOR_TOTAL_HOURS": 144, "PROFESSIONAL_HOURS": 0,
                        "PUBLIC_HOURS": 0, "DAILY_CAP_HOURS": 8},
        },
    },
    # OpenAPI (flask-smorest)
    "API_TITLE": "Continuing-education approvals",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
}

NESTED_SECTIONS = ("STORAGE", "UPLOADS", "AUTH", "POLICY", "CLAIMS", "CERTIFICATES", "SUPPLEMENTARY")
