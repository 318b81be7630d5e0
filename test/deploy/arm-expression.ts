/**
 * ARM template expressions (`"[format('{0}/api', parameters('x'))]"`): a parser for the whole
 * language (function calls, 'strings' with '' escapes, integers, `.property` and `[index]`
 * access) and an evaluator for the functions main.json uses, so that tests can check a
 * template offline: every expression parses, refers to declared parameters and variables, and
 * yields the expected values for given parameters.
 */

export type ArmNode =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'call'; name: string; args: ArmNode[] }
  | { kind: 'property'; target: ArmNode; name: string }
  | { kind: 'index'; target: ArmNode; index: ArmNode };

/** True for a JSON string that ARM treats as an expression (`[...]`, but not the `[[` escape). */
export function isExpression(value: string): boolean {
  return value.startsWith('[') && value.endsWith(']') && !value.startsWith('[[');
}

/** Parses the text of an expression string (with its outer brackets). Throws on a syntax error. */
export function parseExpression(source: string): ArmNode {
  if (!isExpression(source)) throw new Error(`not an expression: ${source}`);
  const text = source.slice(1, -1);
  let at = 0;
  const fail = (what: string): never => {
    throw new Error(`${what} at ${at} in ${source}`);
  };
  const skipSpace = (): void => {
    while (text[at] === ' ') at++;
  };
  const expect = (char: string): void => {
    skipSpace();
    if (text[at] !== char) fail(`expected "${char}"`);
    at++;
  };
  const identifier = (): string => {
    skipSpace();
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(at));
    if (!match) fail('expected a name');
    at += match![0].length;
    return match![0];
  };
  const primary = (): ArmNode => {
    skipSpace();
    if (text[at] === "'") {
      let value = '';
      for (at++; ; at++) {
        if (at >= text.length) fail('unterminated string');
        if (text[at] === "'") {
          if (text[at + 1] !== "'") break;
          at++;
        }
        value += text[at];
      }
      at++;
      return { kind: 'string', value };
    }
    const number = /^-?\d+/.exec(text.slice(at));
    if (number) {
      at += number[0].length;
      return { kind: 'number', value: Number(number[0]) };
    }
    const name = identifier();
    expect('(');
    const args: ArmNode[] = [];
    skipSpace();
    if (text[at] === ')') at++;
    else {
      for (;;) {
        args.push(expression());
        skipSpace();
        if (text[at] === ',') at++;
        else break;
      }
      expect(')');
    }
    return { kind: 'call', name, args };
  };
  const expression = (): ArmNode => {
    let node = primary();
    for (;;) {
      skipSpace();
      if (text[at] === '.') {
        at++;
        node = { kind: 'property', target: node, name: identifier() };
      } else if (text[at] === '[') {
        at++;
        node = { kind: 'index', target: node, index: expression() };
        expect(']');
      } else return node;
    }
  };
  const node = expression();
  skipSpace();
  if (at !== text.length) fail('unexpected text');
  return node;
}

/** Every call in `node`, depth first (the node itself included). */
export function callsIn(node: ArmNode): Array<Extract<ArmNode, { kind: 'call' }>> {
  switch (node.kind) {
    case 'call':
      return [node, ...node.args.flatMap(callsIn)];
    case 'property':
      return callsIn(node.target);
    case 'index':
      return [...callsIn(node.target), ...callsIn(node.index)];
    default:
      return [];
  }
}

