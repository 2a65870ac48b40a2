"""DynamoDB Streams: the records of every item change, in shards, and the Streams API."""
