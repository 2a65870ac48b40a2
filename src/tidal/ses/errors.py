"""SES's errors: v1 codes (query protocol, `error.code` of the model) and v2 exceptions.

The domain raises the v1 errors; `api_v2` translates them into the v2 exceptions that
SES v2 answers for the same fault (`as_v2`).
"""

from __future__ import annotations

from tidal.core.errors import AWSError


class MessageRejected(AWSError):
    code = "MessageRejected"


class InvalidParameterValue(AWSError):
    code = "InvalidParameterValue"


class ConfigurationSetDoesNotExist(AWSError):
    code = "ConfigurationSetDoesNotExist"


class ConfigurationSetAlreadyExists(AWSError):
    code = "ConfigurationSetAlreadyExists"


class InvalidConfigurationSet(AWSError):
    code = "InvalidConfigurationSet"


class TemplateDoesNotExist(AWSError):
    code = "TemplateDoesNotExist"


class AlreadyExists(AWSError):
    code = "AlreadyExists"


class MissingRenderingAttribute(AWSError):
    code = "MissingRenderingAttribute"


class InvalidRenderingParameter(AWSError):
    code = "InvalidRenderingParameter"


class InvalidTemplate(AWSError):
    code = "InvalidTemplate"


# SES v2 (rest-json: `x-amzn-ErrorType` header and a JSON body with `message`)


class NotFoundException(AWSError):
    code = "NotFoundException"
    status = 404


class AlreadyExistsException(AWSError):
    code = "AlreadyExistsException"


class BadRequestException(AWSError):
    code = "BadRequestException"


_BAD_REQUESTS = (
    InvalidParameterValue,
    InvalidTemplate,
    InvalidRenderingParameter,
    InvalidConfigurationSet,
)


def as_v2(error: AWSError) -> AWSError:
    """The error SES v2 answers where SES v1 answers `error`."""
    if isinstance(error, ConfigurationSetDoesNotExist | TemplateDoesNotExist):
        return NotFoundException(error.message)
    if isinstance(error, AlreadyExists | ConfigurationSetAlreadyExists):
        return AlreadyExistsException(error.message)
    if isinstance(error, _BAD_REQUESTS):
        return BadRequestException(error.message)
    return error


def invalid(message: str) -> InvalidParameterValue:
    return InvalidParameterValue(message)


def config_set_not_found(name: str) -> ConfigurationSetDoesNotExist:
    return ConfigurationSetDoesNotExist(f"Configuration set <{name}> does not exist.")


def template_not_found(name: str) -> TemplateDoesNotExist:
    return TemplateDoesNotExist(f"Template {name} does not exist.")


def not_verified(failed: list[str], region: str) -> MessageRejected:
    return MessageRejected(
        "Email address is not verified. The following identities failed the check in region "
        f"{region.upper()}: {', '.join(failed)}"
    )
