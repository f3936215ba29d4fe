# The per-fleet agent image: `openlegion build` bakes the fleet's npm and Debian packages into a
# derivative of openlegion/agent (agents.yaml image_packages, mcp_servers[].package, image: toolbox).
# The build is the only moment with registry access; agents never install anything at run time.
# Context (staged by generator/docker/packages-image.ts): package.json, package-lock.json (the
# committed pins, when they match the request), apt.txt (one `name` or `name=version` a line).
ARG NODE_IMAGE=node:24-bookworm-slim
ARG BASE=openlegion/agent:0.1.0

FROM ${NODE_IMAGE} AS npm
WORKDIR /opt/openlegion/packages
COPY package*.json ./
# No install scripts (what a package runs at install time is not reviewed); npm ci when pinned.
RUN if [ -f package-lock.json ]; then \
      npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error; \
    else \
      npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error; \
    fi \
 && npm cache clean --force >/dev/null 2>&1; rm -rf /root/.npm /tmp/*

FROM ${BASE}
USER root
COPY apt.txt /opt/openlegion/apt.txt
RUN set -e; \
    if [ -s /opt/openlegion/apt.txt ]; then \
      apt-get update; \
      DEBIAN_FRONTEND=noninteractive xargs -a /opt/openlegion/apt.txt apt-get install -y --no-install-recommends; \
      apt-get clean; rm -rf /var/lib/apt/lists/*; \
      sed 's/=.*//' /opt/openlegion/apt.txt | xargs dpkg-query -W -f '${Package}=${Version}\n' > /opt/openlegion/apt.lock; \
    else : > /opt/openlegion/apt.lock; fi
COPY --from=npm /opt/openlegion/packages /opt/openlegion/packages
ENV PATH=/opt/openlegion/packages/node_modules/.bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LABEL io.openlegion.image="agent-packages"
USER 1000:1000
