"""Event store and projection tests run on SQLite and on a real PostgreSQL."""
import pytest

from tests.conftest import store_param


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request):
    return store_param(request)
