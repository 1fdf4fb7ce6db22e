/**
 * MLflow's human review routes (3.14 and later), one method each: label schemas (the questions),
 * review queues, their items, and `traces/batchGetInfos` to load a page of queue items in one
 * request. Same conventions as client.ts: requests through the one HttpTransport, responses
 * checked by review-schemas.ts, domain types of review-types.ts, typed errors of
 * review-errors.ts. Reached as `MlflowClient.review`.
 *
 * What is retried: reads, and the writes that do the same thing when repeated (adding an item
 * keeps its status, setting a status it already has changes nothing, a delete of what is gone
 * does nothing, get-or-create returns the same queue, an update sets the same values). Never a
 * create: a second attempt after a first that went through would fail as a duplicate name.
 */
import { parseTraceInfo } from './convert';
import { MlflowApiError, MlflowInputError, MlflowRouteNotFoundError } from './errors';
import { parseJsonBody, type HttpRequest, type HttpTransport } from './http';
import { asExperimentId, asTraceId } from './ids';
import {
  LabelSchemaNotFoundError,
  MlflowReviewUnsupportedError,
  QueueItemNotFoundError,
  QuestionsLockedError,
  ReviewNameTakenError,
  ReviewNotAMemberError,
  ReviewPermissionError,
  ReviewQueueNotFoundError,
  TraceNotInQueueExperimentError,
  type ReviewAction,
} from './review-errors';
import {
  batchGetTraceInfosResponse,
  labelSchemaResponse,
  listLabelSchemasResponse,
  listReviewQueuesResponse,
  queueItemResponse,
  queueItemsResponse,
  reviewQueueResponse,
  type WireLabelSchema,
  type WireReviewQueue,
  type WireReviewQueueItem,
  wireLabelSchemaInput as wireInput,
} from './review-schemas';
import type {
  CreateLabelSchemaInput,
  CreateReviewQueueInput,
  LabelInput,
  LabelInputSpec,
  LabelSchema,
  ListQueueItemsInput,
  ListReviewQueuesInput,
  ReviewQueue,
  ReviewQueueItem,
  ReviewStatus,
  SetItemStatusInput,
  UpdateLabelSchemaInput,
  UpdateReviewQueueInput,
} from './review-types';
import { parseWire } from './schemas';
import type { Page, TraceInfo } from './types';
import type * as z from './zod';

const REVIEW = '/api/3.0/mlflow';
/** The server's own bound for these lists (SEARCH_MAX_RESULTS_THRESHOLD). */
const MAX_PAGE = 50_000;
/** The server's limits (mlflow/genai/review_queues/validation.py). */
const MAX_QUEUE_USERS = 10;
const MAX_ITEM_ID_LENGTH = 50;
/** Pages followed by listAllLabelSchemas before it stops: 100 000 questions. */
const MAX_SCHEMA_PAGES = 100;

/** Which route failed, so the server's answer can be told apart (see toReviewError). */
type Route =
  | { kind: 'schema'; action: ReviewAction }
  | { kind: 'queue'; action: ReviewAction }
  | { kind: 'add items'; queueId: string }
  | { kind: 'set status'; queueId: string; traceId: string }
  | { kind: 'traces' };

export interface TraceInfoBatch {
  /** In the order the ids were asked for. */
  traces: TraceInfo[];
  /** The ids the server has no trace for (deleted, or never logged). */
  missingTraceIds: string[];
}

export class ReviewClient {
  constructor(private readonly http: HttpTransport) {}

  // ---- label schemas -----------------------------------------------------------------------

  /**
   * One page of the experiment's questions, newest first. The server adds the experiment's
   * protected default question ("Feedback", free text) the first time they are listed.
   */
  async listLabelSchemas(
    experimentId: string,
    options: { maxResults?: number; pageToken?: string } = {},
  ): Promise<Page<LabelSchema>> {
    const data = await this.json(
      listLabelSchemasResponse,
      get('/label-schemas/list', {
        experiment_id: experimentId,
        max_results: pageSize(options.maxResults),
        page_token: options.pageToken,
      }),
      { kind: 'schema', action: 'read' },
    );
    return page((data.label_schemas ?? []).map(toLabelSchema), data.next_page_token);
  }

