"""Forked specs: import from dist-git or a .src.rpm, local changes over a recorded upstream,
rebase onto a new upstream version. Specs are edited as text here: rpm never reads them."""
