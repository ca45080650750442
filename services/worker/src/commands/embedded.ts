// CONTRACT STUB: replaced by the owner of the 'embedded' subcommand.
export async function run(_args: string[]): Promise<number> {
  process.stderr.write('modstream embedded: not implemented yet\n');
  return 1;
}
