// CONTRACT STUB: replaced by the owner of the 'worker' subcommand.
export async function run(_args: string[]): Promise<number> {
  process.stderr.write('modstream worker: not implemented yet\n');
  return 1;
}
