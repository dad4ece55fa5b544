/** The Codex CLI version whose wire protocol we speak; reported in user agents and rollouts. */
export const CLI_VERSION = "0.105.0";
