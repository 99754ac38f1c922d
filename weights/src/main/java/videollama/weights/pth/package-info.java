/**
 * PyTorch checkpoints ({@code .pth}, {@code .bin}) in the zip format of {@code torch.save} (torch 1.6 and
 * later), read without Python: a ZIP reader over one memory-mapped segment and a pickle interpreter for the
 * subset torch writes. Tensors come out as {@link videollama.weights.Tensor}s that are slices of the mapping,
 * ready for {@link videollama.weights.SafetensorsWriter}.
 *
 * <p>Entry point: {@link videollama.weights.pth.PthFile#open}, then
 * {@link videollama.weights.pth.PthFile#stateDict} for the tensors of a dict.
 */
package videollama.weights.pth;
