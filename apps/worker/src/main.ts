import { validateEnvironmentOrExit } from '@app/core';

validateEnvironmentOrExit();

// Loaded only after the environment is known to be valid (see validateEnvironmentOrExit).
void import('./worker.bootstrap').then(({ bootstrapWorker }) => bootstrapWorker());
