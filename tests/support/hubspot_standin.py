"""A local HubSpot over HTTP for the tests: the real `hubspot-api-client` pointed at it.

It answers the calls the bot makes with HubSpot's request and answer shapes: the v3 CRM
objects API (search, create, update), the owners API and the v4 default associations. It
keeps every object, association and call, checks the bearer token, the properties a type
has and the meeting outcomes HubSpot allows, and can fail the next calls of a kind: a
status (429 with Retry-After, 5xx, 401, 403), or the call served and its answer dropped.
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "pat-na1-test-token"
PROPERTIES = {
    "companies": {"name", "domain"},
    "contacts": {"email", "firstname", "lastname", "jobtitle"},
    "meetings": {
        "hs_timestamp",
        "hs_meeting_title",
        "hs_meeting_body",
        "hs_meeting_start_time",
        "hs_meeting_end_time",
        "hs_meeting_outcome",
        "hubspot_owner_id",
    },
    "notes": {"hs_timestamp", "hs_note_body", "hubspot_owner_id"},
    "deals": {"dealname", "pipeline", "dealstage", "hubspot_owner_id"},
}
OUTCOMES = {"SCHEDULED", "COMPLETED", "RESCHEDULED", "NO_SHOW", "CANCELED"}
# HubSpot-defined default association type ids (from → to), as v4 answers them.
DEFAULT_TYPES = {
    ("contacts", "companies"): 279,
    ("meetings", "contacts"): 200,
    ("meetings", "companies"): 188,
    ("notes", "contacts"): 202,
    ("notes", "companies"): 190,
    ("deals", "contacts"): 3,
    ("deals", "companies"): 341,
}
TIME_PROPERTIES = {"hs_timestamp", "hs_meeting_start_time", "hs_meeting_end_time"}


@dataclass
class Fault:
    status: int = 500
    mode: str = "answer"  # "answer": the error instead; "drop_after": served, no answer
    retry_after: str | None = None
    category: str = ""


@dataclass
class HubCall:
    method: str
    path: str
    kind: str  # search, create, update, owners, associate
    object_type: str
    body: Any
    status: int


@dataclass
class HubSpotStandIn:
    owners: dict[str, str] = field(default_factory=dict)  # email → owner id
    pipelines: dict[str, set[str]] = field(default_factory=dict)  # pipeline → stage ids
    objects: dict[str, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: {k: {} for k in PROPERTIES}
    )
    associations: set[tuple[str, str, str, str, int]] = field(default_factory=set)
    calls: list[HubCall] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    _faults: dict[str, deque[Fault]] = field(default_factory=dict)
    _next_id: int = 1000
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _server: ThreadingHTTPServer | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> HubSpotStandIn:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        server.daemon_threads = True
        self._server = server
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_port}"

    # -- what tests set and read -------------------------------------------------------------

    def fail_next(self, kind: str, object_type: str = "", times: int = 1, **fault: Any) -> None:
        """Fail the next `times` calls of `kind` (search, create, update, owners, associate),
        on `object_type` if given."""
        with self._lock:
            key = f"{kind}:{object_type}"
            self._faults.setdefault(key, deque()).extend(Fault(**fault) for _ in range(times))

    def records(self, object_type: str) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(o["properties"], id=i) for i, o in self.objects[object_type].items()]

    def associated(self, object_type: str, object_id: str) -> set[tuple[str, str]]:
        with self._lock:
            return {
                (t, ti)
                for f, fi, t, ti, _ in self.associations
                if (f, fi) == (object_type, object_id)
            }

    def count(self, kind: str, object_type: str = "") -> int:
        with self._lock:
            return sum(
                1
                for c in self.calls
                if c.kind == kind and (not object_type or c.object_type == object_type)
            )

    # -- serving -----------------------------------------------------------------------------

    def serve(
        self, method: str, url: str, headers: Any, raw: bytes
    ) -> tuple[int, dict[str, str], Any]:
        parts = urlsplit(url)
        path = parts.path.rstrip("/")
        body = json.loads(raw) if raw else None
        route = _route(method, path)
        if route is None:
            self.problems.append(f"no such HubSpot endpoint: {method} {path}")
            return (
                404,
                {},
                {"status": "error", "message": "Not found", "category": "OBJECT_NOT_FOUND"},
            )
        kind, object_type, ids = route
        with self._lock:
            fault = self._take_fault(kind, object_type)
            if headers.get("Authorization") != f"Bearer {TOKEN}":
                status, extra, answer = (
                    401,
                    {},
                    _error("Authentication credentials not found.", "INVALID_AUTHENTICATION"),
                )
            elif fault is not None and fault.mode == "answer":
                extra = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                status, answer = fault.status, _error(f"injected {fault.status}", fault.category)
            else:
                status, answer = self._answer(kind, object_type, ids, body, parts.query)
                extra = {}
            self.calls.append(HubCall(method, path, kind, object_type, body, status))
            if fault is not None and fault.mode == "drop_after":
                return -1, {}, None
            return status, extra, answer

    def _take_fault(self, kind: str, object_type: str) -> Fault | None:
        for key in (f"{kind}:{object_type}", f"{kind}:"):
            queue = self._faults.get(key)
            if queue:
                return queue.popleft()
        return None

    def _answer(
        self, kind: str, object_type: str, ids: list[str], body: Any, query: str
    ) -> tuple[int, Any]:
        if kind == "owners":
            email = (parse_qs(query).get("email") or [""])[0]
            found = [(e, i) for e, i in self.owners.items() if not email or e == email]
            return 200, {"results": [_owner(e, i) for e, i in found]}
        if object_type not in PROPERTIES:
            return 400, _error(f"unknown object type {object_type}", "VALIDATION_ERROR")
        if kind == "search":
            return 200, self._search(object_type, body)
        if kind == "create":
            return self._create(object_type, body)
        if kind == "update":
            return self._update(object_type, ids[0], body)
        return self._associate(object_type, ids)

    def _check(self, object_type: str, props: Any) -> str | None:
        if not isinstance(props, dict) or not all(isinstance(v, str) for v in props.values()):
            return "properties must be an object of strings"
        unknown = set(props) - PROPERTIES[object_type]
        if unknown:
            return f"Property values were not valid: {sorted(unknown)[0]} does not exist"
        if "hs_meeting_outcome" in props and props["hs_meeting_outcome"] not in OUTCOMES:
            return f"{props['hs_meeting_outcome']} was not one of the allowed options"
        for name in TIME_PROPERTIES & set(props):
            if _ms(props[name]) is None:
                return f"{name} is not a valid datetime"
        if object_type == "deals" and "pipeline" in props:
            stages = self.pipelines.get(props["pipeline"])
            if stages is None:
                return f"pipeline {props['pipeline']} does not exist"
        if object_type == "deals" and "dealstage" in props:
            known = set().union(*self.pipelines.values()) if self.pipelines else set()
            if props["dealstage"] not in known:
                return f"dealstage {props['dealstage']} is not a valid stage of any pipeline"
        if props.get("hubspot_owner_id") and props["hubspot_owner_id"] not in self.owners.values():
            return f"hubspot_owner_id {props['hubspot_owner_id']} is not a valid owner"
        return None

    def _create(self, object_type: str, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict) or "properties" not in body:
            return 400, _error("properties is required", "VALIDATION_ERROR")
        problem = self._check(object_type, body["properties"])
        if problem:
            return 400, _error(problem, "VALIDATION_ERROR")
        if object_type in ("meetings", "notes") and "hs_timestamp" not in body["properties"]:
            return 400, _error("hs_timestamp is required", "VALIDATION_ERROR")
        self._next_id += 1
        object_id = str(self._next_id)
        now = _now()
        self.objects[object_type][object_id] = {
            "properties": dict(body["properties"]),
            "createdAt": now,
            "updatedAt": now,
        }
        return 201, self._public(object_type, object_id)

    def _update(self, object_type: str, object_id: str, body: Any) -> tuple[int, Any]:
        stored = self.objects[object_type].get(object_id)
        if stored is None:
            return 404, _error(f"{object_type} {object_id} not found", "OBJECT_NOT_FOUND")
        problem = self._check(object_type, (body or {}).get("properties"))
        if problem:
            return 400, _error(problem, "VALIDATION_ERROR")
        stored["properties"].update(body["properties"])
        stored["updatedAt"] = _now()
        return 200, self._public(object_type, object_id)

    def _search(self, object_type: str, body: Any) -> Any:
        groups = (body or {}).get("filterGroups") or []
        hits = [
            object_id
            for object_id, stored in self.objects[object_type].items()
            if not groups
            or any(_matches(stored["properties"], g.get("filters") or []) for g in groups)
        ]
        limit = int((body or {}).get("limit") or 10)
        wanted = (body or {}).get("properties") or []
        results = [self._public(object_type, i, wanted) for i in hits[:limit]]
        return {"total": len(hits), "results": results}

    def _associate(self, object_type: str, ids: list[str]) -> tuple[int, Any]:
        from_id, to_type, to_id = ids
        for kind, object_id in ((object_type, from_id), (to_type, to_id)):
            if object_id not in self.objects.get(kind, {}):
                return 404, _error(f"{kind} {object_id} not found", "OBJECT_NOT_FOUND")
        type_id = DEFAULT_TYPES.get((object_type, to_type))
        if type_id is None:
            return 400, _error(
                f"no default association {object_type}→{to_type}", "VALIDATION_ERROR"
            )
        self.associations.add((object_type, from_id, to_type, to_id, type_id))
        now = _now()
        spec = {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}
        result = {"from": {"id": from_id}, "to": {"id": to_id}, "associationSpec": spec}
        return 200, {
            "status": "COMPLETE",
            "results": [result],
            "startedAt": now,
            "completedAt": now,
        }

    def _public(self, object_type: str, object_id: str, wanted: list[str] | None = None) -> Any:
        stored = self.objects[object_type][object_id]
        props = stored["properties"]
        if wanted is not None:
            props = {k: v for k, v in props.items() if k in wanted}
        return {
            "id": object_id,
            "properties": {**props, "hs_object_id": object_id},
            "createdAt": stored["createdAt"],
            "updatedAt": stored["updatedAt"],
            "archived": False,
        }


_OBJECTS = re.compile(r"^/crm/v3/objects/([a-z_]+)(?:/(search|[0-9]+))?$")
_DEFAULT = re.compile(
    r"^/crm/v4/objects/([a-z_]+)/([0-9]+)/associations/default/([a-z_]+)/([0-9]+)$"
)


def _route(method: str, path: str) -> tuple[str, str, list[str]] | None:
    if method == "GET" and path == "/crm/v3/owners":
        return "owners", "", []
    found = _OBJECTS.match(path)
    if found:
        object_type, tail = found.group(1), found.group(2)
        if method == "POST" and tail == "search":
            return "search", object_type, []
        if method == "POST" and tail is None:
            return "create", object_type, []
        if method == "PATCH" and tail and tail.isdigit():
            return "update", object_type, [tail]
        return None
    found = _DEFAULT.match(path)
    if found and method == "PUT":
        return "associate", found.group(1), [found.group(2), found.group(3), found.group(4)]
    return None


def _matches(props: dict[str, str], filters: list[dict[str, Any]]) -> bool:
    for f in filters:
        name, op, value = f.get("propertyName"), f.get("operator"), str(f.get("value"))
        have = props.get(str(name))
        if have is None:
            return False
        if name in TIME_PROPERTIES:
            have, value = str(_ms(have)), str(_ms(value))
        if op == "EQ" and have.lower() != value.lower():
            return False
        if op == "CONTAINS_TOKEN" and value.lower() not in have.lower():
            return False
        if op not in ("EQ", "CONTAINS_TOKEN"):
            return False
    return True


def _ms(value: str) -> int | None:
    if value.isdigit():
        return int(value)
    try:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return None


def _owner(email: str, owner_id: str) -> dict[str, Any]:
    now = _now()
    return {
        "id": owner_id,
        "email": email,
        "type": "PERSON",
        "firstName": email.split("@")[0],
        "lastName": "",
        "userId": int(owner_id),
        "userIdIncludingInactive": int(owner_id),
        "createdAt": now,
        "updatedAt": now,
        "archived": False,
        "teams": [],
    }


def _error(message: str, category: str) -> dict[str, Any]:
    return {"status": "error", "message": message, "correlationId": "standin", "category": category}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _handler(standin: HubSpotStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            status, extra, answer = standin.serve(self.command, self.path, self.headers, raw)
            if status < 0:  # the call was served; its answer is lost on the way back
                self.close_connection = True
                self.connection.shutdown(2)
                return
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_PUT = _serve

    return Handler
