"""CI systems as the distributed build engine: a generated workflow (GitHub Actions, GitLab CI)
whose jobs each run one `specport ci` command. See docs/ci.md."""
