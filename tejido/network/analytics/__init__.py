"""Network analytics inside Tejido: loading a program's network from the database, running the
pure indicators of `network.analysis` and `network.weaving` in the background, keeping their
snapshots per cycle, and putting them into words for the people who read them."""
