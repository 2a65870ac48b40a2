"""Test support: the pytest plugin (`tidal_server`, `dynamodb` fixtures) lives in `plugin`."""
