/**
 * PyTorch checkpoints ({@code .pth}, {@code .bin}) in the zip format of {@code torch.save} (torch 1.6 and
 * later), read without Python: a ZIP reader over one memory-mapped segment and a pickle interpreter for the
 * subset torch writes, as strict about the globals a pickle names as {@code torch.load(weights_only=True)}
 * (see {@code AllowedGlobals}). Tensors come out as {@link videollama.weights.Tensor}s that are slices of the
 * mapping, ready for {@link videollama.weights.SafetensorsWriter}.
 *
 * <p>Entry point: {@link videollama.weights.pth.PthFile#open}, then
 * {@link videollama.weights.pth.PthFile#modelTensors} for the model's tensors, or
 * {@link videollama.weights.pth.PthFile#stateDict} for those of a given dict.
 */
package videollama.weights.pth;
