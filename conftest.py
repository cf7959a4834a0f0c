"""Top-level conftest: the pytester fixture drives the plugin in isolated runs."""

pytest_plugins = ["pytester"]
