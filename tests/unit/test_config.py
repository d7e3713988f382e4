import pytest

from handoff.config import ConfigError, load_config


def test_defaults_load_without_a_file():
    config = load_config()
    assert config.rubric_version
    assert config.has("rejection_reasons", "bad_fit")
    assert config.label("regions", "emea") == "Europe, Middle East & Africa"
    assert config.label("regions", "gone") == "gone"


def test_team_file_replaces_a_list_and_keeps_the_rest(tmp_path):
    path = tmp_path / "team.toml"
    path.write_text('[choices.regions]\ndach = "DACH"\nnordics = "Nordics"\n')
    config = load_config(path)
    assert [c.value for c in config.choices["regions"]] == ["dach", "nordics"]
    assert config.has("industries", "software")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[choices.regions\n", "line 1"),
        ('[choices.regions]\n"Bad Key" = "x"\n', "choices.regions.Bad Key"),
        ('[choices.regions]\nok = ""\n', "choices.regions.ok"),
        ('[choices.regions]\nok = "' + "x" * 76 + '"\n', "1–75"),
        ('[choices.planets]\nmars = "Mars"\n', "choices.planets"),
        ('[rubric.pain]\nmin_length = "ten"\n', "rubric.pain.min_length"),
        ("[qualification]\nversion = 'x'\n", "[rubric]"),
        ("[rubric]\nbar = 101\n", "rubric.bar"),
        ("[rubric]\nbelow_bar = 'maybe'\n", "rubric.below_bar"),
        ("[rubric]\nmust_meet = ['budget']\n", "never be a gate"),
        ("[rubric]\nmust_meet = ['luck']\n", "rubric.must_meet: 'luck'"),
        ("[rubric.budget]\nweight = 60\n", "rubric.budget.weight"),
        ("[rubric.persona]\nroles = ['oracle']\n", "rubric.persona.roles: 'oracle'"),
        ("[rubric.persona]\nroles = []\n", "rubric.persona.roles needs"),
        ("[rubric.timing]\ncounts = 'this_quarter'\n", "rubric.timing.counts must be a list"),
        ("[rubric.luck]\nweight = 1\n", "rubric.luck"),
        ("[rubric.account_fit.checks.x]\nlabel = 'X'\ncounts = ['a']\n", "checks.x.choices"),
        ("[choices]\nregions = []\n", "choices.regions"),
        ("[disputes]\nwindow_days = -1\n", "disputes.window_days"),
        ("[disputes]\nwindow_days = 'a month'\n", "disputes.window_days"),
        ("[disputes]\nwindow = 30\n", "disputes.window"),
        ("[booking]\nremind_hours_before = -1\n", "booking.remind_hours_before"),
        ("[booking]\npeople = 'ann'\n", "booking.people"),
        ("[booking.people]\n'ann@x.example' = 'ann'\n", "booking.people.ann@x.example"),
        ("[booking.people]\n'not-an-email' = 'U012AB3CD'\n", "booking.people.not-an-email"),
    ],
)
def test_broken_file_names_the_file_and_the_key(tmp_path, text, expected):
    path = tmp_path / "team.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value)
    assert expected in str(info.value)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "nope.toml")


def test_dispute_window_defaults_to_30_days_and_0_lifts_it(tmp_path):
    assert load_config().disputes.window_days == 30
    path = tmp_path / "team.toml"
    path.write_text("[disputes]\nwindow_days = 0\n")
    assert load_config(path).disputes.window_days == 0


def test_booking_reminder_and_people_from_the_file(tmp_path):
    assert load_config().booking.remind_hours_before == 24
    path = tmp_path / "team.toml"
    path.write_text(
        "[booking]\nremind_hours_before = 0\n[booking.people]\n'Ann@OurCo.example' = 'U0ANN'\n"
    )
    booking = load_config(path).booking
    assert (booking.remind_hours_before, dict(booking.people)) == (
        0,
        {"ann@ourco.example": "U0ANN"},
    )


def test_handoff_aes_lists_who_sees_the_ae_queue():
    from bot.settings import load_settings

    settings = load_settings({"HANDOFF_AES": " U0AEBOB, U0AECAT ,"}, dotenv=False)
    assert settings.aes == ("U0AEBOB", "U0AECAT")
    assert load_settings({}, dotenv=False).aes == ()


def test_slack_api_timeout_bounds_every_web_api_call():
    import pytest

    from bot.services import make_client
    from bot.settings import SettingsError, load_settings

    assert load_settings({}, dotenv=False).api_timeout == 10
    settings = load_settings({"SLACK_API_TIMEOUT": "3"}, dotenv=False)
    assert make_client(settings).timeout == 3
    for bad in ("0", "2.5", "soon", "301"):
        with pytest.raises(SettingsError, match="SLACK_API_TIMEOUT"):
            load_settings({"SLACK_API_TIMEOUT": bad}, dotenv=False)
