/**
 * Tensors on disk: memory-mapped safetensors files, a writer, sharded folders and the seven dtypes the
 * project stores (F32, F16, BF16, I64, I32, U8, I8), and Q8_0 weights joined from an I8 tensor and its scales.
 *
 * <p>Weights are never copied onto the Java heap: a file is mapped as one {@link java.lang.foreign.MemorySegment}
 * and every {@link videollama.weights.Tensor} is a slice of it. Because the bytes come from files we did not
 * write, every header is validated completely before the first tensor is handed out; a bad file is a
 * {@link videollama.weights.WeightsException} whose one-line message names the file and the tensor.
 */
package videollama.weights;