  /** Every question of the experiment, following the pages. */
  async listAllLabelSchemas(experimentId: string): Promise<LabelSchema[]> {
    const all: LabelSchema[] = [];
    let pageToken: string | undefined;
    for (let i = 0; i < MAX_SCHEMA_PAGES; i++) {
      const next = await this.listLabelSchemas(experimentId, {
        maxResults: 1000,
        ...(pageToken ? { pageToken } : {}),
      });
      all.push(...next.items);
      pageToken = next.nextPageToken;
      if (!pageToken) return all;
    }
    return all;
  }

  async getLabelSchema(schemaId: string): Promise<LabelSchema> {
    const data = await this.json(
      labelSchemaResponse,
      get('/label-schemas/get', { schema_id: schemaId }),
      { kind: 'schema', action: 'read' },
    );
    return toLabelSchema(data.label_schema);
  }

  /** By its exact name (case-sensitive, unlike queue names). */
  async getLabelSchemaByName(experimentId: string, name: string): Promise<LabelSchema> {
    const data = await this.json(
      labelSchemaResponse,
      get('/label-schemas/get-by-name', { experiment_id: experimentId, name }),
      { kind: 'schema', action: 'read' },
    );
    return toLabelSchema(data.label_schema);
  }

  /** Needs MANAGE on the experiment. Never retried (a repeat would be a duplicate name). */
  async createLabelSchema(input: CreateLabelSchemaInput): Promise<LabelSchema> {
    const data = await this.json(
      labelSchemaResponse,
      {
        method: 'POST',
        path: `${REVIEW}/label-schemas/create`,
        body: {
          experiment_id: input.experimentId,
          name: input.name,
          type: input.kind === 'feedback' ? 'FEEDBACK' : 'EXPECTATION',
          input: toWireInput(input.input),
          ...(input.instruction !== undefined ? { instruction: input.instruction } : {}),
          ...(input.enableComment !== undefined ? { enable_comment: input.enableComment } : {}),
        },
        safeToRetry: false,
      },
      { kind: 'schema', action: 'manage questions' },
    );
    return toLabelSchema(data.label_schema);
  }

  /**
   * Changes the given fields. The kind cannot change, nor the input's variant or a categorical
   * question's multi-select; the default question cannot be edited. Needs MANAGE.
   */
  async updateLabelSchema(schemaId: string, update: UpdateLabelSchemaInput): Promise<LabelSchema> {
    const body: Record<string, unknown> = { schema_id: schemaId };
    if (update.name !== undefined) body.name = update.name;
    if (update.instruction !== undefined) body.instruction = update.instruction;
    if (update.enableComment !== undefined) body.enable_comment = update.enableComment;
    if (update.input !== undefined) body.input = toWireInput(update.input);
    if (Object.keys(body).length === 1)
      throw new MlflowInputError(
        'Nothing to update: give a name, instruction, comment setting or input.',
      );
    const data = await this.json(
      labelSchemaResponse,
      { method: 'PATCH', path: `${REVIEW}/label-schemas/update`, body, safeToRetry: true },
      { kind: 'schema', action: 'manage questions' },
    );
    return toLabelSchema(data.label_schema);
  }

  /**
   * Deletes a question; assessments already logged under its name stay. Deleting one that is
   * gone does nothing; the default question cannot be deleted. Needs MANAGE.
   */
  async deleteLabelSchema(schemaId: string): Promise<void> {
    // The server reads this DELETE's fields from a JSON body, not the query string.
    await this.send(
      {
        method: 'DELETE',
        path: `${REVIEW}/label-schemas/delete`,
        body: { schema_id: schemaId },
        safeToRetry: true,
      },
      { kind: 'schema', action: 'manage questions' },
    );
  }

  // ---- review queues -----------------------------------------------------------------------

  /**
   * One page of the experiment's queues, newest first; with `user`, only those the user is
   * assigned to; with `traceId`, only those that hold the trace. A caller with only READ
   * permission sees only the queues they are assigned to.
   */
  async listReviewQueues(input: ListReviewQueuesInput): Promise<Page<ReviewQueue>> {
    const data = await this.json(
      listReviewQueuesResponse,
      get('/review-queues/list', {
        experiment_id: input.experimentId,
        user: input.user,
        item_id: input.traceId,
        max_results: pageSize(input.maxResults),
        page_token: input.pageToken,
      }),
      { kind: 'queue', action: 'read' },
    );
    return page((data.review_queues ?? []).map(toReviewQueue), data.next_page_token);
  }

