#!/usr/bin/env node
// The `modstream` command: one entry point, one module per subcommand.
const commands: Record<string, () => Promise<{ run(args: string[]): Promise<number> }>> = {
  classify: () => import('./commands/classify.js'),
  eval: () => import('./commands/eval.js'),
  explain: () => import('./commands/explain.js'),
  worker: () => import('./commands/worker.js'),
  embedded: () => import('./commands/embedded.js'),
  shadow: () => import('./commands/shadow.js'),
  feedback: () => import('./commands/feedback.js'),
};

const [name, ...args] = process.argv.slice(2);
const load = name === undefined ? undefined : commands[name];
if (load === undefined) {
  process.stderr.write(`usage: modstream <${Object.keys(commands).join('|')}> [args]\n`);
  process.exit(2);
}
process.exitCode = await (await load()).run(args);
