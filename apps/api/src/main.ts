// The api process: everything it does is in app.ts; the kit runs it.
import { runService } from '@relay/service-kit';
import { apiService } from './app';
import { readConfig } from './config';

runService(apiService, () => readConfig());
