import type { Contig } from '../domain/contigs';
import type { DatasetInfo } from '../domain/lookup';
import { annotatedKinds, annotationFields, pooledGroups, type AnnotationField } from './fields';

/** What annotation needs to know of the datasets in scope before the first record: the fields to write and the contigs worth asking. */
export interface AnnotationPlan {
  fields: AnnotationField[];
  /** Contigs some dataset holds; undefined when a dataset does not list its contigs (a third-party peer): then every contig is asked. */
  held?: ReadonlySet<Contig>;
}

/** `populations`: pooled codes to write (all when undefined); `kinds`: count names (`AC`, `faf95`; all when undefined). */
export function annotationPlan(datasets: readonly DatasetInfo[], prefix: string, populations?: readonly string[], kinds?: readonly string[]): AnnotationPlan {
  const fields = annotationFields(pooledGroups(datasets), prefix, populations, annotatedKinds(kinds));
  const held = datasets.every((d) => d.contigs.length > 0) ? new Set(datasets.flatMap((d) => d.contigs)) : undefined;
  return { fields, held };
}

/** `AFR,EUR` or `AC,AN` (a query parameter or an option) as a list; undefined for none. */
export function populationList(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const list = text.split(',').map((s) => s.trim()).filter(Boolean);
  return list.length > 0 ? list : undefined;
}
