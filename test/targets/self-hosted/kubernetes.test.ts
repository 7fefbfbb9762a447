/**
 * The bundle's Kubernetes manifests, checked against the Kubernetes API types (kubernetes-models) and
 * for how their parts fit together: Services select the pods they publish, checkers push to every DNS
 * node's admin Service, the report secret is referred to and never written.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import * as yaml from 'yaml';
import { emdrStack, removeTempDirs, tempDir } from './helpers';
import { KubernetesServiceType, SelfHostedStackProps } from '../../../lib';
import { parseFlags } from '../../../lib/cli/args';
import { checkCommand } from '../../../lib/cli/check';
import { serveCommand } from '../../../lib/cli/serve';
import { toYaml } from '../../../lib/targets/self-hosted/yaml';
// An independent YAML parser (dev dependency) for the manifests this library writes with its own small writer.

/* eslint-disable @typescript-eslint/no-require-imports */
const { Deployment } = require('kubernetes-models/apps/v1');
const { NetworkPolicy } = require('kubernetes-models/networking.k8s.io/v1');
const { PodDisruptionBudget } = require('kubernetes-models/policy/v1');
const { ConfigMap, Namespace, Service } = require('kubernetes-models/v1');
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * Every document of a YAML stream, read as YAML 1.2 and as YAML 1.1 (kubectl's parser reads `yes`,
 * `on`, `0777` the 1.1 way): both must give the same data.
 */
function loadAll(text: string): Obj[] {
  const read = (version: '1.1' | '1.2') => yaml.parseAllDocuments(text, { version }).map((d: { errors: unknown[]; toJS(): Obj }) => {
    expect(d.errors).toEqual([]);
    return d.toJS();
  });
  const v12 = read('1.2');
  expect(read('1.1')).toEqual(v12);
  return v12;
}

function load(text: string): unknown {
  const [doc] = loadAll(text);
  return doc;
}

afterAll(removeTempDirs);

type Obj = Record<string, any>;

const MODELS: Record<string, new (data: Obj) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

function manifests(props: SelfHostedStackProps = {}, id = 'Emdr'): { objects: Obj[]; dir: string; text: string } {
  const { stack } = emdrStack(props, id);
  const dir = tempDir();
  stack.synth(dir);
  const text = fs.readFileSync(path.join(dir, 'kubernetes', 'dns-failover.yaml'), 'utf8');
  return { objects: loadAll(text), dir, text };
}

const ofKind = (objects: Obj[], kind: string) => objects.filter((o) => o.kind === kind);
const DNS_1123_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

function argValue(args: string[], flag: string): string {
  const i = args.indexOf(flag);
  expect(i).toBeGreaterThanOrEqual(0);
  return args[i + 1];
}

