"""Root conftest: plugins shared by every test suite in the workspace."""

pytest_plugins = ["ocop_shared.testing.infra_fixtures"]
