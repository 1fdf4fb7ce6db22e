/** The shared MLflow client's public surface; also built alone as dist/mlflow-client.js. */
export { MlflowClient, type MlflowClientOptions } from './client';
export { DEFAULT_FEEDBACK_NAME, sourceOrDefault } from './convert';
export * from './dataset-errors';
export * from './dataset-types';
export { DatasetsClient } from './datasets';
export { inputsOnly, traceToRecord, type TraceRecord } from './dataset-records';
export * from './errors';
export * from './filters';
export * from './ids';
export { ReviewClient, type TraceInfoBatch } from './review';
export * from './review-errors';
export * from './review-types';
export type {
  ClientCertificate,
  Credentials,
  CredentialsProvider,
  NetworkSummary,
  ProxyOptions,
  ProxyRoute,
  RequestLogEntry,
  RetryPolicy,
  TransportOptions,
} from './http';
export { spanIdToHex } from './spans';
export * from './types';
export { pythonJsonDumps, pythonStr } from './values';
