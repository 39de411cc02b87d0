#!/usr/bin/env node
// Checks rendered objects against the Kubernetes OpenAPI schemas with kubernetes-models (an
// ESM-only package, hence a script the Jest test runs as a child process). Prints one JSON
// document: per overlay, the rendered objects and every schema error; exits 1 on any error.
//   node tools/deploy-checks/src/validate.mjs deploy/k8s/overlays/dev deploy/k8s/overlays/prod
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderKustomization } from './render.mjs';

/** The kubernetes-models module of an apiVersion: `v1` -> kubernetes-models/v1, `apps/v1` -> kubernetes-models/apps/v1. */
async function modelOf(apiVersion, kind) {
  const mod = await import(`kubernetes-models/${apiVersion}`).catch(() => undefined);
  return mod?.[kind];
}

export async function validateObjects(objects) {
  const errors = [];
  for (const obj of objects) {
    const id = `${obj.kind}/${obj.metadata?.name}`;
    const Model = await modelOf(obj.apiVersion, obj.kind);
    if (!Model) {
      errors.push(`${id}: unknown apiVersion/kind ${obj.apiVersion} ${obj.kind}`);
      continue;
    }
    try {
      new Model(obj).validate();
    } catch (err) {
      errors.push(`${id}: ${err.message}`);
    }
  }
  return errors;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const report = {};
  let failed = false;
  for (const dir of process.argv.slice(2)) {
    try {
      const objects = renderKustomization(resolve(dir));
      const errors = await validateObjects(objects);
      failed ||= errors.length > 0;
      report[dir] = { objects, errors };
    } catch (err) {
      failed = true;
      report[dir] = { objects: [], errors: [`render: ${err.message}`] };
    }
  }
  process.stdout.write(JSON.stringify(report));
  process.exit(failed ? 1 : 0);
}