  async getReviewQueue(queueId: string): Promise<ReviewQueue> {
    const data = await this.json(
      reviewQueueResponse,
      get('/review-queues/get', { queue_id: queueId }),
      { kind: 'queue', action: 'read' },
    );
    return toReviewQueue(data.review_queue);
  }

  /** Queue names are compared case-insensitively. */
  async getReviewQueueByName(experimentId: string, name: string): Promise<ReviewQueue> {
    const data = await this.json(
      reviewQueueResponse,
      get('/review-queues/get-by-name', { experiment_id: experimentId, name }),
      { kind: 'queue', action: 'read' },
    );
    return toReviewQueue(data.review_queue);
  }

  /**
   * The user's personal queue, created the first time (named after the user, lowercased; it
   * answers all of the experiment's questions). On a server without authentication MLflow's UI
   * uses the user "default".
   */
  async getOrCreateUserQueue(experimentId: string, user: string): Promise<ReviewQueue> {
    if (user.trim() === '') throw new MlflowInputError('A user queue needs a user name.');
    const data = await this.json(
      reviewQueueResponse,
      {
        method: 'POST',
        path: `${REVIEW}/review-queues/get-or-create-user`,
        body: { experiment_id: experimentId, user },
        safeToRetry: true,
      },
      { kind: 'queue', action: 'create queue' },
    );
    return toReviewQueue(data.review_queue);
  }

  /**
   * A custom queue: any name but "default" (and, on a server with authentication, not a
   * user's name), up to 10 reviewers and the chosen questions. Its owner is the signed-in user.
   */
  async createReviewQueue(input: CreateReviewQueueInput): Promise<ReviewQueue> {
    assertUsers(input.users);
    const data = await this.json(
      reviewQueueResponse,
      {
        method: 'POST',
        path: `${REVIEW}/review-queues/create`,
        body: {
          experiment_id: input.experimentId,
          name: input.name,
          queue_type: 'CUSTOM',
          users: input.users ?? [],
          schema_ids: input.schemaIds ?? [],
        },
        safeToRetry: false,
      },
      { kind: 'queue', action: 'create queue' },
    );
    return toReviewQueue(data.review_queue);
  }

  /**
   * Changes a custom queue (user queues cannot change). `users` and `schemaIds` replace the
   * whole set; the questions are locked once the queue has items (QuestionsLockedError).
   */
  async updateReviewQueue(queueId: string, update: UpdateReviewQueueInput): Promise<ReviewQueue> {
    assertUsers(update.users);
    const body: Record<string, unknown> = { queue_id: queueId };
    if (update.name !== undefined) body.name = update.name;
    if (update.newOwner !== undefined) body.new_owner = update.newOwner;
    // Lists need their flag: an empty list is otherwise indistinguishable from "unchanged".
    if (update.users !== undefined)
      Object.assign(body, { update_users: true, users: update.users });
    if (update.schemaIds !== undefined)
      Object.assign(body, { update_schema_ids: true, schema_ids: update.schemaIds });
    if (Object.keys(body).length === 1)
      throw new MlflowInputError('Nothing to update: give a name, owner, users or questions.');
    const data = await this.json(
      reviewQueueResponse,
      { method: 'POST', path: `${REVIEW}/review-queues/update`, body, safeToRetry: true },
      { kind: 'queue', action: 'edit queue' },
    );
    return toReviewQueue(data.review_queue);
  }

  /** Deletes the queue and its items (not the assessments). Deleting one that is gone does nothing. */
  async deleteReviewQueue(queueId: string): Promise<void> {
    await this.send(
      {
        method: 'POST',
        path: `${REVIEW}/review-queues/delete`,
        body: { queue_id: queueId },
        safeToRetry: true,
      },
      { kind: 'queue', action: 'delete queue' },
    );
  }

  // ---- queue items -------------------------------------------------------------------------

  /**
   * Adds traces of the queue's experiment (all or none: TraceNotInQueueExperimentError names the
   * others). A trace already in the queue keeps its status. The items come back in the order asked.
   */
  async addItems(queueId: string, traceIds: string[]): Promise<ReviewQueueItem[]> {
    assertTraceIds(traceIds);
    // As MLflow's UI sends it: no item_type (the server's default, and only type, is TRACE).
    const data = await this.json(
      queueItemsResponse,
      {
        method: 'POST',
        path: `${REVIEW}/review-queues/items/add`,
        body: { queue_id: queueId, item_ids: traceIds },
        safeToRetry: true,
      },
      { kind: 'add items', queueId },
    );
    return (data.items ?? []).map(toQueueItem);
  }

