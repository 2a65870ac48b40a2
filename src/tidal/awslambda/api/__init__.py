"""Lambda's wire operations (REST JSON under `/2015-03-31/` and its sibling API versions).

The API is large, so its operations live in one module per concern; importing this
package registers all of them on `SERVICE`.
"""

from tidal.awslambda.api import functions, invoke, mappings  # noqa: F401  (registration)
from tidal.awslambda.api.service import SERVICE

__all__ = ["SERVICE"]