describe('Kubernetes manifests', () => {
  const props: SelfHostedStackProps = {
    dnsNodes: [{ id: 'dns-a' }, { id: 'dns-b' }],
    checkers: [
      { id: 'eu-1', region: 'eu-west-1' },
      { id: 'eu-2', region: 'eu-west-1' },
      { id: 'us-1', region: 'us-east-1' },
    ],
  };

  test('every object is valid for its Kubernetes API type', () => {
    const { objects } = manifests(props);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/dns-failover',
      'ConfigMap/emdr-config',
      'Deployment/emdr-dns-dns-a',
      'Service/emdr-dns-dns-a-admin',
      'Deployment/emdr-dns-dns-b',
      'Service/emdr-dns-dns-b-admin',
      'Service/emdr-dns-udp',
      'Service/emdr-dns-tcp',
      'NetworkPolicy/emdr-dns-admin-from-checkers',
      'PodDisruptionBudget/emdr-dns-nodes',
      'PodDisruptionBudget/emdr-checkers',
      'Deployment/emdr-checker-eu-west-1',
      'Deployment/emdr-checker-us-east-1',
    ]);
    for (const o of objects) {
      const Model = MODELS[`${o.apiVersion}/${o.kind}`];
      expect(Model).toBeDefined();
      expect(() => new Model(o).validate()).not.toThrow();
      expect(o.metadata.name).toMatch(DNS_1123_LABEL);
      if (o.kind !== 'Namespace') expect(o.metadata.namespace).toBe('dns-failover');
    }
  });

  test('a manifest that breaks the API types is caught (the check can fail)', () => {
    const { objects } = manifests(props);
    const broken = JSON.parse(JSON.stringify(ofKind(objects, 'Deployment')[0]));
    broken.spec.template.spec.containers[0].ports[0].containerPort = 'fifty-three';
    expect(() => new Deployment(broken).validate()).toThrow(/containerPort/);
  });

  test('the ConfigMap holds config.json as written', () => {
    const { objects, dir } = manifests(props);
    const [configMap] = ofKind(objects, 'ConfigMap');
    expect(configMap.data['config.json']).toBe(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
  });

  test('one Deployment per DNS node, serving the mounted config with every checker\'s mounted key', () => {
    const { objects } = manifests(props);
    const nodes = ofKind(objects, 'Deployment').filter((d) => d.metadata.labels['app.kubernetes.io/component'] === 'dns-node');
    expect(nodes.map((d) => d.spec.template.metadata.annotations['dns-failover/node-id'])).toEqual(['dns-a', 'dns-b']);
    for (const d of nodes) {
      expect(d.spec.replicas).toBe(1);
      const pod = d.spec.template.spec;
      const [container] = pod.containers;
      expect(container.image).toBe('cdk-dns-failover:latest');
      expect(container.args).toEqual([
        'serve',
        '--config', '/etc/dns-failover/config/config.json',
        '--listen', '0.0.0.0:5353',
        '--admin', '0.0.0.0:8053',
        '--keys-dir', '/etc/dns-failover/keys',
      ]);
      // The real command accepts them.
      expect(parseFlags('serve', serveCommand.flags, container.args.slice(1))).toMatchObject({ listen: '0.0.0.0:5353', admin: '0.0.0.0:8053' });
      expect(container.ports).toEqual([
        { name: 'dns-udp', containerPort: 5353, protocol: 'UDP' },
        { name: 'dns-tcp', containerPort: 5353, protocol: 'TCP' },
        { name: 'admin', containerPort: 8053, protocol: 'TCP' },
      ]);
      // Liveness asks the node's own DNS a real question; readiness also waits for verdicts.
      expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'admin' });
      expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'admin' });
      expect(container.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
      // The mounts exist as volumes: the ConfigMap of this bundle and every checker's Secret, one file per key name.
      expect(pod.volumes).toEqual([
        { name: 'config', configMap: { name: 'emdr-config' } },
        {
          name: 'checker-keys',
          projected: {
            defaultMode: 0o440,
            sources: ['eu-1', 'eu-2', 'us-1'].map((id) => ({ secret: { name: `emdr-key-${id}`, items: [{ key: 'key', path: id }], optional: true } })),
          },
        },
      ]);
      expect(container.volumeMounts.map((m: Obj) => m.name).sort()).toEqual(['checker-keys', 'config']);
      // The selector selects the pods of this Deployment.
      expect(d.spec.template.metadata.labels).toMatchObject(d.spec.selector.matchLabels);
    }
  });

  test('UDP and TCP Services publish port 53 of every DNS node; an admin Service per node', () => {
    const { objects } = manifests(props);
    const deployments = ofKind(objects, 'Deployment');
    const podsSelectedBy = (selector: Obj) =>
      deployments.filter((d) => Object.entries(selector).every(([k, v]) => d.spec.template.metadata.labels[k] === v));
    const services = ofKind(objects, 'Service');
    const dns = services.filter((s) => s.metadata.labels['app.kubernetes.io/component'] === 'dns');
    expect(dns.map((s) => [s.metadata.name, s.spec.type, s.spec.ports])).toEqual([
      ['emdr-dns-udp', 'ClusterIP', [{ name: 'dns-udp', port: 53, targetPort: 'dns-udp', protocol: 'UDP' }]],
      ['emdr-dns-tcp', 'ClusterIP', [{ name: 'dns-tcp', port: 53, targetPort: 'dns-tcp', protocol: 'TCP' }]],
    ]);
    for (const s of dns) {
      const selected = podsSelectedBy(s.spec.selector);
      expect(selected.map((d) => d.metadata.name)).toEqual(['emdr-dns-dns-a', 'emdr-dns-dns-b']);
      for (const d of selected) expect(d.spec.template.spec.containers[0].ports.map((p: Obj) => p.name)).toContain(s.spec.ports[0].targetPort);
    }
    const admin = services.filter((s) => s.metadata.labels['app.kubernetes.io/component'] === 'dns-node-admin');
    expect(admin.map((s) => [s.metadata.name, podsSelectedBy(s.spec.selector).map((d) => d.metadata.name)])).toEqual([
      ['emdr-dns-dns-a-admin', ['emdr-dns-dns-a']],
      ['emdr-dns-dns-b-admin', ['emdr-dns-dns-b']],
    ]);
  });

  test('one checker Deployment per region, a container per checker, pushing to every node\'s admin Service', () => {
    const { objects } = manifests(props);
    const checkers = ofKind(objects, 'Deployment').filter((d) => d.metadata.labels['app.kubernetes.io/component'] === 'checker');
    const summary = checkers.map((d) => ({
      region: d.spec.template.metadata.annotations['dns-failover/region'],
      checkers: d.spec.template.spec.containers.map((c: Obj) => [c.name, argValue(c.args, '--checker-id'), argValue(c.args, '--region')]),
    }));
    expect(summary).toEqual([
      { region: 'eu-west-1', checkers: [['checker-eu-1', 'eu-1', 'eu-west-1'], ['checker-eu-2', 'eu-2', 'eu-west-1']] },
      { region: 'us-east-1', checkers: [['checker-us-1', 'us-1', 'us-east-1']] },
    ]);
    for (const d of checkers) {
      for (const c of d.spec.template.spec.containers) {
        expect(c.args[0]).toBe('check');
        expect(parseFlags('check', checkCommand.flags, c.args.slice(1))).toMatchObject({ 'checker-id': argValue(c.args, '--checker-id') });
        expect(argValue(c.args, '--push').split(',')).toEqual([
          'http://emdr-dns-dns-a-admin.dns-failover.svc:8053/reports',
          'http://emdr-dns-dns-b-admin.dns-failover.svc:8053/reports',
        ]);
        const id = argValue(c.args, '--checker-id');
        expect(argValue(c.args, '--key-file')).toBe(`/etc/dns-failover/keys/${id}`);
        expect(argValue(c.args, '--config')).toBe('/etc/dns-failover/config/config.json');
        // Each container mounts its own key only.
        const pod = d.spec.template.spec;
        const keyMounts = c.volumeMounts.filter((m: Obj) => m.name !== 'config');
        expect(keyMounts).toHaveLength(1);
        const volume = pod.volumes.find((v: Obj) => v.name === keyMounts[0].name);
        expect(volume.secret).toEqual({ secretName: `emdr-key-${id}`, defaultMode: 0o440, items: [{ key: 'key', path: id }] });
      }
    }
  });

  test('the keys are only referred to: no Secret object, no key value; the old shared secret prop fails with the migration', () => {
    const { objects, text } = manifests({ ...props, checkers: [...props.checkers!, { id: 'ap/1', region: 'ap', keyName: 'ap-one' }] });
    expect(ofKind(objects, 'Secret')).toEqual([]);
    const refs = ofKind(objects, 'Deployment').flatMap((d) => d.spec.template.spec.volumes.flatMap((v: Obj) => [
      ...(v.secret ? [v.secret.secretName] : []),
      ...(v.projected ? v.projected.sources.map((p: Obj) => p.secret.name) : []),
    ]));
    expect(new Set(refs)).toEqual(new Set(['emdr-key-eu-1', 'emdr-key-eu-2', 'emdr-key-us-1', 'emdr-key-ap-one']));
    expect(text).not.toMatch(/kind: "Secret"|stringData|^\s+key: "[^"]{16,}"/m);
    expect(() => manifests({ kubernetes: { reportSecretName: 'my-report-key' } })).toThrow(/kubernetes.reportSecretName 'my-report-key' is no longer used: one shared report secret let any checker sign as any other/);
  });

  test('a NetworkPolicy lets only this bundle\'s checkers reach the DNS nodes\' admin port; DNS stays open', () => {
    const { objects } = manifests(props);
    const [policy] = ofKind(objects, 'NetworkPolicy');
    const deployments = ofKind(objects, 'Deployment');
    const podsSelectedBy = (selector: Obj) =>
      deployments.filter((d) => Object.entries(selector).every(([k, v]) => d.spec.template.metadata.labels[k] === v));
    expect(podsSelectedBy(policy.spec.podSelector.matchLabels).map((d) => d.metadata.name)).toEqual(['emdr-dns-dns-a', 'emdr-dns-dns-b']);
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    const [admin, dns] = policy.spec.ingress;
    expect(admin.ports).toEqual([{ protocol: 'TCP', port: 8053 }]);
    expect(podsSelectedBy(admin.from[0].podSelector.matchLabels).map((d) => d.metadata.name)).toEqual(['emdr-checker-eu-west-1', 'emdr-checker-us-east-1']);
    expect(dns).toEqual({ ports: [{ protocol: 'UDP', port: 5353 }, { protocol: 'TCP', port: 5353 }] });
    // The admin container port is the one the policy opens.
    expect(deployments[0].spec.template.spec.containers[0].ports.find((p: Obj) => p.name === 'admin').containerPort).toBe(8053);
  });

  test('no service account token; disruption budgets of one; a DNS node rolls with a surge, never down', () => {
    const { objects } = manifests(props);
    const deployments = ofKind(objects, 'Deployment');
    for (const d of deployments) expect([d.metadata.name, d.spec.template.spec.automountServiceAccountToken]).toEqual([d.metadata.name, false]);
    const podsSelectedBy = (selector: Obj) =>
      deployments.filter((d) => Object.entries(selector).every(([k, v]) => d.spec.template.metadata.labels[k] === v)).map((d) => d.metadata.name);
    const budgets = ofKind(objects, 'PodDisruptionBudget');
    expect(budgets.map((b) => [b.metadata.name, b.spec.maxUnavailable, podsSelectedBy(b.spec.selector.matchLabels)])).toEqual([
      ['emdr-dns-nodes', 1, ['emdr-dns-dns-a', 'emdr-dns-dns-b']],
      ['emdr-checkers', 1, ['emdr-checker-eu-west-1', 'emdr-checker-us-east-1']],
    ]);
    for (const d of deployments.filter((x) => x.metadata.labels['app.kubernetes.io/component'] === 'dns-node')) {
      // The old pod keeps answering until the new one is ready (it has the checkers' reports).
      expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    }
    for (const d of deployments.filter((x) => x.metadata.labels['app.kubernetes.io/component'] === 'checker')) {
      expect(d.spec.strategy).toEqual({ type: 'Recreate' });
    }
  });

  test('namespace, image and Service type from the props', () => {
    const { objects } = manifests({
      containerImage: 'registry.example.com/dns-failover:1.2.3',
      kubernetes: { namespace: 'edge-dns', dnsServiceType: KubernetesServiceType.LOAD_BALANCER },
    });
    expect(ofKind(objects, 'Namespace')[0].metadata.name).toBe('edge-dns');
    expect(new Set(objects.filter((o) => o.kind !== 'Namespace').map((o) => o.metadata.namespace))).toEqual(new Set(['edge-dns']));
    const images = ofKind(objects, 'Deployment').flatMap((d) => d.spec.template.spec.containers.map((c: Obj) => c.image));
    expect(new Set(images)).toEqual(new Set(['registry.example.com/dns-failover:1.2.3']));
    const dnsServices = ofKind(objects, 'Service').filter((s) => s.metadata.labels['app.kubernetes.io/component'] === 'dns');
    expect(dnsServices.map((s) => s.spec.type)).toEqual(['LoadBalancer', 'LoadBalancer']);
    const [checker] = ofKind(objects, 'Deployment').filter((d) => d.metadata.labels['app.kubernetes.io/component'] === 'checker');
    expect(argValue(checker.spec.template.spec.containers[0].args, '--push')).toBe('http://emdr-dns-dns-1-admin.edge-dns.svc:8053/reports');
  });

  test('DNS node pods roll when the config changes (its digest is a pod annotation); checker pods do not restart', () => {
    const component = (d: Obj) => d.metadata.labels['app.kubernetes.io/component'];
    const digest = (objects: Obj[], kind: string) => ofKind(objects, 'Deployment').filter((d) => component(d) === kind).map((d) => d.spec.template.metadata.annotations['dns-failover/config-sha256']);
    const a = digest(manifests().objects, 'dns-node');
    const b = digest(manifests({ freshness: Duration.seconds(45) }).objects, 'dns-node');
    expect(a[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(a).size).toBe(1);
    expect(b[0]).not.toBe(a[0]);
    // A checker takes the changed ConfigMap in place (dns-failover check polls its config file).
    const before = ofKind(manifests().objects, 'Deployment').filter((d) => component(d) === 'checker');
    const after = ofKind(manifests({ freshness: Duration.seconds(45) }).objects, 'Deployment').filter((d) => component(d) === 'checker');
    expect(after.map((d) => d.spec.template)).toEqual(before.map((d) => d.spec.template));
  });

  test('ids that are not DNS labels become valid, distinct names', () => {
    const { objects } = manifests({
      dnsNodes: [{ id: 'Node_1' }, { id: 'node-1' }],
      checkers: [{ id: 'A.b/c', region: 'Region_X' }, { id: 'a-b-c', region: 'Region_X' }],
    }, 'My_Stack');
    for (const o of objects) {
      expect(o.metadata.name).toMatch(DNS_1123_LABEL);
      for (const c of o.spec?.template?.spec?.containers ?? []) expect(c.name).toMatch(DNS_1123_LABEL);
    }
    const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(new Set(names).size).toBe(names.length);
    const [checker] = ofKind(objects, 'Deployment').filter((d) => d.metadata.labels['app.kubernetes.io/component'] === 'checker');
    const containerNames = checker.spec.template.spec.containers.map((c: Obj) => c.name);
    expect(new Set(containerNames).size).toBe(2);
  });
});

