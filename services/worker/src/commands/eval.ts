// CONTRACT STUB: replaced by the owner of the 'eval' subcommand.
export async function run(_args: string[]): Promise<number> {
  process.stderr.write('modstream eval: not implemented yet\n');
  return 1;
}
