/**
 * MLflow's evaluation dataset routes (3.18: `/api/3.0/mlflow/datasets/…`), as
 * `mlflow.genai.datasets` and its REST store use them: search an experiment's datasets, create
 * one, add records (an upsert the server keys on the records' inputs), read records back. Same
 * conventions as review.ts: one HttpTransport, zod-checked answers, typed errors. Reached as
 * `MlflowClient.datasets`.
 *
 * Retried: reads and the search (a POST that changes nothing). Never a create (a repeat makes a
 * second dataset of the same name) nor an upsert (a repeat would report inserted records as
 * updated ones).
 */
import {
  DatasetNotFoundError,
  DatasetPermissionError,
  MlflowDatasetsUnsupportedError,
  type DatasetAction,
} from './dataset-errors';
import {
  datasetRecordList,
  datasetResponse,
  datasetTags,
  getRecordsResponse,
  searchDatasetsResponse,
  upsertRecordsResponse,
  wireDatasetRecord,
  type WireDataset,
  type WireDatasetRecord,
} from './dataset-schemas';
import type {
  DatasetRecord,
  DatasetRecordInput,
  EvaluationDataset,
  UpsertResult,
} from './dataset-types';
import {
  MlflowApiError,
  MlflowInputError,
  MlflowResponseError,
  MlflowRouteNotFoundError,
} from './errors';
import { parseJsonBody, type HttpRequest, type HttpTransport } from './http';
import { asExperimentId } from './ids';
import { parseWire } from './schemas';
import type { Page } from './types';
import type * as z from './zod';

const DATASETS = '/api/3.0/mlflow/datasets';
/** The server's own default page of records (GetDatasetRecords). */
const RECORDS_PAGE = 1000;
/** Pages followed by listRecords before it stops: a million records. */
const MAX_RECORD_PAGES = 1000;

export class DatasetsClient {
  constructor(private readonly http: HttpTransport) {}

  /** One page of the datasets of the experiments, as the server orders them (newest first). */
  async searchDatasets(input: {
    experimentIds: string[];
    maxResults?: number;
    pageToken?: string;
  }): Promise<Page<EvaluationDataset>> {
    if (input.experimentIds.length === 0)
      throw new MlflowInputError('Search datasets in at least one experiment.');
    const data = await this.json(
      searchDatasetsResponse,
      {
        method: 'POST',
        path: `${DATASETS}/search`,
        body: {
          experiment_ids: input.experimentIds,
          max_results: input.maxResults ?? 1000,
          ...(input.pageToken ? { page_token: input.pageToken } : {}),
        },
        // A search changes nothing, even though it is a POST.
        safeToRetry: true,
      },
      'read',
    );
    const url = this.http.baseUrl + DATASETS + '/search';
    const items = (data.datasets ?? []).map((d) => toDataset(d, url));
    return data.next_page_token ? { items, nextPageToken: data.next_page_token } : { items };
  }

  async getDataset(datasetId: string): Promise<EvaluationDataset> {
    const path = `${DATASETS}/${seg(datasetId)}`;
    const data = await this.json(
      datasetResponse,
      { method: 'GET', path, safeToRetry: true },
      'read',
      datasetId,
    );
    return toDataset(data.dataset, this.http.baseUrl + path);
  }

  /** `mlflow.genai.datasets.create_dataset`: a name, the experiments it belongs to, tags. */
  async createDataset(input: {
    name: string;
    experimentIds: string[];
    tags?: Record<string, string>;
  }): Promise<EvaluationDataset> {
    if (input.name.trim() === '') throw new MlflowInputError('A dataset needs a name.');
    const data = await this.json(
      datasetResponse,
      {
        method: 'POST',
        path: `${DATASETS}/create`,
        body: {
          name: input.name,
          experiment_ids: input.experimentIds,
          // The server reads tags as a JSON string.
          ...(input.tags && Object.keys(input.tags).length > 0
            ? { tags: JSON.stringify(input.tags) }
            : {}),
        },
        safeToRetry: false,
      },
      'create',
    );
    return toDataset(data.dataset, this.http.baseUrl + DATASETS + '/create');
  }

  /**
   * Adds records, or updates those whose inputs the dataset already has (the server keys
   * records on the SHA-256 of their inputs as sorted JSON: expectations and tags are merged,
   * outputs replaced, the source kept). As `merge_records` does, the dataset is read first, so
   * that a deleted dataset is a DatasetNotFoundError before anything is written.
   */
  async upsertRecords(datasetId: string, records: DatasetRecordInput[]): Promise<UpsertResult> {
    if (records.length === 0) throw new MlflowInputError('Give at least one record.');
    await this.getDataset(datasetId);
    const data = await this.json(
      upsertRecordsResponse,
      {
        method: 'POST',
        path: `${DATASETS}/${seg(datasetId)}/records`,
        // The records travel as one JSON string inside the JSON body.
        body: { records: JSON.stringify(records.map(toWireRecord)) },
        safeToRetry: false,
      },
      'add records',
      datasetId,
    );
    return { inserted: data.inserted_count ?? 0, updated: data.updated_count ?? 0 };
  }