  /** Removing a trace that is not in the queue does nothing. */
  async removeItems(queueId: string, traceIds: string[]): Promise<void> {
    assertTraceIds(traceIds);
    await this.send(
      {
        method: 'POST',
        path: `${REVIEW}/review-queues/items/remove`,
        body: { queue_id: queueId, item_ids: traceIds },
        safeToRetry: true,
      },
      { kind: 'queue', action: 'remove items' },
    );
  }

  /** One page of the queue's items, the most recently added first; optionally one status only. */
  async listItems(
    queueId: string,
    input: ListQueueItemsInput = {},
  ): Promise<Page<ReviewQueueItem>> {
    const data = await this.json(
      queueItemsResponse,
      get('/review-queues/items/list', {
        queue_id: queueId,
        status: input.status?.toUpperCase(),
        max_results: pageSize(input.maxResults),
        page_token: input.pageToken,
      }),
      { kind: 'queue', action: 'read' },
    );
    return page((data.items ?? []).map(toQueueItem), data.next_page_token);
  }

  /**
   * Completes, declines or reopens an item, as MLflow's UI does: `completedBy` with complete and
   * declined, none with pending. Setting the status it already has changes nothing (the first
   * completer stays). On a server with authentication only the queue's reviewers may
   * (ReviewNotAMemberError), and the server records the signed-in user as who completed it.
   */
  async setItemStatus(input: SetItemStatusInput): Promise<ReviewQueueItem> {
    const { queueId, traceId, status } = input;
    if (status === 'pending' && input.completedBy !== undefined)
      throw new MlflowInputError(
        'Reopening an item (pending) clears who completed it: give no completedBy.',
      );
    if (status !== 'pending' && !input.completedBy?.trim())
      throw new MlflowInputError(
        `Setting an item ${status} needs who did it (completedBy): the signed-in user, or on a server without authentication the reviewer setting ("default" in MLflow's UI).`,
      );
    const data = await this.json(
      queueItemResponse,
      {
        method: 'POST',
        path: `${REVIEW}/review-queues/items/set-status`,
        body: {
          queue_id: queueId,
          item_id: traceId,
          status: status.toUpperCase(),
          ...(status !== 'pending' ? { completed_by: input.completedBy } : {}),
        },
        safeToRetry: true,
      },
      { kind: 'set status', queueId, traceId },
    );
    return toQueueItem(data.item);
  }

  // ---- traces ------------------------------------------------------------------------------

  /**
   * The infos (previews, tags, metadata, all assessments; no spans) of the given traces in one
   * request: a page of queue items. With `experimentIds`, only traces of those experiments.
   */
  async batchGetTraceInfos(
    traceIds: string[],
    options: { experimentIds?: string[]; signal?: AbortSignal } = {},
  ): Promise<TraceInfoBatch> {
    if (traceIds.length === 0) return { traces: [], missingTraceIds: [] };
    const request: HttpRequest = {
      method: 'POST',
      path: `${REVIEW}/traces/batchGetInfos`,
      body: {
        trace_ids: traceIds,
        ...(options.experimentIds ? { experiment_ids: options.experimentIds } : {}),
      },
      // A read, even though it is a POST.
      safeToRetry: true,
      ...(options.signal ? { signal: options.signal } : {}),
    };
    const res = await this.send(request, { kind: 'traces' });
    const data = parseWire(batchGetTraceInfosResponse, parseJsonBody(res, true), res.url);
    const url = this.http.baseUrl + request.path;
    const byId = new Map<string, TraceInfo>();
    (data.trace_infos ?? []).forEach((raw, i) => {
      const info = parseTraceInfo(raw, url, i);
      byId.set(info.traceId, info);
    });
    const traces: TraceInfo[] = [];
    const missingTraceIds: string[] = [];
    for (const id of new Set(traceIds)) {
      const info = byId.get(id);
      if (info) traces.push(info);
      else missingTraceIds.push(id);
    }
    return { traces, missingTraceIds };
  }

  // ---- plumbing ----------------------------------------------------------------------------

