#!/usr/bin/env node
// The `modstream-review` command: `serve` runs the review web app, `hash-password` makes a users-file hash.
const commands: Record<string, () => Promise<{ run(args: string[]): Promise<number> }>> = {
  serve: () => import('./commands/serve.js'),
  'hash-password': () => import('./commands/hash-password.js'),
};

const [name, ...args] = process.argv.slice(2);
const load = name === undefined ? undefined : commands[name];
if (load === undefined) {
  process.stderr.write(`usage: modstream-review <${Object.keys(commands).join('|')}> [args]\n`);
  process.exit(2);
}
process.exitCode = await (await load()).run(args);
