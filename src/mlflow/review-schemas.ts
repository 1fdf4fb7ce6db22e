/**
 * What MLflow 3.14+ sends for label schemas and review queues (proto JSON: snake_case, enums as
 * names, unset fields left out, int64 as numbers). Unknown extra fields are dropped, as in
 * schemas.ts, so that newer servers keep working.
 */
import * as z from './zod';
import { recordOf } from './records';

const wholeNumber = z.number().check(z.int());

export const wireLabelSchemaInput = z.object({
  pass_fail: z.optional(z.object({ positive_label: z.string(), negative_label: z.string() })),
  categorical: z.optional(
    z.object({ options: z.optional(z.array(z.string())), multi_select: z.optional(z.boolean()) }),
  ),
  numeric: z.optional(
    z.object({ min_value: z.optional(z.number()), max_value: z.optional(z.number()) }),
  ),
  text: z.optional(z.object({ max_length: z.optional(wholeNumber) })),
});

export const wireLabelSchema = z.object({
  schema_id: z.string(),
  experiment_id: z.string(),
  name: z.string(),
  type: z.enum(['FEEDBACK', 'EXPECTATION']),
  instruction: z.optional(z.string()),
  enable_comment: z.optional(z.boolean()),
  /** Kept whole: a variant this client does not know becomes `unsupported`, not a failure. */
  input: z.optional(recordOf(z.unknown())),
  created_by: z.optional(z.string()),
  created_at: z.optional(wholeNumber),
  last_updated_at: z.optional(wholeNumber),
  is_default: z.optional(z.boolean()),
});
export type WireLabelSchema = z.infer<typeof wireLabelSchema>;

export const labelSchemaResponse = z.object({ label_schema: wireLabelSchema });

export const listLabelSchemasResponse = z.object({
  label_schemas: z.optional(z.array(wireLabelSchema)),
  next_page_token: z.optional(z.string()),
});

export const wireReviewQueue = z.object({
  queue_id: z.string(),
  experiment_id: z.string(),
  name: z.string(),
  queue_type: z.enum(['USER', 'CUSTOM']),
  created_by: z.optional(z.string()),
  creation_time_ms: wholeNumber,
  last_update_time_ms: wholeNumber,
  users: z.optional(z.array(z.string())),
  schema_ids: z.optional(z.array(z.string())),
});
export type WireReviewQueue = z.infer<typeof wireReviewQueue>;

export const reviewQueueResponse = z.object({ review_queue: wireReviewQueue });

export const listReviewQueuesResponse = z.object({
  review_queues: z.optional(z.array(wireReviewQueue)),
  next_page_token: z.optional(z.string()),
});

export const wireReviewQueueItem = z.object({
  queue_id: z.string(),
  item_type: z.optional(z.string()),
  item_id: z.string(),
  status: z.enum(['PENDING', 'COMPLETE', 'DECLINED']),
  completed_by: z.optional(z.string()),
  completed_time_ms: z.optional(wholeNumber),
  creation_time_ms: wholeNumber,
  last_update_time_ms: wholeNumber,
});
export type WireReviewQueueItem = z.infer<typeof wireReviewQueueItem>;

export const queueItemsResponse = z.object({
  items: z.optional(z.array(wireReviewQueueItem)),
  next_page_token: z.optional(z.string()),
});

export const queueItemResponse = z.object({ item: wireReviewQueueItem });

/** Each trace info is checked on its own (convert.ts): one bad record does not fail the page. */
export const batchGetTraceInfosResponse = z.object({
  trace_infos: z.optional(z.array(z.unknown())),
});
