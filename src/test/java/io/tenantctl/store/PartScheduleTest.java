package io.tenantctl.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The part sizes of an S3 upload: at the fixed 8 MiB, S3's 10,000 parts held 78 GiB, and a collection's file over that
 * failed only after uploading all of them. Every part size TENANTCTL_S3_PART_SIZE_MIB allows (5–1024 MiB) must now reach
 * S3's largest object, 5 TiB, within 10,000 parts, each part but the last at least 5 MiB (S3's minimum), none over 1 GiB
 * (what one upload holds in memory), and the parts of an ordinary backup's file (under 3.9 GiB) the configured size.
 */
class PartScheduleTest {

    private static final int MIB = 1024 * 1024;

    /** How many parts of {@code schedule} hold {@code bytes}; more than its maxParts if they do not. */
    private static int partsFor(PartSchedule schedule, long bytes) {
        int n = 0;
        for (long held = 0; held < bytes && n <= schedule.maxParts(); held += schedule.size(++n)) {
            // count
        }
        return n;
    }

    @Test
    void everyConfigurablePartSizeReaches5TiBWithin10000PartsOfAtLeast5MiBAndAtMost1GiB() {
        for (int mib = 5; mib <= 1024; mib++) {
            PartSchedule schedule = PartSchedule.of(mib * MIB);
            assertThat(partsFor(schedule, PartSchedule.S3_MAX_OBJECT)).as("parts for 5 TiB starting at %d MiB", mib)
                    .isLessThanOrEqualTo(10_000);
            int smallest = Integer.MAX_VALUE;
            int largest = 0;
            boolean growing = true;
            for (int part = 1; part <= 10_000; part++) {
                int size = schedule.size(part);
                smallest = Math.min(smallest, size);
                largest = Math.max(largest, size);
                growing &= part == 1 || size >= schedule.size(part - 1);
            }
            assertThat(smallest).as("smallest part starting at %d MiB", mib).isGreaterThanOrEqualTo(S3Options.MIN_PART_SIZE);
            assertThat(largest).as("largest part (buffer) starting at %d MiB", mib).isLessThanOrEqualTo(1024 * MIB);
            assertThat(growing).as("parts never shrink, starting at %d MiB", mib).isTrue();
        }
        assertThat(partsFor(PartSchedule.of(S3Options.DEFAULT_PART_SIZE), PartSchedule.S3_MAX_OBJECT)).isEqualTo(8_124);
        assertThat(partsFor(PartSchedule.of(S3Options.MIN_PART_SIZE), PartSchedule.S3_MAX_OBJECT)).isEqualTo(8_498);
    }

    @Test
    void anOrdinaryBackupsPartsKeepTheConfiguredSize() {
        PartSchedule schedule = PartSchedule.of(S3Options.DEFAULT_PART_SIZE);
        assertThat(schedule.size(1)).isEqualTo(8 * MIB);
        assertThat(schedule.size(500)).as("3.9 GiB in 8 MiB parts").isEqualTo(8 * MIB);
        assertThat(schedule.size(501)).isEqualTo(16 * MIB);
        assertThat(schedule.size(3_501)).as("past ~496 GiB").isEqualTo(1024 * MIB);
        assertThat(schedule.size(10_000)).isEqualTo(1024 * MIB);
    }
}
