#!/usr/bin/env node
// Summarizes a V8 .cpuprofile (node --cpu-prof) as percentages of the samples:
//   node tools/loadtest/profile-top.mjs FILE [N]              # top N functions by self time
//   node tools/loadtest/profile-top.mjs FILE [N] --inclusive  # also: top N by inclusive time
//                                                              # (time with the function on the stack)
// and always the self time grouped by where the code lives (a package under node_modules, a
// node: built-in, the app bundle, GC, the V8 program): a flat profile's long tail of small frames
// adds up per library, which is what decides where a change pays.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const inclusive = args.includes('--inclusive');
const [file, n = '20'] = args.filter((a) => !a.startsWith('--'));
if (!file) {
  console.error('usage: node tools/loadtest/profile-top.mjs FILE.cpuprofile [N] [--inclusive]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

const keyOf = (node) => {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${url.replace(/^.*\/(node_modules\/|tmp\/[^/]+\/apps\/)/, '')}:${lineNumber + 1}` : '';
  return `${functionName || '(anonymous)'} ${where}`.trim();
};
/** Where a frame's code lives: a package, a node: built-in, the app, or V8's own buckets. */
const placeOf = (node) => {
  const { functionName, url } = node.callFrame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return url.split('/')[0];
  return '(app bundle)';
};

const counts = new Map();
for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
const self = new Map();
const places = new Map();
const incl = new Map();
for (const [id, c] of counts) {
  const node = byId.get(id);
  const key = keyOf(node);
  self.set(key, (self.get(key) ?? 0) + c);
  const place = placeOf(node);
  places.set(place, (places.get(place) ?? 0) + c);
  if (inclusive) {
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parentOf.get(cur)) seen.add(keyOf(byId.get(cur)));
    for (const k of seen) incl.set(k, (incl.get(k) ?? 0) + c);
  }
}
const total = profile.samples.length;
const idle = self.get('(idle)') ?? 0;
const pct = (c) => ((c / total) * 100).toFixed(1).padStart(5);
const top = (map) => [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(n));
console.log(`${file}: ${total} samples, busy ${(((total - idle) / total) * 100).toFixed(1)} %`);
for (const [key, c] of top(self)) console.log(`${pct(c)} %  ${key}`);
console.log('  self time by place:');
for (const [place, c] of top(places)) if (place !== '(idle)') console.log(`  ${pct(c)} %  ${place}`);
if (inclusive) {
  console.log('  inclusive:');
  for (const [key, c] of top(incl)) if (!key.startsWith('(root)') && key !== '(idle)') console.log(`  ${pct(c)} %  ${key}`);
}
