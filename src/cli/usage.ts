import { BROKER_SERVER_DEFAULTS } from '../config/broker-config';
import { CONFIG_KEYS } from '../config/server-config';

// The usage lines of the commands main.ts loads lazily (serve, broker), here so that `afb --help`
// and an unknown command print them without loading express, the store or undici. The defaults
// shown come from the config key tables.
const nodeDefault = (key: 'port' | 'host'): string | number => CONFIG_KEYS.find((k) => k.key === key)!.default;

export const SERVE_USAGE = `afb serve  --db FILE [--port ${nodeDefault('port')}] [--host ${nodeDefault('host')}] [--workers N] [--config FILE]`;
export const BROKER_USAGE = `afb broker --peers FILE [--port ${BROKER_SERVER_DEFAULTS.port ?? nodeDefault('port')}] [--host ${BROKER_SERVER_DEFAULTS.host ?? nodeDefault('host')}] [--workers N] [--config FILE]`;
export const TOKEN_USAGE = 'afb token  --id ID [--level registered|controlled|anonymous] [--datasets ID,...]   (a new API token and its config entry)';
export const GENES_USAGE = "afb genes  --db FILE --assembly GRCh37|GRCh38 GENES.gtf[.gz]|GENES.gff3[.gz]   (the node's gene table for geneId queries)";

export const ANNOTATE_USAGE = `afb annotate (--broker URL | --db FILE) [--populations AFR,EUR,...] [--fields AC,AN,AF,...] [--assembly GRCh37|GRCh38]
           [--datasets ID,...] [--prefix AFB_] [--format vcf|tsv] [--output OUT.vcf[.gz]] [--bgzip]
           [--batch-size 2000] [--in-flight 2] [--timeout-ms 120000] [--token TOKEN] IN.vcf[.gz]|-   (VCF on stdout)`;
