"""Templates through SES v1 and v2, and the messages sent from them."""

from __future__ import annotations

import json

import pytest

from tests.integration.ses_support import address, clients, error_of, message

WELCOME = {
    "TemplateName": "welcome",
    "SubjectPart": "Bienvenue {{prenom}} {{nom}} !",
    "TextPart": "Bonjour {{prenom}},\nvotre ville : {{adresse.ville}}",
    "HtmlPart": "<h1>Bonjour {{prenom}}</h1>",
}
DATA = {"prenom": "Alexis", "nom": "GÜNST HORN", "adresse": {"ville": "Lyon"}}


@pytest.fixture
def both(tidal_endpoint: str):
    return clients(tidal_endpoint)


def test_template_lifecycle(both):
    ses, _ = both
    ses.create_template(Template=WELCOME)
    assert ses.get_template(TemplateName="welcome")["Template"] == WELCOME
    assert error_of(ses.create_template, Template=WELCOME) == (
        "AlreadyExists",
        "Template welcome already exists.",
        400,
    )
    ses.update_template(Template={"TemplateName": "welcome", "SubjectPart": "Salut {{prenom}}"})
    assert ses.get_template(TemplateName="welcome")["Template"] == {
        "TemplateName": "welcome",
        "SubjectPart": "Salut {{prenom}}",
    }
    listed = ses.list_templates()["TemplatesMetadata"]
    assert [item["Name"] for item in listed] == ["welcome"]
    assert listed[0]["CreatedTimestamp"].year >= 2024
    ses.delete_template(TemplateName="welcome")
    ses.delete_template(TemplateName="welcome")
    assert ses.list_templates()["TemplatesMetadata"] == []


def test_missing_templates(both):
    ses, _ = both
    missing = ("TemplateDoesNotExist", "Template nope does not exist.", 400)
    assert error_of(ses.get_template, TemplateName="nope") == missing
    assert error_of(ses.update_template, Template={"TemplateName": "nope"}) == missing
    assert (
        error_of(
            ses.send_templated_email,
            Source="s@example.com",
            Destination={"ToAddresses": [address()]},
            Template="nope",
            TemplateData="{}",
        )
        == missing
    )


def test_list_templates_pages(both):
    ses, _ = both
    for name in ("t1", "t2", "t3"):
        ses.create_template(Template={"TemplateName": name, "SubjectPart": name})
    first = ses.list_templates(MaxItems=2)
    assert [item["Name"] for item in first["TemplatesMetadata"]] == ["t1", "t2"]
    second = ses.list_templates(MaxItems=2, NextToken=first["NextToken"])
    assert [item["Name"] for item in second["TemplatesMetadata"]] == ["t3"]
    assert "NextToken" not in second
    for size in (-1, 0):  # no page is empty: a size below 1 lists one, or the default
        page = ses.list_templates(MaxItems=size)["TemplatesMetadata"]
        assert [item["Name"] for item in page] == (["t1"] if size else ["t1", "t2", "t3"])
    listed = ses.list_configuration_sets(MaxItems=-1)
    assert len(listed["ConfigurationSets"]) <= 1


def test_send_templated_email_substitutes_the_data(both, tidal_endpoint):
    ses, _ = both
    ses.create_template(Template=WELCOME)
    to = address()
    message_id = ses.send_templated_email(
        Source="noreply@example.com",
        Destination={"ToAddresses": [to]},
        Template="welcome",
        TemplateData=json.dumps(DATA),
    )["MessageId"]
    stored = message(tidal_endpoint, message_id)
    assert stored["operation"] == "SendTemplatedEmail"
    assert stored["template"] == "welcome"
    assert stored["subject"] == "Bienvenue Alexis GÜNST HORN !"
    assert stored["text"] == "Bonjour Alexis,\nvotre ville : Lyon"
    assert stored["html"] == "<h1>Bonjour Alexis</h1>"
    assert stored["rendering_failure"] is None


def test_a_missing_variable_is_accepted_then_fails_to_render(both, tidal_endpoint):
    ses, _ = both
    ses.create_template(Template=WELCOME)
    message_id = ses.send_templated_email(
        Source="noreply@example.com",
        Destination={"ToAddresses": [address()]},
        Template="welcome",
        TemplateData=json.dumps({"prenom": "Alexis"}),
    )["MessageId"]
    stored = message(tidal_endpoint, message_id)
    assert stored["rendering_failure"] == "Attribute 'nom' is not present in the rendering data."
    assert stored["subject"] == "Bienvenue {{prenom}} {{nom}} !"


def test_template_data_must_be_json(both):
    ses, _ = both
    ses.create_template(Template=WELCOME)
    assert error_of(
        ses.send_templated_email,
        Source="s@example.com",
        Destination={"ToAddresses": [address()]},
        Template="welcome",
        TemplateData="{not json",
    ) == ("InvalidParameterValue", "Template data is not valid JSON.", 400)


