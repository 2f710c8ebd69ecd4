"""The one door to the container engine (Docker or Podman's Docker-compatible API).

engine: connect and describe the engine; runner: throwaway containers; images: builder images;
bootstrap: base images made with mmdebstrap. Nothing outside this package imports `docker`.
"""
