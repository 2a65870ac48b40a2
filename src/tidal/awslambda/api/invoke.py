"""Lambda operations: invoke."""

from tidal.awslambda.api.service import SERVICE

operation = SERVICE.operation
