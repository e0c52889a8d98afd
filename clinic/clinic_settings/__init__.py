"""The clinic's details (name, contact, currency) and policies the owner sets."""
