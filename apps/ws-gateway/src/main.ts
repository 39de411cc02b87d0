// The ws-gateway process: everything it does is in app.ts; the kit runs it.
import { runService } from '@relay/service-kit';
import { gatewayService } from './app';
import { readConfig } from './config';

runService(gatewayService, () => readConfig());
