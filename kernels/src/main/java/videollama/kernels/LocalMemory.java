package videollama.kernels;

/** A kernel argument that reserves {@code bytes} of work-group local (shared) memory. */
public record LocalMemory(long bytes) {}
