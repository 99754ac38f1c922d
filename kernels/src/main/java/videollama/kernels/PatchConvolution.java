package videollama.kernels;

/**
 * The geometry of a patch-embedding convolution (EVA's 14/14, ImageBind's overlapping 16/10) and the checks every
 * backend makes before launching one: weight [cout, cin, k, k], images [batch, cin, height, width], no padding,
 * outputs [batch, patchesPerImage, cout], all float32 but the weight; every buffer large enough, and every index
 * within an int (the kernels index with int).
 */
public record PatchConvolution(int cout, int channels, int k, int stride, int height, int width, int batch,
                               int outWidth, int patchesPerImage) {

    /**
     * Checks the shapes and buffers of one patch-embedding task named {@code name}.
     *
     * @throws IllegalArgumentException naming the task and what does not fit
     */
    public static PatchConvolution check(String name, DeviceBuffer out, DeviceBuffer images, DeviceTensor weight,
                                         DeviceBuffer bias, int batch, int height, int width, int stride) {
        long[] shape = weight.shape();
        if (shape.length != 4 || shape[2] != shape[3]) {
            throw new IllegalArgumentException(name + ": weight " + weight + " is not [cout, cin, k, k]");
        }
        int cout = Math.toIntExact(shape[0]);
        int channels = Math.toIntExact(shape[1]);
        int k = Math.toIntExact(shape[2]);
        if (batch < 1 || stride < 1 || height < k || width < k) {
            throw new IllegalArgumentException(name + ": " + batch + " images of " + height + " x " + width
                    + " hold no " + k + " x " + k + " patches with stride " + stride);
        }
        int outWidth = (width - k) / stride + 1;
        PatchConvolution c = new PatchConvolution(cout, channels, k, stride, height, width, batch, outWidth,
                ((height - k) / stride + 1) * outWidth);
        if (Math.max(c.pixels(), c.outputs()) > Integer.MAX_VALUE || (long) cout * c.taps() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + ": more than 2^31 elements in one buffer");
        }
        requireBytes(name, images, c.pixels() * 4);
        requireBytes(name, out, c.outputs() * 4);
        if (bias != null) {
            requireBytes(name, bias, cout * 4L);
        }
        return c;
    }

    /** Weights of one output channel: cin · k · k. */
    public int taps() {
        return channels * k * k;
    }

    /** Input floats. */
    public long pixels() {
        return (long) batch * channels * height * width;
    }

    /** Output floats. */
    public long outputs() {
        return (long) batch * patchesPerImage * cout;
    }

    /** Patches over the whole batch. */
    public int totalPatches() {
        return batch * patchesPerImage;
    }

    /**
     * The arguments every patch_embed kernel takes first, in order, on both backends: buffers, whether there is a bias,
     * the geometry. Without a bias the kernel never reads its bias argument; the images stand in for it (a null has
     * no address).
     */
    public Object[] kernelArgs(DeviceBuffer out, DeviceBuffer images, DeviceTensor weight, DeviceBuffer bias) {
        return new Object[] {out, images, weight.buffer(), bias != null ? bias : images, bias != null ? 1 : 0, channels,
                height, width, k, stride, outWidth, patchesPerImage, totalPatches(), cout};
    }

    /** The task's bytes and FLOPs: the images, the weights in their dtype, the bias, the outputs; 2 FLOPs a tap. */
    public Cost cost(DeviceTensor weight, boolean hasBias) {
        return new Cost(pixels() * 4 + (long) cout * taps() * weight.dtype().byteSize() + (hasBias ? cout * 4L : 0) + outputs() * 4,
                2 * outputs() * taps());
    }

    /** A buffer at least {@code bytes} long, or an error naming the task and the buffer. */
    public static void requireBytes(String op, DeviceBuffer buffer, long bytes) {
        if (buffer.bytes() < bytes) {
            throw new IllegalArgumentException(op + ": buffer " + buffer.name() + " holds " + buffer.bytes() + " bytes, needs " + bytes);
        }
    }
}
