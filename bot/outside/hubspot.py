"""HubSpot as the bot's CRM: the `hubspot-api-client` package behind handoff.crm.Crm.

Companies and contacts are found (by domain, by email) before they are created; meetings,
notes and deals are created once per handoff, their ids kept by the caller. Every created
object is tied to the contact and the company with v4 default associations before its id is
reported, so an object whose id is known is complete. After a failed try (`recheck`), an
object with no known id is looked for first: its create may have landed unanswered.

Calls are spaced to stay under a private app's burst limit (190 per 10 seconds); a 429 is
waited out (Retry-After) a few times in the call, then the row waits for its next try.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from hubspot import HubSpot
from hubspot.crm.associations.v4.exceptions import ApiException as AssociationsError
from hubspot.crm.objects import (
    PublicObjectSearchRequest,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.objects.exceptions import ApiException as ObjectsError
from hubspot.crm.owners.exceptions import ApiException as OwnersError
from urllib3.exceptions import HTTPError

from handoff.crm import CrmBusy, CrmRefused, Problem, Record, Remember, Writeback

log = logging.getLogger(__name__)

T = TypeVar("T")
ApiError = (ObjectsError, OwnersError, AssociationsError)
BURST, WINDOW = 190, 10.0  # a private app's limit: calls per window of seconds
TRIES_429 = 3  # 429s waited out inside one call before the row waits instead
OWNERS_KEPT = 3600.0  # seconds an owner found by email is cached
TIMEOUT = 10  # seconds a call may take

# HubSpot's object types, by what the handoff writes.
OBJECT_TYPES = {
    Record.COMPANY: "companies",
    Record.CONTACT: "contacts",
    Record.MEETING: "meetings",
    Record.NOTE: "notes",
    Record.DEAL: "deals",
    Record.REJECTION_NOTE: "notes",
}


class RateWindow:
    """At most `limit` calls in any `window` seconds, across the threads of a process."""

    def __init__(
        self,
        limit: int = BURST,
        window: float = WINDOW,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limit, self.window, self.clock, self.sleep = limit, window, clock, sleep
        self._calls: deque[float] = deque()
        self._lock = threading.Lock()

    def take(self) -> None:
        while True:
            with self._lock:
                now = self.clock()
                while self._calls and self._calls[0] <= now - self.window:
                    self._calls.popleft()
                if len(self._calls) < self.limit:
                    self._calls.append(now)
                    return
                delay = self._calls[0] + self.window - now
            self.sleep(delay)


def _ms(at: datetime) -> str:
    return str(int(at.astimezone(UTC).timestamp() * 1000))


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class HubSpotCrm:
    name = "hubspot"

    def __init__(
        self,
        token: str,
        base_url: str,
        *,
        rate: RateWindow | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # retry=None: the client's own retries would repeat a create whose answer was lost.
        self._api = HubSpot(access_token=token, host=base_url.rstrip("/"))
        self._rate = rate or RateWindow()
        self._sleep, self._clock = sleep, clock
        self._owners: dict[str, tuple[str, float]] = {}
        self.waits: list[float] = []  # each Retry-After waited out (tests, logs)

    # -- the Crm protocol ------------------------------------------------------------------

    def sync(
        self, want: Writeback, known: Mapping[Record, str], remember: Remember, *, recheck: bool
    ) -> None:
        ids = dict(known)
        owner = self.owner_id(want.owner_email) if want.owner_email else ""
        if not want.create:
            self._update_meeting(want, ids)
            return
        company = ids.get(Record.COMPANY) or self._company(want, remember)
        ids[Record.COMPANY] = company
        contact = ids.get(Record.CONTACT) or self._contact(want, company, remember)
        if contact:
            ids[Record.CONTACT] = contact
        to = [("companies", company)] + ([("contacts", contact)] if contact else [])
        marker = f"handoff #{want.handoff_id}"
        if want.meeting is not None:
            m = want.meeting
            props = {
                "hs_timestamp": _iso(m.start),
                "hs_meeting_title": m.title,
                "hs_meeting_start_time": _iso(m.start),
                "hs_meeting_end_time": _iso(m.end),
                "hs_meeting_body": m.body_html,
                "hs_meeting_outcome": m.state.value,
                **({"hubspot_owner_id": owner} if owner else {}),
            }
            if Record.MEETING in ids:
                self._update("meetings", ids[Record.MEETING], props)
            else:
                match = ("hs_timestamp", _ms(m.start), "hs_meeting_title", m.title)
                self._engagement(Record.MEETING, props, match, to, remember, recheck)
        if want.note_html is not None and Record.NOTE not in ids:
            body = f"<p>Qualified meeting, {marker}</p>{want.note_html}"
            props = {"hs_timestamp": _iso(want.note_at), "hs_note_body": body}
            props.update({"hubspot_owner_id": owner} if owner else {})
            match = ("hs_timestamp", _ms(want.note_at), "hs_note_body", body)
            self._engagement(Record.NOTE, props, match, to, remember, recheck)
        if want.rejection_html is not None and Record.REJECTION_NOTE not in ids:
            body = f"<p>Rejected, {marker}</p>{want.rejection_html}"
            props = {"hs_timestamp": _iso(want.note_at), "hs_note_body": body}
            match = ("hs_timestamp", _ms(want.note_at), "hs_note_body", body)
            self._engagement(Record.REJECTION_NOTE, props, match, to, remember, recheck)
        if want.deal is not None:
            d = want.deal
            stage = d.won_stage if d.opportunity and d.won_stage else d.stage
            if Record.DEAL in ids:
                if d.opportunity and d.won_stage:
                    self._update("deals", ids[Record.DEAL], {"dealstage": stage})
            else:
                props = {"dealname": d.name, "pipeline": d.pipeline, "dealstage": stage}
                props.update({"hubspot_owner_id": owner} if owner else {})
                match = ("dealname", d.name, "dealname", d.name)
                self._engagement(Record.DEAL, props, match, to, remember, recheck)

    def owner_id(self, email: str) -> str:
        """The HubSpot owner with this email ("" when none), cached for an hour."""
        cached = self._owners.get(email)
        if cached and cached[1] > self._clock():
            return cached[0]
        page = self._call(
            lambda: self._api.crm.owners.owners_api.get_page(
                email=email, limit=1, _request_timeout=TIMEOUT
            )
        )
        found = str(page.results[0].id) if page.results else ""
        if not found:
            log.warning("no HubSpot owner has the email of the AE; the meeting has no owner")
        self._owners[email] = (found, self._clock() + OWNERS_KEPT)
        return found

    # -- steps -----------------------------------------------------------------------------

    def _company(self, want: Writeback, remember: Remember) -> str:
        c = want.company
        key, value = ("domain", c.domain) if c.domain else ("name", c.name)
        found = self._search("companies", [(key, "EQ", value)], [key])
        if not found:
            props = {"name": c.name, **({"domain": c.domain} if c.domain else {})}
            found = self._create("companies", props)
        remember(Record.COMPANY, found)
        return found

    def _contact(self, want: Writeback, company: str, remember: Remember) -> str:
        c = want.contact
        if not c.email:
            return ""
        found = self._search("contacts", [("email", "EQ", c.email)], ["email"])
        if not found:
            props = {"email": c.email, "firstname": c.first_name, "lastname": c.last_name}
            props.update({"jobtitle": c.title} if c.title else {})
            found = self._create("contacts", props)
            self._associate("contacts", found, "companies", company)
        remember(Record.CONTACT, found)
        return found

    def _engagement(
        self,
        record: Record,
        props: dict[str, str],
        match: tuple[str, str, str, str],
        to: list[tuple[str, str]],
        remember: Remember,
        recheck: bool,
    ) -> None:
        """Create it (unless a lost create is found), tie it to `to`, then report its id."""
        kind = OBJECT_TYPES[record]
        found = ""
        if recheck:
            key, value, check, expected = match
            found = self._search(kind, [(key, "EQ", value)], [check], expect=(check, expected))
        if not found:
            found = self._create(kind, props)
        for to_kind, to_id in to:
            self._associate(kind, found, to_kind, to_id)
        remember(record, found)

    # -- calls -----------------------------------------------------------------------------

    def _search(
        self,
        kind: str,
        filters: list[tuple[str, str, str]],
        properties: list[str],
        *,
        expect: tuple[str, str] | None = None,
    ) -> str:
        request = PublicObjectSearchRequest(
            filter_groups=[
                {"filters": [{"propertyName": p, "operator": o, "value": v} for p, o, v in filters]}
            ],
            properties=properties,
            limit=10,
        )
        page = self._call(
            lambda: self._api.crm.objects.search_api.do_search(
                kind, public_object_search_request=request, _request_timeout=TIMEOUT
            )
        )
        for result in page.results or []:
            if expect is None or (result.properties or {}).get(expect[0]) == expect[1]:
                return str(result.id)
        return ""

    def _create(self, kind: str, props: dict[str, str]) -> str:
        body = SimplePublicObjectInputForCreate(properties=props, associations=[])
        created = self._call(
            lambda: self._api.crm.objects.basic_api.create(
                kind, simple_public_object_input_for_create=body, _request_timeout=TIMEOUT
            )
        )
        return str(created.id)

    def _update(self, kind: str, object_id: str, props: dict[str, str]) -> None:
        body = SimplePublicObjectInput(properties=props)
        self._call(
            lambda: self._api.crm.objects.basic_api.update(
                kind, object_id, simple_public_object_input=body, _request_timeout=TIMEOUT
            )
        )

    def _update_meeting(self, want: Writeback, ids: dict[Record, str]) -> None:
        if want.meeting is not None and Record.MEETING in ids:
            props = {"hs_meeting_outcome": want.meeting.state.value}
            self._update("meetings", ids[Record.MEETING], props)

    def _associate(self, kind: str, object_id: str, to_kind: str, to_id: str) -> None:
        self._call(
            lambda: self._api.crm.associations.v4.basic_api.create_default(
                kind, object_id, to_kind, to_id, _request_timeout=TIMEOUT
            )
        )

    def _call(self, fn: Callable[[], T]) -> T:
        """One request, inside the rate window; 429s waited out, errors sorted into what a
        person must fix (CrmRefused) and what passes (CrmBusy)."""
        for attempt in range(TRIES_429 + 1):
            self._rate.take()
            try:
                return fn()
            except ApiError as exc:
                status = int(exc.status or 0)
                if status == 429:
                    wait = _retry_after(exc)
                    if attempt == TRIES_429:
                        busy = CrmBusy("HubSpot: 429 rate limited", timedelta(seconds=wait))
                        raise busy from None
                    self.waits.append(wait)
                    self._sleep(wait)
                    continue
                raise _sorted(status, exc) from None
            except HTTPError as exc:  # no answer: the call may or may not have landed
                raise CrmBusy(f"HubSpot: {type(exc).__name__}", timedelta(0)) from None
        raise AssertionError("unreachable")


def _retry_after(exc: Any) -> float:
    headers = exc.headers or {}
    value = headers.get("Retry-After") or headers.get("retry-after")
    try:
        return min(max(float(value), 0.0), 60.0) if value is not None else 1.0
    except ValueError:
        return 1.0


def _sorted(status: int, exc: Any) -> Exception:
    body = _body(exc)
    category = str(body.get("category") or "")
    message = str(body.get("message") or exc.reason or "")[:150]
    if status == 401:
        return CrmRefused(Problem.TOKEN, message)
    if status == 403:
        return CrmRefused(Problem.SCOPE, message)
    if status == 400 and any(w in message.lower() for w in ("pipeline", "dealstage", "owner")):
        return CrmRefused(Problem.SETTING, message)
    if status >= 500 or status == 0:
        return CrmBusy(f"HubSpot: {status} {category}".strip(), timedelta(0))
    return RuntimeError(f"HubSpot: {status} {category} {message}".strip())


def _body(exc: Any) -> dict[str, Any]:
    raw = exc.body
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    try:
        parsed = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}
