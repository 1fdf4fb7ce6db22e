/**
 * The shared MLflow client: every route the extension uses, one method each, with the same
 * semantics as MLflow's Python API for assessments (`log_feedback`, `log_expectation`,
 * `log_assessment`, `get_assessment`, `update_assessment`, `delete_assessment`,
 * `override_feedback`). Requests go through HttpTransport; responses are checked by schemas.ts
 * and returned as the domain types of types.ts.
 */
import {
  assertMetadataHasNoNul,
  assertName,
  assertNoNul,
  parseTraceInfo,
  toAssessment,
  toExperiment,
  toWireExpectation,
  toWireFeedback,
  toWireNewAssessment,
} from './convert';
import {
  MlflowApiError,
  MlflowInputError,
  MlflowRouteNotFoundError,
  MlflowServerTooOldError,
} from './errors';
import {
  HttpTransport,
  parseJsonBody,
  type HttpRequest,
  type NetworkSummary,
  type TransportOptions,
} from './http';
import { idProblem, isSpanId } from './ids';
import {
  assessmentResponse,
  currentUserResponse,
  getTraceInfoResponse,
  parseWire,
  searchExperimentsResponse,
  searchTracesResponse,
} from './schemas';
import { DatasetsClient } from './datasets';
import { ReviewClient } from './review';
import { parseTraceData } from './spans';
import type {
  Assessment,
  AssessmentInput,
  AssessmentUpdate,
  Experiment,
  Feedback,
  LogExpectationInput,
  LogFeedbackInput,
  OverrideFeedbackInput,
  Page,
  SearchExperimentsInput,
  SearchTracesInput,
  Span,
  TraceInfo,
} from './types';
import { stringifyMetadata } from './values';
import type * as z from './zod';

export type MlflowClientOptions = TransportOptions;

const TRACES = '/api/3.0/mlflow/traces';
const MAX_TRACES_PAGE = 500;

export class MlflowClient {
  private readonly http: HttpTransport;
  /** Label schemas, review queues and their items (MLflow 3.14 and later): review.ts. */
  readonly review: ReviewClient;
  /** Evaluation datasets: datasets.ts. */
  readonly datasets: DatasetsClient;

  constructor(options: MlflowClientOptions) {
    this.http = new HttpTransport(options);
    this.review = new ReviewClient(this.http);
    this.datasets = new DatasetsClient(this.http);
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  // ---- server ------------------------------------------------------------------------------

  /** The server's version string (`GET /version`), e.g. "3.18.0". */
  /** Which proxy, CA file and client certificate this client uses (never a secret). */
  get network(): NetworkSummary {
    return this.http.network;
  }

  async getServerVersion(signal?: AbortSignal): Promise<string> {
    const res = await this.http.send({
      method: 'GET',
      path: '/version',
      safeToRetry: true,
      ...(signal ? { signal } : {}),
    });
    return res.text.trim();
  }

  /** The signed-in user on a server started with `--app-name basic-auth`. */
  async getCurrentUser(): Promise<{ username: string; isAdmin: boolean }> {
    const data = await this.json(currentUserResponse, {
      method: 'GET',
      path: '/api/2.0/mlflow/users/current',
      safeToRetry: true,
    });
    return { username: data.user.username, isAdmin: data.user.is_admin ?? false };
  }

  // ---- experiments and traces ---------------------------------------------------------------

  async searchExperiments(input: SearchExperimentsInput = {}): Promise<Page<Experiment>> {
    const data = await this.json(searchExperimentsResponse, {
      method: 'POST',
      path: '/api/2.0/mlflow/experiments/search',
      // Always sent: the server rejects 0, which is what an absent field would parse to.
      body: {
        max_results: input.maxResults ?? 1000,
        ...(input.filter ? { filter: input.filter } : {}),
        ...(input.orderBy ? { order_by: input.orderBy } : {}),
        ...(input.pageToken ? { page_token: input.pageToken } : {}),
        ...(input.viewType ? { view_type: input.viewType } : {}),
      },
      safeToRetry: true,
    });
    return page((data.experiments ?? []).map(toExperiment), data.next_page_token);
  }

  /** One page of trace infos (with their assessments), newest first unless `orderBy` says otherwise. */
  async searchTraces(input: SearchTracesInput, signal?: AbortSignal): Promise<Page<TraceInfo>> {
    const maxResults = input.maxResults ?? 100;
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_TRACES_PAGE) {
      throw new MlflowInputError(
        `maxResults must be a whole number from 1 to ${MAX_TRACES_PAGE}; got ${maxResults}.`,
      );
    }
    if (input.experimentIds.length === 0)
      throw new MlflowInputError('Search traces in at least one experiment.');
    const request: HttpRequest = {
      method: 'POST',
      path: `${TRACES}/search`,
      body: {
        locations: input.experimentIds.map((id) => ({
          type: 'MLFLOW_EXPERIMENT',
          mlflow_experiment: { experiment_id: id },
        })),
        max_results: maxResults,
        order_by: input.orderBy ?? ['timestamp_ms DESC'],
        ...(input.filter ? { filter: input.filter } : {}),
        ...(input.pageToken ? { page_token: input.pageToken } : {}),
      },
      // A search changes nothing, even though it is a POST.
      safeToRetry: true,
      ...(signal ? { signal } : {}),
    };
    const data = await this.json(searchTracesResponse, request, {
      tracesRoute: true,
      byRecord: true,
    });
    const url = this.http.baseUrl + request.path;
    return page(
      (data.traces ?? []).map((t, i) => parseTraceInfo(t, url, i)),
      data.next_page_token,
    );
  }

