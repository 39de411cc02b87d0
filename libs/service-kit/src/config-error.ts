/**
 * The one error a bad setting raises: start-up stops with its message, which names the
 * environment variable to fix. Its own file so every settings module can use it.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
