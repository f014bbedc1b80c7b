package io.tenantctl.ops.run;

import io.tenantctl.TenantctlException;

/**
 * How a fan-out verb's run is driven, the same for every verb: start it and work on it (the default), only create it
 * ({@code detach}, for workers to join), work on an existing one ({@code join}), or take over one whose workers are
 * gone ({@code resume}).
 */
public record RunControl(boolean detach, String joinRunId, String resumeRunId) {

    public static final RunControl START = new RunControl(false, null, null);

    public RunControl {
        if ((detach ? 1 : 0) + (joinRunId != null ? 1 : 0) + (resumeRunId != null ? 1 : 0) > 1) {
            throw TenantctlException.usage("--resume, --join and --detach are different things: pick one");
        }
    }

    /** True when the command works on a run someone else created. */
    public boolean existing() {
        return joinRunId != null || resumeRunId != null;
    }

    /** The run joined or resumed (null when the command starts one). */
    public String runId() {
        return joinRunId != null ? joinRunId : resumeRunId;
    }
}
