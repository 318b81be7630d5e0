/**
 * The outline of a Bicep file, read from its text: parameters (name, type, @secure), resources
 * (symbol, type, API version, conditional), outputs, and the Function App's app settings. Enough
 * to compare a hand-kept ARM JSON file with the Bicep it mirrors; not a Bicep parser.
 */

export interface BicepOutline {
  parameters: Array<{ name: string; type: string; secure: boolean }>;
  resources: Array<{ symbol: string; type: string; apiVersion: string; conditional: boolean }>;
  outputs: Array<{ name: string; type: string }>;
  /** `{ name: '...', value: <expression> }` items of `appSettings: [...]`, value as written. */
  appSettings: Array<{ name: string; value: string }>;
}

export function outlineBicep(text: string): BicepOutline {
  const outline: BicepOutline = { parameters: [], resources: [], outputs: [], appSettings: [] };
  // Decorators stack up until the declaration they belong to.
  let secure = false;
  for (const line of text.split('\n')) {
    if (/^@secure\(\)\s*$/.test(line)) secure = true;
    const parameter = /^param (\w+) (\w+)/.exec(line);
    if (parameter) outline.parameters.push({ name: parameter[1]!, type: parameter[2]!, secure });
    const resource = /^resource (\w+) '([^'@]+)@([^']+)' = (if \()?/.exec(line);
    if (resource) {
      outline.resources.push({ symbol: resource[1]!, type: resource[2]!, apiVersion: resource[3]!, conditional: !!resource[4] });
    }
    const output = /^output (\w+) (\w+) =/.exec(line);
    if (output) outline.outputs.push({ name: output[1]!, type: output[2]! });
    if (/^(param|var|resource|output|module) /.test(line)) secure = false;
  }
  const settingsStart = text.indexOf('appSettings: [');
  if (settingsStart !== -1) {
    const indent = /[ ]*$/.exec(text.slice(0, settingsStart))![0];
    const settingsEnd = text.indexOf(`\n${indent}]`, settingsStart);
    const block = text.slice(settingsStart, settingsEnd);
    for (const item of block.matchAll(/name: '([^']+)'\s*\n\s*value: (.+)/g)) {
      outline.appSettings.push({ name: item[1]!, value: item[2]!.trim() });
    }
  }
  return outline;
}
