"""The Web API client, counted: every call by method and result, every Retry-After honoured.

`api_call` is the one door every WebClient method goes through: it sees the last attempt of
a call. The attempts slack_sdk's retry handlers repeat (a 429, a 5xx, a dropped connection)
are seen by `CountedRetry`, which wraps each handler and does what it does. A failed call
also names its method and Slack's error code in the logs of the work in hand, until a later
call succeeds.
"""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.observability import logs, telemetry

OK, RATELIMITED, ERROR = "ok", "ratelimited", "error"


class CountedClient(WebClient):
    def api_call(self, api_method: str, **kwargs: Any) -> Any:
        try:
            reply = super().api_call(api_method, **kwargs)
        except SlackApiError as exc:
            limited = exc.response.status_code == 429
            telemetry.slack_call(api_method, RATELIMITED if limited else ERROR)
            error = exc.response.get("error") if isinstance(exc.response.data, dict) else None
            logs.bind(slack_method=api_method, slack_error=str(error or exc.response.status_code))
            raise
        except Exception:
            telemetry.slack_call(api_method, ERROR)
            logs.bind(slack_method=api_method, slack_error="connection")
            raise
        telemetry.slack_call(api_method, OK)
        logs.unbind("slack_method", "slack_error")  # they describe the latest call only
        return reply


class CountedRetry(RetryHandler):
    """`inner`, counting each attempt it repeats (and the Retry-After of a 429)."""

    def __init__(self, inner: RetryHandler) -> None:
        super().__init__(inner.max_retry_count, inner.interval_calculator)
        self.inner = inner

    def can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return self.inner.can_retry(state=state, request=request, response=response, error=error)

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        method = method_of(request.url)
        if response is not None and response.status_code == 429:
            telemetry.slack_call(method, RATELIMITED)
            telemetry.retry_after(method, _retry_after(response))
        else:
            telemetry.slack_call(method, ERROR)
        self.inner.prepare_for_next_attempt(
            state=state, request=request, response=response, error=error
        )


def method_of(url: str) -> str:
    """The Web API method a request URL calls (…/api/chat.postMessage?x=1 → chat.postMessage)."""
    return url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def _retry_after(response: HttpResponse) -> float:
    for name, values in response.headers.items():
        if name.lower() == "retry-after" and values:
            try:
                return max(float(values[0]), 0.0)
            except ValueError:
                break
    return 1.0  # what slack_sdk waits without the header


def counted_client(
    *, token: str | None, base_url: str, timeout: int, retry_handlers: list[RetryHandler]
) -> WebClient:
    return CountedClient(
        token=token,
        base_url=base_url,
        timeout=timeout,
        retry_handlers=[CountedRetry(h) for h in retry_handlers],
    )
