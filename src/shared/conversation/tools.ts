/**
 * The tools offered to a model, from a request's `tools` in OpenAI chat ({type, function}),
 * OpenAI Responses ({type: "function", name}, or built-in tools by type), Anthropic
 * ({name, input_schema}), Gemini ({function_declarations}) and Bedrock
 * ({toolSpec: {inputSchema: {json}}}) shapes, and from MLflow's `mlflow.chat.tools` attribute.
 */
import type { JsonValue } from '../../mlflow/types';
import { isRecord, parseArguments, str, without, type JsonRecord, type ToolSpec } from './model';

/** The tools in `value` (a list of tools, or an object holding `tools`), or undefined. */
export function readTools(value: JsonValue | undefined): ToolSpec[] | undefined {
  try {
    const parsed = typeof value === 'string' ? parseArguments(value) : value;
    const list = isRecord(parsed) && Array.isArray(parsed.tools) ? parsed.tools : parsed;
    if (!Array.isArray(list) || list.length === 0) return undefined;
    const tools: ToolSpec[] = [];
    for (const entry of list) tools.push(...readTool(entry));
    return tools.length > 0 ? tools : undefined;
  } catch {
    return undefined;
  }
}

function readTool(entry: JsonValue): ToolSpec[] {
  if (!isRecord(entry)) return [];
  if (isRecord(entry.function)) return spec(entry.function);
  if (isRecord(entry.toolSpec)) {
    const schema = entry.toolSpec.inputSchema;
    return spec(
      entry.toolSpec,
      isRecord(schema) && schema.json !== undefined ? schema.json : schema,
    );
  }
  const declarations = entry.function_declarations ?? entry.functionDeclarations;
  if (Array.isArray(declarations)) return declarations.flatMap((d) => (isRecord(d) ? spec(d) : []));
  if (typeof entry.name === 'string') return spec(entry);
  // A provider's built-in tool (web_search, code_interpreter, …): named by its type.
  const type = str(entry.type);
  if (type !== undefined) {
    const parameters = without(entry, ['type']);
    return [{ name: type, ...(parameters ? { parameters } : {}) }];
  }
  return [];
}

function spec(fn: JsonRecord, schema?: JsonValue): ToolSpec[] {
  const name = str(fn.name);
  if (name === undefined) return [];
  const description = str(fn.description);
  const parameters =
    schema ??
    fn.parameters ??
    fn.input_schema ??
    fn.inputSchema ??
    fn.parameters_json_schema ??
    fn.args_schema;
  return [
    {
      name,
      ...(description !== undefined ? { description } : {}),
      ...(parameters !== undefined && parameters !== null ? { parameters } : {}),
    },
  ];
}
