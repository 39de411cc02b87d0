#!/usr/bin/env node
// Renders a kustomize overlay of deploy/k8s without a kustomize binary (none ships with the
// kubectl available here, and CI must not download one). It implements exactly the subset the
// manifests use: resources (files and directories), namespace, images, replicas and JSON 6902
// patches with a kind/name target. Any other kustomization field is refused, so the manifests
// cannot quietly drift into features this renderer would ignore; `kubectl apply -k` gives the
// same objects.
//   node tools/deploy-checks/src/render.mjs deploy/k8s/overlays/prod > relay.yaml
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'images', 'replicas', 'patches']);
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PersistentVolume', 'StorageClass', 'CustomResourceDefinition', 'PriorityClass', 'IngressClass']);
const SCALABLE = new Set(['Deployment', 'StatefulSet', 'ReplicaSet']);

/** Every object of a multi-document YAML file; a syntax error names the file. */
export function readObjects(file) {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const objects = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
    const obj = doc.toJS();
    if (obj !== null && obj !== undefined) objects.push(obj);
  }
  return objects;
}

/** The objects a kustomization directory produces, transformations applied. */
export function renderKustomization(dir) {
  const file = join(dir, 'kustomization.yaml');
  if (!existsSync(file)) throw new Error(`${dir} has no kustomization.yaml`);
  const [k] = readObjects(file);
  const unknown = Object.keys(k).filter((key) => !SUPPORTED.has(key));
  if (unknown.length > 0) throw new Error(`${file}: unsupported kustomization fields ${unknown.join(', ')}`);

  let objects = [];
  for (const res of k.resources ?? []) {
    const path = resolve(dir, res);
    objects = objects.concat(statSync(path).isDirectory() ? renderKustomization(path) : readObjects(path));
  }
  for (const image of k.images ?? []) setImage(objects, image, file);
  for (const r of k.replicas ?? []) setReplicas(objects, r, file);
  for (const p of k.patches ?? []) applyPatch(objects, p, file);
  if (k.namespace) {
    for (const obj of objects) if (!CLUSTER_SCOPED.has(obj.kind)) obj.metadata = { ...obj.metadata, namespace: k.namespace };
  }
  return objects;
}

function podSpecOf(obj) {
  return obj.spec?.template?.spec ?? (obj.kind === 'Pod' ? obj.spec : undefined);
}

function setImage(objects, { name, newName, newTag }, file) {
  let hits = 0;
  for (const obj of objects) {
    const pod = podSpecOf(obj);
    for (const c of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) {
      const [base, tag] = splitImage(c.image);
      if (base !== name) continue;
      c.image = `${newName ?? base}${newTag ? `:${newTag}` : tag ? `:${tag}` : ''}`;
      hits++;
    }
  }
  if (hits === 0) throw new Error(`${file}: image ${name} matches no container`);
}

function splitImage(image) {
  const at = image.lastIndexOf(':');
  return at > image.lastIndexOf('/') ? [image.slice(0, at), image.slice(at + 1)] : [image, undefined];
}

function setReplicas(objects, { name, count }, file) {
  const targets = objects.filter((o) => SCALABLE.has(o.kind) && o.metadata?.name === name);
  if (targets.length === 0) throw new Error(`${file}: replicas: no workload named ${name}`);
  for (const t of targets) t.spec.replicas = count;
}

function applyPatch(objects, { target, patch }, file) {
  const ops = typeof patch === 'string' ? parseAllDocuments(patch)[0].toJS() : patch;
  if (!Array.isArray(ops)) throw new Error(`${file}: only JSON 6902 patches (a list of operations) are supported`);
  const targets = objects.filter((o) => o.kind === target?.kind && o.metadata?.name === target?.name);
  if (targets.length === 0) throw new Error(`${file}: patch target ${target?.kind}/${target?.name} matches nothing`);
  for (const obj of targets) for (const op of ops) applyOperation(obj, op, `${file} ${target.kind}/${target.name}`);
}

/** One RFC 6902 add / replace / remove; a path that does not exist is an error, as in kustomize. */
function applyOperation(obj, { op, path, value }, where) {
  const parts = path.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = parts.pop();
  let node = obj;
  for (const p of parts) {
    node = Array.isArray(node) ? node[Number(p)] : node?.[p];
    if (node === undefined || node === null) throw new Error(`${where}: path ${path} does not exist`);
  }
  if (op === 'add') {
    if (Array.isArray(node)) node.splice(last === '-' ? node.length : Number(last), 0, value);
    else node[last] = value;
  } else if (op === 'replace' || op === 'remove') {
    const exists = Array.isArray(node) ? Number(last) < node.length : Object.prototype.hasOwnProperty.call(node, last);
    if (!exists) throw new Error(`${where}: path ${path} does not exist`);
    if (op === 'replace') node[last] = value;
    else if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else {
    throw new Error(`${where}: unsupported patch operation ${op}`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node tools/deploy-checks/src/render.mjs <overlay directory>');
    process.exit(2);
  }
  try {
    process.stdout.write(renderKustomization(resolve(dir)).map((o) => stringify(o)).join('---\n'));
  } catch (err) {
    console.error(`render: ${err.message}`);
    process.exit(1);
  }
}
