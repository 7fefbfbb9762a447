/**
 * Lazy access to the Terraform CDK a stack was built with: cdktf, or CDK Terrain (`cdktn`), its
 * maintained fork with the same API. Neither is a required dependency of this library: an aws-cdk-lib
 * user never loads them. A module is required only when a construct sits in a Terraform stack, and
 * then from this library's location, the way the user's own `import` resolves it.
 */
import type * as cdktf from 'cdktf';
import type { Construct, IConstruct } from 'constructs';
import { AttributeSchema, ResourceSchema } from './schema';

/** The cdktf API this target uses; cdktn exports the same. */
export type TerraformLibrary = typeof cdktf;

export type TerraformLibraryName = 'cdktf' | 'cdktn';

export interface LoadedTerraformLibrary {
  readonly name: TerraformLibraryName;
  readonly lib: TerraformLibrary;
}

const LIBRARY_NAMES: readonly TerraformLibraryName[] = ['cdktf', 'cdktn'];

/**
 * cdktf and cdktn both mark their stacks with this symbol (`TerraformStack.isStack` tests it), so a
 * Terraform stack is recognised without loading either module.
 */
const STACK_SYMBOL = Symbol.for('cdktf/TerraformStack');
const JSII_RTTI = Symbol.for('jsii.rtti');

export function isTerraformStack(scope: unknown): scope is IConstruct {
  return scope !== null && typeof scope === 'object' && STACK_SYMBOL in scope;
}

let loaded: LoadedTerraformLibrary[] | undefined;
const loadErrors = new Map<TerraformLibraryName, string>();

/** The Terraform CDKs that can be loaded here (required once, on first use). */
export function terraformLibraries(): readonly LoadedTerraformLibrary[] {
  if (!loaded) {
    loaded = [];
    for (const name of LIBRARY_NAMES) {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        loaded.push({ name, lib: require(name) as TerraformLibrary });
      } catch (e) {
        loadErrors.set(name, (e as Error).message.split('\n')[0]);
      }
    }
  }
  return loaded;
}

/** The jsii name of the stack's library (`cdktf` or `cdktn`), from its class's runtime type info. */
function rttiLibraryName(stack: object): string | undefined {
  for (let proto = Object.getPrototypeOf(stack); proto; proto = Object.getPrototypeOf(proto)) {
    const fqn: unknown = proto.constructor?.[JSII_RTTI]?.fqn;
    if (typeof fqn === 'string' && fqn.endsWith('.TerraformStack')) return fqn.split('.')[0];
  }
  return undefined;
}

/**
 * The library a Terraform stack belongs to: the one whose `TerraformStack` class it is an instance of;
 * else (two copies of one library in node_modules) the one its jsii type info names. cdktf and cdktn keep
 * their token map on a global symbol, so resources of another copy still resolve inside the stack.
 */
export function libraryOfStack(stack: IConstruct): LoadedTerraformLibrary {
  const libraries = terraformLibraries();
  const byClass = libraries.find((l) => stack instanceof l.lib.TerraformStack);
  if (byClass) return byClass;
  const rtti = rttiLibraryName(stack);
  const byName = libraries.find((l) => l.name === rtti);
  if (byName) return byName;
  const why = LIBRARY_NAMES.map((n) => `${n}: ${loadErrors.get(n) ?? 'loaded, but the stack is not one of its classes'}`).join('; ');
  throw new Error(
    `'${stack.node.path}' is a Terraform stack${rtti ? ` of ${rtti}` : ''}, but cdk-dns-failover cannot load ${rtti ?? 'cdktf or cdktn'} ` +
      `from its own location (${why}); install it next to cdk-dns-failover (npm install ${rtti ?? 'cdktf'})`,
  );
}

/** A value for one attribute, before mapping to Terraform: the model's types. */
export type AttributeValue = string | number | boolean | readonly string[] | Readonly<Record<string, string>> | Readonly<Record<string, unknown>>;
export type AttributeValues = Readonly<Record<string, AttributeValue | undefined>>;

