"""Where event source mappings send their batches: the Lambda room's synchronous invoke."""

from __future__ import annotations

from tidal.awslambda import consumers, functions, invocations
from tidal.awslambda.delivery import Unavailable
from tidal.awslambda.invocations import Invocation
from tidal.core.runtime import Runtime

ACTIVE = "Active"


class LambdaTarget:
    """Invokes functions of one account and region by ARN, as their mappings name them.

    The ARN is resolved at every invocation, so a new version behind an alias, or new code,
    is what the next batch runs.
    """

    def __init__(self, runtime: Runtime, account: str, region: str) -> None:
        self.runtime = runtime
        self.account = account
        self.region = region

    async def invoke(self, function_arn: str, payload: bytes) -> Invocation:
        with self.runtime.store.transaction(write=False) as txn:
            function = functions.resolve(self.runtime, txn, self.account, self.region, function_arn)
        if function.state != ACTIVE:
            raise Unavailable(f"The function is {function.state}.")
        return await invocations.invoke(self.runtime, function, payload)


async def run_consumers(runtime: Runtime) -> None:
    """The background task of the Lambda service: the mappings' consumers."""
    await consumers.run(runtime, LambdaTarget, lambda: invocations.in_flight(runtime))