def test_test_render_template(both):
    ses, _ = both
    ses.create_template(Template=WELCOME)
    rendered = ses.test_render_template(TemplateName="welcome", TemplateData=json.dumps(DATA))
    text = rendered["RenderedTemplate"]
    assert "Subject: Bienvenue Alexis =?utf-8?q?G=C3=9CNST?= HORN !" in text
    assert "<h1>Bonjour Alexis</h1>" in text
    assert error_of(
        ses.test_render_template, TemplateName="welcome", TemplateData='{"prenom": "A"}'
    ) == (
        "MissingRenderingAttribute",
        "Attribute 'nom' is not present in the rendering data.",
        400,
    )


def test_send_bulk_templated_email(both, tidal_endpoint):
    ses, _ = both
    ses.create_template(Template=WELCOME)
    first, second = address("first"), address("second")
    response = ses.send_bulk_templated_email(
        Source="noreply@example.com",
        Template="welcome",
        DefaultTemplateData=json.dumps(DATA),
        Destinations=[
            {"Destination": {"ToAddresses": [first]}},
            {
                "Destination": {"ToAddresses": [second]},
                "ReplacementTemplateData": json.dumps({"prenom": "Camille"}),
            },
            {"Destination": {"ToAddresses": ["broken address"]}},
        ],
    )
    statuses = response["Status"]
    assert [status["Status"] for status in statuses] == [
        "Success",
        "Success",
        "InvalidParameterValue",
    ]
    assert statuses[2]["Error"] == "Missing final '@domain'"
    assert message(tidal_endpoint, statuses[0]["MessageId"])["subject"] == (
        "Bienvenue Alexis GÜNST HORN !"
    )
    assert message(tidal_endpoint, statuses[1]["MessageId"])["to"] == [second]
    assert message(tidal_endpoint, statuses[1]["MessageId"])["subject"] == (
        "Bienvenue Camille GÜNST HORN !"
    )


def test_v2_templates_are_the_v1_templates(both, tidal_endpoint):
    ses, sesv2 = both
    sesv2.create_email_template(
        TemplateName="receipt",
        TemplateContent={
            "Subject": "Reçu {{n}}",
            "Text": "Total {{total}}",
            "Html": "<b>{{total}}</b>",
        },
    )
    assert ses.get_template(TemplateName="receipt")["Template"] == {
        "TemplateName": "receipt",
        "SubjectPart": "Reçu {{n}}",
        "TextPart": "Total {{total}}",
        "HtmlPart": "<b>{{total}}</b>",
    }
    got = sesv2.get_email_template(TemplateName="receipt")
    assert got["TemplateContent"] == {
        "Subject": "Reçu {{n}}",
        "Text": "Total {{total}}",
        "Html": "<b>{{total}}</b>",
    }
    sesv2.update_email_template(
        TemplateName="receipt", TemplateContent={"Subject": "Receipt {{n}}", "Text": "{{total}} €"}
    )
    assert [item["TemplateName"] for item in sesv2.list_email_templates()["TemplatesMetadata"]] == [
        "receipt"
    ]
    rendered = sesv2.test_render_email_template(
        TemplateName="receipt", TemplateData='{"n": 7, "total": 12.5}'
    )["RenderedTemplate"]
    assert "Subject: Receipt 7" in rendered
    to = address()
    message_id = sesv2.send_email(
        FromEmailAddress="shop@example.com",
        Destination={"ToAddresses": [to]},
        Content={
            "Template": {"TemplateName": "receipt", "TemplateData": '{"n": 7, "total": 12.5}'}
        },
    )["MessageId"]
    stored = message(tidal_endpoint, message_id)
    assert (stored["subject"], stored["text"], stored["html"]) == ("Receipt 7", "12.5 €", None)
    inline_id = sesv2.send_email(
        FromEmailAddress="shop@example.com",
        Destination={"ToAddresses": [to]},
        Content={
            "Template": {
                "TemplateContent": {"Subject": "Inline {{x}}", "Text": "x={{x}}"},
                "TemplateData": '{"x": "y"}',
            }
        },
    )["MessageId"]
    assert message(tidal_endpoint, inline_id)["subject"] == "Inline y"
    sesv2.delete_email_template(TemplateName="receipt")
    assert error_of(sesv2.get_email_template, TemplateName="receipt") == (
        "NotFoundException",
        "Template receipt does not exist.",
        404,
    )
    assert error_of(sesv2.delete_email_template, TemplateName="receipt") == (
        "NotFoundException",
        "Template receipt does not exist.",
        404,
    )
    sesv2.create_email_template(TemplateName="again", TemplateContent={"Subject": "s"})
    assert error_of(
        sesv2.create_email_template, TemplateName="again", TemplateContent={"Subject": "s"}
    ) == ("AlreadyExistsException", "Template again already exists.", 400)
