from tests.legal.fixtures import (  # noqa: F401 - fixtures for this package's tests
    defaults,
    make_version,
    no_documents,
    notices_on,
)
