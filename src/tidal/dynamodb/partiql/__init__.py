"""PartiQL for DynamoDB: ExecuteStatement, BatchExecuteStatement and ExecuteTransaction.

Each operation is parsed first, without the store (`parse_*`), so the caller knows whether
the request reads or writes, then run in the caller's one transaction (`*_execute*`).

    parsed = partiql.parse_statement(params)
    with store.transaction(write=not parsed.reads) as txn:
        return partiql.execute_statement(ctx, txn, parsed, params)
"""

from .batch import Batch, batch_execute_statement, parse_batch
from .execute import Parsed, execute_statement, parse_statement
from .transaction import Transaction, execute_transaction, parse_transaction

__all__ = [
    "Batch",
    "Parsed",
    "Transaction",
    "batch_execute_statement",
    "execute_statement",
    "execute_transaction",
    "parse_batch",
    "parse_statement",
    "parse_transaction",
]
