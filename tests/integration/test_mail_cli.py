"""`tidal mail`: the mailbox on the command line, against a running server."""

from __future__ import annotations

import json
from email import policy
from email.parser import BytesParser

import pytest
from click.testing import CliRunner

from tests.integration.ses_support import address, clients
from tidal.cli import main

SEED_SUBJECT = "Bienvenue Alexis GÜNST HORN !"


@pytest.fixture
def ses(tidal_endpoint: str):
    return clients(tidal_endpoint)[0]


def run(endpoint: str, *args: str, **env: str):
    result = CliRunner().invoke(
        main, ["mail", *args], env={"TIDAL_ENDPOINT": endpoint, "COLUMNS": "200", **env}
    )
    return result


def send_seed_mail(ses, to: str) -> str:
    return ses.send_email(
        Source="Alexis GÜNST HORN <alexis.gunst@osones.com>",
        Destination={"ToAddresses": [to]},
        Message={
            "Subject": {"Data": SEED_SUBJECT, "Charset": "UTF-8"},
            "Body": {
                "Text": {"Data": f"{SEED_SUBJECT}\n\nMerci de valider: https://x/?email={to}"}
            },
        },
    )["MessageId"]


def test_list_shows_a_table_of_the_mailbox(ses, tidal_endpoint):
    to = address("alexis")
    first = send_seed_mail(ses, to)
    second = ses.send_email(
        Source="shop@example.com",
        Destination={"ToAddresses": [to], "CcAddresses": ["cc@example.com"]},
        Message={"Subject": {"Data": "Order n°42"}, "Body": {"Html": {"Data": "<p>Thanks</p>"}}},
    )["MessageId"]
    result = run(tidal_endpoint, "--to", to)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["time", "┃", "from", "┃", "to", "┃", "subject", "┃", "id"]
    body = "\n".join(lines[2:])
    assert body.index("Order n°42") < body.index(SEED_SUBJECT)
    assert "Alexis GÜNST HORN <alexis.gunst@osones.com>" in body
    assert "cc@example.com" in body
    assert first.split("-")[1] in body and second.split("-")[1] in body


def test_list_filters_and_json(ses, tidal_endpoint):
    to = address()
    message_id = send_seed_mail(ses, to)
    result = run(tidal_endpoint, "--to", to, "--from", "osones", "--since", "10m", "--json")
    assert result.exit_code == 0, result.output
    (found,) = json.loads(result.output)
    assert (found["id"], found["subject"]) == (message_id, SEED_SUBJECT)
    assert json.loads(run(tidal_endpoint, "--to", to, "--from", "nobody", "--json").output) == []
    assert (
        json.loads(run(tidal_endpoint, "--to", to, "--since", "2999-01-01", "--json").output) == []
    )
    empty = run(tidal_endpoint, "--to", address("nobody"))
    assert (empty.exit_code, empty.output.strip()) == (0, "No messages.")


def test_show_prints_headers_and_text(ses, tidal_endpoint):
    to = address()
    message_id = send_seed_mail(ses, to)
    for given in (message_id, message_id.split("-")[1]):
        result = run(tidal_endpoint, "show", given)
        assert result.exit_code == 0, result.output
        assert f"Message:     {message_id}" in result.output
        assert "From:        Alexis GÜNST HORN <alexis.gunst@osones.com>" in result.output
        assert f"To:          {to}" in result.output
        assert f"Subject:     {SEED_SUBJECT}" in result.output
        assert result.output.endswith(
            f"{SEED_SUBJECT}\n\nMerci de valider: https://x/?email={to}\n"
        )


def test_show_strips_html_when_there_is_no_text(ses, tidal_endpoint):
    message_id = ses.send_email(
        Source="shop@example.com",
        Destination={"ToAddresses": [address()]},
        Message={
            "Subject": {"Data": "Order"},
            "Body": {
                "Html": {
                    "Data": "<html><head><style>p {}</style></head><body><h1>Merci&nbsp;!</h1>"
                    "<p>Votre commande <b>42</b>.</p><ul><li>Thé</li><li>Tasse</li></ul></body>"
                }
            },
        },
    )["MessageId"]
    result = run(tidal_endpoint, "show", message_id)
    assert result.exit_code == 0, result.output
    assert result.output.endswith("Merci !\n\nVotre commande 42.\n\n- Thé\n- Tasse\n")


def test_show_raw_prints_the_eml(ses, tidal_endpoint):
    message_id = send_seed_mail(ses, address())
    result = run(tidal_endpoint, "show", "--raw", message_id)
    assert result.exit_code == 0
    parsed = BytesParser(policy=policy.default).parsebytes(result.stdout_bytes)
    assert parsed["Subject"] == SEED_SUBJECT
    assert parsed["Message-ID"] == f"<{message_id}@email.amazonses.com>"


def test_show_unknown_or_ambiguous_ids(ses, tidal_endpoint):
    missing = run(
        tidal_endpoint, "show", "0100000000000000-00000000-0000-0000-0000-000000000000-000000"
    )
    assert missing.exit_code == 1
    assert "no message 0100000000000000-" in missing.output
    send_seed_mail(ses, address())
    send_seed_mail(ses, address())
    ambiguous = run(tidal_endpoint, "show", "000000")
    assert ambiguous.exit_code == 1
    assert "messages; give more of the id" in ambiguous.output


def test_clear_deletes_the_selected_messages(ses, tidal_endpoint):
    to, kept = address(), address()
    send_seed_mail(ses, to)
    send_seed_mail(ses, to)
    send_seed_mail(ses, kept)
    result = run(tidal_endpoint, "clear", "--to", to)
    assert (result.exit_code, result.output.strip()) == (0, "Deleted 2 messages.")
    assert json.loads(run(tidal_endpoint, "--to", to, "--json").output) == []
    assert len(json.loads(run(tidal_endpoint, "--to", kept, "--json").output)) == 1


def test_endpoint_option_and_an_unreachable_server(tidal_endpoint):
    result = CliRunner().invoke(
        main, ["mail", "--endpoint", "http://127.0.0.1:9", "--json"], env={"TIDAL_ENDPOINT": ""}
    )
    assert result.exit_code == 1
    assert "cannot reach Tidal at http://127.0.0.1:9" in result.output
    shown = run("http://127.0.0.1:9", "show", "x", "--endpoint", tidal_endpoint)
    assert shown.exit_code == 1
    assert "no message x in the mailbox" in shown.output
