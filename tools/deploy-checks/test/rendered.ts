/**
 * Runs the render + schema validation script (ESM-only kubernetes-models, so a child process)
 * and hands the tests the rendered objects, typed loosely: the facts they check are few.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../../..');
const VALIDATE = resolve(ROOT, 'tools/deploy-checks/src/validate.mjs');

/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes objects are checked field by field */
export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; spec?: any; data?: any; stringData?: any };
export type Container = { name: string; image: string; ports?: { name?: string; containerPort: number }[]; env?: { name: string; value?: string; valueFrom?: any }[]; [k: string]: any };
/* eslint-enable @typescript-eslint/no-explicit-any */

export interface Validation {
  status: number | null;
  stderr: string;
  report: Record<string, { objects: K8sObject[]; errors: string[] }>;
}

export function validateOverlays(...dirs: string[]): Validation {
  const run = spawnSync(process.execPath, [VALIDATE, ...dirs], { cwd: ROOT, encoding: 'utf8', timeout: 60000, maxBuffer: 64 * 1024 * 1024 });
  let report: Validation['report'] = {};
  try {
    report = JSON.parse(run.stdout) as Validation['report'];
  } catch {
    throw new Error(`validate.mjs printed no report (exit ${run.status}):\n${run.stderr}\n${run.stdout.slice(0, 2000)}`);
  }
  return { status: run.status, stderr: run.stderr, report };
}

export function byKind(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name} rendered`);
  return found;
}

export function containersOf(workload: K8sObject): Container[] {
  return workload.spec.template.spec.containers as Container[];
}

export function envValue(c: Container, name: string): string | undefined {
  return c.env?.find((e) => e.name === name)?.value;
}
