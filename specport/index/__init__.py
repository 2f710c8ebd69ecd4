"""Package indexes of deb targets: fetched, verified against the signed InRelease, cached.

debian.py fetches and verifies (InRelease with gpgv, every file against its SHA256 there);
parse.py turns Packages/Sources/Contents into the compact Index of model.py; store.py keeps the
raw files by hash and the derived index with a manifest that is checked again on every load.
"""
