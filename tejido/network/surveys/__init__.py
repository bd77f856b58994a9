"""Network surveys: a coordinator invites organizations, each lists and rates its partners, and
the submitted answers become ties with provenance "survey"."""
