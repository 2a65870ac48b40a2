"""Tidal: DynamoDB, DynamoDB Streams and Lambda stream triggers in one local process."""

__version__ = "0.1.0"
