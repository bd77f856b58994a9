"""The demo: two realistic programs loaded through the services, and large synthetic networks.

`loader` builds the demo (`tejido demo`); `scale` writes synthetic networks in bulk for
benchmarks (`tejido demo --scale N`); `content` holds the places, names and accounts.
"""