  /** One page of the dataset's records. */
  async getRecords(
    datasetId: string,
    options: { maxResults?: number; pageToken?: string } = {},
  ): Promise<Page<DatasetRecord>> {
    const query = new URLSearchParams({ max_results: String(options.maxResults ?? RECORDS_PAGE) });
    if (options.pageToken) query.set('page_token', options.pageToken);
    const path = `${DATASETS}/${seg(datasetId)}/records?${query.toString()}`;
    const data = await this.json(
      getRecordsResponse,
      { method: 'GET', path, safeToRetry: true },
      'read',
      datasetId,
    );
    const url = this.http.baseUrl + path;
    const items = parseRecords(data.records ?? '[]', url);
    return data.next_page_token ? { items, nextPageToken: data.next_page_token } : { items };
  }

  /** Every record of the dataset, following the pages. */
  async listRecords(datasetId: string): Promise<DatasetRecord[]> {
    const all: DatasetRecord[] = [];
    let pageToken: string | undefined;
    for (let i = 0; i < MAX_RECORD_PAGES; i++) {
      const next = await this.getRecords(datasetId, pageToken ? { pageToken } : {});
      all.push(...next.items);
      pageToken = next.nextPageToken;
      if (!pageToken) break;
    }
    return all;
  }

  // ---- plumbing ----------------------------------------------------------------------------

  private async json<S extends z.ZodMiniType>(
    schema: S,
    request: HttpRequest,
    action: DatasetAction,
    datasetId?: string,
  ): Promise<z.output<S>> {
    let res;
    try {
      res = await this.http.send(request);
    } catch (error) {
      if (!(error instanceof MlflowApiError)) throw error;
      throw await this.toDatasetError(error, action, datasetId);
    }
    return parseWire(schema, parseJsonBody(res), res.url);
  }

  private async toDatasetError(
    error: MlflowApiError,
    action: DatasetAction,
    datasetId: string | undefined,
  ): Promise<Error> {
    if (error.status === 403) return new DatasetPermissionError(error, action);
    if (error.status === 404 && error.errorCode === 'RESOURCE_DOES_NOT_EXIST' && datasetId)
      return new DatasetNotFoundError(error, datasetId);
    if (error.status === 404 && (!error.errorCode || error.errorCode === 'ENDPOINT_NOT_FOUND')) {
      const version = await this.versionOrUndefined();
      return version
        ? new MlflowDatasetsUnsupportedError(error.url, version)
        : new MlflowRouteNotFoundError(error.url);
    }
    return error;
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

// ---- wire ↔ domain -------------------------------------------------------------------------

export function toDataset(wire: WireDataset, url: string): EvaluationDataset {
  return {
    datasetId: wire.dataset_id,
    name: wire.name,
    experimentIds: (wire.experiment_ids ?? []).map(asExperimentId),
    tags: wire.tags ? parseWire(datasetTags, jsonText(wire.tags, url, 'dataset.tags'), url) : {},
    ...(wire.created_time !== undefined ? { createdTimeMs: Number(wire.created_time) } : {}),
    ...(wire.last_update_time !== undefined
      ? { lastUpdateTimeMs: Number(wire.last_update_time) }
      : {}),
    ...(wire.created_by ? { createdBy: wire.created_by } : {}),
    ...(wire.last_updated_by ? { lastUpdatedBy: wire.last_updated_by } : {}),
    ...(wire.digest ? { digest: wire.digest } : {}),
  };
}

export function toWireRecord(record: DatasetRecordInput): Record<string, unknown> {
  return {
    inputs: record.inputs,
    ...('outputs' in record ? { outputs: record.outputs ?? null } : {}),
    ...(record.expectations ? { expectations: record.expectations } : {}),
    ...(record.tags ? { tags: record.tags } : {}),
    ...(record.source
      ? {
          source: {
            source_type: record.source.sourceType,
            source_data: record.source.sourceData,
          },
        }
      : {}),
  };
}

function parseRecords(text: string, url: string): DatasetRecord[] {
  const list = parseWire(datasetRecordList, jsonText(text, url, 'records'), url);
  return list.map((raw, i) => toRecord(parseWire(wireDatasetRecord, raw, `${url} (record ${i})`)));
}

function toRecord(wire: WireDatasetRecord): DatasetRecord {
  return {
    recordId: wire.dataset_record_id,
    datasetId: wire.dataset_id,
    inputs: wire.inputs,
    ...(wire.outputs !== undefined ? { outputs: wire.outputs } : {}),
    expectations: wire.expectations ?? {},
    tags: wire.tags ?? {},
    ...(wire.source
      ? {
          source: {
            sourceType: wire.source.source_type,
            sourceData: wire.source.source_data ?? {},
          },
        }
      : {}),
    ...(wire.source_id ? { sourceId: wire.source_id } : {}),
    ...(wire.source_type ? { sourceType: wire.source_type } : {}),
    createdTimeMs: Number(wire.created_time),
    lastUpdateTimeMs: Number(wire.last_update_time),
    ...(wire.created_by ? { createdBy: wire.created_by } : {}),
    ...(wire.last_updated_by ? { lastUpdatedBy: wire.last_updated_by } : {}),
  };
}

function jsonText(text: string, url: string, field: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new MlflowResponseError(url, field, 'is not JSON text');
  }
}

/** A dataset id as one path segment; refused before sending if it could address another route. */
function seg(id: string): string {
  if (id.trim() === '' || id.includes('/') || id === '.' || id === '..')
    throw new MlflowInputError(
      `The dataset id "${id.slice(0, 80)}" is not valid: nothing was sent.`,
    );
  return encodeURIComponent(id);
}
