/**
 * Where the operations files live, so every check names the same files (and a moved file
 * fails here once, with its path, rather than in each check).
 */
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '../../../..');
export const PROMETHEUS_DIR = join(REPO_ROOT, 'deploy/prometheus');
export const PROMETHEUS_CONFIG = join(PROMETHEUS_DIR, 'prometheus.yml');
export const RECORDING_RULES = join(PROMETHEUS_DIR, 'rules/recording.yml');
export const ALERT_RULES = join(PROMETHEUS_DIR, 'rules/alerts.yml');
export const ALERT_TESTS = join(PROMETHEUS_DIR, 'tests/alerts.test.yml');
export const DASHBOARD = join(REPO_ROOT, 'deploy/grafana/relay-overview.json');
export const OPERATIONS_DOC = join(REPO_ROOT, 'docs/operations.md');
