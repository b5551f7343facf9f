#!/usr/bin/env node
// sql-outside-db.mjs - keeps db.h's promise: every SQL statement lives in a
// db_*.c file.  Reads the C string literals of every other file in
// cgi-bin-src/ (adjacent literals and macro names between them are one
// string, as the compiler sees them) and fails on anything shaped like a
// statement: SELECT ... FROM, INSERT/REPLACE ... INTO, UPDATE <table> SET,
// DELETE FROM.  Keywords are matched in upper case only, as the codebase
// writes SQL, so English in messages does not trip it.
//
//   node tests/tools/sql-outside-db.mjs [directory]   (default cgi-bin-src)
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? 'cgi-bin-src';
const statements = [
  /\bSELECT\b[\s\S]*\bFROM\b/,
  /\b(INSERT|REPLACE)\b(\s+IGNORE)?\s+INTO\b/,
  /\bUPDATE\s+\w+(\s+\w+)?(\s+JOIN\b[\s\S]*)?\s+SET\b/,
  /\bDELETE\s+FROM\b/,
];

// The string literals of a C file, each run of adjacent ones joined, with
// the line where the run starts.
function literalRuns(src) {
  const runs = [];
  let i = 0, line = 1, run = null;
  const end = () => { if (run) runs.push(run); run = null; };
  while (i < src.length) {
    const c = src[i];
    if (c === '\n') { line++; i++; continue; }
    if (c === '/' && src[i + 1] === '/') { while (i < src.length && src[i] !== '\n') i++; continue; }
    if (c === '/' && src[i + 1] === '*') {
      const e = src.indexOf('*/', i + 2);
      const stop = e < 0 ? src.length : e + 2;
      for (; i < stop; i++) if (src[i] === '\n') line++;
      continue;
    }
    if (c === '\'') {           // a character literal: skip it
      for (i++; i < src.length && src[i] !== '\''; i++) if (src[i] === '\\') i++;
      i++;
      end();
      continue;
    }
    if (c === '"') {
      let s = '';
      for (i++; i < src.length && src[i] !== '"'; i++) {
        if (src[i] === '\\') { s += src[i] + src[i + 1]; i++; continue; }
        if (src[i] === '\n') line++;
        s += src[i];
      }
      i++;
      if (!run) run = { line, text: '' };
      run.text += s;
      continue;
    }
    // Between adjacent literals only blanks and macro names may stand.
    if (!/[\s\w]/.test(c)) end();
    else if (run && /\w/.test(c)) run.text += ' ';
    i++;
  }
  end();
  return runs;
}

let found = 0;
for (const name of readdirSync(dir).sort()) {
  if (!name.endsWith('.c') || name.startsWith('db_') || name === 'db.c') continue;
  for (const { line, text } of literalRuns(readFileSync(join(dir, name), 'utf8'))) {
    if (statements.some((re) => re.test(text))) {
      console.error(`${join(dir, name)}:${line}: SQL outside db_*.c: "${text.slice(0, 100)}"`);
      found++;
    }
  }
}
if (found > 0) {
  console.error(`sql-outside-db: ${found} statement${found === 1 ? '' : 's'} outside db_*.c; ` +
    'move each into the db_*.c file that owns its table (see db.h)');
  process.exit(1);
}
console.log('sql-outside-db: ok, SQL only in db_*.c');
