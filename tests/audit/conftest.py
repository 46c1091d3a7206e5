"""The API fixtures (`client`, `cast`, ...) of tests/api/conftest.py, for the audit tests."""
from tests.api.conftest import _push_request_context, cast, client, mailbox, make_app  # noqa: F401
