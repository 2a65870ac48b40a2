"""Lambda operations: functions."""

from tidal.awslambda.api.service import SERVICE

operation = SERVICE.operation
