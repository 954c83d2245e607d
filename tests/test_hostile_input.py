"""Every registered form of every installed plugin survives hostile input: no 500, nothing comes back live."""

from __future__ import annotations

import pytest

from organet.hostile import check_form, live_markup
from organet.plugins import installed_plugins
from organet.site import build_site
from organet.testing import site_config

ALL_PLUGINS = sorted(installed_plugins())


def registered_forms():
    site = build_site(site_config(ALL_PLUGINS))
    forms = [spec for plugin_forms in site.pm.hook.register_forms() for spec in plugin_forms or ()]
    return [pytest.param(spec, id=spec.route) for spec in forms]


# Fuzzing: the slowest part of the suite (half a minute for the booking form), so CI runs it once, on PostgreSQL.
@pytest.mark.heavy
@pytest.mark.parametrize("spec", registered_forms())
def test_form_survives_hostile_input(spec, make_app, make_user, client_for):
    app = make_app(plugins=ALL_PLUGINS)
    user = make_user(app, "mallory", role=spec.role, password="een lange zin als wachtwoord",
                     groups=["wondzorg"])
    client = client_for(app, user)
    assert check_form(app, spec, client, user) == []


def test_live_markup_is_recognised():
    assert live_markup("<p><script>alert('organet-xss')</script></p>")
    assert not live_markup("<p>&lt;script&gt;alert('organet-xss')&lt;/script&gt;</p>")