/** Every expression string in a template (or part of one), with a JSON path for messages. */
export function expressionsIn(value: unknown, path = '$'): Array<{ path: string; source: string }> {
  if (typeof value === 'string') return isExpression(value) ? [{ path, source: value }] : [];
  if (Array.isArray(value)) return value.flatMap((item, index) => expressionsIn(item, `${path}[${index}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => expressionsIn(item, `${path}.${key}`));
  }
  return [];
}

/** What an evaluation needs from outside the template: deployment-time values and resource state. */
export interface ArmEvaluationContext {
  parameters: Record<string, unknown>;
  variables: Record<string, unknown>;
  /** `reference(resourceId, apiVersion)`: the resource's runtime properties. */
  reference(resourceId: string, apiVersion: string): unknown;
  /** `listKeys(resourceId, apiVersion)`: the resource's keys. */
  listKeys(resourceId: string, apiVersion: string): unknown;
  resourceGroupId: string;
  storageSuffix: string;
}

const formatArgument = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/** Evaluates an expression, or returns any other JSON value as is (strings are literal text). */
export function evaluate(value: unknown, context: ArmEvaluationContext): unknown {
  if (typeof value === 'string') {
    if (value.startsWith('[[')) return value.slice(1);
    return isExpression(value) ? evaluateNode(parseExpression(value), context) : value;
  }
  if (Array.isArray(value)) return value.map((item) => evaluate(item, context));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, evaluate(item, context)]));
  }
  return value;
}

function evaluateNode(node: ArmNode, context: ArmEvaluationContext): unknown {
  switch (node.kind) {
    case 'string':
    case 'number':
      return node.value;
    case 'property': {
      const target = evaluateNode(node.target, context) as Record<string, unknown> | undefined;
      if (!target || typeof target !== 'object' || !(node.name in target)) throw new Error(`no property "${node.name}"`);
      return target[node.name];
    }
    case 'index': {
      const target = evaluateNode(node.target, context) as Record<string | number, unknown>;
      const index = evaluateNode(node.index, context) as string | number;
      if (!(index in target)) throw new Error(`no element ${index}`);
      return target[index];
    }
    case 'call':
      return callFunction(node, context);
  }
}

function callFunction(node: Extract<ArmNode, { kind: 'call' }>, context: ArmEvaluationContext): unknown {
  const args = (): unknown[] => node.args.map((arg) => evaluateNode(arg, context));
  switch (node.name) {
    case 'parameters': {
      const [name] = args() as [string];
      if (!(name in context.parameters)) throw new Error(`parameter "${name}" has no value`);
      return context.parameters[name];
    }
    case 'variables': {
      const [name] = args() as [string];
      if (!(name in context.variables)) throw new Error(`variable "${name}" is not declared`);
      return evaluate(context.variables[name], context);
    }
    case 'if': {
      // Only the chosen branch is evaluated, as ARM does.
      const condition = evaluateNode(node.args[0]!, context);
      return evaluateNode(node.args[condition === true ? 1 : 2]!, context);
    }
    case 'format': {
      const [template, ...values] = args() as [string, ...unknown[]];
      return template.replace(/\{\{|\}\}|\{(\d+)\}/g, (match, index?: string) =>
        index === undefined ? match[0]! : formatArgument(values[Number(index)]),
      );
    }
    case 'equals': {
      const [a, b] = args();
      return JSON.stringify(a) === JSON.stringify(b);
    }
    case 'join': {
      const [items, separator] = args() as [unknown[], string];
      return items.map(formatArgument).join(separator);
    }
    case 'take': {
      const [value, count] = args() as [string | unknown[], number];
      return value.slice(0, count);
    }
    case 'toLower':
      return (args()[0] as string).toLowerCase();
    case 'replace': {
      const [value, oldText, newText] = args() as [string, string, string];
      return value.replaceAll(oldText, newText);
    }
    case 'resourceId': {
      const [type, ...names] = args() as string[];
      const segments = type!.split('/');
      let id = `${context.resourceGroupId}/providers/${segments[0]}/${segments[1]}/${names[0]}`;
      segments.slice(2).forEach((segment, i) => (id += `/${segment}/${names[i + 1]}`));
      return id;
    }
    case 'reference': {
      const [id, apiVersion] = args() as [string, string];
      return context.reference(id, apiVersion);
    }
    case 'listKeys': {
      const [id, apiVersion] = args() as [string, string];
      return context.listKeys(id, apiVersion);
    }
    case 'resourceGroup':
      return { id: context.resourceGroupId, location: 'westeurope' };
    case 'environment':
      return { suffixes: { storage: context.storageSuffix } };
    default:
      throw new Error(`ARM function ${node.name}() is not covered by this evaluator`);
  }
}
