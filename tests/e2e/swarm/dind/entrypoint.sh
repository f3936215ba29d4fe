#!/bin/sh
# Starts dockerd as the container's main process. OL_POOL: the address pool the node's own bridges
# (docker0, docker_gwbridge) use, so they never collide with the host's or the fleet's networks.
set -e
rm -f /var/run/docker.pid
# Not --privileged (a host whose engine lacks a capability cannot start privileged containers): the
# node runs with every capability it can get, so it remounts rw what Docker mounted ro for it.
mount -o remount,rw /sys 2>/dev/null || true
for m in /sys/fs/cgroup/*; do mountpoint -q "$m" && mount -o remount,bind,rw "$m" 2>/dev/null || true; done
# cgroup v2: move ourselves out of the root cgroup so the nested engine may enable controllers.
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  mkdir -p /sys/fs/cgroup/node-init
  while read -r pid; do echo "$pid" >/sys/fs/cgroup/node-init/cgroup.procs 2>/dev/null || true; done </sys/fs/cgroup/cgroup.procs
  for c in $(cat /sys/fs/cgroup/cgroup.controllers); do echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true; done
fi
exec dockerd \
  --host unix:///var/run/docker.sock --host tcp://0.0.0.0:2375 \
  --bip "${OL_BIP:-10.243.63.1/24}" \
  --default-address-pool "base=${OL_POOL:-10.243.0.0/19},size=24" \
  --storage-driver overlay2 --log-level warn
