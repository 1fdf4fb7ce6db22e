/**
 * What MLflow 3.18 sends for evaluation datasets (mlflow/protos/datasets.proto as proto JSON:
 * snake_case, unset fields left out). The dataset's tags and a page of records come as JSON
 * *strings* inside the JSON; they are parsed and checked here too. Unknown fields are dropped.
 */
import { jsonValue, recordOf, stringRecord } from './records';
import * as z from './zod';

/** int64 fields: numbers from MLflow's JSON, digits in a string from other proto encoders. */
const millis = z.union([z.number().check(z.int()), z.string().check(z.regex(/^\d+$/))]);

export const wireDataset = z.object({
  dataset_id: z.string(),
  name: z.string(),
  /** A JSON object as text. */
  tags: z.optional(z.string()),
  digest: z.optional(z.string()),
  created_time: z.optional(millis),
  last_update_time: z.optional(millis),
  created_by: z.optional(z.string()),
  last_updated_by: z.optional(z.string()),
  experiment_ids: z.optional(z.array(z.string())),
});
export type WireDataset = z.infer<typeof wireDataset>;

export const datasetResponse = z.object({ dataset: wireDataset });

export const searchDatasetsResponse = z.object({
  datasets: z.optional(z.array(wireDataset)),
  next_page_token: z.optional(z.string()),
});

export const upsertRecordsResponse = z.object({
  inserted_count: z.optional(z.number().check(z.int())),
  updated_count: z.optional(z.number().check(z.int())),
});

export const getRecordsResponse = z.object({
  /** A JSON list of records (DatasetRecord.to_dict) as text; absent when there are none. */
  records: z.optional(z.string()),
  next_page_token: z.optional(z.string()),
});

/** One record of that list, after its text is parsed: its JSON fields already decoded. */
export const wireDatasetRecord = z.object({
  dataset_record_id: z.string(),
  dataset_id: z.string(),
  inputs: recordOf(jsonValue),
  outputs: z.optional(jsonValue),
  expectations: z.optional(z.nullable(recordOf(jsonValue))),
  tags: z.optional(z.nullable(stringRecord())),
  source: z.optional(
    z.nullable(
      z.object({
        source_type: z.string(),
        source_data: z.optional(z.nullable(recordOf(jsonValue))),
      }),
    ),
  ),
  source_id: z.optional(z.string()),
  source_type: z.optional(z.string()),
  created_time: millis,
  last_update_time: millis,
  created_by: z.optional(z.string()),
  last_updated_by: z.optional(z.string()),
});
export type WireDatasetRecord = z.infer<typeof wireDatasetRecord>;

export const datasetTags = stringRecord();
export const datasetRecordList = z.array(z.unknown());
