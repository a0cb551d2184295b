// Placeholder until the server lands (helper-owned file; replace freely).
export async function serveCommand(_argv: string[]): Promise<void> {
  throw new Error('afb serve is not built yet');
}