describe('the YAML writer', () => {
  test.each<[string, unknown]>([
    ['words YAML 1.1 reads as booleans', { a: 'yes', b: 'no', c: 'on', d: 'off', e: 'true', f: 'null', g: '~' }],
    ['strings that look like numbers', { a: '1.0', b: '0o17', c: '1e3', d: '0x1F', e: '', f: '-' }],
    ['keys that need quotes', { 'on': 1, 'a key': 2, 'app.kubernetes.io/name': 3, '1': 4, '': 5 }],
    ['multi-line strings', { a: 'line 1\nline 2\n', b: 'no newline\nat the end', c: 'two\n\n', d: '  leading spaces\nsecond\n', e: 'tab\there\n' }],
    ['strings YAML would misread', { a: '# not a comment', b: 'key: value', c: '- item', d: '"quoted"', e: "it's", f: '{x}', g: '[y]', h: '*alias', i: '&anchor', j: '!tag', k: '%directive', l: '@', m: '`' }],
    ['control characters and unicode', { a: 'cr\r\nlf', b: '\u0000\u0007', c: 'é ü 中 🙂' }],
    ['numbers, booleans, null, empty collections', { a: 0, b: -1.5, c: 1e21, d: true, e: false, f: null, g: [], h: {} }],
    ['nesting', { a: [{ b: [1, [2, 3], { c: 'd\ne\n' }] }, [], [[]]], f: { g: { h: [{}] } } }],
  ])('writes %s so that a YAML parser reads them back', (_, value) => {
    expect(load(toYaml(value as Record<string, unknown>))).toEqual(value);
  });
});
