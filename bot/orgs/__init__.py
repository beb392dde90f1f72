"""The organisation tree as the gateway uses it (the back end keeps it): who sees what (an account's
subtree), the staff's import/export and list, the CLI, the early warnings on the console, the
district question after a filing, the leaders' insights."""
