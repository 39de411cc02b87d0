// The one error type of the infrastructure step: its message says what to do, and start.mjs prints it.
export class InfraError extends Error {
  name = 'InfraError';
}
