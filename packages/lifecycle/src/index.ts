export { StopSteps, type StopStepsLogger } from './stop-steps.js';
