package videollama.model.videollama;

import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.model.DeviceFloats;
import videollama.model.audio.DeviceImageBindAudio;
import videollama.model.qformer.DeviceQFormer;

/**
 * An audio-language branch's weights on one device, uploaded once in their stored dtype (vectors as float32) and
 * shared by every encoder on that device.
 *
 * @param clipPositions the whole clip position table [maxClips, embedWidth]: its first rows are the ones a shorter
 *                      track adds
 */
record DeviceAudioWeights(DeviceImageBindAudio imageBind, DeviceBuffer clipPositions, DeviceQFormer qformer,
                          DeviceProjection proj) {

    static DeviceAudioWeights upload(AudioBranch b, DeviceBackend device) {
        return new DeviceAudioWeights(new DeviceImageBindAudio(b.imageBind(), b.config().audioEncoder(), device),
                DeviceFloats.upload(device, b.clipPositions()), new DeviceQFormer(b.qformer(), b.config().audioQformer(), device),
                DeviceProjection.upload(device, b.projection()));
    }
}
