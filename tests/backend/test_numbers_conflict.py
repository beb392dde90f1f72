"""A client number that already belongs to someone else's record is refused, not merged."""


def test_same_number_for_another_person_is_409(api):
    number = "RH20261123-ABCDEF"
    first = {"number": number, "name": "张伟", "id_number": "11010519491231002X", "phone": "13812345678",
             "employer": "顺丰速运", "industry": "快递物流", "channel_user": "web:a"}
    assert api.post("/v1/membership-applications", json=first).status_code == 201
    # The same submission again (an outbox retry) is idempotent.
    assert api.post("/v1/membership-applications", json=first).status_code == 200
    other = dict(first, phone="13912345678", channel_user="web:b")
    resp = api.post("/v1/membership-applications", json=other)
    assert resp.status_code == 409 and resp.get_json()["error"] == "number_conflict"