  /** One trace's info with all its assessments. */
  async getTraceInfo(traceId: string, signal?: AbortSignal): Promise<TraceInfo> {
    const request: HttpRequest = {
      method: 'GET',
      path: `${TRACES}/${seg(traceId, 'trace')}`,
      safeToRetry: true,
      ...(signal ? { signal } : {}),
    };
    const data = await this.json(getTraceInfoResponse, request, {
      tracesRoute: true,
      byRecord: true,
    });
    return parseTraceInfo(data.trace.trace_info, this.http.baseUrl + request.path);
  }

  /**
   * One trace's spans. The server's trace-data route reads them wherever they are stored (the
   * tracking database for traces logged by MLflow 3 clients, the artifact store for older ones).
   */
  async getTraceSpans(traceId: string, signal?: AbortSignal): Promise<Span[]> {
    return (await this.getTraceSpansSized(traceId, signal)).spans;
  }

  /** The spans, and the size of the answer they were read from (for a cache's bound). */
  async getTraceSpansSized(
    traceId: string,
    signal?: AbortSignal,
  ): Promise<{ spans: Span[]; bytes: number }> {
    const request: HttpRequest = {
      method: 'GET',
      path: `/ajax-api/3.0/mlflow/get-trace-artifact?request_id=${seg(traceId, 'trace')}`,
      safeToRetry: true,
      ...(signal ? { signal } : {}),
    };
    const res = await this.send(request, { tracesRoute: true });
    // UTF-16 in memory: about two bytes per character of the answer, before parsing adds more.
    return { spans: parseTraceData(res.text, res.url), bytes: res.text.length * 2 };
  }

  // ---- assessments -------------------------------------------------------------------------

  /** `mlflow.log_feedback`: name defaults to "feedback", source to CODE / "default". */
  logFeedback(input: LogFeedbackInput): Promise<Feedback> {
    const { traceId, ...rest } = input;
    return this.logAssessment(traceId, { kind: 'feedback', ...rest }) as Promise<Feedback>;
  }

  /** `mlflow.log_expectation`: source defaults to HUMAN / "default". */
  logExpectation(input: LogExpectationInput): Promise<Assessment> {
    const { traceId, ...rest } = input;
    return this.logAssessment(traceId, { kind: 'expectation', ...rest });
  }

  /** `mlflow.log_assessment`: a feedback or an expectation. Never retried (it creates). */
  async logAssessment(traceId: string, input: AssessmentInput): Promise<Assessment> {
    if (input.spanId !== undefined) assertSpanId(input.spanId);
    const request: HttpRequest = {
      method: 'POST',
      path: `${TRACES}/${seg(traceId, 'trace')}/assessments`,
      body: { assessment: toWireNewAssessment(traceId, input) },
      safeToRetry: false,
    };
    const data = await this.json(assessmentResponse, request, { tracesRoute: true });
    return toAssessment(data.assessment);
  }

  /** `mlflow.get_assessment`. */
  async getAssessment(traceId: string, assessmentId: string): Promise<Assessment> {
    const request: HttpRequest = {
      method: 'GET',
      path: assessmentPath(traceId, assessmentId),
      safeToRetry: true,
    };
    const data = await this.json(assessmentResponse, request, { tracesRoute: true });
    return toAssessment(data.assessment);
  }

  /**
   * `mlflow.update_assessment`: changes the given fields in place. Source, span, overrides and
   * validity cannot change; metadata is merged into what is there.
   */
  async updateAssessment(
    traceId: string,
    assessmentId: string,
    update: AssessmentUpdate,
  ): Promise<Assessment> {
    if (update.feedback && update.expectation) {
      throw new MlflowInputError(
        'Update either the feedback value or the expectation value, not both.',
      );
    }
    assertNoNul({
      rationale: update.rationale,
      'error code': update.feedback?.error?.errorCode,
      'error message': update.feedback?.error?.errorMessage,
      'stack trace': update.feedback?.error?.stackTrace,
    });
    const assessment: Record<string, unknown> = { assessment_id: assessmentId, trace_id: traceId };
    // The server reads the mask as proto JSON: lowerCamelCase paths; a snake_case path is ignored.
    const mask: string[] = [];
    if (update.name !== undefined) {
      assertName(update.name);
      assessment.assessment_name = update.name;
      mask.push('assessmentName');
    }
    if (update.expectation) {
      assessment.expectation = toWireExpectation(update.expectation.value);
      mask.push('expectation');
    }
    if (update.feedback) {
      assessment.feedback = toWireFeedback(update.feedback.value, update.feedback.error);
      mask.push('feedback');
    }
    if (update.rationale !== undefined) {
      assessment.rationale = update.rationale;
      mask.push('rationale');
    }
    const metadata = stringifyMetadata(update.metadata);
    assertMetadataHasNoNul(metadata);
    if (metadata !== undefined) {
      assessment.metadata = metadata;
      mask.push('metadata');
    }
    if (mask.length === 0)
      throw new MlflowInputError('Nothing to update: give a name, value, rationale or metadata.');
    const request: HttpRequest = {
      method: 'PATCH',
      path: assessmentPath(traceId, assessmentId),
      body: { assessment, update_mask: mask.join(',') },
      safeToRetry: false,
    };
    const data = await this.json(assessmentResponse, request, { tracesRoute: true });
    return toAssessment(data.assessment);
  }

