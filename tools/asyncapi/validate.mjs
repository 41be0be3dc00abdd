// Validates an AsyncAPI document with the official parser (@asyncapi/parser 3.x: the
// AsyncAPI JSON Schemas plus its Spectral rule set). Prints every diagnostic; exits 1 if
// any has error severity or the document cannot be parsed, 2 on bad usage.
//
//   node validate.mjs ../../docs/asyncapi.yaml
//
// Telemetry: the parser itself sends none; its dependency @scarf/scarf (install-time
// analytics of @stoplight/spectral-*) is off via package.json "scarfSettings", .npmrc
// "ignore-scripts" and SCARF_ANALYTICS=false / DO_NOT_TRACK=1 in the environment.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Parser } from '@asyncapi/parser';

const SEVERITY = ['error', 'warning', 'info', 'hint'];
const ERROR = 0;

const [file] = process.argv.slice(2);
if (!file) {
  console.error('usage: node validate.mjs <asyncapi.yaml>');
  process.exit(2);
}

const path = resolve(file);
const source = await readFile(path, 'utf8');
const parser = new Parser();
const { document, diagnostics } = await parser.parse(source, {
  source: pathToFileURL(path).href,
});

for (const d of diagnostics) {
  const where = d.path && d.path.length ? d.path.join('.') : '(document)';
  const line = d.range ? `:${d.range.start.line + 1}:${d.range.start.character + 1}` : '';
  console.log(`${SEVERITY[d.severity] ?? d.severity} ${d.code} ${file}${line} ${where}: ${d.message}`);
}

const errors = diagnostics.filter((d) => d.severity === ERROR);
if (!document || errors.length) {
  console.error(`${file}: INVALID (${errors.length} error(s))`);
  process.exit(1);
}
const version = document.version();
const channels = document.channels().length;
const operations = document.operations().length;
const messages = document.components().messages().length;
console.log(`${file}: valid AsyncAPI ${version}: ${channels} channels, ${operations} operations, ` +
  `${messages} messages, ${diagnostics.length} diagnostic(s), none an error`);
