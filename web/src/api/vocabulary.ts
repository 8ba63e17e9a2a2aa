// GET /vocabulary once per page load: regions, modalities with their parameter ranges, adverse
// event kinds. It changes only with the server's knowledge base.
import { call, type Ok } from './client';

export type Vocabulary = Ok<'GET /vocabulary'>;

let cached: Promise<Vocabulary> | null = null;

export function vocabulary(): Promise<Vocabulary> {
  if (!cached) {
    cached = call('GET /vocabulary');
    cached.catch(() => {
      cached = null;
    });
  }
  return cached;
}