  /**
   * `mlflow.delete_assessment`. Deleting an override makes the feedback it replaced valid again.
   * Retried when safe: the server answers a repeated delete with success.
   */
  async deleteAssessment(traceId: string, assessmentId: string): Promise<void> {
    await this.send(
      { method: 'DELETE', path: assessmentPath(traceId, assessmentId), safeToRetry: true },
      { tracesRoute: true },
    );
  }

  /**
   * `mlflow.override_feedback`: logs a new feedback with the old one's name and span that
   * supersedes it; the server marks the old one invalid in the same transaction.
   */
  async overrideFeedback(input: OverrideFeedbackInput): Promise<Feedback> {
    const old = await this.getAssessment(input.traceId, input.assessmentId);
    if (old.kind !== 'feedback') {
      throw new MlflowInputError(
        `The assessment ${input.assessmentId} is an expectation, not a feedback: only feedback can be overridden. Edit the expectation instead.`,
      );
    }
    return this.logAssessment(input.traceId, {
      kind: 'feedback',
      name: old.name,
      ...(old.spanId ? { spanId: old.spanId } : {}),
      value: input.value,
      ...(input.rationale !== undefined ? { rationale: input.rationale } : {}),
      ...(input.source ? { source: input.source } : {}),
      ...(input.metadata ? { metadata: input.metadata } : {}),
      overrides: old.assessmentId,
    }) as Promise<Feedback>;
  }

  /** Closes pooled connections; the client cannot be used afterwards. */
  close(): Promise<void> {
    return this.http.close();
  }

  // ---- plumbing ----------------------------------------------------------------------------

  private async json<S extends z.ZodMiniType>(
    schema: S,
    request: HttpRequest,
    opts: { tracesRoute?: boolean; byRecord?: boolean } = {},
  ): Promise<z.output<S>> {
    const res = await this.send(request, opts);
    return parseWire(schema, parseJsonBody(res, opts.byRecord), res.url);
  }

  private async send(request: HttpRequest, opts: { tracesRoute?: boolean }) {
    try {
      return await this.http.send(request);
    } catch (error) {
      if (!(opts.tracesRoute && isMissingRoute(error))) throw error;
      // The route is missing: an MLflow older than 3 still answers /version; anything else is
      // not an MLflow server at this URL.
      const version = await this.versionOrUndefined();
      throw version
        ? new MlflowServerTooOldError(error.url, version)
        : new MlflowRouteNotFoundError(error.url);
    }
  }

  private async versionOrUndefined(): Promise<string | undefined> {
    try {
      const version = await this.getServerVersion();
      return /^\d+\.\d+/.test(version) ? version : undefined;
    } catch {
      return undefined;
    }
  }
}

/**
 * A 404 that is not MLflow's own "resource does not exist" error means the route itself is
 * missing (the server answers with an HTML page or an empty body): a server without MLflow 3's
 * trace API.
 */
function isMissingRoute(error: unknown): error is MlflowApiError {
  return (
    error instanceof MlflowApiError &&
    error.status === 404 &&
    (error.errorCode === undefined || error.errorCode === 'ENDPOINT_NOT_FOUND')
  );
}

function assertSpanId(spanId: string): void {
  if (!isSpanId(spanId)) {
    throw new MlflowInputError(
      `A span id is 16 lowercase hex characters (as Span.spanId gives it); got "${spanId}".`,
    );
  }
}

function assessmentPath(traceId: string, assessmentId: string): string {
  return `${TRACES}/${seg(traceId, 'trace')}/assessments/${seg(assessmentId, 'assessment')}`;
}

/**
 * An id as one path segment (or query value), encoded; refused before anything is sent if it
 * would address another route.
 */
function seg(id: string, kind: 'trace' | 'assessment'): string {
  const problem = idProblem(id);
  if (problem) {
    const shown = id.length > 80 ? `${id.slice(0, 80)}…` : id;
    throw new MlflowInputError(
      `The ${kind} id "${shown}" ${problem}: nothing was sent. Check the id.`,
    );
  }
  return encodeURIComponent(id);
}

function page<T>(items: T[], token: string | undefined): Page<T> {
  return token ? { items, nextPageToken: token } : { items };
}
