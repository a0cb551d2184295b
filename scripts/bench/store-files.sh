# Sourced by the benchmarks that look at a store's files: the store, its WAL, and since schema 5 a
# file per dataset version beside it (<store>.v<v>.afb, src/store/version-file.ts).

# store_bytes DB: bytes of every file of the store on disk (store, WAL, version files and theirs).
store_bytes() {
  local t=0 f
  for f in "$1" "$1-wal" "$1".v*.afb "$1".v*.afb-wal; do
    [ -f "$f" ] && t=$((t + $(stat -c %s "$f")))
  done
  echo "$t"
}

# version_db DB DATASET: the SQLite file holding DATASET's current version (its version file, or the store).
version_db() {
  local row
  row=$(sqlite3 "$1" "SELECT v.v || ' ' || coalesce(v.in_file, 0) FROM datasets AS d JOIN versions AS v ON v.v = d.current WHERE d.id = '$2'")
  if [ "${row#* }" = 1 ]; then echo "$1.v${row% *}.afb"; else echo "$1"; fi
}
