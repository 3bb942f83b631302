# One image for every orderflow role: `docker run orderflow <serve|relay|project|saga|notify|migrate>`.
# TypeScript runs through tsx (a runtime dependency), so there is no build step.
FROM node:20-slim

# Production on purpose: signed JWTs only (issuer, audience, exp), no GraphiQL, no sandbox payments,
# no local mail sink, and DATABASE_URL / MONGO_URL must be given (the process names what is missing).
ENV NODE_ENV=production \
    ORDERFLOW_ENV=production \
    ORDERFLOW_HTTP_HOST=0.0.0.0 \
    ORDERFLOW_HTTP_PORT=4000
WORKDIR /app

COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY --chown=node:node . .

USER node
EXPOSE 4000
# tini-like signal handling is not needed: node is PID 1 and the CLI handles SIGTERM/SIGINT itself.
ENTRYPOINT ["node", "bin/orderflow.mjs"]
CMD ["serve"]
