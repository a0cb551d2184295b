import { duoIri } from '../domain/duo';
import type { ShownEntry } from './datasets';

/** What the catalogue says about the server publishing it (from the server config). */
export interface CatalogueFacts {
  beaconId: string;
  name: string;
  description: string;
  organizationName: string;
  organizationUrl: string;
}

export const JSON_LD_TYPE = 'application/ld+json';

/**
 * The context is written inline, so a harvester (and the tests' JSON-LD processor) needs no
 * network to expand it. Prefixes are those of DCAT-AP 3.
 */
const CONTEXT = {
  dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  skos: 'http://www.w3.org/2004/02/skos/core#',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  healthdcatap: 'http://healthdataportal.eu/ns/health#',
};

const EU = 'http://publications.europa.eu/resource/authority/';
const HEALTH_THEME = { '@id': `${EU}data-theme/HEAL`, '@type': 'skos:Concept', 'skos:prefLabel': en('Health') };

/**
 * One `dcat:Catalog` per server with its `dcat:Dataset`s (DCAT-AP 3, as the GDI portal's catalogue
 * harvests): title, description, publisher, identifier, theme and keywords, a distribution with
 * its access URL (the Beacon API), release date and version, licence, access rights and the DUO
 * data-use conditions as rights statements. Counts of individuals are the caller's disclosed ones
 * (Health DCAT-AP's numberOfUniqueIndividuals, only when shown).
 */
export function dcatCatalogue(f: CatalogueFacts, apiBase: string, entries: readonly ShownEntry[]): Record<string, unknown> {
  const publisher = agent(f.organizationUrl, f.organizationName, `${apiBase}/catalogue#publisher`);
  return {
    '@context': CONTEXT,
    '@id': `${apiBase}/catalogue`,
    '@type': 'dcat:Catalog',
    'dct:identifier': f.beaconId,
    'dct:title': en(f.name),
    'dct:description': en(f.description),
    'dct:publisher': publisher,
    ...(isHttp(f.organizationUrl) ? { 'foaf:homepage': { '@id': f.organizationUrl, '@type': 'foaf:Document' } } : {}),
    'dcat:themeTaxonomy': { '@id': `${EU}data-theme`, '@type': 'skos:ConceptScheme', 'dct:title': en('Data theme') },
    'dcat:dataset': entries.map((e) => dcatDataset(e, apiBase, publisher)),
  };
}

