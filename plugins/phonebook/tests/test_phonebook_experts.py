"""The expert finder and its two hooks, with a tiny plugin that contributes signals."""

from __future__ import annotations

from organet import hookimpl


class AnswersPlugin:
    """A stand-in for the Q&A plugin: Bea has accepted answers about wondzorg."""

    def __init__(self, person_id):
        self.person_id = person_id

    @hookimpl
    def phonebook_expertise_signals(self, session, topic):
        if topic != "wondzorg":
            return []
        return [{"person_id": self.person_id, "weight": 5.0, "reason": "10 accepted answers"},
                {"person_id": "not a number", "weight": 1}]


def test_experts_are_ranked_by_declared_expertise(phonebook, make_user, client_for, give_profile):
    ann = make_user(phonebook, "ann", given_name="Ann", surname="Smit")
    bob = make_user(phonebook, "bob", given_name="Bob", surname="Smit")
    give_profile(phonebook, ann, expertise=["Wondzorg"])
    give_profile(phonebook, bob, expertise=["Wondzorg thuis"])
    client = client_for(phonebook, make_user(phonebook, "viewer"))
    found = client.get("/api/phonebook/v1/experts", params={"topic": "wondzorg"}).json()
    assert [e["username"] for e in found] == ["ann", "bob"]
    page = client.get("/phonebook/experts", params={"topic": "wondzorg"})
    assert page.status_code == 200 and "Ann Smit" in page.text


def test_signals_from_other_plugins_count(phonebook, make_user, client_for, give_profile):
    ann = make_user(phonebook, "ann", given_name="Ann", surname="Smit")
    bea = make_user(phonebook, "bea", given_name="Bea", surname="Bos")
    give_profile(phonebook, ann, expertise=["Wondzorg"])
    site = phonebook.state.site
    site.pm.register(AnswersPlugin(bea.id), name="answers")
    with site.db.session() as session:
        found = site.hook.phonebook_experts(site=site, session=session, topic="Wondzorg", limit=5)
    assert [e["username"] for e in found] == ["bea", "ann"]
    assert found[0]["reasons"] == ["10 accepted answers"]
