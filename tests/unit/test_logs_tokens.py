"""Whatever a client sends as a `nextToken`, the list operations answer a page or refuse it
as AWS does ("The specified nextToken is invalid."), never with another error."""

from __future__ import annotations

import base64
import json
from contextlib import closing

from hypothesis import given, settings
from hypothesis import strategies as st

from tidal.logs import groups, ingest, search, streams
from tidal.logs.errors import InvalidParameterException
from tidal.storage import open_store

ACCOUNT, REGION, GROUP = "123456789012", "us-east-1", "/aws/lambda/tokens"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3),
    max_leaves=6,
)
tokens = st.one_of(
    st.text(min_size=1, max_size=30),
    st.builds(
        lambda kind, values: base64.urlsafe_b64encode(
            json.dumps([kind, *values]).encode()
        ).decode(),
        st.sampled_from(["g", "s", "e", "l", "x"]),
        st.lists(json_values, max_size=3),
    ),
)


def answers_or_refuses(call) -> None:
    try:
        call()
    except InvalidParameterException as error:
        assert error.message == "The specified nextToken is invalid."


@settings(max_examples=200)
@given(
    token=tokens, order=st.sampled_from([{}, {"orderBy": "LastEventTime"}, {"descending": True}])
)
def test_any_token_gets_a_page_or_the_invalid_token_error(token, order):
    with closing(open_store(None)) as store:
        with store.transaction() as txn:
            ingest.put_events(txn, ACCOUNT, REGION, GROUP, "s1", [(1_000, "m")])
            ingest.put_events(txn, ACCOUNT, REGION, GROUP, "s2", [(2_000, "n")])
        with store.transaction(write=False) as txn:
            group = groups.load(txn, ACCOUNT, REGION, GROUP)
            params = {"nextToken": token, "limit": 1}
            answers_or_refuses(lambda: groups.describe(txn, ACCOUNT, REGION, params))
            answers_or_refuses(lambda: groups.list_summaries(txn, ACCOUNT, REGION, params))
            answers_or_refuses(
                lambda: streams.describe(txn, ACCOUNT, REGION, GROUP, {**params, **order})
            )
            answers_or_refuses(
                lambda: search.filter_log_events(txn, ACCOUNT, REGION, group, params, 10_000)
            )
