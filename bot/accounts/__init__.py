"""Accounts for officers, staff and admins: hashed passwords, API tokens, role checks."""
