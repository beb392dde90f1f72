"""Reference union back end: the REST service the assistant files submissions in, its own
process (backend/app.py, on BACKEND_PORT) with its own database (BACKEND_DATABASE_URL) and
migrations (backend/migrations). The actions reach it through BACKEND_URL only. Modules:

- backend.app         the app factory: `gunicorn 'backend.app:create_app()'`
- backend.api         the blueprint with the /v1/... routes (served under /union-api)
- backend.models      SQLAlchemy tables (all prefixed ``ub_``)
- backend.db          the per-app session
- backend.validation  the Chinese answers for a bad ID number or phone (the rules are unionkit.pii)
"""
