#!/usr/bin/env node
// soak-mix.lua.js — writes the wrk script of scripts/bench/soak: a weighted mix of request kinds.
//
//   node soak-mix.lua.js IDS_FILE "single:8,batch:1,region:1" > soak.lua
//
// Each kind is a function from the stored ids to a wrk request; add one here and name it in the mix.
'use strict';
const fs = require('fs');
const [idsFile, mix] = process.argv.slice(2);
const ids = fs.readFileSync(idsFile, 'utf8').trim().split('\n');
const KINDS = {
  single: () => `wrk.format("GET", "/api/g_variants/" .. ids[math.random(n)])`,
  batch: () => `(function() local v = {} for i = 1, 20 do v[i] = '"' .. ids[math.random(n)] .. '"' end
    return wrk.format("POST", "/api/batch", {["Content-Type"] = "application/json"}, '{"assemblyId":"GRCh38","variants":[' .. table.concat(v, ",") .. ']}') end)()`,
  region: () => `(function() local id = ids[math.random(n)] local c, p = id:match("^([^-]+)-(%d+)-")
    return wrk.format("GET", "/api/g_variants?assemblyId=GRCh38&referenceName=" .. c .. "&start=" .. (p - 1) .. "&end=" .. (p + 1000) .. "&limit=10") end)()`,
  // A small VCF of 30 stored variants (random, so unsorted, as a user's file may be), annotated as VCF.
  annotate: () => `(function() local l = {"##fileformat=VCFv4.2", "#CHROM\\tPOS\\tID\\tREF\\tALT\\tQUAL\\tFILTER\\tINFO"}
    for i = 1, 30 do local c, p, r, a = ids[math.random(n)]:match("^([^-]+)-(%d+)-([^-]+)-([^-]+)$")
      l[#l + 1] = "chr" .. c .. "\\t" .. p .. "\\t.\\t" .. r .. "\\t" .. a .. "\\t.\\t.\\t." end
    return wrk.format("POST", "/api/annotate?assemblyId=GRCh38", {["Content-Type"] = "text/x-vcf"}, table.concat(l, "\\n") .. "\\n") end)()`,
};
const weights = mix.split(',').map((p) => p.split(':')).map(([k, w]) => {
  if (!KINDS[k]) throw new Error(`unknown request kind '${k}'; known: ${Object.keys(KINDS).join(', ')}`);
  return [k, Number(w)];
});
const total = weights.reduce((a, [, w]) => a + w, 0);
let lua = `local ids = {${ids.map((i) => JSON.stringify(i)).join(',')}}\nlocal n = #ids\nrequest = function()\n  local r = math.random() * ${total}\n`;
let acc = 0;
for (const [k, w] of weights) {
  acc += w;
  lua += `  if r < ${acc} then return ${KINDS[k]()} end\n`;
}
lua += `  return wrk.format("GET", "/api/g_variants/" .. ids[1])\nend\n`;
// Every answer that is not a 200 is written to stderr (status and the start of the body), so the
// soak can say what each error was.
lua += 'response = function(status, headers, body)\n  if status ~= 200 then io.stderr:write(status .. "\\t" .. string.gsub(string.sub(body or "", 1, 300), "\\n", " ") .. "\\n") end\nend\n';
process.stdout.write(lua);
