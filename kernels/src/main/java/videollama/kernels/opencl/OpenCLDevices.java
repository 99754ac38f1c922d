package videollama.kernels.opencl;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import videollama.kernels.DeviceInfo;

/** Finds the OpenCL platforms and devices of this machine and reads their limits. */
public final class OpenCLDevices {
    private OpenCLDevices() {}

    /** A device handle with what it is. */
    record Found(MemorySegment handle, DeviceInfo info) {}

    /** Every device of every platform; throws {@code BackendUnavailableException} if there is no OpenCL loader. */
    public static List<DeviceInfo> list() {
        return find().stream().map(Found::info).toList();
    }

    static List<Found> find() {
        OpenCL cl = OpenCL.get();
        List<Found> found = new ArrayList<>();
        for (MemorySegment platform : cl.platforms()) {
            String platformName = cl.platformString(platform, CL.PLATFORM_NAME);
            for (MemorySegment device : cl.devices(platform)) {
                found.add(new Found(device, describe(cl, platformName, device)));
            }
        }
        return found;
    }

    private static DeviceInfo describe(OpenCL cl, String platform, MemorySegment d) {
        String extensions = cl.deviceString(d, CL.DEVICE_EXTENSIONS);
        return new DeviceInfo(
                platform,
                cl.deviceString(d, CL.DEVICE_NAME),
                cl.deviceString(d, CL.DEVICE_VENDOR),
                cl.deviceString(d, CL.DEVICE_VERSION) + ", " + cl.deviceString(d, CL.DEVICE_OPENCL_C_VERSION)
                        + ", driver " + cl.deviceString(d, CL.DRIVER_VERSION),
                (cl.deviceNumber(d, CL.DEVICE_TYPE, 8) & CL.DEVICE_TYPE_CPU) != 0,
                (int) cl.deviceNumber(d, CL.DEVICE_MAX_COMPUTE_UNITS, 4),
                cl.deviceNumber(d, CL.DEVICE_GLOBAL_MEM_SIZE, 8),
                cl.deviceNumber(d, CL.DEVICE_MAX_MEM_ALLOC_SIZE, 8),
                cl.deviceNumber(d, CL.DEVICE_LOCAL_MEM_SIZE, 8),
                cl.deviceNumber(d, CL.DEVICE_MAX_WORK_GROUP_SIZE, 8),
                (int) cl.deviceNumber(d, CL.DEVICE_MAX_CLOCK_FREQUENCY, 4),
                extensions.contains("cl_khr_fp16"),
                extensions.contains("cl_khr_subgroups") || extensions.contains("cl_intel_subgroups"));
    }

    /** The device a backend opens by default: the first GPU, else the first device of any kind. */
    static Found best() {
        List<Found> all = find();
        if (all.isEmpty()) {
            throw new videollama.kernels.BackendUnavailableException("opencl",
                    "no OpenCL device (an ICD loader is installed but no platform or device answers; for the CPU: apt-get install pocl-opencl-icd)");
        }
        return all.stream().filter(f -> !f.info().isCpu()).findFirst().orElse(all.getFirst());
    }
}
