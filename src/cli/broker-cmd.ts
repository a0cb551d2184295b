import { AfbError } from '../domain/errors';

/** `afb broker` arrives with the broker issue; until then it says so instead of failing obscurely. */
export async function brokerCommand(_argv: string[]): Promise<void> {
  throw new AfbError('INVALID_OPTION', 'afb broker is not available in this version yet');
}
