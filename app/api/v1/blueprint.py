"""The API's flask-smorest Blueprint: request bodies parsed defensively."""
from __future__ import annotations

import json
from typing import Any

import flask
import flask_smorest
from webargs.flaskparser import FlaskParser


class BodyParser(FlaskParser):
    """webargs' parser, with JSON nested too deep for Python's parser as a plain 400.

    ``json.loads`` of 100,000 nested ``[`` raises RecursionError, which webargs does not
    expect (it turns only JSONDecodeError into "invalid JSON").
    """

    def _raw_load_json(self, req: flask.Request) -> Any:
        try:
            return super()._raw_load_json(req)
        except RecursionError:
            # (a non-empty document: an empty one would read as "no body")
            raise json.JSONDecodeError("nested too deeply", "[" * 2, 0) from None


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint with the defensive body parser.

    ``api_prefix`` is where a process plug-in's routes go below ``/api/v1`` (``/claims``).
    """

    ARGUMENTS_PARSER = BodyParser()

    def __init__(self, *args: Any, api_prefix: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.url_prefix_v1 = api_prefix

    def arguments(self, schema: Any, **kwargs: Any) -> Any:
        """As flask-smorest's, with a schema class made an instance once, here: given a class, webargs
        builds a new schema on every request (a few hundred Python calls each). A schema holds no
        per-call state (``unknown`` and the data are arguments of ``load``), so one instance serves all."""
        if isinstance(schema, type):
            schema = schema()
        return super().arguments(schema, **kwargs)
