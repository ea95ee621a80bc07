from tests.web.inbox.conftest import client, make_client  # noqa: F401  (fresh-g clients)
