/**
 * Branded ids: a trace id, an experiment id and an assessment id are all strings on the wire, but
 * passing one where another belongs is a bug the compiler can catch. Values that come from the
 * server are branded where they are converted (convert.ts); text from elsewhere (a command's
 * argument, a webview message, a setting) is branded by these functions at the boundary.
 * A branded id is still a string, so it goes wherever a plain string does.
 */
declare const brand: unique symbol;
type Branded<T extends string> = string & { readonly [brand]: T };

export type TraceId = Branded<'TraceId'>;
export type ExperimentId = Branded<'ExperimentId'>;
export type AssessmentId = Branded<'AssessmentId'>;

export const asTraceId = (id: string): TraceId => id as TraceId;
export const asExperimentId = (id: string): ExperimentId => id as ExperimentId;
export const asAssessmentId = (id: string): AssessmentId => id as AssessmentId;
