# Sourced by scripts/bench/serve and scripts/bench/broker: the store both measure and the requests
# they send. Expects ROOT, W (work dir) and RECORDS; sets VCF and DB and writes, in $W,
#   ids.txt  10,000 stored variants (first ALT of every n-th record) as 1-based ids
#   ids.lua  a wrk script asking GET /api/g_variants/<id> for a random one of them
for tool in wrk curl bgzip tabix; do command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y wrk curl tabix" >&2; exit 2; }; done
[ -f "$ROOT/dist/cli/main.js" ] || (cd "$ROOT" && npm run build >/dev/null)
mkdir -p "$W"

VCF="$W/synth$RECORDS.vcf.gz"
if [ ! -f "$VCF" ]; then
  node "$ROOT/scripts/bench/gen-gnomad-like-vcf.js" --records "$RECORDS" | bgzip -@2 -c > "$VCF.tmp" && mv "$VCF.tmp" "$VCF"
  tabix -f -p vcf "$VCF"
fi
DB="$W/serve$RECORDS.db"
[ -f "$DB" ] || node "$ROOT/bin/afb.js" ingest --db "$DB" --dataset synth --assembly GRCh38 --name "synthetic gnomAD-like" --skip-invalid "$VCF" > /dev/null

zcat "$VCF" | grep -v '^#' | awk -v n=$((RECORDS / 10000)) 'NR % n == 0 { split($5, a, ","); sub(/^chr/, "", $1); print $1 "-" $2 "-" $4 "-" a[1] }' | head -10000 > "$W/ids.txt"
node -e 'const ids=require("fs").readFileSync(process.argv[1],"utf8").trim().split("\n");
  console.log("local ids={" + ids.map(i=>JSON.stringify("/api/g_variants/"+i)).join(",") + "}\nlocal n=#ids\nrequest=function() return wrk.format(\"GET\", ids[math.random(n)]) end");' "$W/ids.txt" > "$W/ids.lua"
