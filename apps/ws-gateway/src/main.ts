// The ws-gateway process: everything it does is in app.ts; the kit runs it.
import { runService } from '@relay/service-kit';
import { gatewayService } from './app';
import { readConfig } from './config';
import { applyV8Flags, v8FlagsFor } from './v8-memory';

runService(gatewayService, () => {
  const config = readConfig();
  // Here and not in app.ts: the flags belong to the process, not to a gateway a test starts in-process.
  applyV8Flags(v8FlagsFor(config));
  return config;
});
