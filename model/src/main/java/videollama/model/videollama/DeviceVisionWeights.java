package videollama.model.videollama;

import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.model.DeviceFloats;
import videollama.model.qformer.DeviceQFormer;
import videollama.model.vision.DeviceEvaVit;

/**
 * A vision-language branch's weights on one device, uploaded once in their stored dtype (vectors as float32) and
 * shared by every encoder on that device.
 */
final class DeviceVisionWeights {
    final DeviceEvaVit vit;
    final DeviceBuffer lnVisionWeight;
    final DeviceBuffer lnVisionBias;
    final DeviceQFormer imageQFormer;
    final DeviceQFormer videoQFormer;
    final DeviceProjection proj;

    DeviceVisionWeights(VideoBranch b, DeviceBackend device) {
        VideoLlamaConfig c = b.config();
        vit = new DeviceEvaVit(b.vit(), c.vision(), device);
        lnVisionWeight = DeviceFloats.upload(device, b.lnVisionWeight());
        lnVisionBias = DeviceFloats.upload(device, b.lnVisionBias());
        imageQFormer = new DeviceQFormer(b.imageQFormer(), c.qformer(), device);
        videoQFormer = new DeviceQFormer(b.videoQFormer(), c.videoQformer(), device);
        proj = DeviceProjection.upload(device, b.projWeight(), b.projBias());
    }
}
