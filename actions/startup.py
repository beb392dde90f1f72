"""rasa_sdk imports every module of the actions package when the action server starts: this one
builds the connectors there and then, so a missing or public BACKEND_API_KEY stops the start with
one line (config/secret_check.py) instead of failing the first action a worker triggers; and it
loads jieba's dictionary (about a second) before the first FAQ question rather than during it."""
from actions import connectors
from config import log_masking
from unionkit.faq.text import terms

log_masking.install()  # ID numbers and phones masked in the action server's logs
connectors.current().faq.get()
terms("工会")
