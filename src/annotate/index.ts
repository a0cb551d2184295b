export { annotateVcf, type AnnotateOptions, type FindPart } from './annotator';
export { annotationFields, pooledGroups, type AnnotationField } from './fields';
export { vcfLines } from './lines';
export { newSummary, progressLine, type AnnotateSummary } from './summary';
export { BgzfWriter } from './bgzf';
export { annotationPlan, populationList, type AnnotationPlan } from './scope';
