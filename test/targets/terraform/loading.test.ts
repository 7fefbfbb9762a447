/* eslint-disable @typescript-eslint/no-require-imports -- each test loads the library into its own module registry */
/**
 * cdktf is no dependency of the library: an aws-cdk-lib user never loads it, and a Terraform stack finds
 * its own library (cdktf, or the cdktn fork) at run time.
 */
import { Construct } from 'constructs';

const JSII_RTTI = Symbol.for('jsii.rtti');
const STACK_SYMBOL = Symbol.for('cdktf/TerraformStack');

/** A Terraform stack of some library, as cdktf and cdktn mark them, but not an instance of the installed cdktf. */
function foreignStack(ConstructClass: typeof Construct, fqn?: string): Construct {
  class ForeignStack extends ConstructClass {
    constructor() {
      super(undefined as any, 'foreign');
      Object.defineProperty(this, STACK_SYMBOL, { value: true });
    }
  }
  if (fqn) (ForeignStack as any)[JSII_RTTI] = { fqn, version: '0.24.0' };
  return new ForeignStack();
}

const endpoints = [{ name: 'a', ipAddress: '203.0.113.10' }, { name: 'b', ipAddress: '203.0.113.11' }];

describe('loading cdktf', () => {
  afterEach(() => {
    jest.dontMock('cdktf');
    jest.dontMock('cdktn');
  });

  test('an aws-cdk-lib app works without cdktf and never loads it', () => {
    const required: string[] = [];
    jest.isolateModules(() => {
      jest.doMock('cdktf', () => {
        required.push('cdktf');
        throw new Error("Cannot find module 'cdktf'");
      });
      jest.doMock('cdktn', () => {
        required.push('cdktn');
        throw new Error("Cannot find module 'cdktn'");
      }, { virtual: true });
      const cdk = require('aws-cdk-lib');
      const { Template } = require('aws-cdk-lib/assertions');
      const lib = require('../../../lib');
      const stack = new cdk.Stack(new cdk.App(), 'Cdk');
      new lib.WeightedFailoverGateway(stack, 'Api', { zone: lib.GatewayZone.fromZoneName('example.com'), recordName: 'api', endpoints });
      Template.fromStack(stack).resourceCountIs('AWS::Route53::RecordSet', 2);
    });
    expect(required).toEqual([]);
  });

  test('fails a Terraform stack when cdktf cannot be loaded, saying what to install', () => {
    jest.isolateModules(() => {
      jest.doMock('cdktf', () => {
        throw new Error("Cannot find module 'cdktf'");
      });
      const { Construct: IsolatedConstruct } = require('constructs');
      const lib = require('../../../lib');
      const stack = foreignStack(IsolatedConstruct, 'cdktf.TerraformStack');
      expect(() => new lib.WeightedFailoverGateway(stack, 'Api', { zone: lib.GatewayZone.fromZoneName('example.com'), recordName: 'api', endpoints }))
        .toThrow(/'foreign' is a Terraform stack of cdktf, but cdk-dns-failover cannot load cdktf from its own location \(cdktf: Cannot find module 'cdktf'; .*\); install it next to cdk-dns-failover \(npm install cdktf\)/);
    });
  });

  test('fails a cdktn stack when cdktn is not installed, saying so', () => {
    jest.isolateModules(() => {
      const { Construct: IsolatedConstruct } = require('constructs');
      const lib = require('../../../lib');
      const stack = foreignStack(IsolatedConstruct, 'cdktn.TerraformStack');
      expect(() => new lib.HealthCheck(stack, 'Check', { ipAddress: '203.0.113.10' }))
        .toThrow(/is a Terraform stack of cdktn, but cdk-dns-failover cannot load cdktn .*npm install cdktn/);
    });
  });

  test('a stack of another copy of cdktf is rendered with the cdktf at hand (by its jsii type name)', () => {
    jest.isolateModules(() => {
      const { Construct: IsolatedConstruct } = require('constructs');
      const { TerraformTarget } = require('../../../lib/targets/terraform');
      const stack = foreignStack(IsolatedConstruct, 'cdktf.TerraformStack');
      expect(TerraformTarget.of(stack).libraryName).toBe('cdktf');
    });
  });

  test('a cdktf stack is rendered with cdktf', () => {
    jest.isolateModules(() => {
      const cdktf = require('cdktf');
      const { TerraformTarget } = require('../../../lib/targets/terraform');
      const stack = new cdktf.TerraformStack(cdktf.Testing.app(), 'stack');
      expect(TerraformTarget.of(stack).libraryName).toBe('cdktf');
    });
  });
});
