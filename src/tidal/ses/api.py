"""SES wire operations: v1 (query protocol, XML) here, v2 (REST JSON under `/v2/email/`) in
`api_v2`. Both share identities, templates, configuration sets and the mailbox."""

from __future__ import annotations

from typing import Any

import tidal.ses.api_v2  # noqa: F401  (registers the SES v2 operations on SES_V2)
from tidal.core.context import RequestContext
from tidal.core.errors import AWSError
from tidal.ses import configsets, identities, pages, sending, stats, templates
from tidal.ses.sending import Envelope
from tidal.ses.service import SES, SES_V2

__all__ = ["SES", "SES_V2"]

operation = SES.operation


def _write(ctx: RequestContext):
    return ctx.runtime.store.transaction(write=True)


def _read(ctx: RequestContext):
    return ctx.runtime.store.transaction(write=False)


def _envelope(params: dict[str, Any], destination: dict[str, Any] | None = None) -> Envelope:
    return Envelope.addressed(
        params["Source"],
        destination if destination is not None else params.get("Destination") or {},
        reply_to=params.get("ReplyToAddresses") or [],
        return_path=params.get("ReturnPath"),
        tags=sending.tags_of(params.get("Tags")),
        configuration_set=params.get("ConfigurationSetName"),
    )


# Sending ---------------------------------------------------------------------------------


