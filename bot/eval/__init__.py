"""eval: golden question sets, scoring through the users' path, and reports."""
