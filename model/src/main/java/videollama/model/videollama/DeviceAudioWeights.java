package videollama.model.videollama;

import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.model.DeviceFloats;
import videollama.model.audio.DeviceImageBindAudio;
import videollama.model.qformer.DeviceQFormer;

/**
 * An audio-language branch's weights on one device, uploaded once in their stored dtype (vectors as float32) and
 * shared by every encoder on that device.
 */
final class DeviceAudioWeights {
    final DeviceImageBindAudio imageBind;
    /** The whole clip position table [maxClips, embedWidth]: its first rows are the ones a shorter track adds. */
    final DeviceBuffer clipPositions;
    final DeviceQFormer qformer;
    final DeviceProjection proj;

    DeviceAudioWeights(AudioBranch b, DeviceBackend device) {
        VideoLlamaConfig c = b.config();
        imageBind = new DeviceImageBindAudio(b.imageBind(), c.audioEncoder(), device);
        clipPositions = DeviceFloats.upload(device, b.clipPositions());
        qformer = new DeviceQFormer(b.qformer(), c.audioQformer(), device);
        proj = DeviceProjection.upload(device, b.projWeight(), b.projBias());
    }
}
