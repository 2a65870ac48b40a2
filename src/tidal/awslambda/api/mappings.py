"""Lambda operations: mappings."""

from tidal.awslambda.api.service import SERVICE

operation = SERVICE.operation
