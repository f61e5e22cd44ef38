package ai.flovyn.dispatch.store;

import java.util.UUID;

/**
 * Who an existing task or child workflow belongs to: its workflow (a task's; null if standalone) or
 * parent (a child's), and its type or kind.
 */
public record Owner(UUID id, UUID ownerId, String type) {}