/** What a generic element renders: its Terraform type, its schema, and the values (undefined = unset). */
export interface ElementSpec {
  readonly terraformType: string;
  readonly schema: ResourceSchema;
  readonly values: AttributeValues;
  /** Written into the element's `//` comment object of the JSON output (not an attribute, not in HCL). */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

function checkAttributes(spec: ElementSpec, schema: ResourceSchema, values: Readonly<Record<string, unknown>>): void {
  for (const key of Object.keys(values)) {
    if (!(key in schema)) {
      throw new Error(`internal error: '${key}' is not an attribute of ${spec.terraformType} in this library's schema`);
    }
  }
}

function jsonValue(lib: TerraformLibrary, spec: ElementSpec, schema: AttributeSchema, value: unknown): unknown {
  switch (schema.kind) {
    case 'string': return lib.stringToTerraform(value);
    case 'number': return lib.numberToTerraform(value);
    case 'bool': return lib.booleanToTerraform(value);
    case 'stringSet': return lib.listMapper(lib.stringToTerraform, false)(value);
    case 'stringMap': return lib.hashMapper(lib.stringToTerraform)(value);
    case 'block': {
      if (value === undefined) return undefined;
      const nested = value as Record<string, unknown>;
      checkAttributes(spec, schema.attributes!, nested);
      // One block renders as an object, the way the provider bindings write max-one blocks.
      return Object.fromEntries(Object.entries(schema.attributes!).map(([k, s]) => [k, jsonValue(lib, spec, s, nested[k])]));
    }
  }
}

function hclValue(lib: TerraformLibrary, spec: ElementSpec, schema: AttributeSchema, value: unknown): Record<string, unknown> {
  switch (schema.kind) {
    case 'string': return { value: lib.stringToHclTerraform(value), isBlock: false, type: 'simple', storageClassType: 'string' };
    case 'number': return { value: lib.numberToHclTerraform(value), isBlock: false, type: 'simple', storageClassType: 'number' };
    case 'bool': return { value: lib.booleanToHclTerraform(value), isBlock: false, type: 'simple', storageClassType: 'boolean' };
    case 'stringSet': return { value: lib.listMapperHcl(lib.stringToHclTerraform, false)(value), isBlock: false, type: 'set', storageClassType: 'stringList' };
    case 'stringMap': return { value: lib.hashMapperHcl(lib.stringToHclTerraform)(value), isBlock: false, type: 'map', storageClassType: 'stringMap' };
    case 'block': {
      let inner: Record<string, unknown> | undefined;
      if (value !== undefined) {
        const nested = value as Record<string, unknown>;
        checkAttributes(spec, schema.attributes!, nested);
        inner = definedHcl(Object.entries(schema.attributes!).map(([k, s]) => [k, hclValue(lib, spec, s, nested[k])]));
      }
      return { value: inner, isBlock: true, type: 'list', storageClassType: schema.hclStorageClass };
    }
  }
}

/** Drops attributes without a value, as the provider bindings do. */
function definedHcl(entries: Array<[string, Record<string, unknown>]>): Record<string, unknown> {
  return Object.fromEntries(entries.filter(([, v]) => v.value !== undefined));
}

/** The attributes of an element as Terraform JSON (what `synthesizeAttributes` returns). */
export function renderJsonAttributes(lib: TerraformLibrary, spec: ElementSpec): Record<string, unknown> {
  checkAttributes(spec, spec.schema, spec.values);
  const attributes: Record<string, unknown> = Object.fromEntries(
    Object.entries(spec.schema).map(([k, s]) => [k, jsonValue(lib, spec, s, spec.values[k])]));
  // cdktf adds its own metadata ({ metadata: { path, uniqueId } }) next to this.
  if (spec.metadata) attributes['//'] = { ...spec.metadata };
  return attributes;
}

/**
 * The attributes of an element for cdktf's HCL renderer (what `synthesizeHclAttributes` returns), in the
 * provider bindings' order (attributes, then blocks, each alphabetical), so the HCL reads the same.
 */
export function renderHclAttributes(lib: TerraformLibrary, spec: ElementSpec): Record<string, unknown> {
  checkAttributes(spec, spec.schema, spec.values);
  const ordered = Object.entries(spec.schema).sort(([a, sa], [b, sb]) =>
    (sa.kind === 'block' ? 1 : 0) - (sb.kind === 'block' ? 1 : 0) || a.localeCompare(b));
  return definedHcl(ordered.map(([k, s]) => [k, hclValue(lib, spec, s, spec.values[k])]));
}

/** A generic resource or data source of a Terraform library, rendered from an {@link ElementSpec}. */
export interface GenericElement extends IConstruct {
  readonly spec: ElementSpec;
  getStringAttribute(terraformAttribute: string): string;
}

interface ElementClasses {
  readonly Resource: new (scope: Construct, id: string, spec: ElementSpec) => GenericElement & cdktf.TerraformResource;
  readonly DataSource: new (scope: Construct, id: string, spec: ElementSpec) => GenericElement & cdktf.TerraformDataSource;
}

const CLASSES = new WeakMap<TerraformLibrary, ElementClasses>();

/**
 * The generic resource and data source classes for one library (created once per library, since the
 * base classes come from the module loaded at run time). No `terraformGeneratorMetadata` is set: the
 * user's own AWS provider (any version, configured any way) serves these resources, and cdktf's
 * "provider construct missing" check is left to the user's provider bindings.
 */
export function elementClasses(lib: TerraformLibrary): ElementClasses {
  let classes = CLASSES.get(lib);
  if (!classes) {
    class Route53Resource extends lib.TerraformResource implements GenericElement {
      constructor(scope: Construct, id: string, public readonly spec: ElementSpec) {
        super(scope, id, { terraformResourceType: spec.terraformType });
      }
      protected synthesizeAttributes(): Record<string, unknown> {
        return renderJsonAttributes(lib, this.spec);
      }
      protected synthesizeHclAttributes(): Record<string, unknown> {
        return renderHclAttributes(lib, this.spec);
      }
    }
    class Route53DataSource extends lib.TerraformDataSource implements GenericElement {
      constructor(scope: Construct, id: string, public readonly spec: ElementSpec) {
        super(scope, id, { terraformResourceType: spec.terraformType });
      }
      protected synthesizeAttributes(): Record<string, unknown> {
        return renderJsonAttributes(lib, this.spec);
      }
      protected synthesizeHclAttributes(): Record<string, unknown> {
        return renderHclAttributes(lib, this.spec);
      }
    }
    classes = { Resource: Route53Resource, DataSource: Route53DataSource };
    CLASSES.set(lib, classes);
  }
  return classes;
}
