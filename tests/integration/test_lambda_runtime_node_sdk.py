"""The AWS SDK for JavaScript that Node.js functions find, as the managed runtimes bundle it:
v2 (`aws-sdk`) up to nodejs16.x, v3 from nodejs18.x, both sending to AWS_ENDPOINT_URL.

The first run installs both SDKs with npm into Tidal's cache (`runtimes.prepare`); later runs
reuse it. A small HTTP server in the test stands for Tidal's endpoint and records what the
SDKs send to it.
"""

from __future__ import annotations

import asyncio
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from tests.integration.lambda_runtime_support import Sandbox, write_code
from tidal.awslambda import runtimes

SES_REPLY = b"""<SendEmailResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/">
  <SendEmailResult><MessageId>0102018f-tidal-message-id</MessageId></SendEmailResult>
  <ResponseMetadata><RequestId>5e8c1a9b-1111-2222-3333-444455556666</RequestId></ResponseMetadata>
</SendEmailResponse>"""

SEED_SES = """var AWS = require('aws-sdk') ;

exports.handler = function(event, context) {

        console.log(event);
        event.Records.forEach(function(record) {
                if (record.eventName == 'INSERT') {

                        var ses = new AWS.SES();

                        var email  = record.dynamodb.Keys.email.S ;
                        var prenom = record.dynamodb.NewImage.prenom.S ;
                        var nom    = record.dynamodb.NewImage.nom.S ;

                        var params = {
                                Destination: { ToAddresses: [ email ] },

                                Message: {
                                        Body: {
                                                Text: {
                                                        Data: 'Bienvenue '+ prenom
    + ' ' + nom + ' !\\n\\nMerci de valider votre e-mail: '
    + 'https://s3-eu-west-1.amazonaws.com/agh-osones/valider.html?email='+email,
                                                        Charset: 'UTF-8'
                                                }
                                        },
                                        Subject: {
                                                Data: 'Bienvenue '+ prenom + ' ' + nom + ' !',
                                                Charset: 'UTF-8'
                                        }
                                },
                                Source: 'alexis.gunst@osones.com',
                        };

                        console.log(params);

                        ses.sendEmail (params, function(err, data) {
                                if (err) context.fail (err) ;
                                else     context.succeed (data) ;
                        });
                }
        });
};
"""
INSERT = {
    "Records": [
        {
            "eventName": "INSERT",
            "dynamodb": {
                "Keys": {"email": {"S": "alexis.gunst@osones.com"}},
                "NewImage": {
                    "nom": {"S": "GÜNST HORN"},
                    "prenom": {"S": "Alexis"},
                    "email": {"S": "alexis.gunst@osones.com"},
                },
            },
        }
    ]
}

HANDLERS = {
    "v2.js": """
const AWS = require('aws-sdk');
exports.handler = async () => ({
  version: AWS.VERSION,
  ses: new AWS.SES().endpoint.href,
  dynamodb: new AWS.DynamoDB.DocumentClient().service.endpoint.href,
  client: new (require('aws-sdk/clients/ses'))().endpoint.href,
  region: new AWS.SES().config.region,
});
""",
    "v3.js": """
const { DynamoDBClient, ListTablesCommand } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient } = require('@aws-sdk/lib-dynamodb');
require('@aws-sdk/client-ses'); require('@aws-sdk/client-sesv2'); require('@aws-sdk/client-lambda');
require('@aws-sdk/client-sqs'); require('@aws-sdk/client-s3');
exports.handler = async () => {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  return client.send(new ListTablesCommand({}));
};
""",
    "sesv2.mjs": """
import { SESv2Client, ListEmailIdentitiesCommand } from '@aws-sdk/client-sesv2';
export const handler = async () => new SESv2Client({}).send(new ListEmailIdentitiesCommand({}));
""",
    "no_v3.js": "exports.handler = async () => { require('@aws-sdk/client-dynamodb'); };\n",
    "envoi_email.js": SEED_SES,
}


@pytest.fixture(scope="module", autouse=True)
def sdks():
    """Both SDKs in Tidal's cache, installed with npm the first time."""

    async def prepare():
        await asyncio.gather(runtimes.prepare("nodejs16.x"), runtimes.prepare("nodejs20.x"))

    asyncio.run(prepare())


