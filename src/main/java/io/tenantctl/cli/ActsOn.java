package io.tenantctl.cli;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an option that names or selects what a command acts on (an org, a pool, a run, a backup, a plan, a tier to
 * narrow a rollout to): it is typed on the command line, never filled from a config file, where a key shared by every
 * command ({@code pool=}, {@code org=}) would quietly narrow a rollout or a verify, or aim a command whose argument was
 * forgotten. Positional arguments are never filled from the file either.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
@interface ActsOn {
}
