"""The telephonist's console: a live view and remote control over the queue, handoff and
directory services."""
