"""The one door to the container engine (Docker or Podman's Docker-compatible API).

engine: connect and describe the engine; runs: throwaway containers; signals: Ctrl-C and SIGTERM
while they live; leftovers: containers a killed process left; tarcopy: files in and out;
imagestore: the engine's images. Nothing outside this package imports `docker`.
"""
