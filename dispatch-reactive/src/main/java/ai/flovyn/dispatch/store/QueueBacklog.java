package ai.flovyn.dispatch.store;

/**
 * What waits on one queue of one tenant, for the backlog gauges: the PENDING items of one kind and
 * how long the oldest of those a poll could claim now has been claimable.
 *
 * @param kind {@code workflow}, {@code task} or {@code agent}
 * @param tenantId the queue's tenant
 * @param queue the queue's name
 * @param depth the PENDING items, claimable now or waiting for a retry's backoff
 * @param oldestAgeSeconds seconds since the oldest claimable item became claimable, by the
 *     database's clock; 0 when every PENDING item still waits for its backoff
 */
public record QueueBacklog(
    String kind, String tenantId, String queue, long depth, double oldestAgeSeconds) {}
