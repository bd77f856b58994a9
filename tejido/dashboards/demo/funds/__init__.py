"""The competitive-funds part of the demo. Each area of the funds app has its module here."""
