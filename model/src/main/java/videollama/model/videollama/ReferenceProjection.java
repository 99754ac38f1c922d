package videollama.model.videollama;

import static videollama.kernels.reference.Linear.linear;

import videollama.kernels.reference.WeightMatrix;

/**
 * The plain-Java float32 reference of a branch's {@link Projection} (the twin of {@link DeviceProjection}): the weight
 * read in place and widened on the fly, the bias widened.
 */
record ReferenceProjection(WeightMatrix weight, float[] bias) {

    static ReferenceProjection of(Projection p) {
        return new ReferenceProjection(new WeightMatrix(p.weight()), p.bias().toFloatArray());
    }

    /** {@code in[rows, inWidth] · weightᵀ + bias}: [rows, dModel]. */
    float[] apply(float[] in) {
        return linear(in, weight, bias);
    }
}
