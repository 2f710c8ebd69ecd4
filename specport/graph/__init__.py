"""Build order of a set of specs: who needs whose packages, in waves, and the cycles."""
