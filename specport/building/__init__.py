"""Build packages: one spec x one target in a throwaway container, with rpmbuild or debbuild."""
