"""What the gateway, the action server and the reference back end all need, in one small package
that imports none of them: the ID-number and phone rules and the masks (pii), record numbers
(numbers), the back-end connector (backend_client) and the outbox of writes it still owes
(outbox). Each service imports its own package, config/ and this one, nothing else."""
