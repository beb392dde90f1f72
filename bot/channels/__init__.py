"""Channel adapters: each turns its protocol into "user said X" and the replies back, nothing more."""
