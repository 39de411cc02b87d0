// The presence-service process: everything it does is in app.ts; the kit runs it.
import { runService } from '@relay/service-kit';
import { presenceService } from './app';
import { readConfig } from './config';

runService(presenceService, () => readConfig());
