package io.tenantctl.store;

/**
 * The size of each part of an {@link S3ObjectStore} multipart upload. S3 takes at most 10,000 parts, each of at least
 * 5 MiB but the last; at a fixed 8 MiB an object stops at 78 GiB (a big collection's file failed only after uploading
 * all of them). So parts start at the configured size and double every {@code partsPerDoubling} parts, up to
 * {@code largest}: an upload holds one part in memory, so small objects keep small buffers and only a very large one
 * grows its own (to at most {@code largest}). S3's largest object, 5 TiB, fits within the parts for every configured
 * size (the smallest, 5 MiB, reaches 1 GiB parts at part 4,001 and 5 TiB at part 8,498; the default 8 MiB keeps 8 MiB parts
 * for 3.9 GiB, reaches 1 GiB at part 3,501, after 496 GiB, and 5 TiB at part 8,124).
 *
 * @param first            the size of the first {@code partsPerDoubling} parts
 * @param partsPerDoubling how many parts go at each size before it doubles
 * @param largest          the size parts stop growing at: the most one upload holds in memory
 * @param maxParts         the most parts an upload may have
 */
record PartSchedule(int first, int partsPerDoubling, int largest, int maxParts) {

    /** S3's most parts of a multipart upload. */
    static final int S3_MAX_PARTS = 10_000;
    /** S3's largest object, 5 TiB. */
    static final long S3_MAX_OBJECT = 5L << 40;

    PartSchedule {
        if (first < 1 || first > largest || partsPerDoubling < 1 || maxParts < 1) {
            throw new IllegalArgumentException("invalid part schedule " + first + "/" + partsPerDoubling + "/" + largest + "/" + maxParts);
        }
    }

    /** The schedule of uploads whose first parts are {@code first} bytes (S3Options' part size). */
    static PartSchedule of(int first) {
        return new PartSchedule(first, 500, Math.max(first, S3Options.MAX_PART_SIZE), S3_MAX_PARTS);
    }

    /** The size of part {@code partNumber} (1-based). */
    int size(int partNumber) {
        int doublings = Math.min(32, (partNumber - 1) / partsPerDoubling);
        return (int) Math.min(largest, (long) first << doublings);
    }
}
