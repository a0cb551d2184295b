#!/usr/bin/env node
// A copy of a store for serving elsewhere (README "One store, several machines"):
//
//   node scripts/copy-store.js node.db /srv/afb/next/       # -> /srv/afb/next/node.db and its version files
//
// A store is its file plus a file per current dataset version beside it, named after it
// (node.db.v<N>.afb, src/store/version-file.ts). The copy is consistent while ingests run: the
// versions current at one moment are opened first (a re-ingest may remove a replaced version's
// file, not one held open), then copied with SQLite's backup API from that one read transaction.
// Each copied file is left in rollback-journal mode, so a read-only filesystem can serve it (no
// -wal/-shm files needed). Prints the files written.
'use strict';
const { mkdirSync, renameSync, rmSync } = require('node:fs');
const { basename, join } = require('node:path');
const Database = require('better-sqlite3');
// The one place version files are named (needs `npm run build`, as bin/afb.js does).
const { versionFilePath } = require(join(__dirname, '..', 'dist', 'store', 'version-file'));

async function main() {
  const [src, destDir] = process.argv.slice(2);
  if (!src || !destDir) {
    console.error('usage: node scripts/copy-store.js STORE.db DEST_DIR');
    process.exit(2);
  }
  const name = basename(src);
  mkdirSync(destDir, { recursive: true });
  const db = new Database(src, { readonly: true, fileMustExist: true });
  const current = () => db.prepare(`SELECT v FROM datasets AS d JOIN versions AS x ON x.v = d.current WHERE x.in_file = 1 ORDER BY v`).pluck().all();
  let versions;
  for (let attempt = 1; ; attempt++) {
    versions = current();
    for (const v of versions) db.prepare(`ATTACH DATABASE ? AS v${v}`).run(versionFilePath(src, v));
    db.exec('BEGIN');
    if (JSON.stringify(current()) === JSON.stringify(versions)) break;
    // A re-ingest published meanwhile: start again from what is current now.
    db.exec('COMMIT');
    for (const v of versions) db.exec(`DETACH DATABASE v${v}`);
    if (attempt === 5) throw new Error(`${src}: the current versions kept changing; try again after the ingest`);
  }
  const written = [];
  const copy = async (schema, file) => {
    const tmp = join(destDir, `.${file}.part`);
    rmSync(tmp, { force: true });
    await db.backup(tmp, { attached: schema });
    const out = new Database(tmp);
    out.pragma('journal_mode = DELETE');
    out.close();
    renameSync(tmp, join(destDir, file));
    written.push(join(destDir, file));
  };
  // The version files first: the store file names them, so it goes last.
  for (const v of versions) await copy(`v${v}`, versionFilePath(name, v));
  await copy('main', name);
  db.exec('COMMIT');
  db.close();
  for (const f of written) console.log(f);
}

main().catch((e) => {
  console.error(`copy-store: ${e.message}`);
  process.exit(1);
});
