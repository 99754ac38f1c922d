package videollama.kernels.cuda;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import videollama.kernels.KernelSource;

/**
 * The committed PTX of the {@code .cu} sources (made by {@code scripts/build-ptx.sh} for compute_80, PTX ISA 7.8, into
 * the generated resource root {@code kernels/src/generated/ptx}, the same package in the jar),
 * which every driver since CUDA 11.8 compiles for its device at load time.
 *
 * @param whyNotNvrtc the reason NVRTC is not used, for {@link #description()}
 */
record CommittedPtx(String whyNotNvrtc) implements KernelImages {
    @Override
    public byte[] image(String program) {
        byte[] text = text(program).getBytes(StandardCharsets.US_ASCII);
        return Arrays.copyOf(text, text.length + 1); // cuModuleLoadData reads PTX as a NUL-terminated string
    }

    @Override
    public String description() {
        return "committed PTX for compute_80, compiled by the driver at load (" + whyNotNvrtc + ")";
    }

    /** The committed PTX of a program. */
    static String text(String program) {
        return KernelSource.text(CommittedPtx.class, program + ".ptx");
    }
}