  private async json<S extends z.ZodMiniType>(
    schema: S,
    request: HttpRequest,
    route: Route,
  ): Promise<z.output<S>> {
    const res = await this.send(request, route);
    return parseWire(schema, parseJsonBody(res), res.url);
  }

  private async send(request: HttpRequest, route: Route) {
    try {
      return await this.http.send(request);
    } catch (error) {
      if (!(error instanceof MlflowApiError)) throw error;
      if (isMissingRoute(error)) {
        const version = await this.versionOrUndefined();
        throw version
          ? new MlflowReviewUnsupportedError(error.url, version)
          : new MlflowRouteNotFoundError(error.url);
      }
      throw toReviewError(error, route);
    }
  }

  private async versionOrUndefined(): Promise<string | undefined> {
    try {
      const res = await this.http.send({ method: 'GET', path: '/version', safeToRetry: true });
      const version = res.text.trim();
      return /^\d+\.\d+/.test(version) ? version : undefined;
    } catch {
      return undefined;
    }
  }
}

/**
 * The server's answer, as the typed error it stands for on this route. The server tells its
 * cases apart by message only (one error code for several), so the messages of 3.18 are matched;
 * an answer that matches nothing stays the MlflowApiError it was.
 */
export function toReviewError(error: MlflowApiError, route: Route): MlflowApiError {
  const said = error.serverMessage;
  if (error.status === 403) {
    if (route.kind === 'set status') return new ReviewNotAMemberError(error);
    if (route.kind === 'add items') return new ReviewPermissionError(error, 'add items');
    if (route.kind === 'traces') return error;
    return new ReviewPermissionError(error, route.action);
  }
  if (error.errorCode === 'RESOURCE_DOES_NOT_EXIST') {
    if (route.kind === 'add items' && /do not exist in experiment/.test(said)) {
      return new TraceNotInQueueExperimentError(
        error,
        route.queueId,
        quotedIds(/trace\(s\) \[([^\]]*)\]/.exec(said)?.[1] ?? ''),
        /in experiment '([^']*)'/.exec(said)?.[1],
      );
    }
    if (route.kind === 'set status' && /is not attached to review queue/.test(said))
      return new QueueItemNotFoundError(error, route.queueId, route.traceId);
    if (/^Review queue with (id|name) /.test(said)) return new ReviewQueueNotFoundError(error);
    if (/^Label schema with (id|name) /.test(said)) return new LabelSchemaNotFoundError(error);
    return error;
  }
  if (error.errorCode === 'RESOURCE_ALREADY_EXISTS') return new ReviewNameTakenError(error);
  if (/questions are locked once items are assigned/.test(said))
    return new QuestionsLockedError(error);
  return error;
}

/** The ids in a Python list's text: `'tr-1', 'tr-2'` → ['tr-1', 'tr-2']. */
function quotedIds(text: string): string[] {
  return [...text.matchAll(/'([^']*)'/g)].map((m) => m[1] ?? '').filter((id) => id !== '');
}

/** As in client.ts: a 404 that is not MLflow's own "does not exist" means no such route. */
function isMissingRoute(error: MlflowApiError): boolean {
  return (
    error.status === 404 &&
    (error.errorCode === undefined || error.errorCode === 'ENDPOINT_NOT_FOUND')
  );
}

// ---- wire ↔ domain -------------------------------------------------------------------------

export function toLabelSchema(wire: WireLabelSchema): LabelSchema {
  return {
    schemaId: wire.schema_id,
    experimentId: asExperimentId(wire.experiment_id),
    name: wire.name,
    kind: wire.type === 'FEEDBACK' ? 'feedback' : 'expectation',
    ...(wire.instruction !== undefined ? { instruction: wire.instruction } : {}),
    enableComment: wire.enable_comment ?? false,
    input: toLabelInput(wire.input ?? {}),
    ...(wire.created_by !== undefined ? { createdBy: wire.created_by } : {}),
    ...(wire.created_at !== undefined ? { createdAt: wire.created_at } : {}),
    ...(wire.last_updated_at !== undefined ? { lastUpdatedAt: wire.last_updated_at } : {}),
    isDefault: wire.is_default ?? false,
  };
}

