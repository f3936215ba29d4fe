#!/bin/sh
# Starts dockerd as the container's main process. OL_POOL: the address pool the node's own bridges
# (docker0, docker_gwbridge) use, so they never collide with the host's or the fleet's networks.
set -e
rm -f /var/run/docker.pid
exec dockerd \
  --host unix:///var/run/docker.sock --host tcp://0.0.0.0:2375 \
  --bip "${OL_BIP:-10.243.255.1/24}" \
  --default-address-pool "base=${OL_POOL:-10.243.0.0/17},size=24" \
  --storage-driver overlay2 --log-level warn
