// The notification-service process: everything it does is in app.ts; the kit runs it.
import { runService } from '@relay/service-kit';
import { notificationService } from './app';
import { readConfig } from './config';

runService(notificationService, () => readConfig());
