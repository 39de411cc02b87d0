#!/usr/bin/env node
// Prints the top self-time functions of a V8 .cpuprofile (node --cpu-prof), grouped by function
// and file, as percentages of the samples:  node tools/loadtest/profile-top.mjs FILE [N]
import { readFileSync } from 'node:fs';

const [file, n = '20'] = process.argv.slice(2);
if (!file) {
  console.error('usage: node tools/loadtest/profile-top.mjs FILE.cpuprofile [N]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const counts = new Map();
for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
const self = new Map();
for (const [id, c] of counts) {
  const { functionName, url, lineNumber } = byId.get(id).callFrame;
  const where = url ? `${url.replace(/^.*\/(node_modules\/|tmp\/bench\/apps\/)/, '')}:${lineNumber + 1}` : '';
  const key = `${functionName || '(anonymous)'} ${where}`.trim();
  self.set(key, (self.get(key) ?? 0) + c);
}
const total = profile.samples.length;
const idle = [...self.entries()].filter(([k]) => k.startsWith('(idle)')).reduce((s, [, c]) => s + c, 0);
console.log(`${file}: ${total} samples, busy ${(((total - idle) / total) * 100).toFixed(1)} %`);
for (const [key, c] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) {
  console.log(`${((c / total) * 100).toFixed(1).padStart(5)} %  ${key}`);
}
