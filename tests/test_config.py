"""organet.toml: a wrong value stops start-up with one message naming the file, the key and the fix."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from organet.cli import main
from organet.config import load_config
from organet.errors import ConfigError
from organet.site import build_site

GOOD = '''# the site
[site]
name = "Intranet"
secret_key = "a-long-random-secret-for-tests"
database_url = "sqlite:///organet.db"
'''


def write(tmp_path, text):
    path = tmp_path / "organet.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_loads(tmp_path):
    config = load_config(write(tmp_path, GOOD), environ={})
    assert config.site["name"] == "Intranet"
    assert config.site["database_url"] == "sqlite:///organet.db"


def test_misspelt_key_names_the_file_the_key_and_the_right_keys(tmp_path):
    path = write(tmp_path, GOOD + 'time_zoen = "Europe/Amsterdam"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    message = str(caught.value)
    assert str(path) in message
    assert "[site]" in message and "'time_zoen'" in message
    assert "time_zone" in message  # the fix: the keys that do exist


def test_wrong_type_names_the_key_the_value_and_an_example(tmp_path):
    path = write(tmp_path, GOOD + "[mail]\nport = \"twenty-five\"\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    message = str(caught.value)
    assert str(path) in message and "[mail] port" in message
    assert '"twenty-five"' in message and "a whole number" in message
    assert "port = 587" in message


def test_missing_secret_says_what_it_is_for_and_how_to_make_one(tmp_path):
    path = write(tmp_path, '[site]\nname = "Intranet"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    message = str(caught.value)
    assert str(path) in message and "secret_key" in message and "required" in message
    assert "organet init" in message


def test_a_secret_with_a_wrong_type_is_not_printed(tmp_path):
    path = write(tmp_path, '[site]\nsecret_key = 123456789\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert "123456789" not in str(caught.value)
    assert "(hidden)" in str(caught.value)


def test_unknown_plugin_setting_is_refused_at_start_up(tmp_path):
    path = write(tmp_path, GOOD + "[plugins.jobs]\nstall_minuts = 3\n")
    with pytest.raises(ConfigError) as caught:
        build_site(load_config(path, environ={}))
    assert "[plugins.jobs]" in str(caught.value) and "'stall_minuts'" in str(caught.value)
    assert "stall_minutes" in str(caught.value)


def test_environment_overrides_the_file(tmp_path):
    config = load_config(write(tmp_path, GOOD), environ={"ORGANET_DATABASE_URL": "sqlite:///other.db",
                                                          "ORGANET_MAIL__PORT": "2525"})
    assert config.site["database_url"] == "sqlite:///other.db"
    assert config.mail["port"] == 2525


def test_cli_shows_the_config_error_without_a_traceback(tmp_path):
    path = write(tmp_path, GOOD + "[mail]\nport = \"twenty-five\"\n")
    result = CliRunner().invoke(main, ["-c", str(path), "db", "current"])
    assert result.exit_code == 1
    assert "[mail] port" in result.output
    assert "Traceback" not in result.output
