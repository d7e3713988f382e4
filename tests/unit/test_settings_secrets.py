"""Settings never show a secret: not in repr, not in str, whatever the secret looks like."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st

from bot.settings import load_settings, mask_url

# A marker first, so a secret can never be a piece of the text around it by chance.
SECRET = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1).map(
    lambda s: "S3cr3t" + s
)
TOKEN_PART = st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", min_size=1)


@given(bot=TOKEN_PART, app=TOKEN_PART, signing=SECRET, password=SECRET, in_query=st.booleans())
def test_settings_mask_every_secret(
    bot: str, app: str, signing: str, password: str, in_query: bool
) -> None:
    encoded = quote(password, safe="")
    url = (
        f"postgresql://handoff@db.example:5432/handoff?sslmode=require&password={encoded}"
        if in_query
        else f"postgresql://handoff:{encoded}@db.example:5432/handoff"
    )
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": f"xoxb-S3cr3t{bot}",
            "SLACK_APP_TOKEN": f"xapp-S3cr3t{app}",
            "SLACK_SIGNING_SECRET": signing,
            "DATABASE_URL": url,
        },
        dotenv=False,
    )
    for shown in (repr(settings), str(settings), f"{settings}"):
        for secret in (f"S3cr3t{bot}", f"S3cr3t{app}", signing, password, encoded):
            assert secret.strip() not in shown
        assert "xoxb-***" in shown and "xapp-***" in shown and "db.example:5432" in shown


def test_urls_keep_everything_but_the_password() -> None:
    assert mask_url("sqlite:///handoff.db") == "sqlite:///handoff.db"
    assert mask_url("postgresql://u:p@ss@h:5432/db") == "postgresql://u:***@h:5432/db"
    assert mask_url("postgres://h/db?password=x&sslmode=require") == (
        "postgres://h/db?password=***&sslmode=require"
    )
    assert mask_url("postgresql://u@h/db?options=-csearch_path%3Dx") == (
        "postgresql://u@h/db?options=-csearch_path%3Dx"
    )
    assert mask_url("http://[::1") == "***"
