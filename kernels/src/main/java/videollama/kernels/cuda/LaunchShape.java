package videollama.kernels.cuda;

import videollama.kernels.Launch;

/**
 * A {@link Launch} in CUDA's terms: the grid counts blocks and the block counts threads, where a Launch states
 * work-items (global) and work-group size (local) as OpenCL does. So grid = global / local per dimension,
 * block = local, and dimensions a Launch leaves out are 1.
 */
record LaunchShape(int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ) {
    /** CUDA's fixed limits (every device since compute capability 3.0). */
    static final long MAX_GRID_X = Integer.MAX_VALUE;
    static final long MAX_GRID_YZ = 65535;
    static final long MAX_BLOCK_XY = 1024;
    static final long MAX_BLOCK_Z = 64;

    /** The shape of {@code launch}, checked against the limits and the device's {@code maxThreadsPerBlock}. */
    static LaunchShape of(Launch launch, long maxThreadsPerBlock, String task) {
        long[] grid = {1, 1, 1};
        long[] block = {1, 1, 1};
        for (int d = 0; d < launch.global().length; d++) {
            block[d] = launch.local()[d];
            grid[d] = launch.global()[d] / launch.local()[d];
        }
        long threads = block[0] * block[1] * block[2];
        if (threads > maxThreadsPerBlock || block[0] > MAX_BLOCK_XY || block[1] > MAX_BLOCK_XY || block[2] > MAX_BLOCK_Z) {
            throw new IllegalArgumentException("task " + task + ": a block of " + block[0] + "×" + block[1] + "×" + block[2]
                    + " threads exceeds the device's " + maxThreadsPerBlock);
        }
        if (grid[0] > MAX_GRID_X || grid[1] > MAX_GRID_YZ || grid[2] > MAX_GRID_YZ) {
            throw new IllegalArgumentException("task " + task + ": a grid of " + grid[0] + "×" + grid[1] + "×" + grid[2]
                    + " blocks exceeds CUDA's limits");
        }
        return new LaunchShape((int) grid[0], (int) grid[1], (int) grid[2], (int) block[0], (int) block[1], (int) block[2]);
    }

    long threadsPerBlock() {
        return (long) blockX * blockY * blockZ;
    }
}
