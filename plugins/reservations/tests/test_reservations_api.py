"""The JSON API: resources, free resources, booking (201 / 409 "already booked by") and cancelling."""

from __future__ import annotations


def test_api_books_once_and_answers_409_naming_the_holder(make_app, make_user, client_for, make_room,
                                                          next_weekday):
    app = make_app(plugins=["reservations"])
    anna = make_user(app, "anna", given_name="Anna", surname="Bakker")
    room = make_room(app)
    day = next_weekday().isoformat()
    body = {"resource_id": room, "day": day, "start": "10:00", "end": "11:00", "title": "Overleg"}
    made = client_for(app, anna).api("POST", "/api/reservations/v1/bookings", json=body)
    assert made.status_code == 201
    [booking] = made.json()["items"]
    taken = client_for(app, make_user(app, "bram")).api("POST", "/api/reservations/v1/bookings", json=body)
    assert taken.status_code == 409
    assert taken.json()["error"]["code"] == "conflict"
    assert "already booked by Anna Bakker" in taken.json()["error"]["message"]
    other = client_for(app, make_user(app, "carla"))
    assert other.api("DELETE", f"/api/reservations/v1/bookings/{booking['id']}").status_code == 403
    assert client_for(app, anna).api("DELETE", f"/api/reservations/v1/bookings/{booking['id']}").status_code == 200
    assert other.api("POST", "/api/reservations/v1/bookings", json=body).status_code == 201


def test_api_names_the_broken_rule(make_app, make_user, client_for, make_room, next_weekday):
    app = make_app(plugins=["reservations"])
    client = client_for(app, make_user(app, "anna"))
    room = make_room(app)
    body = {"resource_id": room, "day": next_weekday().isoformat(), "start": "06:00", "end": "07:00", "title": "Vroeg"}
    refused = client.api("POST", "/api/reservations/v1/bookings", json=body)
    assert refused.status_code == 422
    assert "opening hours" in refused.json()["error"]["message"]


def test_api_lists_resources_and_free_ones(make_app, make_user, client_for, make_room, next_weekday):
    app = make_app(plugins=["reservations"])
    client = client_for(app, make_user(app, "anna"))
    big = make_room(app, name="Groot", capacity=10)
    make_room(app, name="Klein", capacity=2)
    listed = client.get("/api/reservations/v1/resources")
    assert listed.status_code == 200 and listed.json()["total"] == 2
    day = next_weekday().isoformat()
    free = client.get(f"/api/reservations/v1/free?start={day}T10:00&end={day}T11:00&people=6")
    assert [r["id"] for r in free.json()["items"]] == [big]
    assert client_for(app).get("/api/reservations/v1/resources").status_code in (401, 403)
