"""rasa_sdk actions and form validators, run by the gateway's /webhook through rasa_sdk's executor.

Each service has its own module (join_union.py, ...). Talking to the union back end goes through
backend_client.UnionBackend; writes the back end could not take wait in outbox.Outbox.
"""
