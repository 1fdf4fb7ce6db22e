/**
 * The failures of the evaluation dataset routes, each with a message that says what to do. Every
 * class but the first is an MlflowApiError, so code that handles those (status, a 401's sign-in)
 * keeps working.
 */
import { MlflowApiError, MlflowError } from './errors';

/** The server has no dataset routes: an older MLflow, or something in between blocks them. */
export class MlflowDatasetsUnsupportedError extends MlflowError {
  constructor(
    readonly url: string,
    readonly serverVersion: string,
  ) {
    super(
      `The MLflow server at ${new URL(url).origin} (version ${serverVersion}) has no evaluation ` +
        `dataset routes (no route for ${new URL(url).pathname}). Upgrade the server to MLflow 3.4 ` +
        'or later, or check that nothing between you and the server blocks /api/3.0/mlflow/datasets.',
    );
  }
}

abstract class DatasetApiError extends MlflowApiError {
  constructor(original: MlflowApiError, message: string) {
    super(
      original.status,
      original.errorCode,
      original.serverMessage,
      original.method,
      original.url,
    );
    this.message = message;
  }
}

/** The dataset is gone (deleted meanwhile) or the id is wrong. */
export class DatasetNotFoundError extends DatasetApiError {
  constructor(
    original: MlflowApiError,
    readonly datasetId: string,
  ) {
    super(
      original,
      `The evaluation dataset ${datasetId} was not found (404): it may have been deleted. Nothing was added: choose another dataset or create one.`,
    );
  }
}

export type DatasetAction = 'read' | 'create' | 'add records';

/** The server refused (403). */
export class DatasetPermissionError extends DatasetApiError {
  constructor(
    original: MlflowApiError,
    readonly action: DatasetAction,
  ) {
    const why: Record<DatasetAction, string> = {
      read: 'reading an evaluation dataset takes READ permission on every experiment it belongs to',
      create: 'creating an evaluation dataset takes EDIT permission on its experiments',
      'add records':
        'adding records to an evaluation dataset takes EDIT permission on every experiment it belongs to',
    };
    super(
      original,
      `Not allowed (403): ${why[action]}. Ask an administrator of the MLflow server for it. The server said: ${original.serverMessage}`,
    );
  }
}
