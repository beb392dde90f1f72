"""The gateway in front of Rasa: channels, handoff, console, admin, FAQ, and the action endpoint."""
