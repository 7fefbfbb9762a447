/**
 * Findings: what a rule says about a resource, as data. A finding carries its rule id, severity,
 * subject (which resource), problem and fix as fields; its text (`resource`, `message`) is rendered
 * from them once, here. Nothing parses a finding's text: whoever needs the subject or the fix reads
 * the field.
 */
import { RecordSetModel } from './types';

export type Severity = 'error' | 'warning';

/** Which resource a finding is about. */
export type FindingSubject =
  /** A health check, by its model id. */
  | { readonly kind: 'health-check'; readonly id: string }
  /** One record set: name, type and set identifier, and its zone (id or name) when known. */
  | { readonly kind: 'record'; readonly name: string; readonly recordType: string; readonly setIdentifier?: string; readonly zone?: string }
  /** The records of one name and type in one zone (a gateway). */
  | { readonly kind: 'group'; readonly name: string; readonly recordType: string; readonly zone?: string }
  /** Something else of the artifact: `stack Emdr`, `bundle config /checkers`. */
  | { readonly kind: 'artifact'; readonly label: string };

export interface Finding {
  readonly severity: Severity;
  /** Stable rule id, for example `health-check/request-interval`. */
  readonly rule: string;
  readonly subject: FindingSubject;
  /** What is wrong, naming the bad value. */
  readonly problem: string;
  /** What to do about it ('' when nothing is to be done but to know it). */
  readonly fix: string;
  /** Rendered from `subject`: `health check 'ID'`, `record NAME TYPE [SET]`, `record set group NAME TYPE`. */
  readonly resource: string;
  /** Rendered from `problem` and `fix`: `problem; fix`. */
  readonly message: string;
}

export function recordLabel(r: { readonly name: string; readonly recordType: string; readonly setIdentifier?: string }): string {
  return `${r.name} ${r.recordType}${r.setIdentifier !== undefined ? ` [${r.setIdentifier}]` : ''}`;
}

/** The zone a record names: its hosted zone id, else its zone name. */
export function zoneOfRecord(r: Pick<RecordSetModel, 'hostedZoneId' | 'hostedZoneName'>): string | undefined {
  return r.hostedZoneId ?? r.hostedZoneName;
}

export function recordSubject(r: RecordSetModel): FindingSubject {
  const zone = zoneOfRecord(r);
  return {
    kind: 'record',
    name: r.name,
    recordType: r.recordType,
    ...(r.setIdentifier !== undefined ? { setIdentifier: r.setIdentifier } : {}),
    ...(zone !== undefined ? { zone } : {}),
  };
}

export function healthCheckSubject(id: string): FindingSubject {
  return { kind: 'health-check', id };
}

/** How a subject reads in a message. */
export function subjectLabel(s: FindingSubject): string {
  switch (s.kind) {
    case 'health-check': return `health check '${s.id}'`;
    case 'record': return `record ${recordLabel(s)}`;
    case 'group': return `record set group ${s.name} ${s.recordType}`;
    case 'artifact': return s.label;
  }
}

/** A finding, its text rendered from its fields. */
export function finding(severity: Severity, rule: string, subject: FindingSubject, problem: string, fix: string): Finding {
  return {
    severity,
    rule,
    subject,
    problem,
    fix,
    resource: subjectLabel(subject),
    message: fix === '' ? problem : `${problem}; ${fix}`,
  };
}

/** Collects the findings of one subject. */
export class FindingList {
  readonly list: Finding[] = [];
  constructor(private readonly subject: FindingSubject) {}
  error(rule: string, problem: string, fix: string): void {
    this.list.push(finding('error', rule, this.subject, problem, fix));
  }
  warn(rule: string, problem: string, fix: string): void {
    this.list.push(finding('warning', rule, this.subject, problem, fix));
  }
}

export function errorsOf(findings: readonly Finding[]): Finding[] {
  return findings.filter((x) => x.severity === 'error');
}

/** One message for a thrown error; `where` (for example `gateway 'Emdr/Emdr'`) goes in front of each resource. */
export function formatFindings(findings: readonly Finding[], where?: string): string {
  return findings.map((x) => `${where !== undefined ? `${where}, ` : ''}${x.resource}: ${x.message} [${x.rule}]`).join('\n');
}

export class ModelValidationError extends Error {
  constructor(readonly findings: readonly Finding[], where?: string) {
    super(formatFindings(findings, where));
    this.name = 'ModelValidationError';
  }
}

/** Throws a {@link ModelValidationError} when any finding is an error. */
export function assertValid(findings: readonly Finding[], where?: string): void {
  const errors = errorsOf(findings);
  if (errors.length > 0) throw new ModelValidationError(errors, where);
}