@operation("SendEmail")
def send_email(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    formatted = sending.formatted(params["Message"])
    return {"MessageId": sending.send_formatted(ctx, "SendEmail", _envelope(params), formatted)}


@operation("SendRawEmail")
def send_raw_email(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    message_id = sending.send_raw(
        ctx,
        "SendRawEmail",
        params["RawMessage"]["Data"],
        source=params.get("Source"),
        destinations=params.get("Destinations"),
        tags=sending.tags_of(params.get("Tags")),
        configuration_set=params.get("ConfigurationSetName"),
    )
    return {"MessageId": message_id}


@operation("SendTemplatedEmail")
def send_templated_email(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        template = templates.require(txn, ctx.account, ctx.region, params["Template"])
    data = templates.data_of(params["TemplateData"])
    envelope = _envelope(params)
    message_id = sending.send_templated(ctx, "SendTemplatedEmail", envelope, template, data)
    return {"MessageId": message_id}


@operation("SendBulkTemplatedEmail")
def send_bulk_templated_email(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """One message per destination; a destination that fails gets its error as its status."""
    with _read(ctx) as txn:
        template = templates.require(txn, ctx.account, ctx.region, params["Template"])
        if params.get("ConfigurationSetName"):
            configsets.require(txn, ctx.account, ctx.region, params["ConfigurationSetName"])
    defaults = templates.data_of(params["DefaultTemplateData"])
    statuses = []
    for entry in params["Destinations"]:
        shared = {**params, "Tags": entry.get("ReplacementTags") or params.get("DefaultTags")}
        try:
            data = {**defaults, **templates.data_of(entry.get("ReplacementTemplateData"))}
            envelope = _envelope(shared, entry["Destination"])
            message_id = sending.send_templated(
                ctx, "SendBulkTemplatedEmail", envelope, template, data
            )
        except AWSError as error:
            statuses.append({"Status": error.code, "Error": error.message})
            continue
        statuses.append({"Status": "Success", "MessageId": message_id})
    return {"Status": statuses}


# Templates -------------------------------------------------------------------------------


@operation("CreateTemplate")
def create_template(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        templates.create(txn, ctx.account, ctx.region, params["Template"])
    return {}


@operation("UpdateTemplate")
def update_template(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        templates.update(txn, ctx.account, ctx.region, params["Template"])
    return {}


@operation("GetTemplate")
def get_template(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        record = templates.require(txn, ctx.account, ctx.region, params["TemplateName"])
    return {"Template": templates.as_v1(record)}


@operation("DeleteTemplate")
def delete_template(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        templates.delete(txn, ctx.account, ctx.region, params["TemplateName"])
    return {}


@operation("ListTemplates")
def list_templates(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    limit = params.get("MaxItems") or 10
    with _read(ctx) as txn:
        found, after = templates.page(txn, ctx.account, ctx.region, params.get("NextToken"), limit)
    metadata = [{"Name": record["name"], "CreatedTimestamp": record["created"]} for record in found]
    return pages.listing("TemplatesMetadata", metadata, after)


@operation("TestRenderTemplate")
def test_render_template(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    name, data = params["TemplateName"], params["TemplateData"]
    with _read(ctx) as txn:
        return {"RenderedTemplate": templates.test_render(txn, ctx.account, ctx.region, name, data)}


# Identities ------------------------------------------------------------------------------


@operation("VerifyEmailIdentity")
def verify_email_identity(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    identities.check_email(params["EmailAddress"])
    with _write(ctx) as txn:
        identities.create(txn, ctx.account, ctx.region, params["EmailAddress"])
    return {}


@operation("VerifyEmailAddress")
def verify_email_address(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    return verify_email_identity(ctx, params)


@operation("VerifyDomainIdentity")
def verify_domain_identity(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    identities.check_domain(params["Domain"])
    with _write(ctx) as txn:
        record = identities.create(txn, ctx.account, ctx.region, params["Domain"])
    return {"VerificationToken": record["token"]}


@operation("ListIdentities")
def list_identities(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        found, token = identities.page(
            txn,
            ctx.account,
            ctx.region,
            params.get("IdentityType"),
            params.get("NextToken"),
            params.get("MaxItems"),
        )
    return pages.listing("Identities", [record["name"] for record in found], token)


@operation("ListVerifiedEmailAddresses")
def list_verified_email_addresses(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        found, _ = identities.page(txn, ctx.account, ctx.region, identities.EMAIL, None, None)
    return {"VerifiedEmailAddresses": [record["name"] for record in found]}


@operation("GetIdentityVerificationAttributes")
def get_identity_verification_attributes(
    ctx: RequestContext, params: dict[str, Any]
) -> dict[str, Any]:
    """Attributes of the identities that exist; SES leaves unknown ones out of the map."""
    attributes = {}
    with _read(ctx) as txn:
        for name in params["Identities"]:
            record = identities.get(txn, ctx.account, ctx.region, name)
            if record is None:
                continue
            attributes[name] = {"VerificationStatus": record["status"]}
            if record["token"]:
                attributes[name]["VerificationToken"] = record["token"]
    return {"VerificationAttributes": attributes}


@operation("DeleteIdentity")
def delete_identity(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        identities.delete(txn, ctx.account, ctx.region, params["Identity"])
    return {}


@operation("DeleteVerifiedEmailAddress")
def delete_verified_email_address(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        identities.delete(txn, ctx.account, ctx.region, params["EmailAddress"])
    return {}


# Quota and statistics --------------------------------------------------------------------


@operation("GetSendQuota")
def get_send_quota(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        return stats.quota(txn, ctx.account, ctx.region)


@operation("GetSendStatistics")
def get_send_statistics(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        return {"SendDataPoints": stats.data_points(txn, ctx.account, ctx.region)}


# Configuration sets ----------------------------------------------------------------------


@operation("CreateConfigurationSet")
def create_configuration_set(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        configsets.create(txn, ctx.account, ctx.region, params["ConfigurationSet"]["Name"])
    return {}


@operation("DescribeConfigurationSet")
def describe_configuration_set(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        record = configsets.require(txn, ctx.account, ctx.region, params["ConfigurationSetName"])
    return {"ConfigurationSet": {"Name": record["name"]}}


@operation("DeleteConfigurationSet")
def delete_configuration_set(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _write(ctx) as txn:
        configsets.delete(txn, ctx.account, ctx.region, params["ConfigurationSetName"])
    return {}


@operation("ListConfigurationSets")
def list_configuration_sets(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with _read(ctx) as txn:
        names, after = configsets.page(
            txn, ctx.account, ctx.region, params.get("NextToken"), params.get("MaxItems")
        )
    return pages.listing("ConfigurationSets", [{"Name": name} for name in names], after)
