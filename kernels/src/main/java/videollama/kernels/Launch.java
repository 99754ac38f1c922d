package videollama.kernels;

/**
 * A kernel's grid: global and local (work-group / block) sizes per dimension, stated explicitly by the op
 * that launches it. The global size is always a multiple of the local size; kernels guard the tail themselves.
 */
public record Launch(long[] global, long[] local) {
    public Launch {
        if (global.length != local.length || global.length < 1 || global.length > 3) {
            throw new IllegalArgumentException("1 to 3 dimensions, global and local alike");
        }
        for (int d = 0; d < global.length; d++) {
            if (local[d] <= 0 || global[d] <= 0 || global[d] % local[d] != 0) {
                throw new IllegalArgumentException("dimension " + d + ": global " + global[d] + " is not a positive multiple of local " + local[d]);
            }
        }
        global = global.clone();
        local = local.clone();
    }

    /** {@code groups} work-groups of {@code local} work-items in one dimension. */
    public static Launch groups(long groups, long local) {
        return new Launch(new long[] {groups * local}, new long[] {local});
    }

    /** At least {@code items} work-items in one dimension, rounded up to whole groups of {@code local}. */
    public static Launch items(long items, long local) {
        return groups((items + local - 1) / local, local);
    }

    /** Two dimensions: {@code groupsX × groupsY} groups of {@code localX × 1}. */
    public static Launch groups2d(long groupsX, long localX, long groupsY) {
        return new Launch(new long[] {groupsX * localX, groupsY}, new long[] {localX, 1});
    }
}
