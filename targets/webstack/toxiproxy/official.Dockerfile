# The official Toxiproxy server, for TOXIPROXY_DOCKERFILE (see compose.yaml): needs ghcr.io.
FROM ghcr.io/shopify/toxiproxy:2.12.0
