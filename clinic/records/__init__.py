"""A client's whole record: audited reads, the export (right of access), closing an account."""
