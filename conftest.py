"""Root conftest: plugins shared by every test suite in the workspace."""

pytest_plugins = ["ocop_platform.testing.infra_fixtures"]
