"""The mailbox endpoints: list with filters, one message as JSON or .eml, deletion."""

from __future__ import annotations

import json
from email import policy
from email.parser import BytesParser

import pytest

from tests.integration.ses_support import address, clients, http, message, messages

SEED_SOURCE = "alexis.gunst@osones.com"
SEED_SUBJECT = "Bienvenue Alexis GÜNST HORN !"
SEED_TEXT = (
    "Bienvenue Alexis GÜNST HORN !\n\nMerci de valider votre e-mail: "
    "https://s3-eu-west-1.amazonaws.com/agh-osones/valider.html?email="
)


@pytest.fixture
def ses(tidal_endpoint: str):
    return clients(tidal_endpoint)[0]


def send(ses, to: str, subject: str = "s", source: str = "s@example.com", **extra) -> str:
    return ses.send_email(
        Source=source,
        Destination={"ToAddresses": [to], **extra},
        Message={"Subject": {"Data": subject}, "Body": {"Text": {"Data": "body"}}},
    )["MessageId"]


def test_the_seed_welcome_mail_survives_intact_in_every_view(ses, tidal_endpoint):
    to = address("alexis")
    message_id = ses.send_email(
        Source=SEED_SOURCE,
        Destination={"ToAddresses": [to]},
        Message={
            "Body": {"Text": {"Data": SEED_TEXT + to, "Charset": "UTF-8"}},
            "Subject": {"Data": SEED_SUBJECT, "Charset": "UTF-8"},
        },
    )["MessageId"]
    (listed,) = messages(tidal_endpoint, to=to)
    assert listed["subject"] == SEED_SUBJECT
    assert listed["text"] == SEED_TEXT + to
    single = message(tidal_endpoint, message_id)
    assert single == listed
    status, headers, raw = http(tidal_endpoint, f"/_tidal/ses/messages/{message_id}.eml")
    assert status == 200
    assert headers["content-type"] == "message/rfc822"
    assert headers["content-disposition"] == f'attachment; filename="{message_id}.eml"'
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert parsed["Subject"] == SEED_SUBJECT
    assert parsed["From"] == SEED_SOURCE
    assert parsed.get_content().replace("\r\n", "\n").rstrip("\n") == SEED_TEXT + to
    raw_text = raw.decode("ascii")
    assert "GÜNST" not in raw_text


def test_non_ascii_display_names_raw_or_encoded(ses, tidal_endpoint):
    to = address()
    plain = send(ses, f"Émilie Dupré <{to}>", source="Alexis GÜNST HORN <alexis@example.com>")
    encoded = send(ses, to, source="=?utf-8?q?Alexis_G=C3=9CNST_HORN?= <alexis@example.com>")
    for message_id in (plain, encoded):
        stored = message(tidal_endpoint, message_id)
        assert stored["source"] == "Alexis GÜNST HORN <alexis@example.com>"
        _, _, raw = http(tidal_endpoint, f"/_tidal/ses/messages/{message_id}.eml")
        parsed = BytesParser(policy=policy.default).parsebytes(raw)
        assert parsed["From"].addresses[0].display_name == "Alexis GÜNST HORN"
    assert message(tidal_endpoint, plain)["to"] == [f"Émilie Dupré <{to}>"]


def test_list_is_newest_first_with_filters(ses, tidal_endpoint):
    to, other = address("to"), address("other")
    first = send(ses, to, "first", source="alpha@example.com")
    second = send(ses, other, "second", source="beta@example.com", CcAddresses=[to])
    third = send(ses, other, "third", source="Gamma <gamma@example.com>", BccAddresses=[to])
    ids = [found["id"] for found in messages(tidal_endpoint, to=to)]
    assert ids == [third, second, first]
    assert [found["id"] for found in messages(tidal_endpoint, recipient=to.upper())] == ids
    assert [found["id"] for found in messages(tidal_endpoint, to=to, limit=2)] == [third, second]
    assert [found["id"] for found in messages(tidal_endpoint, to=other, **{"from": "gamma"})] == [
        third
    ]
    assert [found["id"] for found in messages(tidal_endpoint, source="beta@example.com")][:1] == [
        second
    ]
    stamp = message(tidal_endpoint, second)["timestamp"]
    assert [found["id"] for found in messages(tidal_endpoint, to=to, since=stamp)] == [
        third,
        second,
    ]
    assert messages(tidal_endpoint, to=to, since="2999-01-01T00:00:00Z") == []
    assert len(messages(tidal_endpoint, to=to, since="0")) == 3
    assert messages(tidal_endpoint, to=to, region="eu-west-1") == []


def test_since_in_epoch_seconds(ses, tidal_endpoint, monkeypatch):
    from tidal.core import clock

    to = address()
    monkeypatch.setattr(clock, "now", lambda: 1_700_000_000.0)
    old = send(ses, to)
    monkeypatch.setattr(clock, "now", lambda: 1_700_000_100.0)
    new = send(ses, to)
    assert [found["id"] for found in messages(tidal_endpoint, to=to, since="1700000050")] == [new]
    assert message(tidal_endpoint, old)["timestamp"] == "2023-11-14T22:13:20.000Z"


def test_bad_queries_and_unknown_messages(tidal_endpoint):
    status, _, body = http(tidal_endpoint, "/_tidal/ses/messages", since="yesterday")
    assert status == 400
    assert "since" in json.loads(body)["message"]
    status, _, _ = http(tidal_endpoint, "/_tidal/ses/messages", limit="0")
    assert status == 400
    for path in ("/nope", "/nope.eml"):
        status, _, body = http(tidal_endpoint, f"/_tidal/ses/messages{path}")
        assert status == 404
        assert json.loads(body)["message"] == "no message nope in the mailbox"
    status, _, _ = http(tidal_endpoint, "/_tidal/ses/messages/nope", method="DELETE")
    assert status == 404


def test_delete_one_or_a_filtered_set(ses, tidal_endpoint):
    to, kept = address("to"), address("kept")
    first, second = send(ses, to), send(ses, to)
    survivor = send(ses, kept)
    status, _, body = http(tidal_endpoint, f"/_tidal/ses/messages/{first}", method="DELETE")
    assert (status, json.loads(body)) == (200, {"deleted": 1})
    assert [found["id"] for found in messages(tidal_endpoint, to=to)] == [second]
    status, _, body = http(tidal_endpoint, "/_tidal/ses/messages", method="DELETE", to=to)
    assert (status, json.loads(body)) == (200, {"deleted": 1})
    assert messages(tidal_endpoint, to=to) == []
    assert [found["id"] for found in messages(tidal_endpoint, to=kept)] == [survivor]
    status, _, _ = http(tidal_endpoint, f"/_tidal/ses/messages/{second}.eml")
    assert status == 404


def test_deleting_everything():
    """On a server of its own: DELETE without filters empties the whole mailbox."""
    from tidal.server.runner import Server
    from tidal.testing.plugin import client

    with Server() as server:
        ses = client("ses", server.endpoint)
        for _ in range(3):
            send(ses, address())
        status, _, body = http(server.endpoint, "/_tidal/ses/messages", method="DELETE")
        assert (status, json.loads(body)) == (200, {"deleted": 3})
        assert messages(server.endpoint) == []
        assert ses.get_send_quota()["SentLast24Hours"] == 3.0
    assert server.app.internal_errors == []
