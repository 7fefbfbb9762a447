/** Helpers for the self-hosted target's tests: temporary bundle directories and a small EMDR stack. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import { GatewayZone, SelfHostedApp, SelfHostedStack, SelfHostedStackProps, WeightedFailoverGateway } from '../../../lib';

const made: string[] = [];

/** A fresh temporary directory, removed by `removeTempDirs` (call it in afterAll). */
export function tempDir(prefix = 'self-hosted-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** A self-hosted stack with the EMDR gateway on private addresses and 1 s checks. */
export function emdrStack(props: SelfHostedStackProps = {}, id = 'Emdr'): { app: SelfHostedApp; stack: SelfHostedStack; gateway: WeightedFailoverGateway } {
  const app = new SelfHostedApp({ outdir: tempDir() });
  const stack = new SelfHostedStack(app, id, props);
  const gateway = new WeightedFailoverGateway(stack, 'Emdr', {
    zone: GatewayZone.fromZoneName('example.com'),
    recordName: 'emdr',
    healthCheck: { resourcePath: '/status', requestInterval: Duration.seconds(1), failureThreshold: 3 },
    endpoints: [
      { name: 'gw-isp-a', ipAddress: '10.0.0.10', weight: 50 },
      { name: 'gw-isp-b', ipAddress: '10.0.1.20', weight: 50 },
    ],
  });
  return { app, stack, gateway };
}

/** Every file below `dir`, relative, sorted. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}
