// The production bundle's size budget: fail the build when dist/ grows past it. The numbers
// are recorded in docs/web.md; raise them there and here together, on purpose.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET = { js: 150 * 1024, jsGzip: 48 * 1024, css: 8 * 1024 };
const dir = 'dist/assets';
let js = 0;
let jsGzip = 0;
let css = 0;
for (const f of readdirSync(dir)) {
  const p = join(dir, f);
  if (f.endsWith('.js')) {
    js += statSync(p).size;
    jsGzip += gzipSync(readFileSync(p)).length;
  } else if (f.endsWith('.css')) css += statSync(p).size;
}
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`bundle: JS ${kib(js)} (${kib(jsGzip)} gzip), CSS ${kib(css)}; budget JS ${kib(BUDGET.js)} (${kib(BUDGET.jsGzip)} gzip), CSS ${kib(BUDGET.css)}`);
const over = [js > BUDGET.js && 'JS', jsGzip > BUDGET.jsGzip && 'JS gzip', css > BUDGET.css && 'CSS'].filter(Boolean);
if (over.length > 0) {
  console.error(`bundle over budget: ${over.join(', ')}`);
  process.exit(1);
}
