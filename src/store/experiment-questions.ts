/**
 * The experiment's questions (MLflow label schemas) that the everyday flows offer first: Log
 * Feedback the feedback ones, Log Expectation the expectation ones. A server older than MLflow
 * 3.14 has none (its review routes answer 404): that answer is kept per client (a client is one
 * server and its settings), so the flows fall back to free-form names without asking again. Any
 * other failure also falls back (the flow works without questions), and is logged. No `vscode`.
 */
import {
  MlflowReviewUnsupportedError,
  type LabelSchema,
  type LabelSchemaKind,
  type ReviewClient,
} from '../mlflow';

interface ReviewSource {
  readonly review: Pick<ReviewClient, 'listAllLabelSchemas'>;
}

export class ExperimentQuestions {
  /** The clients whose server has no review routes. */
  private readonly unsupported = new WeakSet<ReviewSource>();

  constructor(private readonly log: (message: string) => void) {}

  /** The experiment's questions of that kind (none on an old server or when they cannot be read). */
  async of(
    client: ReviewSource,
    experimentId: string | undefined,
    kind: LabelSchemaKind,
  ): Promise<LabelSchema[]> {
    if (experimentId === undefined || this.unsupported.has(client)) return [];
    try {
      const all = await client.review.listAllLabelSchemas(experimentId);
      return all.filter((s) => s.kind === kind);
    } catch (error) {
      if (error instanceof MlflowReviewUnsupportedError) this.unsupported.add(client);
      else
        this.log(
          `The experiment's questions could not be read; offering free-form names only: ${error instanceof Error ? error.message : String(error)}`,
        );
      return [];
    }
  }
}
