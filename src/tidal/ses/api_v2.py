"""SES v2 wire operations (REST JSON under `/v2/email/`), on the same domain as SES v1.

The domain raises SES v1's errors; every operation here answers them as SES v2 does
(`errors.as_v2`: NotFoundException, AlreadyExistsException, BadRequestException …).
"""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Callable
from typing import Any

from tidal.core.context import RequestContext
from tidal.core.errors import AWSError
from tidal.ses import configsets, identities, mime, pages, sending, stats, templates
from tidal.ses.errors import (
    AlreadyExistsException,
    BadRequestException,
    NotFoundException,
    as_v2,
)
from tidal.ses.mime import Attachment
from tidal.ses.sending import Envelope, Formatted
from tidal.ses.service import SES_V2

Operation = Callable[[RequestContext, dict[str, Any]], dict[str, Any]]
_IDENTITY_TYPE = {identities.EMAIL: "EMAIL_ADDRESS", identities.DOMAIN: "DOMAIN"}
_DISPOSITION = {"ATTACHMENT": "attachment", "INLINE": "inline"}


def operation(name: str) -> Callable[[Operation], Operation]:
    def register(handler: Operation) -> Operation:
        @functools.wraps(handler)
        def answered_as_v2(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
            try:
                return handler(ctx, params)
            except AWSError as error:
                raise as_v2(error) from None

        SES_V2.operation(name)(answered_as_v2)
        return handler

    return register


def _write(ctx: RequestContext):
    return ctx.runtime.store.transaction(write=True)


def _read(ctx: RequestContext):
    return ctx.runtime.store.transaction(write=False)


# Sending ---------------------------------------------------------------------------------


@operation("SendEmail")
def send_email(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    content = params["Content"]
    kinds = [kind for kind in ("Simple", "Raw", "Template") if kind in content]
    if len(kinds) != 1:
        raise BadRequestException("Exactly one of Simple, Raw or Template content is required.")
    tags = sending.tags_of(params.get("EmailTags"))
    configuration_set = params.get("ConfigurationSetName")
    if kinds == ["Raw"]:
        destination = params.get("Destination")
        message_id = sending.send_raw(
            ctx,
            "SendEmail",
            content["Raw"]["Data"],
            source=params.get("FromEmailAddress"),
            destinations=_all_recipients(destination) if destination else None,
            tags=tags,
            configuration_set=configuration_set,
            max_size=sending.MAX_SIZE_V2,
        )
        return {"MessageId": message_id}
    envelope = _envelope(params, tags)
    if kinds == ["Simple"]:
        message = _formatted(content["Simple"])
        message_id = sending.send_formatted(
            ctx, "SendEmail", envelope, message, max_size=sending.MAX_SIZE_V2
        )
        return {"MessageId": message_id}
    template, data = _template(ctx, content["Template"])
    message_id = sending.send_templated(
        ctx, "SendEmail", envelope, template, data, max_size=sending.MAX_SIZE_V2
    )
    return {"MessageId": message_id}


def _envelope(params: dict[str, Any], tags: dict[str, str]) -> Envelope:
    if not params.get("FromEmailAddress"):
        raise BadRequestException("Missing required parameter: FromEmailAddress.")
    return Envelope.addressed(
        params["FromEmailAddress"],
        params.get("Destination") or {},
        reply_to=params.get("ReplyToAddresses") or [],
        return_path=params.get("FeedbackForwardingEmailAddress"),
        tags=tags,
        configuration_set=params.get("ConfigurationSetName"),
    )


def _all_recipients(destination: dict[str, Any]) -> list[str]:
    return [
        *(destination.get("ToAddresses") or []),
        *(destination.get("CcAddresses") or []),
        *(destination.get("BccAddresses") or []),
    ]


def _formatted(simple: dict[str, Any]) -> Formatted:
    return sending.formatted(
        simple,
        headers=[(header["Name"], header["Value"]) for header in simple.get("Headers") or []],
        attachments=[_attachment(item) for item in simple.get("Attachments") or []],
    )


def _attachment(item: dict[str, Any]) -> Attachment:
    try:
        data = base64.b64decode(item["RawContent"])
    except (binascii.Error, ValueError):
        raise BadRequestException("Invalid base64 in an attachment's RawContent.") from None
    return Attachment(
        content=data,
        filename=item["FileName"],
        content_type=item.get("ContentType") or mime.guess_type(item["FileName"]),
        disposition=_DISPOSITION.get(item.get("ContentDisposition") or "", "attachment"),
        content_id=item.get("ContentId"),
        description=item.get("ContentDescription"),
    )


def _template(ctx: RequestContext, given: dict[str, Any]) -> tuple[dict[str, Any], dict]:
    data = templates.data_of(given.get("TemplateData"))
    if given.get("TemplateContent") is not None:
        inline = given["TemplateContent"]
        record = {"subject": inline.get("Subject"), "text": inline.get("Text")}
        return {**record, "html": inline.get("Html"), "name": None}, data
    name = given.get("TemplateName") or (given.get("TemplateArn") or "").rpartition("/")[2]
    if not name:
        raise BadRequestException(
            "Either TemplateName, TemplateArn or TemplateContent is required."
        )
    with _read(ctx) as txn:
        return templates.require(txn, ctx.account, ctx.region, name), data


# Identities ------------------------------------------------------------------------------


@operation("CreateEmailIdentity")
def create_email_identity(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    name = params["EmailIdentity"]
    kind = identities.kind_of(name)
    if kind == identities.EMAIL:
        identities.check_email(name)
    else:
        identities.check_domain(name)
    with _write(ctx) as txn:
        if identities.get(txn, ctx.account, ctx.region, name) is not None:
            raise AlreadyExistsException(f"Email identity {name} already exist.")
        if params.get("ConfigurationSetName"):
            configsets.require(txn, ctx.account, ctx.region, params["ConfigurationSetName"])
        record = identities.create(
            txn,
            ctx.account,
            ctx.region,
            name,
            tags=params.get("Tags") or [],
            configuration_set=params.get("ConfigurationSetName"),
        )
    result: dict[str, Any] = {
        "IdentityType": _IDENTITY_TYPE[kind],
        "VerifiedForSendingStatus": record["status"] == identities.SUCCESS,
    }
    if kind == identities.DOMAIN:
        result["DkimAttributes"] = _dkim(record)
    return result


@operation("GetEmailIdentity")
def get_email_identity(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    record = _identity(ctx, params["EmailIdentity"])
    verified = record["status"] == identities.SUCCESS
    result: dict[str, Any] = {
        "IdentityType": _IDENTITY_TYPE[record["type"]],
        "FeedbackForwardingStatus": True,
        "VerifiedForSendingStatus": verified,
        "DkimAttributes": _dkim(record),
        "MailFromAttributes": {"BehaviorOnMxFailure": "USE_DEFAULT_VALUE"},
        "Policies": {},
        "Tags": record.get("tags") or [],
        "VerificationStatus": record["status"].upper(),
        "VerificationInfo": {
            "LastCheckedTimestamp": record["created"],
            "LastSuccessTimestamp": record["created"],
        },
    }
    if record.get("configuration_set"):
        result["ConfigurationSetName"] = record["configuration_set"]
    return result


@operation("ListEmailIdentities")
def list_email_identities(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        found, token = identities.page(
            txn, ctx.account, ctx.region, None, params.get("NextToken"), params.get("PageSize")
        )
    listed = [
        {
            "IdentityType": _IDENTITY_TYPE[record["type"]],
            "IdentityName": record["name"],
            "SendingEnabled": record["status"] == identities.SUCCESS,
            "VerificationStatus": record["status"].upper(),
        }
        for record in found
    ]
    return pages.listing("EmailIdentities", listed, token)


@operation("DeleteEmailIdentity")
def delete_email_identity(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    name = params["EmailIdentity"]
    with _write(ctx) as txn:
        if not identities.delete(txn, ctx.account, ctx.region, name):
            raise _identity_not_found(name)
    return {}


def _identity(ctx: RequestContext, name: str) -> dict[str, Any]:
    with _read(ctx) as txn:
        record = identities.get(txn, ctx.account, ctx.region, name)
    if record is None:
        raise _identity_not_found(name)
    return record


def _identity_not_found(name: str) -> NotFoundException:
    return NotFoundException(f"Email identity {name} does not exist.")


def _dkim(record: dict[str, Any]) -> dict[str, Any]:
    """DKIM as SES shows it: Easy DKIM signing for domains, nothing for addresses."""
    if record["type"] == identities.EMAIL:
        return {
            "SigningEnabled": False,
            "Status": "NOT_STARTED",
            "SigningAttributesOrigin": "AWS_SES",
            "NextSigningKeyLength": "RSA_2048_BIT",
        }
    return {
        "SigningEnabled": True,
        "Status": "SUCCESS",
        "Tokens": identities.dkim_tokens(record),
        "SigningAttributesOrigin": "AWS_SES",
        "NextSigningKeyLength": "RSA_2048_BIT",
        "CurrentSigningKeyLength": "RSA_2048_BIT",
        "LastKeyGenerationTimestamp": record["created"],
    }


# Account ---------------------------------------------------------------------------------


@operation("GetAccount")
def get_account(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        quota = stats.quota(txn, ctx.account, ctx.region)
    return {
        "DedicatedIpAutoWarmupEnabled": False,
        "EnforcementStatus": "HEALTHY",
        "ProductionAccessEnabled": not ctx.runtime.config.ses_strict,
        "SendQuota": quota,
        "SendingEnabled": True,
        "SuppressionAttributes": {"SuppressedReasons": []},
    }


# Templates -------------------------------------------------------------------------------


def _as_v1_template(name: str, content: dict[str, Any]) -> dict[str, Any]:
    return {
        "TemplateName": name,
        "SubjectPart": content.get("Subject"),
        "TextPart": content.get("Text"),
        "HtmlPart": content.get("Html"),
    }


@operation("CreateEmailTemplate")
def create_email_template(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    template = _as_v1_template(params["TemplateName"], params["TemplateContent"])
    with _write(ctx) as txn:
        templates.create(txn, ctx.account, ctx.region, template)
    return {}


@operation("UpdateEmailTemplate")
def update_email_template(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    template = _as_v1_template(params["TemplateName"], params["TemplateContent"])
    with _write(ctx) as txn:
        templates.update(txn, ctx.account, ctx.region, template)
    return {}


@operation("GetEmailTemplate")
def get_email_template(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        record = templates.require(txn, ctx.account, ctx.region, params["TemplateName"])
    content = {"Subject": record["subject"], "Text": record["text"], "Html": record["html"]}
    return {
        "TemplateName": record["name"],
        "TemplateContent": {key: value for key, value in content.items() if value is not None},
    }


@operation("DeleteEmailTemplate")
def delete_email_template(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        templates.require(txn, ctx.account, ctx.region, params["TemplateName"])
        templates.delete(txn, ctx.account, ctx.region, params["TemplateName"])
    return {}


@operation("ListEmailTemplates")
def list_email_templates(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        found, after = templates.page(
            txn, ctx.account, ctx.region, params.get("NextToken"), params.get("PageSize") or 10
        )
    metadata = [
        {"TemplateName": record["name"], "CreatedTimestamp": record["created"]} for record in found
    ]
    return pages.listing("TemplatesMetadata", metadata, after)


@operation("TestRenderEmailTemplate")
def test_render_email_template(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    name, data = params["TemplateName"], params["TemplateData"]
    with _read(ctx) as txn:
        return {"RenderedTemplate": templates.test_render(txn, ctx.account, ctx.region, name, data)}


# Configuration sets ----------------------------------------------------------------------


@operation("CreateConfigurationSet")
def create_configuration_set(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        configsets.create(txn, ctx.account, ctx.region, params["ConfigurationSetName"])
    return {}


@operation("GetConfigurationSet")
def get_configuration_set(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        record = configsets.require(txn, ctx.account, ctx.region, params["ConfigurationSetName"])
    return {"ConfigurationSetName": record["name"], "Tags": []}


@operation("DeleteConfigurationSet")
def delete_configuration_set(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        configsets.delete(txn, ctx.account, ctx.region, params["ConfigurationSetName"])
    return {}


@operation("ListConfigurationSets")
def list_configuration_sets(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        names, after = configsets.page(
            txn, ctx.account, ctx.region, params.get("NextToken"), params.get("PageSize")
        )
    return pages.listing("ConfigurationSets", names, after)
