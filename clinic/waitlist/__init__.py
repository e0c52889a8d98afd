"""The waitlist: clients told at once when a time they want frees up, and maintenance recalls."""
