/** Evaluation datasets as the client gives and takes them (camelCase; JSON fields decoded). */
import type { ExperimentId } from './ids';
import type { JsonValue } from './types';

export interface EvaluationDataset {
  datasetId: string;
  name: string;
  experimentIds: ExperimentId[];
  tags: Record<string, string>;
  createdTimeMs?: number;
  lastUpdateTimeMs?: number;
  createdBy?: string;
  lastUpdatedBy?: string;
  digest?: string;
}

/** MLflow's DatasetRecordSourceType. */
export type DatasetRecordSourceType = 'TRACE' | 'HUMAN' | 'DOCUMENT' | 'CODE';

/** A record to add: the shape `EvaluationDataset.merge_records` sends for a trace. */
export interface DatasetRecordInput {
  /** The server keys records on these: the same inputs again update the record. */
  inputs: Record<string, JsonValue>;
  outputs?: JsonValue;
  expectations?: Record<string, JsonValue>;
  tags?: Record<string, string>;
  source?: { sourceType: DatasetRecordSourceType; sourceData: Record<string, JsonValue> };
}

export interface DatasetRecord {
  recordId: string;
  datasetId: string;
  inputs: Record<string, JsonValue>;
  outputs?: JsonValue;
  expectations: Record<string, JsonValue>;
  tags: Record<string, string>;
  source?: { sourceType: string; sourceData: Record<string, JsonValue> };
  /** The trace id, for a record whose source is a trace. */
  sourceId?: string;
  sourceType?: string;
  createdTimeMs: number;
  lastUpdateTimeMs: number;
  createdBy?: string;
  lastUpdatedBy?: string;
}

export interface UpsertResult {
  inserted: number;
  updated: number;
}
