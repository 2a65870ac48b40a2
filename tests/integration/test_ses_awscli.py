"""Mail sent with the AWS CLI (`aws ses send-email`, `aws sesv2 send-email`) lands in the
mailbox exactly as boto3's does."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.integration.ses_support import address, messages, new_account

SEED_SUBJECT = "Bienvenue Alexis GÜNST HORN !"


def aws(endpoint: str, *args: str) -> subprocess.CompletedProcess:
    credentials = new_account()
    environment = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": credentials["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }
    return subprocess.run(
        [sys.executable, "-m", "awscli", *args, "--endpoint-url", endpoint],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
    )


def test_ses_send_email_with_the_aws_cli(tidal_endpoint):
    to = address("alexis")
    text = f"{SEED_SUBJECT}\n\nMerci de valider votre e-mail: https://x/valider.html?email={to}"
    message = {
        "Subject": {"Data": SEED_SUBJECT, "Charset": "UTF-8"},
        "Body": {"Text": {"Data": text, "Charset": "UTF-8"}},
    }
    run = aws(
        tidal_endpoint,
        "ses",
        "send-email",
        "--from",
        "alexis.gunst@osones.com",
        "--destination",
        json.dumps({"ToAddresses": [to]}),
        "--message",
        json.dumps(message),
    )
    assert run.returncode == 0, run.stderr
    message_id = json.loads(run.stdout)["MessageId"]
    (stored,) = messages(tidal_endpoint, to=to)
    assert stored["id"] == message_id
    assert (stored["region"], stored["subject"], stored["text"]) == (
        "eu-west-1",
        SEED_SUBJECT,
        text,
    )


def test_sesv2_send_email_and_an_error_with_the_aws_cli(tidal_endpoint):
    to = address()
    content = {"Simple": {"Subject": {"Data": "Reçu"}, "Body": {"Html": {"Data": "<b>Merci</b>"}}}}
    run = aws(
        tidal_endpoint,
        "sesv2",
        "send-email",
        "--from-email-address",
        "Boutique <shop@example.com>",
        "--destination",
        f"ToAddresses={to}",
        "--content",
        json.dumps(content),
    )
    assert run.returncode == 0, run.stderr
    (stored,) = messages(tidal_endpoint, to=to)
    assert (stored["source"], stored["subject"], stored["html"]) == (
        "Boutique <shop@example.com>",
        "Reçu",
        "<b>Merci</b>",
    )
    missing = aws(tidal_endpoint, "sesv2", "get-email-identity", "--email-identity", "no@x.com")
    assert missing.returncode == 255
    assert "(NotFoundException) when calling the GetEmailIdentity operation: " in missing.stderr
    assert "Email identity no@x.com does not exist." in missing.stderr
