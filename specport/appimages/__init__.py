"""The user's images: PHP base and application images built from the published repository,
rebuilt when a package they hold changes, smoke-tested, and promoted by digest."""
