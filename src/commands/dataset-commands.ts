/**
 * MLflow: Add to Evaluation Dataset…: traces (the selected rows, ids, or one picked) become
 * records of an evaluation dataset of their experiment, picked from the server's list or
 * created: each record is what MLflow's `merge_records([trace])` makes of the trace (its root
 * span's inputs and outputs, its valid expectations, the trace as source). The server keys
 * records on their inputs, so adding a trace again updates its record.
 */
import * as vscode from 'vscode';
import {
  inputsOnly,
  traceToRecord,
  type DatasetRecordInput,
  type EvaluationDataset,
  type ExperimentId,
  type TraceInfo,
  type UpsertResult,
} from '../mlflow';
import { plain, traceName } from '../shared/format';
import { Cancelled } from '../util/cancelled';
import type { CommandArgs } from './args';
import type { CommandContext } from './context';
import { input, pick } from './prompts';
import { resolveTraces } from './queue-commands';

export interface AddToDatasetResult extends UpsertResult {
  datasetId: string;
  /** Traces left out: without expectations (when told to skip them) or without usable inputs. */
  skipped: { traceId: string; why: string }[];
}

export async function addToEvaluationDataset(
  ctx: CommandContext,
  args: CommandArgs['addToEvaluationDataset'],
): Promise<AddToDatasetResult | undefined> {
  const title = 'Add to Evaluation Dataset';
  // The palette or the panel's title bar, with a trace panel in front: that panel's trace.
  const inPanel = args.traces.length === 0 ? ctx.traces.activeTraceId() : undefined;
  const traces = await resolveTraces(ctx, inPanel ? [{ traceId: inPanel }] : args.traces, title);
  const first = traces[0];
  if (!first) throw new Error('No trace to add.');
  const experimentId = first.experimentId ?? (await ctx.store.getTrace(first.traceId)).experimentId;
  if (!experimentId) throw new Error('The trace has no experiment: it has no datasets to go into.');
  const other = traces.find((t) => t.experimentId !== experimentId);
  if (other)
    throw new Error(
      `The traces belong to different experiments (${other.traceId} is not in experiment ${experimentId}): add each experiment's traces to its own dataset.`,
    );
  const what = traces.length === 1 ? plain(traceName(first)) : `${traces.length} traces`;

  const { records, skipped, withoutExpectations } = await buildRecords(ctx, traces);
  let chosen = records;
  if (withoutExpectations.length > 0) {
    const answer = args.withoutExpectations ?? (await askWithoutExpectations(withoutExpectations));
    if (answer === 'skip') {
      for (const t of withoutExpectations) skipped.push({ traceId: t, why: 'no expectations' });
      chosen = records.filter((r) => !withoutExpectations.includes(traceIdOf(r)));
    }
  }
  if (chosen.length === 0) {
    void vscode.window.showInformationMessage(
      `Nothing was added: ${skipped.map((s) => `${s.traceId} (${s.why})`).join(', ')}.`,
    );
    return undefined;
  }
  const dataset = args.datasetId
    ? { datasetId: args.datasetId, name: args.datasetId }
    : await pickDataset(ctx, experimentId, { title, subject: what });
  const result = await ctx.connection.client.datasets.upsertRecords(dataset.datasetId, chosen);
  const skippedText =
    skipped.length > 0
      ? `; ${skipped.length} skipped (${skipped.map((s) => s.why).join(', ')})`
      : '';
  void vscode.window.showInformationMessage(
    `Evaluation dataset "${plain(dataset.name)}": ${result.inserted} record${result.inserted === 1 ? '' : 's'} added, ${result.updated} updated${skippedText}.`,
  );
  return { ...result, datasetId: dataset.datasetId, skipped };
}

async function buildRecords(
  ctx: CommandContext,
  traces: TraceInfo[],
): Promise<{
  records: DatasetRecordInput[];
  skipped: { traceId: string; why: string }[];
  withoutExpectations: string[];
}> {
  const records: DatasetRecordInput[] = [];
  const skipped: { traceId: string; why: string }[] = [];
  const withoutExpectations: string[] = [];
  const reviewer = ctx.connection.settings.reviewer;
  for (const listed of traces) {
    // Read from the server: the loaded row may predate an expectation logged elsewhere since.
    const trace = await ctx.store.refreshTrace(listed.traceId);
    const made = traceToRecord(trace, await ctx.store.spansOf(trace), reviewer);
    if (!made.ok) {
      skipped.push({ traceId: trace.traceId, why: made.problem });
      continue;
    }
    if (made.expectationCount === 0) withoutExpectations.push(trace.traceId);
    records.push(made.expectationCount === 0 ? inputsOnly(made.record) : made.record);
  }
  return { records, skipped, withoutExpectations };
}

function traceIdOf(record: DatasetRecordInput): string {
  const id = record.source?.sourceData.trace_id;
  return typeof id === 'string' ? id : '';
}

async function askWithoutExpectations(traceIds: string[]): Promise<'inputsOnly' | 'skip'> {
  const which =
    traceIds.length === 1 ? `Trace ${traceIds[0] ?? ''} has` : `${traceIds.length} traces have`;
  const inputsOnlyLabel = 'Add with Inputs Only';
  const answer = await vscode.window.showWarningMessage(
    `${which} no expectations (ground truth). Add ${traceIds.length === 1 ? 'it' : 'them'} with inputs only, or skip ${traceIds.length === 1 ? 'it' : 'them'}?`,
    { modal: true },
    inputsOnlyLabel,
    'Skip',
  );
  if (answer === undefined) throw new Cancelled();
  return answer === inputsOnlyLabel ? 'inputsOnly' : 'skip';
}

async function pickDataset(
  ctx: CommandContext,
  experimentId: ExperimentId,
  info: { title: string; subject: string },
): Promise<EvaluationDataset> {
  const { datasets } = ctx.connection.client;
  const page = await datasets.searchDatasets({ experimentIds: [experimentId] });
  const rows: { label: string; description: string; dataset?: EvaluationDataset }[] =
    page.items.map((dataset) => ({
      label: plain(dataset.name),
      description: dataset.datasetId,
      dataset,
    }));
  rows.push({ label: '$(add) Create Dataset…', description: `in experiment ${experimentId}` });
  const chosen = await pick(info, rows, { placeHolder: 'Which evaluation dataset?' });
  // A name typed for a creation that failed comes back with "Try Again". A creation whose answer
  // was lost may have been made: its name is then taken, and the list above offers the dataset.
  const draftKey = `datasetName:${experimentId}`;
  if (chosen.dataset) {
    ctx.drafts.delete(draftKey);
    return chosen.dataset;
  }
  const draft = ctx.drafts.get(draftKey);
  const taken = new Set(page.items.map((d) => d.name.trim()));
  const name = await input(info, {
    prompt: 'The new evaluation dataset’s name',
    ...(typeof draft === 'string' ? { value: draft } : {}),
    validate: (text) =>
      text.trim() === ''
        ? 'Give the dataset a name.'
        : taken.has(text.trim())
          ? `A dataset named "${plain(text.trim())}" is already in this experiment: pick it from the list, or give another name.`
          : undefined,
  });
  ctx.drafts.set(draftKey, name);
  const made = await datasets.createDataset({
    name: name.trim(),
    experimentIds: [experimentId],
    tags: { 'mlflow.user': ctx.connection.settings.reviewer },
  });
  ctx.drafts.delete(draftKey);
  return made;
}
