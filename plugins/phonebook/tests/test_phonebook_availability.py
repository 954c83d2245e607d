"""When colleagues work: patterns, absences, "at work today?", who may see the reason, the dashboard widgets."""

from __future__ import annotations

import datetime as dt

from organet_plugins.phonebook import availability
from organet_plugins.phonebook.models import Absence, Profile

from organet.testing import db_session


def today():
    return availability.today()


def add_absence(app, person, kind="sick", days=(0, 2)):
    with db_session(app) as session:
        session.add(Absence(person_id=person.id, starts_on=today() + dt.timedelta(days=days[0]),
                            ends_on=today() + dt.timedelta(days=days[1]), kind=kind, source="import"))


def test_pattern_decides_the_parts_of_a_day():
    monday = dt.date(2026, 11, 23)
    assert availability.parts_on([], monday) == ["morning", "afternoon"]
    assert availability.parts_on([], monday + dt.timedelta(days=5)) == []
    assert availability.parts_on(["0-morning", "1-afternoon"], monday) == ["morning"]
    status = availability.status(["1-afternoon"], [], monday)
    assert not status.in_today and status.next_in == monday + dt.timedelta(days=1)


def test_absence_reason_is_hidden_from_a_colleague_and_shown_to_the_manager(phonebook, make_user, client_for):
    piet = make_user(phonebook, "piet", given_name="Piet", surname="Jansen", groups=["wondzorg"])
    manager = make_user(phonebook, "baas", manager_of=["wondzorg"])
    colleague = make_user(phonebook, "collega", groups=["wondzorg"])
    add_absence(phonebook, piet, kind="sick")
    seen_by_colleague = client_for(phonebook, colleague).get("/phonebook/people/piet").text
    assert "Absent" in seen_by_colleague and "sick" not in seen_by_colleague
    assert client_for(phonebook, colleague).get("/api/phonebook/v1/people/piet").json()["absence_reason"] is None
    seen_by_manager = client_for(phonebook, manager).get("/phonebook/people/piet").text
    assert "Absent: sick" in seen_by_manager
    assert "Absent: sick" in client_for(phonebook, piet).get("/phonebook/people/piet").text
    # Not even an admin sees it, unless their role is given the permission.
    admin = client_for(phonebook, make_user(phonebook, "root", role="admin"))
    assert "Absent: sick" not in admin.get("/phonebook/people/piet").text


def test_holder_of_view_absence_reasons_sees_the_reason(phonebook, make_user, client_for):
    from organet.people import RolePermission
    from organet.runtime import bump

    piet = make_user(phonebook, "piet", groups=["wondzorg"])
    add_absence(phonebook, piet, kind="course")
    with db_session(phonebook) as session:
        session.add(RolePermission(role="editor", permission="view-absence-reasons"))
        bump(session)
        phonebook.state.site.state["runtime"].refresh(session, force=True)  # as other workers do within seconds
    hr = client_for(phonebook, make_user(phonebook, "hr", role="editor"))
    assert "Absent: course" in hr.get("/phonebook/people/piet").text


def test_next_day_in_skips_the_absence(phonebook, make_user, client_for):
    piet = make_user(phonebook, "piet")
    with db_session(phonebook) as session:
        session.add(Profile(person_id=piet.id, pattern=[f"{d}-morning" for d in range(7)], languages=[],
                            imported_fields=[]))
    add_absence(phonebook, piet, kind="leave", days=(0, 2))
    data = client_for(phonebook, make_user(phonebook, "viewer")).get("/api/phonebook/v1/people/piet").json()
    assert data["in_today"] is False
    assert data["next_in"] == (today() + dt.timedelta(days=3)).isoformat()


def test_person_and_manager_plan_days_and_absences_but_a_colleague_may_not(phonebook, make_user, client_for):
    piet = make_user(phonebook, "piet", groups=["wondzorg"])
    manager = client_for(phonebook, make_user(phonebook, "baas", manager_of=["wondzorg"]))
    colleague = client_for(phonebook, make_user(phonebook, "collega", groups=["wondzorg"]))
    own = client_for(phonebook, piet)
    assert own.submit("/phonebook/people/piet/plan", {"action": "pattern", "0-morning": "1", "2-afternoon": "1"},
                      follow_redirects=False).status_code == 303
    start = (today() + dt.timedelta(days=7)).isoformat()
    assert manager.submit("/phonebook/people/piet/plan", {"action": "absence", "starts_on": start,
                                                          "ends_on": start, "kind": "course"},
                          follow_redirects=False).status_code == 303
    assert colleague.get("/phonebook/people/piet/plan").status_code == 403
    assert colleague.submit("/phonebook/people/piet/plan", {"action": "absence", "starts_on": start,
                                                            "kind": "sick"}).status_code == 403
    with db_session(phonebook) as session:
        assert session.get(Profile, piet.id).pattern == ["0-morning", "2-afternoon"]
        absences = session.query(Absence).all()
        assert [(a.kind, a.source) for a in absences] == [("course", "manager")]
    bad = own.submit("/phonebook/people/piet/plan", {"action": "absence", "starts_on": start,
                                                     "ends_on": "2000-01-01", "kind": "leave"})
    assert bad.status_code == 422


def test_dashboard_shows_who_in_my_department_is_away_and_new_colleagues(phonebook, make_user, client_for):
    piet = make_user(phonebook, "piet", given_name="Piet", surname="Jansen", groups=["wondzorg"])
    make_user(phonebook, "nina", given_name="Nina", surname="Nieuw", groups=["ict"])
    add_absence(phonebook, piet, kind="sick")
    colleague = client_for(phonebook, make_user(phonebook, "collega", groups=["wondzorg"]))
    home = colleague.get("/").text
    assert "Away today in my department" in home
    assert "Piet Jansen" in home and "sick" not in home
    assert "Nina Nieuw" in home
