/**
 * Reading option values of the `eventgrid` and `publish` commands, with errors that name the
 * option (shown to the user as is, without a stack trace).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

/** The command's flags (no positional arguments); an unknown or malformed flag is a UsageError. */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** A whole number >= `min`, or `fallback` when the option is absent. */
export function wholeNumberOption(text: string | undefined, option: string, min: number, fallback: number): number;
export function wholeNumberOption(text: string, option: string, min: number): number;
export function wholeNumberOption(text: string | undefined, option: string, min: number): number | undefined;
export function wholeNumberOption(text: string | undefined, option: string, min: number, fallback?: number): number | undefined {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < min) {
    throw new UsageError(`${option} must be a whole number >= ${min}, got '${text}'.`);
  }
  return value;
}

/** A positive number (fractions allowed), or `fallback` when absent. */
export function positiveNumberOption(text: string | undefined, option: string, fallback: number): number;
export function positiveNumberOption(text: string, option: string): number;
export function positiveNumberOption(text: string | undefined, option: string, fallback?: number): number | undefined {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0) throw new UsageError(`${option} must be a number > 0, got '${text}'.`);
  return value;
}

/** Values of a repeatable option, each of which may also be a comma-separated list. */
export function listOption(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((value) => value.split(',')).map((item) => item.trim()).filter((item) => item !== '');
}

/** One of `choices`, or `fallback` when absent. */
export function choiceOption<T extends string>(text: string | undefined, option: string, choices: readonly T[], fallback: T): T {
  if (text === undefined) return fallback;
  if (!(choices as readonly string[]).includes(text)) throw new UsageError(`${option} must be one of ${choices.join(', ')}, got '${text}'.`);
  return text as T;
}

/** An environment variable's value; an empty one counts as unset, as shells make it easy to leave one empty. */
export function environmentOption(environment: NodeJS.ProcessEnv, name: string): string | undefined {
  return environment[name] || undefined;
}
