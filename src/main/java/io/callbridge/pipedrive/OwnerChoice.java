package io.callbridge.pipedrive;

/**
 * The Pipedrive user who owns a call's activity (and a deal created for it), and the rule that chose it.
 *
 * @param userId null means: send no owner, Pipedrive makes the token's user the owner
 * @param rule   {@code mapped-by-email}, {@code mapped-by-id}, {@code mapped-by-phone} (the user mapping),
 *               {@code agent-email} (direct Pipedrive users lookup), {@code default-owner-email}, {@code token-user}
 *               or {@code pipedrive-default}
 */
public record OwnerChoice(Long userId, String rule) {
}
