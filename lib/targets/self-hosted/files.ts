/**
 * The layout of a bundle directory, and the `dns-failover` command lines its DNS nodes and checkers
 * run (one place for the Kubernetes manifests, the systemd units, the bundle README and `up`).
 */

/** Where each part of a bundle lies, relative to the bundle directory. */
export const BUNDLE_FILES = {
  /** The bundle config (version 1, see `lib/bundle/schema.json`). */
  config: 'config.json',
  /** How to start the bundle. */
  readme: 'README.md',
  /** How to build the container image the manifests run. */
  dockerfile: 'Dockerfile',
  /** What of the bundle directory enters the image's build context: the Dockerfile and a packed package, nothing else. */
  dockerignore: '.dockerignore',
  /** Every Kubernetes object, one YAML stream. */
  kubernetes: 'kubernetes/dns-failover.yaml',
  /** One unit per DNS node and per checker. */
  systemdDirectory: 'systemd',
} as const;

/** The ports a DNS node's container listens on (unprivileged; Services publish DNS on 53). */
export const CONTAINER_DNS_PORT = 5353;
export const CONTAINER_ADMIN_PORT = 8053;

/** The URL a checker pushes its reports to, for a DNS node's admin address (`host:port`). */
export function reportUrl(adminHostPort: string): string {
  return `http://${adminHostPort}/reports`;
}

export interface ServeInvocation {
  readonly config: string;
  readonly listen: string;
  readonly admin: string;
  /** The directory with every checker's key, one file per key name. */
  readonly keysDir: string;
  /** The node ignores the EDNS Client Subnet option. */
  readonly ignoreClientSubnet?: boolean;
}

/** `dns-failover serve ...` arguments (without the executable). */
export function serveArgs(o: ServeInvocation): string[] {
  return ['serve', '--config', o.config, '--listen', o.listen, '--admin', o.admin, '--keys-dir', o.keysDir, ...(o.ignoreClientSubnet ? ['--ignore-client-subnet'] : [])];
}

export interface CheckInvocation {
  readonly config: string;
  readonly checkerId: string;
  readonly region: string;
  /** Report URLs, one per DNS node. */
  readonly push: readonly string[];
  /** This checker's own key. */
  readonly keyFile: string;
}

/** `dns-failover check ...` arguments (without the executable). */
export function checkArgs(o: CheckInvocation): string[] {
  return ['check', '--config', o.config, '--checker-id', o.checkerId, '--region', o.region, '--push', o.push.join(','), '--key-file', o.keyFile];
}

/** The packed package a bundle's image may be built from (`npm pack`), next to the Dockerfile. */
export const PACKED_PACKAGE_GLOB = 'cdk-dns-failover-*.tgz';

/**
 * The .dockerignore of a bundle: an allowlist. Only the Dockerfile and a packed cdk-dns-failover
 * enter the build context, so a key, a token or anything else an operator keeps in the bundle
 * directory never reaches an image layer, whatever the Dockerfile copies.
 */
export function renderDockerignore(): string {
  return `# The build context of this bundle's Dockerfile is an allowlist: the Dockerfile and a packed
# cdk-dns-failover, nothing else. Checker keys, admin tokens and configs never enter an image
# (the manifests mount them at run time). Keep keys outside this directory all the same.
**
!Dockerfile
!${PACKED_PACKAGE_GLOB}
`;
}

/** The Dockerfile of a bundle: the image the Kubernetes manifests run. */
export function renderDockerfile(version: string): string {
  return `# The container image this bundle's Kubernetes manifests run: the dns-failover command, as a DNS node
# (dns-failover serve) or as a checker (dns-failover check). No public image exists; build this one and
# push it where your cluster pulls images from (README.md, "Kubernetes").
#
# PACKAGE is what npm installs: a packed cdk-dns-failover copied next to this Dockerfile
# (./cdk-dns-failover-${version}.tgz, made with \`npm pack\` or \`npx projen package\` in a checkout),
# or a registry spec (cdk-dns-failover@${version}) once the version you use is published.
#
#   docker build --build-arg PACKAGE=./cdk-dns-failover-${version}.tgz -t cdk-dns-failover:latest .
#
# Only the Dockerfile and a packed package are copied (and .dockerignore admits nothing else into the
# build context): keys and tokens stay out of every layer. They reach the containers at run time.
FROM node:20-bookworm-slim
ARG PACKAGE
WORKDIR /build
COPY Dockerfile ${PACKED_PACKAGE_GLOB} /build/
RUN test -n "$PACKAGE" || { echo 'give --build-arg PACKAGE=<packed .tgz or registry spec>, see README.md' >&2; exit 1; } \\
 && npm install --global --no-audit --no-fund "$PACKAGE" \\
 && npm cache clean --force \\
 && rm -rf /build
WORKDIR /
# uid 1000 (the manifests run the containers as this user)
USER node
ENTRYPOINT ["dns-failover"]
`;
}
