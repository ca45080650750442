// CONTRACT STUB: replaced by the owner of the 'classify' subcommand.
export async function run(_args: string[]): Promise<number> {
  process.stderr.write('modstream classify: not implemented yet\n');
  return 1;
}