function dcatDataset(e: ShownEntry, apiBase: string, catalogPublisher: Record<string, unknown>): Record<string, unknown> {
  const m = e.metadata;
  const iri = `${apiBase}/datasets/${encodeURIComponent(e.id)}`;
  const keywords = [...(m.keywords ?? []), 'allele frequencies', ...(m.technology ? [m.technology] : []), ...(e.assembly ? [e.assembly] : []), ...(m.cohort ? [m.cohort] : [])];
  const total = m.individuals?.total;
  const date = m.release?.date;
  return {
    '@id': iri,
    '@type': 'dcat:Dataset',
    // Stable across re-ingests (the origin without its ingest time); dct:modified says which version.
    'dct:identifier': e.origin.replace(/@[^@]*$/, ''),
    'dct:title': en(m.title ?? e.name),
    'dct:description': en(m.description ?? e.description ?? e.name),
    'dct:publisher': m.publisher ? agent(undefined, m.publisher, `${iri}#publisher`) : catalogPublisher,
    'dcat:theme': HEALTH_THEME,
    'dcat:keyword': [...new Set(keywords)].map(en),
    ...(m.release?.version ? { 'dcat:version': m.release.version } : {}),
    ...(date ? { 'dct:issued': { '@value': date, '@type': date.length === 10 ? 'xsd:date' : date.length === 7 ? 'xsd:gYearMonth' : 'xsd:gYear' } } : {}),
    ...(e.createdAt ? { 'dct:modified': { '@value': e.createdAt, '@type': 'xsd:dateTime' } } : {}),
    ...(m.country ? { 'dct:spatial': { '@id': `${EU}country/${iso3(m.country)}`, '@type': 'dct:Location' } } : {}),
    ...(isHttp(m.landingPage) ? { 'dcat:landingPage': { '@id': m.landingPage, '@type': 'foaf:Document' } } : {}),
    ...(m.contact ? { 'dcat:contactPoint': contactPoint(m.contact, `${iri}#contact`) } : {}),
    'dct:accessRights': {
      '@id': `${EU}access-right/${m.countsAccess === 'anonymous' ? 'PUBLIC' : 'RESTRICTED'}`,
      '@type': 'dct:RightsStatement',
    },
    ...(total !== undefined ? { 'healthdcatap:numberOfUniqueIndividuals': { '@value': String(total), '@type': 'xsd:nonNegativeInteger' } } : {}),
    'dcat:distribution': {
      '@id': `${iri}#beacon`,
      '@type': 'dcat:Distribution',
      'dct:title': en('GA4GH Beacon v2 allele-frequency API'),
      'dcat:accessURL': { '@id': `${apiBase}/g_variants` },
      'dct:description': en(`Allele counts and frequencies per population: ${apiBase}/g_variants?datasetIds=${encodeURIComponent(e.id)}`),
      ...(isHttp(m.licence) ? { 'dct:license': { '@id': m.licence, '@type': 'dct:LicenseDocument' } } : {}),
      // DCAT-AP allows one rights statement per distribution: the DUO terms are its seeAlso.
      ...(m.dataUse.length > 0
        ? {
            'dct:rights': {
              '@id': `${iri}#data-use`,
              '@type': 'dct:RightsStatement',
              'rdfs:label': en(`Data use conditions (GA4GH DUO): ${m.dataUse.map((t) => `${t.id} ${t.label}`).join('; ')}`),
              'rdfs:seeAlso': m.dataUse.map((t) => ({ '@id': duoIri(t.id) })),
            },
          }
        : {}),
    },
  };
}

function agent(iri: string | undefined, name: string, fallbackIri: string): Record<string, unknown> {
  return { '@id': isHttp(iri) ? iri : fallbackIri, '@type': 'foaf:Agent', 'foaf:name': name };
}

function contactPoint(c: NonNullable<ShownEntry['metadata']['contact']>, iri: string): Record<string, unknown> {
  return {
    '@id': iri,
    '@type': 'vcard:Kind',
    ...(c.name ? { 'vcard:fn': c.name } : {}),
    ...(c.email ? { 'vcard:hasEmail': { '@id': `mailto:${c.email}` } } : {}),
    ...(isHttp(c.url) ? { 'vcard:hasURL': { '@id': c.url } } : {}),
  };
}

function en(text: string): { '@value': string; '@language': string } {
  return { '@value': text, '@language': 'en' };
}

function isHttp(v: string | undefined): v is string {
  return typeof v === 'string' && /^https?:\/\/[^\s]+$/.test(v);
}

/** The EU country authority table is keyed by ISO 3166-1 alpha-3; the common ones afb's users give, else the alpha-2 upper-cased. */
const ALPHA3: Readonly<Record<string, string>> = {
  AT: 'AUT', BE: 'BEL', BG: 'BGR', CH: 'CHE', CY: 'CYP', CZ: 'CZE', DE: 'DEU', DK: 'DNK', EE: 'EST', ES: 'ESP', FI: 'FIN', FR: 'FRA', GB: 'GBR',
  GR: 'GRC', HR: 'HRV', HU: 'HUN', IE: 'IRL', IS: 'ISL', IT: 'ITA', JP: 'JPN', LT: 'LTU', LU: 'LUX', LV: 'LVA', MT: 'MLT', NL: 'NLD', NO: 'NOR',
  PL: 'POL', PT: 'PRT', RO: 'ROU', SE: 'SWE', SI: 'SVN', SK: 'SVK', US: 'USA',
};

function iso3(alpha2: string): string {
  return Object.prototype.hasOwnProperty.call(ALPHA3, alpha2) ? ALPHA3[alpha2]! : alpha2;
}
