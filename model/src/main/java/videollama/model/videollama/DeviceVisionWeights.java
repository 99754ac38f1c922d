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
record DeviceVisionWeights(DeviceEvaVit vit, DeviceBuffer lnVisionWeight, DeviceBuffer lnVisionBias, DeviceQFormer imageQFormer,
                           DeviceQFormer videoQFormer, DeviceProjection proj) {

    static DeviceVisionWeights upload(VideoBranch b, DeviceBackend device) {
        VideoLlamaConfig c = b.config();
        return new DeviceVisionWeights(new DeviceEvaVit(b.vit(), c.vision(), device), DeviceFloats.upload(device, b.lnVisionWeight()),
                DeviceFloats.upload(device, b.lnVisionBias()), new DeviceQFormer(b.imageQFormer(), c.qformer(), device),
                new DeviceQFormer(b.videoQFormer(), c.videoQformer(), device), DeviceProjection.upload(device, b.projection()));
    }
}