/** The input oneof; a variant this client does not know (or a malformed one) is `unsupported`. */
export function toLabelInput(input: Record<string, unknown>): LabelInput {
  const variant = Object.keys(input)[0] ?? '(none)';
  const parsed = wireInput.safeParse(input);
  if (!parsed.success) return { type: 'unsupported', variant };
  const { pass_fail, categorical, numeric, text } = parsed.data;
  if (pass_fail)
    return {
      type: 'passFail',
      positiveLabel: pass_fail.positive_label,
      negativeLabel: pass_fail.negative_label,
    };
  if (categorical)
    return {
      type: 'categorical',
      options: categorical.options ?? [],
      multiSelect: categorical.multi_select ?? false,
    };
  if (numeric)
    return {
      type: 'numeric',
      ...(numeric.min_value !== undefined ? { minValue: numeric.min_value } : {}),
      ...(numeric.max_value !== undefined ? { maxValue: numeric.max_value } : {}),
    };
  if (text)
    return {
      type: 'text',
      ...(text.max_length !== undefined ? { maxLength: text.max_length } : {}),
    };
  return { type: 'unsupported', variant };
}

export function toWireInput(input: LabelInputSpec): Record<string, unknown> {
  switch (input.type) {
    case 'passFail':
      return {
        pass_fail: { positive_label: input.positiveLabel, negative_label: input.negativeLabel },
      };
    case 'categorical':
      // As MLflow's UI sends it: multi_select only when set (false is the default).
      return {
        categorical: {
          options: input.options,
          ...(input.multiSelect ? { multi_select: true } : {}),
        },
      };
    case 'numeric':
      return {
        numeric: {
          ...(input.minValue !== undefined ? { min_value: input.minValue } : {}),
          ...(input.maxValue !== undefined ? { max_value: input.maxValue } : {}),
        },
      };
    case 'text':
      return { text: input.maxLength !== undefined ? { max_length: input.maxLength } : {} };
  }
}

export function toReviewQueue(wire: WireReviewQueue): ReviewQueue {
  return {
    queueId: wire.queue_id,
    experimentId: asExperimentId(wire.experiment_id),
    name: wire.name,
    queueType: wire.queue_type === 'USER' ? 'user' : 'custom',
    ...(wire.created_by !== undefined ? { createdBy: wire.created_by } : {}),
    creationTimeMs: wire.creation_time_ms,
    lastUpdateTimeMs: wire.last_update_time_ms,
    users: wire.users ?? [],
    schemaIds: wire.schema_ids ?? [],
  };
}

export function toQueueItem(wire: WireReviewQueueItem): ReviewQueueItem {
  return {
    queueId: wire.queue_id,
    traceId: asTraceId(wire.item_id),
    status: wire.status.toLowerCase() as ReviewStatus,
    ...(wire.completed_by !== undefined ? { completedBy: wire.completed_by } : {}),
    ...(wire.completed_time_ms !== undefined ? { completedTimeMs: wire.completed_time_ms } : {}),
    creationTimeMs: wire.creation_time_ms,
    lastUpdateTimeMs: wire.last_update_time_ms,
  };
}

// ---- requests ------------------------------------------------------------------------------

function get(route: string, params: Record<string, string | number | undefined>): HttpRequest {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== '') query.set(key, String(value));
  return { method: 'GET', path: `${REVIEW}${route}?${query.toString()}`, safeToRetry: true };
}

function pageSize(maxResults: number | undefined): number | undefined {
  if (maxResults === undefined) return undefined;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_PAGE)
    throw new MlflowInputError(
      `maxResults must be a whole number from 1 to ${MAX_PAGE}; got ${maxResults}.`,
    );
  return maxResults;
}

function assertUsers(users: string[] | undefined): void {
  if (users && new Set(users.map((u) => u.trim().toLowerCase())).size > MAX_QUEUE_USERS)
    throw new MlflowInputError(
      `A review queue has at most ${MAX_QUEUE_USERS} reviewers; ${users.length} were given.`,
    );
}

function assertTraceIds(traceIds: string[]): void {
  if (traceIds.length === 0) throw new MlflowInputError('Give at least one trace.');
  const long = traceIds.find((id) => id.trim().length > MAX_ITEM_ID_LENGTH);
  if (long !== undefined)
    throw new MlflowInputError(
      `A queue item is a trace id of at most ${MAX_ITEM_ID_LENGTH} characters; "${long.slice(0, 60)}…" is longer.`,
    );
}

function page<T>(items: T[], token: string | undefined): Page<T> {
  return token ? { items, nextPageToken: token } : { items };
}