class Endpoint:
    """Stands for Tidal's endpoint: records requests, answers DynamoDB, SES and SESv2 calls."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format, *args):
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {name.lower(): value for name, value in self.headers.items()}
                endpoint.requests.append((self.command, self.path, headers, body))
                if self.headers.get("X-Amz-Target") == "DynamoDB_20120810.ListTables":
                    reply, kind = b'{"TableNames":["osones"]}', "application/x-amz-json-1.0"
                elif self.path.startswith("/v2/email/"):
                    reply, kind = b'{"EmailIdentities":[]}', "application/json"
                else:
                    reply, kind = SES_REPLY, "text/xml"
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            do_GET = do_POST = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint():
    server = Endpoint()
    yield server
    server.close()


@pytest.fixture(scope="module")
def code(tmp_path_factory):
    return write_code(tmp_path_factory.mktemp("sdk") / "code", HANDLERS)


def run(code, handler, runtime, endpoint, event=None, messages=0):
    """The invocation's result, the first `messages` log messages, and stdout/stderr."""
    environment = {"AWS_ENDPOINT_URL": endpoint.url}
    with Sandbox(code, runtime, handler, environment=environment) as box:
        result = box.api.invoke(event or {})
        return result, box.wait_for_messages(messages), box.output()


@pytest.mark.parametrize("runtime", ["nodejs", "nodejs8.10", "nodejs16.x"])
def test_aws_sdk_v2_is_there_up_to_nodejs16_and_points_at_the_endpoint(code, endpoint, runtime):
    result, _, output = run(code, "v2.handler", runtime, endpoint)

    body = result.json
    assert body["version"].startswith("2.")
    assert body["ses"] == body["dynamodb"] == body["client"] == f"{endpoint.url}/"
    assert body["region"] == "eu-west-1"
    assert output == ""


def test_aws_sdk_v3_is_there_from_nodejs18_and_sends_to_the_endpoint(code, endpoint):
    result, _, output = run(code, "v3.handler", "nodejs20.x", endpoint)

    assert result.kind == "response", result.body
    assert result.json["TableNames"] == ["osones"]
    method, path, headers, _ = endpoint.requests[0]
    assert (method, path, headers["x-amz-target"]) == ("POST", "/", "DynamoDB_20120810.ListTables")
    assert "Credential=123456789012/" in headers["authorization"]
    assert "/eu-west-1/dynamodb/aws4_request" in headers["authorization"]
    assert output == ""


def test_es_module_handlers_import_the_v3_sdk(code, endpoint):
    result, _, _ = run(code, "sesv2.handler", "nodejs22.x", endpoint)

    assert result.json["EmailIdentities"] == []
    assert endpoint.requests[0][1].startswith("/v2/email/")


def test_nodejs16_has_no_v3_sdk_and_nodejs18_has_no_v2(code, endpoint):
    missing_v3, _, _ = run(code, "no_v3.handler", "nodejs16.x", endpoint)
    with Sandbox(code, "nodejs18.x", "v2.handler") as box:
        missing_v2 = box.api.init_error()

    assert missing_v3.json["errorType"] == "Error"
    assert missing_v3.json["errorMessage"].startswith(
        "Cannot find module '@aws-sdk/client-dynamodb'"
    )
    assert missing_v2.json["errorType"] == "Runtime.ImportModuleError"
    assert missing_v2.json["errorMessage"].startswith("Error: Cannot find module 'aws-sdk'")


def test_the_osones_welcome_mail_handler_sends_through_the_endpoint(code, endpoint):
    result, messages, _ = run(code, "envoi_email.handler", "nodejs", endpoint, INSERT, messages=2)

    assert result.kind == "response", result.body
    assert result.json["MessageId"] == "0102018f-tidal-message-id"
    _, path, _, body = endpoint.requests[0]
    form = {key: values[0] for key, values in parse_qs(body.decode()).items()}
    assert path == "/"
    assert form["Action"] == "SendEmail"
    assert form["Source"] == "alexis.gunst@osones.com"
    assert form["Destination.ToAddresses.member.1"] == "alexis.gunst@osones.com"
    assert form["Message.Subject.Data"] == "Bienvenue Alexis GÜNST HORN !"
    assert form["Message.Body.Text.Data"].startswith("Bienvenue Alexis GÜNST HORN !\n\nMerci")
    assert messages[0].split("\t", 2)[2].startswith("{ Records: [ { eventName: 'INSERT'")
