"""Reference union back end: the REST service the assistant files submissions in.

Mounted by the gateway at /union-api (see bot/app.py); it can also be pointed at from
another deployment through BACKEND_URL. Modules:

- backend.models      SQLAlchemy tables (all prefixed ``ub_``)
- backend.api         the Flask blueprint ``bp`` with the /v1/... routes
- backend.numbers     human-readable record numbers (RH20261123-7KQ3MX)
- backend.validation  ID-number / mobile checks and masking (no Flask or database imports,
                      so actions/ and the gateway can use them too)
"""
