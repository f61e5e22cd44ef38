package ai.flovyn.dispatch.domain;

import java.util.UUID;

/**
 * What AppendEntry did.
 *
 * @param entryId the entry's id
 * @param alreadyExisted whether the key named an entry appended before (nothing was stored)
 */
public record AppendedEntry(UUID entryId, boolean alreadyExisted) {}
