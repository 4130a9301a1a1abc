/**
 * A fleet of simulated sentries over the real protocol, for tests and load: {@link startFleet}, its fault plan,
 * credentials and fake answers.
 *
 * @packageDocumentation
 */
export { startFleet, FleetConnectError, type Fleet, type FleetOptions, type FleetMember, type FleetStats } from './fleet.js';
export { type SimulatorCounters, type SimulatedMethods } from './simulated-sentry.js';
export { faultOf, checkFaultFractions, type FaultFractions, type SentryFault } from './fault-plan.js';
export { simulatedCredentials, readCredentialsFile, type SentryCredentials } from './fleet-keys.js';
export { fakeConnections, fakeNetstatAnswer, withFakeDetail, type FakeConnection } from './fake-connections.js';
