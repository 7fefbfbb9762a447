/**
 * Values that are not known until deployment: aws-cdk-lib tokens (`${Token[...]}`), cdktf tokens
 * (`${TfToken[...]}`), and intrinsic references read back from an artifact (`${Ref:Foo}` from
 * CloudFormation, `${tf:var.zone_id}` from Terraform).
 * Validation checks what it can see and lets these through.
 */
const UNRESOLVED = /\$\{(Token|TfToken)\[|\$\{(Ref|GetAtt|Fn::|ref:|data\.|aws_|tf:)/;

export function isUnresolved(value: unknown): boolean {
  if (typeof value === 'string') return UNRESOLVED.test(value);
  if (typeof value === 'number') {
    // aws-cdk-lib and cdktf both encode numeric tokens as doubles near -1.888e289.
    return value < -1e289;
  }
  if (Array.isArray(value)) return value.some(isUnresolved);
  return false;
}

/** A read-back intrinsic (CloudFormation `Ref`, `Fn::GetAtt`, ...) as a model string. */
export function unresolvedMarker(expression: string): string {
  return '${' + expression + '}';
}

/** A number only known at deployment, read back from an artifact. `isUnresolved` recognises it. */
export const UNRESOLVED_NUMBER = -1e300;

/** Artifact value → model number: numbers, numeric strings; anything else is only known at deployment. */
export function readNumber(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  return UNRESOLVED_NUMBER;
}

/** Artifact value → model boolean: booleans and their string spellings. */
export function readBoolean(value: unknown): boolean | undefined {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return undefined;
}

/** Artifact value → model string list, with the reader's own string conversion. */
export function readList(value: unknown, str: (v: unknown) => string | undefined): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  return (Array.isArray(value) ? value : [value]).map((v) => str(v)!);
}
