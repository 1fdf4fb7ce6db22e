/** The Review Queues view's commands: refresh, and "Create My Queue". */
import type { ReviewQueue } from '../mlflow';
import { plain } from '../shared/format';
import { notify } from '../ui/notify';
import type { CommandArgs } from './args';
import type { CommandContext } from './context';
import { pick } from './prompts';

/**
 * MLflow: Refresh Review Queues: the identity, the queues and their items loaded again, and any
 * experiment made since the list was loaded.
 */
export async function refreshQueues(ctx: CommandContext): Promise<void> {
  try {
    await ctx.store.pollExperiments();
  } finally {
    ctx.queues.refresh();
  }
}

/**
 * MLflow: Create My Queue: the reviewer's own queue in the experiment (the server's
 * get-or-create: the queue there already, or a new one named after the reviewer).
 */
export async function createMyQueue(
  ctx: CommandContext,
  experimentId: CommandArgs['createMyQueue'],
): Promise<ReviewQueue> {
  const experiment = experimentId ?? (await pickExperiment(ctx, 'Create My Queue'));
  const queue = await ctx.queues.model.createMyQueue(experiment);
  notify(`Your review queue "${plain(queue.name)}" is ready.`);
  return queue;
}

/** The only experiment shown, else the person picks one. */
export async function pickExperiment(
  ctx: CommandContext,
  title: string,
): Promise<CommandArgs['createMyQueue'] & string> {
  const experiments = await ctx.store.experiments();
  const only = experiments.length === 1 ? experiments[0] : undefined;
  if (only) return only.experimentId;
  if (experiments.length === 0)
    throw new Error('No experiment is shown: choose one with "MLflow: Select Experiments…".');
  const chosen = await pick(
    { title },
    experiments.map((e) => ({
      label: plain(e.name),
      description: e.experimentId,
      experimentId: e.experimentId,
    })),
    { placeHolder: 'Which experiment?' },
  );
  return chosen.experimentId;
}
